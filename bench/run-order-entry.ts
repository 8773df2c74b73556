/**
 * `npm run bench:run-order-entry`: order entry on the live Kafka feed (`riskgate run
 * --order-entry --venue`, docs/spec.md §14.10) against a real broker and a `riskgate venue-sim`.
 * The demo session up to seq 61,117 is published to a fresh topic; for each offered rate a
 * fresh run (its own run group) and a fresh venue start, the run consumes the feed, and the
 * feed is then idle (the case where an order's apply point is not a packet). This process is
 * the load generator: N client sessions (default 4) sending IOC orders of 1-3 shares one cent
 * outside the spread (never marketable: the venue cancels each at once), round robin over
 * sessions and four symbols, paced at a fixed total rate for BENCH_SECONDS. The throttle and
 * credit are raised in band over the run's control plane (`--serve`), so the engine accepts
 * every order.
 *
 * Printed per step: orders answered per second sustained (first answers over the time from
 * the first order sent to the last first answer read), the client's round trip order → Order
 * Accepted/Rejected (p50, p99, max), the run's committed Kafka transactions per second and
 * orders per transaction (client orders answered / transactions committed while sending; the
 * venue's Canceled answers travel in those transactions too), lost orders (no answer 10 s
 * after the last was sent), the run process's CPU time per order, and the load average.
 *
 * A/B: `--bin A=/path/to/bin/riskgate.js,B=…` runs each rate with each build, interleaved
 * (A, B, A, B … per rate; --repeat times), e.g. main's checkout against this one.
 *
 *   node --import tsx bench/run-order-entry.ts [--brokers 127.0.0.1:9092] [--rates 50,200,1000]
 *        [--seconds 5] [--sessions 4] [--bin name=path,…] [--repeat 1]
 *
 * Needs a broker (npm run kafka:up, or KAFKA_PORT=… scripts/kafka.sh up and --brokers).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { OuchClient } from '../src/client/index.ts';
import { percentiles } from '../src/report/percentiles.ts';
import { startJson } from '../test/order-entry/cli-process.ts';
import { topOfBook } from '../test/order-entry/top-of-book.ts';
import { machineBanner } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATA = join(ROOT, 'data/demo.itch.gz');
const STOP = 61117;
const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    rates: { type: 'string', default: '50,200,1000' },
    seconds: { type: 'string', default: '5' },
    sessions: { type: 'string', default: '4' },
    bin: { type: 'string', default: `this=${join(ROOT, 'bin/riskgate.js')}` },
    repeat: { type: 'string', default: '1' },
  },
});
const BROKER = values.brokers!;
const RATES = values.rates!.split(',').filter(Boolean).map(Number);
const SECONDS = Number(values.seconds);
const NSESSIONS = Number(values.sessions);
const REPEAT = Number(values.repeat);
const BINS = values.bin!.split(',').map((x) => {
  const [name, path] = x.split('=');
  if (!name || !path) throw new Error(`--bin: name=path, got ${x}`);
  return { name, path };
});
const SYMBOLS = ['MSFT', 'NVDA', 'INTC', 'AMD'];
const ACCOUNTS = ['ALPHA', 'BRAVO', 'CHARLIE'];
const SESSIONS = Array.from({ length: NSESSIONS }, (_, i) => ({ username: `BENCH${i + 1}`, password: `bench-pw-${i + 1}`, account: ACCOUNTS[i % ACCOUNTS.length] }));
const TOKEN = 'bench-run-oe-token-0123456789abcdef';
const TAG = `roe${Date.now().toString(36)}`;

function benchConfig(dir: string): string {
  const json = JSON.parse(readFileSync(join(ROOT, 'config/gateway-demo.json'), 'utf8'));
  delete json.$schema;
  json.orderEntry = { port: 0, maxOpenOrders: 4000, maxOrderRate: 4_000_000_000, sessions: SESSIONS };
  const path = join(dir, 'bench-run-oe.json');
  writeFileSync(path, JSON.stringify(json));
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  return path;
}

async function raiseLimits(url: string): Promise<void> {
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', origin: url };
  for (const account of ACCOUNTS) {
    for (const [limit, value] of [['maxOrdersPerWindow', 4_000_000_000], ['creditLimit', '900000000000.00']] as const) {
      const r = await fetch(`${url}/api/limit`, { method: 'POST', headers, body: JSON.stringify({ account, limit, value }) });
      if (r.status !== 200) throw new Error(`${limit} ${account}: HTTP ${r.status} ${await r.text()}`);
    }
  }
}

/** CPU time (user + system) of a process so far, ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(parts[11]) + Number(parts[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

interface RunProc {
  child: ChildProcess;
  events: Record<string, any>[];
  url: Promise<string>;
  exit: Promise<number | null>;
}

function spawnRun(bin: string, args: string[]): RunProc {
  const child = spawn(process.execPath, [bin, 'run', ...args, '--events', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, any>[] = [];
  let gotUrl: (u: string) => void = () => {};
  const url = new Promise<string>((r) => (gotUrl = r));
  createInterface({ input: child.stderr! }).on('line', (l) => {
    const m = /riskgate: serving (http:\/\/\S+?)\/? /.exec(l);
    if (m) gotUrl(m[1].replace(/\/$/, ''));
    if (!l.startsWith('{')) return;
    try {
      events.push(JSON.parse(l));
    } catch {
      /* not an event */
    }
  });
  child.stdout!.resume();
  const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { child, events, url, exit };
}

