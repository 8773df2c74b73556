/**
 * The gateway over real TCP on loopback: several clients at once, each with its own
 * credentials, orders answered through the (test-double) decider with the contract's
 * reject-code mapping, replace / cancel / modify / execution flows, replay on re-login, and
 * bad input handled per session — counted, and without disturbing the other sessions.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import { OuchReject, OUCH_REJECT_BY_REASON_BIT, REASON_NAMES, Reason, SoupLoginReject, SoupPacket } from '../../src/contract.ts';
import { OuchClient, LoginRejectedError } from '../../src/client/index.ts';
import { Gateway, type Decider } from '../../src/ouch/gateway.ts';
import { SoupDecoder, soupPacket } from '../../src/ouch/soup-framing.ts';
import { encodeLoginRequest } from '../../src/ouch/soup-packets.ts';
import { rawConnection, SESSIONS, testDoubleDecider } from './helpers.ts';

let gw: Gateway | null = null;
const clients: OuchClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await gw?.close();
  gw = null;
});

async function start(decide: Decider = testDoubleDecider().decide, extra: Partial<ConstructorParameters<typeof Gateway>[0]> = {}) {
  gw = new Gateway({ sessions: SESSIONS, decide, symbols: ['AAPL', 'MSFT', 'HALT'], ...extra });
  const { port } = await gw.start();
  return port;
}
async function client(port: number, i: number, more: Partial<Parameters<typeof OuchClient.connect>[0]> = {}) {
  const c = await OuchClient.connect({ port, username: SESSIONS[i].username, password: SESSIONS[i].password, ...more });
  clients.push(c);
  return c;
}
const code = (name: keyof typeof OuchReject) => OuchReject[name];
const rejectCodeOf = (reason: number) => OuchReject[OUCH_REJECT_BY_REASON_BIT[REASON_NAMES.indexOf(Object.entries(Reason).find(([, v]) => v === reason)![0] as (typeof REASON_NAMES)[number])]];

describe('gateway on loopback', () => {
  it('listens on 127.0.0.1 and starts every session with System Event S (start of day)', async () => {
    const port = await start();
    expect(gw!.address().address).toBe('127.0.0.1');
    const c = await client(port, 0, { requestedSequenceNumber: 1n });
    const first = await c.waitFor(() => true);
    expect(first).toMatchObject({ seq: 1n, kind: 'SYSTEM_EVENT', values: { eventCode: 'S' } });
  });

  it('four concurrent clients: every order answered, in order, with the mapped reject codes', async () => {
    const { decide, seen } = testDoubleDecider();
    const port = await start(decide);
    const cs = await Promise.all(SESSIONS.map((_, i) => client(port, i)));
    const refs = cs.map((c, i) =>
      Array.from({ length: 60 }, (_, k) => c.enter({ side: k % 2 ? 'S' : 'B', quantity: k % 5 === 0 ? 5000 : 100 + i, symbol: k % 7 === 0 ? 'HALT' : 'AAPL', price: '189.50' })),
    );
    const answers = await Promise.all(cs.map((c, i) => Promise.all(refs[i].map((r) => c.answer(r)))));
    for (const [i, list] of answers.entries()) {
      list.forEach((a, k) => {
        const qtyBad = k % 5 === 0;
        const halted = k % 7 === 0;
        if (!qtyBad && !halted) {
          expect(a.kind).toBe('ORDER_ACCEPTED');
          expect(a.values).toMatchObject({ symbol: 'AAPL', quantity: 100 + i, price: 1_895_000n, orderState: 'L' });
        } else {
          expect(a.kind).toBe('ORDER_REJECTED');
          // HALTED (bit 1) is below MAX_QTY (bit 3): with both, the lowest bit decides.
          expect(a.values.reason).toBe(rejectCodeOf(halted ? Reason.HALTED : Reason.MAX_QTY));
        }
      });
      // sequence numbers continue without gaps
      const seqs = cs[i].answers.map((a) => a.seq);
      expect(seqs).toEqual(seqs.map((_, k) => seqs[0] + BigInt(k)));
    }
    expect(seen).toHaveLength(4 * 60);
    expect(new Set(seen.filter((o) => o.session === 'DELTA1').map((o) => o.account))).toEqual(new Set([0]));
    expect(gw!.stats().totals).toMatchObject({ checked: 240, logins: 4 });
  });

  it('refuses wrong credentials (A) and a second login of a connected user (S), leaving the first alone', async () => {
    const port = await start();
    await expect(OuchClient.connect({ port, username: 'ALPHA1', password: 'nope' })).rejects.toMatchObject({ reason: SoupLoginReject.NOT_AUTHORIZED });
    await expect(OuchClient.connect({ port, username: 'NOBODY', password: 'x' })).rejects.toBeInstanceOf(LoginRejectedError);
    const first = await client(port, 0);
    await expect(OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' })).rejects.toMatchObject({ reason: SoupLoginReject.SESSION_NOT_AVAILABLE });
    await expect(OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw', session: 'OTHER' })).rejects.toMatchObject({ reason: SoupLoginReject.SESSION_NOT_AVAILABLE });
    const r = first.enter({ side: 'B', quantity: 10, symbol: 'MSFT', price: '400' });
    expect((await first.answer(r)).kind).toBe('ORDER_ACCEPTED');
    expect(gw!.stats().totals.LOGIN_REFUSED).toBe(4);
  });

  it('replace, cancel, modify and executions of live orders; cancel of an unknown order gets Cancel Reject', async () => {
    const { decide, seen } = testDoubleDecider();
    const port = await start(decide);
    const c = await client(port, 1);
    const r1 = c.enter({ side: 'B', quantity: 500, symbol: 'MSFT', price: '400.25' });
    expect((await c.answer(r1)).kind).toBe('ORDER_ACCEPTED');
    const r2 = c.replace(r1, { quantity: 600, price: '400.30' });
    const rep = await c.answer(r2);
    expect(rep).toMatchObject({ kind: 'ORDER_REPLACED', values: { origUserRefNum: r1, userRefNum: r2, symbol: 'MSFT', side: 'B', quantity: 600, price: 4_003_000n } });
    expect(seen.at(-1)).toMatchObject({ kind: 'REPLACE_ORDER', origUserRefNum: r1, symbol: 'MSFT', side: 'B' });
    // a replace the risk check refuses leaves the original live
    const r3 = c.replace(r2, { quantity: 5000, price: '400.30' });
    expect((await c.answer(r3)).values.reason).toBe(rejectCodeOf(Reason.MAX_QTY));
    expect(gw!.openOrders('BRAVO1')).toEqual(new Map([[r2, 600]]));
    c.cancel(r2, 400);
    const partial = await c.waitFor((a) => a.kind === 'ORDER_CANCELED');
    expect(partial.values).toMatchObject({ userRefNum: r2, quantity: 200, reason: 'U' });
    c.modify(r2, 'B', 300);
    expect((await c.waitFor((a) => a.kind === 'ORDER_MODIFIED')).values).toMatchObject({ userRefNum: r2, side: 'B', quantity: 300 });
    expect(gw!.execute('BRAVO1', r2, 100, 4_003_000n)).toBe(true);
    expect((await c.waitFor((a) => a.kind === 'ORDER_EXECUTED')).values).toMatchObject({ userRefNum: r2, quantity: 100, price: 4_003_000n });
    expect(gw!.execute('BRAVO1', r2, 1000, 4_003_000n)).toBe(false);
    c.cancel(r2);
    expect((await c.waitFor((a) => a.kind === 'ORDER_CANCELED' && a.seq > partial.seq)).values.quantity).toBe(200);
    expect(gw!.openOrders('BRAVO1').size).toBe(0);
    c.cancel(9999);
    expect((await c.waitFor((a) => a.kind === 'CANCEL_REJECT')).values.userRefNum).toBe(9999);
    expect(gw!.stats().sessions.BRAVO1).toMatchObject({ replaced: 1, canceled: 2, modified: 1, executed: 1, UNKNOWN_ORDER: 1 });
  });

  it('duplicate and out-of-sequence UserRefNums are rejected (OTHER, with a Debug note), never reach the decider; an Account Query gives the next', async () => {
    const { decide, seen } = testDoubleDecider();
    const port = await start(decide);
    const c = await client(port, 0);
    expect(await c.accountQuery()).toBe(1);
    const r = c.enter({ side: 'B', quantity: 10, symbol: 'AAPL', price: '1', userRefNum: 10 });
    await c.answer(r);
    const seq = c.answers.length;
    c.enter({ side: 'B', quantity: 10, symbol: 'AAPL', price: '1', userRefNum: 10, clOrdId: 'DUP' });
    c.enter({ side: 'B', quantity: 10, symbol: 'AAPL', price: '1', userRefNum: 5, clOrdId: 'OLD' });
    const last = c.enter({ side: 'S', quantity: 10, symbol: 'AAPL', price: '1', userRefNum: 11 });
    await c.answer(last);
    expect(seen.map((o) => o.userRefNum)).toEqual([10, 11]);
    expect(c.answers.slice(seq, seq + 2).map((a) => [a.kind, a.values.userRefNum, a.values.reason, a.values.clOrdId])).toEqual([
      ['ORDER_REJECTED', 10, OuchReject.OTHER, 'DUP'],
      ['ORDER_REJECTED', 5, OuchReject.OTHER, 'OLD'],
    ]);
    expect(c.debug.join('\n')).toMatch(/DUPLICATE_USER_REF_NUM.*\n.*USER_REF_NUM_OUT_OF_SEQUENCE/);
    expect(gw!.stats().sessions.ALPHA1).toMatchObject({ DUPLICATE_USER_REF_NUM: 1, USER_REF_NUM_OUT_OF_SEQUENCE: 1 });
    // The order the duplicate number named is untouched.
    expect(gw!.openOrders('ALPHA1').get(10)).toBe(10);
    expect(await c.accountQuery()).toBe(12);
    await c.continueNumbering();
    expect(c.nextUserRefNum).toBe(12);
  });

  it('an invalid order is rejected with its OUCH code and never reaches the decider; an unknown symbol too', async () => {
    const { decide, seen } = testDoubleDecider();
    const port = await start(decide);
    const c = await client(port, 2);
    const r1 = c.enter({ side: 'B', quantity: 0, symbol: 'AAPL', price: '1' });
    const r2 = c.enter({ side: 'B', quantity: 1, symbol: 'NOPE', price: '1' });
    const r3 = c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1', options: [{ name: 'PegOffset', value: 5 }] });
    expect((await c.answer(r1)).values.reason).toBe(code('INVALID_QUANTITY'));
    expect((await c.answer(r2)).values.reason).toBe(code('INVALID_SYMBOL'));
    expect((await c.answer(r3)).values.reason).toBe(code('PEGGING_NOT_ALLOWED'));
    expect(seen).toHaveLength(0);
    expect(gw!.stats().sessions.CHARL1.INVALID_ORDER).toBe(3);
  });

  it('fails closed: a decider that throws or answers nonsense rejects the order (OTHER) and counts DECIDE_FAILED', async () => {
    let n = 0;
    const port = await start(() => {
      n++;
      if (n === 1) throw new Error('engine down');
      return n === 2 ? ({ accept: false, reasons: 0 }) : ({ accept: 'yes' } as never);
    });
    const c = await client(port, 0);
    const refs = [1, 2, 3].map(() => c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1' }));
    for (const r of refs) expect((await c.answer(r)).values).toMatchObject({ reason: code('OTHER') });
    expect(c.answers.some((a) => a.kind === 'ORDER_ACCEPTED')).toBe(false);
    expect(gw!.stats().totals.DECIDE_FAILED).toBe(3);
  });

  it('an asynchronous decider keeps each session in order', async () => {
    const port = await start(async (o) => {
      await new Promise((r) => setTimeout(r, o.quantity % 3));
      return { accept: true };
    });
    const c = await client(port, 0);
    const refs = Array.from({ length: 30 }, (_, k) => c.enter({ side: 'B', quantity: k + 1, symbol: 'AAPL', price: '2' }));
    await c.answer(refs.at(-1)!);
    expect(c.answers.filter((a) => a.kind === 'ORDER_ACCEPTED').map((a) => a.values.userRefNum)).toEqual(refs);
  });

  it('pipelineEnters: a session\'s Enter Orders reach the decider before the first is answered; answers stay in order; a Cancel waits for the answers before it; a bad order behind pending ones is refused in its place', async () => {
    // A decider that holds every decision until released (like run --order-entry's commit).
    const held: { userRefNum: number; resolve: (d: { accept: true } | { accept: false; reasons: number }) => void }[] = [];
    const port = await start((o) => new Promise((resolve) => held.push({ userRefNum: o.userRefNum, resolve })), { pipelineEnters: true });
    const c = await client(port, 0);
    const refs = Array.from({ length: 5 }, (_, k) => c.enter({ side: 'B', quantity: k + 1, symbol: 'AAPL', price: '2' }));
    // An unknown symbol behind them: refused in its place (after their answers), never decided.
    const bad = c.enter({ side: 'B', quantity: 9, symbol: 'NOPE', price: '2' });
    for (const t0 = Date.now(); held.length < 5; await new Promise((r) => setTimeout(r, 5))) if (Date.now() - t0 > 5000) throw new Error(`decider saw ${held.length} orders`);
    // All five are with the decider, none answered yet.
    expect(held.map((h) => h.userRefNum)).toEqual(refs);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.answers.filter((a) => a.kind === 'ORDER_ACCEPTED' || a.kind === 'ORDER_REJECTED')).toEqual([]);
    c.cancel(refs[0], 0);
    // Released out of order: the answers still leave in the session's order.
    held[2].resolve({ accept: false, reasons: Reason.MAX_QTY });
    for (const k of [4, 3, 1, 0]) held[k].resolve({ accept: true });
    const canceled = await c.waitFor((a) => a.kind === 'ORDER_CANCELED');
    const kinds = c.answers.filter((a) => a.kind !== 'SYSTEM_EVENT').map((a) => `${a.kind}:${a.values.userRefNum}`);
    expect(kinds).toEqual([
      ...refs.map((r, k) => `${k === 2 ? 'ORDER_REJECTED' : 'ORDER_ACCEPTED'}:${r}`),
      `ORDER_REJECTED:${bad}`,
      `ORDER_CANCELED:${refs[0]}`,
    ]);
    expect(canceled.values.userRefNum).toBe(refs[0]);
    expect(held).toHaveLength(5); // the unknown symbol never reached the decider
  });

  it('re-login replays from the requested sequence number, including answers produced while away', async () => {
    const port = await start();
    const c = await client(port, 0, { requestedSequenceNumber: 1n });
    const r1 = c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '3' });
    await c.answer(r1);
    const resumeAt = c.nextSeq;
    const r2 = c.enter({ side: 'B', quantity: 2, symbol: 'AAPL', price: '3' });
    await c.logout(); // r2 was sent before the logout: its answer is sequenced while the client is away
    expect(() => c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '3' })).toThrow(/NOT_LOGGED_IN/);
    const again = await client(port, 0, { requestedSequenceNumber: resumeAt, firstUserRefNum: r2 + 1 });
    expect(again.login?.sequenceNumber).toBe(resumeAt);
    const a2 = await again.answer(r2);
    expect(a2.seq).toBe(resumeAt);
    expect(gw!.stats().sessions.ALPHA1).toMatchObject({ logins: 2, logouts: 1 });
  });

  it('a re-login with keepAnswers false and the onAnswer option gets every replayed answer, those in the read with Login Accepted too', async () => {
    const port = await start();
    const c = await client(port, 0, { requestedSequenceNumber: 1n });
    const refs = Array.from({ length: 20 }, (_, k) => c.enter({ side: 'B', quantity: k + 1, symbol: 'AAPL', price: '3' }));
    await c.answer(refs.at(-1)!);
    const total = c.answers.length;
    await c.logout();
    const seen: bigint[] = [];
    await client(port, 0, { requestedSequenceNumber: 1n, keepAnswers: false, firstUserRefNum: 100, onAnswer: (a) => seen.push(a.seq) });
    for (const t0 = Date.now(); seen.length < total && Date.now() - t0 < 2000; ) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(Array.from({ length: total }, (_, k) => BigInt(k + 1)));
  });

  it('a client sending garbage is closed and counted; the other sessions keep trading', async () => {
    const port = await start();
    const good = await client(port, 0);
    const bad = await client(port, 1);
    const bad2 = await rawConnection(port);
    bad.sendRaw(Buffer.from([0xff, 0xff, 1, 2, 3])); // length 65535: cannot resynchronise
    bad2.socket.write(soupPacket('U', Buffer.from('O'))); // data before login
    await bad.closed();
    await bad2.closed;
    const r = good.enter({ side: 'B', quantity: 5, symbol: 'AAPL', price: '4' });
    expect((await good.answer(r)).kind).toBe('ORDER_ACCEPTED');
    const t = gw!.stats().totals;
    expect(t.FRAME_LENGTH).toBe(1);
    expect(t.BEFORE_LOGIN).toBe(1);
    expect(gw!.stats().sessions.BRAVO1.FRAME_LENGTH).toBe(1);
    expect(gw!.stats().sessions.ALPHA1.FRAME_LENGTH).toBe(0);
  });

  it('closing the gateway sends System Event E and End of Session', async () => {
    const port = await start();
    const raw = await rawConnection(port);
    raw.socket.write(encodeLoginRequest({ username: 'CHARL1', password: 'charl-pw', requestedSession: '', requestedSequenceNumber: 1n }));
    await new Promise((r) => setTimeout(r, 100));
    await gw!.close();
    gw = null;
    await raw.closed;
    const frames = new SoupDecoder().push(raw.received());
    expect(frames.map((f) => f.type).join('')).toBe(`${SoupPacket.LOGIN_ACCEPTED.type}SS${SoupPacket.END_OF_SESSION.type}`);
    expect(frames[2].payload.toString('latin1', 9)).toBe('E');
  });

  it('logs every session problem as a structured warning naming the session and the problem', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) });
    let clock = 0;
    const port = await start(undefined, { log: createLogger({ level: 'info', destination: sink }), now: () => clock });
    const c = await client(port, 0);
    c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1', userRefNum: 5 });
    for (let i = 0; i < 3; i++) c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1', userRefNum: 5 });
    await new Promise((r) => setTimeout(r, 100));
    const warns = lines.map((l) => JSON.parse(l)).filter((j) => j.problem === 'DUPLICATE_USER_REF_NUM');
    expect(warns[0]).toMatchObject({ level: 40, session: 'ALPHA1', detail: 'UserRefNum 5 is already used (last 5; an Account Query gives the next)' });
    // A flood of one problem is logged once a second (the counter sees each); the next line says how many were left out.
    expect(warns).toHaveLength(1);
    expect(gw!.stats().sessions.ALPHA1.DUPLICATE_USER_REF_NUM).toBe(3);
    clock = 1000;
    c.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1', userRefNum: 5 });
    await new Promise((r) => setTimeout(r, 100));
    const again = lines.map((l) => JSON.parse(l)).filter((j) => j.problem === 'DUPLICATE_USER_REF_NUM');
    expect(again).toHaveLength(2);
    expect(again[1]).toMatchObject({ sameProblemsNotLogged: 2 });
    expect(lines.join('')).not.toContain('alpha-pw');
  });

  it('an unexpected error while handling one connection closes it (INTERNAL_ERROR); the gateway and other sessions go on', async () => {
    const broken = { username: 'BROKEN', account: 0, get password(): string { throw new Error('credential store failed'); } };
    gw = new Gateway({ sessions: [...SESSIONS, broken], decide: testDoubleDecider().decide });
    const { port } = await gw.start();
    const good = await client(port, 0);
    await expect(OuchClient.connect({ port, username: 'BROKEN', password: 'x' })).rejects.toThrow(/CONNECTION_CLOSED/);
    expect(gw.stats().totals.INTERNAL_ERROR).toBe(1);
    const r = good.enter({ side: 'B', quantity: 1, symbol: 'AAPL', price: '1' });
    expect((await good.answer(r)).kind).toBe('ORDER_ACCEPTED');
  });

  it('a replay on re-login with a live message sent during it: every message once, in sequence order, no slow-consumer cut', async () => {
    const port = await start(undefined, { maxUnsentBytes: 16 << 10 });
    const c = await client(port, 0, { requestedSequenceNumber: 1n });
    const refs = Array.from({ length: 1500 }, (_, k) => c.enter({ side: 'B', quantity: 1 + (k % 900), symbol: 'MSFT', price: '5' }));
    await c.answer(refs.at(-1)!, 20_000);
    await c.logout();
    const again = await client(port, 0, { requestedSequenceNumber: 1n, firstUserRefNum: 5000 });
    const live = again.enter({ side: 'S', quantity: 1, symbol: 'MSFT', price: '5' }); // sent while the replay runs
    const last = await again.answer(live, 20_000);
    expect(again.answers.map((a) => a.seq)).toEqual(again.answers.map((_, k) => BigInt(k + 1)));
    expect(again.answers.filter((a) => a.kind === 'ORDER_ACCEPTED')).toHaveLength(1501);
    expect(last.seq).toBe(BigInt(1 + 1500 + 1));
    expect(gw!.stats().totals.SLOW_CONSUMER).toBe(0);
  });
});
