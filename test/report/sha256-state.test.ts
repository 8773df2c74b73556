// The feed run's SHA-256 with a saved state (src/report/sha256-state.ts): same digest as
// node:crypto for any split of the input, across a save → JSON → restore at any point.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ResumableSha256 } from '../../src/report/sha256-state.ts';

describe('ResumableSha256', () => {
  it('equals node:crypto across sizes and a save/restore at every split', () => {
    for (const n of [0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4099]) {
      const b = randomBytes(n);
      const want = createHash('sha256').update(b).digest('hex');
      for (const cut of new Set([0, 1, n >> 1, Math.max(0, n - 1), n])) {
        if (cut > n) continue;
        const a = new ResumableSha256().update(b.subarray(0, cut));
        expect(a.hex()).toBe(createHash('sha256').update(b.subarray(0, cut)).digest('hex')); // hex() leaves the state
        const r = ResumableSha256.from(JSON.parse(JSON.stringify(a.save())));
        for (let i = cut; i < n; i += 37) r.update(b.subarray(i, Math.min(n, i + 37)));
        expect(r.hex()).toBe(want);
      }
    }
  });
});
