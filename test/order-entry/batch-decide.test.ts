/**
 * Orders decided a read at a time (spec §18.6): `OrderEntryEngine.enterMany` / `venueMany`
 * check a batch of frames in one engine call with the same answers as one call per frame,
 * and the merged stream they leave replays to the same digest; the gateway's `decideBatch`
 * keeps every answer in its place in the session's stream (an Enter read with a Cancel, a
 * refused UserRefNum or a Replace behind it is answered first).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OuchClient, type Answer } from '../../src/client/index.ts';
import { ORDER_FRAME, RecordField, RecordHeader, RecordKind, RECORD_SIZE } from '../../src/contract.ts';
import { blobFingerprint, configBlob, parseConfig, type Config } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { Gateway, type Decision, type OrderToCheck } from '../../src/ouch/gateway.ts';
import { OrderEntryEngine, type ClientOrder } from '../../src/order-entry/engine-session.ts';
import { ROOT } from '../cli/run-cli.ts';
import { generatedSession } from '../venue/helpers.ts';
import { sessionFrames } from './session-frames.ts';
import { topOfBook } from './top-of-book.ts';

const STOP = 4000;
let cfg: Config;
let marketData: Buffer;
/** The first symbol's best bid at STOP: a buy there rests, inside every collar. */
let bid = 0;

beforeAll(async () => {
  const file = await generatedSession(8_000, 3, 21);
  marketData = Buffer.concat(sessionFrames(file).slice(0, STOP));
  const json = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
  delete json.$schema;
  json.orderEntry = { port: 0, maxOpenOrders: 5, maxOrderRate: 1000, sessions: [{ username: 'ALPHA', password: 'alpha-pw', account: 'ALPHA' }] };
  cfg = parseConfig(json, 'test');
  bid = topOfBook(file, STOP).get(cfg.symbols[0].symbol)!.bid;
  expect(bid).toBeGreaterThan(0);
}, 60_000);

function engineAtStop(): OrderEntryEngine {
  const blob = configBlob(cfg);
  const oe = new OrderEntryEngine(new RustEngine(blob), blobFingerprint(blob), cfg.accounts.length, { maxOpenOrders: 5, maxOrderRate: 1000 });
  oe.feed(marketData);
  return oe;
}

/** The records with each ORDER record's order id zeroed (ids are the control plane's choice). */
function withoutIds(recs: Buffer): Buffer {
  const b = Buffer.from(recs);
  for (let off = 0; off + RECORD_SIZE <= b.length; off += RECORD_SIZE) {
    if (b[off + RecordHeader.kind] === RecordKind.ORDER) b.writeUInt32LE(0, off + RecordField.ORDER.order_id);
  }
  return b;
}

