/**
 * The venue simulator end to end over loopback (spec §16.9): it replays a generated session
 * (`riskgate gen`'s generator), OuchClient orders placed at known feed positions get exactly
 * the executions the matching rules give — marketable orders at the opposite levels, IOC
 * remainders canceled, resting orders filled by the session's own prints (found by an
 * independent scan of the file) — cancels and replaces work, the same run twice gives the
 * same answers, and garbage on the wire never stops it.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OuchClient, type Answer } from '../../src/client/index.ts';
import { Prng } from '../../src/gen/index.ts';
import { FeedReplay } from '../../src/venue/feed.ts';
import { Venue } from '../../src/venue/venue.ts';
import { generatedSession, scanPrints, VENUE_USERS, type ScannedPrint } from './helpers.ts';

const FIRST_STOP = 6000;

let file: string;
let prints: ScannedPrint[];

beforeAll(async () => {
  file = await generatedSession(20_000, 3, 13);
  prints = scanPrints(file);
}, 60_000);

/** Plain values of an answer, for comparisons (timestamps included: they are the feed's). */
const plain = (a: Answer) => ({ kind: a.kind, ...a.values });

async function startVenue() {
  const venue = new Venue({ sessions: VENUE_USERS, port: 0 });
  const addr = await venue.start();
  const feed = new FeedReplay(file, venue, 'max');
  return { venue, feed, port: addr.port };
}

/** Every answer so far is in once the Cancel Reject of an order that never existed arrives. */
let barrierRef = 900_000;
async function barrier(c: OuchClient): Promise<void> {
  const ref = barrierRef++;
  c.cancel(ref);
  await c.waitFor((a) => a.kind === 'CANCEL_REJECT' && a.values.userRefNum === ref);
}

/** A symbol trading (not halted) with at least two ask levels and a bid at the current position. */
function pickSymbol(venue: Venue): { symbol: string; asks: [number, number][]; bids: [number, number][] } {
  for (let i = 0; venue.book.symbolIndex(venue.book.symbolName(i)) !== undefined; i++) {
    const asks = venue.book.levels(i, 'ask');
    const bids = venue.book.levels(i, 'bid');
    if (asks.length >= 2 && bids.length >= 1 && !venue.isHalted(venue.book.symbolName(i))) return { symbol: venue.book.symbolName(i), asks, bids };
  }
  throw new Error('no symbol with two ask levels and a bid in the generated session');
}

const executions = (c: OuchClient, ref: number) => c.answers.filter((a) => a.kind === 'ORDER_EXECUTED' && a.values.userRefNum === ref);

/**
 * The scenario: at FIRST_STOP a marketable buy through two levels, an IOC buy larger than the
 * best ask, a resting buy at the best bid, a resting sell far away that is canceled, and a
 * resting buy far away replaced to a marketable price; then the rest of the session plays.
 */
async function scenario() {
  barrierRef = 900_000;
  const { venue, feed, port } = await startVenue();
  const c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
  try {
    expect(await feed.advance(FIRST_STOP)).toEqual({ seq: FIRST_STOP, ended: false });
    const { symbol, asks, bids } = pickSymbol(venue);
    const ts = venue.timestampNs;
    const [[a1, s1], [a2]] = asks;
    const bestBid = bids[0][0];

    const walk = c.enter({ side: 'B', quantity: s1 + 1, symbol, price: BigInt(a2) });
    const ioc = c.enter({ side: 'B', quantity: s1 + 10, symbol, price: BigInt(a1), timeInForce: '3' });
    const rest = c.enter({ side: 'B', quantity: 300, symbol, price: BigInt(bestBid) });
    const far = c.enter({ side: 'S', quantity: 100, symbol, price: 1_999_999_900n });
    const low = c.enter({ side: 'B', quantity: 50, symbol, price: 1n });
    await barrier(c);
    c.cancel(far);
    const moved = c.replace(low, { quantity: 50, price: BigInt(a1) });
    await barrier(c);
    const atStop = c.answers.map(plain);

    await feed.advance();
    await barrier(c);
    return { c, venue, symbol, ts, a1, s1, a2, bestBid, refs: { walk, ioc, rest, far, low, moved }, atStop, all: c.answers.map(plain) };
  } finally {
    await c.logout().catch(() => {});
    await venue.close();
  }
}

