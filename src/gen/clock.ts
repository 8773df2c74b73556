/**
 * ITCH timestamps (ns since midnight) for a generated session: strictly non-decreasing,
 * bursty like a real feed (clusters of messages microseconds apart, separated by quiet
 * gaps), and paced so that each phase's message budget spans the phase's wall-clock time
 * however many messages it has ("compressed as needed").
 */
import type { Prng } from './prng.ts';

export const NS_PER_SEC = 1_000_000_000;
export const hms = (h: number, m: number, s = 0): number => ((h * 60 + m) * 60 + s) * NS_PER_SEC;

export class Clock {
  ts = 0;
  private end = 0;
  private left = 0;
  private clusterLeft = 0;

  constructor(private readonly rng: Prng) {}

  /** Sets the time to `start` (never backwards) and spreads `messages` over [start, end). */
  phase(start: number, end: number, messages: number): void {
    this.ts = Math.max(this.ts, start);
    this.end = Math.max(end, this.ts + 1);
    this.left = Math.max(1, messages);
    this.clusterLeft = 0;
  }

  /** Jumps to `t` if that is later (for scheduled system events). */
  at(t: number): number {
    if (t > this.ts) this.ts = t;
    return this.ts;
  }

  /** Timestamp of the next flow message. */
  next(): number {
    const remainingTime = this.end - this.ts;
    const r = this.left > 1 ? this.left : 1;
    if (this.left > 0) this.left--;
    const mean = remainingTime / r;
    let gap: number;
    if (this.clusterLeft > 0) {
      this.clusterLeft--;
      // inside a burst: 0..~60 µs apart, never more than the pace allows
      gap = this.rng.float() * Math.min(60_000, mean);
    } else {
      // start a burst of ~1..40 messages after a quiet gap that keeps the pace
      const size = 1 + this.rng.geometric(0.08, 60);
      this.clusterLeft = size - 1;
      gap = mean * (size < r ? size : r) * 2 * this.rng.float();
    }
    const room = remainingTime - r; // leave ≥ 1 ns per remaining message
    if (gap > room) gap = room > 0 ? room * this.rng.float() : 0;
    this.ts += Math.floor(gap);
    return this.ts;
  }

  /** Advances by a fixed gap (for paced episodes such as a quote flicker). */
  step(gapNs: number): number {
    if (this.left > 0) this.left--;
    const room = this.end - this.ts - Math.max(1, this.left);
    this.ts += Math.max(0, Math.min(Math.floor(gapNs), room));
    return this.ts;
  }
}
