/**
 * The stock directory of a generated real day: N names (listing market, ETP or not, price,
 * typical spread, daily volatility, market makers) with Zipf-like activity by rank. Locates
 * are 1..N in alphabetical order of the names. The SUBSCRIBED most active names are the ones
 * riskgate subscribes (src/gen/day/config.ts writes their config).
 */
import type { Prng } from '../prng.ts';
import { pow2 } from './math.ts';
import { MM_MAX, MM_MIN_MESSAGES, RANGE, SUBSCRIBED, ZIPF_OFFSET } from './params.ts';

/** Well-known names for the top activity ranks, busiest first: [name, price $, market category, ETP]. */
const KNOWN: readonly (readonly [string, number, string, boolean])[] = [
  ['QQQ', 480, 'Q', true], ['TSLA', 250, 'Q', false], ['NVDA', 120, 'Q', false], ['SPY', 560, 'P', true],
  ['AAPL', 225, 'Q', false], ['TQQQ', 70, 'Q', true], ['AMD', 160, 'Q', false], ['SQQQ', 8, 'Q', true],
  ['AMZN', 185, 'Q', false], ['MSFT', 420, 'Q', false], ['META', 520, 'Q', false], ['SOXL', 30, 'P', true],
  ['IWM', 220, 'P', true], ['GOOGL', 165, 'Q', false], ['PLTR', 35, 'Q', false], ['INTC', 22, 'Q', false],
  ['MU', 100, 'Q', false], ['NFLX', 680, 'Q', false], ['GOOG', 167, 'Q', false], ['AVGO', 165, 'Q', false],
  ['SMCI', 45, 'Q', false], ['COIN', 200, 'Q', false], ['MARA', 18, 'Q', false], ['SOFI', 8, 'Q', false],
  ['RIVN', 12, 'Q', false], ['LCID', 3, 'Q', false], ['TLT', 95, 'Q', true], ['PYPL', 70, 'Q', false],
  ['NIO', 5, 'N', false], ['F', 11, 'N', false], ['BAC', 40, 'N', false], ['ARM', 140, 'Q', false],
  ['QCOM', 170, 'Q', false], ['CSCO', 50, 'Q', false], ['UVXY', 28, 'Z', true], ['SOXS', 25, 'P', true],
  ['XLF', 45, 'P', true], ['HYG', 79, 'P', true], ['EEM', 43, 'P', true], ['PEP', 170, 'Q', false],
  ['COST', 880, 'Q', false], ['ADBE', 520, 'Q', false], ['SBUX', 95, 'Q', false], ['CMCSA', 40, 'Q', false],
  ['RIOT', 10, 'Q', false], ['HOOD', 25, 'Q', false], ['DKNG', 38, 'Q', false], ['WBD', 9, 'Q', false],
  ['BABA', 90, 'N', false], ['GLD', 230, 'P', true], ['SLV', 28, 'P', true], ['TNA', 45, 'P', true],
  ['KRE', 55, 'P', true], ['XBI', 95, 'P', true], ['SMH', 240, 'Q', true], ['ON', 70, 'Q', false],
  ['MRVL', 75, 'Q', false], ['AMAT', 200, 'Q', false], ['LRCX', 80, 'Q', false], ['TXN', 195, 'Q', false],
  ['INTU', 640, 'Q', false], ['PDD', 130, 'Q', false], ['JD', 35, 'Q', false], ['CRWD', 280, 'Q', false],
  ['PANW', 350, 'Q', false], ['ABNB', 125, 'Q', false], ['MRNA', 80, 'Q', false], ['GILD', 80, 'Q', false],
  ['UBER', 72, 'N', false], ['T', 20, 'N', false], ['XOM', 115, 'N', false], ['PFE', 29, 'N', false],
];
const KNOWN_NAMES = new Set(KNOWN.map((k) => k[0]));

/** Listing markets of the other names (ITCH market category), with their share and median price (our choice). */
const MARKETS: readonly { cat: string; share: number; median: number; etp: number; act: number }[] = [
  { cat: 'Q', share: 0.17, median: 45, etp: 0.08, act: 1.6 }, // NASDAQ Global Select
  { cat: 'G', share: 0.08, median: 14, etp: 0.05, act: 0.9 }, // NASDAQ Global Market
  { cat: 'S', share: 0.17, median: 5, etp: 0.03, act: 0.6 }, // NASDAQ Capital Market
  { cat: 'N', share: 0.28, median: 40, etp: 0.02, act: 1.0 }, // NYSE
  { cat: 'P', share: 0.24, median: 30, etp: 0.9, act: 0.7 }, // NYSE Arca
  { cat: 'A', share: 0.03, median: 6, etp: 0.1, act: 0.4 }, // NYSE American
  { cat: 'Z', share: 0.03, median: 28, etp: 0.8, act: 0.5 }, // Cboe BZX
];

