/**
 * Progress of a paced replay (`--speed realtime|N`) on stderr: messages so far, the session
 * time reached, the share of the input and an ETA, and how many idle gaps `--max-idle` cut
 * short. Redrawn in place on a TTY; otherwise one line every few seconds, so a long paced run
 * is never silent.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Batch } from '../source/file.ts';
import type { Pacer } from './pacing.ts';

/** Size of the decompressed input: the file's, or a gzip's ISIZE trailer (mod 2^32; a hint). */
export function inputSize(path: string): number {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b || size < 18) return size;
    const tail = Buffer.alloc(4);
    readSync(fd, tail, 0, 4, size - 4);
    const isize = tail.readUInt32LE(0);
    // ISIZE is modulo 2^32: add the wraps a compression ratio of at least 1 implies.
    let n = isize;
    while (n < size) n += 2 ** 32;
    return n;
  } finally {
    closeSync(fd);
  }
}

export function clockOf(ns: bigint): string {
  if (ns < 0n) return '--:--:--';
  const s = Number(ns / 1_000_000_000n);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface PacedProgress {
  wrap(src: AsyncIterable<Batch>): AsyncIterable<Batch>;
  /** The current line (also what is printed). */
  line(): string;
  stop(): void;
}

export function pacedProgress(file: string, pacer: Pacer, opts: { stream?: NodeJS.WriteStream; everyMs?: number } = {}): PacedProgress {
  const stream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const every = opts.everyMs ?? (tty ? 250 : 5000);
  const total = inputSize(file);
  const t0 = Date.now();
  let messages = 0;
  let offset = 0;
  let drawn = false;
  const line = () => {
    const frac = total > 0 ? Math.min(1, offset / total) : 0;
    const elapsed = Date.now() - t0;
    const eta = frac > 0.001 ? duration((elapsed * (1 - frac)) / frac) : '?';
    const gaps = pacer.gapsCapped > 0 ? `; ${pacer.gapsCapped} idle gaps cut to ${pacer.maxIdleMs} ms (${duration(Number(pacer.skippedNs / 1_000_000n))} skipped)` : '';
    return `riskgate replay: ${messages.toLocaleString('en-US')} messages, session time ${clockOf(pacer.lastTs)}, ${(frac * 100).toFixed(1)}% of the input, ETA ~${eta}${gaps}`;
  };
  const timer = setInterval(() => {
    if (tty) {
      stream.write(`\r${line()}\x1b[K`);
      drawn = true;
    } else stream.write(`${line()}\n`);
  }, every);
  timer.unref();
  return {
    line,
    async *wrap(src) {
      for await (const b of src) {
        messages += b.messages;
        offset = b.offset;
        yield b;
      }
    },
    stop() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
