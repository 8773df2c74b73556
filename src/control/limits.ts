/**
 * The risk limits and kill switches an operator can change at runtime, their validation,
 * and a mirror of their current values (start-of-day config + every control applied since),
 * which gives the audit log its "old value". Ranges are those of spec §9.
 */
import type { Config } from '../config/index.ts';
import { decimalToUnits, groupDigits, PRICE_DECIMALS, unitsToDollars } from '../config/decimal.ts';
import { CONTROL_OPS, ControlOp, CONTROL_OP_NAMES, GLOBAL_TARGET } from '../itch/layout.ts';

export { GLOBAL_TARGET };

/** A change a caller asks for, before validation (HTTP body, CLI arguments). */
export type ChangeRequest =
  | { kind: 'kill'; symbol?: unknown; account?: unknown; on: unknown }
  | { kind: 'limit'; symbol?: unknown; account?: unknown; limit: unknown; value: unknown }
  | { kind: 'clearCollision'; symbol: unknown };

/** A validated change: one spec §9 control message. */
export interface ControlChange {
  op: number;
  /** Spec §9 op name, e.g. GLOBAL_KILL, MAX_QTY. */
  what: string;
  target: number;
  /** Symbol or account name, or "*" for global. */
  targetName: string;
  value: bigint;
}

/** Refused change (HTTP 400): `reason` says why. */
export class ChangeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ChangeError';
  }
}

/** The contract's description of an op (spec §9): target kind, value range, unit. */
function opInfo(op: number): (typeof CONTROL_OPS)[number] {
  const o = CONTROL_OPS.find((x) => x.code === op);
  if (!o) throw new ChangeError(`unknown control op ${op}`);
  return o;
}

/** A limit an operator can change by its API name: the op, its scope and range (from the contract). */
export interface LimitSpec {
  op: number;
  scope: 'symbol' | 'account';
  /** Money: dollars in the API, notional units in the engine (else a whole number as is). */
  money: boolean;
  /** The value's unit (spec §9). */
  unit: string;
  max: bigint;
}

function limit(op: number): LimitSpec {
  const o = opInfo(op);
  if (o.target !== 'symbol' && o.target !== 'account') throw new Error(`internal: op ${o.name} is not a limit`);
  return { op, scope: o.target, money: o.unit === 'notional units', unit: o.unit, max: o.max };
}

/** Limits that can be changed, by their API name. */
export const LIMITS: Readonly<Record<string, LimitSpec>> = Object.freeze({
  maxQty: limit(ControlOp.MAX_QTY),
  maxNotional: limit(ControlOp.MAX_NOTIONAL),
  positionLimit: limit(ControlOp.POSITION_LIMIT),
  collarBps: limit(ControlOp.COLLAR_BPS),
  creditLimit: limit(ControlOp.CREDIT_LIMIT),
  maxOrdersPerWindow: limit(ControlOp.MAX_ORDERS),
  duplicateWindowNs: limit(ControlOp.DUP_WINDOW),
  maxOpenOrders: limit(ControlOp.MAX_OPEN_ORDERS),
  maxOrderRate: limit(ControlOp.MAX_ORDER_RATE),
  maxDailyLoss: limit(ControlOp.MAX_DAILY_LOSS),
});

/** Spec §9 value range of an op (inclusive maximum), for re-checking audit entries. */
export function opMax(op: number): bigint {
  return opInfo(op).max;
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** An integer value: a JSON integer or a string of digits; never negative, never above `max`. */
export function parseIntValue(v: unknown, max: bigint, what: string): bigint {
  let n: bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new ChangeError(`${what} must be a whole number, got ${describe(v)}`);
    if (v < 0) throw new ChangeError(`${what} must not be negative, got ${v}`);
    if (!Number.isSafeInteger(v)) throw new ChangeError(`${what} ${v} is too large for a JSON number; send it as a string`);
    n = BigInt(v);
  } else if (typeof v === 'string') {
    const t = v.trim();
    if (/^-\d+$/.test(t)) throw new ChangeError(`${what} must not be negative, got ${describe(v)}`);
    if (!/^\d{1,30}$/.test(t)) throw new ChangeError(`${what} must be a whole number, got ${describe(v)}`);
    n = BigInt(t);
  } else {
    throw new ChangeError(`${what} must be a whole number, got ${v === null ? 'null' : typeof v}`);
  }
  if (n > max) throw new ChangeError(`${what} ${n} overflows its range (at most ${max})`);
  return n;
}

