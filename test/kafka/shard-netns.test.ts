// `riskgate run --shard K/N` across network namespaces (issue 11, docs/spec.md §14.9).
//
// The broker, two shards and two clearing workers each run in a network namespace of their
// own, joined to a bridge in the root namespace by veth pairs on a private /24 (the test
// process publishes and settles through the bridge). Mid-run, shard 1's "machine" is lost:
// its link goes down, its process is SIGKILLed and its namespace deleted. The namespace is
// recreated and the shard restarted; it resumes from its own snapshot and run group. Then:
// - settle: 0 lost, 0 duplicated, 0 unknown, no break;
// - the executions topic holds exactly the executions of a single engine (replay of the same
//   file), value for value, and each account's in the engine's order;
// - each shard's decision batches hold the single engine's DECISION records of its accounts,
//   in order, and every CONTROL record; each shard's record digest is the single engine's.
// No namespaces (not root, no iproute2): the test fails, it never skips. Everything it creates
// has a unique prefix and is removed in afterAll, also after a failure.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeExecution, executionFromFill } from '../../src/clearing/execution.ts';
import { decodeDecisionBatch } from '../../src/kafka/decision-batch.ts';
import { shardPlan } from '../../src/kafka/shard.ts';
import { RecordKind } from '../../src/records/layout.ts';
import { RecordView } from '../../src/records/view.ts';
import { feedHarness } from './feed-helpers.ts';
import { NetnsLab, requireNetns, type Node } from './netns.ts';

const PORT = Number(process.env.RISKGATE_KAFKA_SHARD_PORT ?? 39092);

requireNetns();
const lab = new NetnsLab();
let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  lab.destroy();
}
// A crash of the runner between here and afterAll must not leave namespaces behind either.
process.once('exit', () => {
  try {
    cleanup();
  } catch {
    // best effort on exit; afterAll reports failures
  }
});
const brokerNode = lab.add('kafka', 1);
const h = feedHarness(PORT, 'riskgate-shard-', { host: brokerNode.addr, launcher: lab.exec(brokerNode) });
const { ROOT, BIN, BROKER, config, tmp, kafkaSh, cli, cliJson, spawnRun, readTopic } = h;
const DEMO = join(ROOT, 'data/demo.itch.gz');
const PREFIX = 'sh';
const FEED = `${PREFIX}.md.itch`;
const N = 2;

/** A clearing worker (`riskgate clear --workers 1`, until SIGTERM) in `node`'s namespace. */
function spawnClear(node: Node) {
  const argv = [...lab.exec(node), process.execPath, BIN, 'clear', '--brokers', BROKER, '--prefix', PREFIX, '--workers', '1'];
  const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-4000)));
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  const exit = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
  return { exit, stop: () => child.kill('SIGTERM') };
}

