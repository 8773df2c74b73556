/**
 * Order flow of one session: the actions that write A F E C X D U P messages, each derived
 * from the generator's own full-depth books (src/gen/book.ts), so that every reference
 * names a live order (unless deliberately not) and no book ever crosses.
 */
import { itch } from '../itch/encode.ts';
import { BUY, Kind, SELL, SymbolBook, type Order, type Side } from './book.ts';
import type { Clock } from './clock.ts';
import type { Prng } from './prng.ts';
import { Place, type OrderTable, type RefAllocator } from './refs.ts';
import type { FrameSink } from './sink.ts';
import type { GenEvents } from './summary.ts';
import type { GenSymbol } from './universe.ts';

/** Marketable orders per step (before the phase factor and the dislocation boost). */
const EXEC_RATE = 0.024;
/** Regular orders a side keeps at least (cancels and executions never take it below). */
export const MIN_DEPTH = 4;
/** Largest touch a flicker or a stuck quote leaves on either side before it starts (shares). */
const EVEN_TOUCH = 300;
const MPIDS = ['GSCO', 'MSCO', 'UBSS', 'CDRG', 'NITE', 'JPMS', 'VIRT', 'CITD', 'SUSQ', 'JNST', 'HRTF', 'TMBR'];
const STUB_MPIDS = ['NITE', 'CDRG', 'VIRT', 'GSCO'];

export interface SymState {
  g: GenSymbol;
  book: SymbolBook;
  subscribed: boolean;
  /** Fair price in ticks (the random walk the book follows). */
  fair: number;
  /** Directional pressure in [-1, 1]: side of new liquidity and of aggressors. */
  pressure: number;
  /** Own messages until the next regime change. */
  regimeLeft: number;
  regimeLen: number;
  /** Tick of the first regular add (sets the engine's window), -1 before. */
  firstTick: number;
  minTick: number;
  maxTick: number;
  /** Largest excursion of the fair price from the start, in ticks. */
  maxExc: number;
  stepVol: number;
  pull: number;
  /** ITCH trading state character ('T' trading, 'H' halted, 'P' paused, 'Q' quotation only). */
  trading: string;
  /** No execution or trade before this seq (first trade of the symbol). */
  firstTradeAt: number;
  /** Order-flow messages written for this symbol. */
  messages: number;
  /** No executions or trades until `messages` reaches this (after an away print: a stale reference). */
  tradeHold: number;
}

export interface FlowCtx {
  rng: Prng;
  sink: FrameSink;
  clock: Clock;
  refs: RefAllocator;
  /** Where the engine keeps every order of a subscribed symbol (spec §5). */
  table: OrderTable;
  tick: number;
  windowTicks: number;
  events: GenEvents;
  /** Messages left in the current phase (multi-message actions stay within it). */
  room(): number;
}

export class Flow {
  private match: number;
  private readonly removed: number[] = new Array(64).fill(0);
  private removedPos = 0;
  /** Execution-rate factor of the current phase. */
  tradeFactor = 1;
  private readonly rnd: () => number;

  constructor(
    private readonly c: FlowCtx,
    readonly st: SymState[],
  ) {
    this.match = 10_000 + c.rng.int(90_000);
    this.rnd = () => c.rng.float();
  }

  // ---------------------------------------------------------------- message writers

  /** Header of the next message: paced by the clock, or `gap` ns after the previous one. */
  private hdr(s: SymState, gap?: number): { locate: number; ts: number } {
    return { locate: s.g.locate, ts: gap === undefined ? this.c.clock.next() : this.c.clock.step(gap) };
  }

  private nextMatch(): bigint {
    this.match += 1 + (this.c.rng.u32() & 7);
    return BigInt(this.match);
  }

  /** Adds an order; `o.ref` is a crafted ref (engineered collision), else the next sequential one. */
  add(s: SymState, side: Side, price: number, shares: number, kind: Kind, o: { mpid?: string; ref?: number; gap?: number } = {}): Order {
    const c = this.c;
    const ref = o.ref ?? c.refs.take();
    const order: Order = { ref, sym: s.g.idx, side, price, shares, kind, level: -1, prev: null, next: null, slot: -1, where: Place.NONE };
    if (s.subscribed) c.table.insert(order, o.ref !== undefined);
    if (kind === Kind.REGULAR && s.firstTick < 0) this.setWindow(s, price / c.tick);
    c.sink.put(itch.addOrder(this.hdr(s, o.gap), { ref: BigInt(ref), side: side === BUY ? 'B' : 'S', shares, stock: s.g.name, price, mpid: o.mpid }));
    s.book.insert(order);
    s.messages++;
    if (shares >= 5000) c.events.blocks++;
    return order;
  }