describe('OrderEntryEngine batches', () => {
  it('enterMany and venueMany answer as one call per frame would, and the merged stream replays to the same digest', () => {
    const one = engineAtStop();
    const many = engineAtStop();
    const oneStart = one.allRecords().length;
    const manyStart = many.allRecords().length;
    const price = bid;
    // Seven buys of account 0 on symbol 0: a bad side is refused by the frame check (fail
    // closed), one is over maxQty, and the account's limit of five open orders refuses the rest.
    const orders: ClientOrder[] = [1, 2, 3, 4, 5, 6, 7].map((q) => ({ account: 0, symbol: 0, side: 'B', tif: '0', qty: q, price }));
    orders[1] = { ...orders[1], qty: cfg.symbols[0].maxQty + 1 };
    orders[2] = { ...orders[2], side: 'X' };
    const single = orders.map((o) => one.enter(o));
    const batched = [...many.enterMany(orders.slice(0, 3)), ...many.enterMany(orders.slice(3))];
    expect(batched.map((a) => a && { accepted: a.accepted, reasons: a.reasons })).toEqual(single.map((a) => ({ accepted: a.accepted, reasons: a.reasons })));
    expect(single.map((a) => a.accepted)).toEqual([true, false, false, true, true, true, true]);
    expect(single[2].reasons).toBe(-1);
    // Five open; a sixth would have no room in the engine's account limit, not in the ids.
    expect(batched.every((a) => a !== null)).toBe(true);

    // Venue answers: each accepted order canceled, the first executed in part first.
    const ids = (xs: typeof single) => xs.filter((a) => a!.accepted).map((a) => a!.orderId);
    const venue = (idsOf: number[]) => [
      { event: 'E' as const, orderId: idsOf[0], qty: 1, price },
      ...idsOf.map((id, k) => ({ event: 'C' as const, orderId: id, qty: [1, 4, 5, 6, 7][k] - (k === 0 ? 1 : 0), price: 0 })).filter((v) => v.qty > 0),
      // Nothing open any more: refused (PROBLEM), nothing applied.
      { event: 'C' as const, orderId: idsOf[1], qty: 1, price: 0 },
    ];
    const oneIds = ids(single);
    const oneApplied = venue(oneIds).map((v) => {
      const r = v.event === 'E' ? one.executed(v.orderId, v.qty, v.price) : one.canceled(v.orderId, v.qty);
      return r[RecordHeader.kind] !== RecordKind.PROBLEM;
    });
    const manyApplied = many.venueMany(venue(ids(batched as typeof single)));
    expect(manyApplied).toEqual(oneApplied);
    expect(manyApplied).toEqual([true, true, true, true, true, false]);
    for (const id of ids(batched as typeof single)) expect(many.openShares(id)).toBe(0);

    // The same records, byte for byte, but the order ids (the batch reserves a distinct one
    // per order; one by one, a refused order's id goes to the next).
    const recs = (oe: OrderEntryEngine, from: number) => withoutIds(Buffer.concat(oe.allRecords().slice(from)));
    expect(recs(many, manyStart).equals(recs(one, oneStart))).toBe(true);

    // The merged stream of the batched engine replays through a fresh engine to its digest.
    const blob = configBlob(cfg);
    const replayed = new RustEngine(blob).process(many.mergedStream(), true);
    expect(replayed.length).toBe(many.recordDigest().bytes);
    expect(createHash('sha256').update(replayed).digest('hex')).toBe(many.recordDigest().sha256);
  });
});

describe('OrderEntryEngine free ids', () => {
  it('hasFreeIds counts the engine order ids not held by an accepted order (GatewayOptions.hasRoom)', () => {
    const oe = engineAtStop();
    const slots = ORDER_FRAME.orderSlots;
    expect(oe.hasFreeIds(slots)).toBe(true);
    expect(oe.hasFreeIds(slots + 1)).toBe(false);
    // Seven buys: the account's limit of five open orders refuses the last two, whose ids are free again.
    const answers = oe.enterMany([1, 2, 3, 4, 5, 6, 7].map((q) => ({ account: 0, symbol: 0, side: 'B' as const, tif: '0', qty: q, price: bid })));
    expect(answers.filter((a) => a!.accepted).length).toBe(5);
    expect(oe.hasFreeIds(slots - 5)).toBe(true);
    expect(oe.hasFreeIds(slots - 4)).toBe(false);
    // The venue cancels the first: its id is free again.
    const first = answers.find((a) => a!.accepted)!;
    oe.venueMany([{ event: 'C', orderId: first.orderId, qty: oe.openShares(first.orderId), price: 0 }]);
    expect(oe.hasFreeIds(slots - 4)).toBe(true);
    expect(oe.hasFreeIds(slots - 3)).toBe(false);
  });
});

