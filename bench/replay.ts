/**
 * `npm run bench:replay`: `riskgate replay` end to end — read, gunzip, framing, N-API engine,
 * records and digest, P&L, embedded clearing, report — on a generated 50M-message real-profile
 * day from `.itch.gz`, and where the time goes.
 *
 *   1. generates the day once (seed 1) into .cache/replay-bench/ (`riskgate gen --profile day`)
 *   2. an isolated pass in a child process: read+gunzip alone
 *   3. end-to-end runs (BENCH_RUNS), alternating: `riskgate replay <day> --config <cfg> --json`
 *      itself (wall, CPU, peak RSS by GNU time), and the same steps in a child process of
 *      their own, timed: CPU per thread (main, native gunzip, the others), the main thread's
 *      CPU by stage, and peak RSS when 10M, 25M and 50M messages have been replayed (it must
 *      not grow with the message count)
 *   4. the cost of each stage the end-to-end run overlaps or hides, measured alone: SHA-256 of
 *      the records, P&L (the native record pass, and the JS book it replaced), the clearing
 *      hand-off (native, and the JS writer) and clearing over the run's own fills
 *   5. with BENCH_PLAIN=1, the cache-sharing check: the same in-process run from the day
 *      decompressed once to a plain `.itch` (no gunzip thread beside the engine; written next to
 *      the `.gz` on first use), alternating with the `.gz` runs, engine ns/msg compared
 *
 * Env: BENCH_MESSAGES (50000000), BENCH_RUNS (2), BENCH_FILE + BENCH_CONFIG (use these files
 * instead of the generated day), BENCH_DIR (.cache/replay-bench), BENCH_PLAIN.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { loadavg as osLoadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machineBanner } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const DIR = process.env.BENCH_DIR ?? `${ROOT}.cache/replay-bench`;
const RSS_POINTS = [10_000_000, 25_000_000, 50_000_000].filter((n) => n <= MESSAGES);

const loadavg = () => osLoadavg().map((l) => l.toFixed(2)).join(' ');
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

/** CPU time (ns) of every thread of this process seen so far, by tid (threads that ended keep their last sample). */
class ThreadSampler {
  readonly threads = new Map<number, { name: string; cpuNs: number }>();
  sample(): void {
    for (const t of readdirSync('/proc/self/task')) {
      try {
        const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
        const name = f.slice(f.indexOf('(') + 1, f.lastIndexOf(')'));
        const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
        this.threads.set(Number(t), { name, cpuNs: (Number(rest[11]) + Number(rest[12])) * (1e9 / 100) });
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  /** main thread, the native gunzip thread, and the others largest first. */
  summary(): { mainNs: number; gunzipNs: number; others: number[] } {
    let mainNs = 0;
    let gunzipNs = 0;
    const others: number[] = [];
    for (const [tid, t] of this.threads) {
      if (tid === process.pid) mainNs = t.cpuNs;
      else if (t.name.startsWith('riskgate-gunzip')) gunzipNs += t.cpuNs;
      else others.push(t.cpuNs);
    }
    return { mainNs, gunzipNs, others: others.sort((a, b) => b - a) };
  }
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
  const threads = new ThreadSampler();
  const [bytes, clock] = await clocked(async () => {
    let n = 0;
    let chunks = 0;
    // As the replay reads it: in place from the gunzip ring.
    for await (const c of rawChunks(file, () => {}, true)) {
      n += c.length;
      if (++chunks % 16 === 0) threads.sample();
    }
    return n;
  });
  threads.sample();
  const { loadNative } = await import('../src/engine/rust.ts');
  const { isGzip } = await import('../src/source/file.ts');
  let inflater = 'none: a plain file';
  if (await isGzip(file)) {
    const probe = new (loadNative().GzipReader)(file, 3, 1 << 16);
    inflater = probe.inflater;
    probe.close();
  }
  return { bytes, ...clock, gunzipNs: threads.summary().gunzipNs, inflater };
}

async function childReplay(file: string, configPath: string) {
  const { loadConfig, configBlob } = await import('../src/config/index.ts');
  const { createEngine } = await import('../src/engine/create.ts');
  const { replay } = await import('../src/replay/run.ts');
  const { replayReport, formatReplayReport } = await import('../src/report/replay-report.ts');
  const { startReplayClearing } = await import('../src/clearing/replay-clearing.ts');
  const { loadNative } = await import('../src/engine/rust.ts');
  const { SymbolCounter } = await import('../src/config/subscription.ts');
  const config = loadConfig(configPath);
  const seen = new SymbolCounter();
  const rss: Record<string, number> = {};
  let rssPeak = 0;
  let nextPoint = 0;
  let batches = 0;
  const threads = new ThreadSampler();
  const probe = {
    sourceNs: 0, engineNs: 0, recordsNs: 0, consumersNs: 0, observeNs: 0, messages: 0,
    // Stages in main-thread CPU time: on a shared machine a wall clock also counts other processes.
    clock: loadNative().threadCpuNs,
    onBatch(messages: number) {
      if (batches % 256 === 0) threads.sample();
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
      // with the per-symbol message count the command makes for its report
      const result = await replay({ file, config, engine, probe, onRecords: clearing.onRecords, observe: (frames) => seen.observe(frames) });
      const t0 = process.hrtime.bigint();
      threads.sample();
      const report = replayReport(result, config);
      await clearing.finish(report);
      threads.sample();
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
    probe: { sourceNs: probe.sourceNs, engineNs: probe.engineNs, recordsNs: probe.recordsNs, consumersNs: probe.consumersNs, observeNs: probe.observeNs },
    engineCalls: batches,
    reportNs: r.reportNs,
    messages: rep.messages as number,
    fills: rep.fills as number,
    recordBytes: rep.recordBytes as number,
    recordsSha256: rep.recordsSha256 as string,
    clearingSeconds: rep.clearing.seconds as number,
    rss,
    rssPeak: peakRss(),
    threads: threads.summary(),
  };
}

/** `riskgate replay <file> --config <f> --json` itself, as a user runs it: wall, CPU, peak RSS (GNU time). */
function cliRun(file: string, configPath: string) {
  const args = [`${ROOT}bin/riskgate.js`, 'replay', file, '--config', configPath, '--json'];
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallNs = Number(process.hrtime.bigint() - t0);
  if (r.status !== 0) throw new Error(`riskgate replay failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  const report = JSON.parse(r.stdout) as { messages: number; recordsSha256: string };
  return { wallNs, cpuNs: m ? (Number(m[2]) + Number(m[3])) * 1e9 : NaN, maxRss: m ? Number(m[4]) * 1024 : NaN, messages: report.messages, recordsSha256: report.recordsSha256 };
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
  // What the replay runs: the native record pass (P&L included) and hand-off, over pieces of
  // ~112 fills (the run's fills per engine call); and the JavaScript versions they replaced.
  const { loadNative } = await import('../src/engine/rust.ts');
  const native = loadNative();
  const PIECE = 112 * 32;
  const [, pnl] = await clocked(async () => {
    const tally = new native.RecordTally(8);
    for (let off = 0; off < all.length; off += PIECE) tally.add(all.subarray(off, Math.min(all.length, off + PIECE)));
    tally.pnl();
  });
  const [, pnlJs] = await clocked(async () => {
    const book = new PnlBook();
    for (let off = 0; off < all.length; off += 32) book.fill(all[off + 2], all[off + 3] === 0x42 ? 'B' : 'S', all.readUInt32LE(off + 16), all.readUInt32LE(off + 20));
  });
  const execs = Buffer.allocUnsafe(n * EXECUTION_SIZE);
  const writer = new FillExecutionWriter(config.session, config.accounts.map((a) => a.id), config.symbols.map((s) => s.symbol));
  const [, handoff] = await clocked(async () => {
    const ids = Float64Array.from(config.accounts.map((a) => a.id));
    const symbols = writer.symbolTable();
    const perThread = new Float64Array(2);
    for (let off = 0; off < all.length; off += PIECE) {
      const piece = all.subarray(off, Math.min(all.length, off + PIECE));
      native.fillExecutions(piece, config.session, ids, symbols, execs.subarray((off / 32) * EXECUTION_SIZE), perThread);
    }
  });
  const [, handoffJs] = await clocked(async () => {
    for (let i = 0; i < n; i++) writer.write(all, i * 32, execs, i * EXECUTION_SIZE);
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
  return { fills: n, pnlNs: pnl.mainCpuNs, pnlJsNs: pnlJs.mainCpuNs, handoffNs: handoff.mainCpuNs, handoffJsNs: handoffJs.mainCpuNs, ledgerNs: ledger.mainCpuNs, shaNsPerByte: sha.mainCpuNs / (4 * buf.length) };
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

/** The day decompressed once to a plain `.itch` next to the `.gz` (for the cache-sharing check). */
function ensurePlain(gz: string): string {
  const plain = gz.replace(/\.gz$/, '');
  if (plain === gz) throw new Error(`BENCH_PLAIN needs a .gz input, got ${gz}`);
  if (!existsSync(plain)) {
    console.log(`decompressing the day (once): ${plain}`);
    const r = spawnSync('sh', ['-c', 'gunzip -c "$1" > "$2.part" && mv "$2.part" "$2"', 'sh', gz, plain], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`gunzip failed (${r.status})`);
  }
  return plain;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const [, kind, file, config] = argv;
    const out = kind === 'read' ? await childRead(file) : kind === 'replay' ? await childReplay(file, config) : await childMoney(file, config);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  console.log(machineBanner());
  console.log(`date:         ${new Date().toISOString()}`);
  const { file, config } = ensureDay();
  console.log(`input:        ${file} (${mib(statSync(file).size)})`);
  console.log('');

  const plain = process.env.BENCH_PLAIN === '1' ? ensurePlain(file) : undefined;
  const read = child<{ bytes: number; gunzipNs: number; inflater: string } & Clock>('read', file);
  type Run = ReturnType<typeof childReplay> extends Promise<infer R> ? R : never;
  const runs: Run[] = [];
  const plainRuns: Run[] = [];
  const clis: ReturnType<typeof cliRun>[] = [];
  const engineNote = (r: Run) => `engine ${(r.probe.engineNs / r.messages).toFixed(1)} ns/msg`;
  for (let i = 0; i < RUNS; i++) {
    const c = cliRun(file, config);
    clis.push(c);
    console.log(`riskgate replay ${i + 1}: ${fmt(c.messages / (c.wallNs / 1e9))} msg/s wall (${sec(c.wallNs)}), CPU ${sec(c.cpuNs)}, peak RSS ${mib(c.maxRss)}; load ${loadavg()}`);
    const r = child<Run>('replay', file, config);
    runs.push(r);
    console.log(`in-process ${i + 1}: ${fmt(r.messages / (r.wallNs / 1e9))} msg/s wall (${sec(r.wallNs)}), CPU ${sec(r.cpuNs)} (main thread ${sec(r.mainCpuNs)}, gunzip thread ${sec(r.threads.gunzipNs)}, ${engineNote(r)}), peak RSS ${mib(r.rssPeak)}; load ${loadavg()}`);
    if (plain) {
      const p = child<Run>('replay', plain, config);
      plainRuns.push(p);
      console.log(`in-process ${i + 1}, plain .itch (no gunzip thread): ${fmt(p.messages / (p.wallNs / 1e9))} msg/s wall (${sec(p.wallNs)}), CPU ${sec(p.cpuNs)} (main thread ${sec(p.mainCpuNs)}, ${engineNote(p)}); load ${loadavg()}`);
    }
  }
  const money = child<{ fills: number; pnlNs: number; pnlJsNs: number; handoffNs: number; handoffJsNs: number; ledgerNs: number; shaNsPerByte: number }>('money', file, config);
  const best = runs.reduce((a, b) => (b.wallNs < a.wallNs ? b : a));
  const bestCli = clis.reduce((a, b) => (b.wallNs < a.wallNs ? b : a));
  const shas = new Set([...runs, ...clis].map((r) => r.recordsSha256));
  const m = best.messages;
  const t = best.threads;
  const others = t.others.reduce((a, b) => a + b, 0);

  console.log('');
  console.log(`replay end to end, ${fmt(m)} messages, ${fmt(best.fills)} fills, ${mib(best.recordBytes)} of records (SHA-256 ${[...shas].join(', ')})`);
  console.log(`  riskgate replay --json, best of ${RUNS}: ${fmt(m / (bestCli.wallNs / 1e9))} msg/s wall (${sec(bestCli.wallNs)}), CPU ${sec(bestCli.cpuNs)}, peak RSS ${mib(bestCli.maxRss)}`);
  console.log(`  in process (the same steps, timed), best of ${RUNS}: ${fmt(m / (best.wallNs / 1e9))} msg/s wall (${sec(best.wallNs)}); CPU ${sec(best.cpuNs)}`);
  console.log('');
  console.log('CPU per thread (best in-process run)');
  const row = (stage: string, v: string, note: string) => console.log(`  ${stage.padEnd(36)} ${v.padStart(9)}  ${note}`);
  row('main thread', sec(t.mainNs), 'N-API engine, records, digest, P&L, clearing hand-off, symbol count, report');
  row(`gunzip thread (native, ${read.inflater})`, sec(t.gunzipNs), `${fmt(read.bytes / 2 ** 20 / (t.gunzipNs / 1e9))} MiB/s of output; alone: ${sec(read.gunzipNs)} for ${mib(read.bytes)} (${sec(read.wallNs)} wall)`);
  row('other threads', sec(others), `largest first: ${t.others.slice(0, 6).map((n) => sec(n)).join(', ')} (the 2 clearing workers, then GC/compiler helpers)`);
  console.log('');
  console.log('main thread by stage (CPU time of the main thread)');
  row('waiting for input', sec(best.probe.sourceNs), 'the ring handing out slots, the frames a slot cuts off copied and completed');
  row('engine (N-API processSessionStream)', sec(best.probe.engineNs), `${(best.probe.engineNs / m).toFixed(1)} ns/msg = ${fmt(m / (best.probe.engineNs / 1e9))} msg/s, ${fmt(best.engineCalls)} calls`);
  row('messages per symbol (native walk)', sec(best.probe.observeNs ?? 0), 'the report\'s subscription section');
  row('records + digest + P&L', sec(best.probe.recordsNs), `alone: SHA-256 ${sec(money.shaNsPerByte * best.recordBytes)}, P&L in the native record pass ${sec(money.pnlNs)} (${fmt(money.pnlNs / money.fills)} ns/fill; the JS book ${fmt(money.pnlJsNs / money.fills)} ns/fill)`);
  row('clearing hand-off', sec(best.probe.consumersNs), `FILL → EXECUTION records into the clearing threads' buffers; alone ${sec(money.handoffNs)} native (JS writer ${sec(money.handoffJsNs)})`);
  row('report (JSON + text)', sec(best.reportNs), `clearing finish included (wall); waited for clearing at the end: ${best.clearingSeconds.toFixed(2)} s`);
  row('rest (start, GC on the main thread)', sec(Math.max(0, t.mainNs - best.probe.sourceNs - best.probe.engineNs - best.probe.recordsNs - best.probe.consumersNs - (best.probe.observeNs ?? 0))), 'main-thread CPU minus the stages');
  row('clearing alone (one thread)', sec(money.ledgerNs), `${fmt(money.ledgerNs / money.fills)} ns/execution`);
  console.log('');
  const total = best.cpuNs;
  const critical = Math.max(t.mainNs, total - t.mainNs);
  console.log(`bound on 2 idle cores: CPU ${sec(total)} / 2 = ${sec(total / 2)} and the busiest side ${sec(critical)} (main thread ${sec(t.mainNs)}, the rest ${sec(total - t.mainNs)}) → at best ${fmt(m / (critical / 1e9))} msg/s; 10M msg/s needs both sides under ${sec((m / 10e6) * 1e9)}`);
  console.log('');
  console.log(`peak RSS (must not grow with the message count): ${Object.entries(best.rss).map(([k, v]) => `${fmt(Number(k) / 1e6)}M msgs ${mib(v)}`).join(', ')}; whole run ${mib(best.rssPeak)}`);
  for (const [i, r] of runs.entries()) console.log(`  run ${i + 1}: ${Object.entries(r.rss).map(([k, v]) => `${fmt(Number(k) / 1e6)}M ${mib(v)}`).join(', ')}`);
  if (plain) {
    const nsPerMsg = (rs: Run[]) => rs.map((r) => (r.probe.engineNs / r.messages).toFixed(1)).join(', ');
    console.log('');
    console.log(`cache sharing: engine ns/msg (main-thread CPU in processSessionStream), run by run: from .gz with the gunzip thread ${nsPerMsg(runs)}; from the plain .itch ${nsPerMsg(plainRuns)}`);
    for (const p of plainRuns) shas.add(p.recordsSha256);
  }
  console.log(`load average at the end: ${loadavg()}`);
  if (shas.size !== 1) throw new Error('the runs disagree on the record digest');
}

await main();
