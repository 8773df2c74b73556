/**
 * The kill's mass cancel in the engine-backed gateway without a venue (spec §18.6): a
 * SYMBOL_KILL cancels that symbol's open orders only, the account kill (ACCOUNT_KILL 1)
 * that account's, as does the account kill the daily loss limit engages (ACCOUNT_KILL 2, spec
 * §18.8), a GLOBAL_KILL the engine engages by itself (a foreign control message) every one; each client gets Order Canceled `S`, the engine frees the exposure (ORDER `C`
 * records), and a client's own Cancel frees it too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { ControlOp, RecordField, RecordHeader, RecordKind, RECORD_SIZE } from '../../src/contract.ts';
import { blobFingerprint, configBlob, parseConfig, type Config } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { frame, itch } from '../../src/itch/encode.ts';
import { gatewayOptions } from '../../src/ouch/from-config.ts';
import { Gateway } from '../../src/ouch/gateway.ts';
import { OrderEntryEngine } from '../../src/order-entry/engine-session.ts';
import { OrderRouter } from '../../src/order-entry/router.ts';
import { ROOT } from '../cli/run-cli.ts';
import { generatedSession } from '../venue/helpers.ts';

let cfg: Config;
let frames: Buffer;
let fp: bigint;
let oe: OrderEntryEngine;
let router: OrderRouter;
let gateway: Gateway;
const clients: OuchClient[] = [];

beforeAll(async () => {
  // The generated day's first 6,000 messages: the market is open there (the gateway-engine test's position).
  const file = await generatedSession(20_000, 3, 13);
  const buf = readFileSync(file);
  let off = 0;
  for (let n = 0; n < 6000; n++) off += 2 + buf.readUInt16BE(off);
  frames = buf.subarray(0, off);
  const json = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
  delete json.$schema;
  json.orderEntry = {
    port: 0, maxOpenOrders: 10, maxOrderRate: 1000,
    sessions: [
      { username: 'ALPHA', password: 'alpha-pw', account: 'ALPHA' },
      { username: 'BRAVO', password: 'bravo-pw', account: 'BRAVO' },
    ],
  };
  cfg = parseConfig(json, 'test');
  const blob = configBlob(cfg);
  fp = blobFingerprint(blob);
  oe = new OrderEntryEngine(new RustEngine(blob), fp, cfg.accounts.length, cfg.orderEntry!);
  router = new OrderRouter(oe, cfg.symbols.map((s) => s.symbol), null);
  gateway = new Gateway({ ...gatewayOptions(cfg, router.decide), port: 0, orders: router.listener });
  router.attach(gateway);
  await gateway.start();
  oe.start();
  oe.feed(frames);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await gateway?.close();
});

/** ORDER `C` records (the engine freeing an order): the shares of each (ids are reused). */
function engineCancels(): number[] {
  const out: number[] = [];
  for (const recs of oe.allRecords()) {
    for (let off = 0; off + RECORD_SIZE <= recs.length; off += RECORD_SIZE) {
      if (recs[off + RecordHeader.kind] !== RecordKind.ORDER || recs[off + RecordHeader.aux] !== 0x43) continue;
      out.push(recs.readUInt32LE(off + RecordField.ORDER.qty));
    }
  }
  return out;
}