describe('OrderEntryEngine deferRecords', () => {
  it('tells onRecords after the current task, in call order, with what it would have been told during the calls', async () => {
    const now = engineAtStop();
    const later = engineAtStop();
    const told = (oe: OrderEntryEngine) => {
      const calls: string[] = [];
      oe.onRecords = (records, firstSeq, messages) => calls.push(`${records.toString('hex')} ${firstSeq} ${messages}`);
      return calls;
    };
    const a = told(now);
    const b = told(later);
    later.deferRecords = true;
    for (const oe of [now, later]) {
      const [x] = oe.enterMany([{ account: 0, symbol: 0, side: 'B', tif: '0', qty: 10, price: bid }, { account: 0, symbol: 0, side: 'B', tif: '0', qty: 20, price: bid }]);
      oe.venueMany([{ event: 'C', orderId: x!.orderId, qty: 10, price: 0 }]);
      oe.feed(marketData.subarray(0, 0));
    }
    expect(a.length).toBe(3);
    // Nothing yet: the calls are told once the current task is done.
    expect(b).toEqual([]);
    await Promise.resolve();
    expect(b).toEqual(a);
    expect(later.recordDigest()).toEqual(now.recordDigest());
  });

  it('tells every deferred call even when onRecords throws on one, then throws that error', () => {
    const oe = engineAtStop();
    oe.deferRecords = true;
    const told: number[] = [];
    oe.onRecords = (records) => {
      told.push(records.length);
      if (told.length === 1) throw new Error('clearing failed');
    };
    const [x] = oe.enterMany([{ account: 0, symbol: 0, side: 'B', tif: '0', qty: 10, price: bid }]);
    oe.venueMany([{ event: 'C', orderId: x!.orderId, qty: 10, price: 0 }]);
    expect(() => oe.flushRecords()).toThrow('clearing failed');
    // The venue answer's call after the throwing one was told too, with its records.
    expect(told.length).toBe(2);
    expect(told[1]).toBeGreaterThan(0);
    // Nothing is told twice: the queued microtask finds none left.
    oe.flushRecords();
    expect(told.length).toBe(2);
  });
});

describe('OrderEntryEngine batch failures', () => {
  it('an order or venue frame whose field does not fit leaves nothing in the merged stream and no id reserved', () => {
    const oe = engineAtStop();
    const stream0 = oe.mergedStream();
    const records0 = oe.recordDigest();
    const good: ClientOrder = { account: 0, symbol: 0, side: 'B', tif: '0', qty: 1, price: bid };
    // A price above u32 cannot be written into the frame: the whole batch fails before the engine sees it.
    expect(() => oe.enterMany([good, { ...good, price: 2 ** 32 }])).toThrow(RangeError);
    expect(() => oe.venueMany([{ event: 'C', orderId: 0, qty: 2 ** 32, price: 0 }])).toThrow(RangeError);
    expect(oe.mergedStream().equals(stream0)).toBe(true);
    expect(oe.recordDigest()).toEqual(records0);
    // Every id is free again: the next order takes id 0 and is checked as usual.
    const [a] = oe.enterMany([good]);
    expect(a).toMatchObject({ orderId: 0, accepted: true });
    expect(oe.mergedStream().length).toBe(stream0.length + 38);
  });

  it('an engine call that throws leaves no id reserved (the orders are refused, the ids free again)', () => {
    const real = new RustEngine(configBlob(cfg));
    let failing = true;
    // The real engine, but its order calls fail while `failing`.
    const flaky = {
      backend: 'flaky',
      process: (f: Buffer, end?: boolean) => real.process(f, end),
      processInto: (f: Buffer, out: Buffer, end?: boolean) => {
        if (failing && f.includes(0x7b)) throw new Error('engine down');
        return real.processInto(f, out, end);
      },
      maxRecordBytes: (n: number) => real.maxRecordBytes(n),
      stats: () => real.stats(),
      reset: () => real.reset(),
      close: () => real.close(),
    };
    const oe = new OrderEntryEngine(flaky, blobFingerprint(configBlob(cfg)), cfg.accounts.length, { maxOpenOrders: 5, maxOrderRate: 1000 });
    oe.feed(marketData);
    const o: ClientOrder = { account: 0, symbol: 0, side: 'B', tif: '0', qty: 1, price: bid };
    expect(() => oe.enterMany([o, { ...o, qty: 2 }])).toThrow('engine down');
    expect(oe.openShares(0)).toBe(0);
    expect(oe.openShares(1)).toBe(0);
    failing = false;
    const [a] = oe.enterMany([{ ...o, qty: 3 }]);
    expect(a).toMatchObject({ orderId: 0, accepted: true });
  });
});

