/**
 * `riskgate run` end to end, exactly once, on a generated feed (issue 11): a session is
 * generated once into .cache/feed-bench/, published to a fresh topic prefix, and run in a
 * child process until its end-of-session packet. Prints wall msg/s, the child's CPU time,
 * where the time goes (engine time and transaction time from the run itself; a kafkajs
 * consume-only and produce-only pass of the same volume from outside), and compares with
 * `riskgate replay` of the same file.
 *
 *   BENCH_MESSAGES=2000000 node --import tsx bench/feed.ts [--brokers 127.0.0.1:9092]
 *
 * Needs a broker (npm run kafka:up, or KAFKA_PORT=… scripts/kafka.sh up and --brokers / BENCH_BROKERS).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { machineBanner } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/riskgate.js');
const { values } = parseArgs({ options: { brokers: { type: 'string', default: process.env.BENCH_BROKERS ?? '127.0.0.1:9092' } } });
const BROKER = values.brokers!;
const N = Number(process.env.BENCH_MESSAGES ?? 2_000_000);
const DIR = join(ROOT, '.cache/feed-bench');
mkdirSync(DIR, { recursive: true });
const FILE = join(DIR, `seed42-${N}.itch`);
const TAG = `fb${Date.now().toString(36)}`;
const TIME_OUT = join(DIR, `${TAG}.time`);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function pct(xs: number[], p: number): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length ? a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] : NaN;
}

/** A riskgate command under /usr/bin/time: its JSON report, wall ms, user+sys CPU ms, max RSS, stderr lines. */
function timed(args: string[], onLine?: (l: string) => void): Promise<{ report: any; spawnT: number; exitT: number; wallMs: number; cpuMs: number; userMs: number; sysMs: number; rssMiB: number }> {
  const t0 = performance.now();
  const spawnT = Date.now();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', TIME_OUT, process.execPath, BIN, ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let tail = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => {
    err += d;
    for (let i; (i = err.indexOf('\n')) >= 0; ) {
      const l = err.slice(0, i);
      err = err.slice(i + 1);
      if (onLine) onLine(l);
      tail = (tail + l + '\n').slice(-4000);
    }
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`riskgate ${args[0]} exited ${code}: ${tail}${err}`));
      const [u, sy, rss] = readFileSync(TIME_OUT, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      rmSync(TIME_OUT, { force: true });
      resolve({ report: JSON.parse(out), spawnT, exitT: Date.now(), wallMs, cpuMs: (u + sy) * 1000, userMs: u * 1000, sysMs: sy * 1000, rssMiB: rss / 1024 });
    }),
  );
}

console.log(machineBanner());
console.log(`note:         the broker runs on the same shared 2-core VM as riskgate (it competes for the same cores)`);
console.log(`broker:       ${BROKER}, topic prefix ${TAG}\n`);

if (!existsSync(FILE)) {
  const r = spawnSync(process.execPath, [BIN, 'gen', '--seed', '42', '--messages', String(N), '--out', FILE, '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('riskgate gen failed');
  console.log(`generated ${FILE}`);
}
const topic = `${TAG}.md.itch`;
const pub = await timed(['publish', FILE, '--brokers', BROKER, '--topic', topic]);
const packets: number = pub.report.packets;
console.log(`publish   ${fmt(pub.report.messages)} messages in ${fmt(packets)} packets: ${s(pub.wallMs)} wall, ${s(pub.cpuMs)} CPU (${fmt(pub.report.messages / (pub.wallMs / 1000))} msg/s)`);

// The run under test: exactly once, transactions of up to 1000 packets, ends at the end-of-session packet.
const commits: { ms: number; t: number; executions: number; decisions: number }[] = [];
let startT = 0;
let liveT = 0;
const run = await timed(['run', '--brokers', BROKER, '--prefix', TAG, '--topic', topic, '--stale-ms', '0', '--events'], (l) => {
  try {
    const e = JSON.parse(l);
    if (e.event === 'committed') commits.push(e);
    else if (e.event === 'start') startT = e.t;
    else if (e.event === 'live') liveT = e.t;
  } catch {
    // not an event line
  }
});
const rr = run.report;
const msgs: number = rr.messages ?? rr.stats?.messages ?? pub.report.messages;
const published = rr.kafka.published;
const engineMs = rr.throughput.engineSeconds * 1000;
const txMs = commits.reduce((a, c) => a + c.ms, 0);
const gaps = commits.slice(1).map((c, i) => c.t - commits[i].t);

const rep = await timed(['replay', FILE]);
const repMsgs: number = rep.report.messages ?? msgs;

// From outside: what kafkajs alone costs for the same volume, in this process.
const kafka = new Kafka({ clientId: 'bench-feed', brokers: BROKER.split(','), logLevel: logLevel.NOTHING });
const cpu0 = process.cpuUsage();
let t0 = performance.now();
{
  const consumer = kafka.consumer({ groupId: `${TAG}.bench-reader`, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((done) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= packets) done();
      },
    });
  });
  await consumer.disconnect();
}
const consumeMs = performance.now() - t0;
const c1 = process.cpuUsage(cpu0);
const consumeCpuMs = (c1.user + c1.system) / 1000;

