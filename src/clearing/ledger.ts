/**
 * Pure clearing logic, shared by the in-process (embedded) path and the Kafka workers.
 *
 * Per account and symbol: position (shares, signed), average open price, realised P&L
 * (average-cost method, before fees), fees, net cash (− for buys, + for sells, fees
 * deducted), bought and sold shares, execution count. Per account and session: the highest
 * execution id `(seq, leg)` cleared, which de-duplicates: executions of one account and
 * session arrive in increasing id order (they share a partition), so an id at or below the
 * watermark has been cleared already.
 *
 * All money is decimal.js (src/clearing/decimal.ts); nothing here does I/O.
 */
import { D, ZERO, priceToDollars, type Dec } from './decimal.ts';
import { compareSeqLeg, executionId, type Execution } from './execution.ts';
import { feeFor, type FeeSchedule } from './fees.ts';

export interface PositionState {
  accountId: number;
  symbol: string;
  position: number;
  avgPrice: Dec;
  realizedPnl: Dec;
  fees: Dec;
  netCash: Dec;
  bought: number;
  sold: number;
  executions: number;
}

export interface AccountState {
  accountId: number;
  positions: Map<string, PositionState>;
  /** session → [seq, leg] of the highest execution id cleared. */
  watermarks: Map<number, [number, number]>;
  cleared: number;
}

/** One settlement entry per cleared execution (money as decimal strings, dollars). */
export interface SettlementEntry {
  execId: string;
  session: number;
  seq: number;
  leg: number;
  accountId: number;
  symbol: string;
  side: 'B' | 'S';
  qty: number;
  price: string;
  notional: string;
  fee: string;
  /** Signed cash movement for the account: −notional − fee for a buy, +notional − fee for a sell. */
  cash: string;
  realizedPnl: string;
  positionAfter: number;
}

export type ApplyResult =
  | { kind: 'cleared'; entry: SettlementEntry; position: PositionState }
  | { kind: 'duplicate'; execId: string };

export interface PositionJson {
  accountId: number;
  symbol: string;
  position: number;
  avgPrice: string;
  realizedPnl: string;
  fees: string;
  netCash: string;
  bought: number;
  sold: number;
  executions: number;
}

export interface AccountJson {
  accountId: number;
  cleared: number;
  watermarks: Record<string, [number, number]>;
  positions: PositionJson[];
}

export function positionToJson(p: PositionState): PositionJson {
  return {
    accountId: p.accountId,
    symbol: p.symbol,
    position: p.position,
    avgPrice: p.avgPrice.toString(),
    realizedPnl: p.realizedPnl.toString(),
    fees: p.fees.toString(),
    netCash: p.netCash.toString(),
    bought: p.bought,
    sold: p.sold,
    executions: p.executions,
  };
}

export function positionFromJson(j: PositionJson): PositionState {
  return {
    accountId: j.accountId,
    symbol: j.symbol,
    position: j.position,
    avgPrice: new D(j.avgPrice),
    realizedPnl: new D(j.realizedPnl),
    fees: new D(j.fees),
    netCash: new D(j.netCash),
    bought: j.bought,
    sold: j.sold,
    executions: j.executions,
  };
}

export function accountToJson(a: AccountState): AccountJson {
  const watermarks: Record<string, [number, number]> = {};
  for (const [s, w] of [...a.watermarks].sort((x, y) => x[0] - y[0])) watermarks[String(s)] = [w[0], w[1]];
  const positions = [...a.positions.values()].sort((x, y) => (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0));
  return { accountId: a.accountId, cleared: a.cleared, watermarks, positions: positions.map(positionToJson) };
}

export function accountFromJson(j: AccountJson): AccountState {
  return {
    accountId: j.accountId,
    cleared: j.cleared,
    watermarks: new Map(Object.entries(j.watermarks).map(([s, w]) => [Number(s), [w[0], w[1]] as [number, number]])),
    positions: new Map(j.positions.map((p) => [p.symbol, positionFromJson(p)])),
  };
}

function cloneAccount(a: AccountState): AccountState {
  return {
    accountId: a.accountId,
    cleared: a.cleared,
    watermarks: new Map([...a.watermarks].map(([s, w]) => [s, [w[0], w[1]] as [number, number]])),
    positions: new Map([...a.positions].map(([k, p]) => [k, { ...p }])),
  };
}

function newPosition(accountId: number, symbol: string): PositionState {
  return {
    accountId,
    symbol,
    position: 0,
    avgPrice: ZERO,
    realizedPnl: ZERO,
    fees: ZERO,
    netCash: ZERO,
    bought: 0,
    sold: 0,
    executions: 0,
  };
}

