/**
 * The end-of-run report of `riskgate replay`: one JSON object (`--json`) or a text page.
 */
import type { Config } from '../config/index.ts';
import { typeName } from '../itch/layout.ts';
import type { ReplayResult } from './result.ts';
import type { ProblemLog } from '../source/problems.ts';
import { percentiles } from './percentiles.ts';

export interface ProblemEntry {
  kind: string;
  count: number;
  firstOffset: number;
  firstSeq?: number;
  message: string;
}

export function problemList(log: ProblemLog, severity: 'error' | 'warning'): ProblemEntry[] {
  return Object.entries(log.summary(severity)).map(([kind, v]) => ({ kind, ...v }));
}

export function byTypeObject(byType: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  byType.forEach((n, t) => {
    if (n > 0) out[typeName(t)] = n;
  });
  return out;
}

export function replayReport(r: ReplayResult, config: Config): Record<string, unknown> {
  const st = r.stats;
  const perMsg = r.batchNs.map((ns, i) => ns / Math.max(1, r.batchMessages[i]));
  const positions: Record<string, unknown> = {};
  for (const s of config.symbols) {
    const p = r.pnl.bySymbol.get(s.index);
    if (!p && s.startPosition === 0) continue;
    positions[s.symbol] = {
      position: s.startPosition + (p ? p.position : 0),
      startPosition: s.startPosition,
      bought: p?.bought ?? 0,
      sold: p?.sold ?? 0,
      fills: p?.fills ?? 0,
      // Average cost and realised P&L of the day's fills, from a flat start.
      avgPrice: (p?.avgPrice ?? 0).toFixed(4),
      realisedPnl: (p?.realised ?? 0).toFixed(2),
      account: config.accounts[s.account]?.name,
    };
  }
  return {
    file: r.file,
    backend: r.backend,
    messages: st.messages,
    byType: byTypeObject(st.byType),
    errors: problemList(r.problems, 'error'),
    warnings: problemList(r.problems, 'warning'),
    decisions: st.decisions,
    accepted: st.accepted,
    rejected: st.rejected,
    rejectReasons: r.rejectReasons,
    ...(r.clientOrders ? { clientOrders: r.clientOrders } : {}),
    fills: st.fills,
    controls: st.controls,
    topOfBookChanges: st.tob,
    flaggedMessages: st.flagged,
    flaggedShare: st.messages > 0 ? st.flagged / st.messages : 0,
    flaggedTopOfBookRows: r.flaggedTobRows,
    flaggedTopOfBookShare: r.tobRows > 0 ? r.flaggedTobRows / r.tobRows : 0,
    unknownRefs: st.unknownRef,
    tableFullDrops: st.tableFull,
    orderTable: {
      note: 'spec §5: drops = ghost inserts + untracked drops; peaks since the start of the run',
      drops: st.tableFull,
      stashInserts: st.stashInserts,
      ghostInserts: st.ghostInserts,
      untrackedDrops: st.untrackedDrops,
      collisionClears: st.collisionClears,
      liveOrdersPeak: st.livePeak,
      stashPeak: st.stashPeak,
      ghostPeak: st.ghostPeak,
    },
    positions,
    recordsSha256: r.recordsSha256,
    recordBytes: r.recordBytes,
    throughput: {
      wallSeconds: r.wallNs / 1e9,
      engineSeconds: r.engineNs / 1e9,
      messagesPerSecondWall: r.wallNs > 0 ? Math.round(st.messages / (r.wallNs / 1e9)) : 0,
      messagesPerSecondEngine: r.engineNs > 0 ? Math.round(st.messages / (r.engineNs / 1e9)) : 0,
    },
    latency: {
      note: 'engine call time per batch, and per message as batch time / messages in the batch (one clock read per batch); a percentile is given only when there are enough batches for it (p99: 100, p99.9: 1,000), otherwise min and max only',
      batches: r.batchNs.length,
      perBatchNs: honestPercentiles(r.batchNs),
      perMessageNs: honestPercentiles(perMsg),
    },
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The percentiles a sample of n values can support: p50 from 2, p99 from 100, p99.9 from 1,000; min and max always. */
export function honestPercentiles(values: readonly number[]): Record<string, number> {
  const n = values.length;
  const all = percentiles(values, [50, 99, 99.9]);
  const out: Record<string, number> = { samples: n, min: all.min ?? 0, max: all.max ?? 0 };
  if (n >= 2) out.p50 = all.p50;
  if (n >= 100) out.p99 = all.p99;
  if (n >= 1000) out['p99.9'] = all['p99.9'];
  return out;
}

/** `p50 X ns  p99 Y ns  max Z ns`, naming only the percentiles the sample supports. */
function latencyText(p: Record<string, number>, unit: (x: number) => string): string {
  const parts: string[] = [];
  if (p.p50 !== undefined) parts.push(`p50 ${unit(p.p50)}`);
  if (p.p99 !== undefined) parts.push(`p99 ${unit(p.p99)}`);
  if (p['p99.9'] !== undefined) parts.push(`p99.9 ${unit(p['p99.9'])}`);
  parts.push(`max ${unit(p.max)}`);
  return parts.join('  ');
}

export function formatReplayReport(rep: Record<string, unknown>): string {
  const r = rep as any;
  const lines: string[] = [];
  lines.push(`riskgate replay — ${r.file} (backend ${r.backend})`);
  lines.push('');
  lines.push(`messages      ${fmt(r.messages)}`);
  lines.push(`  by type     ${Object.entries(r.byType).map(([t, n]) => `${t} ${fmt(n as number)}`).join('  ')}`);
  const probs = (label: string, list: ProblemEntry[]) => {
    if (list.length === 0) return lines.push(`${label}none`);
    lines.push(`${label}${fmt(list.reduce((a, p) => a + p.count, 0))}`);
    for (const p of list) {
      const where = [p.firstOffset >= 0 ? `offset ${p.firstOffset}` : '', p.firstSeq ? `seq ${p.firstSeq}` : ''].filter(Boolean).join(' ');
      lines.push(`  ${p.kind.padEnd(24)} ${fmt(p.count).padStart(9)}  ${where ? `first at ${where}: ` : ''}${p.message}`);
    }
  };
  probs('errors        ', r.errors);
  probs('warnings      ', r.warnings);
  lines.push('');
  lines.push(`decisions     ${fmt(r.decisions)}   accepted ${fmt(r.accepted)}   rejected ${fmt(r.rejected)}   fills ${fmt(r.fills)}   controls ${fmt(r.controls)}`);
  const rr = Object.entries(r.rejectReasons).filter(([, n]) => (n as number) > 0);
  lines.push(`  rejected by reason (an order can fail several checks)`);
  for (const [k, n] of rr) lines.push(`    ${k.padEnd(14)} ${fmt(n as number).padStart(9)}`);
  lines.push(`book          ${fmt(r.topOfBookChanges)} top-of-book records, ${(r.flaggedTopOfBookShare * 100).toFixed(3)}% with a book flag (${fmt(r.flaggedTopOfBookRows)}); ${(r.flaggedShare * 100).toFixed(3)}% of messages left a book flag set (${fmt(r.flaggedMessages)})`);
  const ot = r.orderTable;
  lines.push(`order table   peak ${fmt(ot.liveOrdersPeak)} live orders; stash ${fmt(ot.stashInserts)} inserts (peak ${fmt(ot.stashPeak)}); dropped ${fmt(ot.drops)} (ghosts ${fmt(ot.ghostInserts)}, peak ${fmt(ot.ghostPeak)}; untracked ${fmt(ot.untrackedDrops)}); COLLISION cleared by itself ${fmt(ot.collisionClears)}×`);
  lines.push('');
  lines.push('positions     symbol    account     position    bought      sold   avg price   realised P&L');
  for (const [sym, p] of Object.entries(r.positions) as [string, any][]) {
    lines.push(`              ${sym.padEnd(9)} ${String(p.account).padEnd(9)} ${fmt(p.position).padStart(10)} ${fmt(p.bought).padStart(9)} ${fmt(p.sold).padStart(9)} ${p.avgPrice.padStart(11)} ${p.realisedPnl.padStart(14)}`);
  }
  lines.push('');
  const t = r.throughput;
  lines.push(`throughput    ${fmt(t.messagesPerSecondEngine)} msg/s in the engine, ${fmt(t.messagesPerSecondWall)} msg/s end to end (${t.wallSeconds.toFixed(3)} s)`);
  const l = r.latency;
  const few = l.batches < 100 ? ` — too few batches for a p99: max over ${fmt(l.batches)} batch${l.batches === 1 ? '' : 'es'}` : ` over ${fmt(l.batches)} batches`;
  lines.push(`latency       per batch ${latencyText(l.perBatchNs, (x) => `${fmt(Math.round(x))} ns`)}${few}`);
  lines.push(`              per message (batch time / its messages) ${latencyText(l.perMessageNs, (x) => `${x.toFixed(1)} ns`)}`);
  lines.push('');
  lines.push(`records       ${fmt(r.recordBytes / 32)} × 32 bytes, SHA-256 ${r.recordsSha256}`);
  return lines.join('\n');
}
