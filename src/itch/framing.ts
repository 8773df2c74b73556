/**
 * BinaryFILE framing (spec §2): a 2-byte big-endian length, then the message. Every walk over
 * frames in the control plane goes through `FrameCursor`, so that where a frame starts, which
 * seq it takes, what an end marker is and what counts as truncated have one answer, the
 * engines' (native/core/src/framing.rs). The cursor never copies and never goes back: a walk
 * is linear in the frames it visits.
 */
import { CONTROL_MESSAGE, ORDER_FRAME, VENUE_FRAME } from '../contract.ts';
import { expectedLength, isInBand } from './layout.ts';

/** What the cursor stands on. */
export const FrameKind = Object.freeze({
  /** A whole frame of n ≥ 1 bytes that takes a seq (handled, skipped or bad). */
  MESSAGE: 1,
  /** A whole, well-sized control message (spec §9): no seq. */
  CONTROL: 2,
  /** A zero-length frame, the end-of-session marker: no seq, no record. */
  END: 3,
  /**
   * The rest of the buffer is a cut-off frame: a body running past the end, or one stray
   * byte (half a length prefix, length 0). At the end of input it takes a seq and is a
   * PROBLEM/TRUNCATED; anywhere else it is the start of a frame still to come.
   */
  TRUNCATED: 4,
} as const);
export type FrameKindCode = (typeof FrameKind)[keyof typeof FrameKind];

/** ITCH header: the u48 timestamp at 5 within the message (spec §3). */
const TIMESTAMP_AT = 5;
const TIMESTAMP_BYTES = 6;
/** Shortest message whose timestamp counts (spec §3, `last_ts`). */
const MIN_TIMESTAMPED = TIMESTAMP_AT + TIMESTAMP_BYTES;

/**
 * A forward walk over the frames of `buf`. After each `next()` that returns true the fields
 * describe the current frame. Control messages and end markers take no seq: their `seq` is
 * the seq of the message they precede.
 */
export class FrameCursor {
  kind: FrameKindCode | 0 = 0;
  /** Offset of the current frame's length prefix. */
  offset = 0;
  /** Declared length n (0 for an end marker or a stray byte). */
  length = 0;
  /** First body byte, 0 when there is none (spec §2). */
  type = 0;
  /** Offset just after the current frame (the buffer's end for a cut-off frame). */
  end: number;
  /** The seq the current frame took, or for CONTROL and END the seq it precedes. */
  seq = 0;
  /** The seq the next seq-taking frame will take. */
  nextSeq: number;
  /** Frames visited so far (a walk is linear: one step per frame). */
  steps = 0;

  constructor(
    readonly buf: Buffer,
    firstSeq = 1,
    start = 0,
  ) {
    this.nextSeq = firstSeq;
    this.end = start;
  }

  /** Moves to the next frame; false at the end of the buffer. */
  next(): boolean {
    const buf = this.buf;
    const off = this.end;
    if (off >= buf.length) return false;
    this.steps++;
    this.offset = off;
    if (off + 2 > buf.length) {
      this.kind = FrameKind.TRUNCATED;
      this.length = 0;
      this.type = 0;
      this.end = buf.length;
      this.seq = this.nextSeq++;
      return true;
    }
    const n = (buf[off] << 8) | buf[off + 1];
    this.length = n;
    if (n === 0) {
      this.kind = FrameKind.END;
      this.type = 0;
      this.end = off + 2;
      this.seq = this.nextSeq;
      return true;
    }
    this.type = off + 2 < buf.length ? buf[off + 2] : 0;
    const stop = off + 2 + n;
    if (stop > buf.length) {
      this.kind = FrameKind.TRUNCATED;
      this.end = buf.length;
      this.seq = this.nextSeq++;
      return true;
    }
    this.end = stop;
    if (isInBand(this.type, n)) {
      this.kind = FrameKind.CONTROL;
      this.seq = this.nextSeq;
    } else {
      this.kind = FrameKind.MESSAGE;
      this.seq = this.nextSeq++;
    }
    return true;
  }

  /** True when the current frame takes a seq (a message, or a cut-off frame at the end of input). */
  get takesSeq(): boolean {
    return this.kind === FrameKind.MESSAGE || this.kind === FrameKind.TRUNCATED;
  }

  /** The current frame's message bytes (as far as they exist), without the length prefix. */
  body(): Buffer {
    return this.buf.subarray(Math.min(this.offset + 2, this.end), this.end);
  }

  /** The current frame with its length prefix. */
  frame(): Buffer {
    return this.buf.subarray(this.offset, this.end);
  }

