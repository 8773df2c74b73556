/**
 * The replay's streaming path: the decompressed bytes go to the engine as they come out of the
 * reader (the gunzip ring's slots, or a plain file's reads), cut anywhere, through
 * `processSessionStream`. Nothing walks the frames in JavaScript: the engine walks them once,
 * leaves a frame cut off at the end of a piece unconsumed (its bytes are passed again with
 * those that complete it) and stops in front of the end-of-session marker, as the batch reader
 * (src/source/file.ts) does. Records, digest, problems and report are the batch path's: the
 * records never depend on where the input is cut (spec §2), and a problem's offset is found by
 * walking the frames of the one call that produced it (`batchLocator`).
 */
import type * as Native from '../../native/native.d.ts';
import type { RecordAccumulator } from '../report/accumulator.ts';
import { batchLocator, checkInput, rawChunks, type Batch, type ReadOptions } from '../source/file.ts';
import { LoopTurns } from './loop-turns.ts';
import type { ReplayOptions, ReplayProbe } from './run.ts';

/** An engine with the streaming call (the Rust core). */
export interface SessionStreamEngine {
  processSessionStream(frames: Buffer, out: Buffer, endOfInput?: boolean): Native.SessionStep;
  maxRecordBytes(inputLength: number): number;
}

export function sessionStreamEngine(engine: unknown): SessionStreamEngine | undefined {
  const e = engine as Partial<SessionStreamEngine>;
  return typeof e.processSessionStream === 'function' && typeof e.maxRecordBytes === 'function' ? (e as SessionStreamEngine) : undefined;
}

/**
 * Bytes per engine call: a ring slot (2 MiB) is handed over in pieces so that the records of
 * one call (at most 32 bytes per input byte, at most 8 MiB here) stay small and still in cache
 * when the digest and P&L read them. Measured on the 50M day from a plain file (engine ns/msg,
 * two runs each, load ~22): 64 KiB 65.7/61.4, 256 KiB 57.5/57.0, 1 MiB 60.0/57.9.
 */
export const STREAM_PIECE = 256 << 10;
/** A whole frame: a 2-byte length prefix and at most 65,535 bytes. */
const MAX_FRAME = 2 + 0xffff;

export interface StreamTarget {
  acc: RecordAccumulator;
  /** Hands a call's records on (sinks, `onRecords`), timed as the consumers' stage. */
  deliver: (records: Buffer, batch: Batch) => void | Promise<void>;
}

/**
 * Streams `opts.file` through the engine. Returns where it stopped when `opts.signal` aborted
 * it (between two engine calls), else undefined.
 */
