/**
 * `npm run bench:peer`: riskgate's Rust core against itch-book (PyPI, MIT, C++23 core), side by
 * side on the same files, interleaved, by CPU time.
 *
 *   npm run bench:peer [-- --files a.itch,b.itch] [--rounds N] [--json]
 *
 * - itch-book 0.2.1 is installed from PyPI into `.cache/peer-venv` (its C++ core is the
 *   wheel's compiled extension; nothing is built from source).
 * - Every engine runs in its own process on the whole file held in memory: riskgate's core
 *   in process (cargo example `peer`), riskgate through N-API (bench/peer/napi-runner.ts run
 *   with `node --import tsx`: `processStream` on 1 MiB chunks, no frame walk in JavaScript),
 *   itch-book with books only and with its top-of-book table. Each process does a
 *   warm-up pass and a measured pass; the rounds alternate engines, so a noisy neighbour
 *   hits all of them alike.
 * - CPU time is the measuring thread's (CLOCK_THREAD_CPUTIME_ID in all three runners), wall
 *   time is printed beside it. Ratios are riskgate's throughput over itch-book's, from the
 *   median CPU time of each.
 * - riskgate subscribes every symbol of the file (the 64 most active when it has more: the
 *   engine's limit; the rest of its messages are parsed and looked up, not booked), so both
 *   rebuild the same books; riskgate also runs its strategy and risk checks on them.
 *
 * Default files: a 5M-message session of the default generator (seed 42, 40 symbols), a
 * 5M-message real-day profile session, and a thin-book stress session (`thinBookSession`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configBlob, parseConfig } from '../src/config/index.ts';
import { FrameCursor, FrameKind } from '../src/itch/framing.ts';
import { expectedLength } from '../src/itch/layout.ts';
import { machineBanner } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CACHE = `${ROOT}.cache/peer`;
const VENV = `${ROOT}.cache/peer-venv`;
const PY = `${VENV}/bin/python`;
const ITCH_BOOK = 'itch-book==0.2.1';
const [R, A, F, P] = ['R', 'A', 'F', 'P'].map((t) => t.charCodeAt(0));

const { values } = parseArgs({
  options: { files: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' } },
});
const rounds = Number(values.rounds ?? 5);

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
}

function ensurePeer(): void {
  if (existsSync(PY) && spawnSync(PY, ['-c', 'import itch_book'], { stdio: 'ignore' }).status === 0) return;
  console.error(`bench:peer: installing ${ITCH_BOOK} into ${VENV}`);
  sh('python3', ['-m', 'venv', VENV]);
  sh(`${VENV}/bin/pip`, ['install', '--quiet', ITCH_BOOK]);
}

/** Symbols of the file by message count (R names, then A/F/P counts per locate), up to its end marker. */
function activeSymbols(buf: Buffer): string[] {
  const name = new Map<number, string>();
  const count = new Map<number, number>();
  for (const c = new FrameCursor(buf); c.next(); ) {
    if (c.kind === FrameKind.END || c.kind === FrameKind.TRUNCATED) break;
    const m = c.body();
    const t = c.type;
    const loc = m.length >= 3 ? m.readUInt16BE(1) : 0;
    if (t === R && m.length === expectedLength(R)) name.set(loc, m.toString('latin1', 11, 19).trimEnd());
    else if (t === A || t === F || t === P) count.set(loc, (count.get(loc) ?? 0) + 1);
  }
  return [...name.entries()]
    .filter(([, s]) => /^[\x21-\x7e]{1,8}$/.test(s))
    .sort((a, b) => (count.get(b[0]) ?? 0) - (count.get(a[0]) ?? 0))
    .map(([, s]) => s)
    .filter((s, i, all) => all.indexOf(s) === i);
}

