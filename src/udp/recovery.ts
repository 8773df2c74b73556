/**
 * The listener's reassembly and gap recovery (docs/spec.md §14.7), pure and clock-driven: UDP
 * packets in (from the feed and from the request server, in any order, lost, repeated), and
 * out come the session's packets in sequence order with nothing missing, nothing twice — or,
 * where the request server cannot fill a gap, the packets after it, so that the consumer
 * (§14.5) sees the gap and fails closed.
 *
 * - `expected` (E) is the next seq to hand on. A data packet ending at or below E is a
 *   duplicate; one that overlaps E is cut to start at E; one that starts past E is held until
 *   E reaches it.
 * - A gap is open while something past E is known and E cannot move: a held packet, a
 *   heartbeat or an end-of-session packet whose sequence number is past E. After
 *   `reorderWaitMs` without the missing packet (reordering), the gap is requested from E
 *   (`count` = up to the nearest known position, at most 0xFFFE), again after every
 *   `requestTimeoutMs` without an answer, and at once when an answer has been used up.
 * - Unrecoverable: no progress for `recoveryTimeoutMs` (the server does not answer, or has
 *   nothing), more than `maxHeld` packets held, or a gap larger than `maxGap` (never
 *   requested). E then jumps to the nearest known position and what was held goes on.
 * - A feed packet claiming a position more than `maxGap` past the front of the stream (the
 *   furthest position accepted so far, ≥ E) goes through the outlier
 *   guard (src/feed/outlier-guard.ts): held until the next feed packet confirms it (the feed
 *   really went on from there: the gap is unrecoverable at once) or refutes it (refused,
 *   counted), so one forged packet can neither start a huge recovery nor make the real
 *   packets after it look like duplicates.
 * - A heartbeat at E with nothing held is handed on (the consumer's liveness); the
 *   end-of-session packet is handed on once E reaches its sequence number, and ends it.
 */
import { OutlierGuard, type Outlier } from '../feed/outlier-guard.ts';
import { packetHeader, slicePacket, type PacketHeader } from './packets.ts';
import { MOLD_REQUEST_MAX_COUNT } from './request.ts';

export type PacketSource = 'feed' | 'answer';

export interface RecoveryOptions {
  /** The next seq to hand on (1, or one past what a restarted listener already published). */
  startSeq?: number;
  /** The session; null: the first packet's. */
  session?: Buffer | null;
  /** Largest gap that is requested; a larger one is unrecoverable at once (default 1,000,000). */
  maxGap?: number;
  /** How long a gap may be reordering before it is requested (default 5 ms). */
  reorderWaitMs?: number;
  /** A request not answered within this is sent again (default 100 ms). */
  requestTimeoutMs?: number;
  /** No progress on a gap for this long makes it unrecoverable (default 1000 ms). */
  recoveryTimeoutMs?: number;
  /** Most messages asked for in one request (default 0xFFFE). */
  maxRequestCount?: number;
  /** Most packets held past a gap (default 50,000). */
  maxHeld?: number;
}

export type GapOutcome = 'reordered' | 'recovered' | 'unrecoverable';

export interface GapEpisode {
  /** First missing seq when the gap opened. */
  from: number;
  /** Last seq the gap reached (one below the nearest known position, at its widest). */
  to: number;
  openedAt: number;
  closedAt: number;
  requests: number;
  /** Messages that came back from the request server during it. */
  recovered: number;
  outcome: GapOutcome;
  /** Unrecoverable: why, and the seqs given up. */
  reason?: 'timeout' | 'above-bound' | 'held-limit';
  lost?: number;
}

export interface RecoveryStats {
  packets: number;
  answers: number;
  badPackets: number;
  wrongSession: number;
  heartbeats: number;
  /** Data packets (and their messages) that brought nothing new. */
  duplicatePackets: number;
  duplicateMessages: number;
  /** Data packets held past a gap at some point. */
  heldPackets: number;
  /** Messages handed on, by where they came from. */
  fromFeed: number;
  recovered: number;
  /** Messages handed on that had waited past a gap and were not answers (reordered or held behind a loss). */
  afterWait: number;
  requests: number;
  gaps: number;
  reorderedGaps: number;
  recoveredGaps: number;
  unrecoverableGaps: number;
  /** Seqs given up in unrecoverable gaps. */
  lost: number;
  outliers: number;
  /** Answers past E + maxGap, or for a session that ended (ignored). */
  ignoredAnswers: number;
  /** Packets after the end of session, and held packets past it when it ended. */
  afterEnd: number;
  maxHeldSeen: number;
}

