/**
 * Config loading and validation. The JSON config (see docs/config.md) holds money values as
 * decimal strings, read with decimal.js and converted once to the engine's integer units;
 * `configBlob` encodes the start-of-day blob of spec §10 that both engines load.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { RiskgateError } from '../errors.ts';
import { CONFIG, PARAMS, VERSIONS } from '../contract.ts';

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/default.json', import.meta.url));

export const MAX_SYMBOLS = PARAMS.MAX_SYMBOLS.default;
export const MAX_ACCOUNTS = PARAMS.MAX_ACCOUNTS.default;
export const WINDOW_TICKS = PARAMS.WINDOW_TICKS.default;
const PRICE_SCALE = new Decimal(10000);
const U32_MAX = 0xffffffff;
const I31_MAX = 0x7fffffff;
const U64_MAX = (1n << 64n) - 1n;

export interface AccountConfig {
  index: number;
  id: number;
  name: string;
  /** Credit limit on filled gross notional, in notional units (price units × shares). */
  creditLimit: bigint;
  maxOrdersPerWindow: number;
  usedCredit: bigint;
  /** Duplicate-order window in ITCH nanoseconds (spec §8.2 DUPLICATE); 0 switches it off. */
  duplicateWindowNs: bigint;
}

export interface SymbolConfig {
  index: number;
  symbol: string;
  account: number;
  maxQty: number;
  maxNotional: bigint;
  positionLimit: number;
  collarBps: number;
  startPosition: number;
  kill: boolean;
}

export interface FeeSchedule {
  perShare: Decimal;
  minPerExecution: Decimal;
}

export interface Config {
  source: string;
  session: number;
  tick: number;
  windowTicks: number;
  gateMarketHours: boolean;
  throttleWindowShift: number;
  globalKill: boolean;
  strategy: {
    imbalanceNum: number;
    imbalanceDen: number;
    cooldownNs: bigint;
    maxSpread: number;
    clipQty: number;
  };
  accounts: AccountConfig[];
  symbols: SymbolConfig[];
  fees: FeeSchedule;
}

/** Collects every problem in a config so the user sees them all at once. */
class Checker {
  readonly problems: string[] = [];
  constructor(readonly source: string) {}

  fail(path: string, msg: string): void {
    this.problems.push(`${path}: ${msg}`);
  }

