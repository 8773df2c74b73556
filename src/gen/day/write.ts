/**
 * Writes a generated real day to a file (gzip when the name ends in .gz, at level 1: a 50M-
 * message day is ~1.6 GB uncompressed and deflate at the default level 6 would take several
 * times longer than generating it), streamed with backpressure, and optionally its config.
 */
import { writeFile } from 'node:fs/promises';
import { writeChunks } from '../write.ts';
import { DayGenerator, type DayOptions } from './generator.ts';
import type { DaySummary } from './summary.ts';

export interface DayFileOptions extends DayOptions {
  out: string;
  /** Where to write the riskgate config of the subscribed symbols (JSON). */
  configOut?: string;
  /** gzip level for a .gz output (default 1). */
  gzipLevel?: number;
  /** Told after each chunk how many messages are written so far (for a progress bar). */
  onProgress?: (messages: number) => void;
}

export const DAY_GZIP_LEVEL = 1;

export async function generateDay(opts: DayFileOptions): Promise<DaySummary> {
  const gen = new DayGenerator(opts);
  if (opts.configOut !== undefined) await writeFile(opts.configOut, `${JSON.stringify(gen.config(), null, 2)}\n`);
  const { gzip, fileBytes } = await writeChunks(gen, opts.out, opts.gzipLevel ?? DAY_GZIP_LEVEL, opts.onProgress);
  return gen.summary({ out: opts.out, gzip, fileBytes });
}

/** A whole day in memory (uncompressed BinaryFILE bytes, end marker included): for tests. */
export function generateDayBuffer(opts: DayOptions): { buf: Buffer; gen: DayGenerator } {
  const gen = new DayGenerator(opts);
  const parts: Buffer[] = [];
  for (let c = gen.nextChunk(); c; c = gen.nextChunk()) parts.push(c);
  return { buf: Buffer.concat(parts), gen };
}