describe('run --shard across network namespaces: broker, shards and clearing apart; a shard machine lost and back', () => {
  beforeAll(() => {
    kafkaSh('reset');
    kafkaSh('up');
  }, 180_000);
  afterAll(() => {
    try {
      kafkaSh('reset');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      cleanup();
    }
  }, 120_000);

  it('N = 2: shard 1 killed mid-run with its namespace, recreated and resumed; 0 lost, 0 duplicated, executions and per-account decisions of one engine', async () => {
    const t0 = Date.now();
    const pub = cliJson(['publish', DEMO, '--brokers', BROKER, '--topic', FEED]);
    const replayBin = join(tmp, 'replay.bin');
    const rep = cliJson(['replay', DEMO, '--out', replayBin]);

    const shardNodes = [lab.add('s1'), lab.add('s2')];
    // Two clearing workers of one consumer group, each on a "machine" of its own.
    const clearNodes = [lab.add('c1'), lab.add('c2')];
    const shardArgs = (k: number) => ['--brokers', BROKER, '--prefix', PREFIX, '--topic', FEED, '--shard', `${k}/${N}`, '--max-tx-packets', '100', '--hold-tx-ms', '150', '--stale-ms', '0', '--json'];
    const clearing = clearNodes.map(spawnClear);
    const first = spawnRun(shardArgs(1), {}, lab.exec(shardNodes[0]));
    const second = spawnRun(shardArgs(2), {}, lab.exec(shardNodes[1]));

    // Shard 1's machine goes away after a few commits, with a transaction in flight.
    await first.waitFor('committed', 5, 90_000);
    await first.waitFor('tx-open', 6, 30_000);
    const killed = lab.kill(shardNodes[0]);
    expect(killed.length).toBeGreaterThan(0);
    const gone = await first.exit;
    expect(gone.signal).toBe('SIGKILL');
    const committedBefore = first.events.filter((e) => e.event === 'committed').length;

    // Back: a new namespace with the same address, the same command.
    lab.add('s1');
    const again = spawnRun(shardArgs(1), {}, lab.exec(shardNodes[0]));
    const [r1, r2] = await Promise.all([again.exit, second.exit]);
    expect(r1.code, JSON.stringify(again.events.slice(-5))).toBe(0);
    expect(r2.code, JSON.stringify(second.events.slice(-5))).toBe(0);
    const reports = [JSON.parse(r1.stdout), JSON.parse(r2.stdout)];

    // The restarted shard resumed from its own snapshot, under its own run group.
    expect(reports[0].kafka.group).toBe(`${PREFIX}.run.shard-1-of-2`);
    expect(reports[1].kafka.group).toBe(`${PREFIX}.run.shard-2-of-2`);
    expect(reports[0].kafka.resumedFromOffset).toBeGreaterThan(0);
    expect(reports[0].kafka.resumedFrom).not.toBeNull();
    expect(reports[1].kafka.resumedFromOffset).toBe(0);
    for (const r of reports) {
      // Every shard runs the whole engine: the single engine's record digest.
      expect(r.recordsSha256).toBe(rep.recordsSha256);
      expect(r.feed).toMatchObject({ end: 'end-of-session', gaps: [], failClosed: false });
    }

    // Clearing kept running through the shard's loss: wait until settle balances (or 120 s), then stop the workers.
    const settleNow = () => cli(['settle', '--brokers', BROKER, '--prefix', PREFIX, '--json']);
    const waitFrom = Date.now();
    let st = settleNow();
    while (st.status !== 0 && Date.now() - waitFrom < 120_000) {
      await new Promise((r) => setTimeout(r, 2000));
      st = settleNow();
    }
    const settleWaitS = ((Date.now() - waitFrom) / 1000).toFixed(1);
    for (const c of clearing) c.stop();
    for (const c of await Promise.all(clearing.map((c) => c.exit))) expect(c.code, `clear exited ${c.code ?? c.signal}: ${c.err}\n${c.out}`).toBe(0);
    expect(st.status, st.stdout + st.stderr).toBe(0);
    const settle = JSON.parse(st.stdout);
    expect(settle).toMatchObject({ executions: rep.fills, cleared: rep.fills, lost: 0, duplicated: 0, unknown: 0 });

    // Executions: exactly one engine's, value for value; each account's in the engine's order.
    const accountIds = config.accounts.map((a) => a.id);
    const symbols = config.symbols.map((s) => s.symbol);
    const expected = new Map<string, string[]>();
    const expectedDecisions = new Map<number, Buffer[]>();
    const controls: Buffer[] = [];
    for (const v = new RecordView(readFileSync(replayBin)); v.next(); ) {
      if (v.kind === RecordKind.FILL) {
        const e = executionFromFill(v.bytes(), config.session, accountIds, symbols);
        const list = expected.get(String(e.accountId)) ?? [];
        list.push(encodeExecution(e).toString('hex'));
        expected.set(String(e.accountId), list);
      } else if (v.kind === RecordKind.DECISION) {
        const j = v.bytes()[27];
        const list = expectedDecisions.get(j) ?? [];
        list.push(Buffer.from(v.bytes()));
        expectedDecisions.set(j, list);
      } else if (v.kind === RecordKind.CONTROL) controls.push(Buffer.from(v.bytes()));
    }
    const onTopic = new Map<string, string[]>();
    for (const m of await readTopic(`${PREFIX}.executions`)) {
      const list = onTopic.get(m.key) ?? [];
      list.push(m.value.toString('hex'));
      onTopic.set(m.key, list);
    }
    expect([...onTopic.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [account, values] of expected) expect(onTopic.get(account), `account ${account}`).toEqual(values);

    // Decisions: each shard's batches (keyed by its run group) = the engine's DECISION records of its accounts + every CONTROL.
    const batches = await readTopic(`${PREFIX}.decisions`);
    for (let k = 1; k <= N; k++) {
      const plan = shardPlan(config, { k, n: N });
      const group = `${PREFIX}.run.shard-${k}-of-${N}`;
      const got = Buffer.concat(batches.filter((m) => m.key === group).map((m) => decodeDecisionBatch(m.value).records));
      const mine: Buffer[] = [];
      const theirs: Buffer[] = [];
      for (const v = new RecordView(got); v.next(); ) (v.kind === RecordKind.DECISION ? mine : theirs).push(Buffer.from(v.bytes()));
      const want = plan.ownsAccount.flatMap((owns, j) => (owns ? expectedDecisions.get(j) ?? [] : []));
      expect(mine.length).toBe(want.length);
      // Per account, in order.
      for (let j = 0; j < config.accounts.length; j++) {
        if (!plan.ownsAccount[j]) continue;
        expect(Buffer.concat(mine.filter((b) => b[27] === j)).equals(Buffer.concat(expectedDecisions.get(j) ?? []))).toBe(true);
      }
      expect(Buffer.concat(theirs).equals(Buffer.concat(controls))).toBe(true);
    }
    expect(batches.every((m) => m.key.startsWith(`${PREFIX}.run.shard-`))).toBe(true);

    // A run group stays with its shard: resuming shard 1's group as shard 2 is refused.
    const wrong = cli(['run', '--brokers', BROKER, '--prefix', PREFIX, '--topic', FEED, '--shard', '2/2', '--group', `${PREFIX}.run.shard-1-of-2`, '--stale-ms', '0']);
    expect(wrong.status).toBe(7);
    expect(wrong.stderr).toContain('started with --shard 1/2, not --shard 2/2');

    console.log(
      `[shard-netns] lab ${lab.prefix} on 10.77.${lab.subnet}.0/24: ${pub.packets} packets, ${rep.fills} executions; shard 1 killed after ${committedBefore} commits ` +
        `(${killed.length} process), resumed from the snapshot at feed offset ${reports[0].kafka.resumedFrom.offset} (committed ${reports[0].kafka.resumedFromOffset}); ` +
        `published ${reports[0].kafka.published.executions}+${reports[0].kafka.notRepublished.executions} / ${reports[1].kafka.published.executions} executions; ` +
        `settle ${settle.cleared}/${settle.executions} cleared, 0 lost, 0 duplicated (balanced ${settleWaitS} s after the shards ended); ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }, 240_000);
});
