// The replay report's P&L book (src/report/pnl.ts, bigint arithmetic) gives exactly what its
// decimal.js version gave, on random fill sequences that open, add, reduce, close and flip.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { PnlBook } from '../../src/report/pnl.ts';

/** The decimal.js implementation the book had before, kept here as the reference. */
class ReferencePnl {
  readonly bySymbol = new Map<number, { position: number; avgPrice: Decimal; realised: Decimal; bought: number; sold: number; fills: number }>();
  fill(symbol: number, side: 'B' | 'S', price: number, qty: number): void {
    let s = this.bySymbol.get(symbol);
    if (!s) {
      s = { position: 0, avgPrice: new Decimal(0), realised: new Decimal(0), bought: 0, sold: 0, fills: 0 };
      this.bySymbol.set(symbol, s);
    }
    const px = new Decimal(price).div(new Decimal(10000));
    const signed = side === 'B' ? qty : -qty;
    s.fills++;
    if (side === 'B') s.bought += qty;
    else s.sold += qty;
    const pos = s.position;
    if (pos === 0 || Math.sign(pos) === Math.sign(signed)) {
      const newPos = pos + signed;
      s.avgPrice = s.avgPrice.mul(Math.abs(pos)).add(px.mul(qty)).div(Math.abs(newPos));
      s.position = newPos;
      return;
    }
    const closing = Math.min(Math.abs(pos), qty);
    const perShare = pos > 0 ? px.sub(s.avgPrice) : s.avgPrice.sub(px);
    s.realised = s.realised.add(perShare.mul(closing));
    const newPos = pos + signed;
    if (newPos === 0) s.avgPrice = new Decimal(0);
    else if (Math.sign(newPos) !== Math.sign(pos)) s.avgPrice = px;
    s.position = newPos;
  }
}

const fill = fc.record({
  symbol: fc.integer({ min: 0, max: 3 }),
  side: fc.constantFrom('B' as const, 'S' as const),
  price: fc.oneof(fc.integer({ min: 1, max: 20_000_000 }), fc.integer({ min: 1, max: 0xffffffff })),
  qty: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 5_000_000 })),
});

describe('P&L book', () => {
  it('equals the decimal.js book: positions, average prices and realised P&L, exactly', () => {
    fc.assert(
      fc.property(fc.array(fill, { minLength: 1, maxLength: 300 }), (fills) => {
        const a = new PnlBook();
        const b = new ReferencePnl();
        for (const f of fills) {
          a.fill(f.symbol, f.side, f.price, f.qty);
          b.fill(f.symbol, f.side, f.price, f.qty);
        }
        expect([...a.bySymbol.keys()]).toEqual([...b.bySymbol.keys()]);
        for (const [k, r] of b.bySymbol) {
          const p = a.bySymbol.get(k)!;
          expect([p.position, p.bought, p.sold, p.fills]).toEqual([r.position, r.bought, r.sold, r.fills]);
          expect(p.avgPrice.equals(r.avgPrice), `avg ${p.avgPrice} vs ${r.avgPrice}`).toBe(true);
          expect(p.realised.equals(r.realised), `realised ${p.realised} vs ${r.realised}`).toBe(true);
          expect([p.avgPrice.toFixed(4), p.realised.toFixed(2)]).toEqual([r.avgPrice.toFixed(4), r.realised.toFixed(2)]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('starts seeded positions at a zero average cost', () => {
    const a = new PnlBook([0, 500]);
    expect(a.bySymbol.get(1)?.position).toBe(500);
    expect(a.bySymbol.get(1)?.avgPrice.toFixed(4)).toBe('0.0000');
    a.fill(1, 'S', 1_000_000, 200);
    expect(a.bySymbol.get(1)?.realised.toFixed(2)).toBe('20000.00');
  });
});
