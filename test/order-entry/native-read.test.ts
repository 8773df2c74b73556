/**
 * The gateway's native read path (issue 13; native/core/src/ouch_read.rs, GatewayOptions.nativeRead)
 * against its TypeScript path: the same script of client reads over loopback — several packets
 * per read, a packet split across two reads, a bad packet in the middle of a read, a duplicate
 * UserRefNum, a heartbeat, a cancel and an untraded symbol between orders, an order with an
 * appendage, a read of more orders than a batch holds, a bad packet length, a session not
 * logged in — through two engine-backed gateways, one with the native path and one without.
 * Every byte each client receives, every order forwarded to the venue, every session event,
 * the counters, the merged stream and the record digest must be the same; and the native
 * gateway must have taken orders natively (the TypeScript one none).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RecordField, RecordHeader, RecordKind, RECORD_SIZE, SoupPacket } from '../../src/contract.ts';
import { blobFingerprint, configBlob, parseConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { decodeInbound, encodeInbound, SIDES, type EnterOrder } from '../../src/ouch/codec.ts';
import { gatewayOptions } from '../../src/ouch/from-config.ts';
import { Gateway, type SessionEvent } from '../../src/ouch/gateway.ts';
import { soupPacket } from '../../src/ouch/soup-framing.ts';
import { encodeLoginRequest } from '../../src/ouch/soup-packets.ts';
import { OrderEntryEngine } from '../../src/order-entry/engine-session.ts';
import { nativeReadScanner } from '../../src/order-entry/native-read.ts';
import { OrderRouter, type VenueLink } from '../../src/order-entry/router.ts';
import { ROOT } from '../cli/run-cli.ts';
import { prng } from '../ouch/fuzz-traffic.ts';
import { rawConnection } from '../ouch/helpers.ts';
import { alphaText } from '../../src/ouch/wire.ts';
import { generatedSession } from '../venue/helpers.ts';
import { sessionFrames } from './session-frames.ts';

const SESSIONS = [
  { username: 'ALPHA1', password: 'alpha-pw', account: 'ALPHA' },
  { username: 'BRAVO1', password: 'bravo-pw', account: 'BRAVO' },
  { username: 'CHARL1', password: 'charl-pw', account: 'CHARLIE' },
];

function login(username: string, password: string): Buffer {
  return encodeLoginRequest({ username, password, requestedSession: '', requestedSequenceNumber: 0n });
}

/** One step of the script: bytes written on a connection (one write: one read at the gateway, usually). */
interface Step {
  conn: number;
  bytes: Buffer;
}

interface Outcome {
  received: string[];
  venue: string[];
  events: string[];
  stats: unknown;
  digest: { bytes: number; sha256: string };
  merged: string;
  native: { reads: number; orders: number };
}

function config() {
  const json = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
  delete json.$schema;
  json.orderEntry = { port: 0, maxOpenOrders: 40, maxOrderRate: 100_000, sessions: SESSIONS };
  return parseConfig(json, 'test');
}

async function run(steps: readonly Step[], native: boolean, frames: Buffer[]): Promise<Outcome> {
  const cfg = config();
  const blob = configBlob(cfg);
  const oe = new OrderEntryEngine(new RustEngine(blob), blobFingerprint(blob), cfg.accounts.length, cfg.orderEntry!);
  // The venue: records what is forwarded, numbers it like a venue session.
  const venue: string[] = [];
  let venueRef = 0;
  const link = {
    onAnswer: () => {},
    enter: (o: { side: string; quantity: number; symbol: string; price: bigint; timeInForce: string }) => {
      venue.push(`enter ${o.side} ${o.quantity} ${o.symbol} ${o.price} ${o.timeInForce}`);
      return ++venueRef;
    },
    replace: () => ++venueRef,
    cancel: (ref: number, leave: number) => {
      venue.push(`cancel ${ref} ${leave}`);
    },
  } as unknown as VenueLink;
  const router = new OrderRouter(oe, cfg.symbols.map((s) => s.symbol), link);
  const events: string[] = [];
  const gw = new Gateway({
    ...gatewayOptions(cfg, router.decide), decideBatch: router.decideBatch, port: 0, orders: router.listener,
    timing: { heartbeatMs: 60_000, timeoutMs: 60_000, loginTimeoutMs: 60_000 },
    timestampNs: () => 34_200_000_000_000n,
    onEvent: (e: SessionEvent) => events.push(JSON.stringify({ ...e, peer: undefined })),
    ...(native ? { nativeRead: nativeReadScanner() } : {}),
  });
  router.attach(gw);
  const { port } = await gw.start();
  oe.start();
  oe.feed(Buffer.concat(frames));
  const conns = [await rawConnection(port), await rawConnection(port), await rawConnection(port)];
  for (const s of steps) {
    conns[s.conn].socket.write(s.bytes);
    await sleep(40);
  }
  await sleep(200);
  const received = conns.map((c) => c.received().toString('hex'));
  for (const c of conns) c.socket.destroy();
  await gw.close();
  return {
    received, venue, events, stats: gw.stats(), digest: oe.recordDigest(), merged: oe.mergedStream().toString('hex'),
    native: { ...gw.nativeReads },
  };
}

