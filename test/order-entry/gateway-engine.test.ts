/**
 * Client orders through the engine end to end (spec §18): two clients (accounts ALPHA and
 * BRAVO) send orders over OUCH while a generated session replays; every order is checked by
 * the Rust engine at its position in the session; each answer is the engine's verdict (Order
 * Accepted, or Order Rejected with the OUCH code of the lowest reason bit, §16.5); accepted
 * orders go to `riskgate venue-sim`'s venue, whose executions come back to the client and
 * into the engine, where they — not the fill model — move the position. The recorded merged
 * stream replays through `riskgate replay` to the same record digest, through the Rust core,
 * the Verilated card (FPGA backend) and both compared on every batch (shadow).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OuchClient, type Answer } from '../../src/client/index.ts';
import { OUCH_REJECT_BY_REASON_BIT, OuchReject, Reason, RecordField, RecordHeader, RecordKind, RECORD_SIZE } from '../../src/contract.ts';
import { blobFingerprint, configBlob, parseConfig, type Config } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { isInBand } from '../../src/itch/layout.ts';
import { gatewayOptions } from '../../src/ouch/from-config.ts';
import { Gateway } from '../../src/ouch/gateway.ts';
import { OrderEntryEngine } from '../../src/order-entry/engine-session.ts';
import { OrderRouter } from '../../src/order-entry/router.ts';
import { Venue } from '../../src/venue/venue.ts';
import { riskgate, ROOT } from '../cli/run-cli.ts';
import { sessionFrames } from './session-frames.ts';
import { generatedSession, VENUE_USERS } from '../venue/helpers.ts';

const STOP = 6000;

let file: string;
let frames: Buffer[];
let cfg: Config;

beforeAll(async () => {
  file = await generatedSession(20_000, 3, 13);
  frames = sessionFrames(file);
  const json = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
  delete json.$schema;
  json.orderEntry = {
    port: 0,
    maxOpenOrders: 3,
    maxOrderRate: 1000,
    sessions: [
      { username: 'ALPHA', password: 'alpha-pw', account: 'ALPHA' },
      { username: 'BRAVO', password: 'bravo-pw', account: 'BRAVO' },
    ],
  };
  cfg = parseConfig(json, 'test');
}, 60_000);

/** The ORDER records of a batch of records: order id → reasons. */
function orderRecords(recs: Buffer): { action: string; id: number; reasons: number; qty: number }[] {
  const out = [];
  for (let off = 0; off + RECORD_SIZE <= recs.length; off += RECORD_SIZE) {
    if (recs[off + RecordHeader.kind] !== RecordKind.ORDER) continue;
    out.push({
      action: String.fromCharCode(recs[off + RecordHeader.aux]),
      id: recs.readUInt32LE(off + RecordField.ORDER.order_id),
      reasons: recs.readUInt16LE(off + RecordField.ORDER.reasons),
      qty: recs.readUInt32LE(off + RecordField.ORDER.qty),
    });
  }
  return out;
}

function fillRecords(recs: Buffer): { leg: number; qty: number; position: number; symbol: number }[] {
  const out = [];
  for (let off = 0; off + RECORD_SIZE <= recs.length; off += RECORD_SIZE) {
    if (recs[off + RecordHeader.kind] !== RecordKind.FILL) continue;
    const leg = recs[off + RecordField.FILL.leg];
    if (leg === 0) continue; // the built-in strategy's own fills
    out.push({ leg, qty: recs.readUInt32LE(off + RecordField.FILL.qty), position: recs.readInt32LE(off + RecordField.FILL.position_after), symbol: recs[off + RecordHeader.symbol] });
  }
  return out;
}