  /**
   * The ITCH timestamp of the current frame when it sets the engine's `last_ts` (spec §3: a
   * whole message of at least 11 bytes, not the control message, not BAD_LENGTH), else -1.
   */
  timestamp(): number {
    if (this.kind !== FrameKind.MESSAGE || this.length < MIN_TIMESTAMPED || this.type === CONTROL_MESSAGE.typeByte) return -1;
    // A `{`/`}` frame of another length (BAD_LENGTH) sets no last_ts either.
    if (this.type === ORDER_FRAME.typeByte || this.type === VENUE_FRAME.typeByte) return -1;
    const want = expectedLength(this.type);
    if (want !== 0 && want !== this.length) return -1;
    return this.buf.readUIntBE(this.offset + 2 + TIMESTAMP_AT, TIMESTAMP_BYTES);
  }
}

/** Frames of `frames` that take a seq, as an engine handed them with end of input counts them. */
export function countSeqFrames(frames: Buffer): number {
  const c = new FrameCursor(frames);
  while (c.next());
  return c.nextSeq - 1;
}

/** Result of scanning a buffer for whole frames. */
export interface FrameScan {
  /** Bytes covered by whole frames (a prefix of the buffer). */
  end: number;
  /** Whole frames with length ≥ 1, control messages included. */
  count: number;
  /** Offset of the zero-length end marker within the buffer, or -1. */
  endMarker: number;
}

/**
 * Scans whole frames from `start`, stopping after `maxFrames` frames, at an end marker, or
 * before a cut-off frame (which may still be completed by more input).
 */
export function scanFrames(buf: Buffer, start = 0, maxFrames = Infinity): FrameScan {
  const c = new FrameCursor(buf, 1, start);
  let count = 0;
  let end = start;
  while (count < maxFrames && c.next()) {
    if (c.kind === FrameKind.END) return { end: c.offset, count, endMarker: c.offset };
    if (c.kind === FrameKind.TRUNCATED) return { end, count, endMarker: -1 };
    end = c.end;
    count++;
  }
  return { end, count, endMarker: -1 };
}

/** Calls `fn(message, offset)` for each whole frame of `buf` up to an end marker or a cut-off frame. */
export function forEachFrame(buf: Buffer, fn: (msg: Buffer, offset: number) => void): number {
  const c = new FrameCursor(buf);
  let count = 0;
  while (c.next() && (c.kind === FrameKind.MESSAGE || c.kind === FrameKind.CONTROL)) {
    fn(c.body(), c.offset);
    count++;
  }
  return count;
}

/** Splits a framed buffer into batches of at most `perBatch` whole frames (views, no copies). */
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

/** Where a record's input is: the message that took a seq, or a control message before it. */
export interface FrameLocation {
  /** Offset of the frame that took `seq`, -1 if none. */
  message(seq: number): number;
  /** Offset of the `nth` (0-based) control message placed before message `seq`, -1 if none. */
  control(seq: number, nth: number): number;
}

/** Sort key of a message after every control before it. */
const MESSAGE_RANK = Number.MAX_SAFE_INTEGER;

/**
 * Finds the frames of one batch that records came from. An engine emits records in input
 * order (spec §11), so asked in record order the walk resumes where the last answer left it
 * and locating every record of a batch costs one pass; asking for an earlier frame restarts
 * the walk.
 */
export class FrameLocator implements FrameLocation {
  private cursor: FrameCursor;
  /** Index of the cursor's control message among those before the same message. */
  private rank = 0;
  /** Walk steps of earlier, abandoned cursors (for `steps`). */
  private spent = 0;

  constructor(
    readonly frames: Buffer,
    readonly firstSeq: number,
  ) {
    this.cursor = new FrameCursor(frames, firstSeq);
  }

  message(seq: number): number {
    return this.find(seq, MESSAGE_RANK);
  }

  control(seq: number, nth: number): number {
    return this.find(seq, nth);
  }

  /** Frames visited so far. */
  get steps(): number {
    return this.spent + this.cursor.steps;
  }

  private find(seq: number, rank: number): number {
    if (this.cursor.steps > 0) {
      const here = this.compare(seq, rank);
      if (here === 0) return this.cursor.offset;
      if (here > 0) {
        this.spent += this.cursor.steps;
        this.cursor = new FrameCursor(this.frames, this.firstSeq);
      }
    }
    while (this.advance()) {
      const here = this.compare(seq, rank);
      if (here === 0) return this.cursor.offset;
      if (here > 0) return -1;
    }
    return -1;
  }

  /**
   * Next frame, and its rank among the frames at its seq: controls 0, 1, … in order, the
   * message last; an end marker ranks between (it never matches).
   */
  private advance(): boolean {
    const c = this.cursor;
    const before = c.steps > 0 ? c.seq : -1;
    if (!c.next()) return false;
    const step = c.kind === FrameKind.CONTROL ? 1 : 0.5;
    this.rank = c.takesSeq ? MESSAGE_RANK : c.seq === before ? Math.floor(this.rank) + step : step - 1;
    return true;
  }

  /** Order of the cursor's frame against the frame (seq, rank) asked for: < 0 before it, > 0 past it. */
  private compare(seq: number, rank: number): number {
    const c = this.cursor;
    return c.seq !== seq ? c.seq - seq : this.rank === rank ? 0 : this.rank < rank ? -1 : 1;
  }
}