export async function streamSession(
  opts: ReplayOptions,
  engine: SessionStreamEngine,
  target: StreamTarget,
  problems: ReadOptions['problems'],
): Promise<{ beforeSeq: number; offset: number } | undefined> {
  const { acc, deliver } = target;
  const probe: ReplayProbe | undefined = opts.probe;
  const now = probe?.clock ?? (() => Number(process.hrtime.bigint()));
  const observe = opts.observe;
  const out = Buffer.allocUnsafeSlow(engine.maxRecordBytes(Math.max(STREAM_PIECE, 2 * MAX_FRAME)));
  /** The start of a frame a chunk cut off, copied: completed from the next chunk in `bridge`. */
  const bridge = Buffer.allocUnsafeSlow(2 * MAX_FRAME);
  let carry = 0; // bytes of it at the start of `bridge`
  let carryOffset = 0; // their stream offset
  let streamOffset = 0; // stream offset of the next chunk's first byte
  let lastSeq = 0;
  let markerOffset = -1;
  const turns = opts.signal ? new LoopTurns() : undefined;
  let mark = probe ? now() : 0;

  /**
   * One engine call over `frames` (stream offset `offset`). Returns the bytes consumed, or -1
   * when the walk stopped in front of the end marker.
   */
  const call = async (frames: Buffer, offset: number, final: boolean): Promise<number> => {
    if (probe) probe.sourceNs += now() - mark;
    const t0 = probe ? now() : 0;
    const s = process.hrtime.bigint();
    const step = engine.processSessionStream(frames, out, final);
    const dt = Number(process.hrtime.bigint() - s);
    const t1 = probe ? now() : 0;
    const taken = frames.subarray(0, step.consumed);
    const batch: Batch = { frames: taken, firstSeq: lastSeq + 1, offset, messages: step.lastSeq - lastSeq, final };
    lastSeq = step.lastSeq;
    const records = out.subarray(0, step.written);
    acc.add(records, dt, batch.messages, batchLocator(batch));
    const t2 = probe ? now() : 0;
    if (observe && step.consumed > 0) observe(taken);
    const t3 = probe ? now() : 0;
    if (records.length > 0) await deliver(records, batch);
    if (probe) {
      mark = now();
      probe.engineNs += t1 - t0;
      probe.recordsNs += t2 - t1;
      probe.observeNs = (probe.observeNs ?? 0) + (t3 - t2);
      probe.consumersNs += mark - t3;
      probe.messages += batch.messages;
      probe.onBatch?.(probe.messages);
    }
    if (step.endMarker) {
      markerOffset = offset + step.consumed;
      return -1;
    }
    return step.consumed;
  };

  const total = checkInput(opts.file);
  let readSoFar = 0;
  const chunks = rawChunks(opts.file, (n) => opts.onProgress?.((readSoFar += n), total), true, opts.readChunkBytes);
  for await (const chunk of chunks) {
    const chunkOffset = streamOffset;
    streamOffset += chunk.length;
    if (markerOffset >= 0) continue; // counted as bytes after the marker below
    await turns?.maybe();
    if (opts.signal?.aborted) return { beforeSeq: lastSeq + 1, offset: carry > 0 ? carryOffset : chunkOffset };
    let pos = 0;
    if (carry > 0) {
      // Complete the cut-off frame: its start and up to one frame's worth of this chunk.
      const take = Math.min(chunk.length, MAX_FRAME);
      chunk.copy(bridge, carry, 0, take);
      const consumed = await call(bridge.subarray(0, carry + take), carryOffset, false);
      if (consumed < 0) continue;
      if (consumed === 0) {
        // Still cut off (this chunk was shorter than the rest of the frame): carry it all.
        carry += take;
        continue;
      }
      pos = consumed - carry;
      carry = 0;
    }
    while (pos < chunk.length) {
      await turns?.maybe();
      if (opts.signal?.aborted) return { beforeSeq: lastSeq + 1, offset: chunkOffset + pos };
      const end = Math.min(chunk.length, pos + STREAM_PIECE);
      const consumed = await call(chunk.subarray(pos, end), chunkOffset + pos, false);
      if (consumed < 0) break;
      pos += consumed;
      if (end < chunk.length) {
        // A piece ending inside the chunk is longer than any frame: it always moves on.
        if (consumed === 0) throw new Error(`internal: no whole frame in ${end - pos} bytes at offset ${chunkOffset + pos}`);
      } else if (pos < end) {
        // The frame the chunk cuts off: completed from the next chunk.
        carry = chunk.copy(bridge, 0, pos, end);
        carryOffset = chunkOffset + pos;
        break;
      }
    }
  }
  if (markerOffset >= 0) {
    const after = streamOffset - markerOffset - 2;
    if (after > 0) {
      problems.add({
        severity: 'warning', kind: 'DATA_AFTER_END_MARKER', file: opts.file, offset: markerOffset + 2,
        message: `${after} bytes after the end-of-session marker at offset ${markerOffset} were ignored`,
      });
    }
    await call(Buffer.alloc(0), markerOffset, true);
    return undefined;
  }
  // End of input without a marker: a cut-off frame goes to the engine as the last call (TRUNCATED).
  problems.add({
    severity: 'warning', kind: 'MISSING_END_MARKER', file: opts.file, offset: streamOffset,
    message: 'the session has no zero-length end-of-session marker',
  });
  await call(bridge.subarray(0, carry), carry > 0 ? carryOffset : streamOffset, true);
  return undefined;
}
