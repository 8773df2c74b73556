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

export class Pacer {
  private t0Itch = -1n;
  private t0Wall = 0n;
  constructor(readonly speed: Speed) {}

  /** Waits until the message with ITCH timestamp `ts` (ns) is due. */
  async until(ts: bigint): Promise<void> {
    if (this.speed === 'max') return;
    const now = process.hrtime.bigint();
    if (this.t0Itch < 0n) {
      this.t0Itch = ts;
      this.t0Wall = now;
      return;
    }
    const due = this.t0Wall + BigInt(Math.round(Number(ts - this.t0Itch) / this.speed));
    const wait = due - now;
    if (wait > 1_000_000n) await sleep(Number(wait / 1_000_000n));
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
