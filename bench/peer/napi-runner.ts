/**
 * One process of `npm run bench:peer`: the Rust core through N-API on a session held in
 * memory, batches of BATCH frames into one preallocated buffer (processInto), as the control
 * plane would call it. Prints one JSON line per pass (the first warms up).
 *
 *   node --import tsx bench/peer/napi-runner.ts SESSION.itch CONFIG.bin [PASSES] [BATCH]
 *
 * Batch boundaries come from the frame cursor (src/itch/framing.ts), found once before any
 * clock starts; every batch but the last ends on a frame boundary. The peak RSS it reports
 * includes tsx's loader (about 30 MiB more than the plain .mjs runner it replaces).
 */
import { readFileSync } from 'node:fs';
import { loadNative } from '../../src/engine/rust.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';

const { Engine, maxRecordBytes } = loadNative();

const [sessionPath, configPath, passesArg, batchArg] = process.argv.slice(2);
const session = readFileSync(sessionPath);
const engine = new Engine(readFileSync(configPath));
const passes = Number(passesArg ?? 2);
const batch = Number(batchArg ?? 65536);

// A cut after every BATCH whole frames (end markers and control messages count as frames);
// a cut-off frame at the end stays in the last batch, handed over as the end of input.
const cuts = [0];
let k = 0;
for (const c = new FrameCursor(session); c.next(); ) {
  if (c.kind === FrameKind.TRUNCATED) break;
  if (++k % batch === 0) cuts.push(c.end);
}
if (cuts[cuts.length - 1] !== session.length) cuts.push(session.length);
let maxIn = 0;
for (let i = 1; i < cuts.length; i++) maxIn = Math.max(maxIn, cuts[i] - cuts[i - 1]);
const out = Buffer.alloc(maxRecordBytes(maxIn));

const peakRssKib = (): number => {
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
    record_bytes: bytes, tob: s.tob, flagged: s.flagged, table_full: s.tableFull, peak_rss_kib: peakRssKib(), batch,
  }));
}
