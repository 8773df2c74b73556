/**
 * Independent reference book: a plain full-depth order book for the subscribed symbols,
 * built only from ITCH semantics (spec §3.2) — no price window, no order-table sets, no
 * wrapping. It is what the engine's top of book must equal whenever its flags are 0 (§6:
 * "When no flag is set, the top of book equals that of a full-depth book of all the
 * symbol's orders").
 *
 * Simple over fast: a Map of live orders, and per symbol and side a Map price → shares.
 * The best price is cached and recomputed by a full scan whenever the cached best level
 * empties.
 */
import { decodeMessage } from '../../src/itch/decode.ts';

export interface Top {
  bidPx: number;
  bidSz: number;
  askPx: number;
  askSz: number;
}

export const EMPTY_TOP: Readonly<Top> = Object.freeze({ bidPx: 0, bidSz: 0, askPx: 0, askSz: 0 });

export function sameTop(a: Top, b: Top): boolean {
  return a.bidPx === b.bidPx && a.bidSz === b.bidSz && a.askPx === b.askPx && a.askSz === b.askSz;
}

class Side {
  readonly levels = new Map<number, number>();
  private best = -1; // -1: none
  private dirty = false;

  constructor(private readonly isBid: boolean) {}

  private better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  add(price: number, shares: number): void {
    if (shares === 0) return;
    this.levels.set(price, (this.levels.get(price) ?? 0) + shares);
    if (!this.dirty && (this.best < 0 || this.better(price, this.best))) this.best = price;
  }

  sub(price: number, shares: number): void {
    if (shares === 0) return;
    const v = this.levels.get(price);
    if (v === undefined || v < shares) throw new Error(`reference book: level ${price} has ${v} < ${shares}`);
    if (v === shares) {
      this.levels.delete(price);
      if (price === this.best) this.dirty = true;
    } else {
      this.levels.set(price, v - shares);
    }
  }

  top(): [number, number] {
    if (this.dirty) {
      this.best = -1;
      for (const p of this.levels.keys()) if (this.best < 0 || this.better(p, this.best)) this.best = p;
      this.dirty = false;
    }
    return this.best < 0 ? [0, 0] : [this.best, this.levels.get(this.best)!];
  }
}

interface Order {
  sym: number;
  buy: boolean;
  price: number;
  shares: number;
}

export class ReferenceBook {
  /** Space-padded 8-byte names of the configured symbols, in index order. */
  private readonly names: Buffer[];
  private readonly locate = new Map<number, number>();
  private readonly orders = new Map<bigint, Order>();
  private readonly bids: Side[];
  private readonly asks: Side[];
  /** Adds whose ref was already live (never in real feeds; the reference cannot model it). */
  duplicateRefs = 0;

  constructor(symbols: readonly string[]) {
    this.names = symbols.map((s) => Buffer.from(s.padEnd(8, ' ').slice(0, 8), 'latin1'));
    this.bids = symbols.map(() => new Side(true));
    this.asks = symbols.map(() => new Side(false));
  }

  get liveOrders(): number {
    return this.orders.size;
  }

  top(sym: number): Top {
    const [bidPx, bidSz] = this.bids[sym].top();
    const [askPx, askSz] = this.asks[sym].top();
    return { bidPx, bidSz, askPx, askSz };
  }

  hasOrder(ref: bigint): boolean {
    return this.orders.has(ref);
  }

  private insert(ref: bigint, o: Order): void {
    if (this.orders.has(ref)) this.duplicateRefs++;
    this.orders.set(ref, o);
    (o.buy ? this.bids : this.asks)[o.sym].add(o.price, o.shares);
  }

  private reduce(ref: bigint, o: Order, n: number): void {
    const r = Math.min(n, o.shares);
    (o.buy ? this.bids : this.asks)[o.sym].sub(o.price, r);
    o.shares -= r;
    if (o.shares === 0) this.orders.delete(ref);
  }

  private remove(ref: bigint, o: Order): void {
    (o.buy ? this.bids : this.asks)[o.sym].sub(o.price, o.shares);
    this.orders.delete(ref);
  }

  /**
   * Applies one message (without its length prefix). Returns the symbol whose book the
   * message touched (found or inserted an order), or -1.
   */
  apply(msg: Buffer): number {
    const m = decodeMessage(msg);
    if (!m) return -1; // unknown type, bad length, or the control message: no book effect
    switch (m.type) {
      case 'R': {
        const raw = msg.subarray(11, 19);
        const i = this.names.findIndex((n) => n.equals(raw));
        if (i >= 0) this.locate.set(m.locate, i);
        else this.locate.delete(m.locate);
        return -1;
      }
      case 'A':
      case 'F': {
        const sym = this.locate.get(m.locate);
        if (sym === undefined) return -1;
        this.insert(m.ref, { sym, buy: m.side === 'B', price: m.price, shares: m.shares });
        return sym;
      }
      case 'E':
      case 'C':
      case 'X': {
        const o = this.orders.get(m.ref);
        if (!o) return -1;
        this.reduce(m.ref, o, m.shares);
        return o.sym;
      }
      case 'D': {
        const o = this.orders.get(m.ref);
        if (!o) return -1;
        this.remove(m.ref, o);
        return o.sym;
      }
      case 'U': {
        const o = this.orders.get(m.ref);
        if (!o) return -1;
        this.remove(m.ref, o);
        this.insert(m.newRef, { sym: o.sym, buy: o.buy, price: m.price, shares: m.shares });
        return o.sym;
      }
      default:
        return -1;
    }
  }
}