/** A money value in dollars (a decimal string, or a whole JSON number) → notional units (× 10^4), exactly. */
export function parseMoneyValue(v: unknown, max: bigint, what: string): bigint {
  let text: string;
  if (typeof v === 'string') {
    text = v.trim();
    if (/^-/.test(text)) throw new ChangeError(`${what} must not be negative, got ${describe(v)}`);
    if (!/^\d{1,30}(\.\d{1,30})?$/.test(text)) throw new ChangeError(`${what} must be a decimal string of dollars such as "250000.00", got ${describe(v)}`);
  } else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ChangeError(`${what} must be a number of dollars, got ${describe(v)}`);
    if (v < 0) throw new ChangeError(`${what} must not be negative, got ${v}`);
    if (!Number.isSafeInteger(v)) throw new ChangeError(`${what}: send fractional or large dollar amounts as a decimal string (binary floats lose cents), got ${v}`);
    text = String(v);
  } else {
    throw new ChangeError(`${what} must be a decimal string of dollars, got ${v === null ? 'null' : typeof v}`);
  }
  // Digit by digit (src/config/decimal.ts): never rounded, whatever the number of digits.
  const p = decimalToUnits(text, PRICE_DECIMALS);
  if (!p.ok) throw new ChangeError(`${what} has more than ${PRICE_DECIMALS} decimal places (${describe(v)})`);
  if (p.units > max) throw new ChangeError(`${what} ${text} overflows its range (at most ${unitsToDollars(max)} dollars)`);
  return p.units;
}

/** Notional or price units as exact dollars (at least 2 decimals): 4000000000n → "400000.00". */
export function formatDollars(units: bigint): string {
  return unitsToDollars(units);
}

/** The unit a person sees for an op's value: dollars for money, else the op's own (shares, flag, …). */
export type DisplayUnit = 'dollars' | 'shares' | 'orders' | 'basis points' | 'nanoseconds' | 'flag' | 'none';

export function displayUnit(op: number): DisplayUnit {
  const u = opInfo(op).unit;
  return (u === 'notional units' ? 'dollars' : u) as DisplayUnit;
}

/** An op's value as a person reads it, as a plain string: dollars for money ("100000.00"), else the number. */
export function displayValue(op: number, value: bigint): string {
  return displayUnit(op) === 'dollars' ? unitsToDollars(value) : value.toString();
}

/** A display value with its unit for text: "$100,000.00", "1,500 shares", "on", "30 bps". */
export function formatDisplay(unit: string | undefined, display: string): string {
  if (!/^\d+(\.\d+)?$/.test(display)) return display;
  const [i, f] = display.split('.');
  const n = groupDigits(BigInt(i));
  switch (unit) {
    case 'dollars': return `$${n}${f ? `.${f}` : ''}`;
    case 'shares': return `${n} shares`;
    case 'orders': return `${n} orders`;
    case 'basis points': return `${n} bps`;
    case 'nanoseconds': return `${n} ns`;
    case 'flag': return display === '1' ? 'on' : display === '0' ? 'off' : display;
    case 'none': return '-';
    default: return display;
  }
}

/** An op's value for text output, from engine units: formatValue(MAX_NOTIONAL, 4000000000n) = "$400,000.00". */
export function formatValue(op: number, value: bigint): string {
  return formatDisplay(displayUnit(op), displayValue(op, value));
}

