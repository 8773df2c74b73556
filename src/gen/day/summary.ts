/** What a generated real day contains: returned by the day generator, printed by `riskgate gen --profile day`. */
import type { FrameSink } from '../sink.ts';
import type { Flow } from './flow.ts';
import { NS, TIMES } from './params.ts';
import type { DayStats } from './stats.ts';
import type { Timeline } from './timeline.ts';
import type { DayUniverse } from './universe.ts';
import type { Wire } from './wire.ts';

export interface DaySymbolPeak {
  name: string;
  /** 1-based activity rank (by messages). */
  rank: number;
  subscribed: boolean;
  messages: number;
  peakLive: number;
  /** When the peak was reached (hh:mm:ss). */
  at: string;
}

export interface DaySummary {
  profile: 'day';
  seed: number;
  out?: string;
  gzip: boolean;
  messages: number;
  /** Uncompressed BinaryFILE bytes (end marker included) and their SHA-256. */
  bytes: number;
  sha256: string;
  fileBytes?: number;
  elapsedMs: number;
  /** First and last ITCH timestamps (ns since midnight). */
  firstTs: number;
  lastTs: number;
  byType: Record<string, number>;
  /** Share of all messages by type. */
  mix: Record<string, number>;
  symbols: {
    directory: number;
    /** Symbols with at least one message after the start of day. */
    withFlow: number;
    nasdaqListed: number;
    etps: number;
    /** Opening prices: lowest, median, highest ($). */
    priceMin: number;
    priceMedian: number;
    priceMax: number;
  };
  subscribed: {
    names: string[];
    /** Share of the symbols' messages that are the subscribed symbols'. */
    share: number;
  };
  /** Activity across symbols (messages per symbol by rank). */
  zipf: {
    top1Share: number;
    top10Share: number;
    top64Share: number;
    /** Least-squares slope of log(messages) on log(rank) over ranks 10..1000. */
    slope: number;
  };
  live: {
    peak: number;
    peakAt: string;
    peakSubscribed: number;
    peakSubscribedAt: string;
    atEnd: number;
    /** Peaks of the subscribed symbols: the busiest few, the median and the smallest. */
    subscribedMedianPeak: number;
    subscribedMinPeak: number;
    top: DaySymbolPeak[];
  };
  /** Order lifetimes (seconds) over the orders that ended. */
  lifetimes: {
    ended: number;
    deleted: number;
    replaced: number;
    executed: number;
    p10: number;
    p25: number;
    p50: number;
    p75: number;
    p90: number;
    p99: number;
    p999: number;
    within1s: number;
    within2s: number;
    over1h: number;
  };
  /** Messages per second. */
  rate: {
    openPeak: number;
    openFirstMinute: number;
    midday: number;
    closeLastMinute: number;
    closePeak: number;
    /** Share of the day's messages before 09:30, 09:30–16:00, after 16:00. */
    preMarket: number;
    regular: number;
    afterHours: number;
  };
  events: { stubQuotes: number; marketable: number; sweeps: number; restsPosted: number; dayOrderExpiries: number };
  /** Shares executed (E, C) over shares added (A, F, U): the SEC's trade-to-order volume ratio. */
  tradeToOrderVolume: number;
  /** Cancels (D, X) per execution (E, C, P): the SEC's cancel-to-trade ratio. */
  cancelToTrade: number;
  /** Bytes of the generator's state at the end (live orders, timers, books). */
  stateBytes: number;
}

export const hhmmss = (ts: number): string => {
  const s = Math.floor(ts / NS);
  const p = (x: number): string => String(x).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
};

export interface DayParts {
  opts: { seed: number; messages: number; symbols: number };
  universe: DayUniverse;
  sink: FrameSink;
  wire: Wire;
  stats: DayStats;
  flow: Flow;
  timeline: Timeline;
  firstTs: number;
  lastTs: number;
  elapsedMs: number;
  stateBytes: number;
  out?: string;
  gzip?: boolean;
  fileBytes?: number;
}

