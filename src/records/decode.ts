/**
 * Decodes the 32-byte records of spec §11 into objects and text. Used by `decode`, exports,
 * reports and tests; never on the engines' hot path.
 */
import { formatPrice } from '../itch/decode.ts';
import { CONTROL_OP_NAMES } from '../itch/layout.ts';
import {
  FLAG_NAMES, NO_SYMBOL, PROBLEM_NAMES, Problem, REASON_NAMES, RECORD_VERSION, RecordKind,
  bitNames, type FlagName, type ReasonName,
} from './layout.ts';
import { RecordView } from './view.ts';
import { RecordField, RecordHeader } from '../contract.ts';

interface Base {
  version: number;
  seq: number;
  ts: number;
  symbol: number; // NO_SYMBOL = none
}
export type EngineRecord =
  | (Base & { kind: 'TOB'; flags: number; bidPx: number; bidSz: number; askPx: number; askSz: number })
  | (Base & { kind: 'DECISION'; side: 'B' | 'S'; price: number; qty: number; reasons: number; accepted: boolean; account: number; accountId: number })
  | (Base & { kind: 'FILL'; side: 'B' | 'S'; price: number; qty: number; positionAfter: number; leg: number; account: number })
  | (Base & { kind: 'CONTROL'; op: number; value: bigint; target: number })
  /** A client order action and its verdict, or a venue cancel (aux `C`), spec §18. */
  | (Base & { kind: 'ORDER'; action: string; side: string; price: number; qty: number; reasons: number; account: number; orderId: number })
  | (Base & { kind: 'PROBLEM'; code: number; type: number; length: number; expectedLength: number; /** The op and target of a refused control message (BAD_CONTROL, FOREIGN_CONTROL), else 0. */ op: number; target: number })
  | (Base & { kind: 'UNKNOWN'; rawKind: number });

/** A PROBLEM code of a refused control message: its record carries the op and target. */
export function isControlProblem(code: number): boolean {
  return code === Problem.BAD_CONTROL || code === Problem.FOREIGN_CONTROL;
}

/** The current record of `v` as an object. */
export function recordOf(v: RecordView): EngineRecord {
  const base: Base = { version: v.version, seq: v.seq, ts: v.ts, symbol: v.symbol };
  switch (v.kind) {
    case RecordKind.TOB:
      return { ...base, kind: 'TOB', flags: v.flags, bidPx: v.bidPx, bidSz: v.bidSz, askPx: v.askPx, askSz: v.askSz };
    case RecordKind.DECISION:
      return {
        ...base, kind: 'DECISION', side: v.side, price: v.price, qty: v.qty,
        reasons: v.reasons, accepted: v.accepted, account: v.accountIndex, accountId: v.accountId,
      };
    case RecordKind.FILL:
      return { ...base, kind: 'FILL', side: v.side, price: v.price, qty: v.qty, positionAfter: v.positionAfter, leg: v.leg, account: v.accountIndex };
    case RecordKind.CONTROL:
      return { ...base, kind: 'CONTROL', op: v.op, value: v.value, target: v.target };
    case RecordKind.ORDER: {
      const b = v.bytes();
      const f = RecordField.ORDER;
      return {
        ...base, kind: 'ORDER', action: String.fromCharCode(b[RecordHeader.aux]), side: String.fromCharCode(b[f.side]), price: b.readUInt32LE(f.price),
        qty: b.readUInt32LE(f.qty), reasons: b.readUInt16LE(f.reasons), account: b[f.account_index], orderId: b.readUInt32LE(f.order_id),
      };
    }
    case RecordKind.PROBLEM:
      return { ...base, kind: 'PROBLEM', code: v.problem, type: v.typeByte, length: v.frameLength, expectedLength: v.expectedLength, op: v.op, target: v.target };
    default:
      return { ...base, kind: 'UNKNOWN', rawKind: v.kind };
  }
}

export function decodeRecord(b: Buffer, off = 0): EngineRecord {
  const v = new RecordView(b);
  v.off = off;
  return recordOf(v);
}

export function decodeRecords(buf: Buffer): EngineRecord[] {
  const out: EngineRecord[] = [];
  for (const v = new RecordView(buf); v.next(); ) out.push(recordOf(v));
  return out;
}

export function flagNames(flags: number): FlagName[] {
  return bitNames(flags, FLAG_NAMES);
}
export function reasonNames(reasons: number): ReasonName[] {
  return bitNames(reasons, REASON_NAMES);
}
export function problemName(code: number): string {
  return PROBLEM_NAMES[code] || `CODE_${code}`;
}
export function controlOpName(op: number): string {
  return CONTROL_OP_NAMES[op] || `OP_${op}`;
}

