/**
 * Config loading and validation. The JSON config (see docs/config.md) is checked against one
 * strict JSON Schema (src/config/schema.ts, published as config/schema.json) with ajv: an
 * unknown key is an error naming the nearest valid key, every risk limit is required, and a
 * risk switch left out takes its safe default. Numbers are checked on their source text
 * (lossless-json: `1e3`, `10.0` or a value past 2^53 − 1 is refused, never rounded); money is
 * a decimal string of dollars converted to the engine's integer units digit by digit
 * (src/config/decimal.ts). Every problem is listed at once (CONFIG_INVALID, exit 5).
 * `configBlob` encodes the start-of-day blob of spec §10 that both engines load.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { Decimal } from 'decimal.js';
import { parse as parseLossless } from 'lossless-json';
import { RiskgateError } from '../errors.ts';
import { CONFIG, VERSIONS } from '../contract.ts';
import { decimalToUnits, PRICE_DECIMALS, unitsToDecimal } from './decimal.ts';
import { didYouMean } from './nearest.ts';
import { CONFIG_SCHEMA, MAX_ACCOUNTS, MAX_SYMBOLS, SYMBOL_PATTERN, UNITS_KEYWORD, WINDOW_TICKS, type UnitsSpec } from './schema.ts';

export { MAX_ACCOUNTS, MAX_SYMBOLS, WINDOW_TICKS };

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/default.json', import.meta.url));

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
  /** Daily loss limit on the account's client executions, notional units (spec §18.8, op MAX_DAILY_LOSS); 0 = off. */
  maxDailyLoss: bigint;
}

/** A symbol's limits (`symbols[]` entries, `symbolDefaults`). */
export interface SymbolLimitsConfig {
  account: number;
  maxQty: number;
  maxNotional: bigint;
  positionLimit: number;
  collarBps: number;
}

export interface SymbolConfig extends SymbolLimitsConfig {
  index: number;
  symbol: string;
  startPosition: number;
  kill: boolean;
}

export interface FeeSchedule {
  perShare: Decimal;
  minPerExecution: Decimal;
}

/** A client session of the order-entry gateway (spec §16). */
export interface OrderEntrySessionConfig {
  username: string;
  password: string;
  /** Account index. */
  account: number;
}

/** The order-entry gateway (`orderEntry`, optional). */
export interface OrderEntryConfig {
  host: string;
  port: number;
  sessionName: string;
  heartbeatMs: number;
  timeoutMs: number;
  loginTimeoutMs: number;
  /** Every account's limits for client orders (spec §18), set in band at the start. */
  maxOpenOrders: number;
  maxOrderRate: number;
  sessions: OrderEntrySessionConfig[];
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
  /** Limits for symbols named with `--symbols` that `symbols` does not list (optional). */
  symbolDefaults?: SymbolLimitsConfig;
  fees: FeeSchedule;
  /** The order-entry gateway; absent when the config has no `orderEntry`. */
  orderEntry?: OrderEntryConfig;
}

// ---------------------------------------------------------------------------------------
// Schema validation

/** A number whose source text is not a plain integer a JSON number holds exactly. */
class InexactNumber {
  constructor(readonly text: string) {}
}

/** JSON with numbers kept as written: plain safe integers become numbers, anything else an InexactNumber. */
function parseJsonExact(text: string): unknown {
  return parseLossless(text, null, (v: string) => {
    if (/^-?(0|[1-9]\d*)$/.test(v)) {
      const n = Number(v);
      if (Number.isSafeInteger(n)) return n;
    }
    return new InexactNumber(v);
  });
}

