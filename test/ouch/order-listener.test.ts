/**
 * The gateway's venue-side hooks (spec §16.2, §16.9): an OrderListener hears every
 * acceptance, replacement and client cancel or modify right after its answer is sequenced
 * (so what it reports follows the answer), hears nothing of a rejected order or replace, and
 * `cancel()` cancels shares of a live order on the gateway's own initiative (IOC remainder)
 * with the given reason, refusing what is not live or not open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { Gateway, type OrderView } from '../../src/ouch/gateway.ts';
import { SESSIONS, testDoubleDecider } from './helpers.ts';

let gw: Gateway | null = null;
let c: OuchClient | null = null;
afterEach(async () => {
  c?.destroy();
  await gw?.close();
  gw = c = null;
});

describe('gateway OrderListener and cancel()', () => {
  it('hears accepted, replaced and reduced orders, after their answers; nothing of rejected ones', async () => {
    const heard: unknown[] = [];
    let gateway: Gateway;
    const atHearing = () => gateway.stats().totals;
    gateway = gw = new Gateway({
      sessions: SESSIONS, decide: testDoubleDecider().decide, symbols: ['AAPL', 'HALT'],
      orders: {
        accepted: (o: OrderView) => heard.push(['accepted', { ...o }, atHearing().accepted]), // valid during the call only
        replaced: (orig: number, o: OrderView) => heard.push(['replaced', orig, o.userRefNum, o.quantity, o.price, o.timeInForce]),
        reduced: (session: string, ref: number, open: number) => void heard.push(['reduced', session, ref, open]),
      },
    });
    const { port } = await gw.start();
    c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
    const a = c.enter({ side: 'B', quantity: 300, symbol: 'AAPL', price: '189.50', timeInForce: '3' });
    const halted = c.enter({ side: 'B', quantity: 100, symbol: 'HALT', price: '1' });
    await c.answer(halted);
    const b = c.replace(a, { quantity: 200, price: '189.60' });
    const refused = c.replace(b, { quantity: 5000, price: '189.60' }); // MAX_QTY: the original stays
    await c.answer(refused);
    c.cancel(b, 150);
    c.modify(b, 'B', 100);
    c.cancel(b);
    await c.waitFor((x) => x.kind === 'ORDER_CANCELED' && x.values.quantity === 100);
    expect(heard).toEqual([
      ['accepted', { session: 'ALPHA1', userRefNum: a, side: 'B', symbol: 'AAPL', price: 1_895_000n, quantity: 300, timeInForce: '3' }, 1],
      ['replaced', a, b, 200, 1_896_000n, '0'],
      ['reduced', 'ALPHA1', b, 150],
      ['reduced', 'ALPHA1', b, 100],
      ['reduced', 'ALPHA1', b, 0],
    ]);
  });

  it('cancel() sends Order Canceled with the reason and reduces the order; refuses orders not live and shares not open', async () => {
    gw = new Gateway({ sessions: SESSIONS, decide: testDoubleDecider().decide });
    const { port } = await gw.start();
    c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
    const r = c.enter({ side: 'S', quantity: 100, symbol: 'AAPL', price: '10' });
    await c.answer(r);
    expect(gw.cancel('ALPHA1', r, 101, 'I')).toBe(false);
    expect(gw.cancel('ALPHA1', r, 0, 'I')).toBe(false);
    expect(gw.cancel('ALPHA1', r, 1.5, 'I')).toBe(false);
    expect(gw.cancel('BRAVO1', r, 1, 'I')).toBe(false);
    expect(gw.cancel('NOBODY', r, 1, 'I')).toBe(false);
    expect(gw.cancel('ALPHA1', r, 40, 'I')).toBe(true);
    expect(gw.openOrders('ALPHA1').get(r)).toBe(60);
    expect(gw.cancel('ALPHA1', r, 60, 'Z')).toBe(true);
    expect(gw.openOrders('ALPHA1').has(r)).toBe(false);
    expect(gw.cancel('ALPHA1', r, 1, 'Z')).toBe(false);
    await c.waitFor((x) => x.kind === 'ORDER_CANCELED' && x.values.reason === 'Z');
    expect(c.answers.filter((x) => x.kind === 'ORDER_CANCELED').map((x) => [x.values.quantity, x.values.reason])).toEqual([[40, 'I'], [60, 'Z']]);
    expect(gw.stats().totals.canceled).toBe(2);
  });
});

describe('a venue execution after the gateway answered the client cancel', () => {
  it('still reaches the client; the venue confirming the cancel sends nothing twice', async () => {
    gw = new Gateway({ sessions: SESSIONS, decide: testDoubleDecider().decide, orders: { reduced: () => true } });
    const { port } = await gw.start();
    c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
    const r = c.enter({ side: 'B', quantity: 100, symbol: 'AAPL', price: '10' });
    await c.answer(r);
    c.cancel(r, 40); // the gateway answers: 60 canceled, 40 open
    await c.waitFor((x) => x.kind === 'ORDER_CANCELED' && x.values.userRefNum === r);
    // The venue had executed 70 before the cancel got there: 60 of the canceled shares, then 10 open ones.
    expect(gw.execute('ALPHA1', r, 70, 100_000n)).toBe(true);
    expect(gw.openOrders('ALPHA1').get(r)).toBe(30);
    expect(gw.execute('ALPHA1', r, 31, 100_000n)).toBe(false); // more than the venue can still have
    // The venue's cancel lands on what is left of the canceled part (nothing): a later Canceled of 30 is the open rest.
    expect(gw.cancel('ALPHA1', r, 30, 'Z')).toBe(true);
    expect(gw.openOrders('ALPHA1').has(r)).toBe(false);
    await c.waitFor((x) => x.kind === 'ORDER_CANCELED' && x.values.reason === 'Z');
    expect(c.answers.filter((x) => x.kind === 'ORDER_EXECUTED' || x.kind === 'ORDER_CANCELED').map((x) => [x.kind, x.values.quantity])).toEqual([
      ['ORDER_CANCELED', 60], ['ORDER_EXECUTED', 70], ['ORDER_CANCELED', 30],
    ]);
  });

  it('a full cancel then the venue execution of all of it: Canceled, then Executed; the venue cancel of nothing sends nothing', async () => {
    gw = new Gateway({ sessions: SESSIONS, decide: testDoubleDecider().decide, orders: { reduced: () => true } });
    const { port } = await gw.start();
    c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
    const r = c.enter({ side: 'B', quantity: 50, symbol: 'AAPL', price: '10' });
    await c.answer(r);
    c.cancel(r);
    await c.waitFor((x) => x.kind === 'ORDER_CANCELED' && x.values.userRefNum === r);
    expect(gw.execute('ALPHA1', r, 20, 100_000n)).toBe(true);
    expect(gw.cancel('ALPHA1', r, 30, 'Z')).toBe(false); // the venue confirms the rest: the client has its answer
    expect(gw.execute('ALPHA1', r, 1, 100_000n)).toBe(false);
    await c.waitFor((x) => x.kind === 'ORDER_EXECUTED');
    expect(gw.stats().totals).toMatchObject({ executed: 1, canceled: 1 });
  });
});
