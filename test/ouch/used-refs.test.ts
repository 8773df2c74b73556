/** A session's used UserRefNums (src/ouch/used-refs.ts) answer exactly as a Set of them would. */
import { describe, expect, it } from 'vitest';
import { UsedRefs } from '../../src/ouch/used-refs.ts';

describe('UsedRefs', () => {
  it('agrees with a Set on increasing numbers with gaps, numbers added out of order, and numbers never added', () => {
    const used = new UsedRefs();
    const set = new Set<number>();
    let ref = 0;
    for (let k = 0; k < 20_000; k++) {
      ref += 1 + (k % 7 === 0 ? 5 : 0); // gaps, like refused or skipped numbers
      used.add(ref);
      set.add(ref);
    }
    // A restart's still-open orders: below the last, some already there.
    for (const r of [3, 4, 5, 0xffff_fff0, 100, 1]) {
      used.add(r);
      set.add(r);
    }
    used.add(ref + 10); // increasing again after the out-of-order ones
    set.add(ref + 10);
    for (let r = 0; r <= ref + 20; r++) expect(used.has(r)).toBe(set.has(r));
    expect(used.has(0xffff_fff0)).toBe(true);
    expect(used.has(0xffff_ffff)).toBe(false);
    expect(used.size).toBe(set.size);
  });
});
