/**
 * Full-depth books of every symbol: per symbol and side one queue per price level over the
 * symbol's tick range [lo, hi], oldest order first (price-time priority), plus the best bid
 * and ask. Each level stores the slots of its oldest and newest orders side by side; the
 * queue is a doubly linked list through the order pool. The level arrays are allocated once
 * (zeroed pages the generator never touches cost no memory).
 * Stub quotes are live orders outside any level range and never enter these queues.
 */
import * as O from './orders.ts';
import type { OrderPool } from './orders.ts';
import type { DayUniverse } from './universe.ts';

export const NO_ASK = 0x7fffffff;
const BUY = O.BUY; // module-local: read on every message

export class Books {
  /** Per level: [oldest, newest] order slots (0 when empty), at 2 × (off[sym] + tick). */
  readonly bidQ: Int32Array;
  readonly askQ: Int32Array;
  readonly off: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Best prices in ticks: -1 / NO_ASK when the side is empty. */
  readonly bestBid: Int32Array;
  readonly bestAsk: Int32Array;
  /** Orders in the queues, per side. */
  readonly nBid: Int32Array;
  readonly nAsk: Int32Array;

  constructor(u: DayUniverse) {
    const n = u.n;
    this.off = new Int32Array(n);
    this.lo = u.lo;
    this.hi = u.hi;
    let total = 0;
    for (let i = 0; i < n; i++) {
      this.off[i] = total - u.lo[i];
      total += u.hi[i] - u.lo[i] + 1;
    }
    this.bidQ = new Int32Array(2 * total);
    this.askQ = new Int32Array(2 * total);
    this.bestBid = new Int32Array(n).fill(-1);
    this.bestAsk = new Int32Array(n).fill(NO_ASK);
    this.nBid = new Int32Array(n);
    this.nAsk = new Int32Array(n);
  }

  get bytes(): number {
    return this.bidQ.byteLength * 2 + this.off.length * 4 * 5;
  }

  /** Oldest order at (sym, side, tick), or 0. */
  head(sym: number, side: number, tick: number): number {
    return (side === BUY ? this.bidQ : this.askQ)[2 * (this.off[sym] + tick)];
  }

  /** Appends a regular order (its sym, side, price set) to the back of its level. */
  insert(p: OrderPool, s: number): void {
    const sym = p.sym(s);
    const tick = p.price(s);
    const buy = p.side(s) === BUY;
    const q = buy ? this.bidQ : this.askQ;
    const at = 2 * (this.off[sym] + tick);
    const t = q[at + 1];
    p.setNext(s, 0);
    p.setPrev(s, t);
    if (t === 0) q[at] = s;
    else p.setNext(t, s);
    q[at + 1] = s;
    if (buy) {
      this.nBid[sym]++;
      if (tick > this.bestBid[sym]) this.bestBid[sym] = tick;
    } else {
      this.nAsk[sym]++;
      if (tick < this.bestAsk[sym]) this.bestAsk[sym] = tick;
    }
  }

  /** Takes a regular order out of its level; moves the best price when the level empties. */
  remove(p: OrderPool, s: number): void {
    const sym = p.sym(s);
    const tick = p.price(s);
    const buy = p.side(s) === BUY;
    const q = buy ? this.bidQ : this.askQ;
    const base = 2 * this.off[sym];
    const at = base + 2 * tick;
    const pr = p.prev(s);
    const n = p.next(s);
    if (pr === 0) q[at] = n;
    else p.setNext(pr, n);
    if (n === 0) q[at + 1] = pr;
    else p.setPrev(n, pr);
    if (buy) {
      if (--this.nBid[sym] === 0) this.bestBid[sym] = -1;
      else if (pr === 0 && n === 0 && tick === this.bestBid[sym]) {
        let t = at - 2;
        while (q[t] === 0) t -= 2;
        this.bestBid[sym] = (t - base) >> 1;
      }
    } else if (--this.nAsk[sym] === 0) this.bestAsk[sym] = NO_ASK;
    else if (pr === 0 && n === 0 && tick === this.bestAsk[sym]) {
      let t = at + 2;
      while (q[t] === 0) t += 2;
      this.bestAsk[sym] = (t - base) >> 1;
    }
  }
}
