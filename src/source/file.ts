/**
 * Streams a recorded session (`.itch` or gzip, detected by its magic bytes) as batches of
 * whole BinaryFILE frames, never holding the file in memory. Framing problems that only the
 * reader can see (missing end marker, bytes after it, a cut-off last frame) are logged with
 * their file offsets; the cut-off frame is still handed to the engine as the final batch so
 * that it gets its seq and TRUNCATED record (spec §2).
 */
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { loadNative } from '../engine/rust.ts';
import { RiskgateError } from '../errors.ts';
import { countSeqFrames, FrameLocator, type FrameLocation } from '../itch/framing.ts';
import { isInBand } from '../itch/layout.ts';
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
  /**
   * Read into a fixed set of buffers reused for the whole file (a gzip file is inflated by a
   * worker thread into shared slots): no allocation per chunk, nothing for the GC. A batch's
   * `frames` then stay valid only until the next batch is asked for — the replay loop, which
   * is done with a batch by then, uses this; anything that keeps frames must not.
   */
  recycle?: boolean;
  problems: ProblemLog;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Decompressed bytes per read (see `rawChunks`); for tests. */
  chunkBytes?: number;
}

/** Bytes per read of a plain file; buffers in the recycling pool (one read ahead, one carried over). */
const PLAIN_CHUNK = 4 << 20;
const POOL = 4;
/** Slots of the ring a gzip file is inflated into (16 MiB: how far gunzip may run ahead). */
const RING_SLOTS = 8;
const RING_SLOT = 2 << 20;

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

/**
 * Raw decompressed byte chunks of a session file, each in memory of its own (a consumer may
 * keep them, unless `recycle`). A plain file is read `chunkBytes` (4 MiB) at a time with the next read
 * already under way; a gzip file is inflated by a native thread (`ringChunks`), up to the ring's
 * size ahead of the consumer, while the engine works on the main thread.
 */
export async function* rawChunks(path: string, onRead: (n: number) => void = () => {}, recycle = false, chunkBytes?: number): AsyncGenerator<Buffer> {
  if (chunkBytes !== undefined && !(Number.isInteger(chunkBytes) && chunkBytes >= 1)) throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  const gz = await isGzip(path);
  if (gz && recycle) {
    yield* ringChunks(path, onRead, chunkBytes ?? RING_SLOT);
    return;
  }
  const CHUNK = chunkBytes ?? PLAIN_CHUNK;
  if (!gz) {
    const fh = await open(path, 'r');
    try {
      const pool = recycle ? Array.from({ length: POOL }, () => Buffer.allocUnsafeSlow(CHUNK)) : [];
      let pos = 0;
      let reads = 0;
      const read = () => {
        const b = recycle ? pool[reads++ % POOL] : Buffer.allocUnsafeSlow(CHUNK);
        const at = pos;
        pos += CHUNK;
        return fh.read(b, 0, CHUNK, at).then(({ bytesRead }) => b.subarray(0, bytesRead));
      };
      let next = read();
      for (;;) {
        const c = await next;
        if (c.length === 0) return;
        onRead(c.length);
        next = read();
        yield c;
      }
    } finally {
      await fh.close();
    }
  }
  // A gzip file without recycling: the same native reader, each chunk copied out of its slot.
  for await (const c of ringChunks(path, onRead, chunkBytes ?? RING_SLOT)) yield Buffer.from(c);
}

/**
 * A gzip file inflated by a thread of the native module (native/src/session_reader.rs) into a
 * ring of slots, handed out in place: no zlib, no copy and no allocation on the JS side. A slot
 * is given back when the one after the next is asked for: the reader may still hold frames of
 * the previous chunk (carried over to the next).
 */
async function* ringChunks(path: string, onRead: (n: number) => void, slotBytes: number): AsyncGenerator<Buffer> {
  const reader = new (loadNative().GzipReader)(path, RING_SLOTS, slotBytes);
  const ring = reader.ring();
  let next = 0; // slots handed out
  let reported = 0;
  try {
    for (;;) {
      if (next >= 2) reader.release(next - 1);
      let len: number;
      try {
        len = reader.next();
      } catch (e) {
        throw new RiskgateError('INPUT_UNREADABLE', `${path}: ${(e as Error).message}`, { cause: e });
      }
      const read = reader.bytesRead;
      if (read > reported) {
        onRead(read - reported);
        reported = read;
      }
      if (len < 0) return;
      const slot = next % RING_SLOTS;
      next++;
      yield ring.subarray(slot * slotBytes, slot * slotBytes + len);
    }
  } finally {
    reader.close();
  }
}

/** Where a walk over whole frames stopped (see `cutFrames`). */
interface Cut {
  /** Offset just after the last whole frame taken. */
  end: number;
  /** Whole frames taken (control messages included) and those that take a seq. */
  frames: number;
  messages: number;
  /** Offset of a zero-length end marker where the walk stopped, or -1. */
  marker: number;
}

/**
 * Takes up to `maxFrames` whole frames of `buf` from `start`, stopping before an end marker or
 * a cut-off frame (one that runs past the buffer). The rules are FrameCursor's
 * (src/itch/framing.ts), in a loop that allocates nothing: this runs over every frame.
 */
