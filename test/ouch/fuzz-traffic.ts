/**
 * The fuzz traffic of the gateway tests (seeded): valid orders, orders with mutated bytes,
 * wrong lengths, random OUCH messages, random SoupBinTCP packets, garbage frames, bad logins,
 * data before login, logouts and reconnects, from many connections. Used against the
 * protocol layer (test/ouch/fuzz.test.ts) and the engine-backed gateway
 * (test/order-entry/gateway-fuzz.test.ts).
 */
import type { Socket } from 'node:net';
import { OuchInbound, SOUPBINTCP, SoupPacket } from '../../src/contract.ts';
import { encodeInbound, SIDES } from '../../src/ouch/codec.ts';
import { soupPacket } from '../../src/ouch/soup-framing.ts';
import { encodeLoginRequest } from '../../src/ouch/soup-packets.ts';
import { rawConnection } from './helpers.ts';

/** mulberry32: a small seeded PRNG, so a failure replays exactly with its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]) => xs[int(xs.length)], bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(256))) };
}

export type Prng = ReturnType<typeof prng>;

export interface FuzzTrafficOptions {
  port: number;
  r: Prng;
  iterations: number;
  /** Symbols the orders name (a random pick each). */
  symbols: readonly string[];
  /** Sessions the fuzz logs in as (mostly with the right password). */
  sessions: readonly { username: string; password: string }[];
  /** Called every `everyN` iterations (a well-behaved client's check). */
  every?: { n: number; fn: (i: number) => Promise<void> };
  /** The price of a new order in `symbol`; default 1 + [0, 3,000,000) price units. */
  price?: (symbol: string) => bigint;
}