  private forget(s: SymState, o: Order): void {
    s.book.remove(o);
    this.c.table.remove(o);
    this.removed[this.removedPos] = o.ref;
    this.removedPos = (this.removedPos + 1) & 63;
  }

  del(s: SymState, o: Order): void {
    this.c.sink.put(itch.delete(this.hdr(s), { ref: BigInt(o.ref) }));
    s.messages++;
    this.forget(s, o);
  }

  cancel(s: SymState, o: Order, n: number): void {
    if (n >= o.shares) throw new Error('generator bug: cancel of all shares');
    this.c.sink.put(itch.cancel(this.hdr(s), { ref: BigInt(o.ref), shares: n }));
    s.messages++;
    s.book.reduce(o, n);
  }

  exec(s: SymState, o: Order, n: number, same: boolean): void {
    const c = this.c;
    const h = this.hdr(s, same ? 0 : undefined);
    if (c.rng.chance(0.08)) {
      const printable = c.rng.chance(0.8);
      c.sink.put(itch.executedWithPrice(h, { ref: BigInt(o.ref), shares: n, match: this.nextMatch(), printable, price: o.price }));
    } else {
      c.sink.put(itch.executed(h, { ref: BigInt(o.ref), shares: n, match: this.nextMatch() }));
    }
    s.messages++;
    if (n >= o.shares) this.forget(s, o);
    else s.book.reduce(o, n);
  }

  replace(s: SymState, o: Order, price: number, shares: number, kind: Kind = Kind.REGULAR): Order {
    const c = this.c;
    const h = this.hdr(s);
    // the engine inserts the new ref only when it finds the original (a book order or a ghost)
    const found = o.where !== Place.NONE && o.where !== Place.LOST;
    this.forget(s, o);
    const ref = c.refs.take();
    c.sink.put(itch.replace(h, { ref: BigInt(o.ref), newRef: BigInt(ref), shares, price }));
    s.messages++;
    const n: Order = { ref, sym: o.sym, side: o.side, price, shares, kind, level: -1, prev: null, next: null, slot: -1, where: Place.NONE };
    if (found) c.table.insert(n);
    s.book.insert(n);
    return n;
  }

  trade(s: SymState, price: number, shares: number, side: Side): void {
    this.c.sink.put(itch.trade(this.hdr(s), { ref: 0n, side: side === BUY ? 'B' : 'S', shares, stock: s.g.name, price, match: this.nextMatch() }));
    s.messages++;
  }

  // ---------------------------------------------------------------- pricing helpers

  private setWindow(s: SymState, q: number): void {
    const w = this.c.windowTicks;
    const b = s.book;
    s.firstTick = q;
    const base = q >= w / 2 ? q - w / 2 : 0;
    // keep regular orders well inside the engine's window [base, base + w) and the book's range
    s.minTick = Math.max(base === 0 ? 1 : base + 48, b.baseTick + 8);
    s.maxTick = Math.min(base + w - 48, b.baseTick + b.range - 8);
  }

  private clampBid(s: SymState, t: number): number {
    const b = s.book;
    const lim = Math.ceil(b.bidLimit() / this.c.tick) - 1; // strictly under the lowest ask (any kind)
    if (t > lim) t = lim;
    if (t > s.maxTick) t = s.maxTick;
    if (t < s.minTick) t = s.minTick;
    return t;
  }

  private clampAsk(s: SymState, t: number): number {
    const b = s.book;
    const lim = Math.floor(b.askFloor() / this.c.tick) + 1; // strictly over the highest bid (any kind)
    if (t < lim) t = lim;
    if (t < s.minTick) t = s.minTick;
    if (t > s.maxTick) t = s.maxTick;
    return t;
  }

