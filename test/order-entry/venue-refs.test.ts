/**
 * The router's venue UserRefNum → engine order id table (src/order-entry/router.ts VenueRefs,
 * issue 13): a ring indexed by the ref's low bits, and a Map for a ref whose slot a live older
 * one still holds. Checked against a Map through refs that come in order, orders that rest
 * while 65,536 and more newer ones come and go, deletes in any order and refs never set.
 */
import { describe, expect, it } from 'vitest';
import { VenueRefs } from '../../src/order-entry/router.ts';

describe('VenueRefs', () => {
  it('answers as a Map would, resting orders and slot collisions included', () => {
    const t = new VenueRefs();
    const want = new Map<number, number>();
    let s = 7;
    const r = () => (s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    const live: number[] = [];
    for (let ref = 1; ref <= 300_000; ref++) {
      const id = ref % 4096;
      t.set(ref, id);
      want.set(ref, id);
      live.push(ref);
      // Most orders end soon; one in 500 rests for good (its slot is met again 65,536 refs on).
      while (live.length > 50) {
        const k = Math.floor(r() * live.length);
        const gone = live[k];
        live[k] = live[live.length - 1];
        live.pop();
        if (gone % 500 === 0) continue;
        t.delete(gone);
        want.delete(gone);
      }
      if (ref % 997 === 0) {
        for (const q of [ref, ref - 65_536, ref - 131_072, ref + 1, 0, 2 ** 32 - 1]) expect(t.get(q)).toBe(want.get(q));
      }
    }
    for (const [ref, id] of want) expect(t.get(ref)).toBe(id);
    for (const ref of [...want.keys()]) {
      t.delete(ref);
      expect(t.get(ref)).toBeUndefined();
    }
    for (let ref = 1; ref <= 300_000; ref += 101) expect(t.get(ref)).toBeUndefined();
  });
});