  obj(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.fail(path, `expected an object, got ${describe(v)}`);
      return {};
    }
    return v as Record<string, unknown>;
  }

  int(o: Record<string, unknown>, key: string, path: string, min: number, max: number, dflt?: number): number {
    const v = o[key];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.fail(`${path}.${key}`, `expected an integer in [${min}, ${max}], got ${describe(v)}`);
      return min;
    }
    if (v < min || v > max) {
      this.fail(`${path}.${key}`, `${v} is out of range [${min}, ${max}]`);
      return min;
    }
    return v;
  }

  bool(o: Record<string, unknown>, key: string, path: string, dflt: boolean): boolean {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') {
      this.fail(`${path}.${key}`, `expected true or false, got ${describe(v)}`);
      return dflt;
    }
    return v;
  }

  str(o: Record<string, unknown>, key: string, path: string): string {
    const v = o[key];
    if (typeof v !== 'string' || v.length === 0) {
      this.fail(`${path}.${key}`, `expected a non-empty string, got ${describe(v)}`);
      return '';
    }
    return v;
  }

  /** A money value: a decimal string (dollars), never a JSON number (binary floats lose cents). */
  money(o: Record<string, unknown>, key: string, path: string, dflt?: string): Decimal {
    const v = o[key] ?? dflt;
    if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v.trim())) {
      this.fail(`${path}.${key}`, `expected a non-negative decimal string such as "1000.00", got ${describe(v)}`);
      return new Decimal(0);
    }
    return new Decimal(v.trim());
  }

  /** A money value converted to price units (4 decimals), exact or refused. */
  priceUnits(o: Record<string, unknown>, key: string, path: string, max: bigint, dflt?: string): bigint {
    const d = this.money(o, key, path, dflt).mul(PRICE_SCALE);
    if (!d.isInteger()) {
      this.fail(`${path}.${key}`, `has more than 4 decimal places`);
      return 0n;
    }
    const n = BigInt(d.toFixed(0));
    if (n > max) {
      this.fail(`${path}.${key}`, `is too large (at most ${new Decimal(max.toString()).div(PRICE_SCALE).toFixed()} dollars)`);
      return 0n;
    }
    return n;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Validates a parsed JSON config. Throws CONFIG_INVALID listing every problem. */
export function parseConfig(json: unknown, source = '<config>'): Config {
  const c = new Checker(source);
  const root = c.obj(json, 'config');
  const tickUnits = Number(c.priceUnits(root, 'tickSize', 'config', 65535n, '0.01'));
  if (tickUnits < 1) c.fail('config.tickSize', 'must be at least 0.0001');
  const windowTicks = c.int(root, 'windowTicks', 'config', WINDOW_TICKS, WINDOW_TICKS, WINDOW_TICKS);
  const st = c.obj(root.strategy ?? {}, 'config.strategy');
  const strategy = {
    imbalanceNum: c.int(st, 'imbalanceNum', 'config.strategy', 1, U32_MAX, 3),
    imbalanceDen: c.int(st, 'imbalanceDen', 'config.strategy', 1, U32_MAX, 1),
    cooldownNs: BigInt(c.int(st, 'cooldownNs', 'config.strategy', 0, Number.MAX_SAFE_INTEGER, 1_000_000)),
    maxSpread: Number(c.priceUnits(st, 'maxSpread', 'config.strategy', BigInt(U32_MAX), '0.05')),
    clipQty: c.int(st, 'clipQty', 'config.strategy', 1, U32_MAX, 1000),
  };

  const accountsJson = root.accounts;
  const accounts: AccountConfig[] = [];
  if (!Array.isArray(accountsJson) || accountsJson.length === 0 || accountsJson.length > MAX_ACCOUNTS) {
    c.fail('config.accounts', `expected 1..${MAX_ACCOUNTS} accounts, got ${describe(accountsJson)}`);
  } else {
    accountsJson.forEach((a, i) => {
      const p = `config.accounts[${i}]`;
      const o = c.obj(a, p);
      accounts.push({
        index: i,
        id: c.int(o, 'id', p, 0, U32_MAX),
        name: typeof o.name === 'string' ? o.name : String(o.id ?? i),
        creditLimit: c.priceUnits(o, 'creditLimit', p, U64_MAX),
        maxOrdersPerWindow: c.int(o, 'maxOrdersPerWindow', p, 0, U32_MAX),
        usedCredit: c.priceUnits(o, 'usedCredit', p, U64_MAX, '0'),
        duplicateWindowNs: BigInt(c.int(o, 'duplicateWindowNs', p, 0, Number.MAX_SAFE_INTEGER, 0)),
      });
    });
    const seen = new Map<string, number>();
    for (const a of accounts) {
      for (const key of [a.name, String(a.id)]) {
        if (seen.has(key) && seen.get(key) !== a.index) c.fail(`config.accounts[${a.index}]`, `duplicate account name or id ${JSON.stringify(key)}`);
        seen.set(key, a.index);
      }
    }
  }

  const symbolsJson = root.symbols;
  const symbols: SymbolConfig[] = [];
  if (!Array.isArray(symbolsJson) || symbolsJson.length === 0 || symbolsJson.length > MAX_SYMBOLS) {
    c.fail('config.symbols', `expected 1..${MAX_SYMBOLS} symbols, got ${describe(symbolsJson)}`);
  } else {
    const names = new Set<string>();
    symbolsJson.forEach((s, i) => {
      const p = `config.symbols[${i}]`;
      const o = c.obj(s, p);
      const name = c.str(o, 'symbol', p);
      if (name && !/^[\x21-\x7e]{1,8}$/.test(name)) c.fail(`${p}.symbol`, `must be 1-8 printable ASCII characters without spaces, got ${describe(name)}`);
      if (names.has(name)) c.fail(`${p}.symbol`, `duplicate symbol ${name}`);
      names.add(name);
      let account = 0;
      const acc = o.account;
      const found = accounts.find((a) => a.name === acc || a.id === acc || String(a.id) === acc);
      if (found) account = found.index;
      else c.fail(`${p}.account`, `unknown account ${describe(acc)} (accounts: ${accounts.map((a) => a.name).join(', ')})`);
      const positionLimit = c.int(o, 'positionLimit', p, 0, I31_MAX);
      symbols.push({
        index: i,
        symbol: name,
        account,
        maxQty: c.int(o, 'maxQty', p, 0, U32_MAX),
        maxNotional: c.priceUnits(o, 'maxNotional', p, U64_MAX),
        positionLimit,
        collarBps: c.int(o, 'collarBps', p, 0, 65535),
        startPosition: c.int(o, 'startPosition', p, -I31_MAX, I31_MAX, 0),
        kill: c.bool(o, 'kill', p, false),
      });
    });
  }
  const feesJson = c.obj(root.fees ?? {}, 'config.fees');
  const fees = {
    perShare: c.money(feesJson, 'perShare', 'config.fees', '0'),
    minPerExecution: c.money(feesJson, 'minPerExecution', 'config.fees', '0'),
  };

  const cfg: Config = {
    source,
    session: c.int(root, 'session', 'config', 0, U32_MAX, 1),
    tick: tickUnits,
    windowTicks,
    gateMarketHours: c.bool(root, 'gateMarketHours', 'config', false),
    throttleWindowShift: c.int(root, 'throttleWindowShift', 'config', 0, 63, 30),
    globalKill: c.bool(root, 'globalKill', 'config', false),
    strategy,
    accounts,
    symbols,
    fees,
  };
  if (c.problems.length > 0) {
    throw new RiskgateError('CONFIG_INVALID', `invalid config ${source}:\n  ${c.problems.join('\n  ')}`);
  }
  return cfg;
}

/** Reads and validates a config file; the default config when `path` is undefined. */
export function loadConfig(path?: string): Config {
  const file = path ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RiskgateError('CONFIG_INVALID', `cannot read config ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RiskgateError('CONFIG_INVALID', `config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(json, file);
}

/** ceil(2^48 / tick): lets both engines divide by the tick with one multiply (spec §4). */
export function tickRecip(tick: number): bigint {
  const t = BigInt(tick);
  return ((1n << 48n) + t - 1n) / t;
}

/** Encodes the start-of-day config blob (spec §10), at the contract's offsets. */
export function configBlob(cfg: Config): Buffer {
  const H = CONFIG.header;
  const S = CONFIG.symbol;
  const A = CONFIG.account;
  const ns = cfg.symbols.length;
  const na = cfg.accounts.length;
  const b = Buffer.alloc(CONFIG.headerSize + CONFIG.symbolEntrySize * ns + CONFIG.accountEntrySize * na);
  b.write(VERSIONS.configMagic, H.magic, 'latin1');
  b.writeUInt16LE(VERSIONS.config, H.version);
  b.writeUInt8(ns, H.n_symbols);
  b.writeUInt8(na, H.n_accounts);
  b.writeUInt32LE(cfg.tick, H.tick);
  b.writeUInt32LE(cfg.windowTicks, H.window_ticks);
  b.writeBigUInt64LE(tickRecip(cfg.tick), H.tick_recip);
  b.writeUInt8(cfg.throttleWindowShift, H.w_shift);
  b.writeUInt8(cfg.gateMarketHours ? 1 : 0, H.gate_market_hours);
  b.writeUInt8(cfg.globalKill ? 1 : 0, H.global_kill);
  b.writeUInt32LE(cfg.session, H.session);
  b.writeUInt32LE(cfg.strategy.imbalanceNum, H.imb_num);
  b.writeUInt32LE(cfg.strategy.imbalanceDen, H.imb_den);
  b.writeBigUInt64LE(cfg.strategy.cooldownNs, H.cooldown_ns);
  b.writeUInt32LE(cfg.strategy.maxSpread, H.max_spread);
  b.writeUInt32LE(cfg.strategy.clipQty, H.clip_qty);
  cfg.symbols.forEach((s, i) => {
    const o = CONFIG.headerSize + CONFIG.symbolEntrySize * i;
    b.write(s.symbol.padEnd(8, ' '), o + S.name, 8, 'latin1');
    b.writeUInt8(s.account, o + S.account);
    b.writeUInt8(s.kill ? 1 : 0, o + S.kill);
    b.writeUInt16LE(s.collarBps, o + S.collar_bps);
    b.writeUInt32LE(s.maxQty, o + S.max_qty);
    b.writeBigUInt64LE(s.maxNotional, o + S.max_notional);
    b.writeBigUInt64LE(BigInt(s.positionLimit), o + S.position_limit);
    b.writeBigInt64LE(BigInt(s.startPosition), o + S.start_position);
  });
  cfg.accounts.forEach((a, j) => {
    const o = CONFIG.headerSize + CONFIG.symbolEntrySize * ns + CONFIG.accountEntrySize * j;
    b.writeUInt32LE(a.id, o + A.id);
    b.writeUInt32LE(a.maxOrdersPerWindow, o + A.max_orders);
    b.writeBigUInt64LE(a.creditLimit, o + A.credit_limit);
    b.writeBigUInt64LE(a.usedCredit, o + A.start_used_credit);
    b.writeBigUInt64LE(a.duplicateWindowNs, o + A.dup_window_ns);
  });
  return b;
}
