/**
 * The split of a merged stream for the card's two inputs (spec §18.7), whole: FpgaEngine
 * (src/fpga/engine.ts) streams the same split batch by batch (k kept across batches) and
 * uses `orderTuser`. Market data — ITCH messages,
 * control messages (`~`) and frames of a wrong length, which take a seq — goes to the first
 * input; each well-sized order or venue frame (`{`, `}`) goes to the second, with its
 * position in the merged stream: P, the seq of the message it precedes, and k, the control
 * messages before it at P. `mdOffset` says where it sat in the market data: the host sends
 * the market-data bytes before `mdOffset`, then the frame, and only once its last beat is
 * accepted what follows (the host rule of §18.7).
 */
import { CONTROL_MESSAGE, ORDER_FRAME, VENUE_FRAME } from '../contract.ts';
import { FrameCursor, FrameKind } from '../itch/framing.ts';

export interface OrderInputFrame {
  /** The frame's message bytes, without the §2 length prefix (one AXI-Stream packet). */
  body: Buffer;
  /** P: the seq of the message the frame precedes. */
  pos: number;
  /** k: control messages (`~`) before it at position P. */
  k: number;
  /** Byte offset in `md` before which the frame sits. */
  mdOffset: number;
}

export interface SplitStream {
  /** The market-data frames in order (§2 framing; the end marker, if any, included). */
  md: Buffer;
  orders: OrderInputFrame[];
}

/** The second input's tuser of a frame: k in bits 63..48, P in bits 47..0. */
export function orderTuser(f: Pick<OrderInputFrame, 'pos' | 'k'>): bigint {
  if (!Number.isSafeInteger(f.pos) || f.pos < 1 || f.pos >= 2 ** 48) throw new RangeError(`order frame position ${f.pos} does not fit 48 bits`);
  if (!Number.isInteger(f.k) || f.k < 0 || f.k > 0xffff) throw new RangeError(`order frame control index ${f.k} does not fit 16 bits`);
  return (BigInt(f.k) << 48n) | BigInt(f.pos);
}

/** Splits `frames` (whole §2 frames; `firstSeq`: the seq of its first message). */
export function splitMerged(frames: Buffer, firstSeq = 1): SplitStream {
  const c = new FrameCursor(frames, firstSeq);
  const parts: Buffer[] = [];
  const orders: OrderInputFrame[] = [];
  let mdBytes = 0;
  let k = 0;
  let runFrom = 0;
  while (c.next()) {
    const isOrder = c.kind === FrameKind.CONTROL && (c.type === ORDER_FRAME.typeByte || c.type === VENUE_FRAME.typeByte);
    if (isOrder) {
      const run = frames.subarray(runFrom, c.offset);
      parts.push(run);
      mdBytes += run.length;
      runFrom = c.end;
      orders.push({ body: Buffer.from(c.body()), pos: c.seq, k, mdOffset: mdBytes });
    } else if (c.kind === FrameKind.CONTROL && c.type === CONTROL_MESSAGE.typeByte) {
      k++;
    } else if (c.takesSeq) {
      k = 0;
    }
  }
  const tail = frames.subarray(runFrom);
  parts.push(tail);
  return { md: Buffer.concat(parts, mdBytes + tail.length), orders };
}

/** The merged stream again (the inverse of `splitMerged`): each frame back at its offset. */
export function mergeSplit(s: SplitStream): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const f of s.orders) {
    parts.push(s.md.subarray(at, f.mdOffset));
    const len = Buffer.alloc(2);
    len.writeUInt16BE(f.body.length);
    parts.push(len, f.body);
    at = f.mdOffset;
  }
  parts.push(s.md.subarray(at));
  return Buffer.concat(parts);
}
