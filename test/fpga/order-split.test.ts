/**
 * The FPGA backend's split of a merged stream (src/fpga/order-split.ts, spec §18.7): every
 * well-sized `{`/`}` frame goes to the order input with its position (P = the seq it
 * precedes, which the control plane also wrote as its S; k = control messages before it at
 * P), everything else stays market data in order, and merging the two back gives the bytes.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { CONTROL_MESSAGE, ORDER_FRAME, VENUE_FRAME } from '../../src/contract.ts';
import { mergeSplit, orderTuser, splitMerged } from '../../src/fpga/order-split.ts';
import { OrderFlowGenerator } from '../../src/gen/orders.ts';
import { FrameCursor } from '../../src/itch/framing.ts';
import { engineAvailable } from '../helpers/engine.ts';

function frame(body: Buffer): Buffer {
  const b = Buffer.alloc(2 + body.length);
  b.writeUInt16BE(body.length);
  body.copy(b, 2);
  return b;
}

describe('splitMerged', () => {
  it('positions frames by the messages and control messages before them; wrong lengths stay market data', () => {
    const msg = (t: string, n: number) => frame(Buffer.alloc(n, t.charCodeAt(0)));
    const ctl = frame(Buffer.alloc(CONTROL_MESSAGE.length, CONTROL_MESSAGE.typeByte));
    const ord = (tag: number) => {
      const b = Buffer.alloc(ORDER_FRAME.length, tag);
      b[0] = ORDER_FRAME.typeByte;
      return frame(b);
    };
    const ven = frame(Object.assign(Buffer.alloc(VENUE_FRAME.length, 9), { 0: VENUE_FRAME.typeByte }));
    const shortOrder = frame(Object.assign(Buffer.alloc(ORDER_FRAME.length - 1, 1), { 0: ORDER_FRAME.typeByte }));
    const stream = Buffer.concat([ctl, ord(1), msg('S', 12), ord(2), ven, ctl, ctl, ord(3), shortOrder, ord(4), msg('A', 36), Buffer.from([0, 0])]);
    const s = splitMerged(stream);
    expect(s.orders.map((f) => [f.pos, f.k, f.body[0]])).toEqual([
      [1, 1, ORDER_FRAME.typeByte],
      [2, 0, ORDER_FRAME.typeByte],
      [2, 0, VENUE_FRAME.typeByte],
      [2, 2, ORDER_FRAME.typeByte],
      [3, 0, ORDER_FRAME.typeByte], // after the wrong-length '{', which took seq 2
    ]);
    expect(s.orders[3].body[1]).toBe(3);
    expect(s.md.equals(Buffer.concat([ctl, msg('S', 12), ctl, ctl, shortOrder, msg('A', 36), Buffer.from([0, 0])]))).toBe(true);
    expect(mergeSplit(s).equals(stream)).toBe(true);
    expect(orderTuser(s.orders[3])).toBe((2n << 48n) | 2n);
    expect(() => orderTuser({ pos: 2 ** 48, k: 0 })).toThrow(/48 bits/);
  });

  it.skipIf(!engineAvailable())('splits a generated order-flow session: P is each frame\'s S, and the merge gives the bytes back', () => {
    const g = new OrderFlowGenerator({ seed: 5, symbols: 8, messages: 40_000, clientOrders: 4_000, config: loadConfig() });
    const parts: Buffer[] = [];
    for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
    const stream = Buffer.concat(parts);
    const s = splitMerged(stream);
    const sum = g.summary();
    expect(s.orders.length).toBe(sum.clientOrders.enter + sum.clientOrders.replace + sum.venue.executions + sum.venue.cancels);
    for (const f of s.orders) {
      const seqAt = f.body[0] === ORDER_FRAME.typeByte ? ORDER_FRAME.off_seq : VENUE_FRAME.off_seq;
      expect(Number(f.body.readBigUInt64BE(seqAt))).toBe(f.pos);
    }
    const c = new FrameCursor(s.md);
    while (c.next()) expect(c.type === ORDER_FRAME.typeByte || c.type === VENUE_FRAME.typeByte).toBe(false);
    expect(mergeSplit(s).equals(stream)).toBe(true);
  }, 300_000);
});