export type RecoveryEvent =
  | { event: 'gap'; from: number; to: number }
  | { event: 'request'; seq: number; count: number }
  | { event: 'gap-closed'; episode: GapEpisode }
  | { event: 'outlier'; outlier: Outlier }
  | { event: 'end'; seq: number };

/** Episodes listed one by one; the rest only counted. */
const EPISODES_LISTED = 1000;

interface HeldPacket {
  pkt: Buffer;
  h: PacketHeader;
  source: PacketSource;
}

/** Held packets by first seq, ascending (arrivals are mostly in order: inserts are mostly at the end). */
class HeldQueue {
  private readonly keys: number[] = [];
  private readonly byKey = new Map<number, HeldPacket>();

  get size(): number {
    return this.keys.length;
  }

  get first(): HeldPacket | undefined {
    return this.keys.length ? this.byKey.get(this.keys[0]) : undefined;
  }

  put(p: HeldPacket): void {
    const old = this.byKey.get(p.h.seq);
    if (old) {
      if (p.h.end > old.h.end) this.byKey.set(p.h.seq, p);
      return;
    }
    this.byKey.set(p.h.seq, p);
    const k = this.keys;
    let i = k.length;
    if (i === 0 || k[i - 1] < p.h.seq) {
      k.push(p.h.seq);
      return;
    }
    let lo = 0;
    while (lo < i) {
      const mid = (lo + i) >> 1;
      if (k[mid] < p.h.seq) lo = mid + 1;
      else i = mid;
    }
    k.splice(lo, 0, p.h.seq);
  }

  shift(): HeldPacket | undefined {
    const key = this.keys.shift();
    if (key === undefined) return undefined;
    const p = this.byKey.get(key);
    this.byKey.delete(key);
    return p;
  }

  clear(): number {
    const n = this.keys.length;
    this.keys.length = 0;
    this.byKey.clear();
    return n;
  }
}

export class MoldRecovery {
  expected: number;
  session: Buffer | null;
  ended = false;
  /** Packets to hand on, in order (the caller drains it). */
  out: Buffer[] = [];
  /** Requests to send (the caller drains it). */
  requests: { seq: number; count: number }[] = [];
  readonly episodes: GapEpisode[] = [];
  readonly stats: RecoveryStats = {
    packets: 0, answers: 0, badPackets: 0, wrongSession: 0, heartbeats: 0, duplicatePackets: 0, duplicateMessages: 0,
    heldPackets: 0, fromFeed: 0, recovered: 0, afterWait: 0, requests: 0, gaps: 0, reorderedGaps: 0, recoveredGaps: 0,
    unrecoverableGaps: 0, lost: 0, outliers: 0, ignoredAnswers: 0, afterEnd: 0, maxHeldSeen: 0,
  };
  readonly guard: OutlierGuard;

  private readonly o: Required<Omit<RecoveryOptions, 'session' | 'startSeq'>>;
  private readonly held = new HeldQueue();
  /** A heartbeat's sequence number past E: the sender is there. */
  private hint = 0;
  private endPkt: Buffer | null = null;
  private endSeq = 0;
  private episode: GapEpisode | null = null;
  private lastProgress = 0;
  private pending: { seq: number; end: number; at: number } | null = null;
  private received = 0;
  /** The furthest position the accepted packets have reached (≥ E): what the outlier guard measures from. */
  private frontier = 0;