  /** True when a regular order at tick t on `side` would not cross and lies in range. */
  private fits(s: SymState, side: Side, t: number): boolean {
    if (t < s.minTick || t > s.maxTick) return false;
    const p = t * this.c.tick;
    return side === BUY ? p < s.book.bidLimit() : p > s.book.askFloor();
  }

  /** Shares of a new order: round lots mostly, some odd and mixed lots, rare blocks. */
  size(s: SymState): number {
    const rng = this.c.rng;
    const r = rng.float();
    const dear = s.g.startTick * this.c.tick >= 3_000_000; // ≥ $300: smaller orders
    if (r < 0.05) return rng.range(1, 99);
    if (r < 0.11) return 100 * (1 + rng.geometric(dear ? 0.6 : 0.45, 10)) + rng.range(1, 99);
    if (r < 0.1135) return 100 * rng.range(50, 300);
    return 100 * (1 + rng.geometric(dear ? 0.6 : 0.42, 20));
  }

  // ---------------------------------------------------------------- the regular step

  /** Moves the fair price one step and rolls the regime. */
  private evolve(s: SymState): void {
    const rng = this.c.rng;
    if (--s.regimeLeft <= 0) {
      s.regimeLeft = s.regimeLen;
      s.pressure = rng.chance(0.35) ? 0 : (rng.chance(0.5) ? 1 : -1) * (0.3 + 0.6 * rng.float());
    }
    const start = s.firstTick >= 0 ? s.firstTick : s.g.startTick;
    let f = s.fair + s.stepVol * (rng.gauss() + 0.12 * s.pressure) + s.pull * (start - s.fair);
    if (f > start + s.maxExc) f = start + s.maxExc;
    if (f < start - s.maxExc) f = start - s.maxExc;
    s.fair = f;
  }

  /** One order-flow action on symbol s (at least one message). */
  step(s: SymState, seq: number): void {
    const c = this.c;
    const rng = c.rng;
    const b = s.book;
    this.evolve(s);
    if (b.nRegular[BUY] < MIN_DEPTH || !b.hasBid()) return this.addRegular(s, BUY);
    if (b.nRegular[SELL] < MIN_DEPTH || !b.hasAsk()) return this.addRegular(s, SELL);
    const canTrade = s.trading === 'T' && seq >= s.firstTradeAt && s.messages >= s.tradeHold;
    const mid = (b.bestBid + b.bestAsk) / 2 + b.baseTick;
    const disloc = s.fair - mid; // > 0: price should rise
    const spread = b.bestAsk - b.bestBid;
    const away = Math.abs(disloc) > spread / 2 + 0.5 ? Math.min(3, Math.abs(disloc) - spread / 2) : 0;
    const pExec = canTrade ? EXEC_RATE * this.tradeFactor * (1 + 0.5 * away) : 0;
    const pTrade = canTrade ? 0.0075 * this.tradeFactor : 0;
    const ratio = b.regular.length / s.g.targetLive;
    let r = rng.float();
    if (r < pExec) return this.aggressor(s, disloc);
    r -= pExec;
    if (r < pTrade) return this.hiddenTrade(s);
    r -= pTrade;
    if (r < 0.05) return this.cancelSome(s);
    r -= 0.05;
    if (r < 0.076) return this.replaceSome(s);
    let pAdd = 0.5 + 0.3 * (1 - ratio);
    if (pAdd < 0.15) pAdd = 0.15;
    if (pAdd > 0.85) pAdd = 0.85;
    if (rng.float() < pAdd) {
      const pBuy = 0.5 + 0.12 * s.pressure + (disloc > 0 ? 0.05 : -0.05);
      return this.addRegular(s, rng.float() < pBuy ? BUY : SELL, disloc);
    }
    return this.deleteSome(s);
  }