// Produce-only: the same number of records (executions + decisions + controls) in the same number of
// transactions, 64-byte values (not the run's own encoding) keyed by 16 accounts, through a transactional
// producer: what kafkajs costs for the run's output volume with no engine in the way.
const records = published.executions + published.decisions + published.controls;
const perTx = Math.max(1, Math.ceil(records / Math.max(1, published.transactions)));
const outTopic = `${TAG}.bench-out`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: outTopic, numPartitions: 1 }], waitForLeaders: true });
await admin.disconnect();
const producer = kafka.producer({ transactionalId: `${TAG}.bench-tx`, idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const value = Buffer.alloc(64, 7);
const cpu1 = process.cpuUsage();
t0 = performance.now();
for (let done = 0; done < records; ) {
  const n = Math.min(perTx, records - done);
  const messages: Message[] = Array.from({ length: n }, (_, i) => ({ key: `acct${(done + i) % 16}`, value }));
  const tx = await producer.transaction();
  for (let i = 0; i < n; i += 5000) await tx.sendBatch({ acks: -1, topicMessages: [{ topic: outTopic, messages: messages.slice(i, i + 5000) }] });
  await tx.commit();
  done += n;
}
const produceMs = performance.now() - t0;
const c2 = process.cpuUsage(cpu1);
const produceCpuMs = (c2.user + c2.system) / 1000;
await producer.disconnect();

const runMsgsPerS = msgs / (run.wallMs / 1000);
const repMsgsPerS = repMsgs / (rep.wallMs / 1000);
console.log('');
console.log(`run       ${fmt(msgs)} messages, ${fmt(rr.feed.packets)} packets, end ${rr.feed.end}, gaps ${rr.feed.gaps.length}, duplicates ${rr.feed.duplicates}`);
console.log(`          ${s(run.wallMs)} wall (process), ${fmt(runMsgsPerS)} msg/s wall; CPU ${s(run.cpuMs)} (user ${s(run.userMs)}, sys ${s(run.sysMs)}) = ${((run.cpuMs / run.wallMs) * 100).toFixed(0)}% of one core; max RSS ${fmt(run.rssMiB)} MiB`);
console.log(`          published: ${fmt(published.executions)} executions (fills), ${fmt(published.decisions)} decisions, ${fmt(published.controls)} controls in ${fmt(published.transactions)} transactions`);
console.log(`replay    ${s(rep.wallMs)} wall (process), ${fmt(repMsgsPerS)} msg/s wall; CPU ${s(rep.cpuMs)}; ${fmt(rep.report.fills ?? NaN)} fills; digest ${rep.report.recordsSha256 === rr.recordsSha256 ? '= run' : 'DIFFERS from run'}`);
console.log(`gap       run is ${(rep.wallMs > 0 ? run.wallMs / rep.wallMs : NaN).toFixed(1)}x replay's wall time (${fmt(repMsgsPerS)} → ${fmt(runMsgsPerS)} msg/s)`);
console.log('');
console.log('where the time goes (run, wall):');
const lastT = commits.at(-1)?.t ?? run.exitT;
const procStart = startT - run.spawnT; // node + tsx + native load, broker connect, topics
const toLive = liveT - startT; // group, journal, producer fence, first fetch
const steady = lastT - liveT; // consuming, engine, transactions
const toExit = run.exitT - lastT; // report, disconnects, exit
const other = steady - engineMs - txMs;
const row = (what: string, ms: number, extra = '') => console.log(`  ${what.padEnd(50)} ${s(ms).padStart(9)}  ${((ms / run.wallMs) * 100).toFixed(1).padStart(5)}%${extra}`);
row('spawn → start event (node, modules, connect)', procStart);
row('start → live (group, journal, producer fence)', toLive);
row('live → last commit:', steady);
row('  engine (report throughput.engineSeconds)', engineMs);
row("  transactions (sum of 'committed' ms)", txMs, `   ${commits.length} commits; per commit p50 ${pct(commits.map((c) => c.ms), 50)} ms, p99 ${pct(commits.map((c) => c.ms), 99)} ms, max ${Math.max(...commits.map((c) => c.ms))} ms`);
row('  the rest (fetch, decode, journal, batching)', other);
row('last commit → exit (report, disconnect)', toExit);
console.log(`  commit interval p50 ${pct(gaps, 50)} ms, p99 ${pct(gaps, 99)} ms, max ${gaps.length ? Math.max(...gaps) : NaN} ms (feed pre-published: no feed lag to measure, the run reads a backlog)`);
console.log('kafkajs alone, same volume, in this process:');
console.log(`  consume the feed topic (${fmt(packets)} records)             ${s(consumeMs).padStart(9)} wall, ${s(consumeCpuMs)} CPU (${fmt(packets / (consumeMs / 1000))} records/s)`);
console.log(`  produce ${fmt(records)} × 64 B records in ${fmt(Math.ceil(records / perTx))} transactions ${s(produceMs).padStart(9)} wall, ${s(produceCpuMs)} CPU (${fmt(records / (produceMs / 1000))} records/s)`);
if (rr.feed.end !== 'end-of-session') console.log(`warning: run ended with ${rr.feed.end}`);
if (rep.report.recordsSha256 !== rr.recordsSha256) process.exitCode = 1;