  constructor(opts: RecoveryOptions = {}, private readonly emit: (e: RecoveryEvent) => void = () => {}) {
    this.expected = opts.startSeq ?? 1;
    this.session = opts.session ? Buffer.from(opts.session) : null;
    this.o = {
      maxGap: opts.maxGap ?? 1_000_000,
      reorderWaitMs: opts.reorderWaitMs ?? 5,
      requestTimeoutMs: opts.requestTimeoutMs ?? 100,
      recoveryTimeoutMs: opts.recoveryTimeoutMs ?? 1000,
      maxRequestCount: Math.min(MOLD_REQUEST_MAX_COUNT, Math.max(1, opts.maxRequestCount ?? MOLD_REQUEST_MAX_COUNT)),
      maxHeld: Math.max(1, opts.maxHeld ?? 50_000),
    };
    this.guard = new OutlierGuard(this.o.maxGap);
  }

  /** Packets held past the gap now. */
  get heldCount(): number {
    return this.held.size;
  }

  /** The gap now open, if any: E and the nearest known position past it. */
  get gap(): { from: number; to: number } | null {
    const t = this.target();
    return t === null ? null : { from: this.expected, to: t - 1 };
  }

  /** One UDP payload from the feed or from the request server, received at `now` (ms). */
  receive(pkt: Buffer, now: number, source: PacketSource): void {
    if (source === 'feed') this.stats.packets++;
    else this.stats.answers++;
    if (this.ended) {
      this.stats.afterEnd++;
      return;
    }
    const h = packetHeader(pkt);
    if (!h) {
      this.stats.badPackets++;
      return;
    }
    if (this.session && !this.session.equals(h.session)) {
      this.stats.wrongSession++;
      return;
    }
    if (source === 'answer') {
      if (h.kind === 'data' && h.seq > this.expected + this.o.maxGap) this.stats.ignoredAnswers++;
      else this.accept(pkt, h, now, source);
    } else {
      const at = this.received++;
      for (;;) {
        const v = this.guard.judge(pkt, at, Math.max(this.expected, this.frontier), this.session, this.ended);
        if (v.kind === 'hold') break;
        if (v.kind === 'refute') {
          this.stats.outliers++;
          this.emit({ event: 'outlier', outlier: v.outlier });
          continue;
        }
        if (v.kind === 'confirm') {
          this.accept(v.held.packet, packetHeader(v.held.packet)!, now, 'feed');
          if (this.ended) break;
          continue;
        }
        this.accept(pkt, h, now, source);
        break;
      }
    }
    this.tick(now);
  }

  /** Timers: requests, retries and giving up. Call it every few ms and after every packet. */
  tick(now: number): void {
    for (let rounds = 0; !this.ended && rounds < 1000; rounds++) {
      const t = this.target();
      if (t === null) {
        if (this.episode) this.closeEpisode(now, this.episode.requests > 0 ? 'recovered' : 'reordered');
        return;
      }
      if (!this.episode) this.openEpisode(now, t);
      const ep = this.episode!;
      ep.to = Math.max(ep.to, t - 1);
      const missing = t - this.expected;
      if (missing > this.o.maxGap) {
        this.giveUp(now, t, 'above-bound');
        continue;
      }
      if (this.held.size > this.o.maxHeld) {
        this.giveUp(now, t, 'held-limit');
        continue;
      }
      if (now - Math.max(ep.openedAt, this.lastProgress) >= this.o.recoveryTimeoutMs) {
        this.giveUp(now, t, 'timeout');
        continue;
      }
      const p = this.pending;
      const due = p === null ? now - ep.openedAt >= this.o.reorderWaitMs : now - p.at >= this.o.requestTimeoutMs || this.expected >= p.end;
      if (due) {
        const count = Math.min(missing, this.o.maxRequestCount);
        this.pending = { seq: this.expected, end: this.expected + count, at: now };
        this.requests.push({ seq: this.expected, count });
        this.stats.requests++;
        ep.requests++;
        this.emit({ event: 'request', seq: this.expected, count });
      }
      return;
    }
  }