function unitsKeyword(spec: UnitsSpec, data: unknown): { ok: true } | { ok: false; message: string } {
  if (typeof data !== 'string') return { ok: true }; // the type error says it
  const p = decimalToUnits(data, spec.scale);
  if (!p.ok) return { ok: false, message: `${JSON.stringify(data)} ${p.reason}` };
  const min = BigInt(spec.min);
  const max = BigInt(spec.max);
  if (p.units < min || p.units > max) {
    const lo = unitsToDecimal(min, spec.scale, 0);
    const hi = unitsToDecimal(max, spec.scale, 0);
    const v = JSON.stringify(data);
    return { ok: false, message: min === 0n ? `${v} is too large: at most ${hi} dollars` : `${v} is out of range: ${lo} to ${hi} dollars` };
  }
  return { ok: true };
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true });
ajv.addKeyword({
  keyword: UNITS_KEYWORD,
  type: 'string',
  schemaType: 'object',
  errors: true,
  validate: function check(spec: UnitsSpec, data: unknown) {
    const r = unitsKeyword(spec, data);
    (check as unknown as { errors: Partial<ErrorObject>[] }).errors = r.ok ? [] : [{ keyword: UNITS_KEYWORD, message: r.message, params: {} }];
    return r.ok;
  },
});
const validate = ajv.compile(CONFIG_SCHEMA);

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v instanceof InexactNumber) return v.text;
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** JSON pointer `/accounts/0/name` → `config.accounts[0].name`. */
function pathOf(pointer: string): string {
  let p = 'config';
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    p += /^\d+$/.test(k) ? `[${k}]` : `.${k}`;
  }
  return p;
}

function rangeText(s: Record<string, unknown>): string {
  if (Array.isArray(s.enum)) return `equal to ${s.enum.join(' or ')}`;
  return `in [${s.minimum}, ${s.maximum}]`;
}

/** One readable line per schema problem; several ajv errors about one value become one line. */
function schemaProblems(errors: ErrorObject[], inexact: Map<string, string>): string[] {
  const out: string[] = [];
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const units = new Set(errors.filter((e) => e.keyword === UNITS_KEYWORD).map((e) => e.instancePath));
  for (const e of errors) {
    const path = pathOf(e.instancePath);
    const ps = (e.parentSchema ?? {}) as Record<string, unknown>;
    if (e.keyword !== 'type' && typed.has(e.instancePath)) continue;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const valid = Object.keys((ps.properties ?? {}) as object).filter((k) => !k.startsWith('$'));
        const near = didYouMean(key, valid);
        out.push(`${path}: unknown key ${JSON.stringify(key)}${near || ` (valid keys here: ${valid.join(', ')})`}`);
        break;
      }
      case 'required':
        out.push(`${path}: required key ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)} is missing`);
        break;
      case 'type': {
        const schema = e.schema as string | string[];
        const s = (ps ?? {}) as Record<string, unknown>;
        if (s[UNITS_KEYWORD]) out.push(`${path}: expected a non-negative decimal string of dollars such as "1000.00" (quoted: a JSON number is a binary float and can lose cents), got ${describe(e.data)}`);
        else if (inexact.has(e.instancePath) && schema !== 'string') out.push(`${path}: ${describe(e.data)} is not a whole number written in plain digits (a fraction, an exponent or a value beyond 2^53 - 1 is not exact in JSON); expected an integer${schema === 'integer' ? ` ${rangeText(s)}` : ''}`);
        else if (schema === 'integer') out.push(`${path}: expected an integer ${rangeText(s)}, got ${describe(e.data)}`);
        else if (schema === 'boolean') out.push(`${path}: expected true or false, got ${describe(e.data)}`);
        else if (schema === 'object') out.push(`${path}: expected an object, got ${describe(e.data)}`);
        else if (schema === 'array') out.push(`${path}: expected a list, got ${describe(e.data)}`);
        else out.push(`${path}: expected ${Array.isArray(schema) ? schema.join(' or ') : schema}, got ${describe(e.data)}`);
        break;
      }
      case 'minimum':
      case 'maximum':
        out.push(`${path}: ${describe(e.data)} is out of range [${ps.minimum}, ${ps.maximum}]`);
        break;
      case 'enum':
        out.push(`${path}: must be ${(ps.enum as unknown[]).join(' or ')} (the engine's build parameter), got ${describe(e.data)}`);
        break;
      case 'minItems':
      case 'maxItems':
        out.push(`${path}: expected ${ps.minItems}..${ps.maxItems} entries, got ${Array.isArray(e.data) ? e.data.length : describe(e.data)}`);
        break;
      case 'pattern':
        if (units.has(e.instancePath) || ps[UNITS_KEYWORD]) break; // the units keyword says it better
        if (ps.pattern === SYMBOL_PATTERN) out.push(`${path}: ${describe(e.data)} is not an ITCH stock symbol: 1-8 characters, uppercase letters, digits or punctuation, no spaces${typeof e.data === 'string' && e.data !== e.data.toUpperCase() && new RegExp(SYMBOL_PATTERN, 'u').test(e.data.toUpperCase()) ? ` (symbols are case-sensitive as in ITCH; did you mean ${JSON.stringify(e.data.toUpperCase())}?)` : ''}`);
        else out.push(`${path}: ${describe(e.data)} is not valid: ${String(ps.description ?? `must match ${ps.pattern}`)}`);
        break;
      case UNITS_KEYWORD:
        out.push(`${path}: ${e.message}`);
        break;
      default:
        out.push(`${path}: ${e.message ?? e.keyword}`);
    }
  }
  return out;
}

