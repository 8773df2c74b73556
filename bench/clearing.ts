/**
 * Clearing benchmark against the local broker (npm run bench:clearing).
 *
 *  Phase 1, capacity through a worker kill: N executions (default 1M, Zipf 1.2 over 200
 *  accounts) are loaded first, then 3 exactly-once workers drain them; one worker is
 *  SIGKILLed when 40% are cleared. Reports cleared executions/s overall and per 5 s window,
 *  and the lowest window after the kill.
 *  Phase 2, end-to-end lag: a paced stream (default 5,000/s for 20 s) into 3 fresh workers;
 *  a read_committed consumer on the settlements topic measures, per execution, the time from
 *  its produce timestamp to its settlement entry becoming visible; p50 / p99 / max.
 *
 * Options: --brokers (127.0.0.1:9092) --executions (1000000) --accounts (200) --skew (1.2)
 *          --rate (5000) --seconds (20) --json
 */
import { parseArgs } from 'node:util';
import { loadFeeSchedule } from '../src/clearing/fees.ts';
import { makeKafka, sleep } from '../src/kafka/client.ts';
import { groupLag } from '../src/kafka/lag.ts';
import { loadgen } from '../src/kafka/loadgen.ts';
import { spawnWorkers, stopWorkers, type WorkerEvent, type WorkerHandle } from '../src/kafka/supervisor.ts';
import { ensureClearingTopics, topicNames } from '../src/kafka/topics.ts';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    executions: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '200' },
    skew: { type: 'string', default: '1.2' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string', default: '3' },
    json: { type: 'boolean' },
  },
});
const BROKERS = values.brokers!;
const N = Number(values.executions);
const ACCOUNTS = Number(values.accounts);
const SKEW = Number(values.skew);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WORKERS = Number(values.workers);
const fees = loadFeeSchedule('config/default.json');
const log = (s: string) => process.stderr.write(`bench:clearing: ${s}\n`);

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startGroup(prefix: string, events: WorkerEvent[]): Promise<WorkerHandle[]> {
  const kafka = makeKafka(BROKERS, 'riskgate-bench');
  const admin = kafka.admin();
  await admin.connect();
  await ensureClearingTopics(admin, topicNames(prefix));
  await admin.disconnect();
  const ws = spawnWorkers(WORKERS, { brokers: BROKERS, prefix, fees, exactlyOnce: true, onEvent: (e) => events.push(e) });
  const t0 = Date.now();
  for (;;) {
    const owned = new Map<string, number[]>();
    for (const e of events) if (e.event === 'assigned') owned.set(e.w, e.partitions as number[]);
    if (owned.size === WORKERS && [...owned.values()].every((p) => p.length)) break;
    if (Date.now() - t0 > 120_000) throw new Error('workers did not join the group within 120 s');
    await sleep(100);
  }
  return ws;
}