  private accept(pkt: Buffer, h: PacketHeader, now: number, source: PacketSource): void {
    this.session ??= Buffer.from(h.session);
    if (h.kind !== 'end' && h.end > this.frontier) this.frontier = h.end;
    switch (h.kind) {
      case 'end':
        if (!this.endPkt || h.seq < this.endSeq) {
          this.endPkt = pkt;
          this.endSeq = h.seq;
        }
        break;
      case 'heartbeat':
        this.stats.heartbeats++;
        if (h.seq > this.expected) this.hint = Math.max(this.hint, h.seq);
        else if (h.seq === this.expected && this.held.size === 0 && this.target() === null) this.out.push(pkt);
        break;
      case 'data':
        if (h.end <= this.expected) {
          this.stats.duplicatePackets++;
          this.stats.duplicateMessages += h.messages;
          return;
        }
        if (h.seq > this.expected) {
          this.held.put({ pkt, h, source });
          this.stats.heldPackets++;
          if (this.held.size > this.stats.maxHeldSeen) this.stats.maxHeldSeen = this.held.size;
          return;
        }
        this.handOn(pkt, h, source, now, false);
        break;
    }
    this.drain(now);
  }

  /** Hands on the part of a data packet from E on. */
  private handOn(pkt: Buffer, h: PacketHeader, source: PacketSource, now: number, waited: boolean): void {
    const part = h.seq < this.expected ? slicePacket(pkt, this.expected) : pkt;
    const fresh = h.end - this.expected;
    if (part) this.out.push(part);
    if (source === 'answer') {
      this.stats.recovered += fresh;
      if (this.episode) this.episode.recovered += fresh;
    } else {
      this.stats.fromFeed += fresh;
      if (waited) this.stats.afterWait += fresh;
    }
    this.expected = h.end;
    this.lastProgress = now;
  }

  /** Hands on what E has reached, then the end of session when E is there. */
  private drain(now: number): void {
    for (let f = this.held.first; f && f.h.seq <= this.expected; f = this.held.first) {
      this.held.shift();
      if (f.h.end <= this.expected) {
        this.stats.duplicatePackets++;
        this.stats.duplicateMessages += f.h.messages;
      } else {
        this.handOn(f.pkt, f.h, f.source, now, true);
      }
    }
    if (this.hint <= this.expected) this.hint = 0;
    if (this.endPkt && this.expected >= this.endSeq) {
      this.out.push(this.endPkt);
      this.ended = true;
      this.stats.afterEnd += this.held.clear();
      if (this.episode) this.closeEpisode(now, this.episode.requests > 0 ? 'recovered' : 'reordered');
      this.emit({ event: 'end', seq: this.expected });
    }
  }

  /** The nearest known position past E (held packet, heartbeat, end of session), or null. */
  private target(): number | null {
    let t = Infinity;
    const f = this.held.first;
    if (f && f.h.seq > this.expected) t = f.h.seq;
    if (this.hint > this.expected && this.hint < t) t = this.hint;
    if (this.endPkt && this.endSeq > this.expected && this.endSeq < t) t = this.endSeq;
    return t === Infinity ? null : t;
  }

  private openEpisode(now: number, target: number): void {
    this.episode = { from: this.expected, to: target - 1, openedAt: now, closedAt: now, requests: 0, recovered: 0, outcome: 'reordered' };
    this.pending = null;
    this.stats.gaps++;
    this.emit({ event: 'gap', from: this.expected, to: target - 1 });
  }

  private closeEpisode(now: number, outcome: GapOutcome): void {
    const ep = this.episode!;
    ep.closedAt = now;
    ep.outcome = outcome;
    if (outcome === 'reordered') this.stats.reorderedGaps++;
    else if (outcome === 'recovered') this.stats.recoveredGaps++;
    else this.stats.unrecoverableGaps++;
    if (this.episodes.length < EPISODES_LISTED) this.episodes.push(ep);
    this.episode = null;
    this.pending = null;
    this.emit({ event: 'gap-closed', episode: ep });
  }

  /** E jumps to `target`: the seqs between are lost; the consumer will see the gap. */
  private giveUp(now: number, target: number, reason: NonNullable<GapEpisode['reason']>): void {
    const ep = this.episode!;
    ep.reason = reason;
    ep.lost = target - this.expected;
    this.stats.lost += ep.lost;
    this.expected = target;
    this.lastProgress = now;
    this.closeEpisode(now, 'unrecoverable');
    this.drain(now);
  }
}
