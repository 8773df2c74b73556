// Runtime controls while a Kafka run is live (issue 5): `riskgate run --serve` against a real
// broker. The session is published in two parts, so that the run has processed the first part
// and is waiting for more when the kill lands over HTTP: the kill is injected in band before
// the next seq not yet handed to the engine, audited, journalled and published with the other
// CONTROL/DECISION records; every later decision is rejected with the KILL bit, none before.
// A request without the token gets 401 and changes nothing. A second run of the same group (a
// resume after the end) replays the kill from the run journal and gets the same records.
//
// Its own single-node broker on its own port (RISKGATE_KAFKA_CONTROLS_PORT, default 19292/19293).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getJson, post, TOKEN, waitState } from '../ops/helpers/cli.ts';
import { ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';
import { Reason, RecordKind } from '../../src/records/layout.ts';
import { RecordView } from '../../src/records/view.ts';
import { freshClusterPerFile } from './broker.ts';
import { feedHarness } from './feed-helpers.ts';

const { BROKER, tmp, kafkaSh, cliJson, spawnRun, records, decisionsOn, decisionRecords, genFile } = feedHarness(
  Number(process.env.RISKGATE_KAFKA_CONTROLS_PORT ?? 19292),
  'riskgate-feed-controls-',
);

describe('Kafka run --serve: runtime controls while the run is live', () => {
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));

  it('a kill over HTTP is injected in band at the next seq, audited, journalled and published; no token → 401, nothing changes', async () => {
    // No control messages in the feed itself: a feed GLOBAL_KILL release would (rightly) lift the operator's kill.
    const file = genFile('ctl.itch', 30_000, 31, undefined, false);
    const first = cliJson(['publish', file, '--brokers', BROKER, '--topic', 'ctl.md.itch', '--to-seq', '15000']);
    expect(first.lastSeq).toBe(15_000);
    const audit = join(tmp, 'ctl-audit.jsonl');
    const runBin = join(tmp, 'ctl-run.bin');
    // No snapshots: the second run below must rebuild from offset 0 and replay the kill from the journal.
    const child = spawnRun(
      ['--brokers', BROKER, '--prefix', 'ctl', '--topic', 'ctl.md.itch', '--stale-ms', '0', '--snapshot-every', '0', '--serve', '--port', '0', '--audit-out', audit, '--out', runBin, '--json'],
      { RISKGATE_TOKEN: TOKEN },
    );
    let url = '';
    try {
      for (const t0 = Date.now(); !url; await new Promise((r) => setTimeout(r, 20))) {
        const m = child.events.map((e) => (e.event === 'stderr' ? /riskgate: serving (http:\/\/[^/\s]+)\//.exec(e.line) : null)).find(Boolean);
        if (m) url = m[1];
        if (Date.now() - t0 > 30_000) throw new Error(`run --serve did not start serving: ${JSON.stringify(child.events.slice(-10))}`);
      }
      // Live and waiting: the whole first part is through the engine.
      const st0 = await waitState(url, (s) => s.counters.messages >= 15_000 && s.counters.lastSeq >= 15_000, 60_000);
      expect(st0.run.file).toBe('kafka:ctl.md.itch');
      expect(st0.kill.global).toBe(false);

      // No token: 401, and nothing changes.
      const denied = await post(url, '/api/kill', { on: true });
      expect(denied.status).toBe(401);
      const wrong = await post(url, '/api/kill', { on: true }, { authorization: 'Bearer not-the-token' });
      expect(wrong.status).toBe(401);
      const st1 = await getJson(`${url}/api/state`);
      expect(st1.kill.global).toBe(false);
      expect(st1.pendingControls).toBe(0);
      expect(st1.controls).toEqual([]);
      expect(st1.authFailures).toBeGreaterThanOrEqual(2);

      // With the token: applied in band before the next seq not yet handed to the engine.
      const ok = await post(url, '/api/kill', { on: true }, { authorization: `Bearer ${TOKEN}`, 'x-riskgate-operator': 'ops-kafka' });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json).toMatchObject({ status: 'applied', control: { what: 'GLOBAL_KILL', old: '0', new: '1', seq: 15_001, who: 'ops-kafka', via: 'http' } });
      const S: number = ok.json.control.seq;
      const st2 = await getJson(`${url}/api/state`);
      expect(st2.kill.global).toBe(true);

      // The rest of the session arrives after the kill.
      const second = cliJson(['publish', file, '--brokers', BROKER, '--topic', 'ctl.md.itch', '--from-seq', '15001']);
      expect(second.endOfSession).toBe(true);
      const ended = await child.exit;
      expect(ended.code, JSON.stringify(child.events.slice(-10))).toBe(0);
      const run = JSON.parse(ended.stdout);
      expect(run.feed.end).toBe('end-of-session');
      expect(run.controlsApplied).toEqual([expect.objectContaining({ what: 'GLOBAL_KILL', old: '0', new: '1', seq: S, via: 'http' })]);
      expect(run.feed.operatorControls).toEqual([{ op: ControlOp.GLOBAL_KILL, target: GLOBAL_TARGET, value: '1', seq: S, offset: expect.any(Number), replayed: false }]);
      expect(run.feed.killSwitch.engaged).toBe(true);
      expect(run.feed.failClosed).toBe(false); // an operator kill, not a feed failure

      // The record file: a CONTROL record at S; from S on every decision rejected with KILL, none before.
      const recs = records(runBin);
      const ctl = recs.filter((r) => r.kind === RecordKind.CONTROL && r.op === ControlOp.GLOBAL_KILL);
      expect(ctl).toEqual([expect.objectContaining({ seq: S, value: 1n })]);
      const decisions = recs.filter((r) => r.kind === RecordKind.DECISION);
      const after = decisions.filter((r) => r.seq >= S);
      const before = decisions.filter((r) => r.seq < S);
      expect(after.length).toBeGreaterThanOrEqual(36);
      expect(after.every((r) => !r.accepted && (r.reasons & Reason.KILL) !== 0)).toBe(true);
      expect(before.some((r) => r.accepted)).toBe(true);
      expect(before.every((r) => (r.reasons & Reason.KILL) === 0)).toBe(true);
      expect(recs.some((r) => r.kind === RecordKind.FILL && r.seq >= S)).toBe(false);

      // Published like the others: the decisions topic carries the CONTROL record and the same decisions.
      const onTopic = await decisionsOn('ctl.decisions', 'ctl.run');
      expect(onTopic.equals(decisionRecords(runBin))).toBe(true);
      const topic = Array.from({ length: onTopic.length / 32 }, (_, i) => new RecordView(onTopic.subarray(i * 32, i * 32 + 32)).at(0));
      expect(topic.length).toBe(decisions.length + recs.filter((r) => r.kind === RecordKind.CONTROL).length);
      const pubCtl = topic.filter((v) => v.kind === RecordKind.CONTROL && v.op === ControlOp.GLOBAL_KILL);
      expect(pubCtl.map((v) => v.seq)).toEqual([S]);
      const pubAfter = topic.filter((v) => v.kind === RecordKind.DECISION && v.seq >= S);
      expect(pubAfter.length).toBe(after.length);
      expect(pubAfter.every((v) => !v.accepted && (v.reasons & Reason.KILL) !== 0)).toBe(true);
      expect(topic.filter((v) => v.kind === RecordKind.DECISION && v.seq < S).every((v) => (v.reasons & Reason.KILL) === 0)).toBe(true);

      // The audit log: start, the control (what, old, new, seq, who), end with the record digest.
      const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.type)).toEqual(['start', 'control', 'end']);
      expect(lines[0]).toMatchObject({ file: 'kafka:ctl.md.itch', backend: 'rust' });
      expect(lines[1]).toMatchObject({ what: 'GLOBAL_KILL', old: '0', new: '1', seq: S, via: 'http' });
      expect(lines[2]).toMatchObject({ status: 'ok', recordsSha256: run.recordsSha256, controls: 1 });

      // The journal: a second run of the group (a resume after the end) replays the kill at S.
      const again = cliJson(['run', '--brokers', BROKER, '--prefix', 'ctl', '--topic', 'ctl.md.itch', '--stale-ms', '0']);
      expect(again.recordsSha256).toBe(run.recordsSha256);
      expect(again.feed.operatorControls).toEqual([{ op: ControlOp.GLOBAL_KILL, target: GLOBAL_TARGET, value: '1', seq: S, offset: run.feed.operatorControls[0].offset, replayed: true }]);
      expect(again.kafka.published.decisions).toBe(0); // nothing is published twice
      console.log(`[feed-controls] kill over HTTP at seq ${S} while the run waited; ${after.length} later decisions all rejected with KILL (${before.length} before, none); ${topic.length} records on ctl.decisions`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
