/**
 * Pacing of a replay by ITCH timestamps: as fast as possible, real time, or N times real
 * time. The first paced message fixes the mapping from ITCH time to wall time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameCursor } from '../itch/framing.ts';

export type Speed = 'max' | number;

export function parseSpeed(s: string | undefined): Speed {
  if (s === undefined || s === 'max') return 'max';
  if (s === 'realtime') return 1;
  const n = Number(s.replace(/^x/i, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--speed must be max, realtime or a positive number, got ${JSON.stringify(s)}`);
  return n;
}

/** Default of `--max-idle`: the longest wall-clock wait for the next message of a paced replay. */
export const DEFAULT_MAX_IDLE_MS = 1000;

export function parseMaxIdle(s: string | undefined): number {
  if (s === undefined) return DEFAULT_MAX_IDLE_MS;
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n)) throw new Error(`--max-idle must be a whole number of milliseconds (0 = wait out every gap), got ${JSON.stringify(s)}`);
  return n;
}

export class Pacer {
  private t0Itch = -1n;
  private t0Wall = 0n;
  /** Gaps longer than maxIdleMs that were cut short, and the wall-clock time that saved. */
  gapsCapped = 0;
  skippedNs = 0n;
  /** ITCH timestamp (ns) of the last message waited for. */
  lastTs = -1n;
  /**
   * @param maxIdleMs the longest wait for one message (a gap in the session's timestamps, e.g.
   *   the quiet half hour before the open, is shortened to this); 0 waits out every gap.
   */
  constructor(readonly speed: Speed, readonly maxIdleMs = DEFAULT_MAX_IDLE_MS) {}

  /** Waits until the message with ITCH timestamp `ts` (ns) is due, or until `signal` aborts. */
  async until(ts: bigint, signal?: AbortSignal): Promise<void> {
    if (this.speed === 'max') return;
    this.lastTs = ts;
    const now = process.hrtime.bigint();
    if (this.t0Itch < 0n) {
      this.t0Itch = ts;
      this.t0Wall = now;
      return;
    }
    const due = this.t0Wall + BigInt(Math.round(Number(ts - this.t0Itch) / this.speed));
    let wait = due - now;
    const cap = BigInt(this.maxIdleMs) * 1_000_000n;
    if (this.maxIdleMs > 0 && wait > cap) {
      // Shift the mapping from ITCH time to wall time: later messages keep their spacing.
      this.t0Wall -= wait - cap;
      this.skippedNs += wait - cap;
      this.gapsCapped++;
      wait = cap;
    }
    if (wait > 1_000_000n && !signal?.aborted) await sleep(Number(wait / 1_000_000n), undefined, { signal }).catch(() => {});
  }
}

/** ITCH timestamp of the first message of a batch that carries one (spec §3, `last_ts`), or -1. */
export function firstTimestamp(frames: Buffer): bigint {
  for (const c = new FrameCursor(frames); c.next(); ) {
    const ts = c.timestamp();
    if (ts >= 0) return BigInt(ts);
  }
  return -1n;
}
