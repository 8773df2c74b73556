// Exactly-once clearing against the real broker (issue 4's CI test):
// 100k executions over 200 accounts (Zipf 1.2) through 3 worker processes; one worker is
// SIGKILLed while it holds an open transaction, the broker is restarted once; afterwards
// settle reports lost 0 / duplicated 0, the killed worker's partitions have moved, and every
// position equals an independent recomputation from the executions topic.
// Negative controls: exactly-once off → duplicated > 0; deleted settlements → lost > 0.
//
// The broker restart is a fault for everyone on that broker, and test files run in parallel,
// so this file starts its own single-node broker on another port (scripts/kafka.sh with
// KAFKA_PORT, default 19092/19093, data under .cache/kafka/data-<port>) and removes it after.
import { Decimal } from 'decimal.js';
import { describe, it, expect } from 'vitest';
import { decodeExecution } from '../../src/clearing/execution.ts';
import { loadFeeSchedule } from '../../src/clearing/fees.ts';
import { makeKafka, sleep } from '../../src/kafka/client.ts';
import { groupLag } from '../../src/kafka/lag.ts';
import { loadgen } from '../../src/kafka/loadgen.ts';
import { readToEnd } from '../../src/kafka/read-topic.ts';
import { settle } from '../../src/kafka/settle.ts';
import { spawnWorkers, stopWorkers, type WorkerEvent, type WorkerHandle } from '../../src/kafka/supervisor.ts';
import { topicNames } from '../../src/kafka/topics.ts';
import { freshClusterPerFile, ownBroker, uniqueName } from './broker.ts';

const { BROKER, KAFKA_ENV, kafkaSh } = ownBroker(Number(process.env.RISKGATE_KAFKA_FAULT_PORT ?? 19092));
const fees = loadFeeSchedule('config/default.json');

