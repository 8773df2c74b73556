/**
 * Synthetic executions straight onto the executions topic, Zipf-skewed over accounts, for
 * clearing scale tests. Deterministic for a seed. Execution ids are (session, i, 0) for
 * i = 1..N, produced in order by one idempotent producer (maxInFlightRequests 1), so each
 * account's executions arrive in increasing id order, as the engine's do.
 */
import kafkajs from 'kafkajs';
import { encodeExecution, executionKey, type Execution } from '../clearing/execution.ts';
import { zipfWeights } from './balance.ts';
import { makeKafka, waitForBroker } from './client.ts';
import { ensureExecutionsTopic, topicNames, DEFAULT_PARTITIONS } from './topics.ts';

const { Partitioners } = kafkajs;

export interface LoadgenOptions {
  brokers: string;
  executions: number;
  accounts: number;
  skew?: number;
  seed?: number;
  session?: number;
  prefix?: string;
  partitions?: number;
  /** Malformed records mixed in (they must end in the dead-letter topic). */
  malformed?: number;
  /** Executions sent a second time later in the stream (the workers must de-duplicate them). */
  duplicates?: number;
  /** First account id (default 10001). */
  firstAccountId?: number;
  /** Pace the stream at about this many records per second (default: as fast as possible). */
  ratePerSec?: number;
  onProgress?: (sent: number) => void;
}

export interface LoadgenResult {
  topic: string;
  session: number;
  executions: number;
  sent: number;
  malformed: number;
  duplicates: number;
  accounts: number;
  partitions: number;
  perPartition: number[];
  ms: number;
  perSecond: number;
}

export const LOADGEN_SYMBOLS: ReadonlyArray<[string, number]> = [
  ['AAPL', 1900000], ['MSFT', 4150000], ['AMZN', 1850000], ['NVDA', 1200000],
  ['TSLA', 2400000], ['INTC', 310000], ['AMD', 1600000], ['META', 5000000],
  ['GOOG', 1700000], ['NFLX', 6500000], ['ORCL', 1250000], ['CSCO', 500000],
];

/** mulberry32 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function zipfSampler(n: number, s: number, rand: () => number): () => number {
  const w = zipfWeights(n, s);
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += w[i];
  return () => {
    const u = rand() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The deterministic execution stream (without malformed records or re-sends). */
export function* generateExecutions(o: { executions: number; accounts: number; skew: number; seed: number; session: number; firstAccountId: number }): Generator<Execution> {
  const rand = rng(o.seed);
  const pick = zipfSampler(o.accounts, o.skew, rand);
  const last = LOADGEN_SYMBOLS.map(([, p]) => p);
  for (let i = 1; i <= o.executions; i++) {
    const a = pick();
    const si = Math.floor(rand() * LOADGEN_SYMBOLS.length);
    const ticks = Math.round((rand() - 0.5) * 10); // ±5 cents random walk
    last[si] = Math.max(100, last[si] + ticks * 100);
    yield {
      session: o.session,
      seq: i,
      leg: 0,
      side: rand() < 0.5 ? 'B' : 'S',
      accountId: o.firstAccountId + a,
      accountIndex: 0xff,
      symbol: LOADGEN_SYMBOLS[si][0],
      price: last[si],
      qty: 100 * (1 + Math.floor(rand() * 20)),
      ts: 34_200_000_000_000n + BigInt(i) * 1000n,
    };
  }
}

export function partitionOf(key: string, partitions: number): number {
  const meta = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  return Partitioners.DefaultPartitioner()({ topic: 'x', partitionMetadata: meta, message: { key, value: null } });
}

export async function loadgen(o: LoadgenOptions): Promise<LoadgenResult> {
  const t0 = Date.now();
  const names = topicNames(o.prefix);
  const seed = o.seed ?? 1;
  const session = o.session ?? 9000 + seed;
  const skew = o.skew ?? 1.2;
  const firstAccountId = o.firstAccountId ?? 10001;
  const kafka = makeKafka(o.brokers, 'riskgate-loadgen');
  await waitForBroker(o.brokers);
  const admin = kafka.admin();
  await admin.connect();
  const partitions = await ensureExecutionsTopic(admin, names, o.partitions ?? DEFAULT_PARTITIONS);
  await admin.disconnect();
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const rand = rng(seed ^ 0x5eed);
  const malformedAt = new Set<number>();
  while (malformedAt.size < Math.min(o.malformed ?? 0, o.executions)) malformedAt.add(1 + Math.floor(rand() * o.executions));
  const nDup = Math.min(o.duplicates ?? 0, o.executions);
  const dupFrom = new Map<number, number>(); // position after which an earlier execution is re-sent
  for (let k = 0; k < nDup; k++) {
    const at = 2 + Math.floor(rand() * (o.executions - 1));
    dupFrom.set(at, 1 + Math.floor(rand() * (at - 1)));
  }
  const perPartition = new Array<number>(partitions).fill(0);
  const pcache = new Map<number, number>();
  const part = (acct: number) => {
    let p = pcache.get(acct);
    if (p === undefined) pcache.set(acct, (p = partitionOf(executionKey(acct), partitions)));
    return p;
  };
  const keep = new Map<number, Execution>(); // executions that will be re-sent
  const wantKeep = new Set(dupFrom.values());
  let batch: { key: string; value: Buffer }[] = [];
  let sent = 0;
  let malformed = 0;
  let duplicates = 0;
  const tStream = Date.now();
  const batchMax = o.ratePerSec ? Math.max(50, Math.min(5000, Math.round(o.ratePerSec / 20))) : 5000;
  const flush = async () => {
    if (!batch.length) return;
    if (o.ratePerSec) {
      const due = tStream + ((sent + batch.length) * 1000) / o.ratePerSec;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await producer.send({ topic: names.executions, messages: batch, acks: -1 });
    sent += batch.length;
    batch = [];
    o.onProgress?.(sent);
  };
  for (const e of generateExecutions({ executions: o.executions, accounts: o.accounts, skew, seed, session, firstAccountId })) {
    const key = executionKey(e.accountId);
    batch.push({ key, value: encodeExecution(e) });
    perPartition[part(e.accountId)]++;
    if (wantKeep.has(e.seq)) keep.set(e.seq, e);
    if (malformedAt.has(e.seq)) {
      const bad = encodeExecution(e);
      bad[5] = 0x3f; // side '?'
      batch.push({ key, value: bad });
      malformed++;
    }
    const d = dupFrom.get(e.seq);
    if (d !== undefined) {
      const orig = keep.get(d)!;
      // re-send in the same partition order as a producer retry would: after its original
      batch.push({ key: executionKey(orig.accountId), value: encodeExecution(orig) });
      duplicates++;
    }
    if (batch.length >= batchMax) await flush();
  }
  await flush();
  await producer.disconnect();
  const ms = Date.now() - t0;
  return {
    topic: names.executions,
    session,
    executions: o.executions,
    sent,
    malformed,
    duplicates,
    accounts: o.accounts,
    partitions,
    perPartition,
    ms,
    perSecond: Math.round((sent * 1000) / Math.max(1, ms)),
  };
}
