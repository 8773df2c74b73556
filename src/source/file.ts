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
import { CONTROL_LENGTH, CONTROL_TYPE } from '../itch/layout.ts';
import { frameOffsetOfSeq } from '../itch/framing.ts';
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
    let off = 0;
    // Walk frames, cutting a batch every `perBatch` frames.
    while (true) {
      const start = off;
      let frames = 0;
      let messages = 0;
      while (frames < perBatch && off + 2 <= buf.length) {
        const n = (buf[off] << 8) | buf[off + 1];
        if (n === 0) {
          ended = true;
          markerOffset = carryOffset + off;
          afterMarker += buf.length - off - 2;
          break;
        }
        if (off + 2 + n > buf.length) break;
        // Only a well-sized control message takes no seq (spec §2, §12).
        if (buf[off + 2] !== CONTROL_TYPE || n !== CONTROL_LENGTH) messages++;
        off += 2 + n;
        frames++;
      }
      if (off > start) {
        yield { frames: buf.subarray(start, off), firstSeq: seq, offset: carryOffset + start, messages, final: false };
        seq += messages;
      }
      if (ended || frames < perBatch) break;
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
  yield { frames: carry, firstSeq: seq, offset: carryOffset, messages: carry.length > 0 ? 1 : 0, final: true };
}

/** Finds the stream offset and type byte of the frame holding `seq` within a batch (for problem reports). */
export function offsetOfSeq(batch: Batch, seq: number): { offset: number; type: number } {
  const off = frameOffsetOfSeq(batch.frames, batch.firstSeq, seq);
  if (off < 0) return { offset: batch.offset + batch.frames.length, type: -1 };
  return { offset: batch.offset + off, type: off + 2 < batch.frames.length ? batch.frames[off + 2] : -1 };
}
