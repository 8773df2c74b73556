/**
 * Writes a generated session to a file, gzip-compressed when the name ends in `.gz`,
 * streaming chunk by chunk with backpressure (a 20M-message session never sits in memory).
 * The file appears under its name only when complete (written to a temporary name first).
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { SessionGenerator, type GenOptions } from './session.ts';
import type { GenSummary } from './summary.ts';

export interface GenFileOptions extends GenOptions {
  /** Output path; `.gz` ⇒ gzip. */
  out: string;
  /** Told after each chunk how many messages are written so far (for a progress bar). */
  onProgress?: (messages: number) => void;
}

/** Anything that hands out BinaryFILE bytes chunk by chunk (null at the end). */
export interface ChunkSource {
  nextChunk(): Buffer | null;
  /** Framed messages handed out so far. */
  readonly messagesWritten: number;
}

/**
 * Streams a chunk source to `out` (gzip at `gzipLevel` when the name ends in .gz) through a
 * temporary name; returns whether it was gzipped and the file's size.
 */
export async function writeChunks(source: ChunkSource, out: string, gzipLevel = 6, onProgress?: (messages: number) => void): Promise<{ gzip: boolean; fileBytes: number }> {
  const gzip = out.endsWith('.gz');
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = Readable.from(chunks(source, onProgress), { objectMode: false, highWaterMark: 4 });
  try {
    if (gzip) await pipeline(stream, createGzip({ level: gzipLevel }), createWriteStream(tmp));
    else await pipeline(stream, createWriteStream(tmp));
    await rename(tmp, out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const { size } = await stat(out);
  return { gzip, fileBytes: size };
}

export async function generateSession(opts: GenFileOptions): Promise<GenSummary> {
  const gen = new SessionGenerator(opts);
  const { gzip, fileBytes } = await writeChunks(gen, opts.out, 6, opts.onProgress);
  return gen.summary({ out: opts.out, gzip, fileBytes });
}

function* chunks(source: ChunkSource, onProgress?: (messages: number) => void): Generator<Buffer> {
  for (let c = source.nextChunk(); c; c = source.nextChunk()) {
    onProgress?.(source.messagesWritten);
    yield c;
  }
}
