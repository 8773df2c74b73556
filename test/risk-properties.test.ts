/**
 * Property tests of the risk checks (spec §8.2) through the N-API engine. Each property
 * builds a minimal session (one symbol, a reference trade, a book that makes the strategy
 * send a chosen order) under random limits, with the limit drawn around its boundary half
 * of the time, and checks that the check's bit is set exactly when the spec's predicate
 * holds — and that no other bit is set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engineAvailable } from './helpers/engine.ts';
import { decisions, I31_MAX, oneOrder, run, TICK, U32_MAX, U64_MAX, bookFor, type Limits, type Order } from './helpers/session.ts';
import type { InputMessage } from './helpers/vectors.ts';

// 300 runs: enough that every property sees both outcomes many times (expectBoth) on any seed.
const RUNS = { numRuns: 300 };

/** Counts how often the predicate under test was true and false, to prove both were exercised. */
class Tally {
  t = 0;
  f = 0;
  see(v: boolean): boolean {
    if (v) this.t++;
    else this.f++;
    return v;
  }
  expectBoth(min = 10): void {
    expect(this.t, 'runs where the check must fail').toBeGreaterThanOrEqual(min);
    expect(this.f, 'runs where the check must pass').toBeGreaterThanOrEqual(min);
  }
}

const sat = (a: bigint, b: bigint) => (a + b > U64_MAX ? U64_MAX : a + b);
const clampBig = (v: bigint, lo: bigint, hi: bigint) => (v < lo ? lo : v > hi ? hi : v);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const abs = (v: bigint) => (v < 0n ? -v : v);

const side = fc.constantFrom<'B' | 'S'>('B', 'S');
/** Prices on tick, from cents to near the top of u32 (the sell book needs price + TICK). */
const price = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }).map((t) => t * TICK),
  fc.integer({ min: 1, max: Math.floor((U32_MAX - TICK) / TICK) }).map((t) => t * TICK),
);
/** Quantities such that the 3× side still fits u32. */
const qty = fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 1_000_000_000 }));
/** −1, 0, +1 around a boundary, or null for "anywhere". */
const nudge = fc.oneof(fc.constantFrom(-1, 0, 1), fc.constant(null));
const order = fc.record({ side, price, qty });