/** A config subscribing up to 64 of the file's symbols, limits loose enough to trade. */
function configFor(file: string): { path: string; subscribed: number; symbols: number } {
  const syms = activeSymbols(readFileSync(file));
  const chosen = syms.slice(0, 64);
  const cfg = parseConfig({
    session: 1, tickSize: '0.01', windowTicks: 4096, gateMarketHours: false, throttleWindowShift: 30, globalKill: false,
    strategy: { imbalanceNum: 3, imbalanceDen: 1, cooldownNs: 1_000_000, maxSpread: '0.05', clipQty: 3000 },
    accounts: [{ id: 1, name: 'BENCH', creditLimit: '1000000000.00', maxOrdersPerWindow: 100000, duplicateWindowNs: 0 }],
    symbols: chosen.map((s) => ({ symbol: s, account: 'BENCH', maxQty: 5000, maxNotional: '1000000.00', positionLimit: 1000000, collarBps: 100 })),
  }, `bench:peer config for ${file}`);
  const path = `${file}.peer.cfg`;
  writeFileSync(path, configBlob(cfg));
  return { path, subscribed: chosen.length, symbols: syms.length };
}

function defaultFiles(): string[] {
  mkdirSync(CACHE, { recursive: true });
  const files: [string, string[]][] = [
    [`${CACHE}/gen-s42-40sym-5M.itch`, ['gen', '--seed', '42', '--symbols', '40', '--messages', '5M']],
    [`${CACHE}/day-s1-5M.itch`, ['gen', '--profile', 'day', '--seed', '1', '--messages', '5M']],
  ];
  const out: string[] = [];
  for (const [path, args] of files) {
    if (!existsSync(path)) {
      const r = spawnSync('node', ['bin/riskgate.js', ...args, '--out', path], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) {
        console.error(`bench:peer: skipping ${path}: riskgate ${args.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').pop()}`);
        continue;
      }
    }
    out.push(path);
  }
  const thin = `${CACHE}/thin-1sym-2M.itch`;
  if (!existsSync(thin)) writeFileSync(thin, thinBookSession(1_000_000));
  out.push(thin);
  return out;
}

/**
 * A stress session for the next-best search: one symbol whose only order is added and
 * deleted, alternately a bid 100 ticks under $100 and an ask 100 over, so every delete
 * empties a side of its book (`pairs` adds and `pairs` deletes after one Stock Directory).
 * A book that finds the next level by scanning its levels pays its whole side here.
 */
function thinBookSession(pairs: number): Buffer {
  const frame = (n: number) => 2 + n;
  const buf = Buffer.alloc(frame(39) + pairs * (frame(36) + frame(19)));
  let at = 0;
  let ts = 0n;
  const head = (type: string, len: number) => {
    buf.writeUInt16BE(len, at);
    buf.write(type, at + 2, 'latin1');
    buf.writeUInt16BE(1, at + 3); // stock locate
    buf.writeUInt16BE(0, at + 5); // tracking number
    ts += 1000n;
    buf.writeUIntBE(Number(ts), at + 7, 6);
    return at + 13; // the first byte after the timestamp
  };
  const stock = 'NVDA    ';
  let p = head('R', 39);
  buf.write(stock, p, 'latin1');
  buf.write('QN', p + 8, 'latin1'); // market category, financial status
  buf.writeUInt32BE(100, p + 10); // round lot
  buf.write('NCZ PNN1N', p + 14, 'latin1'); // round lots only .. ETP flag
  buf.writeUInt32BE(0, p + 23); // ETP leverage
  buf.write('N', p + 27, 'latin1');
  at += frame(39);
  for (let i = 0; i < pairs; i++) {
    const bid = i % 2 === 0;
    p = head('A', 36);
    buf.writeBigUInt64BE(BigInt(i + 1), p);
    buf.write(bid ? 'B' : 'S', p + 8, 'latin1');
    buf.writeUInt32BE(100, p + 9);
    buf.write(stock, p + 13, 'latin1');
    buf.writeUInt32BE(bid ? 999_900 : 1_000_100, p + 21);
    at += frame(36);
    p = head('D', 19);
    buf.writeBigUInt64BE(BigInt(i + 1), p);
    at += frame(19);
  }
  if (at !== buf.length) throw new Error(`thinBookSession: wrote ${at} of ${buf.length} bytes`);
  return buf;
}

