/**
 * `riskgate run` end to end, exactly once, on a generated feed (issue 11). A session of
 * `--messages` (default 10,000,000) is generated once into .cache/feed-bench/, then:
 *
 * 1. **Throughput** (a backlog): the session is published to a fresh topic, then `riskgate run`
 *    reads it in a child process until its end-of-session packet. Prints msg/s two ways —
 *    *process wall* (spawn to exit: node and module start, broker connect, the run, the report)
 *    and *steady* (live to the last commit: what the pipeline sustains) — the child's CPU, and
 *    where the steady time goes from the run's own `kafka.timing` (handling consumer batches,
 *    engine inside it, waiting for the transaction in flight, waiting for a fetch, the final
 *    commit) and its transactions.
 * 2. **Lag** (a live feed): `run` is started first on an empty topic created with
 *    `message.timestamp.type=LogAppendTime`, then `--lag-messages` (default 2,000,000) of the
 *    session are published while it runs (paced only by `riskgate publish` itself).
 *    **Lag of a message** = the time its `run` transaction committed (the run's `committed`
 *    event, stamped when EndTxn returned) − the broker's append time of the feed record that
 *    carried it (its LogAppendTime timestamp), in ms, same machine clock. Percentiles p50, p99,
 *    p99.9 and max are over messages (each packet counts its message count).
 * 3. **kafkajs alone** on the same volume, in this process: consume the throughput topic with
 *    the run's fetch sizes (kafkajs's consumer, then the run's own reader, src/kafka/feed-fetch.ts), and the run's transactions (same count, same decision-batch bytes,
 *    plus sendOffsets) with no engine: the client's own bounds.
 * 4. `riskgate replay` of the same file, for the engine-only rate and the digest check.
 *
 * On a shared machine the steady rate is the share of the cores the run got; the CPU time of the
 * live run (`kafka.timing.liveCpuMs`) is what it costs, whatever the load.
 *
 *   npm run bench:feed -- --brokers 127.0.0.1:19292 [--messages 2000000] [--lag-messages 500000] [--skip-lag]
 *
 * Needs a broker (npm run kafka:up, or KAFKA_PORT=… scripts/kafka.sh up and --brokers / BENCH_BROKERS).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { machineBanner } from './machine.ts';
import { FeedFetch } from '../src/kafka/feed-fetch.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/riskgate.js');
const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.BENCH_BROKERS ?? '127.0.0.1:9092' },
    messages: { type: 'string', default: process.env.BENCH_MESSAGES ?? '10000000' },
    'lag-messages': { type: 'string', default: process.env.BENCH_LAG_MESSAGES ?? '2000000' },
    'skip-lag': { type: 'boolean', default: false },
  },
});
const BROKER = values.brokers!;
const N = Number(values.messages);
const LAG_N = Math.min(N, Number(values['lag-messages']));
if (!Number.isInteger(N) || N < 1000 || !Number.isInteger(LAG_N) || LAG_N < 1000) throw new Error('--messages and --lag-messages must be integers ≥ 1000');
const DIR = join(ROOT, '.cache/feed-bench');
mkdirSync(DIR, { recursive: true });
const TAG = `fb${Date.now().toString(36)}`;
const TIME_OUT = join(DIR, `${TAG}.time`);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
function pct(xs: number[], p: number): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length ? a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] : NaN;
}
/** Percentile of values weighted by counts (sorted by value). */
function weightedPct(pairs: [value: number, weight: number][], p: number): number {
  const a = [...pairs].sort((x, y) => x[0] - y[0]);
  const total = a.reduce((t, [, w]) => t + w, 0);
  let acc = 0;
  for (const [v, w] of a) if ((acc += w) >= (p / 100) * total) return v;
  return a.at(-1)?.[0] ?? NaN;
}