/** Applies one execution to a position in place; returns the settlement entry. */
export function applyToPosition(p: PositionState, e: Execution, fees: FeeSchedule): SettlementEntry {
  const s = e.side === 'B' ? 1 : -1;
  const q = e.qty;
  const px = priceToDollars(e.price);
  const notional = px.times(q);
  const fee = feeFor(fees, q);
  let realized = ZERO;
  const pos = p.position;
  if (pos === 0 || Math.sign(pos) === s) {
    const abs = Math.abs(pos);
    p.avgPrice = p.avgPrice.times(abs).plus(notional).dividedBy(abs + q);
    p.position = pos + s * q;
  } else {
    const close = Math.min(q, Math.abs(pos));
    // long closed by a sell: (px − avg) × close; short closed by a buy: (avg − px) × close
    realized = px.minus(p.avgPrice).times(close).times(Math.sign(pos));
    p.realizedPnl = p.realizedPnl.plus(realized);
    p.position = pos + s * close;
    const rest = q - close;
    if (p.position === 0) p.avgPrice = ZERO;
    if (rest > 0) {
      p.position = s * rest;
      p.avgPrice = px;
    }
  }
  const cash = s === 1 ? notional.negated().minus(fee) : notional.minus(fee);
  p.netCash = p.netCash.plus(cash);
  p.fees = p.fees.plus(fee);
  if (s === 1) p.bought += q;
  else p.sold += q;
  p.executions += 1;
  return {
    execId: executionId(e),
    session: e.session,
    seq: e.seq,
    leg: e.leg,
    accountId: e.accountId,
    symbol: e.symbol,
    side: e.side,
    qty: q,
    price: px.toString(),
    notional: notional.toString(),
    fee: fee.toString(),
    cash: cash.toString(),
    realizedPnl: realized.toString(),
    positionAfter: p.position,
  };
}

export interface LedgerOptions {
  /** De-duplicate by execution id (default true). Off only for the at-least-once negative control. */
  dedupe?: boolean;
}

/**
 * Accounts and their positions. `begin()` opens a staged change set (copy on first touch) that
 * is merged by `commit()` or dropped by `rollback()`, so a worker can retry a failed Kafka
 * transaction from unchanged state.
 */
export class Ledger {
  readonly fees: FeeSchedule;
  readonly dedupe: boolean;
  private readonly accounts = new Map<number, AccountState>();

  constructor(fees: FeeSchedule, opts: LedgerOptions = {}) {
    this.fees = fees;
    this.dedupe = opts.dedupe ?? true;
  }

  get size(): number {
    return this.accounts.size;
  }

  account(accountId: number): AccountState | undefined {
    return this.accounts.get(accountId);
  }

  allAccounts(): AccountState[] {
    return [...this.accounts.values()].sort((a, b) => a.accountId - b.accountId);
  }

  restore(a: AccountJson): void {
    this.accounts.set(a.accountId, accountFromJson(a));
  }

  drop(accountId: number): void {
    this.accounts.delete(accountId);
  }

  clear(): void {
    this.accounts.clear();
  }

  begin(): LedgerTxn {
    return new LedgerTxn(this, this.accounts);
  }

  /** Applies one execution directly (no staging). */
  apply(e: Execution): ApplyResult {
    const t = this.begin();
    const r = t.apply(e);
    t.commit();
    return r;
  }
}

export class LedgerTxn {
  private readonly staged = new Map<number, AccountState>();
  private readonly touchedPositions = new Map<string, PositionState>();
  private done = false;

  constructor(
    private readonly ledger: Ledger,
    private readonly base: Map<number, AccountState>,
  ) {}

  private accountFor(accountId: number): AccountState {
    let a = this.staged.get(accountId);
    if (!a) {
      const b = this.base.get(accountId);
      a = b ? cloneAccount(b) : { accountId, positions: new Map(), watermarks: new Map(), cleared: 0 };
      this.staged.set(accountId, a);
    }
    return a;
  }

  apply(e: Execution): ApplyResult {
    if (this.done) throw new Error('ledger transaction already finished');
    const a = this.accountFor(e.accountId);
    const w = a.watermarks.get(e.session);
    if (this.ledger.dedupe && w && compareSeqLeg(e.seq, e.leg, w[0], w[1]) <= 0) {
      return { kind: 'duplicate', execId: executionId(e) };
    }
    if (!w || compareSeqLeg(e.seq, e.leg, w[0], w[1]) > 0) a.watermarks.set(e.session, [e.seq, e.leg]);
    let p = a.positions.get(e.symbol);
    if (!p) {
      p = newPosition(e.accountId, e.symbol);
      a.positions.set(e.symbol, p);
    }
    const entry = applyToPosition(p, e, this.ledger.fees);
    a.cleared += 1;
    this.touchedPositions.set(`${e.accountId}:${e.symbol}`, p);
    return { kind: 'cleared', entry, position: p };
  }

  /** Accounts changed in this transaction (their staged state). */
  touchedAccounts(): AccountState[] {
    return [...this.staged.values()];
  }

  /** Positions changed in this transaction, keyed `account:symbol`. */
  touchedPositionStates(): Map<string, PositionState> {
    return this.touchedPositions;
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    for (const [id, a] of this.staged) this.base.set(id, a);
  }

  rollback(): void {
    this.done = true;
    this.staged.clear();
  }
}