describe('venue-sim over loopback, replaying a generated session', () => {
  let run: Awaited<ReturnType<typeof scenario>>;
  beforeAll(async () => {
    run = await scenario();
  }, 120_000);

  it('a marketable buy walks the asks within its limit: the best level whole, then one share at the next, liquidity R', () => {
    const { c, refs, ts, a1, s1, a2 } = run;
    expect(c.answers.find((a) => a.kind === 'ORDER_ACCEPTED' && a.values.userRefNum === refs.walk)?.values).toMatchObject({ quantity: s1 + 1, price: BigInt(a2), timestamp: ts });
    expect(executions(c, refs.walk).map((a) => [a.values.quantity, a.values.price, a.values.liquidityFlag, a.values.timestamp])).toEqual([
      [s1, BigInt(a1), 'R', ts],
      [1, BigInt(a2), 'R', ts],
    ]);
  });

  it('an IOC buy fills the best ask and the rest is canceled with reason I', () => {
    const { c, refs, a1, s1 } = run;
    expect(executions(c, refs.ioc).map((a) => [a.values.quantity, a.values.price])).toEqual([[s1, BigInt(a1)]]);
    expect(c.answers.filter((a) => a.kind === 'ORDER_CANCELED' && a.values.userRefNum === refs.ioc).map((a) => a.values)).toEqual([
      expect.objectContaining({ quantity: 10, reason: 'I' }),
    ]);
  });

  it('match numbers are unique and increase, and every execution follows its acceptance', () => {
    const execs = run.c.answers.filter((a) => a.kind === 'ORDER_EXECUTED');
    const matches = execs.map((a) => a.values.matchNumber as bigint);
    expect(matches).toEqual(matches.map((_, i) => BigInt(i + 1)));
    for (const e of execs) {
      const acc = run.c.answers.findIndex((a) => (a.kind === 'ORDER_ACCEPTED' || a.kind === 'ORDER_REPLACED') && a.values.userRefNum === e.values.userRefNum);
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThan(run.c.answers.indexOf(e));
    }
  });

  it('a resting buy at the best bid fills only on the prints at or through its price after it rested, at its own price, liquidity A', () => {
    const { c, refs, symbol, bestBid } = run;
    let left = 300;
    const expected: [number, bigint, string][] = [];
    for (const p of prints) {
      if (left === 0) break;
      if (p.seq <= FIRST_STOP || p.stock !== symbol || p.price > bestBid) continue;
      const q = Math.min(left, p.shares);
      expected.push([q, BigInt(bestBid), 'A']);
      left -= q;
    }
    expect(expected.length, 'the session prints through the best bid after the stop').toBeGreaterThan(0);
    expect(executions(c, refs.rest).map((a) => [a.values.quantity, a.values.price, a.values.liquidityFlag])).toEqual(expected);
  });

  it('a cancel removes a resting order (Canceled U, all its shares) and nothing fills it afterwards', () => {
    const { c, refs } = run;
    expect(c.answers.filter((a) => a.kind === 'ORDER_CANCELED' && a.values.userRefNum === refs.far).map((a) => a.values)).toEqual([
      expect.objectContaining({ quantity: 100, reason: 'U' }),
    ]);
    expect(executions(c, refs.far)).toEqual([]);
    expect(c.answers.some((a) => a.kind === 'CANCEL_REJECT' && a.values.userRefNum === refs.far)).toBe(false);
  });

  it('a replace to a marketable price answers Replaced, then executes the new order at the best ask', () => {
    const { c, refs, a1 } = run;
    const i = c.answers.findIndex((a) => a.kind === 'ORDER_REPLACED' && a.values.userRefNum === refs.moved);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(c.answers[i].values).toMatchObject({ origUserRefNum: refs.low, quantity: 50, price: BigInt(a1) });
    expect(executions(c, refs.moved).map((a) => [a.values.quantity, a.values.price, a.values.liquidityFlag])).toEqual([[50, BigInt(a1), 'R']]);
    expect(executions(c, refs.low)).toEqual([]);
  });

  it('the venue counts what it did and never disagrees with its gateway', () => {
    const s = run.venue.stats();
    expect(s.messages).toBe(20_000);
    expect(s.prints).toBe(prints.length);
    expect(s.inconsistencies).toBe(0);
    expect(s.executions).toBe(run.c.answers.filter((a) => a.kind === 'ORDER_EXECUTED').length);
    expect(s.iocCanceled).toBe(10);
  });

  it('deterministic: the same session and the same orders at the same feed positions give the same answers, byte for byte', async () => {
    const again = await scenario();
    expect(again.atStop).toEqual(run.atStop);
    expect(again.all).toEqual(run.all);
  }, 120_000);
});

