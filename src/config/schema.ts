/**
 * The config's JSON Schema (draft-07): the one description of every key, its type, range and
 * default, from which `parseConfig` validates (ajv) and `npm run config:schema` writes
 * config/schema.json for editors (`"$schema": "./schema.json"` in a config file).
 *
 * Ranges come from the engine's formats (src/contract.ts: the control ops' value ranges,
 * the build parameters) and the blob's field widths (spec §10). Money is a decimal string
 * of dollars; its exact range in engine units is the custom keyword `x-riskgate-units`
 * (checked by src/config/index.ts on the string, digit by digit: never rounded). Every risk
 * limit is required; a risk switch that may be left out defaults to its safe value.
 */
import { CONTROL_OPS, PARAMS } from '../contract.ts';
import { PRICE_DECIMALS, unitsToDecimal } from './decimal.ts';

export const MAX_SYMBOLS = PARAMS.MAX_SYMBOLS.default;
export const MAX_ACCOUNTS = PARAMS.MAX_ACCOUNTS.default;
export const WINDOW_TICKS = PARAMS.WINDOW_TICKS.default;

const U32_MAX = 0xffff_ffff;
/** Largest integer a JSON number carries exactly (2^53 − 1): the cap of the u64 nanosecond fields. */
export const JSON_INT_MAX = Number.MAX_SAFE_INTEGER;
/** Spec §10: TICK is 1..65535 price units. */
const TICK_MAX = 0xffff;
/** The blob's start_position range: |x| ≤ 2^31 − 1. */
const I31_MAX = 0x7fff_ffff;

/** The value range of a control op (spec §9), i.e. of the limit it changes at runtime. */
function opMax(name: string): bigint {
  const o = CONTROL_OPS.find((x) => x.name === name);
  if (!o) throw new Error(`internal: no control op ${name}`);
  return o.max;
}

/** Sane ceilings for the clearing fee schedule (not an engine format; a typo guard). */
export const FEE_PER_SHARE_MAX = '1.0000';
export const FEE_MIN_PER_EXECUTION_MAX = '1000.00';

/** The custom keyword on money strings: exact range in 10^-scale units (decimal strings). */
export const UNITS_KEYWORD = 'x-riskgate-units';
export interface UnitsSpec {
  scale: number;
  min: string;
  max: string;
}

type Schema = Record<string, unknown>;

/** Plain digits with at most 4 decimals (what editors can check; the range is the keyword's). */
const MONEY_PATTERN = '^[0-9]+(\\.[0-9]{1,4})?$';

function money(description: string, min: bigint, max: bigint, dflt?: string): Schema {
  const range = `${unitsToDecimal(min, PRICE_DECIMALS, 0)} to ${unitsToDecimal(max, PRICE_DECIMALS, 0)} dollars`;
  const s: Schema = {
    description: `${description} Decimal string of dollars, at most 4 decimals, ${range}.`,
    type: 'string',
    pattern: MONEY_PATTERN,
    [UNITS_KEYWORD]: { scale: PRICE_DECIMALS, min: min.toString(), max: max.toString() } satisfies UnitsSpec,
  };
  if (dflt !== undefined) s.default = dflt;
  return s;
}

function dollars(text: string): bigint {
  const [i, f = ''] = text.split('.');
  return BigInt(i + f.padEnd(PRICE_DECIMALS, '0'));
}

function int(description: string, min: number, max: number | bigint, dflt?: number): Schema {
  const m = Number(max);
  if (!Number.isSafeInteger(m)) throw new Error(`internal: ${description}: maximum ${max} is not a safe JSON integer`);
  const s: Schema = { description, type: 'integer', minimum: min, maximum: m };
  if (dflt !== undefined) s.default = dflt;
  return s;
}

function bool(description: string, dflt?: boolean): Schema {
  const s: Schema = { description, type: 'boolean' };
  if (dflt !== undefined) s.default = dflt;
  return s;
}

const COMMENT: Schema = { description: 'A comment (ignored).', type: 'string' };

function object(description: string, properties: Record<string, Schema>, required: string[], dflt?: object): Schema {
  const s: Schema = { description, type: 'object', properties: { $comment: COMMENT, ...properties }, required, additionalProperties: false };
  if (dflt !== undefined) s.default = dflt;
  return s;
}

