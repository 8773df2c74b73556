/**
 * Latency and throughput report of the hardware path (the issue's `hwreport`): runs a
 * session through the simulated card twice and summarises the card's own latency stamps.
 *
 *  - throughput pass: frames packed `messagesPerPacket` to a MoldUDP64 packet, beats
 *    offered as fast as the card accepts them → cycles per message;
 *  - latency pass: beats offered on 5 of every 8 cycles (10 GbE line rate at 250 MHz for a
 *    64-bit bus) → tick-to-trade in cycles, from the beat holding the last byte of the
 *    triggering message to the first beat of its record (and from the first offered beat of
 *    that message), cycles with tready low.
 *
 * `cycles` are the DECISION records' tick-to-trade; `records` the same for the first record
 * of every message that produced one; `orderCycles` (a merged stream, spec §18.7) the ORDER
 * records', from the beat holding the order or venue frame's last byte (a frame right behind
 * market data waits for its position: see test/hw/timing.test.ts). Wall-clock figures measure
 * the simulator, not the card.
 */
import { RecordKind } from '../contract.ts';
import { splitFrames } from '../itch/framing.ts';
import { percentiles as nearestRank } from '../report/percentiles.ts';
import { FpgaEngine, type LatencyStamp } from './engine.ts';

export interface Percentiles {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

export interface HwReport {
  messages: number;
  records: number;
  decisions: number;
  messagesPerPacket: number;
  /** Tick-to-trade of DECISION records at the 5/8 offer rate, from the last byte's beat. */
  cycles: Percentiles;
  /** The same from the first offered beat of the triggering message. */
  cyclesFromFirstBeat: Percentiles;
  /** First record of every message that produced records, from the last byte's beat. */
  recordCycles: Percentiles;
  /** ORDER records (client orders and venue cancels) from the frame's last byte's beat; n 0 without order flow. */
  orderCycles: Percentiles;
  /** Cycles per message fed as fast as accepted. */
  cyclesPerMessage: number;
  /** Cycles per message at the 5/8 offer rate. */
  cyclesPerMessageAtLineRate: number;
  /** Share of cycles with tready low during the 5/8 pass, and cycles a beat waited. */
  treadyLowShare: number;
  stallCycles: number;
  simulatedCycles: number;
  simulatedCyclesPerSecond: number;
  simulatedMessagesPerSecond: number;
}

export interface HwReportOptions {
  messagesPerPacket?: number;
  /** Offer rate of the latency pass (default 5/8). */
  offer?: { num: number; den: number };
  /**
   * Told after each batch of frames of each pass (`done` of `total` input bytes). With it the
   * passes feed the card in batches of PROGRESS_BATCH frames instead of one call (the card
   * drains between calls: a few cycles per batch); without it, one call per pass.
   */
  onProgress?: (pass: 'throughput' | 'latency', done: number, total: number) => void;
}

const PROGRESS_BATCH = 65_536;

/** Feeds `frames` to `eng`, in batches when progress is asked for; the records' byte count. */
function feed(eng: FpgaEngine, frames: Buffer, pass: 'throughput' | 'latency', onProgress: HwReportOptions['onProgress']): number {
  if (!onProgress) return eng.process(frames, true).length;
  const parts = splitFrames(frames, PROGRESS_BATCH);
  let done = 0;
  let bytes = 0;
  parts.forEach((part, i) => {
    bytes += eng.process(part, i === parts.length - 1).length;
    done += part.length;
    // The last batch ends the input (an end marker or trailing bytes after it count as done).
    onProgress(pass, i === parts.length - 1 ? frames.length : done, frames.length);
  });
  if (parts.length === 0) bytes += eng.process(frames, true).length;
  return bytes;
}

/** Nearest-rank percentiles in the shape the reports print (shared rank rule: src/report/percentiles.ts). */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { n: 0, min: 0, p50: 0, p99: 0, max: 0 };
  const p = nearestRank(values, [50, 99]);
  return { n: values.length, min: p.min, p50: p.p50, p99: p.p99, max: p.max };
}

/** Tick-to-trade samples from the card's latency stamps (cycles). */
export interface StampLatencies {
  /** DECISION records, from the beat holding the message's last byte. */
  decision: number[];
  /** DECISION records, from the message's first offered beat. */
  decisionFromFirstBeat: number[];
  /** First record of every message that produced one, from its last byte's beat. */
  firstRecord: number[];
  /** ORDER records, from the beat holding the order or venue frame's last byte. */
  order: number[];
}

export function stampLatencies(stamps: readonly LatencyStamp[]): StampLatencies {
  const out: StampLatencies = { decision: [], decisionFromFirstBeat: [], firstRecord: [], order: [] };
  let lastSeq = -1;
  for (const s of stamps) {
    const lat = Number(s.tOut - s.tLast);
    if (s.seq !== lastSeq) out.firstRecord.push(lat);
    lastSeq = s.seq;
    if (s.kind === RecordKind.ORDER) out.order.push(lat);
    if (s.kind === RecordKind.DECISION) {
      out.decision.push(lat);
      out.decisionFromFirstBeat.push(Number(s.tOut - s.tOffer));
    }
  }
  return out;
}

export function hwReport(configBlob: Buffer, frames: Buffer, opts: HwReportOptions = {}): HwReport {
  const mpp = opts.messagesPerPacket ?? 8;
  const offer = opts.offer ?? { num: 5, den: 8 };

  // throughput pass
  const fast = new FpgaEngine(configBlob, { messagesPerPacket: mpp, stamps: false });
  let fastCycles: number;
  let messages: number;
  let wallMs: number;
  try {
    fast.clearCounters();
    const t0 = performance.now();
    feed(fast, frames, 'throughput', opts.onProgress);
    wallMs = performance.now() - t0;
    fastCycles = fast.counters().cycles;
    messages = fast.stats().messages;
  } finally {
    fast.close();
  }

  // latency pass
  const eng = new FpgaEngine(configBlob, { messagesPerPacket: mpp, offer });
  try {
    eng.clearCounters();
    const recordBytes = feed(eng, frames, 'latency', opts.onProgress);
    const c = eng.counters();
    const lat = stampLatencies(eng.takeStamps());
    const st = eng.stats();
    return {
      messages,
      records: recordBytes / 32,
      decisions: st.decisions,
      messagesPerPacket: mpp,
      cycles: percentiles(lat.decision),
      cyclesFromFirstBeat: percentiles(lat.decisionFromFirstBeat),
      recordCycles: percentiles(lat.firstRecord),
      orderCycles: percentiles(lat.order),
      cyclesPerMessage: messages ? fastCycles / messages : 0,
      cyclesPerMessageAtLineRate: messages ? c.cycles / messages : 0,
      treadyLowShare: c.cycles ? c.treadyLowCycles / c.cycles : 0,
      stallCycles: c.stallCycles,
      simulatedCycles: fastCycles,
      simulatedCyclesPerSecond: wallMs > 0 ? (fastCycles * 1000) / wallMs : 0,
      simulatedMessagesPerSecond: wallMs > 0 ? (messages * 1000) / wallMs : 0,
    };
  } finally {
    eng.close();
  }
}