/** Inexact numbers anywhere in the document: their paths (JSON pointers) and texts. */
function findInexact(v: unknown, pointer: string, out: Map<string, string>): void {
  if (v instanceof InexactNumber) out.set(pointer, v.text);
  else if (Array.isArray(v)) v.forEach((x, i) => findInexact(x, `${pointer}/${i}`, out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) findInexact(x, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
}

// ---------------------------------------------------------------------------------------
// Building the config

type Json = Record<string, unknown>;

function units(v: unknown): bigint {
  const p = decimalToUnits(String(v), PRICE_DECIMALS);
  return p.ok ? p.units : 0n;
}

function num(v: unknown, dflt = 0): number {
  return typeof v === 'number' ? v : dflt;
}

/**
 * Validates a parsed JSON config. Throws CONFIG_INVALID listing every problem. Numbers the
 * caller parsed with JSON.parse are taken as they are (the file path of `loadConfig` checks
 * their source text too).
 */
export function parseConfig(json: unknown, source = '<config>'): Config {
  // Defaults are filled in by the validator: work on a copy, never on the caller's object.
  const doc = cloneJson(json);
  const inexact = new Map<string, string>();
  findInexact(doc, '', inexact);
  const problems: string[] = [];
  if (!validate(doc)) problems.push(...schemaProblems(validate.errors ?? [], inexact));

  const root: Json = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Json) : {};
  const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
  const st: Json = isObj(root.strategy) ? root.strategy : {};
  const fees: Json = isObj(root.fees) ? root.fees : {};

  const accountsJson = Array.isArray(root.accounts) ? root.accounts : [];
  const accounts: AccountConfig[] = accountsJson.map((a: unknown, i) => {
    const o: Json = isObj(a) ? a : {};
    return {
      index: i,
      id: num(o.id),
      name: typeof o.name === 'string' ? o.name : String(o.id ?? i),
      creditLimit: units(o.creditLimit),
      maxOrdersPerWindow: num(o.maxOrdersPerWindow),
      usedCredit: units(o.usedCredit ?? '0'),
      duplicateWindowNs: BigInt(num(o.duplicateWindowNs)),
      maxDailyLoss: units(o.maxDailyLoss ?? '0'),
    };
  });
  // Names and ids share one namespace (a symbol's `account` may be either).
  const seen = new Map<string, number>();
  for (const a of accounts) {
    for (const key of new Set([a.name, String(a.id)])) {
      const other = seen.get(key);
      if (other !== undefined && other !== a.index) problems.push(`config.accounts[${a.index}]: account name or id ${JSON.stringify(key)} is also config.accounts[${other}]'s`);
      else seen.set(key, a.index);
    }
  }
  const accountRef = (acc: unknown, path: string): number => {
    // a value of the wrong type is reported by the schema; without accounts there is nothing to find
    if (accounts.length === 0 || (typeof acc !== 'string' && typeof acc !== 'number')) return 0;
    const found = accounts.find((a) => a.name === acc || a.id === acc || String(a.id) === acc);
    if (found) return found.index;
    const names = accounts.map((a) => a.name);
    problems.push(`${path}: unknown account ${describe(acc)}${didYouMean(String(acc), names) || ` (accounts: ${names.join(', ')})`}`);
    return 0;
  };
  const limitsOf = (o: Json, path: string): SymbolLimitsConfig => ({
    account: accountRef(o.account, `${path}.account`),
    maxQty: num(o.maxQty),
    maxNotional: units(o.maxNotional),
    positionLimit: num(o.positionLimit),
    collarBps: num(o.collarBps),
  });

  const symbolsJson = Array.isArray(root.symbols) ? root.symbols : [];
  const byUpper = new Map<string, number>();
  const symbols: SymbolConfig[] = symbolsJson.map((s: unknown, i) => {
    const p = `config.symbols[${i}]`;
    const o: Json = isObj(s) ? s : {};
    const name = typeof o.symbol === 'string' ? o.symbol : '';
    if (name) {
      const up = name.toUpperCase();
      const other = byUpper.get(up);
      if (other !== undefined) {
        const first = String((symbolsJson[other] as Json).symbol);
        problems.push(`${p}.symbol: ${JSON.stringify(name)} ${first === name ? 'is listed twice' : `and ${JSON.stringify(first)} name one ITCH symbol (symbols are case-sensitive uppercase as in ITCH)`} (config.symbols[${other}])`);
      } else byUpper.set(up, i);
    }
    return { index: i, symbol: name, ...limitsOf(o, p), startPosition: num(o.startPosition), kill: o.kill === true };
  });
  const symbolDefaults = isObj(root.symbolDefaults) ? limitsOf(root.symbolDefaults, 'config.symbolDefaults') : undefined;

  let orderEntry: OrderEntryConfig | undefined;
  if (isObj(root.orderEntry)) {
    const oe = root.orderEntry;
    const users = new Map<string, number>();
    const sessions = (Array.isArray(oe.sessions) ? oe.sessions : []).map((x: unknown, i): OrderEntrySessionConfig => {
      const p = `config.orderEntry.sessions[${i}]`;
      const o: Json = isObj(x) ? x : {};
      const username = typeof o.username === 'string' ? o.username : '';
      const other = users.get(username);
      if (username && other !== undefined) problems.push(`${p}.username: ${JSON.stringify(username)} is also config.orderEntry.sessions[${other}]'s (one session per username)`);
      else users.set(username, i);
      return { username, password: typeof o.password === 'string' ? o.password : '', account: accountRef(o.account, `${p}.account`) };
    });
    const heartbeatMs = num(oe.heartbeatMs);
    const timeoutMs = num(oe.timeoutMs);
    if (timeoutMs <= heartbeatMs) problems.push(`config.orderEntry.timeoutMs: ${timeoutMs} must be above heartbeatMs (${heartbeatMs}), or a quiet but healthy peer would be cut off`);
    orderEntry = {
      host: typeof oe.host === 'string' ? oe.host : '127.0.0.1',
      port: num(oe.port),
      sessionName: typeof oe.sessionName === 'string' ? oe.sessionName : '',
      heartbeatMs,
      timeoutMs,
      loginTimeoutMs: num(oe.loginTimeoutMs),
      maxOpenOrders: num(oe.maxOpenOrders),
      maxOrderRate: num(oe.maxOrderRate),
      sessions,
    };
  }

  if (problems.length > 0) {
    throw new RiskgateError('CONFIG_INVALID', `invalid config ${source} (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`);
  }
  return {
    source,
    session: num(root.session),
    tick: Number(units(root.tickSize)),
    windowTicks: num(root.windowTicks),
    gateMarketHours: root.gateMarketHours === true,
    throttleWindowShift: num(root.throttleWindowShift),
    globalKill: root.globalKill === true,
    strategy: {
      imbalanceNum: num(st.imbalanceNum),
      imbalanceDen: num(st.imbalanceDen),
      cooldownNs: BigInt(num(st.cooldownNs)),
      maxSpread: Number(units(st.maxSpread)),
      clipQty: num(st.clipQty),
    },
    accounts,
    symbols,
    symbolDefaults,
    fees: {
      perShare: new Decimal(String(fees.perShare)),
      minPerExecution: new Decimal(String(fees.minPerExecution)),
    },
    ...(orderEntry ? { orderEntry } : {}),
  };
}

/** A deep copy of parsed JSON (InexactNumber markers kept). */
function cloneJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneJson);
  if (v !== null && typeof v === 'object' && !(v instanceof InexactNumber)) {
    const o: Json = {};
    for (const [k, x] of Object.entries(v)) o[k] = cloneJson(x);
    return o;
  }
  return v;
}