describe('client orders through the engine, the gateway and the venue', () => {
  let venue: Venue;
  let gateway: Gateway;
  let oe: OrderEntryEngine;
  let router: OrderRouter;
  let venueClient: OuchClient;
  let records: Buffer[] = [];
  let fed = 0;

  const feedTo = (seq: number) => {
    const chunk: Buffer[] = [];
    for (; fed < seq && fed < frames.length; fed++) {
      const f = frames[fed];
      chunk.push(f);
      if (!isInBand(f[2], f.length - 2)) venue.apply(f.subarray(2));
    }
    records.push(oe.feed(Buffer.concat(chunk), fed >= frames.length));
  };

  beforeAll(async () => {
    venue = new Venue({ sessions: VENUE_USERS, port: 0 });
    const va = await venue.start();
    const blob = configBlob(cfg);
    const engine = new RustEngine(blob);
    oe = new OrderEntryEngine(engine, blobFingerprint(blob), cfg.accounts.length, { maxOpenOrders: 3, maxOrderRate: 1000 });
    venueClient = await OuchClient.connect({ port: va.port, username: VENUE_USERS[0].username, password: VENUE_USERS[0].password });
    router = new OrderRouter(oe, cfg.symbols.map((s) => s.symbol), venueClient);
    // As `riskgate gateway` runs it: Enter Orders decided a read at a time (one engine call).
    gateway = new Gateway({ ...gatewayOptions(cfg, router.decide), decideBatch: router.decideBatch, port: 0, orders: router.listener });
    router.attach(gateway);
    await gateway.start();
    records = [oe.start()];
  }, 30_000);

  afterAll(async () => {
    await venueClient?.logout().catch(() => {});
    await gateway?.close();
    await venue?.close();
  });

  it('answers every order with the engine verdict; venue executions move the position; the merged stream replays to the same digest', async () => {
    const port = gateway.address().port;
    const alpha = await OuchClient.connect({ port, username: 'ALPHA', password: 'alpha-pw' });
    const bravo = await OuchClient.connect({ port, username: 'BRAVO', password: 'bravo-pw' });
    feedTo(STOP);

    // A symbol with a bid and an ask at this position.
    const sym = cfg.symbols.findIndex((s) => {
      const i = venue.book.symbolIndex(s.symbol);
      return i !== undefined && venue.book.levels(i, 'ask').length > 0 && venue.book.levels(i, 'bid').length > 0;
    });
    expect(sym).toBeGreaterThanOrEqual(0);
    const symbol = cfg.symbols[sym].symbol;
    const vi = venue.book.symbolIndex(symbol)!;
    const [ask, askSize] = venue.book.levels(vi, 'ask')[0];
    const [bid] = venue.book.levels(vi, 'bid')[0];

    // ALPHA: a marketable buy the venue executes at once; one over the symbol's maxQty.
    const take = Math.min(askSize, 10);
    const buy = alpha.enter({ side: 'B', quantity: take, symbol, price: BigInt(ask) });
    const big = alpha.enter({ side: 'B', quantity: cfg.symbols[sym].maxQty + 1, symbol, price: BigInt(ask) });
    // BRAVO: four resting buys at the bid; its limit is three open orders.
    const rest = [1, 2, 3, 4].map((q) => bravo.enter({ side: 'B', quantity: q, symbol, price: BigInt(bid) }));

    const answers = new Map<string, Answer>();
    for (const [c, name, refs] of [[alpha, 'A', [buy, big]], [bravo, 'B', rest]] as const) {
      for (const r of refs) answers.set(`${name}${r}`, await c.answer(r));
    }
    const exec = await alpha.waitFor((a) => a.kind === 'ORDER_EXECUTED' && a.values.userRefNum === buy);
    expect(exec.values.quantity).toBe(take);
    expect(exec.values.price).toBe(BigInt(ask));

    // Each answer is the engine's ORDER record for it, in the order they were checked.
    const orderRecs = orderRecords(Buffer.concat(oe_records(oe)));
    const entered = orderRecs.filter((o) => o.action === 'O');
    expect(entered).toHaveLength(6);
    const expectAnswer = (a: Answer, reasons: number) => {
      if (reasons === 0) {
        expect(a.kind).toBe('ORDER_ACCEPTED');
      } else {
        expect(a.kind).toBe('ORDER_REJECTED');
        const bit = 31 - Math.clz32(reasons & -reasons);
        expect(a.values.reason).toBe(OuchReject[OUCH_REJECT_BY_REASON_BIT[bit]]);
      }
    };
    const byQty = (q: number) => entered.find((o) => o.qty === q)!;
    expectAnswer(answers.get(`A${buy}`)!, entered[0].reasons);
    expect(entered[0].reasons).toBe(0);
    expectAnswer(answers.get(`A${big}`)!, entered[1].reasons);
    expect(entered[1].reasons & Reason.MAX_QTY).not.toBe(0);
    rest.forEach((r, k) => expectAnswer(answers.get(`B${r}`)!, byQty(k + 1).reasons));
    expect(rest.slice(0, 3).map((_, k) => byQty(k + 1).reasons)).toEqual([0, 0, 0]);
    expect(byQty(4).reasons & Reason.OPEN_ORDERS).not.toBe(0);

    // The venue's execution is a FILL (leg ≥ 1) that moved the position by what it executed.
    const fills = fillRecords(Buffer.concat(oe_records(oe)));
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ leg: 1, qty: take, symbol: sym });

    // A client cancel reaches the venue; the venue's Canceled frees the order in the engine.
    bravo.cancel(rest[0]);
    await bravo.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.values.userRefNum === rest[0]);
    await until(() => orderRecords(Buffer.concat(oe_records(oe))).some((o) => o.action === 'C'));

    feedTo(frames.length);
    await alpha.logout();
    await bravo.logout();

    // The merged stream (market data + order-entry frames) replays to the same digest.
    const merged = join(dirname(file), 'merged.itch');
    writeFileSync(merged, oe.mergedStream());
    const r = riskgate(['replay', merged, '--config', join(ROOT, 'config/default.json'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.recordsSha256 ?? report.digest?.recordsSha256 ?? findDigest(report)).toBe(oe.recordDigest().sha256);

    // The hardware takes it too (spec §18.7): the Verilated card alone, and both engines
    // compared on every batch, give the same digest.
    for (const backend of ['fpga', 'shadow']) {
      const x = riskgate(['replay', merged, '--config', join(ROOT, 'config/default.json'), '--backend', backend, '--json']);
      expect(x.status, x.stderr).toBe(0);
      expect(findDigest(JSON.parse(x.stdout))).toBe(oe.recordDigest().sha256);
    }
  }, 120_000);
});

/** Every record the order-entry engine produced so far (its digest covers the same bytes). */
function oe_records(oe: OrderEntryEngine): Buffer[] {
  return oe.allRecords();
}

function findDigest(o: unknown): string | undefined {
  if (!o || typeof o !== 'object') return undefined;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'recordsSha256' && typeof v === 'string') return v;
    const d = findDigest(v);
    if (d) return d;
  }
  return undefined;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
