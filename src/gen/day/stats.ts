/**
 * What the generated day looks like, measured while it is written: live orders (total, for
 * the subscribed symbols, per symbol; peaks and when), order lifetimes (a histogram of 8
 * linear bins per octave from 1 µs to ~2^40 µs), and how orders ended.
 */

const SUB = 8;
const OCTAVES = 41;
const BINS = 1 + SUB * OCTAVES;

export const END_DELETE = 0;
export const END_REPLACE = 1;
export const END_EXECUTE = 2;

/** Histogram bin of a lifetime in ns: 0 below 1 µs, then octave × 8 + eighth within the octave. */
export function lifetimeBin(ns: number): number {
  let us = Math.floor(ns / 1000);
  if (us < 1) return 0;
  let oct = 0;
  if (us >= 2 ** 31) {
    while (us >= 2 ** 31) {
      us /= 2;
      oct++;
    }
    us = Math.floor(us);
  }
  const o = 31 - Math.clz32(us);
  oct += o;
  const base = 1 << o;
  const sub = Math.floor(((us - base) * SUB) / base);
  const b = 1 + oct * SUB + sub;
  return b < BINS ? b : BINS - 1;
}

/** Lower edge (ns) of bin b ≥ 1. */
function binLow(b: number): number {
  const oct = Math.floor((b - 1) / SUB);
  const sub = (b - 1) % SUB;
  return 1000 * 2 ** oct * (1 + sub / SUB);
}

export class DayStats {
  readonly lifetimes = new Float64Array(BINS);
  readonly ended = [0, 0, 0];
  live = 0;
  peak = 0;
  peakAt = 0;
  liveSub = 0;
  peakSub = 0;
  peakSubAt = 0;
  readonly liveSym: Int32Array;
  readonly peakSym: Int32Array;
  readonly peakSymAt: Float64Array;

  constructor(
    symbols: number,
    private readonly subscribed: Uint8Array,
  ) {
    this.liveSym = new Int32Array(symbols);
    this.peakSym = new Int32Array(symbols);
    this.peakSymAt = new Float64Array(symbols);
  }

  added(sym: number, ts: number): void {
    if (++this.live > this.peak) {
      this.peak = this.live;
      this.peakAt = ts;
    }
    if (this.subscribed[sym] === 1 && ++this.liveSub > this.peakSub) {
      this.peakSub = this.liveSub;
      this.peakSubAt = ts;
    }
    if (++this.liveSym[sym] > this.peakSym[sym]) {
      this.peakSym[sym] = this.liveSym[sym];
      this.peakSymAt[sym] = ts;
    }
  }

  /** An order of `sym` born at `born` ended at `ts` (END_DELETE, END_REPLACE or END_EXECUTE). */
  removed(sym: number, born: number, ts: number, how: number): void {
    this.live--;
    if (this.subscribed[sym] === 1) this.liveSub--;
    this.liveSym[sym]--;
    this.ended[how]++;
    this.lifetimes[lifetimeBin(ts - born)]++;
  }

  /** Lifetime (ns) below which a share q of ended orders fall: the middle of its bin. */
  lifetimeQuantile(q: number): number {
    const total = this.lifetimes.reduce((a, b) => a + b, 0);
    let acc = 0;
    for (let k = 0; k < BINS; k++) {
      acc += this.lifetimes[k];
      if (acc >= q * total && acc > 0) return k === 0 ? 500 : (binLow(k) + binLow(k + 1)) / 2;
    }
    return 0;
  }

  /** Share of ended orders whose lifetime was below `ns` (to the bin: ±6%). */
  lifetimeShareBelow(ns: number): number {
    const total = this.lifetimes.reduce((a, b) => a + b, 0);
    const k = lifetimeBin(ns);
    let acc = 0;
    for (let j = 0; j < k; j++) acc += this.lifetimes[j];
    return total === 0 ? 0 : acc / total;
  }
}
