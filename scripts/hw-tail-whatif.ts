/**
 * What the DECISION tick-to-trade tail is made of, and what p99 a given cut would give (issue 9;
 * debug tool, not a test). Same build and run as scripts/hw-stage-budget.ts (the RG_STAGE_TRACE
 * model), then, per decision, the triggering message's engine cycles (f -> e), its FIFO wait,
 * and the op and engine cycles of the message the engine took just before it.
 * Classes: U (a replace: two table lookups and two level updates), search (the best level
 * emptied: the trace's `s` lines), behind (waited in the FIFO or the front for the message
 * ahead).
 * What-if: totals re-derived with a cut of dC cycles on every decision, dU on a U's engine
 * cycles, dS on each search, and a wait behind a message shortened by that message's cut
 * (an estimate: the queue is not re-simulated).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { configBlob, loadConfig } from '../src/config/index.ts';
import { RecordKind } from '../src/contract.ts';
import { FpgaEngine } from '../src/fpga/index.ts';

const TRACE = process.env.RG_STAGE_TRACE_FILE || '/tmp/rg-stage-trace.txt';
const OP_U = 11;
const frames = gunzipSync(readFileSync(fileURLToPath(new URL('../data/demo.itch.gz', import.meta.url))));
const eng = new FpgaEngine(configBlob(loadConfig()), { messagesPerPacket: 8, offer: { num: 5, den: 8 } });
eng.process(frames, true);
const stamps = eng.takeStamps().filter((s) => s.kind === RecordKind.DECISION);
eng.close();

interface Msg { p?: number; f?: number; e?: number; op?: number; prev?: number; searches: number }
const msgs = new Map<number, Msg>();
let lastF = -1;
for (const line of readFileSync(TRACE, 'utf8').split('\n')) {
  if (!line) continue;
  const a = line.split(' ');
  const seq = Number(a[2]);
  let m = msgs.get(seq);
  if (!m) msgs.set(seq, (m = { searches: 0 }));
  const t = Number(a[0]);
  if (a[1] === 'p' && m.p === undefined) m.p = t;
  if (a[1] === 'f' && m.f === undefined) { m.f = t; m.op = Number(a[4]); m.prev = lastF; lastF = seq; }
  if (a[1] === 'e' && m.e === undefined) m.e = t;
  if (a[1] === 's') m.searches++;
}
const eng5 = (m: Msg) => (m.e! - m.f!);
/** a message's own cut under (dU, dS) */
const cut = (m: Msg, dU: number, dS: number) => (m.op === OP_U ? dU : 0) + dS * m.searches;
/** engine cycles of its own above a plain message's 5 (a U's and its searches'; the rest is waiting) */
const ownExtra = (m: Msg) => (m.op === OP_U || m.searches > 0 ? eng5(m) - 5 : 0);
interface Row { total: number; own: Msg; ahead?: Msg; wait: number }
const rows: Row[] = [];
for (const s of stamps) {
  const m = msgs.get(s.seq);
  if (!m || m.f === undefined || m.e === undefined || m.p === undefined) throw new Error(`seq ${s.seq} not traced: is ${TRACE} from the RG_STAGE_TRACE build?`);
  rows.push({ total: Number(s.tOut - s.tLast), own: m, ahead: m.prev !== undefined ? msgs.get(m.prev) : undefined, wait: m.f - m.p });
}
const p99 = (t: number[]) => { const a = [...t].sort((x, y) => x - y); return a[Math.max(0, Math.ceil(0.99 * a.length) - 1)]; };
const cls = (r: Row) => {
  if (r.own.op === OP_U) return r.own.searches ? 'U + search' : 'U';
  if (r.own.searches) return `search (engine ${eng5(r.own)})`;
  if (r.wait > 0 || eng5(r.own) > 5) return `behind ${r.ahead?.op === OP_U ? 'U' : r.ahead?.searches ? 'search' : 'other'}`;
  return 'plain';
};
const byCls = new Map<string, Map<number, number>>();
for (const r of rows) {
  const k = cls(r);
  const h = byCls.get(k) ?? new Map<number, number>();
  h.set(r.total, (h.get(r.total) ?? 0) + 1);
  byCls.set(k, h);
}
const allowed = rows.length - Math.ceil(0.99 * rows.length);
console.log(`${rows.length} decisions, p99 ${p99(rows.map((r) => r.total))}; p99 <= 16 allows ${allowed} above 16`);
for (const [k, h] of [...byCls].sort()) {
  const above = [...h].filter(([t]) => t > 16).reduce((s, [, n]) => s + n, 0);
  console.log(`${k}: ${[...h].sort((a, b) => a[0] - b[0]).map(([t, n]) => `${t}:${n}`).join(' ')} (above 16: ${above})`);
}
console.log('what-if (dC common, dU per U, dS per search; waits shortened by the ahead message\'s cut):');
for (const [dC, dU, dS] of [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 2, 0], [0, 0, 2], [0, 2, 2], [1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 1, 1], [1, 2, 2]]) {
  const t = rows.map((r) => {
    const own = cut(r.own, dU, dS);
    const behind = Math.max(0, r.total - 15 - ownExtra(r.own));
    const aheadCut = r.ahead ? cut(r.ahead, dU, dS) : 0;
    return r.total - dC - own - Math.min(behind, aheadCut);
  });
  const over = t.filter((x) => x > 16).length;
  console.log(`  dC ${dC} dU ${dU} dS ${dS}: p99 ${p99(t)}, above 16: ${over}, max ${Math.max(...t)}`);
}
