/**
 * Order flow of the generated day: every A F E C X D U P message, derived from the full-depth
 * books (book.ts), so that each reference names a live order of the right symbol, no
 * execution exceeds what is left, and no book ever crosses (a marketable order executes
 * against the touch instead of resting).
 *
 * - A fresh message picks its symbol by Zipf weight and is a new order (A, sometimes F), a
 *   marketable order (E against the touch, sweeping when it is large, its rest sometimes
 *   posted at the emptied price) or a hidden execution (P).
 * - Each new order draws its lifetime (params LIFETIMES) and a place by lifetime class:
 *   fleeting orders at the touch, resting ones deep in the book. When the lifetime ends it is
 *   replaced (U), partly cancelled (X, then lives on) or deleted (D); day orders are deleted
 *   at the close.
 * - Each symbol's fair price follows a random walk (a few % a day); new orders straddle it,
 *   and marketable orders lean towards it, so the book follows the price.
 */
import type { Prng } from '../prng.ts';
import { Books, NO_ASK as NO_ASK_TICK } from './book.ts';
import { AliasTable, logUniform as logUniformImport, tri as triImport } from './math.ts';
import * as O from './orders.ts';
import type { OrderPool } from './orders.ts';
import * as P from './params.ts';
import * as ST from './stats.ts';
import type { DayStats } from './stats.ts';
import type { Timers } from './timers.ts';
import { marketMakers, MPIDS, type DayUniverse } from './universe.ts';
import { mpidWord, type Wire } from './wire.ts';

// Module-local copies of the constants and helpers used on every message (an imported
// binding is a property read through the module namespace each time).
const BUY = O.BUY;
const SELL = O.SELL;
const STUB = O.STUB;
const DAY = O.DAY;
const NO_ASK = NO_ASK_TICK;
const logUniform = logUniformImport;
const tri = triImport;
const END_DELETE = ST.END_DELETE;
const END_REPLACE = ST.END_REPLACE;
const END_EXECUTE = ST.END_EXECUTE;
const MARKETABLE = P.FRESH.marketable;
const HIDDEN = P.FRESH.hidden;
const ATTRIBUTED_24 = P.FRESH.attributed * 2 ** 24;
const MAX_SWEEP = P.FRESH.maxSweep;
const POST_REST = P.FRESH.postRest;
const REPLACE = P.FATE.replace;
const PARTIAL_CANCEL = P.FATE.partialCancel;
const DAY_ORDER_SHARE = P.DAY_ORDER_SHARE;
const EXPIRY_SPREAD = P.EXPIRY_SPREAD;
const CLOSE = P.TIMES.close;
const DEEP_MAX = P.DEPTH.deepMax;
const WALK_LIMIT = P.WALK_LIMIT;
const STUB_BID_TICKS = P.STUB_BID_TICKS;
const STUB_ASK_TICKS = P.STUB_ASK_TICKS;
const LIFETIMES = P.LIFETIMES;

/** What the flow needs from the session: more message slots (their timestamps) and how many are left. */
export interface Slots {
  next(): number;
  left(): number;
}

const TOUCH = 0;
const NEAR = 1;
const BOOK = 2;
const DEEP = 3;
const DEPTH_CODE = { touch: TOUCH, near: NEAR, book: BOOK, deep: DEEP } as const;
const MPID_WORDS = MPIDS.map(mpidWord);
/** Shares of a round-lot order by an 8-bit draw: k lots with probability 0.55 × 0.45^(k-1). */
const LOTS = new Int32Array(256);
{
  let k = 1;
  let p = 0.55;
  let cum = p * 256;
  for (let i = 0; i < 256; i++) {
    while (i >= cum && k < 30) {
      k++;
      p *= 0.45;
      cum += p * 256;
    }
    LOTS[i] = 100 * k;
  }
}
const PRICE_UNITS = 100; // ticks of $0.01 in ITCH price units
const T = 0x54;