/** Market makers' MPIDs (attributed F adds, stub quotes, L messages). */
export const MPIDS = ['NITE', 'CDRG', 'VIRT', 'GSCO', 'MSCO', 'UBSS', 'JPMS', 'SUSQ', 'CITD', 'HRTF', 'JNST', 'TMBR', 'ETMM', 'BARD', 'RBCM', 'WEDB'];

export interface DayUniverse {
  n: number;
  /** By symbol index = locate − 1 (alphabetical). */
  names: string[];
  /** The 8-byte space-padded name as two big-endian u32 words. */
  nameHi: Uint32Array;
  nameLo: Uint32Array;
  /** ITCH market category character code, and NASDAQ-listed (Q, G, S) / ETP flags. */
  category: Uint8Array;
  nasdaq: Uint8Array;
  etp: Uint8Array;
  /** 0-based activity rank of each symbol, and the symbol at each rank. */
  rank: Int32Array;
  byRank: Int32Array;
  /** Zipf weight by symbol: 1 / (rank + 1 + ZIPF_OFFSET), and their sum. */
  weight: Float64Array;
  weightSum: number;
  /** Opening price in ticks ($0.01). */
  startTick: Int32Array;
  /** Lowest and highest tick a regular order of the symbol may have. */
  lo: Int32Array;
  hi: Int32Array;
  /** Typical spread in ticks. */
  spread: Int32Array;
  /** Daily volatility of the fair price (fraction of the price). */
  vol: Float64Array;
  /** Market makers: indices into MPIDS, `mmCount[i]` of them from `mmFirst[i]` (cyclic). */
  mmFirst: Uint8Array;
  mmCount: Uint8Array;
  /** Symbol indices of the subscribed names, busiest first. */
  subscribed: Int32Array;
  isSubscribed: Uint8Array;
}

const A = 65;

function word(name: string, from: number): number {
  const s = name.padEnd(8, ' ');
  return ((s.charCodeAt(from) << 24) | (s.charCodeAt(from + 1) << 16) | (s.charCodeAt(from + 2) << 8) | s.charCodeAt(from + 3)) >>> 0;
}

function letters(rng: Prng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(A + rng.int(26));
  return s;
}

/** A ticker of the usual length for its market (suffixes W/U/R: warrants, units, rights). */
function inventName(rng: Prng, cat: string, taken: Set<string>): { name: string; suffix: string } {
  for (;;) {
    let name: string;
    let suffix = '';
    const u = rng.float();
    if (cat === 'Q' || cat === 'G' || cat === 'S') {
      if (u < 0.12 && cat !== 'Q') {
        suffix = u < 0.06 ? 'W' : u < 0.09 ? 'U' : 'R';
        name = letters(rng, 4) + suffix;
      } else name = letters(rng, u < 0.2 ? 3 : 4);
    } else if (cat === 'N') name = letters(rng, u < 0.01 ? 1 : u < 0.16 ? 2 : u < 0.91 ? 3 : 4);
    else if (cat === 'P' || cat === 'Z') name = letters(rng, u < 0.55 ? 3 : 4);
    else name = letters(rng, u < 0.8 ? 3 : 4);
    if (!taken.has(name)) {
      taken.add(name);
      return { name, suffix };
    }
  }
}

interface Draft {
  name: string;
  cat: string;
  etp: boolean;
  price: number;
  score: number;
}

