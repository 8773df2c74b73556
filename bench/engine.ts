/**
 * `npm run bench`: throughput and latency of the engine on one generated session of at
 * least 5M messages held uncompressed in memory, with a fixed seed and message mix.
 *
 *   1. Rust core in process (cargo example, no N-API), msgs/s per run, no per-message clocks
 *   2. through N-API from TypeScript, batches of 4096 frames, one clock read per run
 *   3. a separate sampled run for latency: per batch (4096 frames) and per message (batches of 1)
 *   4. memory (RSS, heap) before, during and after, to show it stays flat
 *
 * Options (env): BENCH_MESSAGES (5000000), BENCH_RUNS (5), BENCH_SEED (42).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configBlob, loadConfig } from '../src/config/index.ts';
import { loadNative } from '../src/engine/rust.ts';
import { generateSessionBuffer } from '../src/gen/index.ts';
import { splitFrames } from '../src/itch/framing.ts';
import { percentiles } from '../src/report/percentiles.ts';
import { machineBanner } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SEED = Number(process.env.BENCH_SEED ?? 42);
const BATCH = 4096;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

/** Offsets that cut `buf` every `every` whole frames, up to an end marker or a cut-off frame. */
function frameCuts(buf: Buffer, every: number): number[] {
  const cuts = [0];
  for (const b of splitFrames(buf, every)) cuts.push(cuts[cuts.length - 1] + b.length);
  return cuts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

console.log('riskgate engine benchmark');
console.log(machineBanner());
console.log('');

// The session: generated once per (seed, size) and cached, then held in memory.
const cacheDir = `${ROOT}.cache/bench`;
mkdirSync(cacheDir, { recursive: true });
const sessionPath = `${cacheDir}/session-s${SEED}-${MESSAGES}-controls.itch`;
const configPath = `${cacheDir}/default.cfg`;
const config = loadConfig();
const blob = configBlob(config);
writeFileSync(configPath, blob);
let session: Buffer;
if (existsSync(sessionPath)) {
  session = readFileSync(sessionPath);
} else {
  const t = process.hrtime.bigint();
  session = generateSessionBuffer({ seed: SEED, symbols: 8, messages: MESSAGES, controlMessages: true });
  writeFileSync(sessionPath, session);
  console.log(`generated ${sessionPath} in ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
}
const cuts = frameCuts(session, BATCH);
const frames = (cuts.length - 1) * BATCH; // upper bound; exact count from the engine below
console.log(`session:      seed ${SEED}, ${mib(session.length)} uncompressed in memory, ~${fmt(frames)} frames incl. control messages (limit changes keep credit available), default config (8 symbols)`);

// 1. Rust in process.
console.log('\n1. Rust core in process (cargo example `bench`, whole session per call, time per run)');
try {
  const out = execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'riskgate-core', '--example', 'bench', '--', sessionPath, configPath, String(RUNS)], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const line of out.trim().split('\n')) console.log(`   ${line}`);
} catch (e) {
  console.log(`   failed: ${(e as Error).message}`);
}

// 2. Through N-API with batching.
const { Engine, maxRecordBytes } = loadNative();
const engine = new Engine(blob);
let maxBatchBytes = 0;
for (let i = 1; i < cuts.length; i++) maxBatchBytes = Math.max(maxBatchBytes, cuts[i] - cuts[i - 1]);
const out = Buffer.alloc(maxRecordBytes(maxBatchBytes));
const rss0 = process.memoryUsage().rss;
console.log(`\n2. Through N-API from TypeScript: processInto, ${BATCH} frames per call, records hashed (SHA-256), ${RUNS} runs`);
const rates: number[] = [];
const rssSeen: number[] = [];
let digest = '';
let messages = 0;
for (let run = 0; run < RUNS; run++) {
  engine.reset();
  const h = createHash('sha256');
  const t = process.hrtime.bigint();
  for (let i = 1; i < cuts.length; i++) {
    const n = engine.processInto(session.subarray(cuts[i - 1], cuts[i]), out, i === cuts.length - 1);
    h.update(out.subarray(0, n));
  }
  const dt = Number(process.hrtime.bigint() - t) / 1e9;
  messages = engine.stats().messages as number;
  digest = h.digest('hex');
  rates.push(messages / dt);
  rssSeen.push(process.memoryUsage().rss);
  console.log(`   run ${run + 1}: ${fmt(messages / dt)} msgs/s (${dt.toFixed(3)} s)`);
}
const st = engine.stats();
console.log(`   best ${fmt(Math.max(...rates))} msgs/s, median ${fmt(median(rates))} msgs/s over ${fmt(messages)} messages`);
console.log(`   per run: ${fmt(st.tob)} TOB, ${fmt(st.decisions)} decisions (${fmt(st.accepted)} accepted), ${fmt(st.fills)} fills; records SHA-256 ${digest}`);

// Same, with the allocating `process` call (what the replay pipeline uses).
engine.reset();
{
  const t = process.hrtime.bigint();
  const h = createHash('sha256');
  for (let i = 1; i < cuts.length; i++) h.update(engine.process(session.subarray(cuts[i - 1], cuts[i]), i === cuts.length - 1));
  const dt = Number(process.hrtime.bigint() - t) / 1e9;
  const same = h.digest('hex') === digest;
  console.log(`   process() (allocating): ${fmt(messages / dt)} msgs/s; same digest: ${same}`);
}

// 3. Sampled latency run (separate, so clocks never slow the throughput runs).
console.log('\n3. Latency, sampled run (one hrtime pair per call; clock overhead shown)');
{
  const clock: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const a = process.hrtime.bigint();
    clock.push(Number(process.hrtime.bigint() - a));
  }
  const c = percentiles(clock, [50, 99]);
  console.log(`   clock read pair: p50 ${c.p50} ns, p99 ${c.p99} ns`);
  engine.reset();
  const perBatch: number[] = [];
  const perMsg: number[] = [];
  for (let i = 1; i < cuts.length; i++) {
    const a = process.hrtime.bigint();
    engine.processInto(session.subarray(cuts[i - 1], cuts[i]), out, i === cuts.length - 1);
    const ns = Number(process.hrtime.bigint() - a);
    perBatch.push(ns);
    perMsg.push(ns / BATCH);
  }
  const b = percentiles(perBatch, [50, 99, 99.9]);
  const m = percentiles(perMsg, [50, 99, 99.9]);
  console.log(`   per batch of ${BATCH}: p50 ${fmt(b.p50)} ns, p99 ${fmt(b.p99)} ns, p99.9 ${fmt(b['p99.9'])} ns, max ${fmt(b.max)} ns`);
  console.log(`   per message within a batch (batch time / ${BATCH}): p50 ${m.p50.toFixed(1)} ns, p99 ${m.p99.toFixed(1)} ns`);
  // One message per call: the full N-API round trip a single message pays.
  engine.reset();
  const single = frameCuts(session.subarray(0, Math.min(session.length, 40 << 20)), 1);
  const one: number[] = [];
  const limit = Math.min(single.length - 1, 1_000_000);
  for (let i = 1; i <= limit; i++) {
    const a = process.hrtime.bigint();
    engine.processInto(session.subarray(single[i - 1], single[i]), out, false);
    one.push(Number(process.hrtime.bigint() - a));
  }
  const o = percentiles(one, [50, 99, 99.9]);
  console.log(`   one message per call (${fmt(limit)} calls): p50 ${fmt(o.p50)} ns, p99 ${fmt(o.p99)} ns, p99.9 ${fmt(o['p99.9'])} ns, max ${fmt(o.max)} ns`);
}

// 4. Memory.
const rss1 = process.memoryUsage().rss;
console.log(`\n4. Memory: RSS ${mib(rss0)} before the runs, ${rssSeen.map(mib).join(' → ')} after each run, ${mib(rss1)} at the end (session buffer ${mib(session.length)})`);