  addRegular(s: SymState, side: Side, disloc = 0): void {
    const c = this.c;
    const rng = c.rng;
    const b = s.book;
    let t: number;
    const hasOwn = side === BUY ? b.hasBid() : b.hasAsk();
    const hasOpp = side === BUY ? b.hasAsk() : b.hasBid();
    const dir = side === BUY ? 1 : -1;
    if (!hasOwn) {
      const anchor = hasOpp ? (side === BUY ? b.bestAsk : b.bestBid) + b.baseTick - dir : Math.round(s.fair) - dir;
      t = anchor - dir * rng.geometric(0.5, 6);
    } else {
      const best = (side === BUY ? b.bestBid : b.bestAsk) + b.baseTick;
      const spread = hasOpp ? b.bestAsk - b.bestBid : 4;
      const push = dir * disloc; // > 0 when this side should move towards the other
      const pImprove = spread > 1 ? Math.min(0.6, 0.16 + (spread > 3 ? 0.25 : 0) + (push > 0 ? Math.min(0.3, 0.12 * push) : 0)) : 0;
      const pJoin = 0.2 + 0.08 * dir * s.pressure;
      const u = rng.float();
      if (u < pImprove) t = best + dir * (1 + rng.int(Math.min(spread - 1, 2)));
      else if (u < pImprove + pJoin) t = best;
      else t = best - dir * (1 + rng.geometric(0.16, 150));
    }
    t = side === BUY ? this.clampBid(s, t) : this.clampAsk(s, t);
    if (!this.fits(s, side, t)) {
      // no room on this side within the range (should not happen): add on the other side far away
      const other: Side = side === BUY ? SELL : BUY;
      const tt = other === BUY ? this.clampBid(s, s.minTick) : this.clampAsk(s, s.maxTick);
      this.add(s, other, tt * c.tick, this.size(s), Kind.REGULAR);
      return;
    }
    let shares = this.size(s);
    // pressure: joining the pressured touch with more size builds top-of-book imbalance
    if (dir * s.pressure > 0.3 && rng.chance(0.25)) shares += 100 * rng.range(1, 4);
    this.add(s, side, t * c.tick, shares, Kind.REGULAR, { mpid: rng.chance(0.15) ? rng.pick(MPIDS) : undefined });
  }

  private deleteSome(s: SymState): void {
    const b = s.book;
    const o = b.pickRegular(this.rnd);
    if (!o || b.nRegular[o.side] <= MIN_DEPTH) return this.addRegular(s, o ? (o.side === BUY ? SELL : BUY) : BUY);
    this.del(s, o);
  }

  private cancelSome(s: SymState): void {
    const rng = this.c.rng;
    const b = s.book;
    let o = b.pickRegular(this.rnd);
    for (let t = 0; t < 4 && o && o.shares < 2; t++) o = b.pickRegular(this.rnd);
    if (!o || o.shares < 2) return this.addRegular(s, BUY);
    const n = o.shares > 100 ? Math.min(o.shares - 1, 100 * (1 + rng.int(Math.floor((o.shares - 1) / 100)))) : rng.range(1, o.shares - 1);
    this.cancel(s, o, n);
  }

  private replaceSome(s: SymState): void {
    const c = this.c;
    const rng = c.rng;
    const b = s.book;
    const o = b.pickRegular(this.rnd);
    if (!o) return this.addRegular(s, BUY);
    const dir = o.side === BUY ? 1 : -1;
    const t0 = o.price / c.tick;
    let t = t0 + dir * (rng.int(5) - 2);
    // the order moves away from its own level: the book must not cross, the side must keep depth
    const onlyAtBest = b.count[o.side][o.level] === 1 && o.level === (o.side === BUY ? b.bestBid : b.bestAsk);
    if (onlyAtBest && b.nRegular[o.side] <= MIN_DEPTH) t = t0;
    // the original leaves the book before the new order is placed: limits without it
    t = o.side === BUY ? Math.min(t, Math.ceil(Math.min(b.priceOf(b.bestAsk), b.specialAskMin) / c.tick) - 1) : Math.max(t, Math.floor(b.askFloor() / c.tick) + 1);
    if (t < s.minTick) t = s.minTick;
    if (t > s.maxTick) t = s.maxTick;
    const shares = rng.chance(0.5) ? o.shares : this.size(s);
    this.replace(s, o, t * c.tick, shares);
  }

