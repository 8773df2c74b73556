/**
 * A progress bar on stderr, shown only when stderr is a TTY (never in pipes, CI or --json
 * runs), redrawn at most ten times a second.
 */
export interface Progress {
  update: (done: number, total: number) => void;
  done: () => void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, unit: 'bytes' | 'messages' = 'bytes'): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  let drawn = false;
  const t0 = Date.now();
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 || total <= 0) return;
      last = now;
      const frac = Math.min(1, done / total);
      const width = 30;
      const fill = Math.round(frac * width);
      const secs = Math.max(0.001, (now - t0) / 1000);
      const amount = unit === 'bytes'
        ? `${(done / 1048576).toFixed(1)} MiB ${(done / 1048576 / secs).toFixed(1)} MiB/s`
        : `${(done / 1e6).toFixed(2)}M of ${(total / 1e6).toFixed(2)}M messages, ${(done / 1e6 / secs).toFixed(2)}M/s`;
      stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(1)}% ${amount}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