/** Position of a character offset as `line L, column C` (1-based). */
function lineColumn(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line}, column ${pos - before.lastIndexOf('\n')}`;
}

/** Parses config text (numbers checked on their source text) and validates it. */
export function parseConfigText(text: string, source = '<config>'): Config {
  let json: unknown;
  try {
    json = parseJsonExact(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /at position (\d+)/.exec(msg);
    throw new RiskgateError('CONFIG_INVALID', `config ${source} is not valid JSON: ${msg}${m ? ` (${lineColumn(text, Number(m[1]))})` : ''}`);
  }
  return parseConfig(json, source);
}

/** Reads and validates a config file; the default config when `path` is undefined. */
export function loadConfig(path?: string): Config {
  const file = path ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RiskgateError('CONFIG_INVALID', `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfigText(text, file);
}

/**
 * The config trading `names` in this order (`--symbols`): a symbol the config lists keeps
 * its entry (limits, start position, kill), any other gets `symbolDefaults`. Throws
 * CONFIG_INVALID when a symbol needs defaults the config does not have.
 */
export function configForSymbols(cfg: Config, names: string[]): Config {
  const missing = names.filter((n) => !cfg.symbols.some((s) => s.symbol === n));
  if (missing.length > 0 && !cfg.symbolDefaults) {
    throw new RiskgateError('CONFIG_INVALID', `config ${cfg.source} has no symbolDefaults for the symbols it does not list (${missing.join(', ')}): add "symbolDefaults" (docs/config.md) or list them in "symbols"`);
  }
  const symbols = names.map((symbol, index): SymbolConfig => {
    const listed = cfg.symbols.find((s) => s.symbol === symbol);
    return listed ? { ...listed, index } : { index, symbol, ...cfg.symbolDefaults!, startPosition: 0, kill: false };
  });
  return { ...cfg, symbols, source: `${cfg.source} (symbols ${names.join(',')})` };
}


/** ceil(2^48 / tick): lets both engines divide by the tick with one multiply (spec §4). */
export function tickRecip(tick: number): bigint {
  const t = BigInt(tick);
  return ((1n << 48n) + t - 1n) / t;
}

/**
 * The config fingerprint of spec §10: the first 8 bytes (big-endian) of the SHA-256 of the
 * blob with its `fingerprint` field zeroed. Every control message carries the fingerprint
 * of the config it was made for (§9); the engines refuse one made for another config.
 */
export function configFingerprint(blob: Buffer): bigint {
  const off = CONFIG.header.fingerprint;
  const b = Buffer.from(blob);
  b.fill(0, off, off + 8);
  return createHash('sha256').update(b).digest().readBigUInt64BE(0);
}

/** The fingerprint a blob carries (spec §10 header `fingerprint`), as the engines read it. */
export function blobFingerprint(blob: Buffer): bigint {
  return blob.readBigUInt64LE(CONFIG.header.fingerprint);
}

/** Encodes the start-of-day config blob (spec §10), at the contract's offsets, with its fingerprint. */
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
  b.writeBigUInt64LE(configFingerprint(b), H.fingerprint);
  return b;
}