async function until<T>(what: string, timeoutMs: number, f: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

class Run {
  events: WorkerEvent[] = [];
  workers: WorkerHandle[] = [];
  constructor(
    readonly prefix: string,
    readonly exactlyOnce: boolean,
  ) {}
  start(n: number) {
    this.workers = spawnWorkers(n, {
      brokers: BROKER,
      prefix: this.prefix,
      fees,
      exactlyOnce: this.exactlyOnce,
      onEvent: (e) => {
        this.events.push(e);
        if (['fatal', 'unhandled-rejection', 'stderr'].includes(e.event)) console.error(`[${e.w}]`, JSON.stringify(e));
      },
    });
  }
  of(event: string, w?: string) {
    return this.events.filter((e) => e.event === event && (w === undefined || e.w === w));
  }
  cleared() {
    return this.of('committed').reduce((s, e) => s + Number(e.executions), 0);
  }
  /** The latest partitions each live worker reported owning. */
  owned(): Map<string, number[]> {
    const m = new Map<string, number[]>();
    for (const e of this.of('assigned')) m.set(e.w, e.partitions as number[]);
    return m;
  }
  async drain(timeoutMs: number) {
    const kafka = makeKafka(BROKER, 'riskgate-test-lag');
    const admin = kafka.admin();
    await admin.connect();
    const names = topicNames(this.prefix);
    try {
      let idleSince = 0;
      await until('the clearing group to have no lag', timeoutMs, async () => {
        const lag = await groupLag(admin, names.group, names.executions).catch(() => null);
        if (lag && lag.total === 0) {
          idleSince ||= Date.now();
          return Date.now() - idleSince > 1500;
        }
        idleSince = 0;
        return false;
      });
    } finally {
      await admin.disconnect();
    }
  }
  dump(w: string, n = 40) {
    const mine = this.events.filter((e) => e.w === w && e.event !== 'progress');
    console.error(`last events of ${w}:\n${mine.slice(-n).map((e) => JSON.stringify(e).slice(0, 300)).join('\n')}`);
    const last = this.events.filter((e) => e.w === w && e.event === 'progress').pop();
    console.error(`last progress of ${w}: ${JSON.stringify(last)}`);
  }
  /** Arms the hold in worker `w`, waits until it holds an open transaction, SIGKILLs it. */
  async killMidTransaction(w: WorkerHandle, thenLoad?: () => Promise<unknown>) {
    const before = this.of('tx-open', w.id).length;
    process.kill(w.pid, 'SIGUSR2');
    await until(`${w.id} to arm its hold`, 10_000, () => this.of('hold-armed', w.id).length > 0);
    const loading = thenLoad?.();
    const open = await until(`${w.id} to hold an open transaction`, 60_000, () => this.of('tx-open', w.id)[before]).catch((e) => {
      this.dump(w.id);
      throw e;
    });
    w.child.kill('SIGKILL');
    await w.exited;
    await loading;
    return open;
  }
}

/** Independent recomputation: net quantity and net cash per account:symbol from raw executions. */
function recompute(execs: { accountId: number; symbol: string; side: string; qty: number; price: number }[]) {
  const per = new Map<string, { qty: number; cash: Decimal }>();
  for (const e of execs) {
    const k = `${e.accountId}:${e.symbol}`;
    const p = per.get(k) ?? { qty: 0, cash: new Decimal(0) };
    const notional = new Decimal(e.price).div(10000).mul(e.qty);
    let fee = new Decimal('0.0030').mul(e.qty);
    if (fee.lt('0.35')) fee = new Decimal('0.35');
    fee = fee.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    if (e.side === 'B') {
      p.qty += e.qty;
      p.cash = p.cash.minus(notional).minus(fee);
    } else {
      p.qty -= e.qty;
      p.cash = p.cash.plus(notional).minus(fee);
    }
    per.set(k, p);
  }
  return per;
}

describe('exactly-once clearing on the real broker', () => {
  freshClusterPerFile(kafkaSh);

  it('100k executions, 200 accounts, Zipf 1.2, 3 workers, SIGKILL mid-transaction, broker restart: lost 0, duplicated 0', async () => {
    const prefix = uniqueName('rgtest.eos');
    const N = 100_000;
    // 60k now, 40k (another session) once the victim is armed, so that it surely has work.
    const gen = await loadgen({ brokers: BROKER, prefix, executions: 60_000, accounts: 200, skew: 1.2, seed: 42, session: 4201, malformed: 5, duplicates: 20 });
    expect(gen.executions).toBe(60_000);
    const run = new Run(prefix, true);
    run.start(3);
    try {
      // All three in the group and clearing.
      await until('3 workers to own partitions', 90_000, () => run.owned().size === 3 && [...run.owned().values()].every((ps) => ps.length > 0));
      await until('10k executions cleared', 120_000, () => run.cleared() >= 10_000);
      // Restart the broker once, mid-run (clean stop, same data); workers must abort, recreate
      // their transactional producers and carry on.
      const clearedBeforeRestart = run.cleared();
      const t0 = Date.now();
      kafkaSh('restart');
      const restartMs = Date.now() - t0;
      await until('clearing to resume after the broker restart', 120_000, () => run.cleared() >= clearedBeforeRestart + 10_000);
      const victim = run.workers[0];
      const victimParts = run.owned().get(victim.id)!;
      const open = await run.killMidTransaction(victim, () =>
        loadgen({ brokers: BROKER, prefix, executions: 40_000, accounts: 200, skew: 1.2, seed: 43, session: 4202 }),
      );
      expect(Number(open.executions)).toBeGreaterThan(0);
      // Its partitions move to the two survivors.
      await until('the victim partitions to move', 90_000, () => {
        const owned = run.owned();
        const survivors = [...owned].filter(([w]) => w !== victim.id).flatMap(([, ps]) => ps);
        return victimParts.every((p) => survivors.includes(p)) && survivors.length === gen.partitions;
      });
      const clearedAtKill = Number(open.t) ? run.cleared() : 0;
      expect(clearedAtKill).toBeLessThan(N);
      await run.drain(240_000);
      const recovered = run.of('producer-recreate').length + run.of('consumer-crash').length + run.of('tx-failed').length;
      const three = run.of('assignment').find((e) => e.members === 3)!;
      expect(three).toBeDefined();
      expect(Number(three.ratio)).toBeLessThanOrEqual(1.3);
      console.log(
        `clearing: cleared before restart ${clearedBeforeRestart}, restart took ${restartMs} ms; killed ${victim.id} holding ` +
          `${open.executions} executions on partition ${open.partition} after ${clearedAtKill}; its partitions [${victimParts}] moved; ` +
          `recoveries ${recovered}; ` +
          `assignments ${run.of('assignment').map((e) => `${Number(e.ratio).toFixed(2)} (rr ${Number(e.roundRobinRatio).toFixed(2)}, greedy ${Number(e.greedyRatio).toFixed(2)})`).join('; ')}`,
      );
    } finally {
      await stopWorkers(run.workers);
    }

    const r = await settle({ brokers: BROKER, prefix });
    expect({ executions: r.executions, cleared: r.cleared, lost: r.lost, duplicated: r.duplicated, unknown: r.unknown, malformed: r.malformed }).toEqual({
      executions: N,
      cleared: N,
      lost: 0,
      duplicated: 0,
      unknown: 0,
      malformed: 5,
    });
    expect(r.inputDuplicates).toBe(20);
    expect(r.breaks).toEqual([]);
    expect(r.accounts).toBeGreaterThanOrEqual(190);

    // Every position equals an independent recomputation from the executions topic.
    const kafka = makeKafka(BROKER, 'riskgate-test-recompute');
    const admin = kafka.admin();
    await admin.connect();
    const names = topicNames(prefix);
    const seen = new Set<string>();
    const execs: ReturnType<typeof decodeExecution>[] = [];
    await readToEnd(kafka, admin, names.executions, (_p, m) => {
      let e;
      try {
        e = decodeExecution(m.value);
      } catch {
        return;
      }
      const id = `${e.session}:${e.seq}:${e.leg}`;
      if (!seen.has(id)) {
        seen.add(id);
        execs.push(e);
      }
    });
    const dlq: string[] = [];
    await readToEnd(kafka, admin, names.dlq, (_p, m) => dlq.push(m.value!.toString()));
    expect(dlq).toHaveLength(5);
    for (const d of dlq) expect(JSON.parse(d)).toMatchObject({ code: 'BAD_EXECUTION', reason: expect.stringMatching(/side/), offset: expect.any(String) });

    const expected = recompute(execs);
    expect(r.positions.size).toBe(expected.size);
    let mismatches = 0;
    for (const [k, v] of expected) {
      const p = r.positions.get(k);
      if (!p || p.position !== v.qty || !new Decimal(p.netCash).eq(v.cash)) mismatches++;
    }
    expect(mismatches).toBe(0);

    // Negative control: settlement entries deleted from the ledger → settle reports them lost.
    const offs = await admin.fetchTopicOffsets(names.settlements);
    const fullest = offs.sort((a, b) => Number(b.high) - Number(a.high))[0];
    await admin.deleteTopicRecords({ topic: names.settlements, partitions: [{ partition: fullest.partition, offset: '50' }] });
    await admin.disconnect();
    const after = await settle({ brokers: BROKER, prefix });
    expect(after.lost).toBeGreaterThan(0);
    expect(after.duplicated).toBe(0);
  }, 600_000);

  it('negative control: with exactly-once off, the same kill scenario reports duplicated > 0', async () => {
    const prefix = uniqueName('rgtest.alo');
    const gen = await loadgen({ brokers: BROKER, prefix, executions: 10_000, accounts: 200, skew: 1.2, seed: 7, session: 701 });
    const run = new Run(prefix, false);
    run.start(3);
    try {
      await until('3 workers to own partitions', 90_000, () => run.owned().size === 3 && [...run.owned().values()].every((ps) => ps.length > 0));
      await until('2k executions cleared', 120_000, () => run.cleared() >= 2_000);
      await run.killMidTransaction(run.workers[0], () =>
        loadgen({ brokers: BROKER, prefix, executions: 10_000, accounts: 200, skew: 1.2, seed: 8, session: 702 }),
      );
      await run.drain(240_000);
    } finally {
      await stopWorkers(run.workers);
    }
    const r = await settle({ brokers: BROKER, prefix });
    expect(r.executions).toBe(gen.executions * 2);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBeGreaterThan(0);
  }, 400_000);
});
