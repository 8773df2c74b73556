/**
 * Protocol fuzz of the gateway (seeded, a few thousand packets from many connections):
 * valid orders, orders with mutated bytes, wrong lengths, random OUCH messages, random
 * SoupBinTCP packets, garbage frames, bad logins, data before login, logouts and
 * reconnects. It proves that the gateway never crashes, that a well-behaved session keeps
 * being answered throughout, and that every order reaching the decider is one that passes
 * validation (checked here independently of the codec, field by field).
 */
import { describe, expect, it } from 'vitest';
import { OuchInbound, SOUPBINTCP, SoupPacket } from '../../src/contract.ts';
import { OuchClient } from '../../src/client/index.ts';
import { encodeInbound, MAX_PRICE, MAX_QUANTITY, SIDES } from '../../src/ouch/codec.ts';
import { Gateway, type OrderToCheck } from '../../src/ouch/gateway.ts';
import { soupPacket } from '../../src/ouch/soup-framing.ts';
import { encodeLoginRequest } from '../../src/ouch/soup-packets.ts';
import { rawConnection, SESSIONS, testDoubleDecider } from './helpers.ts';

const SEED = Number(process.env.OUCH_FUZZ_SEED ?? 20261206);
const ITERATIONS = 4000;
const SYMBOLS = ['AAPL', 'MSFT', 'HALT'];
const CANARY = { username: 'CANARY', password: 'canary-pw', account: 3 };
/** A session the fuzz never touches, logged in only after it. */
const FRESH = { username: 'FRESH', password: 'fresh-pw', account: 2 };

/** mulberry32: a small seeded PRNG, so a failure replays exactly with its seed. */
function prng(seed: number) {
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

/** What validation guarantees of any order the decider sees (an oracle independent of the codec). */
function violations(o: OrderToCheck, lastRef: Map<string, number>): string[] {
  const out: string[] = [];
  const cfg = [...SESSIONS, CANARY, FRESH].find((s) => s.username === o.session) ?? null;
  if (!cfg) out.push(`unknown session ${o.session}`);
  else if (cfg.account !== o.account) out.push(`account ${o.account} is not ${o.session}'s`);
  if (!(SIDES as readonly string[]).includes(o.side)) out.push(`side ${o.side}`);
  if (!Number.isInteger(o.quantity) || o.quantity < 1 || o.quantity > MAX_QUANTITY) out.push(`quantity ${o.quantity}`);
  if (o.price < 1n || o.price > MAX_PRICE) out.push(`price ${o.price}`);
  if (!SYMBOLS.includes(o.symbol)) out.push(`symbol ${o.symbol}`);
  if (!['0', '3', '5', '6', 'E'].includes(o.timeInForce)) out.push(`timeInForce ${o.timeInForce}`);
  const prev = lastRef.get(o.session) ?? 0;
  if (o.userRefNum <= prev) out.push(`userRefNum ${o.userRefNum} not above ${prev}`);
  lastRef.set(o.session, o.userRefNum);
  for (const opt of o.options) if (['PegOffset', 'DiscretionPrice', 'DiscretionPriceType', 'DiscretionPegOffset', 'Route', 'SecondaryOrdRefNum', 'DisplayQuantity', 'DisplayPrice', 'Side'].includes(opt.name)) out.push(`option ${opt.name}`);
  return out;
}

describe('protocol fuzz', () => {
  it(`${ITERATIONS} random and mutated packets from many connections (seed ${SEED}): no crash, no unchecked order, other sessions unaffected`, async () => {
    const r = prng(SEED);
    const { decide, seen } = testDoubleDecider();
    const gw = new Gateway({ sessions: [...SESSIONS, CANARY, FRESH], decide, symbols: SYMBOLS, timing: { loginTimeoutMs: 2000 } });
    const { port } = await gw.start();
    const canary = await OuchClient.connect({ port, username: CANARY.username, password: CANARY.password });
    let canaryAnswered = 0;
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
      symbol: r.pick(SYMBOLS), price: BigInt(1 + r.int(3_000_000)), timeInForce: r.pick(['0', '3']), display: 'Y', capacity: 'A',
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
      if (i % 400 === 0) {
        const ref = canary.enter({ side: 'B', quantity: 10, symbol: 'AAPL', price: '10' });
        expect((await canary.answer(ref, 10_000)).kind).toBe('ORDER_ACCEPTED');
        canaryAnswered++;
      }
      if (i % 50 === 0) await new Promise((res) => setImmediate(res));
    }
    await new Promise((res) => setTimeout(res, 300));

    // The well-behaved session was answered throughout and still is.
    const last = canary.enter({ side: 'S', quantity: 5, symbol: 'MSFT', price: '20' });
    expect((await canary.answer(last, 10_000)).kind).toBe('ORDER_ACCEPTED');
    expect(canaryAnswered).toBe(ITERATIONS / 400);
    expect(canary.closedReason).toBeNull();

    // Every order that reached the decider passes validation, in order per session.
    const lastRef = new Map<string, number>();
    const bad = seen.flatMap((o) => violations(o, lastRef).map((v) => `${o.session} #${o.userRefNum}: ${v}`));
    expect(bad).toEqual([]);
    const t = gw.stats().totals;
    if (process.env.OUCH_FUZZ_PRINT) console.log(JSON.stringify(t));
    expect(t.checked).toBe(seen.length);
    // The fuzz exercised what it claims to: orders through, and each kind of bad input.
    expect(seen.length).toBeGreaterThan(100);
    for (const k of ['INVALID_ORDER', 'OUCH_LENGTH', 'OUCH_UNKNOWN_TYPE', 'FRAME_LENGTH', 'LOGIN_REFUSED', 'BEFORE_LOGIN', 'UNKNOWN_PACKET', 'DUPLICATE_USER_REF_NUM'] as const) {
      expect(t[k], k).toBeGreaterThan(0);
    }

    // A fresh session still logs in and trades.
    const fresh = await OuchClient.connect({ port, username: FRESH.username, password: FRESH.password });
    const ref = fresh.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1' });
    expect((await fresh.answer(ref)).kind).toBe('ORDER_ACCEPTED');
    fresh.destroy();
    canary.destroy();
    for (const c of conns) c.socket.destroy();
    await gw.close();
  }, 60_000);
});
