/**
 * The kill switch over HTTP during a live (paced) replay on the Verilated FPGA with the Rust core as lockstep standby (both engines): every order
 * from the recorded seq boundary on is rejected with KILL (hundreds of them), none before;
 * replaying with the audit log reproduces the run byte for byte. `/metrics` during the run
 * shows the named metrics.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRecords } from '../../src/records/decode.ts';
import { authGet, parseMetrics, replayJson, riskgate, serve, TOKEN, waitState } from './helpers/cli.ts';
import { writeSession } from './helpers/session.ts';

let dir: string;
let session: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-kill-'));
  // ~6 s of ITCH time, replayed in real time: room for a slow CI machine to send the kill mid-run.
  session = writeSession(join(dir, 'session.itch'), { messages: 30_000, seed: 11, gapNs: 200_000 });
});

describe('kill switch over HTTP, in band, audited, reproducible', () => {
  it('rejects every later order with KILL from the recorded seq on, and the audit log reproduces the run', async () => {
    const audit = join(dir, 'audit.jsonl');
    const rec = join(dir, 'records.bin');
    const s = await serve([session, '--serve', '--port', '0', '--speed', '1', '--backend', 'fpga', '--standby', 'rust', '--audit-out', audit, '--out', rec, '--json']);
    try {
      await waitState(s.url, (st) => st.counters.messages > 3000);

      // /metrics during the run: every named metric is there, and counting.
      const text = await (await authGet(`${s.url}/metrics`)).text();
      const m = parseMetrics(text);
      expect(m.get('riskgate_messages_total')).toBeGreaterThan(3000);
      expect(m.get('riskgate_decisions_total{verdict="accepted",reason="none"}')).toBeGreaterThan(0);
      expect(m.get('riskgate_records_total{source="fpga",role="primary"}')).toBeGreaterThan(0);
      expect(m.get('riskgate_failovers_total')).toBe(0);
      expect(m.has('riskgate_clearing_lag{worker="w0"}')).toBe(true);
      for (const name of ['riskgate_latency_ns_bucket{le="+Inf"}', 'riskgate_latency_ns_count', 'riskgate_hw_latency_cycles_bucket{le="+Inf"}', 'riskgate_hw_latency_cycles_count']) {
        expect(m.has(name), name).toBe(true);
      }
      expect(m.get('riskgate_latency_ns_count')).toBeGreaterThan(0);
      expect(text).toMatch(/# TYPE riskgate_latency_ns histogram/);
      expect(text).toMatch(/# TYPE riskgate_hw_latency_cycles histogram/);

      // The operator's command: `riskgate kill` calls the API with the token from the environment.
      const k = riskgate(['kill', '--url', s.url, '--operator', 'ops-test', '--json'], { RISKGATE_TOKEN: TOKEN });
      expect(k.status, k.stderr).toBe(0);
      const applied = JSON.parse(k.stdout);
      expect(applied).toMatchObject({ httpStatus: 200, status: 'applied', control: { what: 'GLOBAL_KILL', old: '0', new: '1', who: 'ops-test', via: 'http' } });
      const S: number = applied.control.seq;

      const st = await waitState(s.url, (x) => x.counters.lastSeq > S);
      expect(st.kill.global).toBe(true);
      const m2 = parseMetrics(await (await authGet(`${s.url}/metrics`)).text());
      expect(m2.get('riskgate_kill_switch{scope="global"}')).toBe(1);

      const report = await s.report;
      const { status } = await s.exited;
      expect(status, s.stderr()).toBe(0);
      expect(report.controlsApplied).toEqual([expect.objectContaining({ what: 'GLOBAL_KILL', seq: S, who: 'ops-test' })]);
      expect(report.failover.divergences).toBe(0); // the standby agreed on every batch, control included
      expect(report.failover.events).toEqual([]);

      // The records: a CONTROL record at S; from S on every decision is rejected with KILL.
      const bytes = readFileSync(rec);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.recordsSha256);
      const recs = decodeRecords(bytes);
      const ctl = recs.filter((r) => r.kind === 'CONTROL');
      expect(ctl).toEqual([expect.objectContaining({ seq: S, op: 1, value: 1n, target: 0xffff })]);
      const decisions = recs.filter((r) => r.kind === 'DECISION') as Extract<(typeof recs)[number], { kind: 'DECISION' }>[];
      const after = decisions.filter((d) => d.seq >= S);
      const before = decisions.filter((d) => d.seq < S);
      expect(after.length).toBeGreaterThanOrEqual(100);
      expect(after.every((d) => !d.accepted && (d.reasons & 1) === 1)).toBe(true);
      expect(before.some((d) => d.accepted)).toBe(true);
      expect(before.every((d) => (d.reasons & 1) === 0)).toBe(true);
      expect(recs.filter((r) => r.kind === 'FILL' && r.seq >= S)).toHaveLength(0);
      expect(report.rejectReasons.KILL).toBe(after.length);

      // The audit log: start, the change (old → new, who, when, S), end with the digest.
      const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.type)).toEqual(['start', 'control', 'end']);
      expect(lines[1]).toMatchObject({ what: 'GLOBAL_KILL', target: 65535, old: '0', new: '1', seq: S, who: 'ops-test', via: 'http', addr: '127.0.0.1' });
      expect(Date.parse(lines[1].wallTime)).toBeGreaterThan(0);
      expect(lines[2]).toMatchObject({ recordsSha256: report.recordsSha256, status: 'ok' });

      // Replaying with the audit log, unpaced and with other batch sizes, gives the same bytes.
      for (const batch of ['4096', '333']) {
        const again = replayJson([session, '--audit-in', audit, '--batch', batch, '--log-level', 'warn']);
        expect(again.status, again.stderr).toBe(0);
        expect(again.json.recordsSha256).toBe(report.recordsSha256);
        expect(again.json.auditIn).toMatchObject({ controls: 1, unapplied: 0, matches: true });
      }
      // Without it the run differs (the kill switch is what changed it).
      expect(replayJson([session]).json.recordsSha256).not.toBe(report.recordsSha256);
    } finally {
      s.child.kill('SIGKILL');
    }
  });
});
