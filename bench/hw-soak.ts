/**
 * `npm run bench:hw-soak`: the long differential soak of the hardware path (not run in CI).
 * Generated sessions (≥ 20M messages by default, streamed, never held whole) go through the
 * Rust core and the Verilated pipeline batch by batch; every batch's records must be
 * byte-identical. Prints coverage (reject reasons, flags, fills), simulated cycles and speed.
 *
 * Env: SOAK_MESSAGES (20000000), SOAK_SESSIONS (4, the messages are split between them),
 * SOAK_PER_PACKET (8), SOAK_SEED (100).
 */
import { createHash } from 'node:crypto';
import { configBlob, loadConfig } from '../src/config/index.ts';
import { RustEngine } from '../src/engine/rust.ts';
import { firstDivergence } from '../src/engine/shadow.ts';
import { FpgaEngine } from '../src/fpga/engine.ts';
import { SessionGenerator } from '../src/gen/index.ts';
import { scanFrames } from '../src/itch/framing.ts';
import { FLAG_NAMES, REASON_NAMES, RecordKind } from '../src/records/layout.ts';
import { RecordView } from '../src/records/view.ts';
import { machineBanner } from './machine.ts';

const MESSAGES = Number(process.env.SOAK_MESSAGES ?? 20_000_000);
const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 4);
const PER_PACKET = Number(process.env.SOAK_PER_PACKET ?? 8);
const SEED = Number(process.env.SOAK_SEED ?? 100);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log('riskgate hardware soak: Rust core vs Verilated pipeline, record by record');
console.log(machineBanner());
const config = loadConfig();
const blob = configBlob(config);
const reasons = new Array<number>(REASON_NAMES.length).fill(0);
const flags = new Array<number>(FLAG_NAMES.length).fill(0);
let fills = 0;
let messages = 0;
let cycles = 0;
let hwNs = 0;
const t0 = process.hrtime.bigint();
const digest = createHash('sha256');

for (let s = 0; s < SESSIONS; s++) {
  const per = Math.floor(MESSAGES / SESSIONS);
  const gen = new SessionGenerator({ seed: SEED + s, symbols: 8, messages: per, config, controlMessages: true });
  const rust = new RustEngine(blob);
  const fpga = new FpgaEngine(blob, { messagesPerPacket: PER_PACKET, stamps: false });
  let carry: Buffer = Buffer.alloc(0);
  try {
    for (let chunk = gen.nextChunk(); chunk !== null; chunk = gen.nextChunk()) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const scan = scanFrames(buf);
      const whole = buf.subarray(0, scan.end);
      carry = Buffer.from(buf.subarray(scan.endMarker >= 0 ? buf.length : scan.end));
      const a = rust.process(whole, false);
      const h = process.hrtime.bigint();
      const b = fpga.process(whole, false);
      hwNs += Number(process.hrtime.bigint() - h);
      const d = firstDivergence(a, b, config.symbols.map((x) => x.symbol));
      if (d) {
        console.error(`DIVERGENCE in session ${s} at seq ${d.seq}:\n  rust: ${d.left}\n  fpga: ${d.right}`);
        process.exit(7);
      }
      digest.update(a);
      for (const r = new RecordView(a); r.next(); ) {
        const kind = r.kind;
        if (kind === RecordKind.TOB) for (let i = 0; i < flags.length; i++) flags[i] += (r.flags >> i) & 1;
        else if (kind === RecordKind.DECISION && !r.accepted) for (let i = 0; i < reasons.length; i++) reasons[i] += (r.reasons >> i) & 1;
        else if (kind === RecordKind.FILL) fills++;
      }
    }
    const a = rust.process(carry, true);
    const b = fpga.process(carry, true);
    if (!a.equals(b)) {
      console.error(`DIVERGENCE in session ${s} at its end`);
      process.exit(7);
    }
    const sr = rust.stats();
    const sf = fpga.stats();
    if (JSON.stringify(sr) !== JSON.stringify(sf)) {
      console.error(`stats differ in session ${s}:\n  rust ${JSON.stringify(sr)}\n  fpga ${JSON.stringify(sf)}`);
      process.exit(7);
    }
    messages += sr.messages;
    cycles += fpga.counters().cycles;
    console.log(`session ${s + 1}/${SESSIONS} (seed ${SEED + s}): ${fmt(sr.messages)} messages identical (${fmt(sr.decisions)} decisions, ${fmt(sr.fills)} fills)`);
  } finally {
    rust.close();
    fpga.close();
  }
}
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`\n${fmt(messages)} messages, records byte-identical, stats equal; records SHA-256 ${digest.digest('hex')}`);
console.log(`reject reasons: ${REASON_NAMES.map((n, i) => `${n} ${fmt(reasons[i])}`).join(', ')}`);
console.log(`flags on TOB records: ${FLAG_NAMES.map((n, i) => `${n} ${fmt(flags[i])}`).join(', ')}; fills ${fmt(fills)}`);
console.log(`hardware: ${fmt(cycles)} simulated cycles, ${(cycles / messages).toFixed(2)} cycles/message, ${fmt(cycles / (hwNs / 1e9))} cycles/s and ${fmt(messages / (hwNs / 1e9))} messages/s in Verilator; wall ${wall.toFixed(1)} s`);
