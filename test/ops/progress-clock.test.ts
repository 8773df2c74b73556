/**
 * The failover watchdog's clock (src/failover/progress-clock.ts): wall time less the time the
 * thread waited, runnable, for a CPU. A CPU-starved engine is slow, not hung; a blocked call
 * counts in full; without schedstat the clock is the wall clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { FailoverEngine } from '../../src/failover/engine.ts';
import { ProgressClock } from '../../src/failover/progress-clock.ts';
import { splitFrames } from '../../src/itch/framing.ts';
import { sessionBuffer } from './helpers/session.ts';

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STARVED_WORK = fileURLToPath(new URL('./helpers/starved-work.ts', import.meta.url));

describe('ProgressClock', () => {
  it('subtracts the run-queue wait read from schedstat, never more than the wall time', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'rg-pclock-')), 'schedstat');
    writeFileSync(f, '1000 5000000 3\n');
    const clock = new ProgressClock(f);
    expect(clock.excludesCpuWaits).toBe(true);
    const t0 = clock.start();
    sleep(50);
    writeFileSync(f, '2000 35000000 9\n'); // 30 ms more spent waiting for a CPU
    const a = clock.since(t0);
    expect(a.wallNs).toBeGreaterThanOrEqual(50e6);
    expect(a.waitNs).toBe(30e6);
    expect(a.progressNs).toBe(a.wallNs - 30e6);
    writeFileSync(f, '3000 99000000000 9\n'); // more than the wall time: clamped
    const b = clock.since(t0);
    expect(b.waitNs).toBe(b.wallNs);
    expect(b.progressNs).toBe(0);
    clock.close();
  });

  it('is the wall clock where schedstat cannot be read (never misses a hang)', () => {
    const clock = new ProgressClock('/nonexistent/schedstat');
    expect(clock.excludesCpuWaits).toBe(false);
    const t0 = clock.start();
    sleep(30);
    const r = clock.since(t0);
    expect(r.waitNs).toBe(0);
    expect(r.progressNs).toBe(r.wallNs);
    expect(r.wallNs).toBeGreaterThanOrEqual(30e6);
  });

  it('counts a blocked call in full: a sleep is not a wait for a CPU', () => {
    const clock = new ProgressClock();
    expect(clock.excludesCpuWaits).toBe(true); // Linux with schedstat: the only platform the engine is built for
    const t0 = clock.start();
    sleep(200);
    const r = clock.since(t0);
    // Only the moments after the wake-up (runnable, no CPU yet) may be subtracted.
    expect(r.progressNs).toBeGreaterThanOrEqual(199e6);
    clock.close();
  });

  it('a CPU-bound call starved by three busy loops on its CPU: most of its wall time is waiting, not progress', async () => {
    expect(spawnSync('taskset', ['-c', '0', 'true']).status, 'taskset (util-linux) is needed').toBe(0);
    const hogs = [0, 1, 2].map(() => spawn('taskset', ['-c', '0', process.execPath, '-e', 'for (;;);'], { stdio: 'ignore' }));
    try {
      const r = spawnSync('taskset', ['-c', '0', process.execPath, '--import', 'tsx', STARVED_WORK, '30000000'], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const m = JSON.parse(r.stdout);
      expect(m.excludesCpuWaits).toBe(true);
      // Four runnable threads on one CPU: a fair share is a quarter, so about three quarters
      // of the wall time is run-queue wait; at least half, whatever else the machine runs.
      expect(m.waitNs).toBeGreaterThan(m.wallNs / 2);
      expect(m.progressNs).toBeLessThan(m.wallNs / 2);
      console.log(`[progress-clock] starved CPU-bound work: ${(m.wallNs / 1e6).toFixed(0)} ms wall, ${(m.waitNs / 1e6).toFixed(0)} ms waiting for a CPU, ${(m.progressNs / 1e6).toFixed(0)} ms progress`);
    } finally {
      for (const h of hogs) h.kill('SIGKILL');
    }
  }, 60_000);
});

describe('failover watchdog on the progress clock', () => {
  let blob: Buffer;
  let parts: Buffer[];
  beforeAll(() => {
    blob = configBlob(loadConfig());
    parts = splitFrames(sessionBuffer({ messages: 8_000, seed: 7 }), 4096);
  });

  /** A clock that reports every call as `wallMs` long, `waitMs` of it waiting for a CPU. */
  class FixedClock extends ProgressClock {
    constructor(private readonly wallMs: number, private readonly waitMs: number) {
      super('/nonexistent/schedstat');
    }
    override since() {
      return { wallNs: this.wallMs * 1e6, waitNs: this.waitMs * 1e6, progressNs: (this.wallMs - this.waitMs) * 1e6 };
    }
  }

  it('a batch 5 s long in wall time, 4.9 s of it waiting for a CPU, is not a hang', () => {
    const fo = new FailoverEngine(new RustEngine(blob), new RustEngine(blob), { hangTimeoutMs: 200, clock: new FixedClock(5000, 4900) });
    for (const p of parts) fo.process(p);
    expect(fo.events).toEqual([]);
    expect(fo.activeRole).toBe('primary');
  });

  it('a batch with 300 ms of progress is a hang under a 200 ms watchdog, and the message says why', () => {
    const fo = new FailoverEngine(new RustEngine(blob), new RustEngine(blob), { hangTimeoutMs: 200, clock: new FixedClock(1300, 1000) });
    fo.process(parts[0]);
    expect(fo.events).toHaveLength(1);
    expect(fo.events[0]).toMatchObject({ kind: 'hang', seq: 1 });
    expect(fo.events[0].error).toBe('rust took 300.0 ms for one batch, not counting 1000.0 ms waiting for a CPU (1300.0 ms wall; watchdog 200 ms)');
    expect(fo.activeRole).toBe('standby');
  });
});
