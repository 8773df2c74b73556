/**
 * A run that ends (SIGINT, or the end of input) while a change is still queued refuses it
 * explicitly: the waiting caller gets 409 with the reason, the report counts it
 * (`controlsRefused`), and the audit end line says the run was interrupted.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { startOps } from '../../src/control/replay-ops.ts';

const TOKEN = 'interrupt-queue-test-token-5a';
let saved: string | undefined;
beforeEach(() => {
  saved = process.env.RISKGATE_TOKEN;
  process.env.RISKGATE_TOKEN = TOKEN;
});
afterEach(() => {
  if (saved === undefined) delete process.env.RISKGATE_TOKEN;
  else process.env.RISKGATE_TOKEN = saved;
});

describe('queued changes at an interrupt', () => {
  it('are refused with 409, counted in the report, and the audit end line is "interrupted"', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'rg-intq-')), 'audit.jsonl');
    const stop = new AbortController();
    const ops = await startOps({ serve: true, port: '0', 'audit-out': audit, 'log-level': 'silent' }, { file: 'x.itch', config: loadConfig(undefined), backend: 'rust', json: true, signal: stop.signal });
    try {
      // The replay never hands over another batch: the change stays queued.
      const answer = fetch(`${ops.url}/api/kill`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ on: true }) });
      // Until the change is queued (a loaded machine may take a while; never go on without it).
      for (const t0 = Date.now(); ; ) {
        const st = await (await fetch(`${ops.url}/api/state`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
        if (st.pendingControls === 1) break;
        if (Date.now() - t0 > 60_000) throw new Error(`the change was never queued: ${JSON.stringify(st)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      stop.abort('SIGINT');
      const report: Record<string, unknown> = {};
      const result = { stats: { messages: 0 }, recordsSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', interrupted: { beforeSeq: 1, offset: 0 } };
      await ops.finish(result as never, report);
      const r = await answer;
      expect(r.status).toBe(409);
      expect((await r.json()).reason).toMatch(/the replay was interrupted \(SIGINT\) before seq 1; GLOBAL_KILL \* was not applied/);
      expect(report.controlsRefused).toBe(1);
      const end = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).at(-1);
      expect(end).toMatchObject({ type: 'end', status: 'interrupted', beforeSeq: 1, controls: 0 });
    } finally {
      ops.engine.close();
      await ops.close();
    }
  });
});