export class Flow {
  readonly books: Books;
  private readonly pick: AliasTable;
  private readonly fair: Float64Array;
  private readonly stepVol: Float64Array;
  private readonly pull: Float64Array;
  private readonly walkLo: Float64Array;
  private readonly walkHi: Float64Array;
  /** ITCH trading state per symbol (character code). */
  readonly state: Uint8Array;
  private readonly regularAdds: Int32Array;
  private readonly stubbed: Uint8Array;
  /** Market makers quoting each symbol (stub quotes), 0 for most small names. */
  private readonly makers: Uint8Array;
  private readonly classCum: Float64Array;
  private readonly classLo: Float64Array;
  private readonly classOct: Float64Array;
  private readonly classDepth: Uint8Array;
  private readonly oddLot: Float64Array;
  private ref: number;
  match: number;
  /** Recent executions (match number, symbol) for broken-trade messages. */
  readonly recentMatch = new Float64Array(64);
  readonly recentSym = new Int32Array(64);
  private recentPos = 0;
  readonly counts = { stubs: 0, sweeps: 0, marketable: 0, rests: 0, dayExpiries: 0, sharesAdded: 0, sharesExecuted: 0 };

  constructor(
    private readonly rng: Prng,
    private readonly u: DayUniverse,
    private readonly pool: OrderPool,
    private readonly timers: Timers,
    private readonly wire: Wire,
    private readonly stats: DayStats,
    private readonly slots: Slots,
    messages: number,
  ) {
    const n = u.n;
    this.books = new Books(u);
    this.pick = new AliasTable(u.weight);
    this.fair = new Float64Array(n);
    this.stepVol = new Float64Array(n);
    this.pull = new Float64Array(n);
    this.walkLo = new Float64Array(n);
    this.walkHi = new Float64Array(n);
    this.state = new Uint8Array(n).fill(T);
    this.regularAdds = new Int32Array(n);
    this.stubbed = new Uint8Array(n);
    this.makers = new Uint8Array(n);
    this.oddLot = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = u.startTick[i];
      // fresh messages are a bit under half of a symbol's messages (the rest: lifetimes running out)
      const own = Math.max(30, (u.weight[i] / u.weightSum) * messages * 0.47);
      this.makers[i] = marketMakers(u, i, messages);
      if (this.makers[i] === 0) this.stubbed[i] = 1;
      this.fair[i] = t;
      // daily volatility spread over the symbol's fresh messages: √own steps
      this.stepVol[i] = (u.vol[i] * t) / Math.sqrt(own);
      this.pull[i] = 2 / own;
      this.walkLo[i] = Math.max(u.lo[i] + 2, t * (1 - WALK_LIMIT));
      this.walkHi[i] = Math.min(u.hi[i] - 2, t * (1 + WALK_LIMIT));
      // odd lots are more common the higher the price (our choice); as a 16-bit threshold
      this.oddLot[i] = 65_536 * (t < 1_000 ? 0.08 : t < 5_000 ? 0.18 : t < 20_000 ? 0.35 : 0.55);
    }
    const k = LIFETIMES.length;
    this.classCum = new Float64Array(k);
    this.classLo = new Float64Array(k);
    this.classOct = new Float64Array(k);
    this.classDepth = new Uint8Array(k);
    let acc = 0;
    LIFETIMES.forEach((c, j) => {
      this.classCum[j] = acc += c.share;
      this.classLo[j] = c.lo;
      this.classOct[j] = c.octaves;
      this.classDepth[j] = DEPTH_CODE[c.depth];
    });
    this.ref = 1 + rng.int(64);
    this.match = 1 + rng.int(64);
  }

  /** The fair price in whole ticks (NOII reference prices, a cross without a touch). */
  fairTick(sym: number): number {
    return Math.round(this.fair[sym]);
  }

  // ------------------------------------------------------------------ fresh messages

  /** One fresh message (or a few, for a sweep or the stub quotes) on a symbol drawn by activity. */
  fresh(ts: number): void {
    const sym = this.pick.sample(this.rng);
    this.walk(sym);
    if (this.stubbed[sym] === 0 && this.regularAdds[sym] >= 2 && this.slots.left() >= 2 * this.makers[sym]) {
      this.stubs(sym, ts);
      return;
    }
    if (this.state[sym] === T) {
      const x = this.rng.float();
      if (x < MARKETABLE) {
        if (this.marketable(sym, ts)) return;
      } else if (x < MARKETABLE + HIDDEN) {
        if (this.hidden(sym, ts)) return;
      }
    }
    this.addNew(sym, ts);
  }

  private walk(sym: number): void {
    let f = this.fair[sym];
    f += this.stepVol[sym] * tri(this.rng) - this.pull[sym] * (f - this.u.startTick[sym]);
    if (f < this.walkLo[sym]) f = this.walkLo[sym];
    else if (f > this.walkHi[sym]) f = this.walkHi[sym];
    this.fair[sym] = f;
  }

  private drawClass(): number {
    const x = this.rng.float() * this.classCum[this.classCum.length - 1];
    let j = 0;
    while (this.classCum[j] <= x) j++;
    return j;
  }

  /** A new regular order (A, or F now and then). */
  private addNew(sym: number, ts: number): void {
    const first = this.regularAdds[sym] === 0;
    const cls = first ? 0 : this.drawClass();
    const x = this.rng.u32();
    const buy = (x & 1) === 0;
    const price = this.place(sym, buy, first ? -1 : this.classDepth[cls]);
    const shares = this.size(sym, this.classDepth[cls]);
    const mpid = x >>> 8 < ATTRIBUTED_24 ? MPID_WORDS[(this.u.mmFirst[sym] + ((x >>> 1) & 127) % this.u.mmCount[sym]) % MPIDS.length] : 0;
    const s = this.insert(sym, buy ? BUY : SELL, price, shares, ts, 0);
    this.wire.add(sym, ts, this.pool.ref(s), buy, shares, price * PRICE_UNITS, mpid);
    this.regularAdds[sym]++;
    this.arm(s, ts, cls);
  }

  /**
   * Price (ticks) of a new regular order: behind the fair price's side of the spread by a
   * distance drawn for its depth class (-1: exactly there), never crossing the other side.
   */
  private place(sym: number, buy: boolean, depth: number): number {
    const rng = this.rng;
    const f = this.fair[sym];
    const h = this.u.spread[sym] * 0.5;
    let d = 0;
    if (depth === TOUCH) {
      const x = rng.float();
      d = x < 0.55 ? 0 : x < 0.8 ? 1 : 2 + rng.int(3);
    } else if (depth === NEAR) {
      d = Math.floor(rng.float() * rng.float() * 14);
    } else if (depth === BOOK) {
      d = Math.floor(logUniform(rng, 1, 1 + rng.float() * 5) + this.u.startTick[sym] * 0.002 * rng.float());
    } else if (depth === DEEP) {
      const far = Math.max(4, this.u.startTick[sym] * DEEP_MAX);
      d = Math.floor(far * (0.05 + 0.95 * rng.float() * rng.float()));
    }
    const b = this.books;
    if (buy) {
      let t = Math.floor(f - h) - d;
      if (t >= b.bestAsk[sym]) t = b.bestAsk[sym] - 1;
      if (t > b.hi[sym] - 1) t = b.hi[sym] - 1;
      if (t < b.lo[sym]) t = b.lo[sym];
      return t;
    }
    let t = Math.ceil(f + h) + d;
    if (t <= b.bestBid[sym]) t = b.bestBid[sym] + 1;
    if (t < b.lo[sym] + 1) t = b.lo[sym] + 1;
    if (t > b.hi[sym]) t = b.hi[sym];
    return t;
  }

  /** Shares of a new order: round lots mostly, odd lots more often at high prices; resting orders larger. */
  private size(sym: number, depth: number): number {
    // one 32-bit draw: bits 0..15 odd lot or not, 16..23 the lot count, 24..31 the rest
    const x = this.rng.u32();
    if ((x & 0xffff) < this.oddLot[sym]) return 1 + ((x >>> 24) % 99);
    let n = LOTS[(x >>> 16) & 0xff];
    if (x >>> 24 < 13) n += 50; // 5%
    if (depth >= BOOK) n *= 1 + ((x >>> 24) % 5);
    return n;
  }

  /** Stub quotes: one bid and one ask per market maker, far outside any price window (F). */
  private stubs(sym: number, ts: number): void {
    this.stubbed[sym] = 1;
    const mm = this.makers[sym];
    for (let m = 0; m < mm; m++) {
      const mpid = MPID_WORDS[(this.u.mmFirst[sym] + m) % MPIDS.length];
      for (let side = BUY; side <= SELL; side++) {
        const t = m === 0 && side === BUY ? ts : this.slots.next();
        const price = side === BUY ? STUB_BID_TICKS + m : STUB_ASK_TICKS - m;
        const s = this.insert(sym, side, price, 100, t, STUB);
        this.wire.add(sym, t, this.pool.ref(s), side === BUY, 100, price * PRICE_UNITS, mpid);
        this.counts.stubs++;
      }
    }
  }

  /** A marketable order against the touch: E per resting order it takes. False when there is nothing to take. */
  private marketable(sym: number, ts: number): boolean {
    const b = this.books;
    const rng = this.rng;
    const bid = b.bestBid[sym];
    const ask = b.bestAsk[sym];
    if (bid < 0 && ask === NO_ASK) return false;
    let buy: boolean;
    if (bid < 0) buy = true;
    else if (ask === NO_ASK) buy = false;
    else {
      // lean towards the fair price: buyers lift the ask when the fair price is above the book
      const lean = (this.fair[sym] - (bid + ask) * 0.5) / Math.max(1, this.u.spread[sym]);
      let pb = 0.5 + 0.4 * lean;
      if (pb < 0.05) pb = 0.05;
      else if (pb > 0.95) pb = 0.95;
      buy = rng.float() < pb;
    }
    let want = this.size(sym, TOUCH) * (1 + rng.int(3));
    const side = buy ? SELL : BUY; // the side it takes from
    let level = buy ? ask : bid;
    let levels = 1;
    let msgs = 0;
    const p = this.pool;
    this.counts.marketable++;
    while (want > 0) {
      const s = b.head(sym, side, level);
      const take = Math.min(want, p.shares(s));
      const t = msgs === 0 ? ts : (this.slots.next(), ts);
      this.match += 1 + (rng.u32() & 1);
      this.wire.executed(sym, t, p.ref(s), take, this.match);
      this.noteMatch(sym);
      this.counts.sharesExecuted += take;
      msgs++;
      want -= take;
      if (take === p.shares(s)) this.end(s, ts, END_EXECUTE);
      else p.setShares(s, p.shares(s) - take);
      if (want === 0 || msgs >= MAX_SWEEP || this.slots.left() === 0) break;
      const next = buy ? b.bestAsk[sym] : b.bestBid[sym];
      if (next !== level) {
        // the level is gone: sweep one more level, or post the rest at the emptied price
        if (levels < 2 && next !== NO_ASK && next >= 0 && rng.float() < 0.5) {
          level = next;
          levels++;
          this.counts.sweeps++;
          continue;
        }
        if (rng.float() < POST_REST && (buy ? level < b.hi[sym] : level > b.lo[sym]) && this.slots.left() > 0) {
          this.slots.next();
          const r = this.insert(sym, buy ? BUY : SELL, level, want, ts, 0);
          this.wire.add(sym, ts, p.ref(r), buy, want, level * PRICE_UNITS, 0);
          this.regularAdds[sym]++;
          this.arm(r, ts, 0);
          this.counts.rests++;
        }
        break;
      }
    }
    return true;
  }

  /** A hidden (non-displayed) execution inside the spread: P. */
  private hidden(sym: number, ts: number): boolean {
    const b = this.books;
    const bid = b.bestBid[sym];
    const ask = b.bestAsk[sym];
    if (bid < 0 || ask === NO_ASK) return false;
    const price = bid + Math.floor((ask - bid + 1) * this.rng.float());
    this.match += 1 + (this.rng.u32() & 1);
    this.wire.trade(sym, ts, this.size(sym, TOUCH), price * PRICE_UNITS, this.match);
    this.noteMatch(sym);
    return true;
  }

  private noteMatch(sym: number): void {
    this.recentMatch[this.recentPos] = this.match;
    this.recentSym[this.recentPos] = sym;
    this.recentPos = (this.recentPos + 1) & 63;
  }

  // ------------------------------------------------------------------ lifetimes

  /** Starts an order's lifetime (class `cls`); day orders added before the close end at the close. */
  private arm(s: number, ts: number, cls: number): void {
    let due = ts + logUniform(this.rng, this.classLo[cls], this.classOct[cls]);
    if (ts < CLOSE && due > CLOSE && this.rng.float() < DAY_ORDER_SHARE) {
      due = CLOSE + 1 + this.rng.float() * EXPIRY_SPREAD;
      this.pool.setFlags(s, this.pool.flags(s) | DAY);
    }
    this.timers.schedule(s, Math.floor(due));
  }

  /** An order's lifetime ran out: replace it (U), cancel part of it (X), or delete it (D). */
  fire(s: number, ts: number): void {
    const p = this.pool;
    const sym = p.sym(s);
    if ((p.flags(s) & DAY) !== 0) {
      this.counts.dayExpiries++;
      this.wire.del(sym, ts, p.ref(s));
      this.end(s, ts, END_DELETE);
      return;
    }
    const x = this.rng.float();
    if (x < REPLACE) {
      const buy = p.side(s) === BUY;
      const cls = this.drawClass();
      const oldRef = p.ref(s);
      const shares = this.rng.float() < 0.7 ? p.shares(s) : this.size(sym, this.classDepth[cls]);
      this.end(s, ts, END_REPLACE);
      const price = this.place(sym, buy, this.classDepth[cls]);
      const n = this.insert(sym, buy ? BUY : SELL, price, shares, ts, 0);
      this.wire.replace(sym, ts, oldRef, p.ref(n), shares, price * PRICE_UNITS);
      this.arm(n, ts, cls);
    } else if (x < REPLACE + PARTIAL_CANCEL && p.shares(s) >= 2) {
      const n = 1 + this.rng.int(p.shares(s) - 1);
      this.wire.cancel(sym, ts, p.ref(s), n);
      p.setShares(s, p.shares(s) - n);
      this.arm(s, ts, this.drawClass());
    } else {
      this.wire.del(sym, ts, p.ref(s));
      this.end(s, ts, END_DELETE);
    }
  }

  // ------------------------------------------------------------------ crosses

  /**
   * Executions of an opening, closing or halt cross: up to `max` orders at the touch of one
   * side execute at their price (C, not printable: the cross itself prints as Q). The first
   * message takes timestamp `ts`'s slot, the others take further slots (same timestamp).
   * Returns the messages written; the shares executed and the cross price (ticks) are left in
   * `crossShares` and `crossPrice`.
   */
  crossShares = 0;
  crossPrice = 0;
  crossExecute(sym: number, ts: number, max: number): number {
    const b = this.books;
    const p = this.pool;
    const useBid = this.rng.float() < 0.5 ? b.bestBid[sym] >= 0 : b.bestAsk[sym] === NO_ASK;
    const level = useBid ? b.bestBid[sym] : b.bestAsk[sym];
    this.crossShares = 0;
    if (level < 0 || level === NO_ASK) {
      this.crossPrice = this.fairTick(sym);
      return 0;
    }
    this.crossPrice = level;
    let k = 0;
    for (; k < max && (k === 0 || this.slots.left() > 1); k++) {
      const s = b.head(sym, useBid ? BUY : SELL, level);
      if (s === 0) break;
      if (k > 0) this.slots.next();
      const take = this.rng.float() < 0.6 ? p.shares(s) : 1 + this.rng.int(p.shares(s));
      this.match += 1;
      this.wire.executedWithPrice(sym, ts, p.ref(s), take, this.match, false, level * PRICE_UNITS);
      this.noteMatch(sym);
      this.crossShares += take;
      this.counts.sharesExecuted += take;
      if (take === p.shares(s)) this.end(s, ts, END_EXECUTE);
      else p.setShares(s, p.shares(s) - take);
    }
    return k;
  }

  // ------------------------------------------------------------------ bookkeeping

  private insert(sym: number, side: number, price: number, shares: number, ts: number, flags: number): number {
    const p = this.pool;
    const s = p.alloc();
    this.ref += 1 + (this.rng.u32() & 3);
    p.init(s, this.ref, sym, side, price, shares, ts, flags);
    this.counts.sharesAdded += shares;
    if ((flags & STUB) === 0) this.books.insert(p, s);
    this.stats.added(sym, ts);
    return s;
  }

  private end(s: number, ts: number, how: number): void {
    const p = this.pool;
    if ((p.flags(s) & STUB) === 0) this.books.remove(p, s);
    this.timers.cancel(s);
    this.stats.removed(p.sym(s), p.born(s), ts, how);
    p.release(s);
  }
}