export interface SymbolLimits {
  index: number;
  symbol: string;
  account: number;
  kill: boolean;
  maxQty: bigint;
  maxNotional: bigint;
  positionLimit: bigint;
  collarBps: bigint;
}
export interface AccountLimits {
  index: number;
  id: number;
  name: string;
  creditLimit: bigint;
  maxOrdersPerWindow: bigint;
  duplicateWindowNs: bigint;
  /** Client order limits (spec §18.3): the config's orderEntry values, written at S = 1 by the gateway. */
  maxOpenOrders: bigint;
  maxOrderRate: bigint;
  /** The account kill (op ACCOUNT_KILL, spec §9): every order of the account is refused (KILL). */
  kill: boolean;
  /** The daily loss limit (op MAX_DAILY_LOSS, spec §18.8), notional units; 0 = off. */
  maxDailyLoss: bigint;
}

/** Current limits and kill switches: the config's, then every applied control. */
export class RiskState {
  globalKill: boolean;
  readonly symbols: SymbolLimits[];
  readonly accounts: AccountLimits[];
  readonly collisionClears: number[];

  constructor(readonly config: Config) {
    this.globalKill = config.globalKill;
    this.symbols = config.symbols.map((s) => ({
      index: s.index, symbol: s.symbol, account: s.account, kill: s.kill,
      maxQty: BigInt(s.maxQty), maxNotional: s.maxNotional, positionLimit: BigInt(s.positionLimit), collarBps: BigInt(s.collarBps),
    }));
    this.accounts = config.accounts.map((a) => ({
      index: a.index, id: a.id, name: a.name, creditLimit: a.creditLimit, maxOrdersPerWindow: BigInt(a.maxOrdersPerWindow), duplicateWindowNs: a.duplicateWindowNs,
      maxOpenOrders: BigInt(config.orderEntry?.maxOpenOrders ?? 0), maxOrderRate: BigInt(config.orderEntry?.maxOrderRate ?? 0),
      kill: false,
      maxDailyLoss: a.maxDailyLoss,
    }));
    this.collisionClears = config.symbols.map(() => 0);
  }