  /** A marketable order: executions against the opposite touch, possibly sweeping levels. */
  private aggressor(s: SymState, disloc: number): void {
    const c = this.c;
    const rng = c.rng;
    const b = s.book;
    let pBuy = 0.5 + 0.2 * Math.max(-1.5, Math.min(1.5, disloc)) + 0.2 * s.pressure;
    if (pBuy < 0.08) pBuy = 0.08;
    if (pBuy > 0.92) pBuy = 0.92;
    const passive: Side = rng.float() < pBuy ? SELL : BUY;
    let want = 100 * (1 + rng.geometric(0.4, 30));
    if (rng.chance(0.12)) want += b.size[passive][passive === BUY ? b.bestBid : b.bestAsk]; // take the whole touch
    const maxFills = rng.chance(0.85) ? 1 : 2 + rng.int(5);
    let levels = 0;
    let level = -2;
    let n = 0;
    while (want > 0 && n < maxFills && b.nRegular[passive] > MIN_DEPTH && c.room() > 0) {
      const best = passive === BUY ? b.bestBid : b.bestAsk;
      if (best !== level) {
        if (++levels > 3) break;
        level = best;
      }
      const o = b.head[passive][best] as Order;
      const x = Math.min(want, o.shares);
      this.exec(s, o, x, n > 0);
      want -= x;
      n++;
    }
    if (n === 0) return this.addRegular(s, passive);
    if (n > 1) c.events.sweeps++;
  }

  /** A non-displayed execution (P, order ref zero) inside the spread, often at the midpoint. */
  private hiddenTrade(s: SymState): void {
    const c = this.c;
    const rng = c.rng;
    const b = s.book;
    const bid = b.priceOf(b.bestBid);
    const ask = b.priceOf(b.bestAsk);
    let price: number;
    if (ask - bid >= 2 * c.tick && rng.chance(0.5)) price = bid + c.tick * (1 + rng.int((ask - bid) / c.tick - 1));
    else price = Math.floor((bid + ask) / 2); // midpoint, sub-penny when the spread is odd
    this.trade(s, price, this.size(s), rng.chance(0.5) ? BUY : SELL);
  }

  // ---------------------------------------------------------------- special flow

  /** Market-maker stub quotes far from the market: $0.01–0.05 bids, $199,999.99 asks. */
  stubs(s: SymState): void {
    const c = this.c;
    const rng = c.rng;
    const n = 1 + rng.int(2);
    for (let i = 0; i < n && c.room() >= 2; i++) {
      const mpid = STUB_MPIDS[(s.g.idx + i) % STUB_MPIDS.length];
      this.add(s, BUY, c.tick * (1 + rng.int(5)), 100, Kind.STUB, { mpid });
      this.add(s, SELL, 1_999_999_900, 100, Kind.STUB, { mpid });
      c.events.stubQuotes += 2;
    }
  }

  /** A sub-penny order just behind the touch (sets the engine's BAND flag while it lives). */
  offTick(s: SymState, side: Side): Order | null {
    const c = this.c;
    const b = s.book;
    if (c.tick < 2 || !b.hasBid() || !b.hasAsk()) return null;
    const k = 1 + c.rng.int(3);
    const t = side === BUY ? b.bestBid + b.baseTick - k : b.bestAsk + b.baseTick + k;
    if (t <= s.minTick || t >= s.maxTick) return null;
    const half = c.tick >> 1;
    const price = side === BUY ? t * c.tick + half : t * c.tick - half;
    if (side === BUY ? price >= b.bidLimit() : price <= b.askFloor()) return null;
    const shares = c.rng.chance(0.3) ? c.rng.range(1, 99) : 100 * c.rng.range(1, 5);
    if (side === BUY) c.events.offTickBid++;
    else c.events.offTickAsk++;
    return this.add(s, side, price, shares, Kind.OFFTICK, { mpid: c.rng.chance(0.3) ? c.rng.pick(MPIDS) : undefined });
  }

  /** Ends an off-tick order: a partial cancel then a delete, a replace back onto the tick grid, or a delete. */
  endOffTick(s: SymState, o: Order): void {
    const c = this.c;
    const rng = c.rng;
    if (o.slot < 0) return;
    const b = s.book;
    const u = rng.float();
    if (u < 0.2 && o.shares >= 2 && c.room() >= 2) {
      this.cancel(s, o, Math.max(1, o.shares >> 1));
      this.del(s, o);
    } else if (u < 0.4 && b.hasBid() && b.hasAsk()) {
      const t = o.side === BUY ? Math.floor(o.price / c.tick) - 1 : Math.ceil(o.price / c.tick) + 1;
      if (t > s.minTick && t < s.maxTick) {
        // the new regular price must not cross once the off-tick order has gone
        this.replace(s, o, t * c.tick, o.shares);
        return;
      }
      this.del(s, o);
    } else this.del(s, o);
  }

