/**
 * Where the DECISION tick-to-trade cycles go, stage by stage (issue 12; debug tool, not a test).
 *
 * Needs the card verilated with RG_STAGE_TRACE (riskgate_top then writes one line per
 * handshake of the market-data path to /tmp/rg-stage-trace.txt), in a build directory of
 * its own:
 *
 *   make -C sim BUILD=build-trace \
 *     'VFLAGS=--cc -Wall -Wno-fatal --x-assign unique --x-initial unique -I../hdl ../hdl/riskgate.vlt -DRG_STAGE_TRACE' \
 *     build-trace/libriskgate_sim.so
 *   RISKGATE_SIM_LIBRARY=$PWD/sim/build-trace/libriskgate_sim.so node --import tsx scripts/hw-stage-budget.ts
 *
 * Runs the bundled session as test/hw/timing.test.ts's latency pass does (8 messages per
 * packet, a beat offered on 5 of every 8 cycles) and prints, for the median decisions and
 * for those at or above p99, the cycles from the last byte's beat to each handshake:
 * rx (rg_moldudp64_rx -> parser), p (parser -> FIFO), f (FIFO -> book engine), e (engine ->
 * rg_tob), t (-> rg_strategy), g (-> rg_risk), r (-> rg_record_fmt), out (the record's beat);
 * and per latency, the triggering ops with their engine cycles and FIFO waits.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { configBlob, loadConfig } from '../src/config/index.ts';
import { RecordKind } from '../src/contract.ts';
import { FpgaEngine } from '../src/fpga/index.ts';

const TRACE = '/tmp/rg-stage-trace.txt';
const IFS = ['rx', 'p', 'f', 'e', 't', 'g', 'r'] as const;
const SEGMENTS = ['last byte -> rx', 'parser (rx -> p)', 'FIFO (p -> f)', 'book engine (f -> e)', 'rg_tob (e -> t)',
  'rg_strategy (t -> g)', 'rg_risk (g -> r)', 'rg_record_fmt (r -> out)'];
const OPS: Record<number, string> = { 6: 'A/F', 7: 'E', 8: 'C', 9: 'X', 10: 'D', 11: 'U' };

const frames = gunzipSync(readFileSync(fileURLToPath(new URL('../data/demo.itch.gz', import.meta.url))));
const eng = new FpgaEngine(configBlob(loadConfig()), { messagesPerPacket: 8, offer: { num: 5, den: 8 } });
eng.process(frames, true);
const stamps = eng.takeStamps().filter((s) => s.kind === RecordKind.DECISION);
eng.close();

// first handshake of each message (by seq) at each interface, and its engine op
const at = new Map<number, Map<string, number>>();
const op = new Map<number, number>();
for (const line of readFileSync(TRACE, 'utf8').split('\n')) {
  if (!line) continue;
  const a = line.split(' ');
  const seq = Number(a[2]);
  let m = at.get(seq);
  if (!m) at.set(seq, (m = new Map()));
  if (!m.has(a[1])) m.set(a[1], Number(a[0]));
  if (a[1] === 'f' && !op.has(seq)) op.set(seq, Number(a[4]));
}

interface Row { total: number; seg: number[]; op: number }
const rows: Row[] = [];
for (const s of stamps) {
  const m = at.get(s.seq);
  if (!m || IFS.some((k) => !m.has(k))) continue;
  const pts = [Number(s.tLast), ...IFS.map((k) => m.get(k)!), Number(s.tOut)];
  rows.push({ total: Number(s.tOut - s.tLast), seg: pts.slice(1).map((v, i) => v - pts[i]), op: op.get(s.seq) ?? -1 });
}
if (rows.length !== stamps.length) throw new Error(`traced ${rows.length} of ${stamps.length} decisions: is ${TRACE} from this run (RG_STAGE_TRACE build)?`);
rows.sort((a, b) => a.total - b.total);
const rank = (p: number) => rows[Math.max(0, Math.ceil(p * rows.length) - 1)].total;
const p50 = rank(0.5);
const p99 = rank(0.99);
const mean = (rs: Row[], i: number) => (rs.reduce((s, r) => s + r.seg[i], 0) / rs.length).toFixed(2);
const med = rows.filter((r) => r.total === p50);
const high = rows.filter((r) => r.total >= p99);
console.log(`${rows.length} decisions: min ${rows[0].total} p50 ${p50} p99 ${p99} max ${rows[rows.length - 1].total} cycles`);
console.log(`| stage | cycles, p50 decisions (${med.length}) | cycles, decisions >= p99 (${high.length}) |`);
console.log('|---|---:|---:|');
SEGMENTS.forEach((name, i) => console.log(`| ${name} | ${mean(med, i)} | ${mean(high, i)} |`));
const byTotal = new Map<number, Row[]>();
for (const r of rows) byTotal.set(r.total, [...(byTotal.get(r.total) ?? []), r]);
for (const [total, rs] of [...byTotal].sort((a, b) => a[0] - b[0])) {
  const kinds = new Map<string, number>();
  for (const r of rs) {
    const k = `${OPS[r.op] ?? r.op} engine ${r.seg[3]} FIFO ${r.seg[2]}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  console.log(`${total} cycles: ${rs.length} — ${[...kinds].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, n]) => `${k}: ${n}`).join(', ')}`);
}