describe('venue-sim and bad input', () => {
  let venue: Venue;
  let feed: FeedReplay;
  let port: number;
  beforeAll(async () => {
    ({ venue, feed, port } = await startVenue());
    await feed.advance(FIRST_STOP);
  }, 60_000);
  afterAll(async () => {
    await venue.close();
  });

  it('garbage, a bad login and malformed OUCH never stop it: another session still trades', async () => {
    // Raw garbage: a zero packet length closes that connection only.
    await new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write(Buffer.from([0, 0, 0xff, 0xfe, 1, 2, 3])));
      s.on('error', () => {});
      s.resume(); // read (and drop) the Debug packet, so the gateway's close is seen
      s.on('close', () => resolve());
    });
    await expect(OuchClient.connect({ port, username: 'ALPHA1', password: 'wrong' })).rejects.toThrow(/LOGIN_REJECTED/);
    const bad = await OuchClient.connect({ port, username: 'BRAVO1', password: 'bravo-pw' });
    bad.sendRaw(Buffer.from([0, 4, 0x55, 0x4f, 0x00, 0x01])); // an Enter Order cut to 2 bytes
    bad.sendRaw(Buffer.from([0, 2, 0x55, 0x51])); // unknown OUCH type
    const quantityZero = bad.enter({ side: 'B', quantity: 0, symbol: 'AAPL', price: '1.00' });
    expect((await bad.answer(quantityZero)).kind).toBe('ORDER_REJECTED');
    await barrier(bad);
    expect(bad.debug.join('\n')).toMatch(/OUCH_LENGTH|OUCH_UNKNOWN_TYPE/);

    const c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
    const { symbol, asks } = pickSymbol(venue);
    const ref = c.enter({ side: 'B', quantity: 1, symbol, price: BigInt(asks[0][0]) });
    expect((await c.answer(ref)).kind).toBe('ORDER_ACCEPTED');
    const e = await c.waitFor((a) => a.kind === 'ORDER_EXECUTED' && a.values.userRefNum === ref);
    expect(e.values).toMatchObject({ quantity: 1, price: BigInt(asks[0][0]) });
    await c.logout();
    await bad.logout();
    expect(venue.stats().inconsistencies).toBe(0);
  });
});

