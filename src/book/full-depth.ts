/**
 * A plain full-depth order book built only from ITCH semantics (spec §3.2) — no price
 * window, no order-table sets, no wrapping — for a list of symbols or for every symbol of
 * the session's directory. Two users:
 * - the tests' independent reference: what the engine's top of book must equal whenever its
 *   flags are 0 (§6: "When no flag is set, the top of book equals that of a full-depth book
 *   of all the symbol's orders"; test/refbook/compare.ts);
 * - the venue simulator's market (src/venue/, spec §16.9): depth to take liquidity from, and
 *   the trades the session prints (`lastPrint`).
 *
 * Simple over fast: a Map of live orders, and per symbol and side a Map price → shares.
 * The best price is cached and recomputed by a full scan whenever the cached best level
 * empties.
 */
import { decodeMessage } from '../itch/decode.ts';

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

  /** Every level, best first: [price, shares]. */
  sorted(): [number, number][] {
    return [...this.levels].sort((a, b) => (this.isBid ? b[0] - a[0] : a[0] - b[0]));
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

/** A trade the session printed: an execution (E, C printable) or a non-displayed trade (P). */
export interface Print {
  sym: number;
  /** Price units (4 implied decimals). */
  price: number;
  shares: number;
}

interface Order {
  sym: number;
  buy: boolean;
  price: number;
  shares: number;
}

export class FullDepthBook {
  /** Space-padded 8-byte names of the tracked symbols, in index order. */
  private readonly names: Buffer[];
  private readonly index = new Map<string, number>();
  private readonly locate = new Map<number, number>();
  private readonly orders = new Map<bigint, Order>();
  private readonly bids: Side[];
  private readonly asks: Side[];
  /** Every symbol of the directory is tracked (no list given): R messages add them. */
  private readonly open: boolean;
  /** Adds whose ref was already live (never in real feeds; the reference cannot model it). */
  duplicateRefs = 0;
  /** The trade printed by the last message applied, or null. */
  lastPrint: Print | null = null;

  /** `symbols`: the symbols to track, in index order; omitted: every symbol of the directory, in order of appearance. */
  constructor(symbols?: readonly string[]) {
    this.open = symbols === undefined;
    this.names = [];
    this.bids = [];
    this.asks = [];
    for (const s of symbols ?? []) this.track(s);
  }

  private track(s: string): number {
    const i = this.names.length;
    this.names.push(Buffer.from(s.padEnd(8, ' ').slice(0, 8), 'latin1'));
    this.index.set(s, i);
    this.bids.push(new Side(true));
    this.asks.push(new Side(false));
    return i;
  }

  /** Index of a tracked symbol (trailing spaces removed), or undefined. */
  symbolIndex(symbol: string): number | undefined {
    return this.index.get(symbol);
  }

  /** Name of a tracked symbol by index. */
  symbolName(sym: number): string {
    return this.names[sym].toString('latin1').trimEnd();
  }

  /** Every level of one side of a symbol, best first: [price, shares]; [] for an untracked symbol. */
  levels(sym: number, side: 'bid' | 'ask'): [number, number][] {
    const s = (side === 'bid' ? this.bids : this.asks)[sym];
    return s ? s.sorted() : [];
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
    this.lastPrint = null;
    const m = decodeMessage(msg);
    if (!m) return -1; // unknown type, bad length, or the control message: no book effect
    switch (m.type) {
      case 'R': {
        const raw = msg.subarray(11, 19);
        let i = this.names.findIndex((n) => n.equals(raw));
        if (i < 0 && this.open) i = this.index.get(m.stock) ?? this.track(m.stock);
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
        const shares = Math.min(m.shares, o.shares);
        if (m.type === 'E' && shares > 0) this.lastPrint = { sym: o.sym, price: o.price, shares };
        if (m.type === 'C' && m.printable && shares > 0) this.lastPrint = { sym: o.sym, price: m.price, shares };
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
      case 'P': {
        // A trade against a non-displayed order: no book effect, but a print.
        const sym = this.locate.get(m.locate);
        if (sym !== undefined && m.shares > 0) this.lastPrint = { sym, price: m.price, shares: m.shares };
        return -1;
      }
      default:
        return -1;
    }
  }
}
