/**
 * BinaryFILE framing: 2-byte big-endian length, then the message. A zero length ends the
 * session. These helpers walk frames without copying; the engines get whole frames only.
 */
import { CONTROL_LENGTH, CONTROL_TYPE } from './layout.ts';

/** Result of scanning a buffer for complete frames. */
export interface FrameScan {
  /** Bytes covered by complete frames (a prefix of the buffer). */
  end: number;
  /** Number of complete frames with length ≥ 1, control messages included. */
  count: number;
  /** Offset of the zero-length end marker within the buffer, or -1. */
  endMarker: number;
}

/**
 * Scans complete frames from `start`, stopping after `maxFrames` frames, at an end marker,
 * or before a frame that runs past the buffer.
 */
export function scanFrames(buf: Buffer, start = 0, maxFrames = Infinity): FrameScan {
  let off = start;
  let count = 0;
  const len = buf.length;
  while (count < maxFrames && off + 2 <= len) {
    const n = (buf[off] << 8) | buf[off + 1];
    if (n === 0) return { end: off, count, endMarker: off };
    if (off + 2 + n > len) break;
    off += 2 + n;
    count++;
  }
  return { end: off, count, endMarker: -1 };
}

/** Calls `fn(message, offset)` for each complete frame of `buf` (offset of its length prefix). */
export function forEachFrame(buf: Buffer, fn: (msg: Buffer, offset: number) => void): number {
  let off = 0;
  let count = 0;
  while (off + 2 <= buf.length) {
    const n = buf.readUInt16BE(off);
    if (n === 0 || off + 2 + n > buf.length) break;
    fn(buf.subarray(off + 2, off + 2 + n), off);
    off += 2 + n;
    count++;
  }
  return count;
}

/**
 * Offset (of its length prefix) of the frame that took `seq` in `frames`, whose first
 * seq-taking frame has seq `firstSeq`; a control message (spec §9) is found for the seq it
 * precedes. -1 when the seq is not in the buffer.
 */
export function frameOffsetOfSeq(frames: Buffer, firstSeq: number, seq: number): number {
  let s = firstSeq;
  let off = 0;
  while (off + 2 <= frames.length) {
    const n = (frames[off] << 8) | frames[off + 1];
    if (s === seq) return off;
    const control = n === CONTROL_LENGTH && frames[off + 2] === CONTROL_TYPE;
    if (!control) s++;
    off += 2 + n;
  }
  return -1;
}

/** Splits a framed buffer into batches of at most `perBatch` frames (views, no copies). */
export function splitFrames(buf: Buffer, perBatch: number): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    const s = scanFrames(buf, off, perBatch);
    if (s.end === off) break;
    out.push(buf.subarray(off, s.end));
    off = s.end;
    if (s.endMarker >= 0) break;
  }
  return out;
}
