// The bigint arithmetic of src/clearing/exact.ts against decimal.js itself: every operation
// the money code uses, in both configurations it uses (the report's P&L: decimal.js's
// defaults, 20 digits half-up; clearing: 40 digits half-even), must give the same value.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { D } from '../../src/clearing/decimal.ts';
import { digitsOf, Dx, DxContext, dxOf, ROUND_HALF_EVEN, ROUND_HALF_UP } from '../../src/clearing/exact.ts';

const contexts = [
  { name: 'P&L (20 digits, half up)', ctx: new DxContext(20, ROUND_HALF_UP, Decimal), Ctor: Decimal },
  { name: 'clearing (40 digits, half even)', ctx: new DxContext(40, ROUND_HALF_EVEN, D), Ctor: D },
];

/** Coefficients of up to `digits` digits, many with runs of 9s and 0s and exact halves (rounding edges). */
const coef = (maxDigits: number) =>
  fc.oneof(
    fc.bigInt({ min: -(10n ** BigInt(maxDigits)) + 1n, max: 10n ** BigInt(maxDigits) - 1n }),
    fc.tuple(fc.integer({ min: 1, max: maxDigits }), fc.constantFrom(0n, 5n, 9n, 1n, 4n, 6n), fc.boolean()).map(([n, d, neg]) => {
      let x = 0n;
      for (let i = 0; i < n; i++) x = x * 10n + (i === 0 ? 5n : d);
      return neg ? -x : x;
    }),
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map(BigInt),
  );
const dx = (maxDigits: number, minE: number, maxE: number) => fc.tuple(coef(maxDigits), fc.integer({ min: minE, max: maxE })).map(([c, e]) => new Dx(c, e));

describe('exact decimal arithmetic equals decimal.js', () => {
  it('digitsOf', () => {
    for (let d = 1; d < 120; d++) {
      const p = 10n ** BigInt(d - 1);
      expect(digitsOf(p)).toBe(d);
      expect(digitsOf(p * 10n - 1n)).toBe(d);
      if (d > 1) expect(digitsOf(p - 1n)).toBe(d - 1);
    }
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 90n }), (x) => digitsOf(x) === x.toString().length), { numRuns: 5000 });
  });

  for (const { name, ctx, Ctor } of contexts) {
    const dec = (x: Dx) => new Ctor(x.c === 0n ? '0' : `${x.c}e${x.e}`);
    const same = (got: Dx, want: Decimal) => {
      expect(ctx.toDecimal(got).equals(want), `${got.c}e${got.e} vs ${want.toString()}`).toBe(true);
      // And the value round-trips through the decimal.js form.
      expect(dxOf(want).cmp(got)).toBe(0);
    };
    it(`${name}: times, plus, minus, dividedBy on money-shaped values`, () => {
      const P = ctx.precision;
      const money = dx(P + 6, -P - 4, 4);
      fc.assert(
        fc.property(money, money, (a, b) => {
          same(ctx.times(a, b), dec(a).times(dec(b)));
          same(ctx.plus(a, b), dec(a).plus(dec(b)));
          same(ctx.minus(a, b), dec(a).minus(dec(b)));
          if (b.c !== 0n) same(ctx.dividedBy(a, b), dec(a).dividedBy(dec(b)));
        }),
        { numRuns: 4000 },
      );
    });
    it(`${name}: the shapes of a fill (price units, share counts, averages)`, () => {
      const price = fc.integer({ min: 1, max: 0xffffffff });
      const shares = fc.integer({ min: 1, max: 50_000_000 });
      fc.assert(
        fc.property(price, price, shares, shares, (p1, p2, q1, q2) => {
          const px1 = new Dx(BigInt(p1), -4);
          const px2 = new Dx(BigInt(p2), -4);
          const avg = ctx.dividedByInt(ctx.plus(ctx.timesInt(px1, q1), ctx.timesInt(px2, q2)), q1 + q2);
          const want = dec(px1).times(q1).plus(dec(px2).times(q2)).dividedBy(q1 + q2);
          same(avg, want);
          same(ctx.timesInt(ctx.minus(px2, avg), q2), dec(px2).minus(want).times(q2));
          same(ctx.dividedByInt(avg, q1), want.dividedBy(q1));
        }),
        { numRuns: 4000 },
      );
    });
    it(`${name}: operands far apart in scale`, () => {
      const wide = dx(ctx.precision + 10, -300, 300);
      fc.assert(
        fc.property(wide, wide, (a, b) => {
          same(ctx.plus(a, b), dec(a).plus(dec(b)));
          same(ctx.times(a, b), dec(a).times(dec(b)));
          if (b.c !== 0n) same(ctx.dividedBy(a, b), dec(a).dividedBy(dec(b)));
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('prints what decimal.js prints', () => {
    fc.assert(
      fc.property(dx(40, -39, 0), (x) => {
        const d = new D(x.c === 0n ? '0' : `${x.c}e${x.e}`);
        expect(x.toString()).toBe(d.toString());
      }),
      { numRuns: 5000 },
    );
  });
});
