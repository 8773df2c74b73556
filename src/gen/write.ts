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
}

export async function generateSession(opts: GenFileOptions): Promise<GenSummary> {
  const gen = new SessionGenerator(opts);
  const gzip = opts.out.endsWith('.gz');
  const tmp = `${opts.out}.tmp-${process.pid}`;
  const source = Readable.from(chunks(gen), { objectMode: false, highWaterMark: 4 });
  try {
    if (gzip) await pipeline(source, createGzip({ level: 6 }), createWriteStream(tmp));
    else await pipeline(source, createWriteStream(tmp));
    await rename(tmp, opts.out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const { size } = await stat(opts.out);
  return gen.summary({ out: opts.out, gzip, fileBytes: size });
}

function* chunks(gen: SessionGenerator): Generator<Buffer> {
  for (let c = gen.nextChunk(); c; c = gen.nextChunk()) yield c;
}