  symbolIndex(v: unknown): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < this.symbols.length) return v;
    if (typeof v === 'string') {
      const t = v.trim().toUpperCase();
      const s = this.symbols.find((x) => x.symbol.toUpperCase() === t);
      if (s) return s.index;
    }
    if (typeof v !== 'string' && typeof v !== 'number') throw new ChangeError(`symbol must be a symbol name, got ${v === null ? 'null' : typeof v}`);
    throw new ChangeError(`unknown symbol ${describe(v)} (configured: ${this.symbols.map((s) => s.symbol).join(', ')})`);
  }

  accountIndex(v: unknown): number {
    if (typeof v === 'string' || typeof v === 'number') {
      const t = String(v).trim();
      const a = this.accounts.find((x) => x.name === t || String(x.id) === t);
      if (a) return a.index;
    } else {
      throw new ChangeError(`account must be an account name or id, got ${v === null ? 'null' : typeof v}`);
    }
    throw new ChangeError(`unknown account ${describe(v)} (configured: ${this.accounts.map((a) => `${a.name} (${a.id})`).join(', ')})`);
  }

  /** Validates a request into one control message; throws ChangeError (nothing changes). */
  resolve(req: ChangeRequest): ControlChange {
    if (req === null || typeof req !== 'object') throw new ChangeError('expected a JSON object');
    if (req.kind === 'kill') {
      if (typeof req.on !== 'boolean') throw new ChangeError(`"on" must be true or false, got ${req.on === undefined ? 'nothing' : describe(req.on)}`);
      const value = req.on ? 1n : 0n;
      if (req.account !== undefined) {
        // The account kill (spec §18.6, op ACCOUNT_KILL): the engine refuses every new order of the
        // account with KILL and the gateway mass-cancels its open ones.
        if (req.symbol !== undefined) throw new ChangeError('a kill names a symbol or an account, not both');
        const j = this.accountIndex(req.account);
        return { op: ControlOp.ACCOUNT_KILL, what: 'ACCOUNT_KILL', target: j, targetName: this.accounts[j].name, value };
      }
      if (req.symbol === undefined || req.symbol === null || req.symbol === '*') {
        return { op: ControlOp.GLOBAL_KILL, what: 'GLOBAL_KILL', target: GLOBAL_TARGET, targetName: '*', value };
      }
      const i = this.symbolIndex(req.symbol);
      return { op: ControlOp.SYMBOL_KILL, what: 'SYMBOL_KILL', target: i, targetName: this.symbols[i].symbol, value };
    }
    if (req.kind === 'clearCollision') {
      const i = this.symbolIndex(req.symbol);
      return { op: ControlOp.CLEAR_COLLISION, what: 'CLEAR_COLLISION', target: i, targetName: this.symbols[i].symbol, value: 0n };
    }
    if (req.kind === 'limit') {
      if (typeof req.limit !== 'string' || !Object.hasOwn(LIMITS, req.limit)) {
        throw new ChangeError(`unknown limit ${req.limit === undefined ? '(missing "limit")' : describe(req.limit)} (one of ${Object.keys(LIMITS).join(', ')})`);
      }
      const l = LIMITS[req.limit];
      if (req.value === undefined) throw new ChangeError('missing "value"');
      const value = l.money ? parseMoneyValue(req.value, l.max, req.limit) : parseIntValue(req.value, l.max, req.limit);
      if (l.scope === 'symbol') {
        if (req.account !== undefined) throw new ChangeError(`${req.limit} is a per-symbol limit: give "symbol", not "account"`);
        if (req.symbol === undefined) throw new ChangeError(`${req.limit} needs "symbol"`);
        const i = this.symbolIndex(req.symbol);
        return { op: l.op, what: CONTROL_OP_NAMES[l.op], target: i, targetName: this.symbols[i].symbol, value };
      }
      if (req.symbol !== undefined) throw new ChangeError(`${req.limit} is a per-account limit: give "account", not "symbol"`);
      if (req.account === undefined) throw new ChangeError(`${req.limit} needs "account"`);
      const j = this.accountIndex(req.account);
      return { op: l.op, what: CONTROL_OP_NAMES[l.op], target: j, targetName: this.accounts[j].name, value };
    }
    throw new ChangeError(`unknown change kind ${describe((req as { kind?: unknown }).kind)}`);
  }

  /** Checks a raw control (e.g. from an audit log) against spec §9 and this config. */
  check(op: number, target: number, value: bigint): ControlChange {
    const what = CONTROL_OP_NAMES[op];
    if (!what) throw new ChangeError(`unknown control op ${op}`);
    if (value < 0n || value > opMax(op)) throw new ChangeError(`${what} value ${value} out of range`);
    if (op === ControlOp.GLOBAL_KILL) {
      if (target !== GLOBAL_TARGET) throw new ChangeError(`GLOBAL_KILL target must be 0x${GLOBAL_TARGET.toString(16).toUpperCase()}, got ${target}`);
      return { op, what, target, targetName: '*', value };
    }
    const isAccount = opInfo(op).target === 'account';
    const n = isAccount ? this.accounts.length : this.symbols.length;
    if (!Number.isInteger(target) || target < 0 || target >= n) throw new ChangeError(`${what} target ${target} out of range (< ${n})`);
    return { op, what, target, targetName: isAccount ? this.accounts[target].name : this.symbols[target].symbol, value };
  }

  get(op: number, target: number): bigint {
    const s = this.symbols[target];
    const a = this.accounts[target];
    switch (op) {
      case ControlOp.GLOBAL_KILL: return this.globalKill ? 1n : 0n;
      case ControlOp.SYMBOL_KILL: return s.kill ? 1n : 0n;
      case ControlOp.MAX_QTY: return s.maxQty;
      case ControlOp.MAX_NOTIONAL: return s.maxNotional;
      case ControlOp.POSITION_LIMIT: return s.positionLimit;
      case ControlOp.COLLAR_BPS: return s.collarBps;
      case ControlOp.CREDIT_LIMIT: return a.creditLimit;
      case ControlOp.MAX_ORDERS: return a.maxOrdersPerWindow;
      case ControlOp.DUP_WINDOW: return a.duplicateWindowNs;
      case ControlOp.MAX_OPEN_ORDERS: return a.maxOpenOrders;
      case ControlOp.MAX_ORDER_RATE: return a.maxOrderRate;
      case ControlOp.ACCOUNT_KILL: return a.kill ? 1n : 0n;
      case ControlOp.MAX_DAILY_LOSS: return a.maxDailyLoss;
      case ControlOp.CLEAR_COLLISION: return 0n;
      default: throw new ChangeError(`unknown control op ${op}`);
    }
  }

  /** Applies a change; returns the old value. */
  apply(c: ControlChange): bigint {
    const old = this.get(c.op, c.target);
    const s = this.symbols[c.target];
    const a = this.accounts[c.target];
    switch (c.op) {
      case ControlOp.GLOBAL_KILL: this.globalKill = c.value === 1n; break;
      case ControlOp.SYMBOL_KILL: s.kill = c.value === 1n; break;
      case ControlOp.MAX_QTY: s.maxQty = c.value; break;
      case ControlOp.MAX_NOTIONAL: s.maxNotional = c.value; break;
      case ControlOp.POSITION_LIMIT: s.positionLimit = c.value; break;
      case ControlOp.COLLAR_BPS: s.collarBps = c.value; break;
      case ControlOp.CREDIT_LIMIT: a.creditLimit = c.value; break;
      case ControlOp.MAX_ORDERS: a.maxOrdersPerWindow = c.value; break;
      case ControlOp.DUP_WINDOW: a.duplicateWindowNs = c.value; break;
      case ControlOp.MAX_OPEN_ORDERS: a.maxOpenOrders = c.value; break;
      case ControlOp.MAX_ORDER_RATE: a.maxOrderRate = c.value; break;
      case ControlOp.ACCOUNT_KILL: a.kill = c.value !== 0n; break;
      case ControlOp.MAX_DAILY_LOSS: a.maxDailyLoss = c.value; break;
      case ControlOp.CLEAR_COLLISION: this.collisionClears[c.target]++; break;
    }
    return old;
  }

  /** JSON view (money as dollars, big values as strings). */
  toJson(): Record<string, unknown> {
    return {
      globalKill: this.globalKill,
      symbols: this.symbols.map((s) => ({
        symbol: s.symbol, index: s.index, account: this.accounts[s.account]?.name, kill: s.kill,
        maxQty: Number(s.maxQty), maxNotional: formatDollars(s.maxNotional), positionLimit: Number(s.positionLimit), collarBps: Number(s.collarBps),
      })),
      accounts: this.accounts.map((a) => ({
        account: a.name, id: a.id, index: a.index, creditLimit: formatDollars(a.creditLimit), maxOrdersPerWindow: Number(a.maxOrdersPerWindow),
        duplicateWindowNs: a.duplicateWindowNs.toString(), maxOpenOrders: Number(a.maxOpenOrders), maxOrderRate: Number(a.maxOrderRate),
        kill: a.kill, maxDailyLoss: formatDollars(a.maxDailyLoss),
      })),
      changeable: Object.fromEntries(Object.entries(LIMITS).map(([name, l]) => [name, { scope: l.scope, money: l.money, unit: l.money ? 'dollars' : l.unit }])),
    };
  }
}