async function drain(prefix: string, timeoutMs: number): Promise<void> {
  const kafka = makeKafka(BROKERS, 'riskgate-bench-lag');
  const admin = kafka.admin();
  await admin.connect();
  const names = topicNames(prefix);
  const t0 = Date.now();
  try {
    for (;;) {
      const lag = await groupLag(admin, names.group, names.executions).catch(() => null);
      if (lag && lag.total === 0) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`not drained after ${timeoutMs} ms (lag ${lag?.total})`);
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

async function phaseCapacity() {
  const prefix = `bench.cap.${Date.now().toString(36)}`;
  log(`phase 1: loading ${N} executions (${ACCOUNTS} accounts, Zipf ${SKEW}) into ${prefix}.executions`);
  const gen = await loadgen({ brokers: BROKERS, prefix, executions: N, accounts: ACCOUNTS, skew: SKEW, seed: 1, session: 1 });
  log(`loaded in ${gen.ms} ms (${gen.perSecond}/s); starting ${WORKERS} workers`);
  const events: WorkerEvent[] = [];
  const ws = await startGroup(prefix, events);
  const cleared = () => events.filter((e) => e.event === 'committed').reduce((s, e) => s + Number(e.executions), 0);
  let killAt = 0;
  let killedWorker = '';
  try {
    while (cleared() < 0.4 * N) await sleep(50);
    const victim = ws[0];
    killAt = Date.now();
    killedWorker = victim.id;
    victim.child.kill('SIGKILL');
    log(`killed ${victim.id} (pid ${victim.pid}) at ${cleared()} cleared`);
    await drain(prefix, 30 * 60_000);
  } finally {
    await stopWorkers(ws);
  }
  const commits = events.filter((e) => e.event === 'committed').map((e) => ({ t: e.t, n: Number(e.executions) }));
  commits.sort((a, b) => a.t - b.t);
  const first = commits[0].t;
  const last = commits[commits.length - 1].t;
  const total = commits.reduce((s, c) => s + c.n, 0);
  const W = 5000;
  const windows: { from: number; perSecond: number }[] = [];
  for (let t = first; t + W <= last; t += W) {
    const n = commits.filter((c) => c.t >= t && c.t < t + W).reduce((s, c) => s + c.n, 0);
    windows.push({ from: Math.round((t - first) / 1000), perSecond: Math.round((n * 1000) / W) });
  }
  const afterKill = windows.filter((w) => first + w.from * 1000 >= killAt - W);
  const minAfterKill = afterKill.length ? Math.min(...afterKill.map((w) => w.perSecond)) : NaN;
  const recovered = events.filter((e) => e.event === 'restored' && e.t > killAt);
  const moveMs = recovered.length ? Math.max(...recovered.map((e) => e.t)) - killAt : NaN;
  return {
    executions: N,
    cleared: total,
    seconds: (last - first) / 1000,
    perSecond: Math.round((total * 1000) / (last - first)),
    killedWorker,
    killAtSecond: Math.round((killAt - first) / 1000),
    partitionsRestoredMsAfterKill: moveMs,
    windows,
    minWindowPerSecondAroundKill: minAfterKill,
  };
}

async function phaseLag() {
  const prefix = `bench.lag.${Date.now().toString(36)}`;
  const events: WorkerEvent[] = [];
  const ws = await startGroup(prefix, events);
  const names = topicNames(prefix);
  const kafka = makeKafka(BROKERS, 'riskgate-bench-reader');
  const consumer = kafka.consumer({ groupId: `${prefix}.reader`, readUncommitted: false, maxWaitTimeInMs: 50 });
  const lags: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: names.settlements, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) lags.push(now - Number(JSON.parse(m.value!.toString()).src.ts));
    },
  });
  const total = RATE * SECONDS;
  log(`phase 2: ${total} executions paced at ${RATE}/s into ${prefix}.executions, ${WORKERS} workers running`);
  try {
    const gen = await loadgen({ brokers: BROKERS, prefix, executions: total, accounts: ACCOUNTS, skew: SKEW, seed: 2, session: 2, ratePerSec: RATE });
    log(`produced at ${gen.perSecond}/s`);
    await drain(prefix, 10 * 60_000);
    const t0 = Date.now();
    while (lags.length < total && Date.now() - t0 < 60_000) await sleep(100);
  } finally {
    await consumer.disconnect();
    await stopWorkers(ws);
  }
  const sorted = [...lags].sort((a, b) => a - b);
  return { executions: total, ratePerSec: RATE, measured: sorted.length, p50Ms: pct(sorted, 50), p99Ms: pct(sorted, 99), maxMs: sorted[sorted.length - 1] };
}

const capacity = await phaseCapacity();
log(`phase 1: ${capacity.cleared} cleared in ${capacity.seconds.toFixed(1)} s = ${capacity.perSecond}/s; lowest 5 s window from the kill on: ${capacity.minWindowPerSecondAroundKill}/s`);
log(`windows (s → /s): ${capacity.windows.map((w) => `${w.from}:${w.perSecond}`).join(' ')}`);
const lag = await phaseLag();
log(`phase 2: end-to-end lag p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms over ${lag.measured} executions at ${lag.ratePerSec}/s`);
const result = { machine: '2 cores (shared)', exactlyOnce: true, workers: WORKERS, capacity, lag, sustained5000ThroughKill: capacity.minWindowPerSecondAroundKill >= 5000 };
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else
  process.stdout.write(
    `clearing bench (exactly once, ${WORKERS} workers): ${capacity.perSecond} executions/s over ${capacity.cleared}; ` +
      `through a worker kill ≥ ${capacity.minWindowPerSecondAroundKill}/s per 5 s window; ` +
      `lag p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms at ${lag.ratePerSec}/s\n`,
  );
process.exit(0);
