/**
 * The control server in process: a token in a query string never reaches the logs (every URL
 * logged is redacted); reads of the state and the audit need the token, /metrics and /health
 * too unless the operator opts into --public-metrics; a token refused at start writes nothing
 * to the append-only audit log.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { startControlPlane, type ControlPlane } from '../../src/control/plane.ts';
import { createLogger } from '../../src/log/index.ts';
import { redactUrl } from '../../src/server/redact.ts';

const TOKEN = 'server-auth-test-token-93c1d0';
const dir = mkdtempSync(join(tmpdir(), 'rg-srvauth-'));
let saved: string | undefined;
let planes: ControlPlane[] = [];

beforeEach(() => {
  saved = process.env.RISKGATE_TOKEN;
  process.env.RISKGATE_TOKEN = TOKEN;
});
afterEach(async () => {
  if (saved === undefined) delete process.env.RISKGATE_TOKEN;
  else process.env.RISKGATE_TOKEN = saved;
  for (const p of planes) await p.close();
  planes = [];
});

async function start(extra: Record<string, unknown> = {}): Promise<{ url: string; logs: () => string; plane: ControlPlane }> {
  const sink = new PassThrough();
  let logs = '';
  sink.on('data', (d) => (logs += d));
  const log = createLogger({ destination: sink, level: 'info' });
  const plane = await startControlPlane({ serve: true, port: '0', ...extra }, { source: 'test', config: loadConfig(undefined), backend: 'rust', speed: 'max', log, engine: { stats: () => ({}) } });
  planes.push(plane);
  return { url: plane.url!, logs: () => logs, plane };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('credentials in URLs are redacted in the logs', () => {
  it('redactUrl hides token-like query values and user info', () => {
    expect(redactUrl('/api/state?token=abc&x=1')).toBe('/api/state?token=[REDACTED]&x=1');
    expect(redactUrl('/api/kill?access_token=abc#f')).toBe('/api/kill?access_token=[REDACTED]#f');
    expect(redactUrl('/metrics?api_key=s3cr3t&Password=p')).toBe('/metrics?api_key=[REDACTED]&Password=[REDACTED]');
    expect(redactUrl('http://ops:hunter2@127.0.0.1:8787/api')).toBe('http://[REDACTED]@127.0.0.1:8787/api');
    expect(redactUrl('/health')).toBe('/health');
  });

  it('a token passed in a query string is not written to the logs', async () => {
    const s = await start();
    const secret = 'query-string-secret-7f00aa11';
    await fetch(`${s.url}/api/state?token=${secret}`);
    await fetch(`${s.url}/api/kill?token=${secret}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${s.url}/api/limit?access_token=${secret}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{"bogus":1}' });
    await fetch(`${s.url}/api/limit?access_token=${secret}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{"not json' });
    await s.plane.close();
    const logs = s.logs();
    expect(logs).toContain('control_refused');
    expect(logs).toContain('[REDACTED]');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(TOKEN);
  });
});

describe('reads need the token', () => {
  it('/api/state and /api/audit: 401 without or with a wrong token, 200 with it', async () => {
    const s = await start();
    for (const path of ['/api/state', '/api/audit', '/metrics', '/health']) {
      expect((await fetch(`${s.url}${path}`)).status, path).toBe(401);
      expect((await fetch(`${s.url}${path}`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, path).toBe(401);
      expect((await fetch(`${s.url}${path}`, { headers: auth })).status, path).toBe(200);
    }
    // The dashboard's files hold no data: public.
    for (const path of ['/', '/app.js', '/style.css']) expect((await fetch(`${s.url}${path}`)).status, path).toBe(200);
  });

  it('--public-metrics opens /metrics and /health only', async () => {
    const s = await start({ 'public-metrics': true });
    for (const path of ['/metrics', '/health']) expect((await fetch(`${s.url}${path}`)).status, path).toBe(200);
    for (const path of ['/api/state', '/api/audit']) expect((await fetch(`${s.url}${path}`)).status, path).toBe(401);
  });
});

describe('a refused start leaves the audit log alone', () => {
  it('a token refused at start writes nothing to the audit log', async () => {
    const audit = join(dir, 'refused.jsonl');
    process.env.RISKGATE_TOKEN = 'short';
    await expect(start({ 'audit-out': audit })).rejects.toThrow(/at least 16 characters/);
    expect(existsSync(audit) ? readFileSync(audit, 'utf8') : '').toBe('');
  });

  it('an accepted start writes its start line', async () => {
    const audit = join(dir, 'ok.jsonl');
    const s = await start({ 'audit-out': audit });
    await s.plane.close();
    expect(JSON.parse(readFileSync(audit, 'utf8').split('\n')[0])).toMatchObject({ type: 'start' });
  });
});
