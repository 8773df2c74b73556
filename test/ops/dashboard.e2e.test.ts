/**
 * End to end in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * the dashboard of a paced live replay shows the numbers moving; the operator enters the
 * token, presses the kill switch, and then sees rejections with the KILL reason. A
 * screenshot is kept in test/artifacts/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getJson, serve, TOKEN } from './helpers/cli.ts';
import { writeSession } from './helpers/session.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const haveChromium = existsSync(CHROMIUM);

let dir: string;
let session: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-e2e-'));
  // 400 s of ITCH time: at --speed 20 the replay would take ~20 s; the test stops it early.
  session = writeSession(join(dir, 'session.itch'), { messages: 40_000, seed: 21, gapNs: 10_000_000 });
});

const num = (s: string | null) => Number((s ?? '').replace(/,/g, ''));

describe('dashboard in headless Chromium', () => {
  it(`${CHROMIUM} is installed (scripts/bootstrap.sh installs Debian's chromium)`, () => {
    expect(haveChromium).toBe(true);
  });

  it('shows live numbers, takes the token, kills trading, then shows KILL rejections', async () => {
    const s = await serve([session, '--serve', '--port', '0', '--speed', '20', '--json']);
    const profile = mkdtempSync(join(tmpdir(), 'rg-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 1300 },
    });
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${s.url}/`);
      expect(await page.content()).not.toContain(TOKEN);

      // Without the token the page shows no state and the button refuses locally.
      await page.waitForFunction(() => document.getElementById('run')!.textContent!.includes('enter the API token'));
      await page.click('#kill-global');
      await page.waitForFunction(() => document.getElementById('status-line')!.textContent!.includes('enter the API token'));
      await page.fill('#token', TOKEN);
      await page.fill('#operator', 'e2e-operator');

      // With it, live numbers move.
      await page.waitForFunction(() => Number(document.getElementById('messages')!.textContent!.replace(/,/g, '')) > 0);
      const m1 = num(await page.textContent('#messages'));
      await page.waitForFunction((m) => Number(document.getElementById('messages')!.textContent!.replace(/,/g, '')) > m + 500, m1);
      await page.waitForFunction(() => Number(document.getElementById('decisions')!.textContent!.replace(/,/g, '')) > 0);
      expect(num(await page.textContent('#reason-KILL'))).toBe(0);
      expect(await page.textContent('#kill-state')).toContain('trading enabled');

      // The kill switch is applied in band.
      await page.click('#kill-global');
      await page.waitForFunction(() => document.getElementById('status-line')!.textContent!.startsWith('applied: GLOBAL_KILL'), undefined, { timeout: 15_000 });
      const line = (await page.textContent('#status-line'))!;
      const seq = Number(/before seq (\d+)/.exec(line)![1]);
      expect(seq).toBeGreaterThan(m1);

      // Rejections with the KILL reason appear and keep coming.
      await page.waitForFunction(() => Number(document.getElementById('reason-KILL')!.textContent!.replace(/,/g, '')) >= 20, undefined, { timeout: 20_000 });
      expect(await page.textContent('#kill-state')).toContain('KILL SWITCH ON');
      expect(await page.textContent('#audit')).toContain('e2e-operator');
      const st = await getJson(`${s.url}/api/state`);
      expect(st.kill.global).toBe(true);
      expect(st.controls[0]).toMatchObject({ what: 'GLOBAL_KILL', seq, who: 'e2e-operator', via: 'http' });
      expect(st.rejections.KILL).toBeGreaterThanOrEqual(20);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      expect(existsSync(join(ARTIFACTS, 'dashboard.png'))).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
      s.child.kill('SIGKILL');
    }
  }, 90_000);
});
