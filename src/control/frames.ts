/**
 * Frame walking for the control plane: which seq each frame of a batch takes (spec §2: every
 * frame of n ≥ 1 bytes takes the next seq, except a 20-byte `~` control message; a `~` frame
 * of another length is BAD_LENGTH and does take one), and splitting a batch at a seq.
 */
import { CONTROL_TYPE } from '../itch/layout.ts';
import type { Batch } from '../source/file.ts';

export const CONTROL_FRAME_BYTES = 22;

/** True when the frame at `off` takes no seq (a well-sized control message). */
function isControl(frames: Buffer, off: number): boolean {
  return off + 2 < frames.length && frames[off + 2] === CONTROL_TYPE && ((frames[off] << 8) | frames[off + 1]) === 20;
}

/**
 * Byte offset in `frames` (whose first framed message has seq `firstSeq`) where the part
 * "before message `seq`" ends: just after message `seq − 1`, so that control frames meant
 * for `seq` (they sit immediately before it) fall in the second part. Returns 0 when
 * `seq ≤ firstSeq` and `frames.length` when the batch ends before `seq`.
 */
export function offsetBeforeSeq(frames: Buffer, firstSeq: number, seq: number): number {
  if (seq <= firstSeq) return 0;
  let s = firstSeq;
  let off = 0;
  while (off + 2 <= frames.length) {
    const n = (frames[off] << 8) | frames[off + 1];
    if (n === 0) return off; // end-of-session marker
    const ctl = isControl(frames, off);
    off = Math.min(frames.length, off + 2 + n);
    if (!ctl) {
      s++;
      if (s === seq) return off;
    }
  }
  return frames.length;
}

/** Messages that take a seq in `frames` (a trailing cut-off frame counts as one). */
export function countMessages(frames: Buffer): number {
  let m = 0;
  let off = 0;
  while (off + 2 <= frames.length) {
    const n = (frames[off] << 8) | frames[off + 1];
    if (n === 0) break;
    if (!isControl(frames, off)) m++;
    off += 2 + n;
  }
  if (off + 1 === frames.length) m++; // half a length prefix: a TRUNCATED frame
  return m;
}

/**
 * Splits a batch so that a new batch starts exactly at each of `seqs` that falls strictly
 * inside it. Results never depend on batch boundaries (spec §2), so this changes nothing
 * but where control frames can be placed.
 */
export function splitBatch(batch: Batch, seqs: readonly number[]): Batch[] {
  const end = batch.firstSeq + batch.messages;
  const cuts = [...new Set(seqs)].filter((s) => s > batch.firstSeq && s < end).sort((a, b) => a - b);
  if (cuts.length === 0) return [batch];
  const out: Batch[] = [];
  let off = 0;
  let first = batch.firstSeq;
  for (const s of cuts) {
    const at = offsetBeforeSeq(batch.frames, batch.firstSeq, s);
    if (at <= off) continue;
    out.push({ frames: batch.frames.subarray(off, at), firstSeq: first, offset: batch.offset + off, messages: s - first, final: false });
    off = at;
    first = s;
  }
  out.push({ frames: batch.frames.subarray(off), firstSeq: first, offset: batch.offset + off, messages: end - first, final: batch.final });
  return out;
}

/** An async batch source split at the given seqs (e.g. the seqs of an audit log). */
export async function* splitBatchesAt(source: AsyncIterable<Batch>, seqs: readonly number[]): AsyncGenerator<Batch> {
  for await (const b of source) yield* splitBatch(b, seqs);
}