function gen(messages: number): string {
  const file = join(DIR, `seed42-${messages}.itch`);
  if (existsSync(file)) return file;
  const r = spawnSync(process.execPath, [BIN, 'gen', '--seed', '42', '--messages', String(messages), '--out', file, '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('riskgate gen failed');
  console.log(`generated ${file}`);
  return file;
}

interface Timed { report: any; spawnT: number; exitT: number; wallMs: number; cpuMs: number; userMs: number; sysMs: number; rssMiB: number; events: any[] }

/** A riskgate command under /usr/bin/time: its JSON report, wall ms, CPU ms, max RSS, its JSON events (stderr). */
function timed(args: string[], onEvent?: (e: any) => void): Promise<Timed> {
  const t0 = performance.now();
  const spawnT = Date.now();
  const time = `${TIME_OUT}.${Math.random().toString(36).slice(2)}`;
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', time, process.execPath, BIN, ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let tail = '';
  const events: any[] = [];
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => {
    err += d;
    for (let i; (i = err.indexOf('\n')) >= 0; ) {
      const l = err.slice(0, i);
      err = err.slice(i + 1);
      tail = (tail + l + '\n').slice(-4000);
      try {
        const e = JSON.parse(l);
        events.push(e);
        onEvent?.(e);
      } catch {
        // not an event line
      }
    }
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`riskgate ${args[0]} exited ${code}: ${tail}${err}`));
      const [u, sy, rss] = readFileSync(time, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      rmSync(time, { force: true });
      resolve({ report: JSON.parse(out), spawnT, exitT: Date.now(), wallMs, cpuMs: (u + sy) * 1000, userMs: u * 1000, sysMs: sy * 1000, rssMiB: rss / 1024, events });
    }),
  );
}

const kafka = new Kafka({ clientId: 'bench-feed', brokers: BROKER.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();

console.log(machineBanner());
console.log(`note:         the broker runs on the same shared 2-core VM as riskgate (it competes for the same cores)`);
console.log(`broker:       ${BROKER}, topic prefix ${TAG}; load average at start ${load()}\n`);
const FILE = gen(N);

// ---------------------------------------------------------------- 1. throughput on a backlog
const topic = `${TAG}.md.itch`;
const pub = await timed(['publish', FILE, '--brokers', BROKER, '--topic', topic]);
const packets: number = pub.report.packets;
console.log(`publish   ${fmt(pub.report.messages)} messages in ${fmt(packets)} packets (${fmt(pub.report.bytes / 1e6)} MB): ${s(pub.wallMs)} wall, ${s(pub.cpuMs)} CPU (${fmt(pub.report.messages / (pub.wallMs / 1000))} msg/s)`);

const loadBefore = load();
const run = await timed(['run', '--brokers', BROKER, '--prefix', TAG, '--topic', topic, '--stale-ms', '0', '--events']);
const loadAfter = load();
const rr = run.report;
const msgs: number = rr.messages;
const published = rr.kafka.published;
const timing = rr.kafka.timing;
const engineMs = rr.throughput.engineSeconds * 1000;
const commits = run.events.filter((e) => e.event === 'committed');
const startT = run.events.find((e) => e.event === 'start')?.t ?? run.spawnT;
const liveT = run.events.find((e) => e.event === 'live')?.t ?? startT;
const lastT = commits.at(-1)?.t ?? run.exitT;
const steadyMs = lastT - liveT;
const txMs = commits.reduce((a, c) => a + c.ms, 0);
const decisionBytes = commits.reduce((a, c) => a + c.decisions * 32 + c.batches * 48, 0);

const rep = await timed(['replay', FILE]);

// ---------------------------------------------------------------- 2. lag on a live feed
let lag: { p50: number; p99: number; p999: number; max: number; messages: number; wallMs: number; pubMsgsPerS: number; txs: number; load: string } | null = null;
if (!values['skip-lag']) {
  const lagFile = gen(LAG_N);
  const lagTopic = `${TAG}l.md.itch`;
  await admin.createTopics({ topics: [{ topic: lagTopic, numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }], waitForLeaders: true });
  let live!: () => void;
  const isLive = new Promise<void>((r) => (live = r));
  const lagRun = timed(['run', '--brokers', BROKER, '--prefix', `${TAG}l`, '--topic', lagTopic, '--stale-ms', '0', '--events'], (e) => e.event === 'live' && live());
  await Promise.race([isLive, lagRun]);
  const lagPub = await timed(['publish', lagFile, '--brokers', BROKER, '--topic', lagTopic]);
  const lr = await lagRun;
  const lagCommits = lr.events.filter((e) => e.event === 'committed');
  // Feed offsets → append time and message count, read back with kafkajs.
  const appended: { ts: number; count: number }[] = [];
  const consumer = kafka.consumer({ groupId: `${TAG}.lag-reader`, maxBytesPerPartition: 8 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: lagTopic, fromBeginning: true });
  const [hi] = await admin.fetchTopicOffsets(lagTopic);
  await new Promise<void>((done) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const count = m.value!.readUInt16BE(18);
          appended[Number(m.offset)] = { ts: Number(m.timestamp), count: count === 0xffff ? 0 : count };
        }
        if (Number(batch.lastOffset()) + 1 >= Number(hi.high)) done();
      },
    });
  });
  await consumer.disconnect();
  const pairs: [number, number][] = [];
  let c = 0;
  for (let o = 0; o < appended.length; o++) {
    const a = appended[o];
    if (!a || a.count === 0) continue;
    while (c < lagCommits.length && lagCommits[c].next <= o) c++;
    if (c === lagCommits.length) throw new Error(`feed offset ${o} has no commit past it`);
    pairs.push([lagCommits[c].t - a.ts, a.count]);
  }
  lag = {
    p50: weightedPct(pairs, 50), p99: weightedPct(pairs, 99), p999: weightedPct(pairs, 99.9), max: Math.max(...pairs.map((p) => p[0])),
    messages: pairs.reduce((t, p) => t + p[1], 0), wallMs: lagPub.wallMs, pubMsgsPerS: lagPub.report.messages / (lagPub.wallMs / 1000), txs: lagCommits.length, load: load(),
  };
}

