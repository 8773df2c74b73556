/**
 * The generator's PRNG: pinned outputs (a change here changes every generated session, on
 * every machine), range helpers, and the order-table set index it engineers collisions with.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/gen/prng.ts';
import { RefAllocator, setIndex, setIndexBig, WAYS } from '../../src/gen/refs.ts';

describe('Prng (xoshiro128** seeded by splitmix32)', () => {
  it('produces pinned sequences (same seed ⇒ same numbers on every machine)', () => {
    const first5 = (seed: number) => {
      const r = new Prng(seed);
      return [r.u32(), r.u32(), r.u32(), r.u32(), r.u32()];
    };
    expect(first5(0)).toEqual([792981163, 709873329, 822304356, 90593216, 2946262600]);
    expect(first5(1)).toEqual([3950676626, 3248091109, 2748061846, 3082997196, 3098172668]);
    // seeds above 2^32 are not truncated
    expect(first5(2 ** 40 + 7)).toEqual([706652884, 3889298588, 1003987367, 2130395475, 3878655002]);
    expect(first5(2 ** 40 + 7)).not.toEqual(first5(7));
  });

  it('refuses seeds that are not safe non-negative integers', () => {
    expect(() => new Prng(-1)).toThrow(RangeError);
    expect(() => new Prng(1.5)).toThrow(RangeError);
    expect(() => new Prng(2 ** 53)).toThrow(RangeError);
  });

  it('keeps its helpers in range and roughly uniform', () => {
    const r = new Prng(9);
    const hist = new Array(10).fill(0);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
      sum += f;
      const k = r.int(10);
      hist[k]++;
      const x = r.range(-3, 3);
      expect(x >= -3 && x <= 3 && Number.isInteger(x)).toBe(true);
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const h of hist) expect(h).toBeGreaterThan(9_500);
    expect(r.geometric(1)).toBe(0);
    expect(r.geometric(0, 5)).toBe(5);
    const cum = [1, 1, 4]; // weights 1, 0, 3
    const w = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) w[r.weighted(cum)]++;
    expect(w[1]).toBe(0);
    expect(w[2] / w[0]).toBeGreaterThan(2.7);
    expect(w[2] / w[0]).toBeLessThan(3.3);
  });
});

describe('order-table set index (spec §5)', () => {
  it('XOR-folds 14-bit slices, as the spec states', () => {
    expect(setIndex(0)).toBe(0);
    expect(setIndex(0x3fff)).toBe(0x3fff);
    expect(setIndex(0x4000)).toBe(1); // bit 14 → slice 1 bit 0
    expect(setIndex(2 ** 28)).toBe(1); // bit 28 → slice 2
    expect(setIndex(2 ** 42)).toBe(1); // bit 42 → slice 3
    expect(setIndexBig(1n << 56n)).toBe(1); // bit 56 → slice 4 (8 bits)
    const r = new Prng(3);
    for (let i = 0; i < 10_000; i++) {
      const ref = r.u32() + 2 ** 32 * (r.u32() & 0x1fffff);
      expect(setIndex(ref)).toBe(setIndexBig(BigInt(ref)));
    }
  });

  it('crafts refs into a chosen set and never hands out a ref into a full set', () => {
    const refs = new RefAllocator(new Prng(4));
    const s = refs.emptySet();
    const crafted = refs.craft(s, 5);
    expect(new Set(crafted).size).toBe(5);
    for (const x of crafted) expect(setIndex(x)).toBe(s);
    for (const x of crafted.slice(0, WAYS)) refs.claim(x);
    expect(refs.occupancy[s]).toBe(WAYS);
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      const x = refs.take(true);
      expect(setIndex(x)).not.toBe(s);
      expect(crafted.includes(x)).toBe(false);
      seen.add(x);
      refs.release(x);
    }
    expect(seen.size).toBe(200_000);
    expect(refs.skippedFull).toBeGreaterThan(0);
  });
});
