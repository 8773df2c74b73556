/**
 * Protocol fuzz of the engine-backed gateway (spec §18.6): the fuzz traffic of the protocol
 * test (test/ouch/fuzz-traffic.ts: random and mutated OUCH and SoupBinTCP from many
 * connections) against the gateway whose decide is the Rust engine, with a venue behind it,
 * while the session replays. The venue here is a recording OUCH server: every order it
 * receives must be one the engine accepted — the multiset of (symbol, side, shares, price)
 * the venue saw equals that of the accepted ORDER records (enter and replace) — and a
 * well-behaved session is answered throughout. It never crashes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { RecordField, RecordHeader, RecordKind, RECORD_SIZE } from '../../src/contract.ts';
import { blobFingerprint, configBlob, parseConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { gatewayOptions } from '../../src/ouch/from-config.ts';
import { Gateway, type OrderToCheck } from '../../src/ouch/gateway.ts';
import { OrderEntryEngine } from '../../src/order-entry/engine-session.ts';
import { nativeReadScanner } from '../../src/order-entry/native-read.ts';
import { OrderRouter } from '../../src/order-entry/router.ts';
import { ROOT } from '../cli/run-cli.ts';
import { sessionFrames } from './session-frames.ts';
import { fuzzTraffic, prng } from '../ouch/fuzz-traffic.ts';
import { generatedSession } from '../venue/helpers.ts';

const SEED = Number(process.env.OUCH_FUZZ_SEED ?? 20261207);
const ITERATIONS = 4000;
const SESSIONS = [
  { username: 'ALPHA1', password: 'alpha-pw', account: 'ALPHA' },
  { username: 'BRAVO1', password: 'bravo-pw', account: 'BRAVO' },
  { username: 'CHARL1', password: 'charl-pw', account: 'CHARLIE' },
  { username: 'DELTA1', password: 'delta-pw', account: 'ALPHA' },
];
const CANARY = { username: 'CANARY', password: 'canary-pw', account: 'BRAVO' };

describe('protocol fuzz of the engine-backed gateway', () => {
  // Both read paths: the TypeScript framing and decoder alone, and the native read path first (issue 13).
  for (const native of [false, true]) it(`${ITERATIONS} random and mutated packets while the session replays (seed ${SEED}, ${native ? 'native read path' : 'TypeScript read path'}): no crash, the venue sees only orders the engine accepted`, async () => {
    const file = await generatedSession(20_000, 3, 13);
    const frames = sessionFrames(file);
    const json = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
    delete json.$schema;
    json.orderEntry = { port: 0, maxOpenOrders: 40, maxOrderRate: 100_000, sessions: [...SESSIONS, CANARY] };
    const cfg = parseConfig(json, 'test');
    const symbols = cfg.symbols.map((s) => s.symbol);

    // The venue: a plain OUCH server that accepts and records every order it receives.
    const atVenue: OrderToCheck[] = [];
    const venue = new Gateway({ sessions: [{ username: 'VENUE', password: 'venue', account: 0 }], decide: (o) => (atVenue.push(o), { accept: true }) });
    const va = await venue.start();
    const venueClient = await OuchClient.connect({ port: va.port, username: 'VENUE', password: 'venue' });

    const blob = configBlob(cfg);
    const oe = new OrderEntryEngine(new RustEngine(blob), blobFingerprint(blob), cfg.accounts.length, cfg.orderEntry!);
    const router = new OrderRouter(oe, symbols, venueClient);
    // The gateway as `riskgate gateway` runs it: Enter Orders decided a read at a time.
    const nativeRead = native ? nativeReadScanner() : undefined;
    if (native && !nativeRead) throw new Error('the native module (OuchReader) did not load');
    const gw = new Gateway({ ...gatewayOptions(cfg, router.decide), decideBatch: router.decideBatch, port: 0, orders: router.listener, timing: { loginTimeoutMs: 2000 }, nativeRead });
    router.attach(gw);
    const { port } = await gw.start();
    oe.start();
    // Replay 6,000 messages first (market open), then 50 more between fuzz steps.
    let fed = 0;
    const feed = (n: number) => {
      const end = Math.min(frames.length, fed + n);
      if (end > fed) oe.feed(Buffer.concat(frames.slice(fed, end)));
      fed = end;
    };
    feed(6000);
    // The bid of each symbol at that position (its last top-of-book record).
    const bids = new Map<string, number>();
    for (const recs of oe.allRecords()) {
      for (let off = 0; off + RECORD_SIZE <= recs.length; off += RECORD_SIZE) {
        const bid = recs.readUInt32LE(off + RecordField.TOB.bid_px);
        if (recs[off + RecordHeader.kind] === RecordKind.TOB && bid > 0) bids.set(symbols[recs[off + RecordHeader.symbol]], bid);
      }
    }

    const canary = await OuchClient.connect({ port, username: CANARY.username, password: CANARY.password });
    let canaryAnswered = 0;
    const r = prng(SEED);
    const conns = await fuzzTraffic({
      port, r, iterations: ITERATIONS, symbols: [...bids.keys(), 'NOSUCH', symbols[symbols.length - 1]], sessions: SESSIONS,
      // Mostly near the symbol's bid (inside the collar, so the engine accepts some), sometimes anywhere.
      price: (s) => (bids.has(s) && r.next() < 0.8 ? BigInt(bids.get(s)! + 100 * (r.int(11) - 5)) : BigInt(1 + r.int(3_000_000))),
      every: {
        n: 25,
        fn: async (i) => {
          feed(50);
          if (i % 500 !== 0) return;
          // A well-behaved order is answered (accepted or rejected by the engine) throughout.
          const ref = canary.enter({ side: 'B', quantity: 1, symbol: symbols[0], price: 1n });
          expect(['ORDER_ACCEPTED', 'ORDER_REJECTED']).toContain((await canary.answer(ref, 10_000)).kind);
          canaryAnswered++;
        },
      },
    });
    await new Promise((res) => setTimeout(res, 500));

    // Every engine-accepted enter and replace (ORDER records, reasons 0) and nothing else reached the venue.
    const key = (symbol: string, side: string, qty: number, price: bigint) => `${symbol} ${side === 'B' ? 'B' : 'S'} ${qty} @${price}`;
    const accepted: string[] = [];
    let checked = 0;
    for (const recs of oe.allRecords()) {
      for (let off = 0; off + RECORD_SIZE <= recs.length; off += RECORD_SIZE) {
        if (recs[off + RecordHeader.kind] !== RecordKind.ORDER) continue;
        const action = String.fromCharCode(recs[off + RecordHeader.aux]);
        if (action === 'C') continue;
        checked++;
        if (recs.readUInt16LE(off + RecordField.ORDER.reasons) !== 0) continue;
        accepted.push(key(symbols[recs[off + RecordHeader.symbol]], String.fromCharCode(recs[off + RecordField.ORDER.side]), recs.readUInt32LE(off + RecordField.ORDER.qty), BigInt(recs.readUInt32LE(off + RecordField.ORDER.price))));
      }
    }
    const seen = atVenue.map((o) => key(o.symbol, o.side, o.quantity, o.price));
    expect(seen.sort()).toEqual(accepted.sort());
    const t = gw.stats().totals;
    expect(checked).toBe(t.checked); // every order the gateway checked is one engine ORDER record
    expect(t.accepted + t.replaced).toBe(accepted.length);
    expect(t.DECIDE_FAILED).toBe(0);
    // The fuzz did what it claims: engine accepts and rejects, bad input of each kind.
    if (process.env.OUCH_FUZZ_PRINT) console.log(JSON.stringify({ accepted: accepted.length, t, reasons: [...router.sessions.values()].map((x) => x.reasonBits) }));
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    expect(t.rejected).toBeGreaterThan(20);
    for (const k of ['INVALID_ORDER', 'OUCH_LENGTH', 'OUCH_UNKNOWN_TYPE', 'FRAME_LENGTH', 'LOGIN_REFUSED', 'BEFORE_LOGIN'] as const) expect(t[k], k).toBeGreaterThan(0);
    expect(canaryAnswered).toBe(ITERATIONS / 500);
    expect(canary.closedReason).toBeNull();
    expect(router.unmatched).toBe(0);
    // The native path took fuzzed orders itself (not only handed everything to the TypeScript path).
    if (native) expect(gw.nativeReads.orders).toBeGreaterThan(10);
    else expect(gw.nativeReads.orders).toBe(0);

    canary.destroy();
    for (const c of conns) c.destroy();
    venueClient.destroy();
    await gw.close();
    await venue.close();
  }, 120_000);
});