describe('venue-sim under random order flow while the session plays', () => {
  it('every order ends as the wire says: open shares on the wire = what rests in the venue; fills + cancels never exceed an order; no inconsistency', async () => {
    const { venue, feed, port } = await startVenue();
    const rnd = new Prng(2026);
    const clients = await Promise.all(VENUE_USERS.map((u) => OuchClient.connect({ port, username: u.username, password: u.password })));
    try {
      await feed.advance(2000);
      const refs: number[][] = clients.map(() => []);
      for (let step = 0; step < 400; step++) {
        const k = rnd.int(clients.length);
        const c = clients[k];
        const roll = rnd.int(10);
        const sym = rnd.int(4);
        const symbol = sym < 3 ? venue.book.symbolName(sym) : 'ZZZZ';
        const top = sym < 3 ? (rnd.chance(0.5) ? venue.book.levels(sym, 'ask')[0] : venue.book.levels(sym, 'bid')[0]) : undefined;
        const price = BigInt(Math.max(1, (top?.[0] ?? 1_000_000) + (rnd.int(11) - 5) * 100));
        if (roll < 5) {
          const quantity = rnd.chance(0.05) ? 0 : 1 + rnd.int(2000); // 0: Order Rejected INVALID_QUANTITY
          refs[k].push(c.enter({ side: rnd.chance(0.5) ? 'B' : 'S', quantity, symbol, price, timeInForce: rnd.chance(0.3) ? '3' : '0' }));
        } else if (roll < 6 && refs[k].length) {
          c.cancel(refs[k][rnd.int(refs[k].length)], rnd.chance(0.5) ? 0 : rnd.int(500));
        } else if (roll < 7 && refs[k].length) {
          refs[k].push(c.replace(refs[k][rnd.int(refs[k].length)], { quantity: 1 + rnd.int(1500), price }));
        } else if (roll < 8 && refs[k].length) {
          c.modify(refs[k][rnd.int(refs[k].length)], rnd.chance(0.8) ? 'B' : 'S', rnd.int(300));
        } else if (roll < 9) {
          // An unreadable OUCH message: random bytes of a length no inbound type has.
          let len = 1 + rnd.int(60);
          if ([9, 10, 40, 47].includes(len)) len++;
          const b = Buffer.alloc(3 + len);
          b.writeUInt16BE(1 + len, 0);
          b[2] = 0x55; // Unsequenced Data
          for (let i = 3; i < b.length; i++) b[i] = rnd.int(256);
          b[3] = 'OUXMQ'.charCodeAt(rnd.int(5));
          c.sendRaw(b);
        } else {
          await feed.advance(feed.position().seq + 1 + rnd.int(600));
        }
      }
      await feed.advance();
      for (const c of clients) await barrier(c);

      for (const [k, c] of clients.entries()) {
        const session = VENUE_USERS[k].username;
        const open = new Map<number, number>();
        const shares = new Map<number, number>();
        const used = new Map<number, number>();
        for (const a of c.answers) {
          const ref = a.values.userRefNum as number;
          const q = a.values.quantity as number;
          if (a.kind === 'ORDER_ACCEPTED' || a.kind === 'ORDER_REPLACED') {
            open.set(ref, q);
            shares.set(ref, q);
            used.set(ref, 0);
            if (a.kind === 'ORDER_REPLACED') open.set(a.values.origUserRefNum as number, 0);
          } else if (a.kind === 'ORDER_EXECUTED' || a.kind === 'ORDER_CANCELED') {
            expect(open.get(ref), `${a.kind} of ${ref}, which is not open`).toBeGreaterThanOrEqual(q);
            open.set(ref, open.get(ref)! - q);
            used.set(ref, used.get(ref)! + q);
          } else if (a.kind === 'ORDER_MODIFIED') {
            expect(q).toBeLessThanOrEqual(open.get(ref)!);
            used.set(ref, used.get(ref)! + open.get(ref)! - q);
            open.set(ref, q);
          }
        }
        expect(open.size).toBeGreaterThan(20);
        for (const [ref, n] of open) {
          expect(venue.matcher.open(session, ref), `${session} order ${ref}`).toBe(n);
          expect(used.get(ref)! + n).toBeLessThanOrEqual(shares.get(ref)!);
        }
      }
      const s = venue.stats();
      expect(s.inconsistencies).toBe(0);
      expect(s.ouch.totals.INTERNAL_ERROR).toBe(0);
      expect(s.executions).toBeGreaterThan(10);
      expect(s.ouch.totals.OUCH_LENGTH + s.ouch.totals.OUCH_UNKNOWN_TYPE).toBeGreaterThan(10);
      expect(s.ouch.totals.INVALID_ORDER).toBeGreaterThan(0);
    } finally {
      for (const c of clients) await c.logout().catch(() => {});
      await venue.close();
    }
  }, 120_000);
});
