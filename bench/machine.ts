/** What a benchmark ran on: printed first so numbers are never quoted without their machine. */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export function machineBanner(): string {
  const c = cpus();
  const rustc = (() => {
    try {
      return execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return 'rustc unknown';
    }
  })();
  return [
    `cpu:          ${c[0]?.model ?? 'unknown'} × ${c.length} (${c[0]?.speed ?? '?'} MHz nominal)`,
    `clock source: ${read('/sys/devices/system/clocksource/clocksource0/current_clocksource')} (process.hrtime.bigint)`,
    `memory:       ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `runtime:      node ${process.version}, ${rustc}`,
    `note:         a shared, noisy 2-core machine: compare ratios and side-by-side runs, not absolutes`,
  ].join('\n');
}
