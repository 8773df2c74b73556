/**
 * Restart time of `riskgate run` (spec §14.6): a generated session is published, then run
 * twice — with engine snapshots (default --snapshot-every) and without (--snapshot-every 0,
 * the rebuild from offset 0) — each SIGKILLed at 25 %, 50 % and 90 % of the feed and
 * restarted; prints kill → first new committed transaction, and checks the digest against
 * replay and the execution count.
 *
 *   node --import tsx bench/run-restart.ts [--brokers 127.0.0.1:9092] [--messages 5M] [--profile day] [--modes snapshot,rebuild] [--reuse-feed]
 *
 * `--modes snapshot` skips the rebuild runs (on a 50M session each of their restarts re-reads
 * up to 45M messages). `--reuse-feed` runs on the topic an earlier invocation published the same
 * file to on the same broker (and takes its replay digest) instead of publishing it again.
 *
 * Needs a broker (npm run kafka:up, or KAFKA_PORT=… scripts/kafka.sh up and --brokers).
 * Topics get a fresh prefix per invocation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/riskgate.js');
const { values } = parseArgs({ options: { brokers: { type: 'string', default: '127.0.0.1:9092' }, messages: { type: 'string', default: '5M' }, profile: { type: 'string', default: 'default' }, modes: { type: 'string', default: 'snapshot,rebuild' }, 'reuse-feed': { type: 'boolean', default: false } } });
const MODES = values.modes!.split(',');
if (MODES.length === 0 || MODES.some((m) => m !== 'snapshot' && m !== 'rebuild')) throw new Error(`--modes: a list of snapshot and rebuild, got ${values.modes}`);
const BROKER = values.brokers!;
const dir = join(ROOT, '.cache/bench-run-restart');
mkdirSync(dir, { recursive: true });
const FILE = join(dir, `${values.profile}-${values.messages}.itch`);
const CFG_FILE = join(dir, `${values.profile}-${values.messages}.json`);
const day = values.profile === 'day';
const CFG = day ? ['--config', CFG_FILE] : [];
const TAG = `rr${Date.now().toString(36)}`;

function cli(args: string[]): any {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`riskgate ${args[0]}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
function runChild(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'run', ...args, '--events', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: any[] = [];
  let err = '';
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => {
    err += d;
    for (let i; (i = err.indexOf('\n')) >= 0; ) {
      const l = err.slice(0, i);
      err = err.slice(i + 1);
      try {
        events.push(JSON.parse(l));
      } catch {
        events.push({ event: 'stderr', l });
      }
    }
  });
  const exit = new Promise<{ code: number | null; out: string }>((r) => child.on('exit', (code) => r({ code, out })));
  return { child, events, exit };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, ms = 600_000) {
  for (const t = Date.now(); !f(); await sleep(5)) if (Date.now() - t > ms) throw new Error('timeout');
}

if (!existsSync(FILE)) cli(['gen', '--seed', '9', '--messages', values.messages!, '--out', FILE, ...(day ? ['--profile', 'day', '--config-out', CFG_FILE] : [])]);
// --reuse-feed: the topic a previous invocation published the file to on this broker, and its replay.
const PUBLISHED = `${FILE}.published.json`;
const REPLAYED = `${FILE}.replay.json`;
const reuse = values['reuse-feed'] && existsSync(PUBLISHED) && existsSync(REPLAYED) ? JSON.parse(readFileSync(PUBLISHED, 'utf8')) : null;
const topic: string = reuse?.broker === BROKER ? reuse.topic : `${TAG}.md.itch`;
const pub = topic === reuse?.topic ? reuse : { broker: BROKER, topic, ...cli(['publish', FILE, '--brokers', BROKER, '--topic', topic]) };
const rep = topic === reuse?.topic ? JSON.parse(readFileSync(REPLAYED, 'utf8')) : cli(['replay', FILE, ...CFG]);
writeFileSync(PUBLISHED, JSON.stringify({ broker: BROKER, topic, messages: pub.messages, packets: pub.packets }));
writeFileSync(REPLAYED, JSON.stringify({ fills: rep.fills, recordsSha256: rep.recordsSha256 }));
console.log(`${values.profile} session, ${pub.messages} messages in ${pub.packets} packets; replay ${rep.fills} fills, digest ${rep.recordsSha256.slice(0, 16)}…`);
for (const mode of MODES as ('snapshot' | 'rebuild')[]) {
  const args = ['--brokers', BROKER, '--prefix', `${TAG}.${mode}`, '--topic', topic, '--stale-ms', '0', ...CFG, ...(mode === 'rebuild' ? ['--snapshot-every', '0'] : [])];
  let c = runChild(args);
  for (const share of [0.25, 0.5, 0.9]) {
    await until(() => (c.events.filter((e) => e.event === 'committed').at(-1)?.next ?? 0) >= Math.floor(pub.packets * share));
    c.child.kill('SIGKILL');
    const killAt = Date.now();
    await c.exit;
    const committed = c.events.filter((e) => e.event === 'committed').at(-1).next;
    c = runChild(args);
    await until(() => c.events.some((e) => e.event === 'committed'));
    const ev = (n: string) => c.events.find((e) => e.event === n);
    const r = ev('restored');
    console.log(
      `${mode.padEnd(8)} killed at offset ${committed} (${Math.round(share * 100)}%): first new commit after ${ev('committed').t - killAt} ms` +
        ` (started ${ev('start').t - killAt} ms, live ${ev('live').t - killAt} ms, ${ev('live').rebuiltPackets} packets rebuilt` +
        (r ? `; snapshot at offset ${r.offset}, seq ${r.seq}, ${r.bytes} bytes, read ${r.readMs} ms, restored ${r.restoreMs} ms)` : ')'),
    );
  }
  const end = await c.exit;
  const r = JSON.parse(end.out);
  const execs = r.kafka.published.executions + r.kafka.notRepublished.executions;
  console.log(`${mode.padEnd(8)} digest ${r.recordsSha256 === rep.recordsSha256 ? '= replay' : 'DIFFERS from replay'}, executions ${execs}/${rep.fills}`);
  if (r.recordsSha256 !== rep.recordsSha256 || execs !== rep.fills) process.exitCode = 1;
}