export function summarizeDay(d: DayParts): DaySummary {
  const u = d.universe;
  const m = d.sink.seq;
  const byType: Record<string, number> = {};
  const mix: Record<string, number> = {};
  d.sink.byType.forEach((n, t) => {
    if (n > 0) {
      byType[String.fromCharCode(t)] = n;
      mix[String.fromCharCode(t)] = n / m;
    }
  });
  // activity by realised messages
  const per = d.wire.perSymbol;
  const ranked = Array.from(per.keys()).sort((a, b) => per[b] - per[a] || a - b);
  const rankOf = new Int32Array(u.n);
  ranked.forEach((s, r) => (rankOf[s] = r));
  const all = per.reduce((a, b) => a + b, 0);
  const top = (k: number): number => ranked.slice(0, k).reduce((a, s) => a + per[s], 0) / all;
  let sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
  for (let r = 10; r <= Math.min(1000, u.n); r++) {
    const c = per[ranked[r - 1]];
    if (c <= 0) continue;
    const x = Math.log(r), y = Math.log(c);
    sx += x; sy += y; sxx += x * x; sxy += x * y; k++;
  }
  const slope = k > 1 ? (k * sxy - sx * sy) / (k * sxx - sx * sx) : 0;
  let sub = 0;
  for (const s of u.subscribed) sub += per[s];

  const st = d.stats;
  const peaks = Array.from(u.subscribed, (s) => st.peakSym[s]).sort((a, b) => a - b);
  const byPeak = Array.from(st.peakSym.keys()).sort((a, b) => st.peakSym[b] - st.peakSym[a] || a - b).slice(0, 8);
  const ended = st.ended[0] + st.ended[1] + st.ended[2];
  const sec = (q: number): number => st.lifetimeQuantile(q) / NS;

  const ps = d.wire.perSecond;
  const S = (t: number): number => Math.floor(t / NS);
  const sum = (a: number, b: number): number => {
    let x = 0;
    for (let s = a; s < b; s++) x += ps[s];
    return x;
  };
  const max = (a: number, b: number): number => {
    let x = 0;
    for (let s = a; s < b; s++) if (ps[s] > x) x = ps[s];
    return x;
  };
  const open = S(TIMES.open);
  const close = S(TIMES.close);
  const prices = Array.from(u.startTick).sort((a, b) => a - b);
  let withFlow = 0;
  for (let i = 0; i < u.n; i++) if (per[i] > 3) withFlow++;

  return {
    profile: 'day',
    seed: d.opts.seed,
    out: d.out,
    gzip: d.gzip ?? false,
    messages: m,
    bytes: d.sink.bytes,
    sha256: d.sink.digest(),
    fileBytes: d.fileBytes,
    elapsedMs: Math.round(d.elapsedMs),
    firstTs: d.firstTs,
    lastTs: d.lastTs,
    byType,
    mix,
    symbols: {
      directory: u.n,
      withFlow,
      nasdaqListed: u.nasdaq.reduce((a, b) => a + b, 0),
      etps: u.etp.reduce((a, b) => a + b, 0),
      priceMin: prices[0] / 100,
      priceMedian: prices[prices.length >> 1] / 100,
      priceMax: prices[prices.length - 1] / 100,
    },
    subscribed: { names: Array.from(u.subscribed, (s) => u.names[s]), share: sub / all },
    zipf: { top1Share: top(1), top10Share: top(10), top64Share: top(64), slope },
    live: {
      peak: st.peak,
      peakAt: hhmmss(st.peakAt),
      peakSubscribed: st.peakSub,
      peakSubscribedAt: hhmmss(st.peakSubAt),
      atEnd: st.live,
      subscribedMedianPeak: peaks[peaks.length >> 1],
      subscribedMinPeak: peaks[0],
      top: byPeak.map((s) => ({
        name: u.names[s], rank: rankOf[s] + 1, subscribed: u.isSubscribed[s] === 1, messages: per[s],
        peakLive: st.peakSym[s], at: hhmmss(st.peakSymAt[s]),
      })),
    },
    lifetimes: {
      ended,
      deleted: st.ended[0],
      replaced: st.ended[1],
      executed: st.ended[2],
      p10: sec(0.1), p25: sec(0.25), p50: sec(0.5), p75: sec(0.75), p90: sec(0.9), p99: sec(0.99), p999: sec(0.999),
      within1s: st.lifetimeShareBelow(NS),
      within2s: st.lifetimeShareBelow(2 * NS),
      over1h: 1 - st.lifetimeShareBelow(3600 * NS),
    },
    rate: {
      openPeak: max(open, open + 60),
      openFirstMinute: sum(open, open + 60) / 60,
      midday: sum(S(12 * 3600 * NS), S(13 * 3600 * NS)) / 3600,
      closeLastMinute: sum(close - 60, close) / 60,
      closePeak: max(close - 60, close + 60),
      preMarket: sum(0, open) / m,
      regular: sum(open, close) / m,
      afterHours: sum(close, 86_400) / m,
    },
    events: {
      stubQuotes: d.flow.counts.stubs,
      marketable: d.flow.counts.marketable,
      sweeps: d.flow.counts.sweeps,
      restsPosted: d.flow.counts.rests,
      dayOrderExpiries: d.flow.counts.dayExpiries,
    },
    tradeToOrderVolume: d.flow.counts.sharesExecuted / d.flow.counts.sharesAdded,
    cancelToTrade: ((byType.D ?? 0) + (byType.X ?? 0)) / Math.max(1, (byType.E ?? 0) + (byType.C ?? 0) + (byType.P ?? 0)),
    stateBytes: d.stateBytes,
  };
}