describe('risk checks (fast-check through the Rust engine)', () => {
  it('MAX_QTY ⇔ qty > max_qty', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(order, nudge, fc.integer({ min: 0, max: U32_MAX }), (o: Order, d, any) => {
        const L = d === null ? any : clamp(o.qty + d, 0, U32_MAX);
        const dec = oneOrder({ maxQty: L }, o, o.price);
        expect(dec.reasons).toEqual(tally.see(o.qty > L) ? ['MAX_QTY'] : []);
        expect(dec.accepted).toBe(o.qty <= L);
      }),
      RUNS,
    );
    tally.expectBoth();
  });

  it('MAX_NOTIONAL ⇔ price × qty > max_notional (u64)', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(order, nudge, fc.bigInt({ min: 0n, max: U64_MAX }), (o: Order, d, any) => {
        const n = BigInt(o.price) * BigInt(o.qty);
        const L = d === null ? any : clampBig(n + BigInt(d), 0n, U64_MAX);
        const dec = oneOrder({ maxNotional: L }, o, o.price);
        expect(dec.reasons).toEqual(tally.see(n > L) ? ['MAX_NOTIONAL'] : []);
      }),
      RUNS,
    );
    tally.expectBoth();
  });

  it('NO_REF ⇔ no trade yet; COLLAR ⇔ ref ≠ 0 and |price − ref| × 10000 > ref × collar_bps', () => {
    const tally = new Tally();
    const noRef = new Tally();
    fc.assert(
      fc.property(
        order, fc.oneof(fc.constant(0), fc.integer({ min: 1, max: U32_MAX }), fc.integer({ min: 1, max: 200_000 })), nudge, fc.integer({ min: 0, max: 65535 }),
        (o: Order, ref, d, any) => {
          const dist = abs(BigInt(o.price) - BigInt(ref)) * 10000n;
          // The threshold bps: the check fails iff bps < dist / ref.
          const star = ref === 0 ? 0 : Number(clampBig(dist / BigInt(ref), 0n, 65535n));
          const bps = d === null ? any : clamp(star + d, 0, 65535);
          const dec = oneOrder({ collarBps: bps }, o, ref);
          const want = noRef.see(ref === 0) ? ['NO_REF'] : tally.see(dist > BigInt(ref) * BigInt(bps)) ? ['COLLAR'] : [];
          expect(dec.reasons).toEqual(want);
        },
      ),
      RUNS,
    );
    tally.expectBoth();
    noRef.expectBoth();
  });

  it('POSITION ⇔ |position + signed qty| > position_limit (i64), FILL carries the new position', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.record({ side, price: fc.integer({ min: 1, max: 100_000 }).map((t) => t * TICK), qty: fc.integer({ min: 1, max: 1_000_000 }) }),
        fc.integer({ min: 0, max: 2_000_000 }), nudge, fc.boolean(), fc.integer({ min: -I31_MAX, max: I31_MAX }),
        (o: Order, L, d, negative, any) => {
          const signed = o.side === 'B' ? o.qty : -o.qty;
          // Start position so that |pos + signed| lands on L−1, L or L+1 (either sign), or anywhere.
          const target = d === null ? null : Math.max(0, L + d) * (negative ? -1 : 1);
          const pos = target === null ? any : clamp(target - signed, -I31_MAX, I31_MAX);
          const after = pos + signed;
          const recs = run({ positionLimit: L, startPosition: pos }, [
            { type: 'R', locate: 1, ts: 1, stock: 'TEST' }, { type: 'P', locate: 1, ts: 2, stock: 'TEST', price: o.price }, ...bookFor(o, 1000),
          ]);
          const [dec] = decisions(recs);
          expect(dec.reasons).toEqual(tally.see(Math.abs(after) > L) ? ['POSITION'] : []);
          const fills = recs.filter((r) => r.kind === 'FILL');
          expect(fills.map((f) => f.position)).toEqual(Math.abs(after) > L ? [] : [after]);
        },
      ),
      RUNS,
    );
    tally.expectBoth();
  });

  it('CREDIT ⇔ sat_add(used_credit, price × qty) > credit_limit (u64, saturating)', () => {
    const tally = new Tally();
    const used = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: U64_MAX - 10n ** 13n, max: U64_MAX }), fc.bigInt({ min: 0n, max: U64_MAX }));
    fc.assert(
      fc.property(order, used, nudge, fc.bigInt({ min: 0n, max: U64_MAX }), (o: Order, U, d, any) => {
        const total = sat(U, BigInt(o.price) * BigInt(o.qty));
        const C = d === null ? any : clampBig(total + BigInt(d), 0n, U64_MAX);
        const dec = oneOrder({ creditLimit: C, usedCredit: U }, o, o.price);
        expect(dec.reasons).toEqual(tally.see(total > C) ? ['CREDIT'] : []);
      }),
      RUNS,
    );
    tally.expectBoth();
  });

  /** Several orders in one session: the book is cleared (D, D) between them. */
  function sequence(orders: { o: Order; ts: number }[]): InputMessage[] {
    const input: InputMessage[] = [{ type: 'R', locate: 1, ts: 1, stock: 'TEST' }, { type: 'P', locate: 1, ts: 2, stock: 'TEST', price: 1_000_000 }];
    for (const { o, ts } of orders) {
      const [a, b] = bookFor(o, ts - 1);
      input.push(a, b, { type: 'D', locate: 1, ts, ref: a.ref }, { type: 'D', locate: 1, ts, ref: b.ref });
    }
    return input;
  }
  /** Orders priced within the window of the first one ($100 ± $10), so none is out of band. */
  const nearOrder = fc.record({ side, price: fc.integer({ min: 9_000, max: 11_000 }).map((t) => t * TICK), qty: fc.integer({ min: 1, max: 100_000 }) });

  it('credit accumulates over accepted fills only (sequence of orders)', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(fc.array(nearOrder, { minLength: 1, maxLength: 8 }), fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.bigInt({ min: 0n, max: 10n ** 13n }), (os, U, C) => {
        const got = decisions(run({ creditLimit: C, usedCredit: U, collarBps: 65535 }, sequence(os.map((o, i) => ({ o, ts: 1000 * (i + 1) })))));
        expect(got.length).toBe(os.length);
        let used = U;
        os.forEach((o, i) => {
          const n = BigInt(o.price) * BigInt(o.qty);
          const fail = tally.see(sat(used, n) > C);
          expect(got[i].reasons, `order ${i}`).toEqual(fail ? ['CREDIT'] : []);
          if (!fail) used = sat(used, n);
        });
      }),
      RUNS,
    );
    tally.expectBoth();
  });

  it('THROTTLE ⇔ accepted orders already in window ts >> W_SHIFT ≥ max_orders', () => {
    const tally = new Tally();
    const crossed = new Tally();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 40 }), fc.array(fc.tuple(nearOrder, fc.double({ min: 0, max: 1.5, noNaN: true })), { minLength: 1, maxLength: 10 }),
        (M, shift, steps) => {
          // Gaps between decisions: a fraction of the window length, sometimes crossing it.
          let ts = 1000;
          const seq = steps.map(([o, f]) => {
            ts += 2 + Math.floor(f * 2 ** shift);
            return { o, ts };
          });
          const got = decisions(run({ maxOrders: M, throttleWindowShift: shift }, sequence(seq)));
          expect(got.length).toBe(seq.length);
          let w = -1n;
          let count = 0;
          // The decision message is the second add of bookFor(o, ts − 1), at ts.
          seq.forEach(({ ts: t }, i) => {
            const win = BigInt(t) >> BigInt(shift);
            if (win !== w) { crossed.see(i > 0); w = win; count = 0; }
            const fail = tally.see(count >= M);
            expect(got[i].reasons, `order ${i} at ts ${t}, window ${win}, count ${count}, max ${M}`).toEqual(fail ? ['THROTTLE'] : []);
            if (!fail) count++;
          });
        },
      ),
      RUNS,
    );
    tally.expectBoth();
    crossed.expectBoth();
  });

  it('KILL, HALTED and MARKET_CLOSED follow the switches, the trading state and market hours', () => {
    fc.assert(
      fc.property(
        fc.boolean(), fc.boolean(), fc.constantFrom('T', 'H', 'P', 'Q', 'W-then-T', 'W'), fc.boolean(), fc.constantFrom('none', 'Q', 'Q-then-M', 'O'), order,
        (globalKill, symKill, state, gate, hours, o: Order) => {
          const pre: InputMessage[] = [];
          if (hours !== 'none') pre.push({ type: 'S', ts: 1, event: hours === 'O' ? 'O' : 'Q' });
          if (hours === 'Q-then-M') pre.push({ type: 'S', ts: 1, event: 'M' });
          if (state.startsWith('W')) pre.push({ type: 'W', ts: 1, level: '2' });
          if (state === 'W-then-T') pre.push({ type: 'H', locate: 1, ts: 1, stock: 'TEST', state: 'T' });
          if (state.length === 1) pre.push({ type: 'H', locate: 1, ts: 1, stock: 'TEST', state });
          const dec = oneOrder({ globalKill, kill: symKill, gateMarketHours: gate }, o, o.price, pre);
          const want: string[] = [];
          if (globalKill || symKill) want.push('KILL');
          if (state !== 'T' && state !== 'W-then-T') want.push('HALTED');
          if (gate && hours !== 'Q') want.push('MARKET_CLOSED');
          expect(dec.reasons).toEqual(want);
        },
      ),
      RUNS,
    );
  });

  it('all ten checks together: reasons = OR of the predicates of §8.2', () => {
    fc.assert(
      fc.property(
        order, fc.integer({ min: 0, max: 200_000 }).map((t) => t * TICK), fc.record({
          maxQty: fc.integer({ min: 0, max: 2_000_000_000 }),
          maxNotional: fc.bigInt({ min: 0n, max: 1n << 50n }),
          positionLimit: fc.integer({ min: 0, max: 2_000_000_000 }),
          startPosition: fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
          collarBps: fc.integer({ min: 0, max: 65535 }),
          creditLimit: fc.bigInt({ min: 0n, max: 1n << 55n }),
          usedCredit: fc.bigInt({ min: 0n, max: 1n << 54n }),
          maxOrders: fc.integer({ min: 0, max: 1 }),
          kill: fc.boolean(),
          globalKill: fc.boolean(),
          gateMarketHours: fc.boolean(),
        }), fc.boolean(), fc.boolean(),
        (o: Order, ref, l: Required<Pick<Limits, 'maxQty' | 'maxNotional' | 'positionLimit' | 'startPosition' | 'collarBps' | 'creditLimit' | 'usedCredit' | 'maxOrders' | 'kill' | 'globalKill' | 'gateMarketHours'>>, open, halted) => {
          const pre: InputMessage[] = [];
          if (open) pre.push({ type: 'S', ts: 1, event: 'Q' });
          if (halted) pre.push({ type: 'H', locate: 1, ts: 1, stock: 'TEST', state: 'H' });
          const dec = oneOrder(l, o, ref, pre);
          const n = BigInt(o.price) * BigInt(o.qty);
          const signed = o.side === 'B' ? o.qty : -o.qty;
          const dist = abs(BigInt(o.price) - BigInt(ref)) * 10000n;
          const want: string[] = [];
          if (l.kill || l.globalKill) want.push('KILL');
          if (halted) want.push('HALTED');
          if (l.gateMarketHours && !open) want.push('MARKET_CLOSED');
          if (o.qty > l.maxQty) want.push('MAX_QTY');
          if (n > l.maxNotional) want.push('MAX_NOTIONAL');
          if (ref === 0) want.push('NO_REF');
          if (ref !== 0 && dist > BigInt(ref) * BigInt(l.collarBps)) want.push('COLLAR');
          if (Math.abs(l.startPosition + signed) > l.positionLimit) want.push('POSITION');
          if (sat(l.usedCredit, n) > l.creditLimit) want.push('CREDIT');
          if (0 >= l.maxOrders) want.push('THROTTLE');
          expect(dec.reasons).toEqual(want);
          expect(dec.accepted).toBe(want.length === 0);
        },
      ),
      RUNS,
    );
  });
});
