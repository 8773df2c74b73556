/**
 * The symbols of a generated session: which names carry order flow (stock locates 1..K),
 * which of them the config subscribes, their price levels and activity weights, plus the
 * directory-only "filler" names that follow them (locates K+1..).
 */
import type { Config } from '../config/index.ts';
import type { Prng } from './prng.ts';

/** Realistic price levels in dollars for names a config is likely to hold. */
const KNOWN_PRICES: Readonly<Record<string, number>> = {
  AAPL: 190, MSFT: 420, AMZN: 180, NVDA: 120, TSLA: 250, INTC: 30, AMD: 160, META: 500,
  GOOGL: 170, GOOG: 172, NFLX: 640, AVGO: 160, COST: 850, PEP: 170, ADBE: 520, CSCO: 48,
  QCOM: 170, TXN: 190, INTU: 630, AMAT: 200, MU: 110, PYPL: 65, SBUX: 95, MRNA: 110,
};

/** Relative activity of well-known names (1 = a typical large cap). */
const KNOWN_ACTIVITY: Readonly<Record<string, number>> = {
  AAPL: 1.1, MSFT: 0.9, AMZN: 0.9, NVDA: 1.3, TSLA: 1.2, INTC: 0.7, AMD: 0.9, META: 0.8,
};

/** Directory-only names (real NASDAQ test symbols and ETFs first). */
const FILLER_NAMES = [
  'ZVZZT', 'ZXZZT', 'ZWZZT', 'ZJZZT', 'QQQ', 'SPY', 'IWM', 'TLT', 'SOXL', 'TQQQ', 'SQQQ', 'XLF',
  'ARKK', 'HYG', 'EEM', 'GLD', 'SLV', 'USO', 'UVXY', 'VXX', 'SMH', 'KRE', 'XBI', 'IBB',
];

/** Background-flow names (QQQ, SPY) and their prices. */
const BACKGROUND = 2;
const BACKGROUND_NAMES = ['QQQ', 'SPY'];
const BACKGROUND_SHARE = 0.025;
const KNOWN_BACKGROUND_PRICES = [480, 560];

const PRICE_LEVELS = [4, 7, 11, 16, 22, 29, 37, 46, 58, 72, 88, 105, 130, 160, 195, 240, 300, 370, 450];

export interface GenSymbol {
  /** 0-based position in the generator's symbol list; stock locate = idx + 1. */
  idx: number;
  locate: number;
  name: string;
  /** Index in the config's symbol list, or -1 when the config does not subscribe it. */
  configIndex: number;
  /** Account index of the subscribing config entry, or -1. */
  account: number;
  /** Opening reference price in ticks. */
  startTick: number;
  /** Relative share of order flow. */
  weight: number;
  /** Target number of live (regular) orders. */
  targetLive: number;
  /** Daily volatility of the fair price as a fraction of the price (e.g. 0.012). */
  dailyVol: number;
  /** Directory-only name with a trickle of background flow (locate beyond K). */
  background: boolean;
}

export interface Universe {
  symbols: GenSymbol[];
  /** Directory-only entries without order flow (locates after the flow symbols). */
  fillers: { name: string; locate: number }[];
  /** Price grid in price units (the config's tick). */
  tick: number;
}

/** Stable 32-bit FNV-1a hash of a name (for deterministic defaults of unknown names). */
export function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function inventName(rng: Prng, taken: Set<string>): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (;;) {
    const len = rng.chance(0.7) ? 4 : rng.chance(0.5) ? 3 : 5;
    let s = '';
    for (let i = 0; i < len; i++) s += A[rng.int(26)];
    if (!taken.has(s)) {
      taken.add(s);
      return s;
    }
  }
}

/**
 * Builds the symbol list: for K ≤ the config's symbol count the config's first K names in
 * order; beyond that, invented names the config does not subscribe, which together carry
 * `unsubscribedShare` of the order flow.
 */
export function buildUniverse(rng: Prng, k: number, cfg: Config, unsubscribedShare = 0.2): Universe {
  const tick = cfg.tick;
  const taken = new Set<string>([...cfg.symbols.map((s) => s.symbol), ...FILLER_NAMES]);
  const symbols: GenSymbol[] = [];
  const nCfg = Math.min(k, cfg.symbols.length);
  for (let i = 0; i < k; i++) {
    const c = i < nCfg ? cfg.symbols[i] : undefined;
    const name = c ? c.symbol : inventName(rng, taken);
    let dollars = KNOWN_PRICES[name];
    if (dollars === undefined) {
      const base = PRICE_LEVELS[(c ? nameHash(name) : rng.u32()) % PRICE_LEVELS.length];
      dollars = base * (0.85 + 0.3 * rng.float());
    }
    const startTick = Math.max(50, Math.round((dollars * 10000) / tick));
    const activity = KNOWN_ACTIVITY[name] ?? 0.6 + 0.6 * rng.float();
    symbols.push({
      idx: i,
      locate: i + 1,
      name,
      configIndex: c ? c.index : -1,
      account: c ? c.account : -1,
      startTick,
      weight: activity,
      targetLive: c ? 90 + rng.int(70) : 50 + rng.int(50),
      dailyVol: 0.008 + 0.012 * rng.float(),
      background: false,
    });
  }
  // Normalise: unsubscribed flow symbols share `unsubscribedShare` when there are any.
  const sub = symbols.filter((s) => s.configIndex >= 0);
  const unsub = symbols.filter((s) => s.configIndex < 0);
  const sumSub = sub.reduce((a, s) => a + s.weight, 0);
  const sumUnsub = unsub.reduce((a, s) => a + s.weight, 0);
  const shareUnsub = unsub.length === 0 ? 0 : sub.length === 0 ? 1 : unsubscribedShare;
  for (const s of sub) s.weight = (s.weight / sumSub) * (1 - shareUnsub);
  for (const s of unsub) s.weight = (s.weight / sumUnsub) * shareUnsub;

  // A trickle of background flow on two directory names the config never subscribes
  // (real feeds carry thousands of them): exercises the engine's "locate maps to none" path.
  const cfgNames = new Set(cfg.symbols.map((s) => s.symbol));
  const free = FILLER_NAMES.filter((n) => !cfgNames.has(n));
  const bg = free.filter((n) => BACKGROUND_NAMES.includes(n)).slice(0, BACKGROUND);
  for (const [j, name] of bg.entries()) {
    symbols.push({
      idx: k + j, locate: k + j + 1, name, configIndex: -1, account: -1,
      startTick: Math.max(50, Math.round((KNOWN_BACKGROUND_PRICES[j] * 10000) / tick)),
      weight: BACKGROUND_SHARE / bg.length, targetLive: 40, dailyVol: 0.006, background: true,
    });
  }
  if (bg.length > 0) for (const s of symbols) if (!s.background) s.weight *= 1 - BACKGROUND_SHARE;
  const rest = free.filter((n) => !bg.includes(n));
  const nFill = Math.min(rest.length, 6 + (k >> 3));
  const fillers = rest.slice(0, nFill).map((name, j) => ({ name, locate: symbols.length + 1 + j }));
  return { symbols, fillers, tick };
}
