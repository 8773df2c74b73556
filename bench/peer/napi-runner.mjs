// One process of `npm run bench:peer`: the Rust core through N-API on a session held in
// memory, batches of BATCH frames into one preallocated buffer (processInto), as the
// control plane would call it. Prints one JSON line per pass (the first warms up).
//
//   node bench/peer/napi-runner.mjs SESSION.itch CONFIG.bin [PASSES] [BATCH]
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../native/', import.meta.url));
const file = readdirSync(dir).find((f) => f.endsWith('.node'));
if (!file) throw new Error('native engine not built: npm run build:native');
const { Engine, maxRecordBytes } = createRequire(import.meta.url)(dir + file);

const [sessionPath, configPath, passesArg, batchArg] = process.argv.slice(2);
const session = readFileSync(sessionPath);
const engine = new Engine(readFileSync(configPath));
const passes = Number(passesArg ?? 2);
const batch = Number(batchArg ?? 65536);

// Batch boundaries between frames, found once before any clock starts.
const cuts = [0];
for (let p = 0, k = 0; p + 2 <= session.length; ) {
  const n = session.readUInt16BE(p);
  if (p + 2 + n > session.length) break;
  p += 2 + n;
  if (++k % batch === 0) cuts.push(p);
  if (p + 2 > session.length && cuts[cuts.length - 1] !== p) cuts.push(p);
}
if (cuts[cuts.length - 1] !== session.length) cuts.push(session.length);
let maxIn = 0;
for (let i = 1; i < cuts.length; i++) maxIn = Math.max(maxIn, cuts[i] - cuts[i - 1]);
const out = Buffer.alloc(maxRecordBytes(maxIn));

const peakRssKib = () => {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
};

for (let pass = 0; pass < passes; pass++) {
  engine.reset();
  let bytes = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 1; i < cuts.length; i++) {
    bytes += engine.processInto(session.subarray(cuts[i - 1], cuts[i]), out, cuts[i] === session.length);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const s = engine.stats();
  console.log(JSON.stringify({
    engine: 'napi', pass, warm: pass > 0, wall_s: wall, cpu_s: (c.user + c.system) / 1e6, messages: s.messages,
    record_bytes: bytes, tob: s.tob, flagged: s.flagged, table_full: s.tableFull ?? s.table_full, peak_rss_kib: peakRssKib(), batch,
  }));
}
