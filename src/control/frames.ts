/**
 * Splitting a batch at a seq, so that control frames can be placed before that message (the
 * seq rule is src/itch/framing.ts's).
 */
import { FrameCursor } from '../itch/framing.ts';
import { CONTROL_LENGTH } from '../itch/layout.ts';
import type { Batch } from '../source/file.ts';

/** A framed control message: its length prefix and body. */
export const CONTROL_FRAME_BYTES = 2 + CONTROL_LENGTH;

/**
 * Byte offset in `frames` (whose first framed message has seq `firstSeq`) where the part
 * "before message `seq`" ends: just after message `seq − 1`, so that control frames meant
 * for `seq` (they sit immediately before it) fall in the second part. Returns 0 when
 * `seq ≤ firstSeq` and `frames.length` when the batch ends before `seq`.
 */
export function offsetBeforeSeq(frames: Buffer, firstSeq: number, seq: number): number {
  if (seq <= firstSeq) return 0;
  for (const c = new FrameCursor(frames, firstSeq); c.next(); ) if (c.takesSeq && c.seq === seq - 1) return c.end;
  return frames.length;
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