/** A JSON-safe, human-readable view of a record (prices as decimal strings). */
export function recordToJson(r: EngineRecord, symbols?: readonly string[]): Record<string, unknown> {
  const sym = r.symbol === NO_SYMBOL ? null : (symbols?.[r.symbol] ?? r.symbol);
  const head = { kind: r.kind, seq: r.seq, ts: r.ts, symbol: sym };
  switch (r.kind) {
    case 'TOB':
      return { ...head, flags: flagNames(r.flags), bidPx: r.bidSz || r.bidPx ? formatPrice(r.bidPx) : null, bidSz: r.bidSz, askPx: r.askSz || r.askPx ? formatPrice(r.askPx) : null, askSz: r.askSz };
    case 'DECISION':
      return { ...head, side: r.side, price: formatPrice(r.price), qty: r.qty, accepted: r.accepted, reasons: reasonNames(r.reasons), account: r.accountId };
    case 'FILL':
      return { ...head, side: r.side, price: formatPrice(r.price), qty: r.qty, positionAfter: r.positionAfter, leg: r.leg, account: r.account };
    case 'CONTROL':
      return { ...head, op: controlOpName(r.op), target: r.target, value: r.value.toString() };
    case 'ORDER':
      return { ...head, action: r.action, side: r.side, price: formatPrice(r.price), qty: r.qty, accepted: r.reasons === 0, reasons: reasonNames(r.reasons), account: r.account, orderId: r.orderId };
    case 'PROBLEM':
      return {
        ...head, problem: problemName(r.code), type: r.type, length: r.length, expectedLength: r.expectedLength,
        ...(isControlProblem(r.code) ? { op: controlOpName(r.op), target: r.target } : {}),
      };
    default:
      return { ...head, rawKind: r.rawKind };
  }
}

/** One line of text per record, for `riskgate decode`. */
export function formatRecord(r: EngineRecord, symbols?: readonly string[]): string {
  const sym = r.symbol === NO_SYMBOL ? '-' : (symbols?.[r.symbol] ?? `#${r.symbol}`);
  const v = r.version === RECORD_VERSION ? '' : ` v${r.version}`;
  const head = `${String(r.seq).padStart(9)} ${String(r.ts).padStart(15)} ${r.kind.padEnd(8)} ${sym.padEnd(8)}${v}`;
  const px = (p: number, s: number) => (p === 0 && s === 0 ? '        -' : `${formatPrice(p).padStart(10)} x ${s}`);
  switch (r.kind) {
    case 'TOB': {
      const f = flagNames(r.flags);
      return `${head} bid ${px(r.bidPx, r.bidSz)}  ask ${px(r.askPx, r.askSz)}${f.length ? `  [${f.join(',')}]` : ''}`;
    }
    case 'DECISION':
      return `${head} ${r.side === 'B' ? 'BUY ' : 'SELL'} ${r.qty} @ ${formatPrice(r.price)} acct ${r.accountId} ${r.accepted ? 'ACCEPTED' : `REJECTED ${reasonNames(r.reasons).join('|')}`}`;
    case 'FILL':
      return `${head} ${r.side === 'B' ? 'BOUGHT' : 'SOLD  '} ${r.qty} @ ${formatPrice(r.price)} leg ${r.leg} position ${r.positionAfter}`;
    case 'CONTROL':
      return `${head} ${controlOpName(r.op)} target ${r.target} value ${r.value}`;
    case 'ORDER':
      return `${head} ${r.action === 'C' ? 'VENUE CANCELED' : r.action === 'U' ? 'REPLACE' : 'ENTER'} ${r.side} ${r.qty} @ ${formatPrice(r.price)} id ${r.orderId} acct ${r.account} ${r.action === 'C' ? '' : r.reasons === 0 ? 'ACCEPTED' : `REJECTED ${reasonNames(r.reasons).join('|')}`}`.trimEnd();
    case 'PROBLEM':
      return `${head} ${problemName(r.code)} type ${r.type.toString(16).padStart(2, '0')} length ${r.length}${r.expectedLength ? ` (expected ${r.expectedLength})` : ''}${isControlProblem(r.code) ? ` op ${controlOpName(r.op)} target ${r.target}` : ''}`;
    default:
      return `${head} unknown record kind ${r.rawKind}`;
  }
}
