/**
 * The live gateway end to end, as a user runs it (spec §18.6): `riskgate venue-sim` and
 * `riskgate gateway --serve --audit-out --record` as processes, three clients for three
 * accounts. Expectations are computed here, not by the engine: the book at the stop position
 * from an independent scan of the ITCH orders, the limits from the config. Checked: every
 * answer (accepted and forwarded — the venue's count of received orders equals the gateway's
 * accepts — or rejected with the OUCH code of the expected lowest reason); a marketable order
 * executes at the venue and the in-process clearing books it; an operator account kill
 * mass-cancels that account's open orders at the venue (Canceled `S` to the client) and
 * refuses its new ones — the operator presses the account's kill button on the dashboard
 * (headless Chromium), which shows the sessions and open orders; metrics and the audit log
 * show the sessions; the recorded merged
 * stream replays to the gateway's digest.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OuchClient, type Answer } from '../../src/client/index.ts';
import { OuchReject, OUCH_REJECT_BY_REASON_BIT, Reason } from '../../src/contract.ts';
import { riskgate, ROOT } from '../cli/run-cli.ts';
import { startJson, type JsonProcess } from './cli-process.ts';
import { firstMessages, topOfBook } from './top-of-book.ts';
import { DEMO_STOP, writeDemoConfig } from './demo-fixture.ts';

const STOP = DEMO_STOP;
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const TOKEN = 'e2e-gateway-token-0123456789abcdef';

const code = (bit: number) => OuchReject[OUCH_REJECT_BY_REASON_BIT[bit]];
const bitOf = (r: number) => 31 - Math.clz32(r);

describe('riskgate gateway with riskgate venue-sim, end to end', () => {
  const procs: JsonProcess[] = [];
  const clients: OuchClient[] = [];
  afterAll(() => {
    for (const c of clients) c.destroy();
    for (const p of procs) p.kill();
  });

  it('answers each client per the spec, clears venue executions, mass-cancels on an account kill, and its recording replays to its digest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-gw-e2e-'));
    const { path: cfgPath, json } = writeDemoConfig(dir, (j) => {
      j.orderEntry.maxOpenOrders = 3;
      j.orderEntry.sessions.push({ username: 'CHARL1', password: 'charlie-pw', account: 'CHARLIE' });
    });
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const data = join(ROOT, 'data/demo.itch.gz');
    const top = topOfBook(data, STOP);
    const sym = (s: string) => json.symbols.find((x: { symbol: string }) => x.symbol === s);

    const venue = startJson(['venue-sim', data, '--port', '0', '--stop-at', String(STOP), '--json']);
    procs.push(venue);
    const vl = await venue.next('listening');
    const merged = join(dir, 'merged.itch');
    const audit = join(dir, 'audit.jsonl');
    const gw = startJson(['gateway', data, '--config', cfgPath, '--port', '0', '--venue', `127.0.0.1:${vl.port}`, '--stop-at', String(STOP),
      '--record', merged, '--serve', '--http-port', '0', '--token-file', tokenFile, '--audit-out', audit, '--json']);
    procs.push(gw);
    const url = (await gw.next('serving')).url as string;
    const port = (await gw.next('listening')).port as number;
    await gw.next('feed');
    await venue.next('feed');

    const alpha = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
    const bravo = await OuchClient.connect({ port, username: 'BRAVO1', password: 'bravo-pw' });
    const charlie = await OuchClient.connect({ port, username: 'CHARL1', password: 'charlie-pw' });
    clients.push(alpha, bravo, charlie);
    const px = (p: number) => BigInt(p);

    // ALPHA, AAPL: a marketable sell of 10 at the bid (the venue fills it at once), one over
    // maxQty (MAX_QTY is its lowest failing bit), one far outside the 30 bp collar (COLLAR).
    const aapl = top.get('AAPL')!;
    expect(aapl.bid).toBeGreaterThan(0);
    const sell = alpha.enter({ side: 'S', quantity: 10, symbol: 'AAPL', price: px(aapl.bid) });
    const tooBig = alpha.enter({ side: 'S', quantity: sym('AAPL').maxQty + 1, symbol: 'AAPL', price: px(aapl.ask) });
    const offCollar = alpha.enter({ side: 'S', quantity: 7, symbol: 'AAPL', price: px(Math.round(aapl.ask * 1.05)) });
    // BRAVO, NVDA: four small resting buys below the bid (within the collar); the limit is 3 open orders.
    const nvda = top.get('NVDA')!;
    const restPx = nvda.bid - 100; // one cent below the best bid: rests at the venue
    const rests = [1, 2, 3, 4].map((q) => bravo.enter({ side: 'B', quantity: q, symbol: 'NVDA', price: px(restPx) }));
    // CHARLIE, TSLA: one resting sell above the ask (stays open through BRAVO's kill).
    const tsla = top.get('TSLA')!;
    const cRest = charlie.enter({ side: 'S', quantity: 5, symbol: 'TSLA', price: px(tsla.ask + 100) });

    const a = new Map<string, Answer>();
    for (const [c, n, refs] of [[alpha, 'A', [sell, tooBig, offCollar]], [bravo, 'B', rests], [charlie, 'C', [cRest]]] as const) {
      for (const r of refs) a.set(`${n}${r}`, await c.answer(r, 10_000));
    }
    expect(a.get(`A${sell}`)!.kind).toBe('ORDER_ACCEPTED');
    expect(a.get(`A${tooBig}`)).toMatchObject({ kind: 'ORDER_REJECTED', values: { reason: code(bitOf(Reason.MAX_QTY)) } });
    expect(a.get(`A${offCollar}`)).toMatchObject({ kind: 'ORDER_REJECTED', values: { reason: code(bitOf(Reason.COLLAR)) } });
    for (const r of rests.slice(0, 3)) expect(a.get(`B${r}`)!.kind).toBe('ORDER_ACCEPTED');
    expect(a.get(`B${rests[3]}`)).toMatchObject({ kind: 'ORDER_REJECTED', values: { reason: code(bitOf(Reason.OPEN_ORDERS)) } });
    expect(a.get(`C${cRest}`)!.kind).toBe('ORDER_ACCEPTED');
    const exec = await alpha.waitFor((x) => x.kind === 'ORDER_EXECUTED' && x.values.userRefNum === sell, 10_000);
    expect(exec.values).toMatchObject({ quantity: 10, price: px(aapl.bid) });

    // The dashboard shows the sessions and the accounts' open orders; the operator kills BRAVO
    // with its button: its three resting orders are canceled at the venue (S), the new one refused.
    const profile = mkdtempSync(join(tmpdir(), 'rg-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 1600 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${url}/`);
      await page.fill('#token', TOKEN);
      await page.fill('#operator', 'e2e');
      await page.waitForFunction(() => !document.getElementById('order-entry')!.hidden && document.getElementById('oe-accounts')!.textContent!.includes('BRAVO'), undefined, { timeout: 30_000 });
      const row = (table: string, first: string) => page.$$eval(`#${table} tbody tr`, (trs, f) => trs.map((tr) => [...tr.children].map((td) => td.textContent)).find((r) => r[0] === f), first);
      expect(await row('oe-sessions', 'BRAVO1')).toEqual(expect.arrayContaining(['BRAVO1', 'BRAVO', '4', '3', '1', 'OPEN_ORDERS 1']));
      expect((await row('oe-accounts', 'BRAVO'))!.slice(0, 2)).toEqual(['BRAVO', '3']);
      await page.click('#kill-account-BRAVO');
      await page.waitForFunction(() => document.getElementById('status-line')!.textContent!.length > 0, undefined, { timeout: 30_000 });
      expect(await page.textContent('#status-line')).not.toMatch(/refused|error|unauthorized/i);
      await page.waitForFunction(() => document.getElementById('kill-account-BRAVO')?.textContent?.startsWith('killed'), undefined, { timeout: 30_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'gateway-dashboard.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await ctx.close();
    }
    for (const r of rests.slice(0, 3)) {
      const c = await bravo.waitFor((x) => x.kind === 'ORDER_CANCELED' && x.values.userRefNum === r, 10_000);
      expect(c.values).toMatchObject({ quantity: rests.indexOf(r) + 1, reason: 'S' });
    }
    const after = bravo.enter({ side: 'B', quantity: 9, symbol: 'NVDA', price: px(restPx) });
    expect((await bravo.answer(after, 10_000)).kind).toBe('ORDER_REJECTED');

    const m = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(m).toContain('riskgate_client_orders_total{session="BRAVO1",verdict="accepted"} 3');
    expect(m).toContain('riskgate_client_orders_total{session="BRAVO1",verdict="rejected"} 2');
    expect(m).toContain('riskgate_client_open_orders{account="BRAVO"} 0');
    expect(m).toContain('riskgate_client_open_orders{account="CHARLIE"} 1');
    expect(m).toContain('riskgate_client_mass_canceled_total{scope="account"} 3');
    const state = await (await fetch(`${url}/api/state`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(state.orderEntry.accounts.find((x: { account: string }) => x.account === 'CHARLIE').openOrders).toBe(1);

    for (const c of clients) await c.logout();
    const sum = await gw.stop();
    const vs = await venue.stop();
    // Forwarded: the venue received exactly the orders the gateway accepted, and executed ALPHA's.
    expect(sum.ouch).toMatchObject({ checked: 9, accepted: 5, rejected: 4, executed: 1 });
    expect(vs.ouch.accepted).toBe(5);
    expect(vs.executions).toBe(1);
    expect(sum.massCanceled).toBe(3);
    // Clearing: the venue's execution moved ALPHA's AAPL position by −10 from the strategy's own.
    const r = riskgate(['replay', merged, '--config', cfgPath, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.recordsSha256).toBe(sum.recordsSha256);
    const pos = (rp: { positions: { account: string; symbol: string; position: number }[] }) => rp.positions.find((p) => p.account === 'ALPHA' && p.symbol === 'AAPL')!.position;
    expect(pos(sum.clearing)).toBe(pos(rep.clearing));
    const head = join(dir, 'head.itch');
    writeFileSync(head, firstMessages(data, STOP));
    const plain = riskgate(['replay', head, '--config', cfgPath, '--json']);
    expect(plain.status, plain.stderr).toBe(0);
    expect(pos(sum.clearing)).toBe(pos(JSON.parse(plain.stdout).clearing) - 10);
    // The audit log: logins, rejects and logouts of each session, the control, the mass cancel.
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const ev = (e: string, s?: string) => lines.filter((l) => l.type === 'order_entry' && l.event === e && (s === undefined || l.session === s)).length;
    for (const s of ['ALPHA1', 'BRAVO1', 'CHARL1']) {
      expect(ev('login', s)).toBe(1);
      expect(ev('logout', s)).toBe(1);
    }
    expect(ev('reject', 'ALPHA1')).toBe(2);
    expect(ev('reject', 'BRAVO1')).toBe(2);
    expect(lines.find((l) => l.type === 'order_entry' && l.event === 'mass_cancel' && l.scope === 'account BRAVO')).toMatchObject({ orders: 3 });
    expect(lines.filter((l) => l.type === 'control').map((l) => [l.what, l.targetName, l.new, l.who])).toEqual([['ACCOUNT_KILL', 'BRAVO', '1', 'e2e']]);
  }, 240_000);
});
