/**
 * Frames the feed consumer adds to the engine's input itself (docs/spec.md §14.4): the kill
 * switch it injects in band when the feed fails, and the gap fillers that keep every later
 * message's seq equal to its MoldUDP64 sequence number.
 */
import { frame, itch, writeStock } from '../itch/encode.ts';
import { FrameCursor } from '../itch/framing.ts';
import { ControlOp, GLOBAL_TARGET, MESSAGE_LENGTH } from '../itch/layout.ts';

export { GLOBAL_TARGET };

/** Reg SHO restriction (Y): stock at 11/8, action at 19 (ITCH 5.0). */
const REG_SHO_STOCK = 11;
const REG_SHO_ACTION = 19;

/**
 * A framed GLOBAL_KILL control message (spec §9) applied before message `seq` by the engine
 * whose config has fingerprint `fingerprint` (spec §10).
 */
export function globalKillFrame(seq: number, fingerprint: bigint, on = true): Buffer {
  return frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, seq, on ? 1 : 0, fingerprint));
}

/**
 * `count` gap fillers: a well-sized `Y` message (skipped by the engine, spec §3.1) with locate
 * 0, tracking 0, timestamp `lastTs` (so `last_ts` does not move), stock of spaces and action
 * `0`. Each takes one seq and produces no record.
 */
export function gapFillers(count: number, lastTs: number): Buffer {
  const y = itch.raw('Y', MESSAGE_LENGTH.Y, { locate: 0, ts: lastTs });
  writeStock(y, REG_SHO_STOCK, '');
  y[REG_SHO_ACTION] = '0'.charCodeAt(0);
  const one = frame(y);
  const out = Buffer.allocUnsafe(one.length * count);
  for (let i = 0; i < count; i++) one.copy(out, i * one.length);
  return out;
}

/**
 * The engine's `last_ts` after `frames` (spec §3): the timestamp of the last framed message of
 * at least 11 bytes that is neither a control message nor BAD_LENGTH; `lastTs` when none.
 */
export function lastTimestamp(frames: Buffer, lastTs: number): number {
  let ts = lastTs;
  for (const c = new FrameCursor(frames); c.next(); ) {
    const t = c.timestamp();
    if (t >= 0) ts = t;
  }
  return ts;
}
