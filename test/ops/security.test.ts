/**
 * The control surface refuses what it must, and a refused call changes nothing: during a live
 * replay, limit changes without the token, with a wrong token, from a foreign Origin, or with
 * a malformed payload get 401 / 403 / 400 with a reason, are logged (never with a token), and
 * the run's records are byte for byte those of the same replay without a server.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { authGet, getJson, parseMetrics, post, replayJson, riskgate, serve, TOKEN, waitState } from './helpers/cli.ts';
import { writeSession } from './helpers/session.ts';

let dir: string;
let session: string;
const AUTH = { authorization: `Bearer ${TOKEN}` };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-sec-'));
  // 30k messages 0.4 ms apart: a 12 s real-time run leaves room for every mid-run call on a loaded machine.
  session = writeSession(join(dir, 'session.itch'), { messages: 30_000, seed: 5, gapNs: 400_000 });
});

function rawRequest(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('refused changes change nothing', () => {
  it('401 without or with a wrong token, 403 from a foreign origin, 400 for bad payloads; records unchanged', async () => {
    const baseline = replayJson([session]);
    expect(baseline.status).toBe(0);
    // Real time (~12 s) so the refused calls land mid-run; --hold keeps the server up for the checks after it.
    const s = await serve([session, '--serve', '--port', '0', '--speed', '1', '--hold', '--json']);
    try {
      await waitState(s.url, (st) => st.counters.messages > 3000);
      const good = { symbol: 'AAPL', limit: 'maxQty', value: 10 };
      const WRONG = 'wrong-token-9f8e7d6c5b4a';

      const cases: [string, number, () => Promise<{ status: number; json: any }>, RegExp][] = [
        ['no token', 401, () => post(s.url, '/api/limit', good), /missing bearer token/],
        ['wrong token', 401, () => post(s.url, '/api/limit', good, { authorization: `Bearer ${WRONG}` }), /wrong token/],
        ['not a bearer', 401, () => post(s.url, '/api/kill', { on: true }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }), /missing/],
        ['foreign origin', 403, () => post(s.url, '/api/limit', good, { ...AUTH, origin: 'http://evil.example' }), /foreign origin/],
        ['origin null', 403, () => post(s.url, '/api/kill', { on: true }, { ...AUTH, origin: 'null' }), /foreign origin/],
        ['same host, other port', 403, () => post(s.url, '/api/kill', { on: true }, { ...AUTH, origin: 'http://127.0.0.1:1' }), /foreign origin/],
        ['cross-site fetch', 403, () => post(s.url, '/api/kill', { on: true }, { ...AUTH, 'sec-fetch-site': 'cross-site' }), /cross-site/],
        ['foreign origin without token', 403, () => post(s.url, '/api/kill', { on: true }, { origin: 'http://evil.example' }), /foreign origin/],
        ['negative limit', 400, () => post(s.url, '/api/limit', { ...good, value: -100 }, AUTH), /negative/],
        ['negative money', 400, () => post(s.url, '/api/limit', { symbol: 'AAPL', limit: 'maxNotional', value: '-1.00' }, AUTH), /negative/],
        ['overflowing limit', 400, () => post(s.url, '/api/limit', { ...good, value: 4294967296 }, AUTH), /overflows/],
        ['overflowing position limit', 400, () => post(s.url, '/api/limit', { symbol: 'AAPL', limit: 'positionLimit', value: '2147483648' }, AUTH), /overflows/],
        ['overflowing credit', 400, () => post(s.url, '/api/limit', { account: 'ALPHA', limit: 'creditLimit', value: '99999999999999999999.00' }, AUTH), /overflows/],
        ['unknown symbol', 400, () => post(s.url, '/api/limit', { ...good, symbol: 'GOOG' }, AUTH), /unknown symbol/],
        ['unknown symbol kill', 400, () => post(s.url, '/api/kill', { symbol: 'GOOG', on: true }, AUTH), /unknown symbol/],
        ['wrong type', 400, () => post(s.url, '/api/limit', { ...good, value: 'lots' }, AUTH), /whole number/],
        ['wrong type (bool)', 400, () => post(s.url, '/api/limit', { ...good, value: true }, AUTH), /whole number/],
        ['kill flag of wrong type', 400, () => post(s.url, '/api/kill', { on: 1 }, AUTH), /true or false/],
        ['unknown limit', 400, () => post(s.url, '/api/limit', { ...good, limit: 'maxLoss' }, AUTH), /unknown limit/],
        ['unknown field', 400, () => post(s.url, '/api/limit', { ...good, force: true }, AUTH), /unknown field/],
        ['array body', 400, () => post(s.url, '/api/limit', [good], AUTH), /JSON object/],
        ['not JSON', 400, () => post(s.url, '/api/limit', '{"symbol": AAPL', AUTH), /JSON/i],
      ];
      for (const [name, want, call, why] of cases) {
        const r = await call();
        expect(r.status, `${name}: ${JSON.stringify(r.json)}`).toBe(want);
        expect(r.json.reason, name).toMatch(why);
      }
      expect((await getJson(`${s.url}/health`)).run).toBe('running'); // all of the above happened during the run
      // The CLI reports the refusal and fails.
      const cli = riskgate(['limit', '--symbol', 'AAPL', 'maxQty', '10', '--url', s.url], { RISKGATE_TOKEN: WRONG });
      expect(cli.status).toBe(10);
      expect(cli.stderr).toMatch(/^riskgate limit: AUTH_REFUSED: the server refused the call \(401\): wrong token\n$/);
      const cli400 = riskgate(['limit', '--symbol', 'AAPL', 'maxQty', '12.5', '--url', s.url], { RISKGATE_TOKEN: TOKEN });
      expect(cli400.status).toBe(2);
      expect(cli400.stderr).toMatch(/^riskgate limit: USAGE: the server refused the call \(400\): maxQty must be a whole number/);
      // DNS rebinding: a foreign Host name is refused even for reads.
      expect(await rawRequest(`${s.url}/api/state`, { host: 'attacker.example:80' })).toBe(403);

      const st = await getJson(`${s.url}/api/state`);
      expect(st.limits.symbols[0]).toMatchObject({ symbol: 'AAPL', maxQty: 2000, kill: false });
      expect(st.kill.global).toBe(false);
      expect(st.controls).toEqual([]);
      const m = parseMetrics(await (await authGet(`${s.url}/metrics`)).text());
      expect(m.get('riskgate_auth_failures_total{reason="missing_token"}')).toBe(2);
      expect(m.get('riskgate_auth_failures_total{reason="wrong_token"}')).toBe(2);
      expect(m.get('riskgate_auth_failures_total{reason="origin"}')).toBe(5);

      const report = await s.report;
      expect(report.recordsSha256).toBe(baseline.json.recordsSha256);
      expect(report.controls).toBe(0);
      expect(report.controlsApplied).toEqual([]);

      // Every refusal is logged as structured JSON on stderr; tokens never appear in the logs.
      const logs = s.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      const refused = logs.filter((l) => l.event === 'control_refused');
      expect(refused.filter((l) => l.status === 401)).toHaveLength(4);
      expect(refused.filter((l) => l.status === 403)).toHaveLength(5);
      expect(refused.filter((l) => l.status === 400).length).toBeGreaterThanOrEqual(13);
      expect(refused.every((l) => l.level === 40 && l.ip === '127.0.0.1')).toBe(true);
      expect(s.stderr()).not.toContain(TOKEN);
      expect(s.stderr()).not.toContain(WRONG);
      // stdout is the one JSON report, nothing else.
      expect(s.stdout().trim().split('\n')).toHaveLength(1);
      s.child.kill('SIGINT');
      expect((await s.exited).status).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('binds to 127.0.0.1 by default and generates a token when none is configured', async () => {
    const s = await serve([session, '--serve', '--port', '0', '--speed', '1', '--json'], { RISKGATE_TOKEN: '' });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const m = /API token: (\S+)/.exec(s.stderr());
      expect(m).not.toBeNull();
      const tok = m![1];
      expect(tok.length).toBeGreaterThanOrEqual(32);
      expect((await post(s.url, '/api/kill', { symbol: 'TSLA', on: true }, { authorization: `Bearer ${TOKEN}` })).status).toBe(401);
      const ok = await post(s.url, '/api/kill', { symbol: 'TSLA', on: true }, { authorization: `Bearer ${tok}` });
      expect(ok.status).toBe(200);
      expect(ok.json.control).toMatchObject({ what: 'SYMBOL_KILL', targetName: 'TSLA', new: '1' });
      // The dashboard never carries the token.
      for (const p of ['/', '/app.js']) expect(await (await fetch(`${s.url}${p}`)).text()).not.toContain(tok);
      const page = await fetch(`${s.url}/`);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    } finally {
      s.child.kill('SIGKILL');
    }
  });
});
