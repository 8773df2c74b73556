/**
 * Streams a recorded session (`.itch` or gzip, detected by its magic bytes) as batches of
 * whole BinaryFILE frames, never holding the file in memory. Framing problems that only the
 * reader can see (missing end marker, bytes after it, a cut-off last frame) are logged with
 * their file offsets; the cut-off frame is still handed to the engine as the final batch so
 * that it gets its seq and TRUNCATED record (spec §2).
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { RiskgateError } from '../errors.ts';
import { countSeqFrames, FrameCursor, FrameKind, FrameLocator, type FrameLocation } from '../itch/framing.ts';
import type { ProblemLog } from './problems.ts';

export interface Batch {
  /** Whole frames (control messages included). */
  frames: Buffer;
  /** seq of the first framed message in `frames` (control messages take none). */
  firstSeq: number;
  /** Offset in the (decompressed) stream of the first byte of `frames`. */
  offset: number;
  /** Framed messages in the batch that take a seq. */
  messages: number;
  /** True for the last batch of the input. */
  final: boolean;
}

export interface ReadOptions {
  /** Frames per batch (default 4096). */
  batchFrames?: number;
  problems: ProblemLog;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const CHUNK = 1 << 20;

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Checks the file exists and is a regular readable file, with a clear error if not. */
export function checkInput(path: string): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (e) {
    throw new RiskgateError('INPUT_MISSING', `cannot read input ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return size;
}

/** Raw decompressed byte chunks of a session file. */
async function* rawChunks(path: string, onRead: (n: number) => void): AsyncGenerator<Buffer> {
  const gz = await isGzip(path);
  const file = createReadStream(path, { highWaterMark: CHUNK });
  file.on('data', (c) => onRead(c.length));
  if (!gz) {
    for await (const c of file) yield c as Buffer;
    return;
  }
  const gunzip = createGunzip({ chunkSize: CHUNK });
  file.pipe(gunzip);
  file.on('error', (e) => gunzip.destroy(e));
  let produced = 0;
  try {
    for await (const c of gunzip) {
      produced += (c as Buffer).length;
      yield c as Buffer;
    }
  } catch (e) {
    throw new RiskgateError(
      'INPUT_UNREADABLE',
      `${path}: corrupt gzip stream after ${produced} decompressed bytes: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * Yields batches of whole frames. Stops at the zero-length end marker; a missing marker is a
 * warning, bytes after it are a warning.
 */
export async function* readBatches(path: string, opts: ReadOptions): AsyncGenerator<Batch> {
  const total = checkInput(path);
  const perBatch = opts.batchFrames ?? 4096;
  let bytesRead = 0;
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0; // stream offset of carry[0]
  let seq = 1;
  let ended = false;
  let afterMarker = 0;
  let markerOffset = -1;

  const chunks = rawChunks(path, (n) => {
    bytesRead += n;
    opts.onProgress?.(bytesRead, total);
  });
  for await (const chunk of chunks) {
    if (ended) {
      afterMarker += chunk.length;
      continue;
    }
    const buf = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const walk = cutBatches(buf, perBatch);
    let step = walk.next();
    for (; !step.done; step = walk.next()) {
      const b = step.value;
      yield { frames: buf.subarray(b.start, b.end), firstSeq: seq, offset: carryOffset + b.start, messages: b.messages, final: false };
      seq += b.messages;
    }
    const off = step.value.end;
    if (step.value.marker >= 0) {
      ended = true;
      markerOffset = carryOffset + step.value.marker;
      afterMarker += buf.length - step.value.marker - 2;
    }
    if (ended) break;
    carryOffset += off;
    carry = buf.subarray(off);
  }
  if (ended) {
    if (afterMarker > 0) {
      opts.problems.add({
        severity: 'warning', kind: 'DATA_AFTER_END_MARKER', file: path, offset: markerOffset + 2,
        message: `${afterMarker} bytes after the end-of-session marker at offset ${markerOffset} were ignored`,
      });
    }
    yield { frames: Buffer.alloc(0), firstSeq: seq, offset: markerOffset, messages: 0, final: true };
    return;
  }
  // End of input without a marker: hand any cut-off frame to the engine as the final batch.
  opts.problems.add({
    severity: 'warning', kind: 'MISSING_END_MARKER', file: path, offset: carryOffset + carry.length,
    message: 'the session has no zero-length end-of-session marker',
  });
  yield { frames: carry, firstSeq: seq, offset: carryOffset, messages: countSeqFrames(carry), final: true };
}

/**
 * Stream offsets of the frames records came from, for problem reports. `processed` is what the
 * engine was handed: the batch, or the batch behind control frames prepended to it (their
 * records point at the batch's start). A frame not found maps to the batch's end.
 */
export function batchLocator(batch: Batch, processed: Buffer = batch.frames): FrameLocation {
  const locator = new FrameLocator(processed, batch.firstSeq);
  const prepended = processed.length - batch.frames.length;
  const inStream = (off: number) => batch.offset + (off < 0 ? batch.frames.length : Math.max(0, off - prepended));
  return {
    message: (seq) => inStream(locator.message(seq)),
    control: (seq, nth) => inStream(locator.control(seq, nth)),
  };
}

/**
 * Cuts `buf` into batches of at most `perBatch` whole frames, stopping at an end marker or at a
 * cut-off frame (the start of one the next chunk completes). Returns where the whole frames end
 * and the end marker's offset (-1 if none).
 */
function* cutBatches(buf: Buffer, perBatch: number): Generator<{ start: number; end: number; messages: number }, { end: number; marker: number }> {
  const c = new FrameCursor(buf);
  let start = 0;
  let end = 0;
  let frames = 0;
  let seqAtStart = c.nextSeq;
  let marker = -1;
  while (c.next()) {
    if (c.kind === FrameKind.END) marker = c.offset;
    if (c.kind === FrameKind.END || c.kind === FrameKind.TRUNCATED) break;
    end = c.end;
    if (++frames === perBatch) {
      yield { start, end, messages: c.nextSeq - seqAtStart };
      start = end;
      seqAtStart = c.nextSeq;
      frames = 0;
    }
  }
  if (end > start) yield { start, end, messages: (c.kind === FrameKind.TRUNCATED ? c.nextSeq - 1 : c.nextSeq) - seqAtStart };
  return { end, marker };
}
