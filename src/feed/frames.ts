/**
 * Frames the feed consumer adds to the engine's input itself (docs/spec.md §14.4): the kill
 * switch it injects in band when the feed fails, and the gap fillers that keep every later
 * message's seq equal to its MoldUDP64 sequence number.
 */
import { frame, itch } from '../itch/encode.ts';
import { ControlOp, CONTROL_TYPE, expectedLength } from '../itch/layout.ts';

export const GLOBAL_TARGET = 0xffff;
const Y = 0x59;
const FILLER_BYTES = 22;

/** A framed GLOBAL_KILL control message (spec §9) applied before message `seq`. */
export function globalKillFrame(seq: number, on = true): Buffer {
  return frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, seq, on ? 1 : 0));
}

/**
 * `count` gap fillers: a well-sized `Y` message (skipped by the engine, spec §3.1) with locate
 * 0, tracking 0, timestamp `lastTs` (so `last_ts` does not move), stock of spaces and action
 * `0`. Each takes one seq and produces no record.
 */
export function gapFillers(count: number, lastTs: number): Buffer {
  const one = Buffer.alloc(FILLER_BYTES);
  one.writeUInt16BE(20, 0);
  one[2] = Y;
  one.writeUIntBE(lastTs, 7, 6);
  one.write('        ', 13, 8, 'latin1');
  one[21] = 0x30;
  const out = Buffer.allocUnsafe(FILLER_BYTES * count);
  for (let i = 0; i < count; i++) one.copy(out, i * FILLER_BYTES);
  return out;
}

/**
 * The engine's `last_ts` after `frames` (spec §3): the timestamp of the last framed message of
 * at least 11 bytes that is neither a control message nor BAD_LENGTH; `lastTs` when none.
 */
export function lastTimestamp(frames: Buffer, lastTs: number): number {
  let ts = lastTs;
  let off = 0;
  while (off + 2 <= frames.length) {
    const n = frames.readUInt16BE(off);
    if (off + 2 + n > frames.length) break;
    if (n >= 11) {
      const t = frames[off + 2];
      const want = expectedLength(t);
      if (t !== CONTROL_TYPE && (want === 0 || want === n)) ts = frames.readUIntBE(off + 7, 6);
    }
    off += 2 + n;
  }
  return ts;
}
