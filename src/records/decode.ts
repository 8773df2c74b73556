/**
 * Decodes the 32-byte records of spec §11 into objects and text. Used by `decode`, exports,
 * reports and tests; never on the engines' hot path.
 */
import { formatPrice } from '../itch/decode.ts';
import { CONTROL_OP_NAMES } from '../itch/layout.ts';
import {
  FLAG_NAMES, KIND_NAMES, PROBLEM_NAMES, REASON_NAMES, RECORD_SIZE, RECORD_VERSION,
  bitNames, type FlagName, type ReasonName,
} from './layout.ts';

interface Base {
  version: number;
  seq: number;
  ts: number;
  symbol: number; // 255 = none
}
export type EngineRecord =
  | (Base & { kind: 'TOB'; flags: number; bidPx: number; bidSz: number; askPx: number; askSz: number })
  | (Base & { kind: 'DECISION'; side: 'B' | 'S'; price: number; qty: number; reasons: number; accepted: boolean; account: number; accountId: number })
  | (Base & { kind: 'FILL'; side: 'B' | 'S'; price: number; qty: number; positionAfter: number; leg: number; account: number })
  | (Base & { kind: 'CONTROL'; op: number; value: bigint; target: number })
  | (Base & { kind: 'PROBLEM'; code: number; type: number; length: number; expectedLength: number })
  | (Base & { kind: 'UNKNOWN'; rawKind: number });

function u48(b: Buffer, off: number): number {
  return b.readUIntLE(off, 6);
}

export function decodeRecord(b: Buffer, off = 0): EngineRecord {
  const base: Base = { version: b[off], seq: u48(b, off + 4), ts: u48(b, off + 10), symbol: b[off + 2] };
  const aux = b[off + 3];
  switch (b[off + 1]) {
    case 1:
      return { ...base, kind: 'TOB', flags: aux, bidPx: b.readUInt32LE(off + 16), bidSz: b.readUInt32LE(off + 20), askPx: b.readUInt32LE(off + 24), askSz: b.readUInt32LE(off + 28) };
    case 2:
      return {
        ...base, kind: 'DECISION', side: aux === 0x42 ? 'B' : 'S', price: b.readUInt32LE(off + 16), qty: b.readUInt32LE(off + 20),
        reasons: b.readUInt16LE(off + 24), accepted: b[off + 26] === 1, account: b[off + 27], accountId: b.readUInt32LE(off + 28),
      };
    case 3:
      return {
        ...base, kind: 'FILL', side: aux === 0x42 ? 'B' : 'S', price: b.readUInt32LE(off + 16), qty: b.readUInt32LE(off + 20),
        positionAfter: b.readInt32LE(off + 24), leg: b[off + 28], account: b[off + 29],
      };
    case 4:
      return { ...base, kind: 'CONTROL', op: aux, value: b.readBigUInt64LE(off + 16), target: b.readUInt16LE(off + 24) };
    case 5:
      return { ...base, kind: 'PROBLEM', code: aux, type: b[off + 16], length: b.readUInt16LE(off + 18), expectedLength: b.readUInt16LE(off + 20) };
    default:
      return { ...base, kind: 'UNKNOWN', rawKind: b[off + 1] };
  }
}

export function decodeRecords(buf: Buffer): EngineRecord[] {
  const out: EngineRecord[] = [];
  for (let off = 0; off + RECORD_SIZE <= buf.length; off += RECORD_SIZE) out.push(decodeRecord(buf, off));
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
  return CONTROL_OP_NAMES[op] ?? `OP_${op}`;
}

/** A JSON-safe, human-readable view of a record (prices as decimal strings). */
export function recordToJson(r: EngineRecord, symbols?: readonly string[]): Record<string, unknown> {
  const sym = r.symbol === 255 ? null : (symbols?.[r.symbol] ?? r.symbol);
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
    case 'PROBLEM':
      return { ...head, problem: problemName(r.code), type: r.type, length: r.length, expectedLength: r.expectedLength };
    default:
      return { ...head, rawKind: r.rawKind };
  }
}

/** One line of text per record, for `riskgate decode`. */
export function formatRecord(r: EngineRecord, symbols?: readonly string[]): string {
  const sym = r.symbol === 255 ? '-' : (symbols?.[r.symbol] ?? `#${r.symbol}`);
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
    case 'PROBLEM':
      return `${head} ${problemName(r.code)} type ${r.type.toString(16).padStart(2, '0')} length ${r.length}${r.expectedLength ? ` (expected ${r.expectedLength})` : ''}`;
    default:
      return `${head} unknown record kind ${r.rawKind}`;
  }
}
