/**
 * SIGINT/SIGTERM during `replay --serve` end the run gracefully at any moment: mid-run, right
 * after the start, or during --hold right after the report — the run stops at a batch
 * boundary, the report is printed (saying where it stopped), the audit log gets its end line,
 * and the exit status is 0. (The --hold case was the flaky "expected null to be 0" of
 * security.test.ts: the handler used to be attached only after the report was printed.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, serve, TOKEN, waitState } from './helpers/cli.ts';
import { writeSession } from './helpers/session.ts';

let dir: string;
let session: string;
const MESSAGES = 30_000;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-sigint-'));
  // ~12 s of ITCH time at --speed 1: a signal lands mid-run.
  session = writeSession(join(dir, 'session.itch'), { messages: MESSAGES, seed: 3, gapNs: 400_000 });
});

const auditLines = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

// Preloaded into the child: a stderr line once bin/riskgate.js has attached its signal handler.
const SIGNAL_READY = fileURLToPath(new URL('./helpers/signal-ready.cjs', import.meta.url));

/** Resolves when the child says it handles `sig` (node is up, bin/riskgate.js's first lines ran). */
function handles(child: ChildProcess, sig: NodeJS.Signals, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (stderr().includes(`signal-ready: ${sig} handled\n`)) {
        child.stderr!.off('data', check);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (status, signal) => reject(new Error(`exited (${status ?? signal}) before handling ${sig}:\n${stderr()}`)));
    check();
  });
}

describe('SIGINT during replay --serve', () => {
  it('mid-run: stops at a batch boundary, prints the report, writes the audit end line, exit 0', async () => {
    const audit = join(dir, 'mid.jsonl');
    const s = await serve([session, '--serve', '--port', '0', '--speed', '1', '--audit-out', audit, '--json']);
    try {
      await waitState(s.url, (st) => st.counters.messages > 1000, 30_000);
      s.child.kill('SIGINT');
      const { status, signal } = await s.exited;
      expect(signal).toBeNull();
      expect(status, s.stderr()).toBe(0);
      const report = await s.report;
      expect(report.interrupted).toMatchObject({ signal: 'SIGINT', beforeSeq: expect.any(Number) });
      expect(report.messages).toBeGreaterThan(1000);
      expect(report.messages).toBeLessThan(MESSAGES);
      expect(report.interrupted.beforeSeq).toBe(report.messages + 1);
      const end = auditLines(audit).at(-1);
      expect(end).toMatchObject({ type: 'end', status: 'interrupted', messages: report.messages, recordsSha256: report.recordsSha256, beforeSeq: report.interrupted.beforeSeq });
    } finally {
      s.child.kill('SIGKILL');
    }
  }, 60_000);

  it('during --hold, right after the report: exit 0 every time', async () => {
    for (let i = 0; i < 3; i++) {
      const s = await serve([session, '--serve', '--port', '0', '--hold', '--json']);
      try {
        await s.report; // the report line, then at once the signal
        s.child.kill('SIGINT');
        const { status, signal } = await s.exited;
        expect(signal).toBeNull();
        expect(status, s.stderr()).toBe(0);
      } finally {
        s.child.kill('SIGKILL');
      }
    }
  }, 90_000);

  it('right after the start (while the command loads): exit 0 with a report and an audit end line', async () => {
    const audit = join(dir, 'early.jsonl');
    const child = spawn(process.execPath, ['--require', SIGNAL_READY, BIN, 'replay', session, '--serve', '--port', '0', '--speed', '1', '--audit-out', audit, '--json'], {
      cwd: ROOT, env: { ...process.env, RISKGATE_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (status, signal) => r({ status, signal })));
    // At once when bin/riskgate.js's first lines have run: tsx and the command are still loading.
    // (Not a fixed delay: on a loaded machine node alone can take longer than any guess to boot,
    // and a signal before its handler exists kills the process — no program can catch that.)
    await handles(child, 'SIGTERM', () => err);
    child.kill('SIGTERM');
    const { status, signal } = await exited;
    expect(signal).toBeNull();
    expect(status, err).toBe(0);
    const report = JSON.parse(out);
    expect(report.interrupted).toMatchObject({ signal: 'SIGTERM', beforeSeq: 1 });
    expect(report.messages).toBe(0);
    expect(auditLines(audit).at(-1)).toMatchObject({ type: 'end', status: 'interrupted' });
  }, 60_000);

  it('a plain replay (no --serve) stops on SIGINT with its text report saying so', async () => {
    const child = spawn(process.execPath, ['--require', SIGNAL_READY, BIN, 'replay', session, '--speed', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (status) => r(status)));
    // Node up first (see above), then ~4 s into the 12 s paced run.
    await handles(child, 'SIGINT', () => err);
    await new Promise((r) => setTimeout(r, 4000));
    child.kill('SIGINT');
    expect(await exited, err).toBe(0);
    expect(out).toMatch(/^INTERRUPTED by SIGINT before seq \d+ \(offset \d+\): the report covers the messages before it/);
    expect(out).toMatch(/SHA-256|sha256/i);
  }, 60_000);
});
