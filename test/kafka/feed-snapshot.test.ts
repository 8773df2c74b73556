// `riskgate run` resumes from an engine snapshot (issue 11, spec §14.6): a generated session of a
// million messages, run with snapshots in its transactions, SIGKILLed twice and restarted: each
// restart resumes from the newest snapshot (report/`restored` event: resumedFrom {offset, seq}),
// not from offset 0; every execution is on the topic exactly once, the decisions too, and the
// record digest of the whole run equals replay's. Prints kill → first new commit per restart.
// A feed with a gap and duplicates, killed after the gap and resumed from a snapshot, ends
// exactly as an uninterrupted run of it (digest, gaps, latch, kill switch, outputs once).
//
// Own single-node broker on port 19592 (RISKGATE_KAFKA_SNAPSHOT_PORT).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshClusterPerFile } from './broker.ts';
import { feedHarness, type Child } from './feed-helpers.ts';

const { BROKER, tmp, kafkaSh, cliJson, spawnRun, records, fillIds, executionsOn, decisionsOn, decisionRecords, genFile } = feedHarness(
  Number(process.env.RISKGATE_KAFKA_SNAPSHOT_PORT ?? 19592),
  'riskgate-feed-snapshot-',
);
const MESSAGES = Number(process.env.RISKGATE_SNAPSHOT_MESSAGES ?? 1_000_000);