// ---------------------------------------------------------------- 3. kafkajs alone
const cpu0 = process.cpuUsage();
let t0 = 0;
{
  const consumer = kafka.consumer({ groupId: `${TAG}.bench-reader`, maxWaitTimeInMs: 100, maxBytesPerPartition: 8 << 20, maxBytes: 16 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((done) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        t0 ||= performance.now();
        if (Number(batch.lastOffset()) + 1 >= packets) done();
      },
    });
  });
  await consumer.disconnect();
}
const consumeMs = performance.now() - t0;
const c1 = process.cpuUsage(cpu0);
const consumeCpuMs = (c1.user + c1.system) / 1000;

// The run's own feed reader (src/kafka/feed-fetch.ts) alone on the same topic: what consuming costs the run now.
const cpuR = process.cpuUsage();
const tR = performance.now();
let readerRecords = 0;
{
  const reader = new FeedFetch({ admin, topic, maxWaitMs: 100, maxBytes: 8 << 20, brokerTimeoutMs: 60_000 }, 0);
  while (reader.next < packets) readerRecords += (await reader.fetch()).length;
  reader.close();
}
const readerMs = performance.now() - tR;
const cR = process.cpuUsage(cpuR);
const readerCpuMs = (cR.user + cR.system) / 1000;

// The run's transactions without the run: same count, its decision bytes in 512 KiB records, sendOffsets each.
const outTopic = `${TAG}.bench-out`;
await admin.createTopics({ topics: [{ topic: outTopic, numPartitions: 1 }], waitForLeaders: true });
const producer = kafka.producer({ transactionalId: `${TAG}.bench-tx`, idempotent: true, maxInFlightRequests: 1, retry: { retries: 10, initialRetryTime: 5, maxRetryTime: 2000 } });
await producer.connect();
const txs = Math.max(1, commits.length);
const perTx = Math.ceil(decisionBytes / txs);
const chunk = Buffer.alloc(512 * 1024 + 48, 7);
const cpu1 = process.cpuUsage();
t0 = performance.now();
for (let i = 0; i < txs; i++) {
  const tx = await producer.transaction();
  for (let left = perTx; left > 0; left -= chunk.length) {
    await tx.sendBatch({ acks: -1, topicMessages: [{ topic: outTopic, messages: [{ key: 'g', value: chunk.subarray(0, Math.min(left, chunk.length)) }] }] });
  }
  await tx.sendOffsets({ consumerGroupId: `${TAG}.bench-tx`, topics: [{ topic, partitions: [{ partition: 0, offset: String(i + 1) }] }] });
  await tx.commit();
}
const produceMs = performance.now() - t0;
const c2 = process.cpuUsage(cpu1);
const produceCpuMs = (c2.user + c2.system) / 1000;
await producer.disconnect();
await admin.disconnect();

