/**
 * SymbolCounter.observe walks the frames natively (native/src/locate_count.rs); observeInJs is
 * the same walk in JavaScript. Both must count the same on any input: a real-profile file in
 * batches cut anywhere (cut-off frames, the end marker), and hand-made edge frames.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SymbolCounter } from '../../src/config/subscription.ts';
import { frames, itch } from '../../src/itch/encode.ts';

const DEMO = new URL('../../data/demo.itch.gz', import.meta.url).pathname;

function both(batches: Buffer[]) {
  const native = new SymbolCounter();
  const js = new SymbolCounter();
  for (const b of batches) {
    native.observe(b);
    js.observeInJs(b);
  }
  const view = (c: SymbolCounter) => ({ counts: [...c.counts()], directory: [...c.directory], unnamed: c.unnamed, messages: c.messages });
  return { native: view(native), js: view(js) };
}

describe('the native per-locate count is the JavaScript one', () => {
  it('on the demo session cut into batches anywhere (frames cut off, the end marker inside)', () => {
    const raw = gunzipSync(readFileSync(DEMO));
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const batches: Buffer[] = [];
    for (let off = 0; off < raw.length; ) {
      const len = 1 + rnd(200_000);
      batches.push(raw.subarray(off, off + len));
      off += len;
    }
    const r = both(batches);
    expect(r.native).toEqual(r.js);
    const whole = both([raw]);
    expect(whole.native).toEqual(whole.js);
    expect(whole.native.messages).toBe(200_000);
    expect(whole.native.directory.length).toBe(17);
  });

  it('on edge frames: short frames, controls, R of the wrong length, R at locate 0, renames', () => {
    const input = frames([
      itch.raw('Z', 1),
      itch.raw('Z', 2, { locate: 0, ts: 0 }),
      itch.stockDirectory({ locate: 0, ts: 1 }, 'ZERO'),
      itch.stockDirectory({ locate: 7, ts: 2 }, 'SEVEN'),
      itch.raw('R', 20, { locate: 7, ts: 3 }),
      itch.addOrder({ locate: 7, ts: 4 }, { ref: 1n, side: 'B', shares: 1, stock: 'SEVEN', price: 10000 }),
      itch.control(1, 0xffff, 4, 1, 0n),
      itch.stockDirectory({ locate: 7, ts: 5 }, 'EIGHT'),
      itch.delete({ locate: 7, ts: 6 }, { ref: 1n }),
      itch.delete({ locate: 65535, ts: 7 }, { ref: 2n }),
    ], true);
    const r = both([input]);
    expect(r.native).toEqual(r.js);
    expect(r.native.messages).toBe(9);
    expect(r.native.directory).toEqual(['ZERO', 'SEVEN', 'EIGHT']);
  });
});
