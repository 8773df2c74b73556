/**
 * The venue simulator's matching rules (spec §16.9), pure and deterministic: no clock, no
 * I/O. The market is the replayed session's full-depth book (read through `MarketView`);
 * the venue's own orders are kept here, apart from it.
 *
 * - A marketable order (a buy at or above the best ask, a sell at or below the best bid)
 *   takes liquidity at once: it walks the opposite levels best first, at each level's price,
 *   while the level's price is within its limit, up to its quantity (liquidity flag `R`).
 *   The replayed book is not changed by it (the feed stays authoritative): every order sees
 *   the book as the feed left it.
 * - What is left of an IOC order (time in force `3`) is canceled; any other order rests at
 *   its limit price.
 * - A resting order fills only when the session prints a trade (ITCH E, printable C, P) at or
 *   through its price: a buy when the print's price is at or below its limit, a sell when it
 *   is at or above. It fills at its own limit price (liquidity flag `A`). A print's shares
 *   go to the resting buys (best price first, then the earliest to rest) and, separately, to
 *   the resting sells the same way, each side up to the printed shares.
 */

/** Side as OUCH spells it: B buy; S, T, E sells (T, E: short sales). */
export type VenueSide = 'B' | 'S' | 'T' | 'E';

export interface MarketView {
  /** Levels of one side of a symbol, best first: [price, shares]; [] when the symbol has none. */
  levels(symbol: string, side: 'bid' | 'ask'): readonly (readonly [number, number])[];
  /** The best price of one side (0: none). Lets an order that cannot trade skip sorting the levels. */
  best?(symbol: string, side: 'bid' | 'ask'): number;
}

export interface VenueOrder {
  session: string;
  userRefNum: number;
  side: VenueSide;
  symbol: string;
  /** Limit price in price units (4 implied decimals). */
  price: number;
  /** Open shares. */
  quantity: number;
  timeInForce: string;
}

export interface Fill {
  session: string;
  userRefNum: number;
  quantity: number;
  /** Price units. */
  price: number;
  /** `R` removed liquidity (marketable on arrival), `A` added (a resting order). */
  liquidity: 'R' | 'A';
}

export interface EnterResult {
  fills: Fill[];
  /** Shares canceled because the order is IOC (0 otherwise). */
  iocCanceled: number;
  /** Shares left resting (0 when nothing rests). */
  resting: number;
}

export const IOC = '3';
const NO_LEVELS: readonly (readonly [number, number])[] = Object.freeze([]);

interface Resting extends VenueOrder {
  /** Arrival rank: time priority among equal prices. */
  rank: number;
}

const key = (session: string, userRefNum: number) => `${session}\u0000${userRefNum}`;
const isBuy = (s: VenueSide) => s === 'B';

export class Matcher {
  private readonly resting = new Map<string, Resting>();
  /** Resting orders per symbol. */
  private readonly bySymbol = new Map<string, Set<Resting>>();
  private nextRank = 0;

  constructor(private readonly market: MarketView) {}

  /** A new (or replacing) order: its immediate fills, then what rests or is canceled. */
  enter(o: VenueOrder): EnterResult {
    if (!Number.isInteger(o.quantity) || o.quantity < 1) throw new RangeError(`venue: order ${o.session}/${o.userRefNum} has quantity ${o.quantity}`);
    if (this.resting.size > 0 && this.resting.has(key(o.session, o.userRefNum))) throw new Error(`venue: order ${o.session}/${o.userRefNum} is already live`);
    const fills: Fill[] = [];
    let left = o.quantity;
    const buy = isBuy(o.side);
    const best = this.market.best?.(o.symbol, buy ? 'ask' : 'bid');
    const cannotTrade = best !== undefined && (best === 0 || (buy ? best > o.price : best < o.price));
    for (const [px, size] of cannotTrade ? NO_LEVELS : this.market.levels(o.symbol, buy ? 'ask' : 'bid')) {
      if (left === 0 || (buy ? px > o.price : px < o.price)) break;
      const q = Math.min(left, size);
      if (q <= 0) continue;
      fills.push({ session: o.session, userRefNum: o.userRefNum, quantity: q, price: px, liquidity: 'R' });
      left -= q;
    }
    if (left === 0) return { fills, iocCanceled: 0, resting: 0 };
    if (o.timeInForce === IOC) return { fills, iocCanceled: left, resting: 0 };
    const r: Resting = { ...o, quantity: left, rank: this.nextRank++ };
    this.resting.set(key(o.session, o.userRefNum), r);
    let set = this.bySymbol.get(o.symbol);
    if (!set) this.bySymbol.set(o.symbol, (set = new Set()));
    set.add(r);
    return { fills, iocCanceled: 0, resting: left };
  }

  /** Sets a resting order's open shares (a cancel or modify); 0 removes it. False if it does not rest here. */
  reduce(session: string, userRefNum: number, open: number): boolean {
    const r = this.resting.get(key(session, userRefNum));
    if (!r) return false;
    if (open <= 0) this.remove(r);
    else r.quantity = Math.min(r.quantity, open);
    return true;
  }

  /** The open shares of a resting order, or 0. */
  open(session: string, userRefNum: number): number {
    return this.resting.get(key(session, userRefNum))?.quantity ?? 0;
  }

  /** Resting orders, in no particular order (copies). */
  restingOrders(): VenueOrder[] {
    return [...this.resting.values()].map(({ rank: _rank, ...o }) => ({ ...o }));
  }

  /** A trade printed in the session: the fills of the resting orders it goes through. */
  print(symbol: string, price: number, shares: number): Fill[] {
    const set = this.bySymbol.get(symbol);
    if (!set || set.size === 0 || shares <= 0) return [];
    const buys = [...set].filter((r) => isBuy(r.side) && r.price >= price).sort((a, b) => b.price - a.price || a.rank - b.rank);
    const sells = [...set].filter((r) => !isBuy(r.side) && r.price <= price).sort((a, b) => a.price - b.price || a.rank - b.rank);
    const fills: Fill[] = [];
    for (const side of [buys, sells]) {
      let left = shares;
      for (const r of side) {
        if (left === 0) break;
        const q = Math.min(left, r.quantity);
        fills.push({ session: r.session, userRefNum: r.userRefNum, quantity: q, price: r.price, liquidity: 'A' });
        left -= q;
        r.quantity -= q;
        if (r.quantity === 0) this.remove(r);
      }
    }
    return fills;
  }

  private remove(r: Resting): void {
    this.resting.delete(key(r.session, r.userRefNum));
    const set = this.bySymbol.get(r.symbol);
    set?.delete(r);
    if (set && set.size === 0) this.bySymbol.delete(r.symbol);
  }
}