describe('Gateway decideBatch', () => {
  let gw: Gateway | null = null;
  afterEach(async () => {
    await gw?.close();
    gw = null;
  });

  it('decides the Enter Orders of a read together and keeps every answer in its place', async () => {
    const calls: number[][] = [];
    gw = new Gateway({
      sessions: [{ username: 'ALPHA', password: 'pw', account: 0 }],
      port: 0,
      // Replaces still go through decide: an odd quantity is refused.
      decide: (o: OrderToCheck): Decision => (o.quantity % 2 === 1 ? { accept: false, reasons: 8 } : { accept: true }),
      // Even UserRefNums accepted, odd ones refused MAX_QTY (bit 3).
      decideBatch: (os) => {
        calls.push(os.map((o) => o.userRefNum));
        return os.map((o): Decision => (o.userRefNum % 2 === 0 ? { accept: true } : { accept: false, reasons: 8 }));
      },
    });
    const { port } = await gw.start();
    const c = await OuchClient.connect({ port, username: 'ALPHA', password: 'pw', firstUserRefNum: 2 });
    const order = { side: 'B' as const, quantity: 10, symbol: 'AAPL', price: '10.00' };
    // One write (the client gathers a turn's messages): 2, 3, Cancel 2, 4 again (used), 6, Replace 6 → 8, 10.
    c.enter(order);
    c.enter(order);
    c.cancel(2);
    c.enter({ ...order, userRefNum: 4 });
    c.enter({ ...order, userRefNum: 4 });
    c.enter({ ...order, userRefNum: 6 });
    c.replace(6, { quantity: 20, price: '10.01', userRefNum: 8 });
    c.enter({ ...order, userRefNum: 10 });
    const last = await c.waitFor((a) => a.kind === 'ORDER_ACCEPTED' && a.values.userRefNum === 10);
    const stream = c.answers.filter((a) => a.seq <= last.seq && a.kind !== 'SYSTEM_EVENT').map((a: Answer) => `${a.kind}:${a.values.userRefNum}`);
    expect(stream).toEqual([
      'ORDER_ACCEPTED:2', 'ORDER_REJECTED:3', 'ORDER_CANCELED:2', 'ORDER_ACCEPTED:4', 'ORDER_REJECTED:4',
      'ORDER_ACCEPTED:6', 'ORDER_REPLACED:8', 'ORDER_ACCEPTED:10',
    ]);
    // Every Enter Order went through decideBatch once, in order, and orders read together were decided together.
    expect(calls.flat()).toEqual([2, 3, 4, 6, 10]);
    expect(calls.some((b) => b.length > 1)).toBe(true);
    expect(gw.stats().totals.checked).toBe(6);
    await c.logout();
  });

  it('refuses every order of a batch when decideBatch fails (fail closed)', async () => {
    gw = new Gateway({
      sessions: [{ username: 'ALPHA', password: 'pw', account: 0 }],
      port: 0,
      decide: () => ({ accept: true }),
      decideBatch: (os) => (os.length > 1 ? [{ accept: true }] : (() => { throw new Error('engine down'); })()),
    });
    const { port } = await gw.start();
    const c = await OuchClient.connect({ port, username: 'ALPHA', password: 'pw' });
    const refs = [0, 1, 2].map(() => c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1.00' }));
    const answers = await Promise.all(refs.map((r) => c.answer(r)));
    expect(answers.map((a) => a.kind)).toEqual(['ORDER_REJECTED', 'ORDER_REJECTED', 'ORDER_REJECTED']);
    expect(gw.stats().totals.DECIDE_FAILED).toBe(3);
    await c.logout();
  });
});
