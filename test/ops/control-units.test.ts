/**
 * Issue 10, "Units": `riskgate limit --symbol MSFT maxNotional 100000.00` used to answer in
 * engine units (`4000000000 → 1000000000`), and so did the dashboard's control log. People see
 * dollars and shares everywhere; engine units appear only in JSON fields named so
 * (`oldEngineUnits`, `newEngineUnits`, `valueEngineUnits`), which the audit replay uses.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { readAuditRun } from '../../src/control/audit.ts';
import { formatValue, RiskState } from '../../src/control/limits.ts';
import { ControlQueue } from '../../src/control/queue.ts';
import { ControlOp } from '../../src/itch/layout.ts';
import { getJson, replayJson, riskgate, serve, TOKEN, waitState } from './helpers/cli.ts';
import { writeSession } from './helpers/session.ts';

const CHROMIUM = '/usr/bin/chromium';
let dir: string;
let session: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-units-'));
  // ~20 s of ITCH time replayed in real time: room for three CLI calls and a browser on a busy machine.
  session = writeSession(join(dir, 'session.itch'), { messages: 100_000, seed: 5, gapNs: 200_000 });
});

/** Every [path, value] of a JSON value whose value is one of `values` (as a string or number). */
function fieldsWith(v: unknown, values: string[], path = ''): string[] {
  if (v === null || v === undefined) return [];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return values.includes(String(v)) ? [path] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => fieldsWith(x, values, `${path}[${i}]`));
  if (typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => fieldsWith(x, values, path ? `${path}.${k}` : k));
  return [];
}

