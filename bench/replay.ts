/**
 * `npm run bench:replay`: `riskgate replay` end to end — read, gunzip, framing, N-API engine,
 * records and digest, P&L, embedded clearing, report — on a generated 50M-message real-profile
 * day from `.itch.gz`, and where the time goes.
 *
 *   1. generates the day once (seed 1) into .cache/replay-bench/ (`riskgate gen --profile day`)
 *   2. isolated passes, each in a child process: read+gunzip alone, read+gunzip+framing alone
 *   3. end-to-end runs (BENCH_RUNS), each in a child process of its own: wall and CPU time
 *      (process, main thread), the main thread's time by stage, and peak RSS when 10M, 25M and
 *      50M messages have been replayed (it must not grow with the message count)
 *   4. the cost of each stage the end-to-end run overlaps or hides, measured alone: SHA-256 of
 *      the records, P&L and clearing over the run's own fills
 *
 * Env: BENCH_MESSAGES (50000000), BENCH_RUNS (2), BENCH_FILE + BENCH_CONFIG (use these files
 * instead of the generated day), BENCH_DIR (.cache/replay-bench).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineBanner } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const DIR = process.env.BENCH_DIR ?? `${ROOT}.cache/replay-bench`;
const RSS_POINTS = [10_000_000, 25_000_000, 50_000_000].filter((n) => n <= MESSAGES);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ns: number) => `${(ns / 1e9).toFixed(2)} s`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/** CPU time of the calling thread (utime + stime from /proc/thread-self/stat), ns. */
function threadCpuNs(): number {
  const f = readFileSync('/proc/thread-self/stat', 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5); `rest` starts at field 3.
  return (Number(rest[11]) + Number(rest[12])) * (1e9 / 100);
}
function processCpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

interface Clock {
  wallNs: number;
  cpuNs: number;
  mainCpuNs: number;
}
async function clocked<T>(fn: () => Promise<T>): Promise<[T, Clock]> {
  const w = process.hrtime.bigint();
  const c = processCpuNs();
  const m = threadCpuNs();
  const r = await fn();
  return [r, { wallNs: Number(process.hrtime.bigint() - w), cpuNs: processCpuNs() - c, mainCpuNs: threadCpuNs() - m }];
}

// ---- child passes ---------------------------------------------------------------------

async function childRead(file: string) {
  const { rawChunks } = await import('../src/source/file.ts');
  const [bytes, clock] = await clocked(async () => {
    let n = 0;
    for await (const c of rawChunks(file)) n += c.length;
    return n;
  });
  return { bytes, ...clock };
}

async function childFraming(file: string) {
  const { readBatches } = await import('../src/source/file.ts');
  const { ProblemLog } = await import('../src/source/problems.ts');
  const [r, clock] = await clocked(async () => {
    let messages = 0;
    let batches = 0;
    for await (const b of readBatches(file, { problems: new ProblemLog() })) {
      messages += b.messages;
      batches++;
    }
    return { messages, batches };
  });
  return { ...r, ...clock };
}

async function childReplay(file: string, configPath: string) {
  const { loadConfig, configBlob } = await import('../src/config/index.ts');
  const { createEngine } = await import('../src/engine/create.ts');
  const { replay } = await import('../src/replay/run.ts');
  const { replayReport, formatReplayReport } = await import('../src/report/replay-report.ts');
  const { startReplayClearing } = await import('../src/clearing/replay-clearing.ts');
  const config = loadConfig(configPath);
  const rss: Record<string, number> = {};
  let rssPeak = 0;
  let nextPoint = 0;
  let batches = 0;
  const probe = {
    sourceNs: 0, engineNs: 0, recordsNs: 0, consumersNs: 0, messages: 0,
    onBatch(messages: number) {
      if (++batches % 32 === 0 || (nextPoint < RSS_POINTS.length && messages >= RSS_POINTS[nextPoint])) {
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        while (nextPoint < RSS_POINTS.length && messages >= RSS_POINTS[nextPoint]) rss[RSS_POINTS[nextPoint++]] = rssPeak;
      }
    },
  };
  const [r, clock] = await clocked(async () => {
    // As `riskgate replay <file> --config <f> --json` does it.
    const clearing = await startReplayClearing({}, config);
    const engine = createEngine('rust', configBlob(config));
    try {
      const result = await replay({ file, config, engine, probe, onRecords: clearing.onRecords });
      const t0 = process.hrtime.bigint();
      const report = replayReport(result, config);
      await clearing.finish(report);
      const text = JSON.stringify(report) + formatReplayReport(report) + clearing.text(report);
      const reportNs = Number(process.hrtime.bigint() - t0);
      return { report, reportNs, textBytes: text.length };
    } finally {
      engine.close();
      await clearing.close();
    }
  });
  const rep = r.report as Record<string, any>;
  return {
    ...clock,
    probe: { sourceNs: probe.sourceNs, engineNs: probe.engineNs, recordsNs: probe.recordsNs, consumersNs: probe.consumersNs },
    reportNs: r.reportNs,
    messages: rep.messages as number,
    fills: rep.fills as number,
    recordBytes: rep.recordBytes as number,
    recordsSha256: rep.recordsSha256 as string,
    clearingSeconds: rep.clearing.seconds as number,
    rss,
    rssPeak: peakRss(),
  };
}

