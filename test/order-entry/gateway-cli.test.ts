/**
 * `riskgate gateway` as a user runs it (spec §18.6): it replays a session up to --stop-at,
 * a client's orders are answered by the engine, and on SIGINT it prints the record digest
 * and writes the merged stream, which `riskgate replay` re-runs to the same digest.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { BIN, ROOT, riskgate } from '../cli/run-cli.ts';

describe('riskgate gateway', () => {
  it('checks orders at --stop-at, prints the digest on SIGINT, and its recording replays to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-gateway-'));
    const merged = join(dir, 'merged.itch');
    const child = spawn(process.execPath, [
      BIN, 'gateway', join(ROOT, 'data/demo.itch.gz'), '--config', join(ROOT, 'config/gateway-demo.json'),
      '--port', '0', '--stop-at', '61117', '--record', merged, '--json',
    ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const lines = createInterface({ input: child.stdout });
    const events: Record<string, any>[] = [];
    const next = (event: string) =>
      new Promise<Record<string, any>>((resolve, reject) => {
        const have = events.find((e) => e.event === event);
        if (have) return resolve(have);
        const t = setTimeout(() => reject(new Error(`no ${event} line; stderr: ${stderr}`)), 60_000);
        const on = (l: string) => {
          const e = JSON.parse(l);
          if (e.event === event) {
            clearTimeout(t);
            lines.off('line', on);
            resolve(e);
          }
        };
        lines.on('line', on);
      });
    lines.on('line', (l) => events.push(JSON.parse(l)));
    try {
      const listening = await next('listening');
      expect(await next('feed')).toMatchObject({ seq: 61117, ended: false });
      const c = await OuchClient.connect({ port: listening.port, username: 'ALPHA1', password: 'alpha-pw' });
      const big = c.enter({ side: 'B', quantity: 5000, symbol: 'AAPL', price: '189.90' });
      const short = c.enter({ side: 'T', quantity: 10, symbol: 'AAPL', price: '189.88' });
      expect((await c.answer(big)).kind).toBe('ORDER_REJECTED');
      expect((await c.answer(short)).kind).toBe('ORDER_ACCEPTED');
      await c.logout();
      child.kill('SIGINT');
      const summary = await next('summary');
      expect(summary.ouch).toMatchObject({ checked: 2, accepted: 1, rejected: 1 });
      expect(summary.messages).toBe(61117);
      const r = riskgate(['replay', merged, '--config', join(ROOT, 'config/gateway-demo.json'), '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).recordsSha256).toBe(summary.recordsSha256);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
