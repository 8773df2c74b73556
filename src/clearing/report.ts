/**
 * End-of-day settlement report and reconciliation (pure): net quantity and net cash
 * obligation per account and symbol from the settlement entries, and executions in against
 * executions cleared, listing every break.
 */
import { D, ZERO, type Dec } from './decimal.ts';
import type { SettlementEntry } from './ledger.ts';

export interface SettlementLine {
  accountId: number;
  symbol: string;
  netQty: number;
  netCash: Dec;
  fees: Dec;
  bought: number;
  sold: number;
  executions: number;
}

export type BreakKind = 'lost' | 'duplicated' | 'unknown' | 'position' | 'foreign';

export interface Break {
  kind: BreakKind;
  execId?: string;
  /** Where a foreign record is: `topic/partition@offset`. */
  record?: string;
  accountId?: number;
  symbol?: string;
  detail: string;
}

export interface Reconciliation {
  /** Distinct valid execution ids in. */
  executions: number;
  /** Distinct execution ids cleared. */
  cleared: number;
  /** Executions in that were never cleared. */
  lost: number;
  /** Settlement entries beyond the first for an execution id. */
  duplicated: number;
  /** Settlement entries whose execution id is not among the executions in. */
  unknown: number;
  breaks: Break[];
}

export function aggregate(entries: Iterable<SettlementEntry>): Map<string, SettlementLine> {
  const out = new Map<string, SettlementLine>();
  for (const e of entries) {
    const k = `${e.accountId}:${e.symbol}`;
    let l = out.get(k);
    if (!l) {
      l = { accountId: e.accountId, symbol: e.symbol, netQty: 0, netCash: ZERO, fees: ZERO, bought: 0, sold: 0, executions: 0 };
      out.set(k, l);
    }
    if (e.side === 'B') {
      l.netQty += e.qty;
      l.bought += e.qty;
    } else {
      l.netQty -= e.qty;
      l.sold += e.qty;
    }
    l.netCash = l.netCash.plus(new D(e.cash));
    l.fees = l.fees.plus(new D(e.fee));
    l.executions += 1;
  }
  return out;
}

export function sortedLines(lines: Map<string, SettlementLine>): SettlementLine[] {
  return [...lines.values()].sort((a, b) => a.accountId - b.accountId || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/**
 * `inIds`: execution ids read from the executions topic (duplicates in the input are fine);
 * `entries`: settlement entries read from the settlements topic.
 */
export function reconcile(inIds: Iterable<string>, entries: Iterable<SettlementEntry>, maxBreaks = 1000): Reconciliation {
  const input = new Set(inIds);
  const seen = new Map<string, number>();
  for (const e of entries) seen.set(e.execId, (seen.get(e.execId) ?? 0) + 1);
  const breaks: Break[] = [];
  let lost = 0;
  let duplicated = 0;
  let unknown = 0;
  const push = (b: Break) => {
    if (breaks.length < maxBreaks) breaks.push(b);
  };
  for (const id of input) {
    if (!seen.has(id)) {
      lost += 1;
      push({ kind: 'lost', execId: id, detail: 'in the executions topic, never cleared' });
    }
  }
  for (const [id, n] of seen) {
    if (n > 1) {
      duplicated += n - 1;
      push({ kind: 'duplicated', execId: id, detail: `cleared ${n} times` });
    }
    if (!input.has(id)) {
      unknown += 1;
      push({ kind: 'unknown', execId: id, detail: 'cleared, but not in the executions topic' });
    }
  }
  let cleared = 0;
  for (const id of seen.keys()) if (input.has(id)) cleared += 1;
  return { executions: input.size, cleared, lost, duplicated, unknown, breaks };
}

/** Compares the positions topic's latest state with the settlement lines; adds 'position' breaks. */
export function comparePositions(
  lines: Map<string, SettlementLine>,
  positions: Map<string, { position: number; netCash: string }>,
): Break[] {
  const breaks: Break[] = [];
  for (const [k, l] of lines) {
    const p = positions.get(k);
    if (!p) {
      breaks.push({ kind: 'position', accountId: l.accountId, symbol: l.symbol, detail: 'no record in the positions topic' });
    } else if (p.position !== l.netQty || !new D(p.netCash).equals(l.netCash)) {
      breaks.push({
        kind: 'position',
        accountId: l.accountId,
        symbol: l.symbol,
        detail: `positions topic ${p.position} / ${p.netCash}, settlements ${l.netQty} / ${l.netCash.toString()}`,
      });
    }
  }
  for (const [k, p] of positions) {
    if (!lines.has(k) && p.position !== 0) {
      const [acct, sym] = k.split(':');
      breaks.push({ kind: 'position', accountId: Number(acct), symbol: sym, detail: `positions topic ${p.position}, no settlements` });
    }
  }
  return breaks;
}

function money(d: Dec): string {
  return d.toFixed(2);
}

export function toCsv(lines: SettlementLine[]): string {
  const rows = ['account,symbol,net_qty,net_cash,fees,bought,sold,executions'];
  for (const l of lines) {
    rows.push([l.accountId, l.symbol, l.netQty, money(l.netCash), money(l.fees), l.bought, l.sold, l.executions].join(','));
  }
  return rows.join('\n') + '\n';
}