/** Replays once keeping the FILL records, then times P&L and clearing over them alone. */
async function childMoney(file: string, configPath: string) {
  const { loadConfig, configBlob } = await import('../src/config/index.ts');
  const { createEngine } = await import('../src/engine/create.ts');
  const { replay } = await import('../src/replay/run.ts');
  const { PnlBook } = await import('../src/report/pnl.ts');
  const { FastLedger } = await import('../src/clearing/fast-ledger.ts');
  const { FillExecutionWriter, EXECUTION_SIZE } = await import('../src/clearing/execution.ts');
  const { RecordKind, RecordHeader, RECORD_SIZE } = await import('../src/contract.ts');
  const config = loadConfig(configPath);
  const fills: Buffer[] = [];
  const engine = createEngine('rust', configBlob(config));
  await replay({
    file, config, engine,
    onRecords(records) {
      for (let off = 0; off + RECORD_SIZE <= records.length; off += RECORD_SIZE) {
        if (records[off + RecordHeader.kind] === RecordKind.FILL) fills.push(Buffer.from(records.subarray(off, off + RECORD_SIZE)));
      }
    },
  });
  engine.close();
  const all = Buffer.concat(fills);
  const n = fills.length;
  const [, pnl] = await clocked(async () => {
    const book = new PnlBook();
    for (let off = 0; off < all.length; off += 32) book.fill(all[off + 2], all[off + 3] === 0x42 ? 'B' : 'S', all.readUInt32LE(off + 16), all.readUInt32LE(off + 20));
  });
  const execs = Buffer.allocUnsafe(n * EXECUTION_SIZE);
  const [, handoff] = await clocked(async () => {
    const w = new FillExecutionWriter(config.session, config.accounts.map((a) => a.id), config.symbols.map((s) => s.symbol));
    for (let i = 0; i < n; i++) w.write(all, i * 32, execs, i * EXECUTION_SIZE);
  });
  const [, ledger] = await clocked(async () => {
    const l = new FastLedger(config.fees);
    l.applyRecords(execs);
  });
  // SHA-256 per byte, to price the digest of the run's records.
  const buf = Buffer.alloc(64 << 20, 7);
  const [, sha] = await clocked(async () => {
    const h = createHash('sha256');
    for (let i = 0; i < 4; i++) h.update(buf);
    h.digest();
  });
  return { fills: n, pnlNs: pnl.mainCpuNs, handoffNs: handoff.mainCpuNs, ledgerNs: ledger.mainCpuNs, shaNsPerByte: sha.mainCpuNs / (4 * buf.length) };
}

// ---- parent -----------------------------------------------------------------------------

function child<T>(kind: string, ...args: string[]): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', kind, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench child ${kind} failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

