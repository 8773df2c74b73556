/**
 * `riskgate run` as one engine (N = 1) against `run --shard K/2` (N = 2) on the same feed
 * (issue 11, docs/spec.md §14.9). A generated session is published once; then, alternating
 * N = 1 and N = 2 for `--rounds` rounds (each on fresh output topics), every run process is
 * timed from spawn to exit under /usr/bin/time. Prints per configuration: the wall time until
 * the last process exited, each process's CPU (user + sys), their sum, and checks that the
 * shards' executions add up to the single run's and every digest is the single engine's.
 * The broker, the shards and this script share the machine's cores: on one 2-core machine
 * sharding cannot be faster (each shard reads the whole feed and runs the whole engine), it
 * shows what a shard costs; the gain is on separate machines, where each publishes a share.
 *
 *   npm run bench:shard -- --brokers 127.0.0.1:39092 [--messages 2000000] [--rounds 2]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineBanner } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/riskgate.js');
const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.BENCH_BROKERS ?? '127.0.0.1:9092' },
    messages: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '2' },
  },
});
const BROKER = values.brokers!;
const N = Number(values.messages);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(N) || N < 1000 || !Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--messages ≥ 1000 and --rounds ≥ 1, integers');
const DIR = join(ROOT, '.cache/shard-bench');
mkdirSync(DIR, { recursive: true });
const TAG = `sb${Date.now().toString(36)}`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function cli(args: string[]): any {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`riskgate ${args[0]} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

interface Timed { report: any; wallMs: number; cpuMs: number }

function timed(args: string[]): Promise<Timed> {
  const t0 = performance.now();
  const time = join(DIR, `${TAG}.${Math.random().toString(36).slice(2)}.time`);
  const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', time, process.execPath, BIN, ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`riskgate ${args[0]} exited ${code}: ${err}`));
      const [u, sy] = readFileSync(time, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      rmSync(time, { force: true });
      resolve({ report: JSON.parse(out), wallMs, cpuMs: (u + sy) * 1000 });
    }),
  );
}

const file = join(DIR, `seed42-${N}.itch`);
if (!existsSync(file)) cli(['gen', '--seed', '42', '--messages', String(N), '--out', file]);
const feed = `${TAG}.md.itch`;
const pub = cli(['publish', file, '--brokers', BROKER, '--topic', feed]);
const rep = cli(['replay', file]);
console.log(machineBanner());
console.log(`feed ${feed}: ${N.toLocaleString('en-US')} messages in ${pub.packets} packets; single engine: ${rep.decisions} decisions, ${rep.fills} fills`);

async function once(n: number, round: number): Promise<void> {
  const prefix = `${TAG}.r${round}.n${n}`;
  const base = ['run', '--brokers', BROKER, '--prefix', prefix, '--topic', feed, '--stale-ms', '0'];
  const before = load();
  const t0 = performance.now();
  const runs = await Promise.all(n === 1 ? [timed(base)] : Array.from({ length: n }, (_, i) => timed([...base, '--shard', `${i + 1}/${n}`])));
  const wall = performance.now() - t0;
  for (const r of runs) if (r.report.recordsSha256 !== rep.recordsSha256) throw new Error(`${prefix}: digest ${r.report.recordsSha256} is not the single engine's`);
  const execs = runs.reduce((t, r) => t + r.report.kafka.published.executions, 0);
  const decisions = runs.reduce((t, r) => t + r.report.kafka.published.decisions, 0);
  if (execs !== rep.fills || decisions !== rep.decisions) throw new Error(`${prefix}: ${execs} executions / ${decisions} decisions published, the engine made ${rep.fills} / ${rep.decisions}`);
  const cpu = runs.reduce((t, r) => t + r.cpuMs, 0);
  console.log(
    `round ${round} N=${n}: wall ${s(wall)} (${Math.round(N / (wall / 1000)).toLocaleString('en-US')} msg/s of feed), ` +
      `CPU ${runs.map((r) => s(r.cpuMs)).join(' + ')} = ${s(cpu)}; per process wall ${runs.map((r) => s(r.wallMs)).join(', ')}; ` +
      `executions ${runs.map((r) => r.report.kafka.published.executions).join('+')}, decisions ${runs.map((r) => r.report.kafka.published.decisions).join('+')}; load ${before} → ${load()}`,
  );
}

for (let round = 1; round <= ROUNDS; round++) {
  await once(1, round);
  await once(2, round);
}