  /**
   * Ends an engineered ghost (an order the engine could not place in its book): a delete, a
   * partial cancel then a delete, or a replace onto a regular price the book takes (the
   * engine frees the ghost and places the new ref like any other order). `replace` only
   * while the engine still knows the order.
   */
  endGhost(s: SymState, o: Order): void {
    const c = this.c;
    const u = c.rng.float();
    if (u < 0.25 && o.shares >= 2 && c.room() >= 2) {
      this.cancel(s, o, Math.max(1, o.shares >> 1));
      this.del(s, o);
    } else if (u < 0.45 && o.where === Place.GHOST && s.book.hasBid() && s.book.hasAsk()) {
      const t = o.price / c.tick;
      if (this.fits(s, o.side, t)) {
        this.replace(s, o, o.price, o.shares);
        return;
      }
      this.del(s, o);
    } else this.del(s, o);
  }

  /** A trade print away from the touch (late/away print): moves the engine's collar reference. */
  awayPrint(s: SymState): boolean {
    const c = this.c;
    const rng = c.rng;
    const b = s.book;
    if (!b.hasBid() || !b.hasAsk()) return false;
    const mid = (b.priceOf(b.bestBid) + b.priceOf(b.bestAsk)) / 2;
    const off = Math.ceil((mid * (0.004 + 0.01 * rng.float())) / c.tick) * c.tick;
    const price = rng.chance(0.5) ? mid + off : mid - off;
    if (price <= c.tick) return false;
    this.trade(s, Math.floor(price / c.tick) * c.tick, this.size(s), rng.chance(0.5) ? BUY : SELL);
    // the print stays the symbol's last trade for a while: quotes move on, trading is quiet
    s.tradeHold = s.messages + 40 + rng.int(80);
    c.events.awayPrints++;
    return true;
  }

  /** A message naming an order that does not exist (never issued, or already gone). */
  unknownRef(s: SymState): void {
    const c = this.c;
    const rng = c.rng;
    const gone = this.removed[rng.int(64)];
    const ref = BigInt(gone !== 0 && rng.chance(0.5) ? gone : c.refs.unknown());
    const h = this.hdr(s);
    const u = rng.float();
    if (u < 0.4) c.sink.put(itch.delete(h, { ref }));
    else if (u < 0.6) c.sink.put(itch.cancel(h, { ref, shares: 100 }));
    else if (u < 0.85) c.sink.put(itch.executed(h, { ref, shares: 100, match: this.nextMatch() }));
    else c.sink.put(itch.replace(h, { ref, newRef: BigInt(c.refs.unknown()), shares: 100, price: s.book.priceOf(Math.max(0, s.book.bestBid)) }));
    s.messages++;
    c.events.unknownRefs++;
  }

  /**
   * Trims both touches to the same modest size (the smaller one, at most EVEN_TOUCH shares)
   * with partial cancels from the back of each level's queue: the strategy does not trade an
   * even book, and the orders a flicker or a stuck quote then makes it send are small (inside
   * every symbol's quantity and notional limits) and, buy and sell alike, of one size, so
   * alternating ones leave the position where it was.
   */
  private evenTouch(s: SymState): void {
    const b = s.book;
    if (!b.hasBid() || !b.hasAsk()) return;
    const target = Math.min(b.size[BUY][b.bestBid], b.size[SELL][b.bestAsk], EVEN_TOUCH);
    for (const side of [BUY, SELL] as const) {
      const lvl = side === BUY ? b.bestBid : b.bestAsk;
      let excess = b.size[side][lvl] - target;
      for (let o = b.tail[side][lvl]; o && excess > 0 && this.c.room() > 4; o = o.prev) {
        const x = Math.min(o.shares - 1, excess);
        if (x <= 0) continue;
        this.cancel(s, o, x);
        excess -= x;
      }
    }
  }

