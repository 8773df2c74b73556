/**
 * Paced replays (`--speed realtime|N`) never stall silently at a gap in the ITCH timestamps:
 * a gap longer than `--max-idle` (default 1000 ms) is cut to it — the records are those of an
 * unpaced run — and progress (messages, session time, ETA) goes to stderr every few seconds
 * when stderr is not a TTY.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { frames, itch } from '../../src/itch/encode.ts';
import { DEFAULT_MAX_IDLE_MS, Pacer } from '../../src/replay/pacing.ts';
import { riskgate, riskgateJson } from './run-cli.ts';

const S = 1_000_000_000;
const T0 = 9 * 3600 * S;
let gap: string;

beforeAll(() => {
  const h = (ts: number) => ({ locate: 1, ts });
  const msgs = [itch.systemEvent(h(T0), 'O'), itch.stockDirectory(h(T0 + 1000), 'AAPL')];
  for (let i = 0; i < 20; i++) msgs.push(itch.addOrder(h(T0 + 2000 + i * 10_000_000), { ref: BigInt(i + 1), side: 'B', shares: 100, stock: 'AAPL', price: 1_900_000 }));
  // Half an hour without a message (as before the open), then more flow.
  for (let i = 0; i < 20; i++) msgs.push(itch.addOrder(h(T0 + 1800 * S + i * 10_000_000), { ref: BigInt(100 + i), side: 'S', shares: 100, stock: 'AAPL', price: 1_900_100 }));
  gap = join(mkdtempSync(join(tmpdir(), 'rg-pacing-')), 'gap.itch');
  writeFileSync(gap, frames(msgs, true));
});

describe('--max-idle', () => {
  it('the Pacer cuts a long wait to maxIdleMs and keeps the spacing after it', async () => {
    const p = new Pacer(1, 50);
    const t = Date.now();
    await p.until(0n);
    await p.until(BigInt(600 * S)); // ten minutes later
    await p.until(BigInt(600 * S + 20_000_000)); // then 20 ms
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(60);
    // Capped (~70 ms of timers) versus not capped (600 s): the bound leaves room for a starved
    // event loop without blurring that difference.
    expect(took).toBeLessThan(10_000);
    expect(p.gapsCapped).toBe(1);
    expect(DEFAULT_MAX_IDLE_MS).toBe(1000);
  });

  it('replay --speed 1 over a 30-minute gap ends in seconds with the records of an unpaced run', () => {
    const t = Date.now();
    const paced = riskgateJson(['replay', gap, '--speed', '1']);
    // Capped (~2 s of pacing plus the CLI's start, ~9.5 s at load ~21 on 2 cores) versus not
    // capped (1,800 s).
    expect(Date.now() - t).toBeLessThan(60_000);
    expect(paced.status).toBe(0);
    expect(paced.json.pacing).toMatchObject({ speed: '1', maxIdleMs: 1000, gapsCapped: 1 });
    expect(paced.json.pacing.idleSkippedMs).toBeGreaterThan(1_700_000);
    const max = riskgateJson(['replay', gap]);
    expect(paced.json.recordsSha256).toBe(max.json.recordsSha256);
  });

  it('the text report says how many gaps were cut', () => {
    const r = riskgate(['replay', gap, '--speed', 'realtime', '--max-idle', '200']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/pacing +--speed realtime: 1 idle gaps cut to --max-idle 200 ms/);
  });

  it('progress on a non-TTY stderr every few seconds: messages, session time, ETA', () => {
    const r = riskgate(['replay', gap, '--speed', '1', '--max-idle', '6000', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/riskgate replay: [\d,]+ messages, session time \d\d:\d\d:\d\d, [\d.]+% of the input, ETA ~\S+; 1 idle gaps cut to 6000 ms/);
  });

  it('bad values are usage errors', () => {
    for (const args of [['--speed', '1', '--max-idle', 'soon'], ['--max-idle', '1.5']]) {
      const r = riskgate(['replay', gap, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^riskgate replay: USAGE: --max-idle/);
    }
  });
});
