/**
 * The export tables (docs/exports.md): one table per record kind with typed columns, account
 * and symbol names from the config, prices and money in dollars (exactly 4 decimals), and
 * `timestamp_ns` (the ITCH timestamp, nanoseconds since midnight) under the same name in every
 * table and format. CSV, JSONL and Parquet are all written from these definitions, so the
 * formats cannot drift apart.
 */
import type { Config } from '../config/index.ts';
import { CONTROL_OPS, PROBLEM_NAMES } from '../contract.ts';
import { NO_SYMBOL, RecordKind } from '../records/layout.ts';
import { controlOpName, problemName, reasonNames } from '../records/decode.ts';
import { Flag } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';

/**
 * Column types. `int64`: a whole number (JSON number, CSV digits, Parquet INT64);
 * `price`: dollars with 4 decimals (≤ 429,496.7295; Parquet DECIMAL(10,4)); `money`: dollars
 * with 4 decimals, large (Parquet DECIMAL(20,4)); both are decimal strings in CSV and JSONL.
 * `bool`: true/false; `string`: text.
 */
export type ColumnType = 'int64' | 'price' | 'money' | 'bool' | 'string';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** Whether the column can be empty (CSV ''), null (JSONL) or null (Parquet). */
  readonly nullable: boolean;
  readonly doc: string;
}

/**
 * A cell: int64 → number (or bigint past 2^53), price/money → integer units of $0.0001
 * (number or bigint), bool → boolean, string → string; null when empty.
 */
export type Cell = number | bigint | boolean | string | null;

export type TableName = 'decisions' | 'fills' | 'top_of_book' | 'controls' | 'problems';

export interface TableDef {
  readonly name: TableName;
  readonly kind: number;
  readonly doc: string;
  readonly columns: readonly Column[];
}

/** What the rows need besides the record: names from the config the run used. */
export interface ExportContext {
  readonly symbols: readonly string[];
  readonly accounts: readonly { readonly name: string; readonly id: number }[];
}

export function exportContext(config: Config): ExportContext {
  return {
    symbols: config.symbols.map((s) => s.symbol),
    accounts: config.accounts.map((a) => ({ name: a.name, id: a.id })),
  };
}

const c = (name: string, type: ColumnType, doc: string, nullable = false): Column => ({ name, type, nullable, doc });

const SEQ = c('seq', 'int64', "1-based index of the input message in the session (spec §2), counting skipped and bad messages");
const TS = c('timestamp_ns', 'int64', "ITCH timestamp of the message: nanoseconds since midnight of the trading day");
const SYMBOL = c('symbol', 'string', 'stock symbol, as in the config');
const ACCOUNT = c('account', 'string', "account name, as in the config");
const ACCOUNT_ID = c('account_id', 'int64', "the account's external id");
const SIDE = c('side', 'string', '`B` buy or `S` sell');

export const TABLES: readonly TableDef[] = [
  {
    name: 'decisions',
    kind: RecordKind.DECISION,
    doc: "one row per order the strategy wanted to send, with the risk checks' verdict",
    columns: [
      SEQ, TS, SYMBOL, ACCOUNT, ACCOUNT_ID, SIDE,
      c('price', 'price', 'order limit price, dollars'),
      c('qty', 'int64', 'order quantity, shares'),
      c('notional', 'money', 'price × qty, dollars'),
      c('accepted', 'bool', 'true when every risk check passed'),
      c('reject_reasons', 'string', 'the failed checks, `|`-separated in spec §8.2 order (e.g. `MAX_QTY|COLLAR`); empty when accepted', true),
    ],
  },
  {
    name: 'fills',
    kind: RecordKind.FILL,
    doc: 'one row per simulated fill of an accepted order',
    columns: [
      SEQ, TS, SYMBOL, ACCOUNT, ACCOUNT_ID, SIDE,
      c('price', 'price', 'fill price, dollars'),
      c('qty', 'int64', 'filled shares'),
      c('notional', 'money', 'price × qty, dollars'),
      c('position_after', 'int64', "the account's position in the symbol after the fill, shares (negative = short)"),
      c('leg', 'int64', 'leg of the execution id (0)'),
    ],
  },
  {
    name: 'top_of_book',
    kind: RecordKind.TOB,
    doc: "one row per change of a subscribed symbol's best bid/ask or of its book flags (spec §7)",
    columns: [
      SEQ, TS, SYMBOL,
      c('bid_px', 'price', 'best bid, dollars; empty when there is no bid', true),
      c('bid_sz', 'int64', 'shares at the best bid (0 when none)'),
      c('ask_px', 'price', 'best ask, dollars; empty when there is no ask', true),
      c('ask_sz', 'int64', 'shares at the best ask (0 when none)'),
      c('band_bid', 'bool', 'BAND_BID: bids outside the price window, the best bid may be inexact'),
      c('band_ask', 'bool', 'BAND_ASK: asks outside the price window, the best ask may be inexact'),
      c('collision', 'bool', "COLLISION: an order of this symbol could not be tracked, the book may be inexact"),
    ],
  },
  {
    name: 'controls',
    kind: RecordKind.CONTROL,
    doc: 'one row per in-band control message the engine applied (kill switches, limit changes; spec §9)',
    columns: [
      c('seq', 'int64', 'the seq the control took effect before (its effective seq S)'),
      c('timestamp_ns', 'int64', 'ITCH timestamp of the last message before it, nanoseconds since midnight'),
      c('op', 'string', 'control op name (`GLOBAL_KILL`, `MAX_NOTIONAL`, …)'),
      c('scope', 'string', 'what the op addresses: `global`, `symbol` or `account`'),
      c('symbol', 'string', 'the symbol addressed (scope `symbol`)', true),
      c('account', 'string', 'the account name addressed (scope `account`)', true),
      c('value', 'string', 'the new value in `unit` (dollars with 4 decimals, shares, …) as a decimal string'),
      c('unit', 'string', '`dollars`, `shares`, `bps`, `orders`, `ns`, `flag` (1 engage, 0 release) or `none`'),
    ],
  },
  {
    name: 'problems',
    kind: RecordKind.PROBLEM,
    doc: 'one row per input problem (bad length, unknown type, truncated frame, refused control)',
    columns: [
      SEQ,
      c('problem', 'string', `one of ${PROBLEM_NAMES.filter((n) => n !== '').map((n) => '`' + n + '`').join(', ')}`),
      c('type_byte', 'int64', "the message's type byte (e.g. 65 for `A`)"),
      c('frame_length', 'int64', 'the declared frame length, bytes'),
      c('expected_length', 'int64', 'the length spec §3.1 gives the type; empty when the type is unknown', true),
    ],
  },
];