// ---------------------------------------------------------------- report
const wallRate = msgs / (run.wallMs / 1000);
const steadyRate = msgs / (steadyMs / 1000);
const repRate = rep.report.messages / (rep.wallMs / 1000);
console.log('');
console.log(`run       ${fmt(msgs)} messages, ${fmt(rr.feed.packets)} packets, end ${rr.feed.end}, gaps ${rr.feed.gaps.length}, duplicates ${rr.feed.duplicates}; load average ${loadBefore} before, ${loadAfter} after`);
console.log(`          steady (live → last commit) ${s(steadyMs)}: ${fmt(steadyRate)} msg/s`);
console.log(`          process wall (spawn → exit) ${s(run.wallMs)}: ${fmt(wallRate)} msg/s; CPU ${s(run.cpuMs)} (user ${s(run.userMs)}, sys ${s(run.sysMs)}); max RSS ${fmt(run.rssMiB)} MiB`);
console.log(`          CPU of the live run (live → last commit, all threads: kafka.timing.liveCpuMs) ${s(timing.liveCpuMs)}: ${(timing.liveCpuMs / 1000 / (msgs / 1e7)).toFixed(2)} s per 10M messages, ${fmt(msgs / (timing.liveCpuMs / 1000))} msg/s per core`);
console.log(`          published ${fmt(published.executions)} executions, ${fmt(published.decisions)} decisions + ${fmt(published.controls)} controls in ${fmt(commits.reduce((a, c) => a + c.batches, 0))} decision batches, ${fmt(published.transactions)} transactions`);
console.log(`replay    ${s(rep.wallMs)} wall (process), ${fmt(repRate)} msg/s; CPU ${s(rep.cpuMs)}; digest ${rep.report.recordsSha256 === rr.recordsSha256 ? '= run' : 'DIFFERS from run'}`);
console.log('');
console.log('where the time goes (run, wall):');
const row = (what: string, ms: number, extra = '') => console.log(`  ${what.padEnd(58)} ${s(ms).padStart(9)}  ${((ms / run.wallMs) * 100).toFixed(1).padStart(5)}%${extra}`);
row('spawn → start event (node, tsx, modules, broker connect)', startT - run.spawnT);
row('start → live (topics, fence, committed offset)', liveT - startT);
row('live → last commit (steady):', steadyMs);
row('  handling consumer batches', timing.handleMs, `   ${fmt(timing.batches)} batches, ${fmt(timing.packets / Math.max(1, timing.batches))} packets each`);
row('    engine (report throughput.engineSeconds)', engineMs);
row('    waiting for the transaction in flight', timing.waitTxMs);
row('    the rest: sequencing, records, digest, batching, kafkajs', timing.handleMs - engineMs - timing.waitTxMs);
row('  waiting for a fetch (no batch queued)', timing.waitFeedMs);
row('  last transaction after the last batch (drain)', timing.drainMs);
row('last commit → exit (report, disconnect)', run.exitT - lastT);
console.log(`  transactions: ${commits.length}, each ${fmt(msgs / Math.max(1, commits.length))} messages; EndTxn-to-EndTxn ms p50 ${pct(commits.map((c) => c.ms), 50)}, p99 ${pct(commits.map((c) => c.ms), 99)}, max ${Math.max(...commits.map((c) => c.ms))}; sum ${s(txMs)} (overlaps the batches)`);
if (lag) {
  console.log('');
  console.log(`lag (live feed: run started first, ${fmt(lag.messages)} messages published while it ran, publish ${fmt(lag.pubMsgsPerS)} msg/s, ${lag.txs} transactions; load average ${lag.load}):`);
  console.log(`  feed append → decision committed, per message: p50 ${fmt(lag.p50)} ms, p99 ${fmt(lag.p99)} ms, p99.9 ${fmt(lag.p999)} ms, max ${fmt(lag.max)} ms`);
}
console.log('');
console.log('kafkajs alone, same volume, in this process:');
console.log(`  consume the feed topic, 8 MiB fetches (${fmt(packets)} records)   ${s(consumeMs).padStart(9)} wall, ${s(consumeCpuMs)} CPU (${fmt(packets / (consumeMs / 1000))} records/s = ${fmt(msgs / (consumeMs / 1000))} msg/s of feed)`);
console.log(`  the run's own reader (src/kafka/feed-fetch.ts), same topic, ${fmt(readerRecords)} records ${s(readerMs).padStart(9)} wall, ${s(readerCpuMs)} CPU (${((readerCpuMs * 1e6) / msgs).toFixed(0)} ns per message)`);
console.log(`  ${txs} transactions of ${fmt(perTx / 1024)} KiB in 512 KiB records + sendOffsets ${s(produceMs).padStart(9)} wall, ${s(produceCpuMs)} CPU (${(produceMs / txs).toFixed(1)} ms per transaction)`);
if (rr.feed.end !== 'end-of-session') console.log(`warning: run ended with ${rr.feed.end}`);
if (rep.report.recordsSha256 !== rr.recordsSha256) process.exitCode = 1;
