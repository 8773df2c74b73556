/**
 * The generator's PRNG: pinned outputs (a change here changes every generated session, on
 * every machine), range helpers, and the order table of spec §5 it engineers collisions with
 * (home sets checked against the independent spec model, crafted refs, placement).
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/gen/prng.ts';
import {
  crc32cRef, GHOST_SLOTS, OrderTable, Place, RefAllocator, SET_BITS, setIndex, setIndex1, setIndexBig, STASH_SLOTS, WAYS,
} from '../../src/gen/refs.ts';
import { home0, home1 } from './engine-model.ts';

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

describe('order table (spec §5): home sets, crafted refs, placement', () => {
  const MASK = 2 ** SET_BITS - 1;

  it('bank 0 XOR-folds SET_BITS-bit slices and bank 1 takes CRC-32C, as the spec states (checked against the spec model)', () => {
    expect(setIndex(0)).toBe(0);
    expect(setIndex(MASK)).toBe(MASK);
    expect(setIndex(2 ** SET_BITS)).toBe(1); // slice 1 bit 0
    expect(setIndex(2 ** (2 * SET_BITS))).toBe(1); // slice 2
    expect(setIndex(2 ** (3 * SET_BITS))).toBe(1); // slice 3
    expect(setIndexBig(1n << 63n)).toBe(2 ** (63 % SET_BITS)); // the last, zero-extended slice
    // CRC-32C of eight zero bytes (SSE4.2 crc32 r64 from ~0, then ~), and the standard check value's polynomial
    expect(crc32cRef(0)).toBe(0x8c28b28a);
    expect(setIndex1(0)).toBe(0x8c28b28a & MASK);
    const r = new Prng(3);
    for (let i = 0; i < 10_000; i++) {
      const ref = r.u32() + 2 ** 32 * (r.u32() & 0x1fffff);
      const hi = Math.floor(ref / 2 ** 32);
      const lo = ref >>> 0;
      expect(setIndex(ref)).toBe(setIndexBig(BigInt(ref)));
      expect(setIndex(ref)).toBe(home0(hi, lo));
      expect(setIndex1(ref)).toBe(home1(hi, lo));
    }
  });

  it('crafts fresh refs that share both home sets, above every sequential ref and below the unknown ones', () => {
    const refs = new RefAllocator(new Prng(4));
    const a = refs.craftSameHomes(41, () => true);
    const b = refs.craftSameHomes(41, (s0) => s0 !== setIndex(a[0]));
    expect(new Set([...a, ...b]).size).toBe(82);
    for (const x of [...a, ...b]) expect(Number.isSafeInteger(x)).toBe(true);
    const homes = (x: number) => `${home0(Math.floor(x / 2 ** 32), x >>> 0)}/${home1(Math.floor(x / 2 ** 32), x >>> 0)}`;
    expect(new Set(a.map(homes)).size).toBe(1);
    expect(new Set(b.map(homes)).size).toBe(1);
    expect(homes(b[0])).not.toBe(homes(a[0]));
    const unknown = refs.unknown();
    const lowest = Math.min(...a, ...b);
    expect(Math.max(...a, ...b)).toBeLessThan(unknown);
    // sequential refs: increasing by 1..4, never skipped, never a crafted one
    let last = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      const x = refs.take();
      expect(x - last >= 1 && (last === 0 || x - last <= 4)).toBe(true);
      expect(x).toBeLessThan(lowest);
      seen.add(x);
      last = x;
    }
    expect(seen.size).toBe(200_000);
  });

  it('places orders bank 0, bank 1, stash, ghost list, untracked; COLLISION clears by itself only with no untracked drop', () => {
    const refs = new RefAllocator(new Prng(5));
    const t = new OrderTable();
    const n = 2 * WAYS + STASH_SLOTS + GHOST_SLOTS + 1;
    const crafted = refs.craftSameHomes(n + 2, (s0, s1) => t.setOccupancy(s0, s1) === 0);
    const spare = crafted.splice(n).map((ref) => ({ ref, sym: 3, where: Place.NONE as Place }));
    const orders = crafted.map((ref, k) => ({ ref, sym: k < n - 2 ? 3 : 4, where: Place.NONE as Place }));
    const placed = orders.map((o) => t.insert(o, true));
    const want = [
      ...new Array(WAYS).fill(Place.BANK0), ...new Array(WAYS).fill(Place.BANK1), ...new Array(STASH_SLOTS).fill(Place.STASH),
      ...new Array(GHOST_SLOTS).fill(Place.GHOST), Place.LOST,
    ];
    expect(placed).toEqual(want);
    expect(t.counts).toMatchObject({
      bank0: WAYS, bank1: WAYS, stashInserts: STASH_SLOTS, ghostInserts: GHOST_SLOTS, untrackedDrops: 1, collisions: 2, ordinarySpills: 0,
      livePeak: 2 * WAYS + STASH_SLOTS, stashPeak: STASH_SLOTS, ghostPeak: GHOST_SLOTS, collisionClears: 0,
    });
    expect([t.stashFree, t.ghostFree]).toEqual([0, 0]);
    // symbol 4 has one ghost and the untracked drop: its ghost leaving does not clear COLLISION
    t.remove(orders[n - 2]);
    expect(t.collision(4)).toBe(true);
    expect(t.counts.collisionClears).toBe(0);
    // symbol 3's ghosts leave one by one: COLLISION clears with the last one, once
    const ghosts3 = orders.filter((o) => o.sym === 3 && o.where === Place.GHOST);
    for (const o of ghosts3) {
      expect(t.collision(3)).toBe(true);
      t.remove(o);
    }
    expect(t.collision(3)).toBe(false);
    expect(t.counts.collisionClears).toBe(1);
    // a book order leaving frees its place: the next order with those homes takes the stash slot
    t.remove(orders[2 * WAYS]);
    expect(t.insert(spare[0], true)).toBe(Place.STASH);
    // and the one after is a ghost again (counted as an ordinary spill: it was not crafted)
    expect(t.insert(spare[1])).toBe(Place.GHOST);
    expect(t.counts).toMatchObject({ stashInserts: STASH_SLOTS + 1, ghostInserts: GHOST_SLOTS + 1, collisions: 3, ordinarySpills: 1 });
    // CLEAR_COLLISION forgets symbol 4's untracked drop
    t.clearCollision(4, [orders[n - 1]]);
    expect(t.collision(4)).toBe(false);
    expect(orders[n - 1].where).toBe(Place.NONE);
  });
});
