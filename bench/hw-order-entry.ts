/**
 * `npm run bench:hw-order-entry`: the full-size differential run of order entry on the
 * hardware (issue 13, spec §18.7; not run in CI, whose slice is test/hw/order-entry.test.ts).
 * A `gen --client-orders` merged stream (≥ 100k client orders over ≥ 1M market-data messages
 * by default), streamed chunk by chunk, goes through the Rust core and the Verilated card
 * (order frames on its order-entry input, src/fpga/engine.ts); every chunk's records must be
 * byte-identical, and the stats at the end. Prints the reasons counted in the card's own
 * ORDER records, venue fills and cancels, the record digest, simulated cycles and speed.
 *
 * Env: OE_MESSAGES (1000000), OE_CLIENT_ORDERS (100000), OE_SEED (7), OE_PER_PACKET (8).
 */
import { createHash } from 'node:crypto';
import { configBlob, loadConfig } from '../src/config/index.ts';
import { ControlOp, Reason, RECORD_SIZE, RecordField, RecordHeader as H, RecordKind, REASON_NAMES } from '../src/contract.ts';
import { RustEngine } from '../src/engine/rust.ts';
import { firstDivergence } from '../src/engine/shadow.ts';
import { FpgaEngine } from '../src/fpga/engine.ts';
import { OrderFlowGenerator } from '../src/gen/orders.ts';
import { machineBanner } from './machine.ts';

const MESSAGES = Number(process.env.OE_MESSAGES ?? 1_000_000);
const ORDERS = Number(process.env.OE_CLIENT_ORDERS ?? 100_000);
const SEED = Number(process.env.OE_SEED ?? 7);
const PER_PACKET = Number(process.env.OE_PER_PACKET ?? 8);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log('riskgate order entry on the hardware: Rust core vs Verilated card, merged stream, chunk by chunk');
console.log(machineBanner());
const config = loadConfig();
const blob = configBlob(config);
const gen = new OrderFlowGenerator({ seed: SEED, symbols: 8, messages: MESSAGES, clientOrders: ORDERS, config });
const rust = new RustEngine(blob);
const hw = new FpgaEngine(blob, { messagesPerPacket: PER_PACKET, stamps: false });
const digest = createHash('sha256');
const reasons: Record<string, number> = Object.fromEntries(REASON_NAMES.map((r) => [r, 0]));
let orders = 0, accepted = 0, cancels = 0, venueFills = 0, problems = 0, records = 0, bytes = 0;
// KILL by an account kill alone: an operator's (ACCOUNT_KILL 1) or the daily loss limit's (2, spec §18.8)
let accountKilled = 0, lossKilled = 0, lossTrips = 0, globalKill = false;
const symbolKill = new Set<number>(), accountKill = new Set<number>(), lossKill = new Set<number>();
let hwMs = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let chunk = gen.nextChunk();
while (chunk) {
  const next = gen.nextChunk();
  const last = next === null;
  bytes += chunk.length;
  const want = rust.process(chunk, last);
  const h0 = performance.now();
  const got = hw.process(chunk, last);
  hwMs += performance.now() - h0;
  const d = firstDivergence(want, got, config.symbols.map((s) => s.symbol));
  if (d) {
    console.error(`DIVERGENCE at seq ${d.seq} (record ${d.index} of the chunk)\n  rust: ${d.left}\n  fpga: ${d.right}`);
    process.exit(1);
  }
  digest.update(got);
  records += got.length / RECORD_SIZE;
  for (let off = 0; off < got.length; off += RECORD_SIZE) {
    const k = got[off + H.kind];
    if (k === RecordKind.CONTROL) {
      const op = got[off + H.aux];
      const value = got.readBigUInt64LE(off + RecordField.CONTROL.value);
      const target = got.readUInt16LE(off + RecordField.CONTROL.target);
      if (op === ControlOp.GLOBAL_KILL) globalKill = value !== 0n;
      if (op === ControlOp.SYMBOL_KILL) { if (value !== 0n) symbolKill.add(target); else symbolKill.delete(target); }
      if (op === ControlOp.ACCOUNT_KILL && value === 1n) accountKill.add(target);
      if (op === ControlOp.ACCOUNT_KILL && value === 2n) { lossKill.add(target); lossTrips++; }
      if (op === ControlOp.ACCOUNT_KILL && value === 0n) { accountKill.delete(target); lossKill.delete(target); }
    } else if (k === RecordKind.ORDER && got[off + H.aux] === 0x43) cancels++;
    else if (k === RecordKind.ORDER) {
      orders++;
      const r = got.readUInt16LE(off + RecordField.ORDER.reasons);
      if (r === 0) accepted++;
      REASON_NAMES.forEach((name, bit) => { if (r & (1 << bit)) reasons[name]++; });
      const a = got[off + RecordField.ORDER.account_index];
      const other = globalKill || symbolKill.has(got[off + H.symbol]);
      if (r & Reason.KILL && !other && accountKill.has(a) && !lossKill.has(a)) accountKilled++;
      if (r & Reason.KILL && !other && lossKill.has(a) && !accountKill.has(a)) lossKilled++;
    } else if (k === RecordKind.FILL && got[off + RecordField.FILL.leg] >= 1) venueFills++;
    else if (k === RecordKind.PROBLEM) problems++;
  }
  chunk = next;
}
// the spec §12 stats, as plain numbers (Rust's may be bigints)
const plain = (x: object) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? Number(v) : v));
const statsEqual = plain(hw.stats()) === plain(rust.stats());
const c = hw.counters();
const cpu = process.cpuUsage(cpu0);
const s = gen.summary();
console.log(`merged stream: ${fmt(s.messages)} messages, ${fmt(bytes)} bytes, sha256 ${s.sha256}`);
console.log(`records: ${fmt(records)}, identical chunk by chunk; stats ${statsEqual ? 'equal' : 'DIFFER'}; digest ${digest.digest('hex')} (generator's Rust digest ${s.recordsSha256})`);
console.log(`client orders answered by the card: ${fmt(orders)} (${fmt(accepted)} accepted), venue fills ${fmt(venueFills)}, venue cancels ${fmt(cancels)}, problems ${fmt(problems)}`);
console.log(`reasons on the card: ${REASON_NAMES.map((r) => `${r} ${fmt(reasons[r])}`).join(', ')}`);
console.log(`KILL by an account kill alone: the operator's ${fmt(accountKilled)}, the daily loss limit's ${fmt(lossKilled)} (${fmt(lossTrips)} trips)`);
console.log(`fewest: ${Math.min(...Object.values(reasons))} (${REASON_NAMES.filter((r) => reasons[r] === Math.min(...Object.values(reasons))).join(', ')})`);
console.log(`card: ${fmt(c.cycles)} cycles (${(c.cycles / s.messages).toFixed(2)}/msg), ${(c.cycles / (hwMs / 1000) / 1e6).toFixed(2)} M simulated cycles/s; ` +
  `wall ${((performance.now() - t0) / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
hw.close();
rust.close();
if (!statsEqual || orders < ORDERS) process.exit(1);
