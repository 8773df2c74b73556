/**
 * The generator's own full-depth order book for one symbol. Every message the generator
 * writes is derived from it, so references always point to live orders and the book stays
 * uncrossed. Regular orders sit on tick levels (FIFO per level) in a dense array around the
 * opening price; "special" orders (stub quotes far from the market, sub-penny orders) are
 * kept aside: they never trade and new orders are priced so they never cross them.
 */
import type { Place } from './refs.ts';

export const BUY = 0;
export const SELL = 1;
export type Side = typeof BUY | typeof SELL;

export const Kind = {
  /** On a tick level inside the dense range. */
  REGULAR: 0,
  /** Stub quote far away from the market ($0.01 bid, $199,999.99 ask). */
  STUB: 1,
  /** Sub-penny (off-tick) price. */
  OFFTICK: 2,
  /** A deep order the engine cannot place in its book (engineered collision): a ghost or an untracked drop. */
  GHOST: 3,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface Order {
  ref: number;
  sym: number;
  side: Side;
  /** Price in price units. */
  price: number;
  shares: number;
  kind: Kind;
  /** Level index (regular orders). */
  level: number;
  prev: Order | null;
  next: Order | null;
  /** Position in the book's `regular` or `special` array (swap-remove). */
  slot: number;
  /** Where the engine's order table keeps it (src/gen/refs.ts; NONE for unsubscribed symbols). */
  where: Place;
}


export class SymbolBook {
  /** Tick of level 0; levels cover [baseTick, baseTick + range). */
  readonly baseTick: number;
  readonly range: number;
  readonly size: [Float64Array, Float64Array];
  readonly count: [Int32Array, Int32Array];
  readonly head: [(Order | null)[], (Order | null)[]];
  readonly tail: [(Order | null)[], (Order | null)[]];
  /** Best bid level (-1 when none), best ask level (`range` when none). */
  bestBid = -1;
  bestAsk: number;
  /** Regular orders per side. */
  readonly nRegular: [number, number] = [0, 0];
  readonly regular: Order[] = [];
  readonly special: Order[] = [];
  /** Highest special bid / lowest special ask price (price units); -1 / Infinity when none. */
  specialBidMax = -1;
  specialAskMin = Infinity;
  /** Recently added regular orders (ring, may hold dead orders) for recency-biased cancels. */
  readonly recent: (Order | null)[] = new Array(32).fill(null);
  private recentPos = 0;

  /** Covers ticks startTick ± halfRange (clipped at tick 0). */
  constructor(
    readonly sym: number,
    startTick: number,
    halfRange: number,
    readonly tick: number,
  ) {
    this.baseTick = Math.max(0, startTick - halfRange);
    const n = startTick + halfRange - this.baseTick;
    this.range = n;
    this.bestAsk = n;
    this.size = [new Float64Array(n), new Float64Array(n)];
    this.count = [new Int32Array(n), new Int32Array(n)];
    this.head = [new Array(n).fill(null), new Array(n).fill(null)];
    this.tail = [new Array(n).fill(null), new Array(n).fill(null)];
  }

  levelOf(price: number): number {
    return price / this.tick - this.baseTick;
  }
  priceOf(level: number): number {
    return (level + this.baseTick) * this.tick;
  }
  hasBid(): boolean {
    return this.bestBid >= 0;
  }
  hasAsk(): boolean {
    return this.bestAsk < this.range;
  }
  /** Highest price a new regular ask must exceed / lowest a new bid must stay under (price units). */
  bidCeiling(): number {
    return this.hasAsk() ? this.priceOf(this.bestAsk) : Infinity;
  }
  askFloor(): number {
    return Math.max(this.hasBid() ? this.priceOf(this.bestBid) : -1, this.specialBidMax);
  }
  bidLimit(): number {
    return Math.min(this.bidCeiling(), this.specialAskMin);
  }

  insert(o: Order): void {
    if (o.kind === Kind.REGULAR) {
      const l = this.levelOf(o.price);
      if (!(l >= 0 && l < this.range && Number.isInteger(l))) throw new Error(`generator bug: regular price ${o.price} outside the range`);
      const side = o.side;
      if (side === BUY ? l >= this.bestAsk : l <= this.bestBid) throw new Error(`generator bug: order at ${o.price} would cross`);
      o.level = l;
      o.prev = this.tail[side][l];
      o.next = null;
      if (o.prev) o.prev.next = o;
      else this.head[side][l] = o;
      this.tail[side][l] = o;
      this.size[side][l] += o.shares;
      this.count[side][l]++;
      this.nRegular[side]++;
      if (side === BUY) {
        if (l > this.bestBid) this.bestBid = l;
      } else if (l < this.bestAsk) this.bestAsk = l;
      o.slot = this.regular.length;
      this.regular.push(o);
      this.recent[this.recentPos] = o;
      this.recentPos = (this.recentPos + 1) & 31;
    } else {
      o.slot = this.special.length;
      this.special.push(o);
      if (o.side === BUY) this.specialBidMax = Math.max(this.specialBidMax, o.price);
      else this.specialAskMin = Math.min(this.specialAskMin, o.price);
    }
  }

  /** Reduces an order by `n` shares (n < shares). */
  reduce(o: Order, n: number): void {
    o.shares -= n;
    if (o.kind === Kind.REGULAR) this.size[o.side][o.level] -= n;
  }

  remove(o: Order): void {
    if (o.kind === Kind.REGULAR) {
      const side = o.side;
      const l = o.level;
      if (o.prev) o.prev.next = o.next;
      else this.head[side][l] = o.next;
      if (o.next) o.next.prev = o.prev;
      else this.tail[side][l] = o.prev;
      o.prev = o.next = null;
      this.size[side][l] -= o.shares;
      this.count[side][l]--;
      this.nRegular[side]--;
      if (this.count[side][l] === 0) {
        this.size[side][l] = 0;
        if (side === BUY && l === this.bestBid) {
          let x = l - 1;
          if (this.nRegular[BUY] === 0) x = -1;
          else while (this.count[BUY][x] === 0) x--;
          this.bestBid = x;
        } else if (side === SELL && l === this.bestAsk) {
          let x = l + 1;
          if (this.nRegular[SELL] === 0) x = this.range;
          else while (this.count[SELL][x] === 0) x++;
          this.bestAsk = x;
        }
      }
      swapRemove(this.regular, o);
    } else {
      swapRemove(this.special, o);
      if (o.side === BUY && o.price === this.specialBidMax) {
        this.specialBidMax = -1;
        for (const s of this.special) if (s.side === BUY && s.price > this.specialBidMax) this.specialBidMax = s.price;
      } else if (o.side === SELL && o.price === this.specialAskMin) {
        this.specialAskMin = Infinity;
        for (const s of this.special) if (s.side === SELL && s.price < this.specialAskMin) this.specialAskMin = s.price;
      }
    }
  }

  /** A live regular order, 60% of the time one of the most recently added ones. */
  pickRegular(rnd: () => number, side?: Side): Order | null {
    if (rnd() < 0.6) {
      for (let t = 0; t < 4; t++) {
        const o = this.recent[Math.floor(rnd() * 32)];
        if (o && o.slot >= 0 && this.regular[o.slot] === o && (side === undefined || o.side === side)) return o;
      }
    }
    const n = this.regular.length;
    if (n === 0) return null;
    for (let t = 0; t < 8; t++) {
      const o = this.regular[Math.floor(rnd() * n)];
      if (side === undefined || o.side === side) return o;
    }
    return null;
  }
}

function swapRemove(arr: Order[], o: Order): void {
  const i = o.slot;
  const last = arr.pop() as Order;
  if (last !== o) {
    arr[i] = last;
    last.slot = i;
  }
  o.slot = -1;
}
