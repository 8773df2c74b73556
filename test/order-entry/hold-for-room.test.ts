/**
 * GatewayOptions.hasRoom (issue 13): a read that may carry more Enter Orders than there are free
 * engine order ids waits, its socket paused, until `roomMade()` or `holdForRoomMs`, and is then
 * handled exactly as it would have been — same answers in the same order, refusals included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { Gateway, type Decision } from '../../src/ouch/gateway.ts';

const ORDER = { side: 'B' as const, quantity: 10, symbol: 'AAPL', price: '10.00' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Gateway hasRoom', () => {
  let gw: Gateway | null = null;
  afterEach(async () => {
    await gw?.close();
    gw = null;
  });

  function gateway(room: { free: number }, holdForRoomMs: number, asked: number[]): Gateway {
    return new Gateway({
      sessions: [{ username: 'ALPHA', password: 'pw', account: 0 }],
      port: 0,
      decide: () => ({ accept: true }),
      // Takes one id per accepted order: refuses (as the engine does, fail closed) when none is free.
      decideBatch: (os) => os.map((): Decision => (room.free > 0 ? (room.free--, { accept: true }) : { accept: false, failed: 'no free id' })),
      hasRoom: (n) => {
        asked.push(n);
        return room.free >= n;
      },
      holdForRoomMs,
    });
  }

  it('holds a read until roomMade, then answers its orders in order (none refused)', async () => {
    const room = { free: 100 };
    const asked: number[] = [];
    gw = gateway(room, 60_000, asked);
    const { port } = await gw.start();
    const c = await OuchClient.connect({ port, username: 'ALPHA', password: 'pw' });
    room.free = 2;
    // One write of three orders: room for two only, so the read waits.
    const refs = [0, 1, 2].map(() => c.enter(ORDER));
    await sleep(50);
    expect(c.answers.filter((a) => a.kind === 'ORDER_ACCEPTED' || a.kind === 'ORDER_REJECTED')).toEqual([]);
    expect(gw.roomWaits).toEqual({ reads: 1, timedOut: 0 });
    expect(asked.at(-1)).toBeGreaterThanOrEqual(3);
    // Not enough yet: it waits on.
    gw.roomMade();
    await sleep(20);
    expect(gw.stats().totals.checked).toBe(0);
    room.free = 10;
    gw.roomMade();
    const answers = await Promise.all(refs.map((r) => c.answer(r)));
    expect(answers.map((a) => `${a.kind}:${a.values.userRefNum}`)).toEqual(refs.map((r) => `ORDER_ACCEPTED:${r}`));
    expect(gw.roomWaits).toEqual({ reads: 1, timedOut: 0 });
    expect(gw.stats().totals.checked).toBe(3);
    await c.logout();
  });

  it('handles the read after holdForRoomMs without room, refusals as before, and does not hold it again', async () => {
    const room = { free: 100 };
    const asked: number[] = [];
    gw = gateway(room, 30, asked);
    const { port } = await gw.start();
    const c = await OuchClient.connect({ port, username: 'ALPHA', password: 'pw' });
    room.free = 1;
    const t0 = performance.now();
    const refs = [0, 1, 2].map(() => c.enter(ORDER));
    const answers = await Promise.all(refs.map((r) => c.answer(r)));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(answers.map((a) => a.kind)).toEqual(['ORDER_ACCEPTED', 'ORDER_REJECTED', 'ORDER_REJECTED']);
    expect(gw.roomWaits).toEqual({ reads: 1, timedOut: 1 });
    expect(gw.stats().totals.DECIDE_FAILED).toBe(2);
    // With room again, a read goes through at once.
    room.free = 10;
    const next = await c.answer(c.enter(ORDER));
    expect(next.kind).toBe('ORDER_ACCEPTED');
    expect(gw.roomWaits.reads).toBe(1);
    await c.logout();
  });

  it('never holds a read of a session not yet logged in (its login is read with no room)', async () => {
    const room = { free: 0 };
    const asked: number[] = [];
    gw = gateway(room, 60_000, asked);
    const { port } = await gw.start();
    // The login itself is read while there is no room.
    const c = await OuchClient.connect({ port, username: 'ALPHA', password: 'pw' });
    expect(asked).toEqual([]);
    await c.logout();
  });
});
