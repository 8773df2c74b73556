/**
 * `riskgate publish capture.pcap`: the MoldUDP64 packets of a capture onto the feed topic as
 * they were captured (spec §14.4, §17). The frames go through the Rust core's Ethernet front
 * end (the same rules and counters as `replay capture.pcap`); each kept UDP payload is one
 * record, unchanged — its session, sequence numbers, duplicates and gaps are the capture's,
 * and `run` judges them by §14.5 like any feed.
 */
import { PacketSender } from './packet-sender.ts';
import { waitForBroker, makeKafka } from './client.ts';
import { ensureSinglePartitionTopic } from './feed-topics.ts';
import { countControls, MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_HEADER_BYTES, MOLD_SEQ_AT, MOLD_SESSION_BYTES } from '../itch/moldudp64.ts';
import { loadNative } from '../engine/rust.ts';
import { readFrameBatches, type CaptureStats } from '../source/capture.ts';
import { counterReport } from '../ethernet/front-end.ts';
import { formatIpv4, orderPortOf, type Endpoint } from '../ethernet/frame.ts';
import { RiskgateError } from '../errors.ts';
import type { PublishReport } from './publish.ts';

export interface PublishCaptureOptions {
  brokers: string;
  file: string;
  topic: string;
  to: Endpoint;
  /** Kafka records per produce request (default 500). */
  chunk?: number;
}

export type PublishCaptureReport = PublishReport & { capture: ReturnType<typeof counterReport> & { group: string; port: number; records: number; snapped: number; badPackets: number } };

export async function publishCapture(opts: PublishCaptureOptions): Promise<PublishCaptureReport> {
  const t0 = Date.now();
  const chunk = opts.chunk ?? 500;
  const rx = new (loadNative().EthernetReceiver)(opts.to.group, opts.to.port, orderPortOf(opts.to));
  await waitForBroker(opts.brokers, { timeoutMs: 60_000 });
  const kafka = makeKafka(opts.brokers, 'riskgate-publish');
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const stats: CaptureStats = { records: 0, snapped: 0 };
  const rep: PublishReport = {
    file: opts.file, topic: opts.topic, session: '', packets: 0, messages: 0, controls: 0, firstSeq: 0, lastSeq: 0,
    endOfSession: false, dropped: { packets: 0, messages: 0 }, duplicated: { packets: 0, messages: 0 }, bytes: 0,
    warnings: [], seconds: 0, messagesPerSecond: 0,
  };
  let badPackets = 0;
  try {
    await ensureSinglePartitionTopic(admin, opts.topic);
    await producer.connect();
    const sender = new PacketSender(producer, opts.topic, chunk, rep);
    for await (const batch of readFrameBatches(opts.file, 1024, stats)) {
      const payloads = rx.receive(batch.stream);
      for (let o = 0; o < payloads.length; ) {
        const n = payloads.readUInt32LE(o);
        if (n >= 0x8000_0000) {
          // an order-entry frame (bit 31, spec §18.7): the Kafka feed carries market data only
          throw new RiskgateError(
            'INPUT_UNREADABLE',
            `${opts.file}: capture records ${batch.firstRecord}..${batch.lastRecord} carry an order-entry frame (UDP port ${orderPortOf(opts.to)}); ` +
              'order flow cannot be published to the market-data feed (spec §18.6): replay the capture instead',
          );
        }
        const pkt = Buffer.from(payloads.subarray(o + 4, o + 4 + n));
        o += 4 + n;
        await sender.add(pkt);
        if (pkt.length < MOLD_HEADER_BYTES) {
          badPackets++; // sent as captured: run refuses and counts it (§14.5)
        } else {
          if (!rep.session) rep.session = pkt.toString('latin1', 0, MOLD_SESSION_BYTES);
          const seq = Number(pkt.readBigUInt64BE(MOLD_SEQ_AT));
          const count = pkt.readUInt16BE(MOLD_COUNT_AT);
          if (count === MOLD_END_OF_SESSION) rep.endOfSession = true;
          else if (count > 0) {
            if (rep.firstSeq === 0) rep.firstSeq = seq;
            rep.lastSeq = Math.max(rep.lastSeq, seq + count - 1);
            rep.messages += count;
          }
          rep.controls += countControls(pkt);
        }
      }
    }
    await sender.flush();
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
  if (!rep.endOfSession) rep.warnings.push('the capture has no end-of-session packet (count 0xFFFF): run will wait for more');
  if (stats.snapped) rep.warnings.push(`${stats.snapped} frames were captured short of their wire length (first: record ${stats.firstSnapped!.record})`);
  rep.seconds = (Date.now() - t0) / 1000;
  rep.messagesPerSecond = rep.seconds > 0 ? Math.round(rep.messages / rep.seconds) : 0;
  const capture = { ...counterReport(rx.counters()), group: formatIpv4(opts.to.group), port: opts.to.port, records: stats.records, snapped: stats.snapped, badPackets };
  return { ...rep, capture };
}