export function cutFrames(buf: Buffer, start: number, maxFrames: number, out: Cut): Cut {
  const len = buf.length;
  let off = start;
  let frames = 0;
  let messages = 0;
  let marker = -1;
  while (frames < maxFrames && off + 2 <= len) {
    const n = (buf[off] << 8) | buf[off + 1];
    if (n === 0) {
      marker = off;
      break;
    }
    const stop = off + 2 + n;
    if (stop > len) break;
    if (!isInBand(buf[off + 2], n)) messages++;
    frames++;
    off = stop;
  }
  out.end = off;
  out.frames = frames;
  out.messages = messages;
  out.marker = marker;
  return out;
}

/**
 * Bytes the frame cut off at the end of `tail` (which starts at a frame boundary `from`) still
 * needs: 1 when only half of its length prefix is there.
 */
function missingBytes(tail: Buffer, from: number, next: Buffer): number {
  const have = tail.length - from;
  if (have >= 2) return 2 + ((tail[from] << 8) | tail[from + 1]) - have;
  // One byte of the prefix: the other one is the first byte of `next`.
  return 1 + ((tail[from] << 8) | next[0]);
}

/**
 * Yields batches of whole frames. Stops at the zero-length end marker; a missing marker is a
 * warning, bytes after it are a warning.
 *
 * Batches are cut where a chunk of the input ends too: the frames after the last full batch of
 * a chunk (and the frame the chunk cuts off) are carried over — as a view, not a copy — and go
 * out with the completion of the cut-off frame as one short batch, the only bytes copied.
 */
export async function* readBatches(path: string, opts: ReadOptions): AsyncGenerator<Batch> {
  const total = checkInput(path);
  const perBatch = opts.batchFrames ?? 4096;
  if (!(perBatch >= 1)) throw new RangeError(`batchFrames must be at least 1, got ${perBatch}`);
  let bytesRead = 0;
  /** Unfinished input: whole frames of a batch still to fill, then the start of a cut-off frame. */
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0; // stream offset of carry[0]
  let carryMessages = 0;
  let carryWhole = 0; // where they end
  let streamOffset = 0; // stream offset of the next chunk's first byte
  let seq = 1;
  let ended = false;
  let afterMarker = 0;
  let markerOffset = -1;
  const cut: Cut = { end: 0, frames: 0, messages: 0, marker: -1 };

  const chunks = rawChunks(
    path,
    (n) => {
      bytesRead += n;
      opts.onProgress?.(bytesRead, total);
    },
    opts.recycle === true,
    opts.chunkBytes,
  );
  for await (const chunk of chunks) {
    const chunkOffset = streamOffset;
    streamOffset += chunk.length;
    if (ended) {
      afterMarker += chunk.length;
      continue;
    }
    if (carry.length > carryWhole) {
      // Complete the cut-off frame: the carried frames and that frame make a batch.
      const need = missingBytes(carry, carryWhole, chunk);
      if (need > chunk.length) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const bridge = Buffer.concat([carry, chunk.subarray(0, need)]);
      cutFrames(bridge, carryWhole, 1, cut);
      if (cut.end > 0) {
        const messages = carryMessages + cut.messages;
        yield { frames: bridge.subarray(0, cut.end), firstSeq: seq, offset: carryOffset, messages, final: false };
        seq += messages;
      }
      if (cut.marker >= 0) {
        ended = true;
        markerOffset = carryOffset + cut.marker;
        afterMarker += chunk.length - need;
        continue;
      }
      if (cut.frames !== 1) throw new Error('internal: the completed frame is not whole');
      if (yield* walk(chunk, need, chunkOffset)) continue;
    } else {
      // Whole frames carried over (if any) go out as they are, a short batch.
      if (carry.length > 0) {
        yield { frames: carry, firstSeq: seq, offset: carryOffset, messages: carryMessages, final: false };
        seq += carryMessages;
      }
      if (yield* walk(chunk, 0, chunkOffset)) continue;
    }
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

  /**
   * Yields the full batches of `buf` from `start` (stream offset of buf[0]: `base`) and carries
   * the rest over; true when it met the end marker.
   */
  function* walk(buf: Buffer, start: number, base: number): Generator<Batch, boolean> {
    let off = start;
    for (;;) {
      cutFrames(buf, off, perBatch, cut);
      if (cut.frames === perBatch) {
        yield { frames: buf.subarray(off, cut.end), firstSeq: seq, offset: base + off, messages: cut.messages, final: false };
        seq += cut.messages;
        off = cut.end;
        continue;
      }
      if (cut.marker >= 0) {
        if (cut.end > off) {
          yield { frames: buf.subarray(off, cut.end), firstSeq: seq, offset: base + off, messages: cut.messages, final: false };
          seq += cut.messages;
        }
        ended = true;
        markerOffset = base + cut.marker;
        afterMarker += buf.length - cut.marker - 2;
        return true;
      }
      carry = buf.subarray(off);
      carryOffset = base + off;
      carryMessages = cut.messages;
      carryWhole = cut.end - off;
      return false;
    }
  }
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