interface Pass {
  engine: string;
  warm: boolean;
  wall_s: number;
  cpu_s: number;
  messages: number;
  peak_rss_kib: number;
}

function runOnce(engine: string, file: string, cfg: string): Pass {
  const cmd: Record<string, [string, string[]]> = {
    rust: [`${ROOT}target/release/examples/peer`, [file, cfg, '2']],
    napi: ['node', ['--import', 'tsx', `${ROOT}bench/peer/napi-runner.ts`, file, cfg, '2']],
    'itch-book:books': [PY, [`${ROOT}bench/peer/itch_book_runner.py`, file, 'books', '2']],
    'itch-book:bbo': [PY, [`${ROOT}bench/peer/itch_book_runner.py`, file, 'bbo', '2']],
  };
  const [bin, args] = cmd[engine];
  const lines = sh(bin, args).trim().split('\n').map((l) => JSON.parse(l) as Pass);
  const warm = lines.filter((l) => l.warm);
  return warm[warm.length - 1] ?? lines[lines.length - 1];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs: number[]) => Math.min(...xs);
const f1 = (x: number) => x.toFixed(1);

function main(): void {
  ensurePeer();
  sh('cargo', ['build', '--quiet', '--release', '-p', 'riskgate-core', '--example', 'peer']);
  const files = values.files ? values.files.split(',') : defaultFiles();
  const engines = ['rust', 'napi', 'itch-book:books', 'itch-book:bbo'];
  const report: Record<string, unknown>[] = [];
  if (!values.json) {
    console.log('riskgate vs itch-book (side by side, interleaved, CPU time of the measuring thread)');
    console.log(machineBanner());
  }
  for (const file of files) {
    const cfg = configFor(file);
    const passes = new Map<string, Pass[]>(engines.map((e) => [e, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order every round so no engine always runs first.
      for (let k = 0; k < engines.length; k++) {
        const e = engines[(k + r) % engines.length];
        passes.get(e)!.push(runOnce(e, file, cfg.path));
      }
    }
    const msgs = passes.get('rust')![0].messages;
    const cpuMedian = (e: string) => median(passes.get(e)!.map((p) => p.cpu_s));
    const rows = engines.map((e) => {
      const ps = passes.get(e)!;
      const cpu = ps.map((p) => p.cpu_s);
      return {
        engine: e,
        messages: ps[0].messages,
        mps_best: msgs / min(cpu) / 1e6,
        mps_median: msgs / median(cpu) / 1e6,
        ns_min: (min(cpu) / msgs) * 1e9,
        ns_median: (median(cpu) / msgs) * 1e9,
        wall_median_s: median(ps.map((p) => p.wall_s)),
        vs_books: cpuMedian('itch-book:books') / median(cpu),
        vs_bbo: cpuMedian('itch-book:bbo') / median(cpu),
        peak_rss_mib: Math.max(...ps.map((p) => p.peak_rss_kib)) / 1024,
      };
    });
    report.push({ file, messages: msgs, symbols: cfg.symbols, subscribed: cfg.subscribed, rounds, rows });
    if (values.json) continue;
    console.log('');
    console.log(`${file}: ${msgs.toLocaleString('en-US')} messages, ${cfg.symbols} symbols, riskgate subscribes ${cfg.subscribed}; ${rounds} rounds`);
    console.log('| engine | M msgs/s (best / median) | ns/msg (min / median) | wall s (median) | CPU ratio vs itch-book books | vs itch-book +bbo | peak RSS |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.engine} | ${f1(r.mps_best)} / ${f1(r.mps_median)} | ${f1(r.ns_min)} / ${f1(r.ns_median)} | ${r.wall_median_s.toFixed(3)} | ${r.vs_books.toFixed(2)}× | ${r.vs_bbo.toFixed(2)}× | ${r.peak_rss_mib.toFixed(0)} MiB |`);
    }
  }
  if (values.json) console.log(JSON.stringify({ peer: ITCH_BOOK, report }, null, 2));
}

main();