/** ITCH stock symbols: 1–8 printable ASCII characters, no space, no lowercase letter. */
export const SYMBOL_PATTERN = '^[\\x21-\\x60\\x7b-\\x7e]{1,8}$';
/** Account names: letters, digits, `_`, `.`, `-`; 1–32 characters, starting with a letter or digit. */
export const ACCOUNT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.\\-]{0,31}$';

const ACCOUNT_REF: Schema = {
  description: 'The account trading this symbol: its name, or its id.',
  type: ['string', 'integer'],
};

const SYMBOL_LIMITS: Record<string, Schema> = {
  account: ACCOUNT_REF,
  maxQty: int('Largest order quantity in shares (MAX_QTY).', 0, opMax('MAX_QTY')),
  maxNotional: money('Largest order notional, price × quantity (MAX_NOTIONAL).', 0n, opMax('MAX_NOTIONAL')),
  positionLimit: int('Absolute position limit in shares (POSITION).', 0, opMax('POSITION_LIMIT')),
  collarBps: int('Price collar around the last trade, in basis points (COLLAR).', 0, opMax('COLLAR_BPS')),
};
const SYMBOL_LIMIT_KEYS = Object.keys(SYMBOL_LIMITS);

export const CONFIG_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'riskgate config',
  description: 'Start-of-day config of the riskgate pre-trade risk engine (docs/config.md). Unknown keys are refused.',
  type: 'object',
  properties: {
    $schema: { description: 'The JSON Schema this file follows (for editors).', type: 'string' },
    $comment: COMMENT,
    session: int('Session id carried in execution ids (session, seq, leg): use a new one for every run cleared together.', 0, U32_MAX, 1),
    tickSize: money('Price tick (TICK).', 1n, BigInt(TICK_MAX), '0.01'),
    windowTicks: { description: `Price levels per side in the bounded book: the engine's build parameter WINDOW_TICKS (${WINDOW_TICKS}).`, type: 'integer', enum: [WINDOW_TICKS], default: WINDOW_TICKS },
    gateMarketHours: bool('Reject orders while the market is closed (MARKET_CLOSED; ITCH S events Q … M).', true),
    throttleWindowShift: int('Throttle windows are ITCH time >> shift nanoseconds (30 ≈ 1.07 s).', 0, 63, 30),
    globalKill: bool('Start the day with the global kill switch engaged.', false),
    strategy: object(
      'The strategy that generates the orders the risk checks judge.',
      {
        imbalanceNum: int('Buy when bid_sz × den ≥ ask_sz × num (sell on the mirror condition).', 1, U32_MAX, 3),
        imbalanceDen: int('See imbalanceNum.', 1, U32_MAX, 1),
        cooldownNs: int('Minimum ITCH time between two decisions for one symbol, nanoseconds.', 0, JSON_INT_MAX, 1_000_000),
        maxSpread: money('Trade only when the spread is at most this.', 0n, BigInt(U32_MAX), '0.05'),
        clipQty: int('Largest order the strategy sends, shares.', 1, U32_MAX, 1000),
      },
      [],
      {},
    ),
    accounts: {
      description: `Trading accounts (1 to ${MAX_ACCOUNTS}).`,
      type: 'array',
      minItems: 1,
      maxItems: MAX_ACCOUNTS,
      items: object(
        'An account and its limits.',
        {
          id: int('External account id.', 0, U32_MAX),
          name: { description: 'Account name (letters, digits, _ . -; up to 32 characters).', type: 'string', pattern: ACCOUNT_NAME_PATTERN },
          creditLimit: money('Credit limit on filled gross notional (CREDIT).', 0n, opMax('CREDIT_LIMIT')),
          maxOrdersPerWindow: int('Accepted orders per throttle window (THROTTLE).', 0, opMax('MAX_ORDERS')),
          usedCredit: money('Credit already used at the start (restarting mid-day: the used credit so far).', 0n, opMax('CREDIT_LIMIT'), '0'),
          duplicateWindowNs: int('Duplicate-order window, ITCH nanoseconds (DUPLICATE); 0 switches the check off.', 0, JSON_INT_MAX, 1_000_000_000),
          maxDailyLoss: money('Daily loss limit on the account\'s client executions, realised plus marked (spec §18.8): below -limit the engine engages the account kill; 0 switches it off. The gateway writes it as op MAX_DAILY_LOSS at S = 1.', 0n, opMax('MAX_DAILY_LOSS'), '0'),
        },
        ['id', 'name', 'creditLimit', 'maxOrdersPerWindow'],
      ),
    },
    symbols: {
      description: `Subscribed symbols (1 to ${MAX_SYMBOLS}), in index order.`,
      type: 'array',
      minItems: 1,
      maxItems: MAX_SYMBOLS,
      items: object(
        'A symbol and its limits.',
        {
          symbol: { description: 'ITCH stock symbol as in the stock directory: 1–8 characters, uppercase, no spaces (e.g. "AAPL", "BRK.B").', type: 'string', pattern: SYMBOL_PATTERN },
          ...SYMBOL_LIMITS,
          startPosition: int('Position at the start, shares (negative: short).', -I31_MAX, I31_MAX, 0),
          kill: bool("Start with this symbol's kill switch engaged.", false),
        },
        ['symbol', ...SYMBOL_LIMIT_KEYS],
      ),
    },
    symbolDefaults: object('Limits of the symbols named with `--symbols` that `symbols` does not list.', SYMBOL_LIMITS, SYMBOL_LIMIT_KEYS),
    server: object(
      'Settings of the control server (`replay --serve`).',
      {
        token: { description: 'Bearer token of the control API: at least 16 characters, no spaces. RISKGATE_TOKEN and --token-file take precedence; without any, a token is generated and printed at start.', type: 'string', pattern: '^\\S{16,}$' },
      },
      [],
    ),
    orderEntry: object(
      'The order-entry gateway: OUCH 5.0 over SoupBinTCP 4.0 (docs/spec.md §16), one session per client.',
      {
        host: { description: 'Address the gateway listens on (loopback unless you mean otherwise).', type: 'string', minLength: 1, default: '127.0.0.1' },
        port: int('TCP port the gateway listens on (0: any free port).', 0, 65535, 15000),
        sessionName: { description: 'SoupBinTCP session name sent in Login Accepted: 1–10 letters or digits.', type: 'string', pattern: '^[A-Za-z0-9]{1,10}$', default: 'RISKGATE' },
        heartbeatMs: int('Heartbeat interval both ways, ms (SoupBinTCP standard: 1000).', 10, 60_000, 1000),
        timeoutMs: int('Close a connection silent for this long, ms (SoupBinTCP standard: 15000); above heartbeatMs.', 50, 600_000, 15000),
        loginTimeoutMs: int('Close a connection that has not logged in within this long, ms.', 50, 600_000, 15000),
        maxOpenOrders: int('Open client orders per account at most (spec §18 OPEN_ORDERS; set in band with op MAX_OPEN_ORDERS at the start).', 0, 4096, 100),
        maxOrderRate: int('Client order actions (enter, replace; accepted or not) per account per throttle window (spec §18 ORDER_RATE; op MAX_ORDER_RATE).', 0, 4_294_967_295, 1000),
        sessions: {
          description: 'Client sessions (1 to 256): credentials and the account their orders trade for.',
          type: 'array',
          minItems: 1,
          maxItems: 256,
          items: object(
            'A client session.',
            {
              username: { description: 'SoupBinTCP username: 1–6 letters or digits, case-sensitive, unique.', type: 'string', pattern: '^[A-Za-z0-9]{1,6}$' },
              password: { description: 'SoupBinTCP password: 1–10 printable characters without spaces, case-sensitive.', type: 'string', pattern: '^[\\x21-\\x7e]{1,10}$' },
              account: ACCOUNT_REF,
            },
            ['username', 'password', 'account'],
          ),
        },
      },
      ['sessions'],
    ),
    fees: object(
      'Fee schedule of the clearing.',
      {
        perShare: money('Fee per share executed.', 0n, dollars(FEE_PER_SHARE_MAX), '0'),
        minPerExecution: money('Minimum fee per execution.', 0n, dollars(FEE_MIN_PER_EXECUTION_MAX), '0'),
      },
      [],
      {},
    ),
  },
  required: ['accounts', 'symbols'],
  additionalProperties: false,
};

/** The schema as written to config/schema.json. */
export function schemaJson(): string {
  return `${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`;
}