export const TABLE_BY_KIND: ReadonlyMap<number, TableDef> = new Map(TABLES.map((t) => [t.kind, t]));

/** Units of the control ops' values as the exports show them (engine notional units → dollars). */
const UNIT_OF: Record<string, string> = {
  flag: 'flag', shares: 'shares', 'notional units': 'dollars', 'basis points': 'bps', orders: 'orders', nanoseconds: 'ns', none: 'none',
};
const OP_BY_CODE = new Map<number, (typeof CONTROL_OPS)[number]>(CONTROL_OPS.map((o) => [o.code, o]));

/** A value in units of $0.0001 as dollars with exactly 4 decimals. */
export function dollars(units: number | bigint): string {
  const u = BigInt(units);
  const neg = u < 0n;
  const s = (neg ? -u : u).toString().padStart(5, '0');
  return `${neg ? '-' : ''}${s.slice(0, -4)}.${s.slice(-4)}`;
}

function symbolName(ctx: ExportContext, i: number): string | null {
  if (i === NO_SYMBOL) return null;
  return ctx.symbols[i] ?? `#${i}`;
}

function accountName(ctx: ExportContext, i: number): string {
  return ctx.accounts[i]?.name ?? `#${i}`;
}

/** Product of two u32 as an exact integer (bigint only past 2^53). */
function product(a: number, b: number): number | bigint {
  const p = a * b;
  return Number.isSafeInteger(p) ? p : BigInt(a) * BigInt(b);
}

/** The row of the current record of `v`, in the column order of its table; null for an unknown kind. */
export function rowOf(v: RecordView, ctx: ExportContext): { table: TableDef; cells: Cell[] } | null {
  const table = TABLE_BY_KIND.get(v.kind);
  if (!table) return null;
  switch (v.kind) {
    case RecordKind.DECISION: {
      const price = v.price, qty = v.qty;
      return { table, cells: [v.seq, v.ts, symbolName(ctx, v.symbol), accountName(ctx, v.accountIndex), v.accountId, v.side, price, qty, product(price, qty), v.accepted, v.reasons ? reasonNames(v.reasons).join('|') : null] };
    }
    case RecordKind.FILL: {
      const price = v.price, qty = v.qty, acct = v.accountIndex;
      return { table, cells: [v.seq, v.ts, symbolName(ctx, v.symbol), accountName(ctx, acct), ctx.accounts[acct]?.id ?? null, v.side, price, qty, product(price, qty), v.positionAfter, v.leg] };
    }
    case RecordKind.TOB: {
      const bidSz = v.bidSz, askSz = v.askSz, bidPx = v.bidPx, askPx = v.askPx, f = v.flags;
      return {
        table,
        cells: [v.seq, v.ts, symbolName(ctx, v.symbol), bidPx || bidSz ? bidPx : null, bidSz, askPx || askSz ? askPx : null, askSz,
          (f & Flag.BAND_BID) !== 0, (f & Flag.BAND_ASK) !== 0, (f & Flag.COLLISION) !== 0],
      };
    }
    case RecordKind.CONTROL: {
      const op = OP_BY_CODE.get(v.op);
      const scope = op?.target ?? 'unknown';
      const unit = op ? (UNIT_OF[op.unit] ?? op.unit) : 'none';
      const raw = v.value;
      const target = v.target;
      return {
        table,
        cells: [v.seq, v.ts, controlOpName(v.op), scope,
          scope === 'symbol' ? (ctx.symbols[target] ?? `#${target}`) : null,
          scope === 'account' ? accountName(ctx, target) : null,
          unit === 'dollars' ? dollars(raw) : raw.toString(), unit],
      };
    }
    case RecordKind.PROBLEM:
      return { table, cells: [v.seq, problemName(v.problem), v.typeByte, v.frameLength, v.expectedLength || null] };
    default:
      return null;
  }
}
