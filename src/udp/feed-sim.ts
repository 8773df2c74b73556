/**
 * `riskgate feed-sim`: an exchange's MoldUDP64 feed over UDP (docs/spec.md §14.7). A recorded
 * session is packed exactly as `riskgate publish` packs it (MoldPacker, control blocks in the
 * packet of the message they precede, §14.4) and sent to a unicast address or a multicast
 * group, paced at `rate` messages per second, through a seeded faulty channel: loss,
 * reordering (a packet goes out 1–3 packets late) and duplication. Heartbeats go out when no
 * packet went for `heartbeatMs`; the end-of-session packet is sent `endRepeats` times.
 *
 * Beside it, a request server (UDP) answers MoldUDP64 retransmission requests (src/udp/request.ts)
 * from the retransmit store of every data packet sent (lost ones included), by unicast to the
 * requester. Answers are never dropped unless `answerLoss` says so. After the end of session
 * the server stays up until no request came for `lingerMs` (without a server: for `lingerMs`),
 * and the end-of-session packet is sent again every `heartbeatMs` meanwhile.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { countControls, MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_HEADER_BYTES, MOLD_SEQ_AT, MoldPacker, moldPacket } from '../itch/moldudp64.ts';
import { Prng } from '../gen/prng.ts';
import { readBatches } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';
import { decodeRequest } from './request.ts';
import { RetransmitStore } from './retransmit-store.ts';

export interface HostPort {
  host: string;
  port: number;
}

/** True for an IPv4 multicast address (224.0.0.0/4). */
export function isMulticast(host: string): boolean {
  const m = /^(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(host);
  return m !== null && Number(m[1]) >= 224 && Number(m[1]) <= 239;
}

export interface FeedSimOptions {
  file: string;
  to: HostPort;
  /** Port of the request server (0: any free one); null: no request server. */
  requestPort: number | null;
  /** Address the request server binds to (default 127.0.0.1). */
  requestHost?: string;
  session?: string;
  /** Message blocks per packet (controls included), as publish's --per-packet (default 8). */
  perPacket?: number;
  /** Messages per second; 'max': as fast as the socket takes them. */
  rate: number | 'max';
  loss?: number;
  reorder?: number;
  duplicate?: number;
  answerLoss?: number;
  /** Most packets in one answer (default 1,024). */
  maxAnswerPackets?: number;
  seed?: number;
  heartbeatMs?: number;
  endRepeats?: number;
  lingerMs?: number;
  /** Multicast interface address (default: the system's choice). */
  multicastInterface?: string;
  onEvent?: (event: string, data: Record<string, unknown>) => void;
}

export interface FeedSimReport {
  file: string;
  to: string;
  request: string | null;
  session: string;
  packets: number;
  messages: number;
  controls: number;
  firstSeq: number;
  lastSeq: number;
  channel: {
    lost: { packets: number; messages: number };
    reordered: number;
    duplicated: number;
    heartbeats: number;
    endPackets: number;
    endLost: number;
  };
  requests: { received: number; bad: number; answered: number; unanswered: number; answerPackets: number; answerMessages: number; answersDropped: number };
  warnings: string[];
  seconds: number;
  messagesPerSecond: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const immediate = () => new Promise<void>((r) => setImmediate(r));

function messagesOf(pkt: Buffer): number {
  const c = pkt.readUInt16BE(MOLD_COUNT_AT);
  return c === MOLD_END_OF_SESSION ? 0 : c;
}

export async function feedSim(opts: FeedSimOptions): Promise<FeedSimReport> {
  const t0 = Date.now();
  const emit = opts.onEvent ?? (() => {});
  const rng = new Prng(opts.seed ?? 1);
  const loss = opts.loss ?? 0;
  const reorder = opts.reorder ?? 0;
  const duplicate = opts.duplicate ?? 0;
  const answerLoss = opts.answerLoss ?? 0;
  const heartbeatMs = opts.heartbeatMs ?? 1000;
  const packer = new MoldPacker({ messagesPerPacket: opts.perPacket ?? 8, session: opts.session, controlsWithMessage: true, holdPartial: true });
  const session = packer.session;
  // a request is answered whole up to this many packets (a listener asks for a few thousand messages at a time)
  const store = new RetransmitStore({ maxPackets: opts.maxAnswerPackets ?? 1024 });
  const rep: FeedSimReport = {
    file: opts.file, to: `${opts.to.host}:${opts.to.port}`, request: null, session: session.toString('latin1'), packets: 0, messages: 0,
    controls: 0, firstSeq: 1, lastSeq: 0,
    channel: { lost: { packets: 0, messages: 0 }, reordered: 0, duplicated: 0, heartbeats: 0, endPackets: 0, endLost: 0 },
    requests: { received: 0, bad: 0, answered: 0, unanswered: 0, answerPackets: 0, answerMessages: 0, answersDropped: 0 },
    warnings: [], seconds: 0, messagesPerSecond: 0,
  };

  const feed = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  feed.bind(0);
  await once(feed, 'listening');
  if (isMulticast(opts.to.host)) {
    feed.setMulticastTTL(1);
    feed.setMulticastLoopback(true);
    if (opts.multicastInterface) feed.setMulticastInterface(opts.multicastInterface);
  }
  try {
    feed.setSendBufferSize(8 << 20);
  } catch {
    /* the system's limit */
  }

  let server: dgram.Socket | null = null;
  let lastRequestAt = Date.now();
  if (opts.requestPort !== null) {
    server = dgram.createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      rep.requests.received++;
      lastRequestAt = Date.now();
      const req = decodeRequest(msg);
      if (!req || !req.session.equals(session)) {
        rep.requests.bad++;
        return;
      }
      const answer = store.answer(req.seq, req.count);
      if (answer.length === 0) rep.requests.unanswered++;
      else rep.requests.answered++;
      for (const a of answer) {
        if (answerLoss > 0 && rng.chance(answerLoss)) {
          rep.requests.answersDropped++;
          continue;
        }
        rep.requests.answerPackets++;
        rep.requests.answerMessages += messagesOf(a);
        server!.send(a, rinfo.port, rinfo.address);
      }
    });
    server.bind(opts.requestPort, opts.requestHost ?? '127.0.0.1');
    await once(server, 'listening');
    const a = server.address();
    rep.request = `${a.address}:${a.port}`;
  }
  emit('ready', { to: rep.to, request: rep.request, session: rep.session });

  let lastSendAt = Date.now();
  /** Position after the last data packet given to the channel (lost ones too): a heartbeat's seq. */
  let nextSeq = 1;
  let sending = 0;
  const send = (pkt: Buffer) => {
    sending++;
    lastSendAt = Date.now();
    feed.send(pkt, opts.to.port, opts.to.host, () => {
      sending--;
    });
  };
  /** Reordered packets: sent after `after` more packets went out. */
  let late: { pkt: Buffer; after: number }[] = [];
  let sentCount = 0;
  const release = (all: boolean) => {
    if (late.length === 0) return;
    const keep: typeof late = [];
    for (const l of late) {
      if (all || sentCount >= l.after) send(l.pkt);
      else keep.push(l);
    }
    late = keep;
  };
  let ended = false;
  const heartbeat = setInterval(() => {
    if (ended || Date.now() - lastSendAt < heartbeatMs) return;
    rep.channel.heartbeats++;
    send(moldPacket(session, BigInt(nextSeq), 0, []));
  }, Math.max(10, Math.floor(heartbeatMs / 4)));

  let paceAt = Date.now();
  let paced = 0;
  const channel = async (pkt: Buffer) => {
    const messages = messagesOf(pkt);
    rep.packets++;
    rep.messages += messages;
    rep.controls += countControls(pkt);
    if (messages > 0) {
      store.add(pkt);
      rep.lastSeq = Number(pkt.readBigUInt64BE(MOLD_SEQ_AT)) + messages - 1;
      nextSeq = rep.lastSeq + 1;
    }
    if (rng.chance(loss)) {
      rep.channel.lost.packets++;
      rep.channel.lost.messages += messages;
    } else if (rng.chance(reorder)) {
      rep.channel.reordered++;
      late.push({ pkt, after: sentCount + 1 + rng.int(3) });
    } else {
      send(pkt);
      sentCount++;
      if (rng.chance(duplicate)) {
        rep.channel.duplicated++;
        late.push({ pkt, after: sentCount + rng.int(3) });
      }
      release(false);
    }
    // pacing: messages due by now at `rate`; the event loop turns at least every 64 packets
    paced += Math.max(messages, 1);
    if (opts.rate === 'max') {
      if (rep.packets % 64 === 0 || sending > 4096) await immediate();
    } else {
      const due = paceAt + (paced / opts.rate) * 1000;
      const ahead = due - Date.now();
      if (ahead > 2) await sleep(ahead);
      else if (rep.packets % 64 === 0 || sending > 4096) await immediate();
      if (paced >= opts.rate) {
        // a new pacing window every second: a slow moment is not made up by a burst
        paceAt = Math.max(due, Date.now() - 50);
        paced = 0;
      }
    }
  };

  try {
    const problems = new ProblemLog();
    for await (const batch of readBatches(opts.file, { batchFrames: 4096, problems })) {
      for (const pkt of packer.packPackets(batch.frames, batch.final).packets) await channel(pkt);
    }
    for (const pkt of packer.flush()) await channel(pkt);
    for (const [kind, c] of problems.counts) rep.warnings.push(`${kind}: ${c.first.message}`);
    release(true);
    const endPackets = packer.endOfSession();
    for (const pkt of endPackets.slice(0, -1)) await channel(pkt); // an open packet still held
    const end = endPackets[endPackets.length - 1];
    rep.controls += countControls(end);
    ended = true;
    const repeats = Math.max(1, opts.endRepeats ?? 3);
    for (let i = 0; i < repeats; i++) {
      if (i > 0) await sleep(50);
      rep.channel.endPackets++;
      if (rng.chance(loss)) rep.channel.endLost++;
      else send(end);
    }
    emit('end', { seq: nextSeq, packets: rep.packets, messages: rep.messages });
    rep.seconds = (Date.now() - t0) / 1000;
    rep.messagesPerSecond = rep.seconds > 0 ? Math.round(rep.messages / rep.seconds) : 0;
    // Linger: the request server stays up until no request came for lingerMs (without one: lingerMs),
    // and the end-of-session packet goes out again every heartbeatMs, so that a receiver that lost
    // the session's last packets and every end-of-session packet still learns where the session ends.
    const linger = opts.lingerMs ?? 2000;
    const lingerStart = Date.now();
    lastRequestAt = Math.max(lastRequestAt, lingerStart);
    let lastEndAt = lingerStart;
    for (;;) {
      const now = Date.now();
      if (now - (server ? lastRequestAt : lingerStart) >= linger) break;
      if (now - lastEndAt >= heartbeatMs) {
        lastEndAt = now;
        rep.channel.endPackets++;
        if (rng.chance(loss)) rep.channel.endLost++;
        else send(end);
      }
      await sleep(Math.min(50, linger));
    }
    while (sending > 0) await sleep(5);
  } finally {
    clearInterval(heartbeat);
    feed.close();
    server?.close();
  }
  return rep;
}