describe('mass cancel on a kill, no venue', () => {
  it('cancels by symbol, by account, then everything on the engine\'s own kill; each client gets Canceled S', async () => {
    const port = gateway.address().port;
    const alpha = await OuchClient.connect({ port, username: 'ALPHA', password: 'alpha-pw' });
    const bravo = await OuchClient.connect({ port, username: 'BRAVO', password: 'bravo-pw' });
    clients.push(alpha, bravo);
    // Small resting orders at the symbols' reference prices: whatever they are, accepted ones are open.
    const [s0, s1] = cfg.symbols;
    const ref = (i: number) => {
      const v = oe.allRecords();
      // The last top of book of symbol i: its bid (or ask) as a price the collar accepts.
      for (let b = v.length - 1; b >= 0; b--) {
        for (let off = v[b].length - RECORD_SIZE; off >= 0; off -= RECORD_SIZE) {
          if (v[b][off + RecordHeader.kind] === RecordKind.TOB && v[b][off + RecordHeader.symbol] === i) {
            const bid = v[b].readUInt32LE(off + RecordField.TOB.bid_px);
            if (bid > 0) return BigInt(bid);
          }
        }
      }
      throw new Error(`no bid for symbol ${i}`);
    };
    const p0 = ref(0);
    const p1 = ref(1);
    const orders = [
      [alpha, alpha.enter({ side: 'B', quantity: 1, symbol: s0.symbol, price: p0 })],
      [alpha, alpha.enter({ side: 'B', quantity: 2, symbol: s1.symbol, price: p1 })],
      [bravo, bravo.enter({ side: 'B', quantity: 3, symbol: s0.symbol, price: p0 })],
      [bravo, bravo.enter({ side: 'B', quantity: 4, symbol: s1.symbol, price: p1 })],
      [bravo, bravo.enter({ side: 'B', quantity: 5, symbol: s1.symbol, price: p1 })],
    ] as const;
    for (const [c, r] of orders) expect((await c.answer(r)).kind, `order ${r}`).toBe('ORDER_ACCEPTED');
    // A client's own cancel frees the engine's exposure at once (no venue to wait for).
    bravo.cancel(orders[4][1]);
    await bravo.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.values.userRefNum === orders[4][1]);
    expect(router.openByAccount(cfg.accounts.length).orders.slice(0, 2)).toEqual([2, 2]);

    const canceledS = (c: OuchClient) => c.answers.filter((a) => a.kind === 'ORDER_CANCELED' && a.values.reason === 'S').map((a) => [a.values.userRefNum, a.values.quantity]);
    const control = (op: number, target: number, value: bigint) => oe.operatorControls(frame(itch.control(op, target, oe.seq + 1, value, fp)));

    control(ControlOp.SYMBOL_KILL, 0, 1n); // symbol 0: ALPHA's 1 and BRAVO's 3
    await bravo.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.values.reason === 'S');
    await alpha.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.values.reason === 'S');
    expect(canceledS(alpha)).toEqual([[orders[0][1], 1]]);
    expect(canceledS(bravo)).toEqual([[orders[2][1], 3]]);

    control(ControlOp.ACCOUNT_KILL, 1, 1n); // the account kill of BRAVO: its order 4 in symbol 1
    await bravo.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.values.userRefNum === orders[3][1]);
    expect(canceledS(alpha)).toHaveLength(1);
    const refused = bravo.enter({ side: 'B', quantity: 6, symbol: s1.symbol, price: p1 });
    expect((await bravo.answer(refused)).kind).toBe('ORDER_REJECTED');

    // The daily loss limit (spec §18.8): ALPHA's limit is one notional unit; an execution $100
    // above the symbol's mark loses at once, so the engine engages ALPHA's kill itself
    // (CONTROL ACCOUNT_KILL 2) and the gateway mass-cancels ALPHA's open order 2.
    control(ControlOp.SYMBOL_KILL, 0, 0n);
    control(ControlOp.MAX_DAILY_LOSS, 0, 1n);
    const own = oe.enter({ account: 0, symbol: 0, side: 'B', tif: '0', qty: 7, price: Number(p0) });
    expect(own.accepted, `reasons ${own.reasons}`).toBe(true);
    const rec = oe.executed(own.orderId, 7, Number(p0) + 1_000_000);
    expect(rec.length).toBe(2 * RECORD_SIZE);
    expect([rec[RecordHeader.kind], rec[RECORD_SIZE + RecordHeader.kind], rec[RECORD_SIZE + RecordHeader.aux]]).toEqual([RecordKind.FILL, RecordKind.CONTROL, ControlOp.ACCOUNT_KILL]);
    expect([rec.readBigUInt64LE(RECORD_SIZE + RecordField.CONTROL.value), rec.readUInt16LE(RECORD_SIZE + RecordField.CONTROL.target)]).toEqual([2n, 0]);
    await alpha.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.values.userRefNum === orders[1][1]);
    expect(canceledS(alpha)).toEqual([[orders[0][1], 1], [orders[1][1], 2]]);
    const lossKilled = alpha.enter({ side: 'B', quantity: 8, symbol: s0.symbol, price: p0 });
    expect((await alpha.answer(lossKilled)).kind).toBe('ORDER_REJECTED');
    // Released (limit off, kill off): ALPHA trades again.
    control(ControlOp.MAX_DAILY_LOSS, 0, 0n);
    control(ControlOp.ACCOUNT_KILL, 0, 0n);
    const again = alpha.enter({ side: 'B', quantity: 9, symbol: s0.symbol, price: p0 });
    expect((await alpha.answer(again)).kind).toBe('ORDER_ACCEPTED');

    // A foreign control message (another config's fingerprint): the engine engages the global kill itself.
    oe.operatorControls(frame(itch.control(ControlOp.MAX_QTY, 0, oe.seq + 1, 5n, fp ^ 1n)));
    await alpha.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.values.userRefNum === again);
    expect(canceledS(alpha)).toEqual([[orders[0][1], 1], [orders[1][1], 2], [again, 9]]);
    expect(router.openByAccount(cfg.accounts.length).orders.every((n) => n === 0)).toBe(true);
    expect(router.massCanceled).toBe(5);
    // The engine freed every share: ORDER C records for all six orders, the client's cancel included
    // (the order the venue executed is freed by its execution).
    expect(engineCancels().sort()).toEqual([1, 2, 3, 4, 5, 9]);
  }, 60_000);
});
