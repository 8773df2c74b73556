/**
 * The venue's matching rules (spec §16.9) against hand-built books: marketable orders walk
 * the opposite levels within their limit, IOC remainders are canceled, the rest rests and
 * fills only on prints at or through its price, at its own price, in price-time priority.
 * Also: the full-depth book the venue reads reports ITCH prints (E, printable C, P) exactly.
 */
import { describe, expect, it } from 'vitest';
import { FullDepthBook } from '../../src/book/full-depth.ts';
import { itch } from '../../src/itch/encode.ts';
import { Matcher, type MarketView, type VenueOrder } from '../../src/venue/matching.ts';

/** A hand-built market: per symbol, bids and asks best first. */
function market(books: Record<string, { bid?: [number, number][]; ask?: [number, number][] }>): MarketView {
  return { levels: (s, side) => books[s]?.[side] ?? [] };
}

const AAPL = market({ AAPL: { bid: [[1_870_000, 300], [1_869_900, 500]], ask: [[1_870_100, 200], [1_870_200, 400], [1_870_500, 1000]] } });

function order(o: Partial<VenueOrder>): VenueOrder {
  return { session: 'S1', userRefNum: 1, side: 'B', symbol: 'AAPL', price: 1_870_000, quantity: 100, timeInForce: '0', ...o };
}

describe('venue matching: an order on arrival', () => {
  it('a buy at the best ask fills at the best ask up to its quantity', () => {
    const m = new Matcher(AAPL);
    const r = m.enter(order({ price: 1_870_100, quantity: 150 }));
    expect(r).toEqual({ fills: [{ session: 'S1', userRefNum: 1, quantity: 150, price: 1_870_100, liquidity: 'R' }], iocCanceled: 0, resting: 0 });
    expect(m.restingOrders()).toEqual([]);
  });

  it('a buy through several levels walks them best first, each at its own price, and stops at its limit', () => {
    const m = new Matcher(AAPL);
    const r = m.enter(order({ price: 1_870_200, quantity: 700 }));
    expect(r.fills.map((f) => [f.quantity, f.price])).toEqual([[200, 1_870_100], [400, 1_870_200]]);
    // 100 shares left: nothing more within the limit, so they rest at the limit.
    expect(r.resting).toBe(100);
    expect(m.open('S1', 1)).toBe(100);
  });

  it('a sell at or below the best bid takes the bids, best first', () => {
    const m = new Matcher(AAPL);
    const r = m.enter(order({ side: 'S', price: 1_869_900, quantity: 400 }));
    expect(r.fills.map((f) => [f.quantity, f.price, f.liquidity])).toEqual([[300, 1_870_000, 'R'], [100, 1_869_900, 'R']]);
    expect(r.resting).toBe(0);
  });

  it('short sales (T, E) are sells', () => {
    const m = new Matcher(AAPL);
    expect(m.enter(order({ side: 'T', price: 1_870_000, quantity: 10 })).fills[0]).toMatchObject({ quantity: 10, price: 1_870_000 });
    expect(m.enter(order({ side: 'E', userRefNum: 2, price: 1_870_000, quantity: 10 })).fills[0]).toMatchObject({ quantity: 10, price: 1_870_000 });
  });

  it('an order that is not marketable rests whole', () => {
    const m = new Matcher(AAPL);
    expect(m.enter(order({ price: 1_870_000, quantity: 100 }))).toEqual({ fills: [], iocCanceled: 0, resting: 100 });
    expect(m.restingOrders()).toEqual([order({ price: 1_870_000, quantity: 100 })]);
  });

  it('an IOC order cancels what it cannot fill at once, and never rests', () => {
    const m = new Matcher(AAPL);
    expect(m.enter(order({ price: 1_870_100, quantity: 250, timeInForce: '3' }))).toEqual({
      fills: [{ session: 'S1', userRefNum: 1, quantity: 200, price: 1_870_100, liquidity: 'R' }], iocCanceled: 50, resting: 0,
    });
    expect(m.enter(order({ userRefNum: 2, price: 1_860_000, quantity: 40, timeInForce: '3' }))).toEqual({ fills: [], iocCanceled: 40, resting: 0 });
    expect(m.restingOrders()).toEqual([]);
  });

  it('a symbol without a book: nothing fills, the order rests', () => {
    const m = new Matcher(AAPL);
    expect(m.enter(order({ symbol: 'ZZZZ', price: 1_000_000_000 }))).toEqual({ fills: [], iocCanceled: 0, resting: 100 });
  });

  it('the replayed book is not consumed: two orders at the same position both see the level', () => {
    const m = new Matcher(AAPL);
    expect(m.enter(order({ price: 1_870_100, quantity: 200 })).fills[0].quantity).toBe(200);
    expect(m.enter(order({ userRefNum: 2, price: 1_870_100, quantity: 200 })).fills[0].quantity).toBe(200);
  });

  it('refuses a second live order with the same session and UserRefNum, and a quantity below 1', () => {
    const m = new Matcher(AAPL);
    m.enter(order({ price: 1_000_000 }));
    expect(() => m.enter(order({ price: 1_000_000 }))).toThrow(/already live/);
    expect(() => m.enter(order({ userRefNum: 9, quantity: 0 }))).toThrow(/quantity 0/);
  });
});

