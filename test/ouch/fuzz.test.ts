/**
 * Protocol fuzz of the gateway (seeded, a few thousand packets from many connections):
 * valid orders, orders with mutated bytes, wrong lengths, random OUCH messages, random
 * SoupBinTCP packets, garbage frames, bad logins, data before login, logouts and
 * reconnects. It proves that the gateway never crashes, that a well-behaved session keeps
 * being answered throughout, and that every order reaching the decider is one that passes
 * validation (checked here independently of the codec, field by field).
 */
import { describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { MAX_PRICE, MAX_QUANTITY, SIDES } from '../../src/ouch/codec.ts';
import { Gateway, type OrderToCheck } from '../../src/ouch/gateway.ts';
import { fuzzTraffic, prng } from './fuzz-traffic.ts';
import { SESSIONS, testDoubleDecider } from './helpers.ts';

const SEED = Number(process.env.OUCH_FUZZ_SEED ?? 20261206);
const ITERATIONS = 4000;
const SYMBOLS = ['AAPL', 'MSFT', 'HALT'];
const CANARY = { username: 'CANARY', password: 'canary-pw', account: 3 };
/** A session the fuzz never touches, logged in only after it. */
const FRESH = { username: 'FRESH', password: 'fresh-pw', account: 2 };

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
    const conns = await fuzzTraffic({
      port, r, iterations: ITERATIONS, symbols: SYMBOLS, sessions: SESSIONS,
      every: {
        n: 400,
        fn: async () => {
          const ref = canary.enter({ side: 'B', quantity: 10, symbol: 'AAPL', price: '10' });
          expect((await canary.answer(ref, 10_000)).kind).toBe('ORDER_ACCEPTED');
          canaryAnswered++;
        },
      },
    });
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
    for (const c of conns) c.destroy();
    await gw.close();
  }, 60_000);
});