/** Runs the fuzz; returns the sockets still open (the caller destroys them). */
export async function fuzzTraffic(o: FuzzTrafficOptions): Promise<Socket[]> {
  const { port, r, symbols: SYMBOLS } = o;
  const SESSIONS = o.sessions;
  const ITERATIONS = o.iterations;
  const price = o.price ?? (() => BigInt(1 + r.int(3_000_000)));
  type Conn = Awaited<ReturnType<typeof rawConnection>> & { dead: boolean; ref: number };
  // One increasing UserRefNum counter for every connection: each user sees increasing
  // numbers whichever connection it is on (the fuzz repeats and lowers some on purpose).
  const refs = { ref: 0 };
  const STRANGER = { username: 'GHOST', password: 'x', account: 0 };
  const login = (s: { username: string; password: string }) =>
    encodeLoginRequest({ username: s.username, password: r.next() < 0.9 ? s.password : 'wrong', requestedSession: '', requestedSequenceNumber: BigInt(r.int(5)) });
  /** Connection slot i: slots 0..3 log in as SESSIONS[i] (mostly correctly), the others are strangers. */
  const open = async (slot: number): Promise<Conn> => {
    const c = (await rawConnection(port)) as Conn;
    c.dead = false;
    Object.defineProperty(c, 'ref', { get: () => refs.ref, set: (v: number) => (refs.ref = Math.max(refs.ref, v)) });
    void c.closed.then(() => (c.dead = true));
    if (slot < SESSIONS.length) c.socket.write(login(SESSIONS[slot]));
    else if (r.next() < 0.5) c.socket.write(login(r.pick([...SESSIONS, STRANGER])));
    return c;
  };
  const conns: Conn[] = await Promise.all(Array.from({ length: SESSIONS.length + 2 }, (_, i) => open(i)));
  const enter = (ref: number) => encodeInbound({
    kind: 'ENTER_ORDER', userRefNum: ref, side: r.pick(['B', 'S', 'T', 'E']), quantity: r.pick([1, 100, 999_999, 1001]),
    ...((symbol) => ({ symbol, price: price(symbol) }))(r.pick(SYMBOLS)), timeInForce: r.pick(['0', '3']), display: 'Y', capacity: 'A',
    interMarketSweepEligibility: 'N', crossType: 'N', clOrdId: `F${ref}`, options: r.next() < 0.2 ? [{ name: 'MinQty', value: 100 }] : [],
  });
  for (let i = 0; i < ITERATIONS; i++) {
    const k = r.int(100);
    const slot = r.int(conns.length);
    if (conns[slot].dead) conns[slot] = await open(slot);
    const c = conns[slot];
    let bytes: Buffer;
    if (k < 8) bytes = login(r.pick([...SESSIONS, STRANGER]));
    else if (k < 35) bytes = soupPacket('U', enter((c.ref += 1 + r.int(2)) - r.int(2))); // sometimes a repeated ref
    else if (k < 55) {
      const b = enter((c.ref += 1));
      // Mostly past the UserRefNum: a mutated one jumps the session's sequence far ahead.
      for (let n = 1 + r.int(3); n > 0; n--) b[r.next() < 0.9 ? 5 + r.int(b.length - 5) : r.int(b.length)] = r.int(256);
      bytes = soupPacket('U', b);
    } else if (k < 63) {
      const b = enter((c.ref += 1));
      bytes = soupPacket('U', r.next() < 0.5 ? b.subarray(0, r.int(b.length)) : Buffer.concat([b, r.bytes(1 + r.int(8))]));
    } else if (k < 73) {
      // a random body behind a known type byte, or behind any byte at all (mostly unknown types), or nothing
      const type = r.next() < 0.5 ? r.pick(Object.values(OuchInbound).map((m) => m.code)) : r.int(256);
      bytes = soupPacket('U', r.next() < 0.1 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([type]), r.bytes(r.int(70))]));
    }
    else if (k < 80) {
      const which = r.int(3);
      bytes = soupPacket('U', which === 0
        ? encodeInbound({ kind: 'CANCEL_ORDER', userRefNum: r.int(c.ref + 2), quantity: r.int(200) })
        : which === 1
          ? encodeInbound({ kind: 'MODIFY_ORDER', userRefNum: r.int(c.ref + 2), side: r.pick(SIDES), quantity: r.int(200) })
          : encodeInbound({ kind: 'REPLACE_ORDER', origUserRefNum: r.int(c.ref + 2), userRefNum: (c.ref += 1), quantity: r.pick([1, 50, 5000]), price: BigInt(1 + r.int(10_000)), timeInForce: '0', display: 'Y', interMarketSweepEligibility: 'N', clOrdId: 'R', options: [] }));
    } else if (k < 86) {
      // an appendage of random option bytes
      const app = r.bytes(r.int(12));
      const b = Buffer.concat([enter((c.ref += 1)), app]);
      b.writeUInt16BE(app.length, OuchInbound.ENTER_ORDER.fields.appendageLength.offset);
      bytes = soupPacket('U', b);
    } else if (k < 92) bytes = soupPacket(String.fromCharCode(0x20 + r.int(0x5f)), r.bytes(r.int(40)));
    else if (k < 95) bytes = soupPacket(r.pick([SoupPacket.CLIENT_HEARTBEAT.type, SoupPacket.LOGOUT_REQUEST.type, SoupPacket.DEBUG.type]));
    else if (k < 98) bytes = r.bytes(1 + r.int(30)); // raw garbage, likely a bad frame length
    else {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(r.pick([0, SOUPBINTCP.maxPacket + 1, 0xffff]));
      bytes = head;
    }
    // Write in random cuts, so the framing sees packets split across reads.
    const cut = r.int(bytes.length + 1);
    if (!c.socket.destroyed) {
      c.socket.write(bytes.subarray(0, cut));
      c.socket.write(bytes.subarray(cut));
    }
    if (o.every && i % o.every.n === 0) await o.every.fn(i);
    if (i % 50 === 0) await new Promise((res) => setImmediate(res));
  }
  return conns.map((c) => c.socket);
}