describe('venue matching: resting orders and prints', () => {
  const empty = market({});

  it('a print at or through a resting buy fills it at its own price, partially by the printed size', () => {
    const m = new Matcher(empty);
    m.enter(order({ price: 1_870_000, quantity: 500 }));
    expect(m.print('AAPL', 1_870_100, 1000)).toEqual([]); // above the buy's limit: not through it
    expect(m.print('AAPL', 1_870_000, 200)).toEqual([{ session: 'S1', userRefNum: 1, quantity: 200, price: 1_870_000, liquidity: 'A' }]);
    expect(m.print('AAPL', 1_869_000, 1000)).toEqual([{ session: 'S1', userRefNum: 1, quantity: 300, price: 1_870_000, liquidity: 'A' }]);
    expect(m.restingOrders()).toEqual([]);
  });

  it('a print at or above a resting sell fills it', () => {
    const m = new Matcher(empty);
    m.enter(order({ side: 'S', price: 1_870_500, quantity: 100 }));
    expect(m.print('AAPL', 1_870_400, 100)).toEqual([]);
    expect(m.print('AAPL', 1_870_500, 60)).toEqual([{ session: 'S1', userRefNum: 1, quantity: 60, price: 1_870_500, liquidity: 'A' }]);
  });

  it('a print on another symbol fills nothing', () => {
    const m = new Matcher(empty);
    m.enter(order({ price: 1_870_000 }));
    expect(m.print('MSFT', 1, 1000)).toEqual([]);
  });

  it("a print's shares go to the best price first, then the earliest order; buys and sells each up to the print", () => {
    const m = new Matcher(empty);
    m.enter(order({ session: 'S1', userRefNum: 1, price: 1_870_000, quantity: 100 }));
    m.enter(order({ session: 'S2', userRefNum: 1, price: 1_870_100, quantity: 100 }));
    m.enter(order({ session: 'S1', userRefNum: 2, price: 1_870_000, quantity: 100 }));
    m.enter(order({ session: 'S3', userRefNum: 1, side: 'S', price: 1_869_000, quantity: 400 }));
    const fills = m.print('AAPL', 1_870_000, 250);
    expect(fills.map((f) => [f.session, f.userRefNum, f.quantity, f.price])).toEqual([
      ['S2', 1, 100, 1_870_100],
      ['S1', 1, 100, 1_870_000],
      ['S1', 2, 50, 1_870_000],
      ['S3', 1, 250, 1_869_000],
    ]);
    expect(m.open('S1', 2)).toBe(50);
    expect(m.open('S3', 1)).toBe(150);
  });

  it('reduce sets the open shares, 0 removes the order; a removed order no longer fills', () => {
    const m = new Matcher(empty);
    m.enter(order({ price: 1_870_000, quantity: 500 }));
    expect(m.reduce('S1', 1, 120)).toBe(true);
    expect(m.open('S1', 1)).toBe(120);
    expect(m.print('AAPL', 1_870_000, 1000)[0].quantity).toBe(120);
    m.enter(order({ userRefNum: 2, price: 1_870_000, quantity: 500 }));
    expect(m.reduce('S1', 2, 0)).toBe(true);
    expect(m.print('AAPL', 1_870_000, 1000)).toEqual([]);
    expect(m.reduce('S1', 7, 0)).toBe(false);
  });
});

describe('the full-depth book the venue reads', () => {
  const h = (ts = 1000) => ({ locate: 1, ts });
  function book(): FullDepthBook {
    const b = new FullDepthBook();
    b.apply(itch.stockDirectory(h(), 'AAPL'));
    b.apply(itch.addOrder(h(), { ref: 1n, side: 'S', shares: 300, stock: 'AAPL', price: 1_870_100 }));
    b.apply(itch.addOrder(h(), { ref: 2n, side: 'S', shares: 100, stock: 'AAPL', price: 1_870_300 }));
    b.apply(itch.addOrder(h(), { ref: 3n, side: 'B', shares: 200, stock: 'AAPL', price: 1_869_900 }));
    return b;
  }

  it('tracks every symbol of the directory and lists levels best first', () => {
    const b = book();
    const i = b.symbolIndex('AAPL')!;
    expect(b.symbolName(i)).toBe('AAPL');
    expect(b.levels(i, 'ask')).toEqual([[1_870_100, 300], [1_870_300, 100]]);
    expect(b.levels(i, 'bid')).toEqual([[1_869_900, 200]]);
  });

  it('E prints at the resting order price, printable C at its price, non-printable C not at all, P at its price', () => {
    const b = book();
    b.apply(itch.executed(h(), { ref: 1n, shares: 50, match: 1n }));
    expect(b.lastPrint).toEqual({ sym: 0, price: 1_870_100, shares: 50 });
    b.apply(itch.executedWithPrice(h(), { ref: 1n, shares: 10, match: 2n, printable: true, price: 1_870_050 }));
    expect(b.lastPrint).toEqual({ sym: 0, price: 1_870_050, shares: 10 });
    b.apply(itch.executedWithPrice(h(), { ref: 1n, shares: 10, match: 3n, printable: false, price: 1_870_050 }));
    expect(b.lastPrint).toBeNull();
    b.apply(itch.trade(h(), { ref: 0n, side: 'B', shares: 77, stock: 'AAPL', price: 1_869_950, match: 4n }));
    expect(b.lastPrint).toEqual({ sym: 0, price: 1_869_950, shares: 77 });
    b.apply(itch.cancel(h(), { ref: 1n, shares: 5 }));
    expect(b.lastPrint).toBeNull();
    expect(b.levels(0, 'ask')).toEqual([[1_870_100, 225], [1_870_300, 100]]);
  });
});