function ensureDay(): { file: string; config: string } {
  if (process.env.BENCH_FILE) return { file: process.env.BENCH_FILE, config: process.env.BENCH_CONFIG ?? `${ROOT}config/default.json` };
  mkdirSync(DIR, { recursive: true });
  const base = `${DIR}/day-${MESSAGES}-seed1`;
  const file = `${base}.itch.gz`;
  const config = `${base}.json`;
  if (!existsSync(file) || !existsSync(config)) {
    console.log(`generating the day (once): ${file}`);
    const r = spawnSync(process.execPath, [`${ROOT}bin/riskgate.js`, 'gen', '--profile', 'day', '--seed', '1', '--messages', String(MESSAGES), '--out', `${file}.part.gz`, '--config-out', `${config}.part`], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`riskgate gen failed (${r.status})`);
    renameSync(`${config}.part`, config);
    renameSync(`${file}.part.gz`, file);
  }
  return { file, config };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const [, kind, file, config] = argv;
    const out = kind === 'read' ? await childRead(file) : kind === 'framing' ? await childFraming(file) : kind === 'replay' ? await childReplay(file, config) : await childMoney(file, config);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  console.log(machineBanner());
  console.log(`date:         ${new Date().toISOString()}`);
  const { file, config } = ensureDay();
  console.log(`input:        ${file} (${mib(statSync(file).size)})`);
  console.log('');

  const read = child<{ bytes: number } & Clock>('read', file);
  const framing = child<{ messages: number; batches: number } & Clock>('framing', file);
  type Run = ReturnType<typeof childReplay> extends Promise<infer R> ? R : never;
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = child<Run>('replay', file, config);
    runs.push(r);
    console.log(`run ${i + 1}: ${fmt(r.messages / (r.wallNs / 1e9))} msg/s wall (${sec(r.wallNs)}), CPU ${sec(r.cpuNs)} (main thread ${sec(r.mainCpuNs)}), engine ${sec(r.probe.engineNs)}, peak RSS ${mib(r.rssPeak)}`);
  }
  const money = child<{ fills: number; pnlNs: number; handoffNs: number; ledgerNs: number; shaNsPerByte: number }>('money', file, config);
  const best = runs.reduce((a, b) => (b.wallNs < a.wallNs ? b : a));
  const shas = new Set(runs.map((r) => r.recordsSha256));
  const m = best.messages;

  console.log('');
  console.log(`replay end to end, ${fmt(m)} messages, ${fmt(best.fills)} fills, ${mib(best.recordBytes)} of records (SHA-256 ${[...shas].join(', ')})`);
  console.log(`  best of ${RUNS}: ${fmt(m / (best.wallNs / 1e9))} msg/s wall (${sec(best.wallNs)}); CPU ${sec(best.cpuNs)} = main thread ${sec(best.mainCpuNs)} + other threads ${sec(best.cpuNs - best.mainCpuNs)}`);
  console.log(`  engine (N-API processInto): ${sec(best.probe.engineNs)} = ${fmt(m / (best.probe.engineNs / 1e9))} msg/s`);
  console.log('');
  console.log('where the time goes (best run; main thread by stage, other threads from the isolated passes)');
  const row = (stage: string, t: string, note: string) => console.log(`  ${stage.padEnd(34)} ${t.padStart(9)}  ${note}`);
  const readOther = read.cpuNs - read.mainCpuNs;
  row('read + gunzip (thread pool)', sec(readOther), `alone: ${mib(read.bytes)} in ${sec(read.wallNs)} wall, ${fmt(read.bytes / 2 ** 20 / (readOther / 1e9))} MiB/s of inflate CPU; main-thread share ${sec(read.mainCpuNs)}`);
  row('framing (batches of 4,096 frames)', sec(Math.max(0, framing.mainCpuNs - read.mainCpuNs)), `alone, main thread: ${fmt(framing.batches)} batches`);
  row('  main thread waiting for input', sec(best.probe.sourceNs), 'in the run: gunzip not ready yet + framing');
  row('engine (N-API)', sec(best.probe.engineNs), `${(best.probe.engineNs / m).toFixed(1)} ns/msg`);
  row('records + digest + P&L', sec(best.probe.recordsNs), `in the run; alone: SHA-256 ${sec(money.shaNsPerByte * best.recordBytes)}, P&L ${sec(money.pnlNs)} (${fmt(money.pnlNs / money.fills)} ns/fill)`);
  row('clearing hand-off (main thread)', sec(best.probe.consumersNs), `FILL → EXECUTION records into the threads' buffers; alone ${sec(money.handoffNs)}`);
  row('clearing (2 worker threads)', sec(money.ledgerNs), `alone, one thread: ${fmt(money.ledgerNs / money.fills)} ns/execution; waited for at the end: ${best.clearingSeconds.toFixed(2)} s`);
  row('report (JSON + text)', sec(best.reportNs), 'clearing finish included');
  const other = best.cpuNs - best.mainCpuNs - readOther - money.ledgerNs;
  row('rest of the other threads', sec(Math.max(0, other)), 'GC helpers, compiler threads, read syscalls, worker start (CPU minus the above)');
  console.log('');
  console.log(`peak RSS (must not grow with the message count): ${Object.entries(best.rss).map(([k, v]) => `${fmt(Number(k) / 1e6)}M msgs ${mib(v)}`).join(', ')}; whole run ${mib(best.rssPeak)}`);
  for (const [i, r] of runs.entries()) console.log(`  run ${i + 1}: ${Object.entries(r.rss).map(([k, v]) => `${fmt(Number(k) / 1e6)}M ${mib(v)}`).join(', ')}`);
  if (shas.size !== 1) throw new Error('the runs disagree on the record digest');
}

await main();
