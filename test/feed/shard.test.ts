// `run --shard K/N` without a broker (docs/spec.md §14.9, src/kafka/shard.ts): strict parsing,
// the deterministic account → shard assignment, the configs that are refused, and that the
// records the shards publish add up to exactly what one engine publishes — every execution
// byte for byte, every account's decisions in order, every control in every shard.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig, type Config } from '../../src/config/index.ts';
import { createEngine } from '../../src/engine/create.ts';
import { DecisionBatcher, decodeDecisionBatch } from '../../src/kafka/decision-batch.ts';
import { FeedEngine } from '../../src/kafka/feed-engine.ts';
import type { FeedTransactions } from '../../src/kafka/feed-tx.ts';
import { parseShard, shardGroup, shardOfAccount, shardPlan, type ShardPlan } from '../../src/kafka/shard.ts';
import { RecordKind } from '../../src/records/layout.ts';
import { RecordView } from '../../src/records/view.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('--shard K/N parsing', () => {
  it('takes 1 ≤ K ≤ N', () => {
    expect(parseShard('1/1')).toEqual({ k: 1, n: 1 });
    expect(parseShard('2/3')).toEqual({ k: 2, n: 3 });
    expect(parseShard('3/3')).toEqual({ k: 3, n: 3 });
  });

  it.each([
    ['0/2', /numbered from 1/],
    ['3/2', /shard 3 does not exist: shards are numbered 1\.\.2/],
    ['a/b', /expected K\/N/],
    ['1/0', /N must be at least 1/],
    ['1', /expected K\/N/],
    ['1/2/3', /expected K\/N/],
    ['-1/2', /expected K\/N/],
    [' 1/2', /expected K\/N/],
    ['1/2 ', /expected K\/N/],
    ['01/2', /leading zeros/],
    ['1.0/2', /expected K\/N/],
    ['1/256', /at most 255/],
    ['', /expected K\/N/],
  ])('refuses %j with a clear message', (text, why) => {
    expect(() => parseShard(text)).toThrow(why);
    try {
      parseShard(text);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('USAGE');
      expect((e as Error).message).toContain(`--shard ${JSON.stringify(text)}`);
    }
  });

  it('the CLI refuses a bad --shard with exit 2 before touching a broker', () => {
    for (const [arg, msg] of [['0/2', 'numbered from 1'], ['3/2', 'does not exist'], ['a/b', 'expected K/N']]) {
      // A broker address nobody listens on: the refusal must come first.
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/riskgate.js'), 'run', '--brokers', '127.0.0.1:1', '--shard', arg], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(msg);
    }
    const serve = spawnSync(process.execPath, [join(ROOT, 'bin/riskgate.js'), 'run', '--brokers', '127.0.0.1:1', '--shard', '1/2', '--serve'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain('--shard cannot be combined with --serve');
    // The default config has 3 accounts: 4 shards cannot each own one (exit 5, CONFIG_INVALID).
    const four = spawnSync(process.execPath, [join(ROOT, 'bin/riskgate.js'), 'run', '--brokers', '127.0.0.1:1', '--shard', '1/4'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(four.status, four.stderr).toBe(5);
    expect(four.stderr).toContain('cannot be split into 4 shards');
  });
});

describe('shard plan', () => {
  const config = loadConfig();

  it('assigns account j of the config to shard j mod N + 1, with its symbols', () => {
    expect([0, 1, 2, 3, 4].map((j) => shardOfAccount(j, 2))).toEqual([1, 2, 1, 2, 1]);
    const one = shardPlan(config, { k: 1, n: 2 });
    const two = shardPlan(config, { k: 2, n: 2 });
    expect(one.accounts).toEqual([1001, 1003]);
    expect(two.accounts).toEqual([1002]);
    expect(one.symbols).toEqual(['AAPL', 'MSFT', 'TSLA', 'INTC', 'AMD']);
    expect(two.symbols).toEqual(['AMZN', 'NVDA', 'META']);
    // Every account and every symbol in exactly one shard.
    for (const n of [1, 2, 3]) {
      const plans = Array.from({ length: n }, (_, i) => shardPlan(config, { k: i + 1, n }));
      expect(plans.flatMap((p) => p.accounts).sort()).toEqual(config.accounts.map((a) => a.id).sort());
      expect(plans.flatMap((p) => p.symbols).sort()).toEqual(config.symbols.map((s) => s.symbol).sort());
    }
    expect(shardGroup('riskgate', { k: 2, n: 3 })).toBe('riskgate.run.shard-2-of-3');
  });

  it('refuses more shards than accounts', () => {
    expect(() => shardPlan(config, { k: 1, n: 4 })).toThrow(/has 3 accounts, so it cannot be split into 4 shards/);
  });
});

/** The outputs one FeedEngine publishes for the whole demo session, under `plan` (null: one engine). */
function publish(config: Config, frames: Buffer, plan: ShardPlan | null) {
  const tx = { executions: [] as { key: string; value: Buffer }[], decisions: new DecisionBatcher(config.session) };
  const engine = createEngine('rust', configBlob(config));
  const fe = new FeedEngine(engine, config, 'test', tx as unknown as FeedTransactions, { shard: plan });
  fe.live = true;
  // Engine calls of ~1,000 frames, as packets would come.
  let off = 0;
  let offset = 0;
  while (off < frames.length) {
    let end = off;
    let n = 0;
    while (end < frames.length && n < 1000) {
      const len = frames.readUInt16BE(end);
      if (len === 0) break;
      end += 2 + len;
      n++;
    }
    if (n === 0) break;
    fe.call(frames.subarray(off, end), false, n, offset++, true);
    off = end;
  }
  engine.close();
  const decisions = Buffer.concat(tx.decisions.seal().map((b) => decodeDecisionBatch(b).records));
  return { executions: tx.executions, decisions, otherShards: fe.otherShards };
}

function byKind(records: Buffer, kind: number, keep: (v: RecordView) => boolean = () => true): Buffer {
  const out: Buffer[] = [];
  for (const v = new RecordView(records); v.next(); ) if (v.kind === kind && keep(v)) out.push(Buffer.from(v.bytes()));
  return Buffer.concat(out);
}

describe('sharded outputs add up to one engine', () => {
  it('demo session, N = 1, 2, 3: same executions byte for byte, same decisions per account, every control in every shard', () => {
    const config = loadConfig();
    const frames = gunzipSync(readFileSync(join(ROOT, 'data/demo.itch.gz')));
    const single = publish(config, frames, null);
    const accountOf = (v: RecordView) => v.bytes()[27];
    expect(single.executions.length).toBeGreaterThan(1000);
    const singleControls = byKind(single.decisions, RecordKind.CONTROL);
    expect(singleControls.length).toBeGreaterThan(0);
    for (const n of [1, 2, 3]) {
      const shards = Array.from({ length: n }, (_, i) => shardPlan(config, { k: i + 1, n }));
      const outs = shards.map((p) => publish(config, frames, p));
      // Executions: the shards' union is the single engine's, value for value, and each account's in the same order.
      const all = outs.flatMap((o) => o.executions);
      expect(all.length).toBe(single.executions.length);
      for (const a of config.accounts) {
        const key = String(a.id);
        const mine = single.executions.filter((m) => m.key === key).map((m) => m.value.toString('hex'));
        const owners = outs.filter((_, i) => shards[i].accounts.includes(a.id));
        expect(owners.length).toBe(1);
        expect(owners[0].executions.filter((m) => m.key === key).map((m) => m.value.toString('hex'))).toEqual(mine);
        expect(mine.length).toBeGreaterThan(0);
      }
      outs.forEach((o, i) => {
        // Nothing of another shard's accounts; every control.
        for (const m of o.executions) expect(shards[i].accounts).toContain(Number(m.key));
        const own = (v: RecordView) => shards[i].ownsAccount[accountOf(v)];
        expect(byKind(o.decisions, RecordKind.DECISION).equals(byKind(single.decisions, RecordKind.DECISION, own))).toBe(true);
        expect(byKind(o.decisions, RecordKind.CONTROL).equals(singleControls)).toBe(true);
        expect(o.otherShards.executions + o.executions.length).toBe(single.executions.length);
      });
    }
  });
});
