// The Kafka feed against a real broker (issue 4): `riskgate publish` + `riskgate run`.
//
// - A published feed run through `run` gives a record file byte-identical to `replay --out`
//   on the same file (the demo session; a generated one with 3 messages per packet, trailing
//   controls and a cut-off last frame), and its executions on the topic are the FILL records.
// - A feed with a gap engages the kill switch (every later decision rejected with KILL) and
//   the report says so; duplicates are dropped and counted.
// - A `run` SIGKILLed while a transaction is open and restarted publishes every execution
//   (and decision) exactly once, counted by id on the topics with read_committed.
// - A broker restart mid-run is waited out; nothing is lost or doubled.
// - A stale feed engages the kill switch; a restart replays it from the run journal.
// - Start-of-day positions seeded from the positions topic, pinned by the journal on a resume.
//
// This file starts its own single-node broker (scripts/kafka.sh with KAFKA_PORT, default
// 19192/19193) so that it never collides with the other Kafka test files, and removes it after.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeExecution } from '../../src/clearing/execution.ts';
import { clearInProcess } from '../../src/clearing/embedded.ts';
import { blobFingerprint, configBlob } from '../../src/config/index.ts';
import { frame, itch } from '../../src/itch/encode.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';
import { makeKafka } from '../../src/kafka/client.ts';
import { ensureClearingTopics, topicNames } from '../../src/kafka/topics.ts';
import { ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';
import { Reason, RecordKind } from '../../src/records/layout.ts';
import { freshClusterPerFile } from './broker.ts';
import { feedHarness } from './feed-helpers.ts';

const { ROOT, BROKER, config, tmp, kafkaSh, cli, cliJson, spawnRun, records, fillIds, readTopic, executionsOn, decisionsOn, decisionRecords, genFile } = feedHarness(
  Number(process.env.RISKGATE_KAFKA_FEED_PORT ?? 19192),
  'riskgate-feed-',
);
/** The fingerprint of the config the runs use (spec §10): the controls put in the files are made for it. */
const FP = blobFingerprint(configBlob(config));
const DEMO = join(ROOT, 'data/demo.itch.gz');
/** Control messages in the demo session, counted with the frame cursor (the generator's summary prints the same). */
function demoControls(): number {
  let n = 0;
  for (const c = new FrameCursor(gunzipSync(readFileSync(DEMO))); c.next(); ) if (c.kind === FrameKind.CONTROL) n++;
  return n;
}

describe('Kafka feed: publish + run against a real broker', () => {
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));

  it('the demo session through publish + run gives the record file of replay --out, byte for byte; executions = FILL records', async () => {
    const pub = cliJson(['publish', DEMO, '--brokers', BROKER, '--topic', 'id.md.itch']);
    const controls = demoControls();
    expect(controls).toBeGreaterThan(100);
    expect(pub).toMatchObject({ messages: 200_000, firstSeq: 1, lastSeq: 200_000, endOfSession: true, controls });
    const runBin = join(tmp, 'id-run.bin');
    const replayBin = join(tmp, 'id-replay.bin');
    const t0 = Date.now();
    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'id', '--topic', 'id.md.itch', '--out', runBin]);
    const runMs = Date.now() - t0;
    const rep = cliJson(['replay', DEMO, '--out', replayBin]);
    expect(readFileSync(runBin).equals(readFileSync(replayBin))).toBe(true);
    expect(run.recordsSha256).toBe(rep.recordsSha256);
    expect(run.feed).toMatchObject({ end: 'end-of-session', packets: pub.packets, duplicates: 0, gaps: [], failClosed: false, killSwitch: { engaged: false, injected: [] } });
    expect(run.kafka.published).toMatchObject({ executions: rep.fills, decisions: rep.decisions, controls: rep.controls });
    console.log(`[feed] demo: ${pub.packets} packets published at ${pub.messagesPerSecond} msg/s; run ${runMs} ms wall (${run.throughput.messagesPerSecondWall} msg/s in the run), ${run.kafka.published.transactions} transactions`);

    const execs = await executionsOn('id');
    expect([...execs.values()].every((n) => n === 1)).toBe(true);
    expect([...execs.keys()].sort()).toEqual(fillIds(records(replayBin)).sort());
    // The decisions topic carries replay's DECISION and CONTROL records, byte for byte, in decision batches.
    const published = await decisionsOn('id.decisions', 'id.run');
    expect(published.length).toBe((rep.decisions + rep.controls) * 32);
    expect(published.equals(decisionRecords(replayBin))).toBe(true);

    // Clearing the executions read back from Kafka gives replay's embedded clearing summary.
    const fromKafka = await clearInProcess(
      (await readTopic('id.executions')).map((m) => decodeExecution(m.value)).sort((a, b) => a.seq - b.seq || a.leg - b.leg),
      { fees: config.fees },
    );
    expect(fromKafka.positions.map((p) => [p.accountId, p.symbol, p.position, p.netCash])).toEqual(
      rep.clearing.positions.map((p: any) => [p.accountId, p.symbol, p.position, p.netCash]),
    );
  });

  it('small packets, controls after the last message, a cut-off last frame: still byte-identical', () => {
    const controls = Buffer.concat([frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 20_001, 1, FP)), frame(itch.control(ControlOp.SYMBOL_KILL, 0, 20_001, 1, FP))]);
    const cut = frame(itch.systemEvent({ locate: 0, ts: 1 }, 'C')).subarray(0, 9);
    for (const [name, tail, lastSeq, errors] of [
      ['trailing', Buffer.concat([controls, Buffer.from([0, 0])]), 20_000, []], // controls in the end-of-session packet
      ['cut', Buffer.concat([controls, cut]), 20_001, ['TRUNCATED']], // controls with the cut-off frame
    ] as const) {
      const file = genFile(`${name}.itch`, 20_000, 5, tail);
      const pub = cliJson(['publish', file, '--brokers', BROKER, '--topic', `${name}.md.itch`, '--per-packet', '3']);
      expect(pub).toMatchObject({ lastSeq, endOfSession: true });
      const runBin = join(tmp, `${name}-run.bin`);
      const replayBin = join(tmp, `${name}-replay.bin`);
      const run = cliJson(['run', '--brokers', BROKER, '--prefix', name, '--topic', `${name}.md.itch`, '--out', runBin]);
      const rep = cliJson(['replay', file, '--out', replayBin]);
      expect(readFileSync(runBin).equals(readFileSync(replayBin))).toBe(true);
      expect(run.errors.map((e: any) => e.kind)).toEqual(errors);
      expect(run.controls).toBe(rep.controls);
      expect(records(runBin).filter((r) => r.kind === RecordKind.CONTROL && r.seq === 20_001)).toHaveLength(2);
    }
  });

  it('a gap engages the kill switch in band (every later decision rejected with KILL) and is reported; duplicates are dropped and counted', () => {
    const file = genFile('gap.itch', 60_000, 7);
    const pub = cliJson(['publish', file, '--brokers', BROKER, '--topic', 'gap.md.itch', '--drop-seq', '30000', '--duplicate-seq', '10000,45000']);
    expect(pub.dropped.packets).toBe(1);
    expect(pub.duplicated.packets).toBe(2);
    const runBin = join(tmp, 'gap-run.bin');
    const replayBin = join(tmp, 'gap-replay.bin');
    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'gap', '--topic', 'gap.md.itch', '--out', runBin]);
    cliJson(['replay', file, '--out', replayBin]);

    expect(run.feed.gaps).toHaveLength(1);
    const gap = run.feed.gaps[0];
    expect(gap.from).toBeLessThanOrEqual(30_000);
    expect(gap.to).toBeGreaterThanOrEqual(30_000);
    expect(gap.missing).toBe(pub.dropped.messages);
    expect(run.feed.duplicates).toBe(pub.duplicated.messages);
    expect(run.feed.duplicatePackets).toBe(2);
    expect(run.feed).toMatchObject({ failClosed: true, gapLatched: true, gapFillers: gap.missing, killSwitch: { engaged: true } });
    expect(run.feed.killSwitch.injected[0]).toMatchObject({ reason: 'gap', seq: gap.from });
    expect(run.messages).toBe(60_000); // fillers keep every later seq equal to its MoldUDP64 seq

    const recs = records(runBin);
    const kill = recs.findIndex((r) => r.kind === RecordKind.CONTROL && r.op === ControlOp.GLOBAL_KILL && r.seq === gap.from && r.value === 1n);
    expect(kill).toBeGreaterThan(0);
    const later = recs.slice(kill).filter((r) => r.kind === RecordKind.DECISION);
    expect(later.length).toBeGreaterThan(100);
    expect(later.every((r) => !r.accepted && (r.reasons & Reason.KILL) !== 0)).toBe(true);
    expect(recs.slice(kill).some((r) => r.kind === RecordKind.FILL)).toBe(false);
    // Before the gap the run is the replay, record for record.
    const before = records(replayBin).filter((r) => r.seq < gap.from);
    expect(recs.slice(0, kill)).toEqual(before);

    // The text report says so; a second run (resume after the end) decides the same again.
    const text = cli(['run', '--brokers', BROKER, '--prefix', 'gap', '--topic', 'gap.md.itch']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/kill switch\s+ENGAGED — injected before seq \d+ \(gap\)/);
    expect(text.stdout).toContain('FAIL CLOSED');
    expect(text.stdout).toMatch(new RegExp(`gaps\\s+seq ${gap.from}\\.\\.${gap.to}`));
    expect(text.stdout).toContain(`${pub.duplicated.messages} messages dropped`);
    expect(text.stdout).toContain(`SHA-256 ${run.recordsSha256}`);
  });

  it('a run SIGKILLed with a transaction open and restarted publishes every execution and decision exactly once', async () => {
    const file = genFile('eo.itch', 60_000, 9);
    const pub = cliJson(['publish', file, '--brokers', BROKER, '--topic', 'eo.md.itch']);
    const replayBin = join(tmp, 'eo-replay.bin');
    const rep = cliJson(['replay', file, '--out', replayBin]);

    const first = spawnRun(['--brokers', BROKER, '--prefix', 'eo', '--topic', 'eo.md.itch', '--max-tx-packets', '40', '--hold-tx-ms', '400']);
    const open = await first.waitFor('tx-open', 4);
    first.kill('SIGKILL');
    const ended = await first.exit;
    expect(ended.signal).toBe('SIGKILL');
    const commits = first.events.filter((e) => e.event === 'committed');
    expect(commits.length).toBeGreaterThanOrEqual(3);
    const committedBefore = commits.length;

    const runBin = join(tmp, 'eo-run.bin');
    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'eo', '--topic', 'eo.md.itch', '--out', runBin]);
    expect(run.kafka.resumedFromOffset).toBe(commits.at(-1)!.next);
    expect(run.kafka.resumedFromOffset).toBeGreaterThan(0);
    expect(run.kafka.resumedFromOffset).toBeLessThan(pub.packets);
    expect(run.kafka.notRepublished.executions + run.kafka.published.executions).toBe(rep.fills);
    expect(readFileSync(runBin).equals(readFileSync(replayBin))).toBe(true);

    const committed = await executionsOn('eo');
    expect([...committed.values()].every((n) => n === 1)).toBe(true);
    expect([...committed.keys()].sort()).toEqual(fillIds(records(replayBin)).sort());
    expect((await decisionsOn('eo.decisions', 'eo.run')).equals(decisionRecords(replayBin))).toBe(true);
    // The killed transaction did reach the log: read_uncommitted sees its aborted executions.
    const raw = await executionsOn('eo', true);
    const extra = [...raw.values()].reduce((s, n) => s + n, 0) - committed.size;
    expect(extra).toBe(open.executions);
    console.log(`[feed] restart: killed after ${committedBefore} commits with ${open.executions} executions in an open transaction; resumed at feed offset ${run.kafka.resumedFromOffset}/${pub.packets}; ${committed.size} executions on the topic, each once`);
  });

  it('a broker restart mid-run is waited out (a failed transaction is redone); everything is still published exactly once', async () => {
    const file = genFile('br.itch', 40_000, 21);
    cliJson(['publish', file, '--brokers', BROKER, '--topic', 'br.md.itch']);
    const replayBin = join(tmp, 'br-replay.bin');
    const rep = cliJson(['replay', file, '--out', replayBin]);
    const runBin = join(tmp, 'br-run.bin');
    const child = spawnRun(['--brokers', BROKER, '--prefix', 'br', '--topic', 'br.md.itch', '--max-tx-packets', '20', '--hold-tx-ms', '100', '--stale-ms', '0', '--out', runBin, '--json']);
    await child.waitFor('committed', 3);
    const t0 = Date.now();
    kafkaSh('restart');
    const restartMs = Date.now() - t0;
    const ended = await child.exit;
    expect(ended.code).toBe(0);
    const run = JSON.parse(ended.stdout);
    // The run spanned the restart: it committed before the broker went down and after it came back.
    const commits = child.events.filter((e) => e.event === 'committed');
    expect(commits.some((e) => e.t < t0)).toBe(true);
    expect(commits.some((e) => e.t > t0 + restartMs)).toBe(true);
    expect(readFileSync(runBin).equals(readFileSync(replayBin))).toBe(true);
    const execs = await executionsOn('br', false, rep.fills);
    expect([...execs.values()].every((n) => n === 1)).toBe(true);
    expect(execs.size).toBe(rep.fills);
    expect((await decisionsOn('br.decisions', 'br.run')).equals(decisionRecords(replayBin))).toBe(true);
    const retries = child.events.filter((e) => e.event === 'tx-retry' && !/concurrent operation/.test(e.error)).length;
    const pause = Math.max(...commits.slice(1).map((e, i) => e.t - commits[i].t));
    console.log(`[feed] broker restart took ${restartMs} ms; longest pause between commits ${pause} ms; ${retries} transaction(s) redone after broker errors; ${run.kafka.published.transactions} transactions, ${execs.size} executions, each once`);
  });

  it('a stale feed engages the kill switch before the next seq; a restart replays it from the journal', async () => {
    const file = genFile('stale.itch', 20_000, 13);
    cliJson(['publish', file, '--brokers', BROKER, '--topic', 'stale.md.itch', '--to-seq', '10000']);
    const runBin = join(tmp, 'stale-run.bin');
    // No snapshots: the restart below must rebuild from offset 0 and replay the stale kill from the journal.
    const child = spawnRun(['--brokers', BROKER, '--prefix', 'stale', '--topic', 'stale.md.itch', '--stale-ms', '2000', '--snapshot-every', '0', '--out', runBin, '--json']);
    const stale = await child.waitFor('stale', 1, 60_000);
    expect(stale.seq).toBe(10_001);
    cliJson(['publish', file, '--brokers', BROKER, '--topic', 'stale.md.itch', '--from-seq', '10001']);
    const ended = await child.exit;
    expect(ended.code).toBe(0);
    const run = JSON.parse(ended.stdout);
    expect(run.feed.stale).toHaveLength(1);
    expect(run.feed.killSwitch.injected).toEqual([{ reason: 'stale', seq: 10_001, offset: expect.any(Number), replayed: false }]);
    expect(run.feed.failClosed).toBe(true);
    const recs = records(runBin);
    expect(recs.some((r) => r.kind === RecordKind.CONTROL && r.op === ControlOp.GLOBAL_KILL && r.seq === 10_001 && r.value === 1n)).toBe(true);

    const again = cliJson(['run', '--brokers', BROKER, '--prefix', 'stale', '--topic', 'stale.md.itch']);
    expect(again.recordsSha256).toBe(run.recordsSha256);
    expect(again.feed.killSwitch.injected[0]).toMatchObject({ reason: 'stale', seq: 10_001, replayed: true });
    expect(again.kafka.published.executions).toBe(0);
  });

  it('--seed-positions takes start-of-day positions from the positions topic; a resume keeps the seed it started with', async () => {
    const kafka = makeKafka(BROKER, 'riskgate-test-seed');
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    const names = topicNames('seed');
    const put = async (position: number) =>
      producer.send({ topic: names.positions, messages: [{ key: '1001:AAPL', value: JSON.stringify({ accountId: 1001, symbol: 'AAPL', position }) }] });
    try {
      await ensureClearingTopics(admin, names);
      await put(1234);
      const file = genFile('seed.itch', 20_000, 17);
      cliJson(['publish', file, '--brokers', BROKER, '--topic', 'seed.md.itch', '--to-seq', '12000']);
      const child = spawnRun(['--brokers', BROKER, '--prefix', 'seed', '--topic', 'seed.md.itch', '--seed-positions', '--stale-ms', '0', '--json']);
      await child.waitFor('committed', 1, 60_000);
      child.kill('SIGTERM'); // a clean stop: commits, reports, exits 0
      const stopped = await child.exit;
      expect(stopped.code).toBe(0);
      const first = JSON.parse(stopped.stdout);
      expect(first.feed.end).toBe('SIGTERM');
      expect(first.kafka.seededPositions).toEqual({ from: 'seed.positions', symbols: { AAPL: 1234 } });

      await put(-5); // the clearing moved on intraday; a resume must not re-seed
      cliJson(['publish', file, '--brokers', BROKER, '--topic', 'seed.md.itch', '--from-seq', '12001']);
      const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'seed', '--topic', 'seed.md.itch', '--seed-positions']);
      expect(run.kafka.seededPositions.symbols).toEqual(expect.objectContaining({ AAPL: 1234 }));
      expect(run.kafka.seededPositions.from).toBe('journal');
      const p = run.positions.AAPL;
      expect(p.position - p.bought + p.sold).toBe(1234);
      // A changed config is refused on a resume (exit 5), not silently mixed.
      const cfgFile = join(tmp, 'changed.json');
      const json = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
      json.symbols[0].maxQty = 1999;
      writeFileSync(cfgFile, JSON.stringify(json));
      const refused = cli(['run', '--brokers', BROKER, '--prefix', 'seed', '--topic', 'seed.md.itch', '--config', cfgFile]);
      expect(refused.status).toBe(5);
      expect(refused.stderr).toMatch(/config differs/);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