describe('runtime limit changes are shown in dollars and shares, engine units only where named so', () => {
  it('riskgate limit maxNotional 123456.78 answers $400,000.00 → $123,456.78; --json, the API, the dashboard log, the report and the audit log name engine units', async () => {
    const audit = join(dir, 'audit.jsonl');
    const s = await serve([session, '--serve', '--port', '0', '--speed', '1', '--audit-out', audit, '--json']);
    const profile = mkdtempSync(join(tmpdir(), 'rg-chromium-'));
    const haveChromium = existsSync(CHROMIUM);
    const ctx = haveChromium
      ? await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
      : undefined;
    try {
      await waitState(s.url, (st) => st.counters.messages > 1000);
      const env = { RISKGATE_TOKEN: TOKEN };

      // The operator's text answer: dollars, with the unit; no engine units.
      const t = riskgate(['limit', '--symbol', 'MSFT', 'maxNotional', '123456.78', '--url', s.url, '--operator', 'units-test'], env);
      expect(t.status, t.stderr).toBe(0);
      expect(t.stdout).toMatch(/^applied: MAX_NOTIONAL MSFT \$400,000\.00 → \$123,456\.78 before seq \d+ /);
      expect(t.stdout).not.toMatch(/4000000000|1234567800/);
      const q = riskgate(['limit', '--symbol', 'MSFT', 'maxQty', '100', '--url', s.url], env);
      expect(q.stdout).toMatch(/^applied: MAX_QTY MSFT 1,500 shares → 100 shares before seq \d+ /);

      // --json: values in dollars, the engine's in fields that say so.
      const j = riskgate(['limit', '--account', 'BRAVO', 'creditLimit', '7500000.50', '--url', s.url, '--json'], env);
      expect(j.status, j.stderr).toBe(0);
      const applied = JSON.parse(j.stdout);
      expect(applied.control).toMatchObject({ what: 'CREDIT_LIMIT', targetName: 'BRAVO', old: '8000000.00', new: '7500000.50', unit: 'dollars', oldEngineUnits: '80000000000', newEngineUnits: '75000005000' });
      expect(fieldsWith(applied, ['80000000000', '75000005000']).sort()).toEqual(['control.newEngineUnits', 'control.oldEngineUnits']);

      // The API the dashboard reads (its control log): the same.
      const log = (await getJson(`${s.url}/api/audit`)).controls;
      expect(log[0]).toMatchObject({ what: 'MAX_NOTIONAL', old: '400000.00', new: '123456.78', unit: 'dollars', oldEngineUnits: '4000000000', newEngineUnits: '1234567800' });
      expect(log[1]).toMatchObject({ what: 'MAX_QTY', old: '1500', new: '100', unit: 'shares' });
      for (const where of ['/api/audit', '/api/state']) {
        const body = await getJson(`${s.url}${where}`);
        for (const p of fieldsWith(body, ['4000000000', '1234567800'])) expect(p, `${where}: ${p}`).toMatch(/EngineUnits$/);
      }

      // The dashboard's control log in a browser: dollars and shares.
      if (ctx) {
        const page = ctx.pages()[0] ?? (await ctx.newPage());
        await page.goto(`${s.url}/`);
        await page.fill('#token', TOKEN); // the state is read with the operator's token
        await page.waitForFunction(() => (document.getElementById('audit')?.textContent ?? '').includes('MAX_NOTIONAL'), undefined, { timeout: 15_000 });
        const table = (await page.textContent('#audit'))!;
        expect(table).toContain('$400,000.00 → $123,456.78');
        expect(table).toContain('1,500 shares → 100 shares');
        expect(table).toContain('$8,000,000.00 → $7,500,000.50');
        expect(table).not.toMatch(/4000000000|1234567800/);
      }

      const report = await s.report;
      expect((await s.exited).status, s.stderr()).toBe(0);
      expect(report.controlsApplied[0]).toMatchObject({ what: 'MAX_NOTIONAL', target: 'MSFT', old: '400000.00', new: '123456.78', unit: 'dollars', oldEngineUnits: '4000000000', newEngineUnits: '1234567800' });

      // The audit log keeps both; replaying it applies the engine units and reproduces the run.
      const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines[1]).toMatchObject({ what: 'MAX_NOTIONAL', old: '400000.00', new: '123456.78', unit: 'dollars', oldEngineUnits: '4000000000', newEngineUnits: '1234567800' });
      const again = replayJson([session, '--audit-in', audit]);
      expect(again.status, again.stderr).toBe(0);
      expect(again.json.recordsSha256).toBe(report.recordsSha256);
      expect(again.json.auditIn.matches).toBe(true);
    } finally {
      await ctx?.close();
      rmSync(profile, { recursive: true, force: true });
      s.child.kill('SIGKILL');
    }
  }, 90_000);

  it('an audit log written before units existed (engine units in old/new) is still replayed in engine units', () => {
    const path = join(dir, 'legacy.jsonl');
    writeFileSync(path, [
      { type: 'start', run: 'r0', wallTime: 'x', file: 'f', backend: 'rust', configSha256: 'c' },
      { type: 'control', run: 'r0', n: 1, what: 'MAX_NOTIONAL', op: ControlOp.MAX_NOTIONAL, target: 1, targetName: 'MSFT', old: '4000000000', new: '1000000000', seq: 10, wallTime: 'x', who: 'a', via: 'http' },
    ].map((l) => JSON.stringify(l)).join('\n'));
    const run = readAuditRun(path);
    expect(run.controls[0]).toMatchObject({ newEngineUnits: '1000000000', oldEngineUnits: '4000000000' });
    const q = new ControlQueue({ state: new RiskState(loadConfig()), run: 'r1' });
    q.schedule(run);
    q.take(10);
    expect(q.history[0]).toMatchObject({ old: '400000.00', new: '100000.00', unit: 'dollars', newEngineUnits: '1000000000' });
  });

  it('text values carry their unit', () => {
    expect(formatValue(ControlOp.MAX_NOTIONAL, 4000000000n)).toBe('$400,000.00');
    expect(formatValue(ControlOp.CREDIT_LIMIT, (1n << 64n) - 1n)).toBe('$1,844,674,407,370,955.1615');
    expect(formatValue(ControlOp.MAX_QTY, 1500n)).toBe('1,500 shares');
    expect(formatValue(ControlOp.POSITION_LIMIT, 6000n)).toBe('6,000 shares');
    expect(formatValue(ControlOp.COLLAR_BPS, 30n)).toBe('30 bps');
    expect(formatValue(ControlOp.MAX_ORDERS, 40n)).toBe('40 orders');
    expect(formatValue(ControlOp.DUP_WINDOW, 500_000_000n)).toBe('500,000,000 ns');
    expect(formatValue(ControlOp.GLOBAL_KILL, 1n)).toBe('on');
  });
});