  /**
   * A stuck quote: the same large order appears at the touch and is pulled again, on one
   * side, `times` times, each move `gapNs` after the last (appearances ≥ 2 cooldowns apart).
   * Every appearance makes the top of book lopsided the same way (≥ 3:1 against an opposite
   * touch that does not move meanwhile), so the strategy sends the same order each time;
   * after an accepted one, the repeats inside the account's duplicate window are rejected
   * as DUPLICATE (spec §8.2). The touches are evened out first, so the pulls in between
   * leave a book the strategy does not trade.
   */
  repeat(s: SymState, times: number, gapNs: number): void {
    const c = this.c;
    const b = s.book;
    if (!b.hasBid() || !b.hasAsk()) return;
    this.evenTouch(s);
    const side: Side = c.rng.chance(0.5) ? BUY : SELL;
    const opp: Side = side === BUY ? SELL : BUY;
    const oppTop = b.size[opp][opp === BUY ? b.bestBid : b.bestAsk];
    const own = side === BUY ? b.bestBid : b.bestAsk;
    const other = side === BUY ? b.bestAsk : b.bestBid;
    let t = (side === BUY ? Math.max(own, other - 3) : Math.min(own, other + 3)) + b.baseTick;
    t = side === BUY ? this.clampBid(s, t) : this.clampAsk(s, t);
    if (!this.fits(s, side, t)) return;
    const lvl = t - b.baseTick;
    const have = (side === BUY ? lvl === b.bestBid : lvl === b.bestAsk) ? b.size[side][lvl] : 0;
    const need = Math.max(100, Math.ceil((3 * oppTop + 100 - have) / 100) * 100);
    for (let i = 0; i < times && c.room() >= 2; i++) {
      const o = this.add(s, side, t * c.tick, need, Kind.REGULAR, { mpid: 'CDRG', gap: gapNs * (1 + 0.2 * c.rng.float()) });
      c.sink.put(itch.delete(this.hdr(s, gapNs * (1 + 0.2 * c.rng.float())), { ref: BigInt(o.ref) }));
      s.messages++;
      this.forget(s, o);
    }
    c.events.repeats++;
  }

  /**
   * Quote flicker: a large order appears at the touch and is pulled again, alternately on
   * the bid and the ask, `gapNs` apart (≥ the strategy cooldown): every appearance makes the
   * top of book lopsided (≥ 3:1), every pull restores it, all within one throttle window.
   * The touches are evened out first, so the pulls leave a book the strategy does not trade
   * and its orders alternate buy and sell of one size: none repeats the one before (no
   * DUPLICATE), and the position does not drift towards its limit.
   */
  flicker(s: SymState, steps: number, gapNs: number): void {
    const c = this.c;
    const b = s.book;
    this.evenTouch(s);
    let side: Side = c.rng.chance(0.5) ? BUY : SELL;
    for (let i = 0; i + 1 < steps && c.room() >= 2; i += 2) {
      if (!b.hasBid() || !b.hasAsk()) break;
      const opp: Side = side === BUY ? SELL : BUY;
      const oppTop = b.size[opp][opp === BUY ? b.bestBid : b.bestAsk];
      // at most 3 ticks from the other side so the spread qualifies
      const own = side === BUY ? b.bestBid : b.bestAsk;
      const other = side === BUY ? b.bestAsk : b.bestBid;
      let lvl = side === BUY ? Math.max(own, other - 3) : Math.min(own, other + 3);
      let t = lvl + b.baseTick;
      t = side === BUY ? this.clampBid(s, t) : this.clampAsk(s, t);
      if (!this.fits(s, side, t)) break;
      lvl = t - b.baseTick;
      const have = (side === BUY ? lvl === b.bestBid : lvl === b.bestAsk) ? b.size[side][lvl] : 0;
      const need = Math.max(100, Math.ceil((3 * oppTop + 100 - have) / 100) * 100);
      const o = this.add(s, side, t * c.tick, need, Kind.REGULAR, { mpid: 'VIRT', gap: gapNs * (1 + 0.3 * c.rng.float()) });
      c.sink.put(itch.delete(this.hdr(s, gapNs * (1 + 0.3 * c.rng.float())), { ref: BigInt(o.ref) }));
      s.messages++;
      this.forget(s, o);
      side = opp;
    }
    c.events.flickers++;
  }
}
