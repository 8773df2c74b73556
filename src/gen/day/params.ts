/**
 * The statistics the real-day profile aims for, in one place. docs/generator.md says for each
 * figure where it comes from (a public source, or our own choice where no source gives it).
 *
 * Times are ns since midnight (ITCH timestamps), prices in ticks of $0.01 unless named
 * otherwise.
 */

export const NS = 1_000_000_000;
export const hms = (h: number, m = 0, s = 0): number => ((h * 60 + m) * 60 + s) * NS;

/** Session times (NASDAQ TotalView-ITCH 5.0 system events). */
export const TIMES = {
  /** 'O' start of messages, then the stock directory and the other start-of-day messages. */
  startOfMessages: hms(3, 5),
  /** 'S' start of system hours: order flow begins. */
  startOfSystem: hms(4),
  /** 'Q' start of market hours (opening cross right after). */
  open: hms(9, 30),
  /** 'M' end of market hours (closing cross right after). */
  close: hms(16),
  /** 'E' end of system hours: order flow ends. */
  endOfSystem: hms(20),
  /** 'C' end of messages. */
  endOfMessages: hms(20, 5),
} as const;

/** Directory size (R messages) by default: the 2019-12-30 NASDAQ day had 8,907 symbols. */
export const DEFAULT_SYMBOLS = 8_900;
export const MIN_SYMBOLS = 200;
export const MAX_SYMBOLS = 20_000;
/** Symbols riskgate subscribes: the most active ones (spec §1 MAX_SYMBOLS). */
export const SUBSCRIBED = 64;

/**
 * Activity across symbols: Zipf–Mandelbrot by activity rank r (1-based), w(r) = 1 / (r + q).
 * With q = 5 over ~8,900 symbols the busiest symbol carries ~2.3% of the flow and the 64
 * busiest ~34% (our choice: a minority, as on a real day, where thousands of names share
 * the rest).
 */
export const ZIPF_OFFSET = 5;

/**
 * Order lifetimes (from add, or from the new order of a replace, to its cancel or replace):
 * a mixture of log-uniform classes, [lo, lo × 2^octaves]. Our choice, shaped by
 * Hasbrouck & Saar (2009: over a third of non-marketable limit orders cancelled within 2 s)
 * and the SEC's MIDAS quote-lifetime data (2013), with the median just under a second.
 * Executions end some orders earlier; orders still live at 20:00 stay live.
 */
export interface LifetimeClass {
  name: string;
  share: number;
  lo: number;
  octaves: number;
  /** How far from the touch the class's adds go (see `DEPTH`). */
  depth: 'touch' | 'near' | 'book' | 'deep';
}
export const LIFETIMES: readonly LifetimeClass[] = [
  { name: 'fleeting', share: 0.36, lo: 200e3, octaves: 10, depth: 'touch' }, // 200 µs .. 205 ms
  { name: 'short', share: 0.2, lo: 250e6, octaves: 2.5, depth: 'touch' }, // 250 ms .. 1.4 s
  { name: 'medium', share: 0.25, lo: 1.5e9, octaves: 6.3, depth: 'near' }, // 1.5 s .. 2 min
  { name: 'patient', share: 0.1, lo: 120e9, octaves: 4, depth: 'book' }, // 2 min .. 32 min
  { name: 'resting', share: 0.09, lo: 1800e9, octaves: 4.2, depth: 'deep' }, // 30 min .. 9.2 h
];

/**
 * What ends an order whose lifetime runs out, tuned so the message mix lands near the two
 * public real days (docs/generator.md): a replace (U), a partial cancel (X, after which the
 * rest lives on for a new lifetime), or a delete (D).
 */
export const FATE = { replace: 0.146, partialCancel: 0.03 } as const;

/**
 * Share of the orders live across the close that are day orders, deleted by the market
 * at 16:00 (our choice); the rest (extended-hours orders) live on.
 */
export const DAY_ORDER_SHARE = 0.5;
/** Day orders expire over the first seconds after 16:00 (ns). */
export const EXPIRY_SPREAD = 20 * NS;
/** Orders each message creates (A, F and the new order of U: about half the messages). */
export const ORDERS_PER_MESSAGE = 0.5;

/**
 * Per fresh (unscheduled) message of a symbol: a marketable order (one or more E against
 * the touch), a hidden execution (P), otherwise a new order (A, or F with attribution).
 */
export const FRESH = {
  marketable: 0.035,
  hidden: 0.009,
  /** Share of adds carrying an MPID (F). */
  attributed: 0.02,
  /** Most E messages one marketable order produces (a sweep). */
  maxSweep: 8,
  /** A marketable order that empties the touch posts its rest there this often. */
  postRest: 0.3,
} as const;

/**
 * Where adds go, in ticks behind the touch price of their side (0 = at the touch, or at the
 * fair price's side of the spread), by lifetime class. 'deep': log-uniform out to
 * `DEEP_MAX` of the price.
 */
export const DEPTH = { deepMax: 0.04 } as const;

/** The fair price never leaves start × (1 ± WALK_LIMIT); books span start × (1 ± RANGE). */
export const WALK_LIMIT = 0.05;
export const RANGE = 0.095;

/**
 * Registered market makers (L messages, stub quotes: one bid and one ask each) of a
 * NASDAQ-listed symbol: 1..MM_MAX by activity, for the symbols with at least
 * MM_MIN_MESSAGES messages in the day (so a small sample day is not mostly stub quotes).
 */
export const MM_MAX = 6;
export const MM_MIN_MESSAGES = 1_000;
/** Stub quote prices: far outside any price window. */
export const STUB_BID_TICKS = 1; // $0.01
export const STUB_ASK_TICKS = 19_999_999; // $199,999.99

/**
 * NOII (I) is disseminated for NASDAQ-listed symbols every 10 s from 09:25 and every second
 * from 09:28 to the opening cross, every 10 s from 15:50 and every second from 15:55 to the
 * closing cross. We send it for the most active NASDAQ-listed names only, as many as make
 * NOII about this share of the day's messages (our choice; see docs/generator.md).
 */
export const NOII_SHARE = 0.01;
/** Crosses (Q, plus C executions of the touch) per NASDAQ-listed symbol and per 1M messages, capped by the listing. */
export const CROSSES_PER_MILLION = 170;

/** LULD pauses and news halts per 1,000 directory symbols (our choice). */
export const HALTS_PER_THOUSAND = 3.5;
