/**
 * `riskgate publish`: a recorded session onto the single-partition feed topic as MoldUDP64
 * packets, in order, through an idempotent producer (docs/spec.md §14.4). Control messages
 * of the file travel as blocks in the packet of the message they precede (they take no seq);
 * controls after the last message travel in the end-of-session packet.
 *
 * `fromSeq`/`toSeq` publish part of the session (a later call publishes the rest, or
 * retransmits); `dropSeqs`/`duplicateSeqs` leave out or repeat the packet holding a seq (fault
 * injection for tests and drills).
 */
import { PacketSender } from './packet-sender.ts';
import { waitForBroker, makeKafka } from './client.ts';
import { ensureSinglePartitionTopic } from './feed-topics.ts';
import { FrameCursor } from '../itch/framing.ts';
import { countControls, MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_HEADER_BYTES, MOLD_SEQ_AT, MoldPacker } from '../itch/moldudp64.ts';
import { readBatches } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';

export interface PublishOptions {
  brokers: string;
  file: string;
  topic: string;
  /** Most message blocks per packet (controls included); packets also stay within 1472 bytes. */
  perPacket?: number;
  session?: string;
  fromSeq?: number;
  toSeq?: number;
  /** Send the end-of-session packet when the file's end is published (default true). */
  end?: boolean;
  dropSeqs?: readonly number[];
  duplicateSeqs?: readonly number[];
  /** Kafka records per produce request (default 500). */
  chunk?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface PublishReport {
  file: string;
  topic: string;
  session: string;
  packets: number;
  messages: number;
  controls: number;
  firstSeq: number;
  lastSeq: number;
  endOfSession: boolean;
  dropped: { packets: number; messages: number };
  duplicated: { packets: number; messages: number };
  bytes: number;
  warnings: string[];
  seconds: number;
  messagesPerSecond: number;
}

const PER_PACKET_MAX = 0xfffe;

/**
 * Keeps the frames whose position is in [from, to]; a control's position is the seq of the
 * message after it. `pos` is the position of the first frame; returns the position after the
 * last one and whether any frame lay beyond `to`.
 */
function selectFrames(frames: Buffer, pos: number, from: number, to: number): { frames: Buffer; pos: number; beyond: boolean } {
  const keep: Buffer[] = [];
  let runStart = -1;
  let beyond = false;
  const c = new FrameCursor(frames, pos);
  while (c.next()) {
    const inRange = c.seq >= from && c.seq <= to;
    if (c.seq > to) beyond = true;
    if (inRange && runStart < 0) runStart = c.offset;
    if (!inRange && runStart >= 0) {
      keep.push(frames.subarray(runStart, c.offset));
      runStart = -1;
    }
  }
  if (runStart >= 0) keep.push(frames.subarray(runStart));
  return { frames: keep.length === 1 ? keep[0] : Buffer.concat(keep), pos: c.nextSeq, beyond };
}

export async function publishFeed(opts: PublishOptions): Promise<PublishReport> {
  const t0 = Date.now();
  const from = opts.fromSeq ?? 1;
  const to = opts.toSeq ?? Number.MAX_SAFE_INTEGER;
  const drop = new Set(opts.dropSeqs ?? []);
  const dup = new Set(opts.duplicateSeqs ?? []);
  const perPacket = Math.min(PER_PACKET_MAX, opts.perPacket ?? PER_PACKET_MAX);
  const packer = new MoldPacker({ messagesPerPacket: perPacket, session: opts.session, firstSeq: from, controlsWithMessage: true, holdPartial: true });
  const session = packer.session.toString('latin1');
  const chunk = opts.chunk ?? 500;

  await waitForBroker(opts.brokers, { timeoutMs: 60_000 });
  const kafka = makeKafka(opts.brokers, 'riskgate-publish');
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const rep: PublishReport = {
    file: opts.file, topic: opts.topic, session, packets: 0, messages: 0, controls: 0, firstSeq: from, lastSeq: from - 1,
    endOfSession: false, dropped: { packets: 0, messages: 0 }, duplicated: { packets: 0, messages: 0 }, bytes: 0,
    warnings: [], seconds: 0, messagesPerSecond: 0,
  };
  try {
    await ensureSinglePartitionTopic(admin, opts.topic);
    await producer.connect();
    const sender = new PacketSender(producer, opts.topic, chunk, rep);
    const sendPacket = (pkt: Buffer) => sender.add(pkt);
    const hits = (set: Set<number>, first: number, last: number) => {
      for (const x of set) if (x >= first && x <= last) return true;
      return false;
    };
    const sendPackets = async (packets: Buffer[]) => {
      for (const pkt of packets) {
        const seq = Number(pkt.readBigUInt64BE(MOLD_SEQ_AT));
        const count = pkt.readUInt16BE(MOLD_COUNT_AT);
        const messages = count === MOLD_END_OF_SESSION ? 0 : count;
        const last = seq + messages - 1;
        if (messages > 0) rep.lastSeq = last;
        rep.messages += messages;
        rep.controls += countControls(pkt);
        if (messages > 0 && hits(drop, seq, last)) {
          rep.dropped.packets++;
          rep.dropped.messages += messages;
          continue;
        }
        await sendPacket(pkt);
        if (messages > 0 && hits(dup, seq, last)) {
          rep.duplicated.packets++;
          rep.duplicated.messages += messages;
          await sendPacket(pkt);
        }
      }
    };

    const problems = new ProblemLog();
    let pos = 1;
    let reachedEnd = true;
    for await (const batch of readBatches(opts.file, { batchFrames: 4096, problems, onProgress: opts.onProgress })) {
      const sel = selectFrames(batch.frames, pos, from, to);
      pos = sel.pos;
      if (sel.frames.length > 0) await sendPackets(packer.packPackets(sel.frames, batch.final).packets);
      if (sel.beyond) {
        reachedEnd = false;
        break;
      }
    }
    if (!reachedEnd || opts.end === false) await sendPackets(packer.flush());
    for (const [kind, c] of problems.counts) rep.warnings.push(`${kind}: ${c.first.message}`);
    if (reachedEnd && opts.end !== false) {
      await sendPackets(packer.endOfSession());
      rep.endOfSession = true;
    }
    await sender.flush();
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
  rep.seconds = (Date.now() - t0) / 1000;
  rep.messagesPerSecond = rep.seconds > 0 ? Math.round(rep.messages / rep.seconds) : 0;
  return rep;
}
