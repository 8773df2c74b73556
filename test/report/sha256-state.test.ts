// The feed run's SHA-256 with a saved state (src/report/sha256-state.ts, the Rust stream of
// native/src/sha256_state.rs): same digest as node:crypto for any split of the input, across a
// save → JSON → restore at any point, and its saved state is interchangeable with the one the
// JS implementation it replaced wrote into snapshots.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ResumableSha256 } from '../../src/report/sha256-state.ts';
import { JsResumableSha256 } from './sha256-state-js.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SIZES = [0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4099];

describe('ResumableSha256', () => {
  it('equals node:crypto across sizes and a save/restore at every split', () => {
    for (const n of SIZES) {
      const b = randomBytes(n);
      const want = sha(b);
      for (const cut of new Set([0, 1, n >> 1, Math.max(0, n - 1), n])) {
        if (cut > n) continue;
        const a = new ResumableSha256().update(b.subarray(0, cut));
        expect(a.hex()).toBe(sha(b.subarray(0, cut))); // hex() leaves the state
        const r = ResumableSha256.from(JSON.parse(JSON.stringify(a.save())));
        for (let i = cut; i < n; i += 37) r.update(b.subarray(i, Math.min(n, i + 37)));
        expect(r.hex()).toBe(want);
      }
    }
  });

  it('equals node:crypto on random inputs fed in random pieces, saved and restored at random points', () => {
    for (let round = 0; round < 200; round++) {
      const b = randomBytes(Math.floor(Math.random() * 20_000));
      let d = new ResumableSha256();
      for (let i = 0; i < b.length; ) {
        const j = Math.min(b.length, i + Math.floor(Math.random() * 300));
        d.update(b.subarray(i, j));
        if (Math.random() < 0.2) d = ResumableSha256.from(JSON.parse(JSON.stringify(d.save())));
        i = j;
      }
      expect(d.hex(), `round ${round}, ${b.length} bytes`).toBe(sha(b));
    }
  });

  it("restores the JS implementation's saved states (snapshots written before the Rust one) and the other way round", () => {
    for (const n of SIZES) {
      const b = randomBytes(n + 200);
      const js = new JsResumableSha256().update(b.subarray(0, n));
      const rust = new ResumableSha256().update(b.subarray(0, n));
      expect(rust.save()).toEqual(js.save());
      expect(ResumableSha256.from(JSON.parse(JSON.stringify(js.save()))).update(b.subarray(n)).hex()).toBe(sha(b));
      expect(JsResumableSha256.from(JSON.parse(JSON.stringify(rust.save()))).update(b.subarray(n)).hex()).toBe(sha(b));
    }
  });

  it('refuses a state that cannot be a saved one, saying what is wrong', () => {
    const good = new ResumableSha256().update(randomBytes(70)).save();
    expect(() => ResumableSha256.from({ ...good, h: good.h.slice(1) })).toThrow(/7 words/);
    expect(() => ResumableSha256.from({ ...good, tail: good.tail.slice(2) })).toThrow(/tail of 5 bytes after 70/);
    expect(() => ResumableSha256.from({ ...good, length: -70 })).toThrow(/byte count/);
    expect(() => ResumableSha256.from({ ...good, tail: 'zz'.repeat(6) })).toThrow(/not hex/);
  });
});