async function until(what: string, f: () => boolean, ms: number): Promise<void> {
  for (const t0 = Date.now(); !f(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
}

interface Step {
  bin: string;
  rate: number;
  sent: number;
  sendSeconds: number;
  answered: number;
  rejected: number;
  lost: number;
  sustained: number;
  rttMs: { p50: number; p99: number; max: number };
  transactions: number;
  txPerSecond: number;
  ordersPerTx: number;
  maxOrdersPerTx: number | null;
  cpuMsPerOrder: number;
  load: number[];
}

async function step(bin: { name: string; path: string }, rate: number, cfg: string, topic: string, top: Map<string, { bid: number; ask: number }>, k: number): Promise<Step> {
  const venue = startJson(['venue-sim', DATA, '--port', '0', '--stop-at', String(STOP), '--json']);
  let run: RunProc | null = null;
  const clients: OuchClient[] = [];
  try {
    const venuePort = (await venue.next('listening', 120_000)).port as number;
    await venue.next('feed', 120_000);
    run = spawnRun(bin.path, [
      '--brokers', BROKER, '--config', cfg, '--prefix', `${TAG}.${bin.name}.${rate}.${k}`, '--topic', topic, '--stale-ms', '0', '--snapshot-every', '0',
      '--order-entry', '--order-entry-port', '0', '--venue', `127.0.0.1:${venuePort}`, '--serve', '--port', '0', '--token-file', join(cfg, '..', 'token'),
    ]);
    const r = run;
    await until('the order-entry listener', () => r.events.some((e) => e.event === 'order-entry'), 120_000);
    await until('the start event', () => r.events.some((e) => e.event === 'start'), 120_000);
    const end = r.events.find((e) => e.event === 'start')!.feedEnd as number;
    await until(`feed offset ${end}`, () => r.events.some((e) => (e.event === 'committed' && e.next >= end) || (e.event === 'live' && e.offset >= end)), 120_000);
    const port = r.events.find((e) => e.event === 'order-entry')!.port as number;
    await raiseLimits(await r.url);
    await new Promise((res) => setTimeout(res, 300)); // the limit changes committed
    for (const s of SESSIONS) clients.push(await OuchClient.connect({ port, username: s.username, password: s.password, keepAnswers: false }));
    const total = Math.round(rate * SECONDS);
    const sentAt = clients.map(() => new Map<number, number>());
    const rtt: number[] = [];
    let rejected = 0;
    let lastAnswer = 0;
    clients.forEach((c, ci) => {
      c.onAnswer((a) => {
        if (a.kind !== 'ORDER_ACCEPTED' && a.kind !== 'ORDER_REJECTED') return;
        const t = sentAt[ci].get(Number(a.values.userRefNum));
        if (t === undefined) return;
        sentAt[ci].delete(Number(a.values.userRefNum));
        lastAnswer = performance.now();
        rtt.push(lastAnswer - t);
        if (a.kind === 'ORDER_REJECTED') rejected++;
      });
    });
    const bids = SYMBOLS.map((s) => BigInt(top.get(s)!.bid - 100));
    const asks = SYMBOLS.map((s) => BigInt(top.get(s)!.ask + 100));
    const commitsBefore = r.events.filter((e) => e.event === 'committed').length;
    const batchesBefore = r.events.filter((e) => e.event === 'order-entry-batch').length;
    const cpu0 = cpuMs(r.child.pid!);
    let sent = 0;
    const t0 = performance.now();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      for (; sent < due; sent++) {
        const s = sent % SYMBOLS.length;
        const buy = ((sent >> 2) & 1) === 0;
        const ci = sent % clients.length;
        const ref = clients[ci].enter({ side: buy ? 'B' : 'S', quantity: 1 + (sent % 3), symbol: SYMBOLS[s], price: buy ? bids[s] : asks[s], timeInForce: '3' });
        sentAt[ci].set(ref, performance.now());
      }
      await new Promise((res) => setTimeout(res, 1));
    }
    const sendSeconds = (performance.now() - t0) / 1000;
    await until('the answers', () => rtt.length >= sent, 10_000).catch(() => {});
    const cpu = cpuMs(r.child.pid!) - cpu0;
    const commits = r.events.filter((e) => e.event === 'committed').length - commitsBefore;
    const batches = r.events.filter((e) => e.event === 'order-entry-batch').slice(batchesBefore);
    const wall = (lastAnswer - t0) / 1000;
    const p = percentiles(rtt, [50, 99]);
    const load = loadavg();
    for (const c of clients) await c.logout().catch(() => c.destroy());
    return {
      bin: bin.name, rate, sent, sendSeconds, answered: rtt.length, rejected, lost: sent - rtt.length, sustained: rtt.length / wall,
      rttMs: { p50: p.p50, p99: p.p99, max: Math.max(...rtt) }, transactions: commits, txPerSecond: commits / wall, ordersPerTx: rtt.length / Math.max(1, commits),
      maxOrdersPerTx: batches.length > 0 ? Math.max(...batches.map((b) => b.orders as number)) : null, cpuMsPerOrder: cpu / Math.max(1, rtt.length), load,
    };
  } finally {
    for (const c of clients) c.destroy();
    if (run) {
      // BENCH_EVENTS=DIR: the run's events of each step, one JSON per line (where a transaction's time goes).
      if (process.env.BENCH_EVENTS) writeFileSync(join(process.env.BENCH_EVENTS, `${bin.name}-${rate}-${k}.jsonl`), run.events.map((e) => JSON.stringify(e)).join('\n'));
      run.child.kill('SIGINT');
      await Promise.race([run.exit, new Promise((res) => setTimeout(res, 10_000))]);
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
    await venue.stop().catch(() => {});
    venue.kill();
  }
}

function row(s: Step): string {
  const f = (x: number) => x.toFixed(1);
  return `${s.bin.padEnd(8)} offered ${String(s.rate).padStart(5)}/s  sent ${s.sent} in ${s.sendSeconds.toFixed(2)} s  answered ${s.answered} (rejected ${s.rejected}, lost ${s.lost})  ` +
    `sustained ${f(s.sustained)} orders/s  answer p50 ${f(s.rttMs.p50)} / p99 ${f(s.rttMs.p99)} / max ${f(s.rttMs.max)} ms  ` +
    `${s.transactions} tx (${f(s.txPerSecond)}/s, ${s.ordersPerTx.toFixed(2)} orders/tx${s.maxOrdersPerTx !== null ? `, max ${s.maxOrdersPerTx}` : ''})  run CPU ${s.cpuMsPerOrder.toFixed(2)} ms/order  load ${s.load.map((x) => x.toFixed(2)).join(' ')}`;
}

async function main(): Promise<void> {
  console.log(machineBanner());
  console.log(`run --order-entry bench: broker ${BROKER}, ${NSESSIONS} sessions, ${SECONDS} s per step, IOC orders 1 cent outside the spread in ${SYMBOLS.join(', ')}, idle feed at seq ${STOP} of the demo; builds ${BINS.map((b) => `${b.name}=${b.path}`).join(', ')}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-roe-'));
  const cfg = benchConfig(dir);
  const top = topOfBook(DATA, STOP);
  const topic = `${TAG}.md.itch`;
  const pub = spawnSync(process.execPath, [join(ROOT, 'bin/riskgate.js'), 'publish', DATA, '--brokers', BROKER, '--topic', topic, '--to-seq', String(STOP), '--json'], { cwd: ROOT, encoding: 'utf8' });
  if (pub.status !== 0) throw new Error(`publish: ${pub.stderr}`);
  let k = 0;
  for (const rate of RATES) {
    for (let i = 0; i < REPEAT; i++) {
      for (const bin of BINS) console.log(row(await step(bin, rate, cfg, topic, top, k++)));
    }
  }
}

await main();