describe('Kafka feed: run resumes from an engine snapshot', () => {
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));

  it('SIGKILLed twice, restarted from snapshots: executions exactly once, digest = replay', { timeout: 180_000 }, async () => {
    const file = genFile('snap.itch', MESSAGES, 9);
    const pub = cliJson(['publish', file, '--brokers', BROKER, '--topic', 'sn.md.itch']);
    const replayBin = join(tmp, 'sn-replay.bin');
    const rep = cliJson(['replay', file, '--out', replayBin]);
    const args = ['--brokers', BROKER, '--prefix', 'sn', '--topic', 'sn.md.itch', '--max-tx-packets', '200', '--snapshot-every', '3', '--stale-ms', '0', '--json'];

    const restarts: { killAt: number; resumedFrom: any; committed: number; msToCommit: number }[] = [];
    let child: Child = spawnRun(args);
    for (const share of [0.3, 0.65]) {
      // kill once this incarnation has committed past `share` of the feed, one transaction after a snapshot
      const target = Math.floor(pub.packets * share);
      for (const t0 = Date.now(); ; ) {
        const evs = child.events;
        const lastSnap = evs.map((e) => e.event).lastIndexOf('snapshot');
        const last = evs.filter((e) => e.event === 'committed').at(-1);
        if (last && last.next >= target && lastSnap >= 0 && evs.slice(lastSnap).some((e) => e.event === 'committed')) break;
        if (Date.now() - t0 > 120_000) throw new Error(`run did not reach offset ${target}: ${JSON.stringify(evs.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      const killAt = Date.now();
      expect((await child.exit).signal).toBe('SIGKILL');
      const lastSnap = child.events.filter((e) => e.event === 'snapshot').at(-1)!;
      const committed = child.events.filter((e) => e.event === 'committed').at(-1)!.next;

      child = spawnRun(args);
      const restored = await child.waitFor('restored', 1, 60_000);
      const live = await child.waitFor('live', 1, 60_000);
      const first = await child.waitFor('committed', 1, 60_000);
      // The first commit after a restart is the one waited for: it carries no snapshot (spec §14.6).
      expect(child.events.slice(0, child.events.indexOf(first)).some((e) => e.event === 'snapshot')).toBe(false);
      expect(restored.offset).toBeGreaterThan(0);
      expect(restored.offset).toBeLessThanOrEqual(committed);
      // the newest snapshot committed, or (killed between its send and commit) the one before
      expect(restored.offset).toBeLessThanOrEqual(lastSnap.offset);
      expect(live.resumedFrom).toMatchObject({ offset: restored.offset, seq: restored.seq });
      expect(restored.offset).toBeGreaterThanOrEqual(Math.floor(pub.packets * share) - 3 * 200 * 2); // not from the start
      restarts.push({ killAt: committed, resumedFrom: { offset: restored.offset, seq: restored.seq }, committed, msToCommit: first.t - killAt });
    }
    const end = await child.exit;
    expect(end.code).toBe(0);
    const run = JSON.parse(end.stdout);
    expect(run.kafka.resumedFrom).toMatchObject(restarts[1].resumedFrom);
    expect(run.recordsSha256).toBe(rep.recordsSha256);
    expect(run.feed).toMatchObject({ end: 'end-of-session', gaps: [], failClosed: false });
    expect(run.kafka.notRepublished.executions + run.kafka.published.executions).toBe(rep.fills);
    expect(run.pnl ?? null).toEqual(rep.pnl ?? null);
    expect(run.rejectReasons).toEqual(rep.rejectReasons);

    const execs = await executionsOn('sn');
    expect([...execs.values()].every((n) => n === 1)).toBe(true);
    expect([...execs.keys()].sort()).toEqual(fillIds(records(replayBin)).sort());
    expect((await decisionsOn('sn.decisions', 'sn.run')).equals(decisionRecords(replayBin))).toBe(true);
    for (const r of restarts) {
      console.log(`[snapshot] ${MESSAGES} messages, ${pub.packets} packets: killed at committed offset ${r.committed}, resumed from snapshot at offset ${r.resumedFrom.offset} (seq ${r.resumedFrom.seq}); kill → first new commit ${r.msToCommit} ms`);
    }
    console.log(`[snapshot] snapshot ${run.kafka.snapshots.lastBytes} bytes; last restore: read ${run.kafka.resumedFrom.readMs} ms, engine restore + state ${run.kafka.resumedFrom.restoreMs} ms`);
  });

  it('a feed with a gap and duplicates, SIGKILLed after the gap and resumed from a snapshot, ends as an uninterrupted run', { timeout: 120_000 }, async () => {
    const file = genFile('gap.itch', 200_000, 11);
    cliJson(['publish', file, '--brokers', BROKER, '--topic', 'sg.md.itch', '--drop-seq', '60000', '--duplicate-seq', '20000,90000']);
    const whole = cliJson(['run', '--brokers', BROKER, '--prefix', 'sgw', '--topic', 'sg.md.itch', '--stale-ms', '0']);
    expect(whole.feed.gaps.length).toBe(1);
    expect(whole.feed.killSwitch.engaged).toBe(true);

    const args = ['--brokers', BROKER, '--prefix', 'sgk', '--topic', 'sg.md.itch', '--max-tx-packets', '50', '--snapshot-every', '2', '--stale-ms', '0', '--json'];
    const first = spawnRun(args);
    await first.waitFor('gap', 1, 60_000);
    const n = first.events.filter((e) => e.event === 'snapshot').length;
    await first.waitFor('snapshot', n + 1, 60_000);
    const c = first.events.filter((e) => e.event === 'committed').length;
    await first.waitFor('committed', c + 1, 60_000);
    first.kill('SIGKILL');
    await first.exit;
    const second = spawnRun(args);
    const restored = await second.waitFor('restored', 1, 60_000);
    const end = await second.exit;
    expect(end.code).toBe(0);
    const run = JSON.parse(end.stdout);
    const gapOffset = whole.feed.gaps[0].offset;
    expect(restored.offset).toBeGreaterThan(gapOffset);
    expect(run.kafka.resumedFrom.offset).toBe(restored.offset);
    expect(run.recordsSha256).toBe(whole.recordsSha256);
    expect(run.feed).toMatchObject({ gaps: whole.feed.gaps, duplicates: whole.feed.duplicates, gapLatched: true, killSwitch: whole.feed.killSwitch, packets: whole.feed.packets, gapFillers: whole.feed.gapFillers });
    expect(run.rejectReasons).toEqual(whole.rejectReasons);
    const execs = await executionsOn('sgk');
    expect([...execs.values()].every((x) => x === 1)).toBe(true);
    expect([...execs.keys()].sort()).toEqual([...(await executionsOn('sgw')).keys()].sort());
    const wholeDecisions = await decisionsOn('sgw.decisions', 'sgw.run');
    expect(wholeDecisions.length).toBe((whole.decisions + whole.controls) * 32);
    expect((await decisionsOn('sgk.decisions', 'sgk.run')).equals(wholeDecisions)).toBe(true);
  });
});
