/**
 * `riskgate decode rec.bin | head` and friends: a reader that closes stdout early ends the
 * command quietly with status 0 — no EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, riskgate, ROOT, SAMPLE } from './run-cli.ts';

let records: string;
beforeAll(() => {
  records = join(mkdtempSync(join(tmpdir(), 'rg-epipe-')), 'r.bin');
  const r = riskgate(['replay', join(ROOT, 'data/demo.itch.gz'), '--out', records, '--json']);
  expect(r.status).toBe(0);
}, 120_000);

/** Runs the CLI, reads the first chunk of its stdout, then closes the pipe. */
function closeEarly(args: string[]): Promise<{ status: number | null; stderr: string; got: number }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let got = 0;
    c.stderr.on('data', (d) => (stderr += d));
    c.stdout.once('data', (d: Buffer) => {
      got = d.length;
      c.stdout.destroy();
    });
    c.on('exit', (status) => resolve({ status, stderr, got }));
  });
}

describe('a closed stdout', () => {
  it('decode | head: exit 0, nothing on stderr', async () => {
    const r = await closeEarly(['decode', records]);
    expect(r.got).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('decode --json | head, inspect, replay --help: exit 0, no EPIPE', async () => {
    for (const args of [['decode', records, '--json'], ['inspect', SAMPLE], ['replay', '--help'], ['--help']]) {
      const r = await closeEarly(args);
      expect(r.stderr, args.join(' ')).not.toMatch(/EPIPE|Error/);
      expect(r.status, args.join(' ')).toBe(0);
    }
  }, 60_000);
});
