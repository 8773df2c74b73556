// Throughput of the Rust engine through N-API, by batch size, plus a few API checks.
//
//   cargo run --release -p riskgate-core --example gen -- /tmp/rg.itch /tmp/rg.cfg 2000000
//   node --import tsx bench/rust/napi.mjs /tmp/rg.itch /tmp/rg.cfg [RUNS]
//
// Batches are cut between frames (as the control plane does); `processInto` writes into
// one preallocated buffer, `process` allocates a result Buffer per call.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { splitFrames } from '../../src/itch/framing.ts';

const dir = fileURLToPath(new URL('../../native/', import.meta.url));
const file = readdirSync(dir).find((f) => f.endsWith('.node'));
if (!file) throw new Error('native engine not built: npm run build:native');
const { Engine, maxRecordBytes } = createRequire(import.meta.url)(dir + file);

const [sessionPath, configPath, runsArg] = process.argv.slice(2);
if (!sessionPath || !configPath) {
  console.error('usage: node --import tsx bench/rust/napi.mjs SESSION.itch CONFIG.bin [RUNS]');
  process.exit(2);
}
const session = readFileSync(sessionPath);
const config = readFileSync(configPath);
const runs = Number(runsArg ?? 5);

/** Offsets that cut `buf` every `every` whole frames; the last cut is the buffer's end. */
function cuts(buf, every) {
  const out = [0];
  for (const b of splitFrames(buf, every)) out.push(out[out.length - 1] + b.length);
  if (out[out.length - 1] !== buf.length) out.push(buf.length);
  return out;
}

const engine = new Engine(config);
let reference;
for (const batch of [0, 100000, 10000, 1000, 100, 10]) {
  const c = batch === 0 ? [0, session.length] : cuts(session, batch);
  let maxIn = 0;
  for (let i = 1; i < c.length; i++) maxIn = Math.max(maxIn, c[i] - c[i - 1]);
  const out = Buffer.alloc(maxRecordBytes(maxIn));
  for (const mode of ['processInto', 'process']) {
    let best = Infinity;
    let digest;
    for (let r = 0; r < runs; r++) {
      engine.reset();
      const h = createHash('sha256');
      const t0 = process.hrtime.bigint();
      for (let i = 1; i < c.length; i++) {
        const frames = session.subarray(c[i - 1], c[i]);
        const last = c[i] === session.length;
        if (mode === 'processInto') {
          const n = engine.processInto(frames, out, last);
          h.update(out.subarray(0, n));
        } else {
          h.update(engine.process(frames, last));
        }
      }
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      best = Math.min(best, dt);
      digest = h.digest('hex');
    }
    reference ??= digest;
    const m = engine.stats().messages;
    console.log(
      `${mode.padEnd(11)} batch ${String(batch || 'whole').padStart(6)}: ${(m / best / 1e6).toFixed(1).padStart(5)} M msgs/s` +
        `  (${c.length - 1} calls, incl. sha256 of records)  ${digest === reference ? 'same digest' : 'DIGEST DIFFERS'}`,
    );
    if (digest !== reference) process.exitCode = 1;
  }
}
const s = engine.stats();
console.log(`messages ${s.messages} tob ${s.tob} decisions ${s.decisions} accepted ${s.accepted} fills ${s.fills} digest ${reference}`);

// API behaviour.
const expectCode = (code, f) => {
  try {
    f();
  } catch (e) {
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    return;
  }
  throw new Error(`expected ${code}, nothing thrown`);
};
expectCode('CONFIG_INVALID', () => new Engine(Buffer.from('nope')));
engine.reset();
expectCode('PARTIAL_FRAME', () => engine.process(session.subarray(0, 5)));
expectCode('OUTPUT_TOO_SMALL', () => engine.processInto(session.subarray(0, 100000), Buffer.alloc(10), true));
expectCode('INVALID_ARG', () => engine.processInto(session, session, true));
if (engine.stats().messages !== 0) throw new Error('failed calls must not change state');
console.log('API checks passed');