describe('the native read path', () => {
  it('gives the same bytes, venue orders, events, counters and record digest as the TypeScript path', async () => {
    expect(nativeReadScanner()).toBeTypeOf('function');
    const file = await generatedSession(20_000, 3, 13);
    const frames = sessionFrames(file).slice(0, 6000);
    // The bid of each symbol at that position, so that orders near it pass the collar.
    const cfg = config();
    const symbols = cfg.symbols.map((s) => s.symbol);
    const blob = configBlob(cfg);
    const probe = new OrderEntryEngine(new RustEngine(blob), blobFingerprint(blob), cfg.accounts.length, cfg.orderEntry!);
    probe.start();
    const recs = probe.feed(Buffer.concat(frames));
    const bids = new Map<string, bigint>();
    for (let off = 0; off + RECORD_SIZE <= recs.length; off += RECORD_SIZE) {
      const bid = recs.readUInt32LE(off + RecordField.TOB.bid_px);
      if (recs[off + RecordHeader.kind] === RecordKind.TOB && bid > 0) bids.set(symbols[recs[off + RecordHeader.symbol]], BigInt(bid));
    }
    const traded = [...bids.keys()];
    expect(traded.length).toBeGreaterThan(0);

    const order = (ref: number, k: number, over: Partial<EnterOrder> = {}): Buffer => {
      const symbol = traded[k % traded.length];
      const m: EnterOrder = {
        kind: 'ENTER_ORDER', userRefNum: ref, side: k % 3 === 0 ? 'S' : 'B', quantity: 1 + (k % 4) * 50, symbol,
        price: bids.get(symbol)! - BigInt(100 * (k % 2)), timeInForce: k % 2 ? '3' : '0', display: 'Y', capacity: 'A',
        interMarketSweepEligibility: 'N', crossType: 'N', clOrdId: `RG${ref}${k % 5 === 0 ? '' : 'x'}`, options: [], ...over,
      };
      return soupPacket(SoupPacket.UNSEQUENCED_DATA.type, encodeInbound(m));
    };
    const cat = (...b: Buffer[]) => Buffer.concat(b);
    const A = 0;
    const B = 1;
    const C = 2;
    const e6 = order(6, 6);
    const badSide = order(9, 9);
    badSide[2 + 1 + 5] = 'X'.charCodeAt(0); // side
    const cancel12 = soupPacket(SoupPacket.UNSEQUENCED_DATA.type, encodeInbound({ kind: 'CANCEL_ORDER', userRefNum: 12, quantity: 0 }));
    const heartbeat = soupPacket(SoupPacket.CLIENT_HEARTBEAT.type);
    const many: Buffer[] = [];
    for (let r = 100; r < 170; r++) many.push(order(r, r));
    const steps: Step[] = [
      { conn: C, bytes: order(1, 1) }, // not logged in: BEFORE_LOGIN, closed
      { conn: A, bytes: login('ALPHA1', 'alpha-pw') },
      { conn: B, bytes: login('BRAVO1', 'bravo-pw') },
      { conn: A, bytes: cat(order(1, 1), order(2, 2), order(3, 3)) }, // several per read
      { conn: A, bytes: cat(order(4, 4), order(5, 5), e6.subarray(0, 20)) }, // a packet split ...
      { conn: A, bytes: cat(e6.subarray(20), order(7, 7)) }, // ... across two reads
      { conn: A, bytes: cat(order(8, 8), badSide, order(10, 10)) }, // a bad packet in the middle
      { conn: A, bytes: cat(order(11, 11), order(11, 12), order(12, 12), heartbeat, cancel12, order(13, 13, { symbol: 'ZZZZ' }), order(14, 14)) },
      { conn: A, bytes: cat(order(15, 15, { quantity: 5000 }), order(16, 16, { options: [{ name: 'MinQty', value: 1 }] }), order(17, 17)) },
      { conn: B, bytes: cat(...many) }, // more than a batch (64) in one read
      { conn: B, bytes: cat(order(200, 1), order(199, 2), order(201, 3)) }, // out of sequence
      { conn: A, bytes: cat(order(18, 18), Buffer.from([0, 0, 1])) }, // a bad packet length: closed
      { conn: B, bytes: soupPacket(SoupPacket.LOGOUT_REQUEST.type) },
    ];
    const ts = await run(steps, false, frames);
    const nat = await run(steps, true, frames);
    expect(ts.native).toEqual({ reads: 0, orders: 0 });
    // Orders 1-5, 8, 11 and 14/17 at least (those at the start of a read, or after a native one).
    expect(nat.native.orders).toBeGreaterThanOrEqual(70);
    expect(nat.native.reads).toBeGreaterThanOrEqual(5);
    expect(nat.received).toEqual(ts.received);
    expect(nat.venue).toEqual(ts.venue);
    expect(nat.events).toEqual(ts.events);
    expect(nat.stats).toEqual(ts.stats);
    expect(nat.digest).toEqual(ts.digest);
    expect(nat.merged).toEqual(ts.merged);
    // The script did what it says: accepted orders reached the venue, refusals and problems happened.
    expect(ts.venue.length).toBeGreaterThan(10);
    const totals = (ts.stats as { totals: Record<string, number> }).totals;
    expect(totals.accepted).toBeGreaterThan(10);
    expect(totals.rejected).toBeGreaterThan(0);
    expect(totals.DUPLICATE_USER_REF_NUM + totals.USER_REF_NUM_OUT_OF_SEQUENCE).toBeGreaterThanOrEqual(2);
    expect(totals.INVALID_ORDER).toBeGreaterThanOrEqual(2);
    expect(ts.events.some((e) => e.includes('BEFORE_LOGIN'))).toBe(true);
    expect(ts.events.some((e) => e.includes('FRAME_LENGTH'))).toBe(true);
  }, 60_000);

  it('takes a packet only when the TypeScript decoder reads the same plain Enter Order from it (20,000 random mutations)', () => {
    const SYMS = ['AAPL', 'MSFT', 'NVDA', 'A', 'BRK.B', 'ABCDEFGH'];
    const scanner = nativeReadScanner()!(SYMS, 1024);
    const out = new Uint32Array(8 + 64 * 8);
    const r = prng(20261207);
    const CH = (b: number) => String.fromCharCode(b);
    let taken = 0;
    let mutatedTaken = 0;
    for (let i = 0; i < 20_000; i++) {
      const m: EnterOrder = {
        kind: 'ENTER_ORDER', userRefNum: r.int(50), side: r.pick(SIDES), quantity: 1 + r.int(999_999), symbol: r.pick([...SYMS, 'IBM', 'ZZ']),
        price: BigInt(1 + r.int(1_999_999_900)), timeInForce: r.pick(['0', '3', '5', '6', 'E']), display: r.pick(['Y', 'N', 'A']),
        capacity: r.pick(['A', 'P', 'R', 'O']), interMarketSweepEligibility: r.pick(['Y', 'N']), crossType: 'N',
        clOrdId: r.pick(['', 'RG1', 'A B', 'ID-00000000001']), options: [],
      };
      let packet = soupPacket(SoupPacket.UNSEQUENCED_DATA.type, encodeInbound(m));
      const mutations = r.int(4); // 0: the order as encoded
      for (let k = 0; k < mutations; k++) {
        const what = r.int(10);
        if (what === 0) packet = Buffer.concat([packet, r.bytes(1 + r.int(4))]); // bytes after it
        else if (what === 1) packet = packet.subarray(0, r.int(packet.length)); // cut off
        else packet[r.int(packet.length)] = r.pick([r.int(256), 0x20, 0x7f, 0x41, 0x4f, 0x55, 0x00, 0x30]);
      }
      const last = r.int(50);
      const n = scanner.scan(packet, 0, last, out);
      // The reference: the packet framed as the session frames it, decoded as the gateway decodes it.
      const len = packet.length >= 2 ? packet.readUInt16BE(0) : -1;
      const whole = len >= 1 && len <= 1024 && packet.length >= 2 + len;
      const payload = packet.subarray(3, 2 + len);
      const d = whole && packet[2] === SoupPacket.UNSEQUENCED_DATA.code ? decodeInbound(payload) : null;
      const plain = d !== null && d.ok && d.msg.kind === 'ENTER_ORDER' && payload.length === 47 && d.msg.options.length === 0 ? d.msg : null;
      const expected = plain !== null && plain.userRefNum > last && SYMS.includes(plain.symbol);
      expect(n, `iteration ${i}: ${packet.toString('hex')} last ${last}`).toBe(expected ? 1 : 0);
      expect(out[0]).toBe(expected ? 2 + len : 0);
      if (!expected) continue;
      taken++;
      if (mutations > 0) mutatedTaken++;
      const w = 8;
      expect({
        userRefNum: out[w + 1], quantity: out[w + 2], price: BigInt(out[w + 3]), symbol: SYMS[out[w + 4]], side: CH(out[w + 5] & 0xff),
        timeInForce: CH((out[w + 5] >>> 8) & 0xff), display: CH((out[w + 5] >>> 16) & 0xff), capacity: CH(out[w + 5] >>> 24),
        interMarketSweepEligibility: CH(out[w + 6] & 0xff), crossType: CH((out[w + 6] >>> 8) & 0xff), clOrdId: alphaText(packet, out[w] + 31, 14),
      }).toEqual({
        userRefNum: plain!.userRefNum, quantity: plain!.quantity, price: plain!.price, symbol: plain!.symbol, side: plain!.side,
        timeInForce: plain!.timeInForce, display: plain!.display, capacity: plain!.capacity,
        interMarketSweepEligibility: plain!.interMarketSweepEligibility, crossType: plain!.crossType, clOrdId: plain!.clOrdId,
      });
    }
    // Both sides of the property were exercised: orders taken, mutated ones among them, and refusals.
    expect(taken).toBeGreaterThan(2000);
    expect(mutatedTaken).toBeGreaterThan(100);
    expect(taken).toBeLessThan(18_000);
  });
});