/** Builds the directory: `n` names, the first KNOWN ones busiest, the rest ranked by a random activity score. */
export function buildDayUniverse(rng: Prng, n: number): DayUniverse {
  const taken = new Set<string>(KNOWN_NAMES);
  const known: Draft[] = KNOWN.slice(0, Math.min(KNOWN.length, Math.floor(n / 3))).map(([name, price, cat, etp]) => ({ name, cat, etp, price, score: 0 }));
  // a little reshuffling of the known order: neighbours swap now and then
  for (let i = 0; i + 1 < known.length; i++) if (rng.chance(0.3)) [known[i], known[i + 1]] = [known[i + 1], known[i]];
  const cum: number[] = [];
  let acc = 0;
  for (const m of MARKETS) cum.push((acc += m.share));
  const others: Draft[] = [];
  for (let i = known.length; i < n; i++) {
    const x = rng.float() * acc;
    let k = 0;
    while (cum[k] <= x) k++;
    const m = MARKETS[k];
    const { name, suffix } = inventName(rng, m.cat, taken);
    const etp = suffix === '' && rng.chance(m.etp);
    // log-normal around the market's median price, $1 .. $1,000; warrants, units, rights cheap
    let price = suffix !== '' ? 1 + 4 * rng.float() : m.median * pow2(1.5 * rng.gauss());
    price = Math.min(1000, Math.max(1, price));
    // activity: the market's factor times a log-normal draw
    others.push({ name, cat: m.cat, etp, price, score: m.act * (suffix !== '' ? 0.2 : 1) * pow2(1.2 * rng.gauss()) });
  }
  const order = others.map((_, i) => i).sort((a, b) => others[b].score - others[a].score || a - b);
  const ranked: Draft[] = [...known, ...order.map((i) => others[i])];
  // locates: alphabetical
  const alpha = ranked.map((_, r) => r).sort((a, b) => (ranked[a].name < ranked[b].name ? -1 : ranked[a].name > ranked[b].name ? 1 : 0));
  const u: DayUniverse = {
    n,
    names: new Array<string>(n),
    nameHi: new Uint32Array(n),
    nameLo: new Uint32Array(n),
    category: new Uint8Array(n),
    nasdaq: new Uint8Array(n),
    etp: new Uint8Array(n),
    rank: new Int32Array(n),
    byRank: new Int32Array(n),
    weight: new Float64Array(n),
    weightSum: 0,
    startTick: new Int32Array(n),
    lo: new Int32Array(n),
    hi: new Int32Array(n),
    spread: new Int32Array(n),
    vol: new Float64Array(n),
    mmFirst: new Uint8Array(n),
    mmCount: new Uint8Array(n),
    subscribed: new Int32Array(Math.min(SUBSCRIBED, n)),
    isSubscribed: new Uint8Array(n),
  };
  alpha.forEach((r, i) => {
    const d = ranked[r];
    u.names[i] = d.name;
    u.nameHi[i] = word(d.name, 0);
    u.nameLo[i] = word(d.name, 4);
    u.category[i] = d.cat.charCodeAt(0);
    u.nasdaq[i] = d.cat === 'Q' || d.cat === 'G' || d.cat === 'S' ? 1 : 0;
    u.etp[i] = d.etp ? 1 : 0;
    u.rank[i] = r;
    u.byRank[r] = i;
    u.weight[i] = 1 / (r + 1 + ZIPF_OFFSET);
    u.weightSum += u.weight[i];
    const x = (r + 1) / n; // 0 busiest .. 1 quietest
    const t = Math.min(100_000, Math.max(100, Math.round(d.price * 100 * (0.97 + 0.06 * rng.float()))));
    u.startTick[i] = t;
    const half = Math.ceil(t * RANGE) + 32;
    u.lo[i] = Math.max(2, t - half);
    u.hi[i] = t + half;
    // typical spread: ~0.3 bp for the busiest names, ~25 bp for the quietest (our choice)
    const bps = 0.3 + 25 * Math.sqrt(x) * Math.sqrt(Math.sqrt(x));
    u.spread[i] = Math.max(1, Math.round((t * bps) / 10_000));
    u.vol[i] = (0.01 + 0.02 * Math.sqrt(x)) * (0.7 + 0.6 * rng.float());
    u.mmFirst[i] = rng.int(MPIDS.length);
    u.mmCount[i] = Math.min(MM_MAX, 1 + Math.round((MM_MAX - 2) * (1 - x) * (1 - x) * (1 - x)) + (rng.chance(0.5) ? 1 : 0));
  });
  for (let r = 0; r < u.subscribed.length; r++) {
    u.subscribed[r] = u.byRank[r];
    u.isSubscribed[u.byRank[r]] = 1;
  }
  return u;
}

/** Market makers quoting symbol i (L messages, stub quotes) in a day of `messages` messages. */
export function marketMakers(u: DayUniverse, i: number, messages: number): number {
  return u.nasdaq[i] === 1 && (u.weight[i] / u.weightSum) * messages >= MM_MIN_MESSAGES ? u.mmCount[i] : 0;
}

/** Share of the flow that symbols of ranks [0, k) carry. */
export function topShare(u: DayUniverse, k: number): number {
  let top = 0;
  let all = 0;
  for (let r = 0; r < u.n; r++) {
    const w = u.weight[u.byRank[r]];
    if (r < k) top += w;
    all += w;
  }
  return top / all;
}
