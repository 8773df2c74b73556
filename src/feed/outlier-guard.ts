/**
 * The sequence-outlier guard of a MoldUDP64 receiver (docs/spec.md §14.5, §14.7): a packet
 * that claims to be ahead of the stream is not believed on its own word.
 *
 * A packet whose position (sequence number) Q is more than `holdAbove` past the next expected
 * seq E would reveal a gap E..Q−1. Instead of acting on it, the guard **holds** it and lets the
 * next *decisive* packet judge it:
 *
 * - decisive: a packet of the session that brings something at or past E — a message packet
 *   whose last seq is ≥ E, a heartbeat or end-of-session packet whose sequence number is ≥ E.
 *   Wholly duplicate packets (retransmissions) and packets the sequencer refuses (short, seq 0
 *   or ≥ 2^48, another session) say nothing about where the stream is, and pass through;
 * - it **confirms** the held packet when its position is ≥ Q (the stream really went on from
 *   Q): the held packet is handed over first, then the deciding packet is judged again;
 * - it **refutes** it when its position is below Q (the stream goes on below the claim): the
 *   held packet is refused as an outlier — counted, reported, never handed over — and the
 *   deciding packet is judged again.
 *
 * An end-of-session packet is judged at once when nothing is held (nothing comes after it).
 * The guard only looks at headers; what a handed packet does is the sequencer's business. It
 * is pure and depends on the order of packets only, so a rebuild from the same packets makes
 * the same decisions.
 */
import { MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_HEADER_BYTES, MOLD_SEQ_AT, MOLD_SESSION_BYTES } from '../itch/moldudp64.ts';

const SEQ_LIMIT = 2n ** 48n;
/** Outliers listed one by one in a report; the rest are only counted. */
export const OUTLIERS_LISTED = 100;

/** A packet the guard holds or refused, with where it came from (a feed offset, or a receive index). */
export interface Held {
  packet: Buffer;
  at: number;
  seq: number;
  count: number;
}

export interface Outlier {
  /** Where the refused packet came from (feed offset / receive index). */
  at: number;
  /** Its sequence number and message count (0xFFFF end of session, 0 heartbeat). */
  seq: number;
  count: number;
  /** The next expected seq when it came. */
  expected: number;
  /** Where the packet that refuted it came from, and its position. */
  refutedAt: number;
  refutedBy: number;
}

export type Verdict =
  /** Hand the packet to the sequencer now. */
  | { kind: 'hand' }
  /** The packet is held; nothing to hand yet. */
  | { kind: 'hold' }
  /** Hand the held packet first, then judge the same packet again. */
  | { kind: 'confirm'; held: Held }
  /** The held packet is refused as an outlier; judge the same packet again. */
  | { kind: 'refute'; outlier: Outlier };

interface Header {
  session: Buffer;
  seq: number;
  count: number;
}

/** The verdict of almost every packet, one object for all. */
const HAND: Verdict = Object.freeze({ kind: 'hand' });

/** Whether `pkt` starts with the session name `session` (compared in place, no view). */
function ofSession(pkt: Buffer, session: Buffer): boolean {
  for (let i = 0; i < MOLD_SESSION_BYTES; i++) if (pkt[i] !== session[i]) return false;
  return true;
}

function header(pkt: Buffer): Header | null {
  if (pkt.length < MOLD_HEADER_BYTES) return null;
  const seq = pkt.readBigUInt64BE(MOLD_SEQ_AT);
  if (seq === 0n || seq >= SEQ_LIMIT) return null;
  return { session: pkt.subarray(0, MOLD_SESSION_BYTES), seq: Number(seq), count: pkt.readUInt16BE(MOLD_COUNT_AT) };
}

export class OutlierGuard {
  private heldPkt: Held | null = null;
  private heldExpected = 0;
  private heldSession: Buffer | null = null;
  /** Refused outliers, the first OUTLIERS_LISTED of them. */
  readonly outliers: Outlier[] = [];
  outlierCount = 0;
  confirmed = 0;

  /** @param holdAbove a packet more than this many seqs past E is held (0: every packet that reveals a gap). */
  constructor(readonly holdAbove = 0) {}

  get held(): Held | null {
    return this.heldPkt;
  }

  /**
   * Judges one packet. `expected` is the next seq the receiver expects, `session` the session
   * it has settled on (null before the first packet), `ended` whether the session has ended.
   */
  judge(pkt: Buffer, at: number, expected: number, session: Buffer | null, ended = false): Verdict {
    if (ended) return HAND;
    // The common case, without a header object: nothing held, a packet of our session at or below E + holdAbove.
    if (!this.heldPkt && session && pkt.length >= MOLD_HEADER_BYTES && pkt[MOLD_SEQ_AT] === 0 && pkt[MOLD_SEQ_AT + 1] === 0) {
      const seq = pkt.readUIntBE(MOLD_SEQ_AT + 2, 6);
      if (seq !== 0 && seq <= expected + this.holdAbove && ofSession(pkt, session)) return HAND;
    }
    const h = header(pkt);
    if (!h) return { kind: 'hand' }; // refused by the sequencer
    const ours = session ?? this.heldSession;
    if (ours && !ours.equals(h.session)) return { kind: 'hand' }; // another session: refused, or judged by the sequencer

    const eos = h.count === MOLD_END_OF_SESSION;
    const held = this.heldPkt;
    if (!held) {
      if (eos || h.seq <= expected + this.holdAbove) return { kind: 'hand' };
      this.heldPkt = { packet: pkt, at, seq: h.seq, count: h.count };
      this.heldExpected = expected;
      this.heldSession = Buffer.from(h.session);
      return { kind: 'hold' };
    }
    const messages = eos ? 0 : h.count;
    const decisive = messages > 0 ? h.seq + messages > expected : h.seq >= expected;
    if (!decisive) return { kind: 'hand' };
    this.heldPkt = null;
    this.heldSession = null;
    if (h.seq >= held.seq) {
      this.confirmed++;
      return { kind: 'confirm', held };
    }
    const outlier: Outlier = { at: held.at, seq: held.seq, count: held.count, expected: this.heldExpected, refutedAt: at, refutedBy: h.seq };
    this.outlierCount++;
    if (this.outliers.length < OUTLIERS_LISTED) this.outliers.push(outlier);
    return { kind: 'refute', outlier };
  }
}
