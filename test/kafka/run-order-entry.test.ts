/**
 * Order entry on the live path (issue 13, docs/spec.md §14.10): `riskgate run --order-entry
 * --venue` against a real broker and a `riskgate venue-sim`. A client sends orders while the
 * feed streams through Kafka; each answer is the engine's verdict at the run's position; the
 * run is SIGKILLed with orders in flight and a resting order open, restarted, and the client
 * finds its open order again and goes on numbering. Checked at the end: every answer a client
 * got is the verdict in the record stream, every venue execution reached Kafka exactly once
 * (none lost, none cleared twice), and `riskgate replay` of the recorded merged stream gives
 * the run's record digest.
 *
 * A third case sends many orders at once from four sessions: each gets one answer, the venue
 * each accepted order once, and transactions carry several orders (group commit); a fourth
 * SIGKILLs the run while the venue's executions of such a burst of marketable orders are
 * applied but not committed (--hold-tx-ms) and checks that the restart books each venue
 * execution, once, on Kafka once, and that no order reached the venue twice.
 *
 * Its own single-node broker on its own port (RISKGATE_KAFKA_RUNORDER_PORT, default 19392/19393).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { decodeExecution } from '../../src/clearing/execution.ts';
import { OUCH_REJECT_BY_REASON_BIT, OuchReject, RecordField, RecordKind } from '../../src/contract.ts';
import { topicNames } from '../../src/kafka/topics.ts';
import { RecordView } from '../../src/records/view.ts';
import { type JsonProcess } from '../order-entry/cli-process.ts';
import { topOfBook } from '../order-entry/top-of-book.ts';
import { freshClusterPerFile } from './broker.ts';
import { feedHarness, type Child } from './feed-helpers.ts';
import { DEMO_STOP, startDemoVenue, writeDemoConfig } from '../order-entry/demo-fixture.ts';

const { ROOT, BROKER, tmp, kafkaSh, cliJson, spawnRun, readTopic } = feedHarness(
  Number(process.env.RISKGATE_KAFKA_RUNORDER_PORT ?? 19392),
  'riskgate-run-order-entry-',
);

/** The venue's book and the first part of the feed end here. */
const STOP = DEMO_STOP;

/** config/gateway-demo.json with the gateway on a free port. */
const demoConfig = (): string => writeDemoConfig(tmp).path;

/**
 * A `run --order-entry` that has listened and consumed the feed published so far (orders are
 * then checked on the book the venue has); pushed to `runs` for clean-up.
 */
/** Every venue execution (leg >= 1) on the topic prefix's executions topic exactly once: none lost, none twice. */
async function expectVenueExecutionsOnKafkaOnce(prefix: string, venueExecutions: number) {
  const onKafka = new Map<string, number>();
  for (const m of await readTopic(topicNames(prefix).executions)) {
    const e = decodeExecution(m.value);
    if (e.leg === 0) continue;
    const id = `${e.session}:${e.seq}:${e.leg}`;
    onKafka.set(id, (onKafka.get(id) ?? 0) + 1);
  }
  expect([...onKafka.values()].filter((n) => n > 1)).toEqual([]);
  expect(onKafka.size).toBe(venueExecutions);
}

async function startRunThroughFeed(args: string[], runs: Child[]) {
  const run = spawnRun(args);
  runs.push(run);
  const at = await run.waitFor('order-entry', 1, 60_000);
  const end = (await run.waitFor('start')).feedEnd as number;
  for (const t0 = Date.now(); !run.events.some((e) => (e.event === 'committed' && e.next >= end) || (e.event === 'live' && e.offset >= end)); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - t0 > 60_000) throw new Error(`the run did not reach feed offset ${end}`);
  }
  return { run, port: at.port as number, at };
}

describe('riskgate run --order-entry: client orders on the live Kafka feed', () => {
  const procs: JsonProcess[] = [];
  const runs: Child[] = [];
  const clients: OuchClient[] = [];
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));
  afterAll(() => {
    for (const c of clients) c.destroy();
    for (const p of procs) p.kill();
    for (const r of runs) r.kill('SIGKILL');
  });

  /**
   * The group-commit cases' setup: the demo config with a second session on each account (four
   * in all), a venue, the demo session published to `<prefix>.md.itch` up to STOP, and run's
   * arguments with order entry, the venue and the merged stream recorded.
   */
  async function fourSessions(prefix: string) {
    const cfgPath = writeDemoConfig(tmp, (j) => {
      j.orderEntry.sessions.push({ username: 'ALPHA2', password: 'alpha2-pw', account: 'ALPHA' }, { username: 'BRAVO2', password: 'bravo2-pw', account: 'BRAVO' });
    }).path;
    const data = join(ROOT, 'data/demo.itch.gz');
    const top = topOfBook(data, STOP);
    const { venue, port: venuePort } = await startDemoVenue(procs);
    expect(cliJson(['publish', data, '--brokers', BROKER, '--topic', `${prefix}.md.itch`, '--to-seq', String(STOP)]).lastSeq).toBe(STOP);
    const merged = join(tmp, `merged-${prefix}.itch`);
    const args = [
      '--brokers', BROKER, '--config', cfgPath, '--prefix', prefix, '--topic', `${prefix}.md.itch`, '--stale-ms', '0', '--snapshot-every', '0',
      '--order-entry', '--order-entry-port', '0', '--venue', `127.0.0.1:${venuePort}`, '--record', merged, '--json',
    ];
    return { cfgPath, data, top, venue, merged, args };
  }

  it('answers at the live position, survives a SIGKILL with orders in flight, clears every venue execution once, and the merged stream replays to its digest', async () => {
    const cfgPath = demoConfig();
    const data = join(ROOT, 'data/demo.itch.gz');
    const aapl = topOfBook(data, STOP).get('AAPL')!;
    expect(aapl.bid).toBeGreaterThan(0);

    const { venue, port: venuePort } = await startDemoVenue(procs);

    const first = cliJson(['publish', data, '--brokers', BROKER, '--topic', 'oe.md.itch', '--to-seq', String(STOP)]);
    expect(first.lastSeq).toBe(STOP);
    const merged = join(tmp, 'merged.itch');
    const args = [
      '--brokers', BROKER, '--config', cfgPath, '--prefix', 'oe', '--topic', 'oe.md.itch', '--stale-ms', '0', '--snapshot-every', '0',
      '--order-entry', '--order-entry-port', '0', '--venue', `127.0.0.1:${venuePort}`, '--record', merged, '--json',
    ];
    const startRun = () => startRunThroughFeed(args, runs);

    // Orders: ALPHA sells AAPL (long from the built-in strategy). IOC at the bid executes at the
    // venue; IOC over the ask is canceled there; 5,000 shares is over AAPL's maxQty (rejected).
    // Every order has its own quantity, so the record stream's ORDER record names it.
    const sent = new Map<number, { client: OuchClient; ref: number }>();
    let qty = 0;
    const send = (c: OuchClient, kind: 'execute' | 'cancel' | 'reject' | 'rest') => {
      const q = kind === 'reject' ? 5000 + ++qty : ++qty;
      const price = kind === 'execute' ? aapl.bid : kind === 'cancel' ? aapl.ask + 100 : kind === 'rest' ? aapl.bid - 500 : aapl.bid;
      const side = kind === 'rest' ? 'B' : 'S';
      const ref = c.enter({ side, quantity: q, symbol: 'AAPL', price: BigInt(price), timeInForce: kind === 'rest' ? '0' : '3' });
      sent.set(q, { client: c, ref });
      return { ref, q, kind };
    };
    const answerOf = (c: OuchClient, ref: number) => c.answer(ref, 20_000);

    // 1. The run is live on the first part of the feed; orders are checked as it streams.
    const a = await startRun();
    try {
    let c1 = await OuchClient.connect({ port: a.port, username: 'ALPHA1', password: 'alpha-pw' });
    clients.push(c1);
    const batch1 = [send(c1, 'execute'), send(c1, 'cancel'), send(c1, 'reject'), send(c1, 'execute'), send(c1, 'rest'), send(c1, 'cancel')];
    for (const o of batch1) {
      const ans = await answerOf(c1, o.ref);
      expect(ans.kind, `order ${o.q} (${o.kind})`).toBe(o.kind === 'reject' ? 'ORDER_REJECTED' : 'ORDER_ACCEPTED');
    }
    const rest = batch1.find((o) => o.kind === 'rest')!;
    // The venue's answers to the IOC orders come back through the engine to the client (after their commit).
    await c1.waitFor(() => c1.answers.filter((x) => x.kind === 'ORDER_EXECUTED' || (x.kind === 'ORDER_CANCELED' && x.values.reason !== 'U')).length >= 4, 20_000);

    // 2. SIGKILL with three orders in flight (some may be checked and committed, some not).
    const inflight = [send(c1, 'execute'), send(c1, 'cancel'), send(c1, 'execute')];
    await new Promise((r) => setTimeout(r, 5));
    a.run.kill('SIGKILL');
    expect((await a.run.exit).signal).toBe('SIGKILL');
    const answeredBefore = c1.answers.slice();
    c1.destroy();

    // 3. Restarted: a new SoupBinTCP session (new name, numbering from 1), the open order
    // announced again as Order Accepted, UserRefNums continued from the journal.
    const b = await startRun();
    expect(b.at.session).not.toBe(a.at.session);
    expect(b.at.recoveredOpenOrders).toBeGreaterThanOrEqual(1);
    const c2 = await OuchClient.connect({ port: b.port, username: 'ALPHA1', password: 'alpha-pw', requestedSequenceNumber: 1n });
    clients.push(c2);
    c1 = c2;
    const restored = await c2.waitFor((x) => x.kind === 'ORDER_ACCEPTED' && Number(x.values.userRefNum) === rest.ref, 20_000);
    expect(Number(restored.values.quantity)).toBe(rest.q);
    const next = await c2.continueNumbering();
    // Past every order the dead run committed (the resting one at least), never past what was sent.
    expect(next).toBeGreaterThan(rest.ref);
    expect(next).toBeLessThanOrEqual(Math.max(...inflight.map((o) => o.ref)) + 1);
    // The client cancels its recovered order: answered by the gateway, confirmed by the venue.
    c2.cancel(rest.ref, 0);
    const canceled = await c2.waitFor((x) => x.kind === 'ORDER_CANCELED' && Number(x.values.userRefNum) === rest.ref, 20_000);
    expect(Number(canceled.values.quantity)).toBe(rest.q);
    const batch2 = [send(c2, 'execute'), send(c2, 'reject'), send(c2, 'cancel'), send(c2, 'execute')];
    for (const o of batch2) expect((await answerOf(c2, o.ref)).kind, `order ${o.q}`).toBe(o.kind === 'reject' ? 'ORDER_REJECTED' : 'ORDER_ACCEPTED');
    await c2.waitFor(() => c2.answers.filter((x) => x.kind === 'ORDER_EXECUTED').length >= 2, 20_000);
    // Round trips one order at a time on the idle feed: each answer waits for its Kafka transaction.
    const rtt: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const o = send(c2, 'cancel');
      expect((await answerOf(c2, o.ref)).kind).toBe('ORDER_ACCEPTED');
      rtt.push(performance.now() - t0);
    }
    rtt.sort((x, y) => x - y);
    console.log(`run --order-entry: order → answer round trip over 20 orders, idle feed: p50 ${rtt[10].toFixed(1)} ms, p90 ${rtt[18].toFixed(1)} ms, max ${rtt[19].toFixed(1)} ms`);
    // The venue's cancel of the recovered order reached the engine (its exposure is freed).
    await new Promise((r) => setTimeout(r, 300));

    // 4. The rest of the feed: the run ends at the end of the session.
    const second = cliJson(['publish', data, '--brokers', BROKER, '--topic', 'oe.md.itch', '--from-seq', String(STOP + 1)]);
    expect(second.endOfSession).toBe(true);
    const ended = await b.run.exit;
    expect(ended.code, JSON.stringify(b.run.events.slice(-8))).toBe(0);
    const report = JSON.parse(ended.stdout);
    expect(report.feed.end).toBe('end-of-session');
    expect(report.orderEntry.rebuiltEvents).toBeGreaterThan(0);
    const vs = await venue.stop();
    expect(vs.inconsistencies).toBe(0);
    expect(vs.ouch).toMatchObject({ DUPLICATE_USER_REF_NUM: 0, USER_REF_NUM_OUT_OF_SEQUENCE: 0 });

    // Every verdict a client got is the engine's ORDER record for that order (found by its quantity).
    const replay = cliJson(['replay', merged, '--config', cfgPath, '--out', join(tmp, 'replay.bin')]);
    expect(replay.recordsSha256).toBe(report.recordsSha256);
    const verdicts = new Map<number, number>();
    let venueFills = 0;
    for (const r = new RecordView(readFileSync(join(tmp, 'replay.bin'))); r.next(); ) {
      if (r.kind === RecordKind.ORDER && r.aux === 'O'.charCodeAt(0)) verdicts.set(r.bytes().readUInt32LE(RecordField.ORDER.qty), r.bytes().readUInt16LE(RecordField.ORDER.reasons));
      if (r.kind === RecordKind.FILL && r.leg >= 1) venueFills++;
    }
    for (const [q, s] of sent) {
      // Each client's own answers (a client of the restarted run numbers on from where the journal stood).
      const answers = s.client === c2 ? c2.answers.filter((x) => x.seq > restored.seq) : answeredBefore;
      const ans = answers.find((x) => (x.kind === 'ORDER_ACCEPTED' || x.kind === 'ORDER_REJECTED') && Number(x.values.userRefNum) === s.ref && (x.kind === 'ORDER_REJECTED' || Number(x.values.quantity) === q));
      if (!ans) continue; // in flight at the kill and never answered: the client learns nothing, and must not assume it was taken
      const reasons = verdicts.get(q);
      expect(reasons, `ORDER record of the order of ${q} shares`).toBeDefined();
      if (ans.kind === 'ORDER_ACCEPTED') expect(reasons).toBe(0);
      else expect(ans.values.reason).toBe(OuchReject[OUCH_REJECT_BY_REASON_BIT[31 - Math.clz32(reasons! & -reasons!)]]);
    }
    // Every venue execution is in the engine once and on Kafka once: none lost, none twice.
    expect(venueFills).toBe(vs.executions);
    await expectVenueExecutionsOnKafkaOnce('oe', vs.executions);
    expect(vs.executions).toBeGreaterThanOrEqual(3);
    } catch (e) {
      // What the runs said: the first thing to read when this fails.
      for (const r of runs) (e as Error).message += `\nrun events: ${JSON.stringify(r.events.filter((x) => x.event !== 'committed' && x.event !== 'tx-open').slice(-15))}`;
      throw e;
    }
  }, 180_000);

  it('without a venue: client cancels are journalled and rebuilt, a kill in the feed mass-cancels the recovered orders, and the merged stream replays to the digest', async () => {
    const cfgPath = demoConfig();
    const data = join(ROOT, 'data/demo.itch.gz');
    const aapl = topOfBook(data, STOP).get('AAPL')!;
    expect(cliJson(['publish', data, '--brokers', BROKER, '--topic', 'nv.md.itch', '--to-seq', String(STOP)]).lastSeq).toBe(STOP);
    const merged = join(tmp, 'merged-nv.itch');
    const args = ['--brokers', BROKER, '--config', cfgPath, '--prefix', 'nv', '--topic', 'nv.md.itch', '--stale-ms', '0', '--snapshot-every', '0', '--order-entry', '--order-entry-port', '0', '--record', merged, '--json'];
    const startRun = () => startRunThroughFeed(args, runs);
    const a = await startRun();
    try {
      const c1 = await OuchClient.connect({ port: a.port, username: 'ALPHA1', password: 'alpha-pw' });
      clients.push(c1);
      // Three resting day sells over the ask (ALPHA is long AAPL; no venue executes them: they stay open).
      const rest = [21, 22, 23].map((q) => ({ q, ref: c1.enter({ side: 'S', quantity: q, symbol: 'AAPL', price: BigInt(aapl.ask + 500), timeInForce: '0' }) }));
      for (const o of rest) expect((await c1.answer(o.ref, 20_000)).kind).toBe('ORDER_ACCEPTED');
      // The client cancels the first: answered by the gateway, its exposure freed in the engine at the next apply point (journalled).
      const commits = a.run.events.filter((e) => e.event === 'committed').length;
      c1.cancel(rest[0].ref, 0);
      expect(Number((await c1.waitFor((x) => x.kind === 'ORDER_CANCELED' && Number(x.values.userRefNum) === rest[0].ref, 20_000)).values.quantity)).toBe(21);
      await a.run.waitFor('committed', commits + 1, 20_000);
      a.run.kill('SIGKILL');
      await a.run.exit;
      c1.destroy();

      const b = await startRun();
      expect(b.at.recoveredOpenOrders).toBe(2);
      const c2 = await OuchClient.connect({ port: b.port, username: 'ALPHA1', password: 'alpha-pw', requestedSequenceNumber: 1n });
      clients.push(c2);
      for (const o of rest.slice(1)) await c2.waitFor((x) => x.kind === 'ORDER_ACCEPTED' && Number(x.values.userRefNum) === o.ref, 20_000);
      expect(c2.answers.some((x) => x.kind === 'ORDER_ACCEPTED' && Number(x.values.userRefNum) === rest[0].ref)).toBe(false);

      // The rest of the feed carries GLOBAL_KILL control messages: each open order is canceled in the engine and to the client (`S`).
      expect(cliJson(['publish', data, '--brokers', BROKER, '--topic', 'nv.md.itch', '--from-seq', String(STOP + 1)]).endOfSession).toBe(true);
      const ended = await b.run.exit;
      expect(ended.code, JSON.stringify(b.run.events.slice(-8))).toBe(0);
      const report = JSON.parse(ended.stdout);
      expect(report.orderEntry).toMatchObject({ rebuiltEvents: 4, openOrders: 0, massCanceled: 2 });
      for (const o of rest.slice(1)) {
        const x = await c2.waitFor((y) => y.kind === 'ORDER_CANCELED' && Number(y.values.userRefNum) === o.ref, 20_000);
        expect(x.values).toMatchObject({ reason: 'S' });
        expect(Number(x.values.quantity)).toBe(o.q);
      }
      const replay = cliJson(['replay', merged, '--config', cfgPath]);
      expect(replay.recordsSha256).toBe(report.recordsSha256);
    } catch (e) {
      for (const r of runs.slice(-2)) (e as Error).message += `\nrun events: ${JSON.stringify(r.events.filter((x) => x.event !== 'committed' && x.event !== 'tx-open').slice(-15))}`;
      throw e;
    }
  }, 120_000);

  it('group commit: many orders at once from several sessions — one answer each, the venue gets each accepted order once, batches of several orders per transaction, and the merged stream replays to the digest', async () => {
    // Four sessions on two accounts (the demo's ALPHA1 and BRAVO1, and a second one on each).
    const { cfgPath, data, top, venue, merged, args } = await fourSessions('gc');
    const a = await startRunThroughFeed(args, runs);
    try {
      const logins = [['ALPHA1', 'alpha-pw'], ['ALPHA2', 'alpha2-pw'], ['BRAVO1', 'bravo-pw'], ['BRAVO2', 'bravo2-pw']];
      const cs = await Promise.all(logins.map(([username, password]) => OuchClient.connect({ port: a.port, username, password })));
      clients.push(...cs);
      // 12 IOC orders per session, written at once without waiting for answers (48 in all: within
      // each account's throttle). ALPHA sells AAPL a cent over the ask, BRAVO buys NVDA a cent under
      // the bid: never marketable, so the venue cancels each accepted one. Quantities are unique
      // (the ORDER record names its order by them).
      const aapl = top.get('AAPL')!;
      const nvda = top.get('NVDA')!;
      const sent: { c: OuchClient; ref: number; q: number }[] = [];
      let q = 100;
      for (let i = 0; i < 12; i++) {
        cs.forEach((c, k) => {
          const alpha = k < 2;
          const qty = ++q;
          const ref = c.enter({ side: alpha ? 'S' : 'B', quantity: qty, symbol: alpha ? 'AAPL' : 'NVDA', price: BigInt(alpha ? aapl.ask + 100 : nvda.bid - 100), timeInForce: '3' });
          sent.push({ c, ref, q: qty });
        });
      }
      for (const s of sent) await s.c.answer(s.ref, 20_000);
      // Exactly one answer per order (Accepted or Rejected), none for an order not sent.
      const verdictsOf = (c: OuchClient) => c.answers.filter((x) => x.kind === 'ORDER_ACCEPTED' || x.kind === 'ORDER_REJECTED');
      for (const c of cs) {
        const refs = verdictsOf(c).map((x) => Number(x.values.userRefNum)).sort((x, y) => x - y);
        expect(refs).toEqual(sent.filter((s) => s.c === c).map((s) => s.ref).sort((x, y) => x - y));
      }
      const accepted = cs.reduce((n, c) => n + verdictsOf(c).filter((x) => x.kind === 'ORDER_ACCEPTED').length, 0);
      expect(accepted).toBeGreaterThan(0);
      // The venue cancels each accepted IOC order: its Canceled comes back through the engine.
      for (const c of cs) {
        const acc = verdictsOf(c).filter((x) => x.kind === 'ORDER_ACCEPTED').length;
        await c.waitFor(() => c.answers.filter((x) => x.kind === 'ORDER_CANCELED').length >= acc, 20_000);
      }
      // Group commit, observable: every client order's event went into a transaction's batch, and batches held several.
      const batches = a.run.events.filter((e) => e.event === 'order-entry-batch');
      expect(batches.reduce((n, b) => n + b.orders, 0)).toBe(sent.length);
      expect(Math.max(...batches.map((b) => b.orders))).toBeGreaterThan(1);
      expect(batches.length).toBeLessThan(sent.length);

      expect(cliJson(['publish', data, '--brokers', BROKER, '--topic', 'gc.md.itch', '--from-seq', String(STOP + 1)]).endOfSession).toBe(true);
      const ended = await a.run.exit;
      expect(ended.code, JSON.stringify(a.run.events.slice(-8))).toBe(0);
      const report = JSON.parse(ended.stdout);
      expect(report.orderEntry.batches.maxOrders).toBeGreaterThan(1);
      const vs = await venue.stop();
      // The venue got each accepted order once and nothing else.
      expect(vs.inconsistencies).toBe(0);
      expect(vs.ouch).toMatchObject({ accepted, DUPLICATE_USER_REF_NUM: 0, USER_REF_NUM_OUT_OF_SEQUENCE: 0 });

      // Every verdict a client got is the engine's ORDER record for that order, and the merged stream replays to the run's digest.
      const replay = cliJson(['replay', merged, '--config', cfgPath, '--out', join(tmp, 'replay-gc.bin')]);
      expect(replay.recordsSha256).toBe(report.recordsSha256);
      const verdicts = new Map<number, number>();
      for (const r = new RecordView(readFileSync(join(tmp, 'replay-gc.bin'))); r.next(); ) {
        if (r.kind === RecordKind.ORDER && r.aux === 'O'.charCodeAt(0)) verdicts.set(r.bytes().readUInt32LE(RecordField.ORDER.qty), r.bytes().readUInt16LE(RecordField.ORDER.reasons));
      }
      for (const s of sent) {
        const ans = verdictsOf(s.c).find((x) => Number(x.values.userRefNum) === s.ref)!;
        const reasons = verdicts.get(s.q);
        expect(reasons, `ORDER record of the order of ${s.q} shares`).toBeDefined();
        if (ans.kind === 'ORDER_ACCEPTED') expect(reasons).toBe(0);
        else expect(ans.values.reason).toBe(OuchReject[OUCH_REJECT_BY_REASON_BIT[31 - Math.clz32(reasons! & -reasons!)]]);
      }
    } catch (e) {
      (e as Error).message += `\nrun events: ${JSON.stringify(a.run.events.filter((x) => x.event !== 'committed' && x.event !== 'tx-open').slice(-15))}`;
      throw e;
    }
  }, 120_000);

  it('group commit under a SIGKILL: a burst of marketable orders from four sessions, killed with venue executions applied but not committed, resumed — each venue execution booked and on Kafka once, no order forwarded twice, the digest replayed', async () => {
    const { cfgPath, data, top, venue, merged, args } = await fourSessions('gk');
    const logins = [['ALPHA1', 'alpha-pw'], ['ALPHA2', 'alpha2-pw'], ['BRAVO1', 'bravo-pw'], ['BRAVO2', 'bravo2-pw']];
    // The first run holds each transaction that carries executions open for 1.5 s after its
    // sends (fault injection, event tx-open): the kill then comes while the venue's executions
    // are applied in the engine but not committed, the case a resume must book exactly once.
    const a = await startRunThroughFeed([...args, '--hold-tx-ms', '1500'], runs);
    try {
      const cs = await Promise.all(logins.map(([username, password]) => OuchClient.connect({ port: a.port, username, password })));
      clients.push(...cs);
      // Marketable IOC orders (ALPHA sells AAPL at the bid, BRAVO buys NVDA at the ask): the venue executes them.
      const aapl = top.get('AAPL')!;
      const nvda = top.get('NVDA')!;
      const send = (round: number) => {
        const refs: number[][] = cs.map(() => []);
        for (let i = 0; i < round; i++) {
          cs.forEach((c, k) => {
            const alpha = k < 2;
            refs[k].push(c.enter({ side: alpha ? 'S' : 'B', quantity: 1 + i + 3 * k, symbol: alpha ? 'AAPL' : 'NVDA', price: BigInt(alpha ? aapl.bid : nvda.ask), timeInForce: '3' }));
          });
        }
        return refs;
      };
      // A first burst, answered and executed; then a second one, and the run is killed in the middle of it.
      const first = send(3);
      for (const [k, c] of cs.entries()) for (const r of first[k]) await c.answer(r, 20_000);
      await cs[0].waitFor(() => cs[0].answers.some((x) => x.kind === 'ORDER_EXECUTED'), 20_000);
      // Killed once the second burst is committed and forwarded and a transaction with the
      // venue's executions of it is held open: applied in the dead run, never committed by it.
      const batchesBefore = a.run.events.filter((e) => e.event === 'order-entry-batch').length;
      const second = send(3);
      const secondCommitted = () => a.run.events.filter((e) => e.event === 'order-entry-batch').slice(batchesBefore).reduce((n, e) => n + e.orders, 0) >= second.flat().length;
      for (const t0 = Date.now(); !secondCommitted(); await new Promise((r) => setTimeout(r, 5))) {
        if (Date.now() - t0 > 30_000) throw new Error('the second burst was not committed');
      }
      const held = a.run.events.filter((e) => e.event === 'tx-open').length;
      await a.run.waitFor('tx-open', held + 1, 30_000);
      a.run.kill('SIGKILL');
      expect((await a.run.exit).signal).toBe('SIGKILL');
      for (const c of cs) c.destroy();

      const b = await startRunThroughFeed(args, runs);
      // Each session numbers on past what the dead run committed, never past what it sent.
      for (const [k, [username, password]] of logins.entries()) {
        const c = await OuchClient.connect({ port: b.port, username, password });
        clients.push(c);
        const next = await c.continueNumbering();
        expect(next).toBeGreaterThan(Math.max(...first[k]));
        expect(next).toBeLessThanOrEqual(Math.max(...second[k]) + 1);
      }
      // The case under test happened: venue executions the dead run held uncommitted come again
      // and the restarted run commits them (the feed is idle: nothing else carries executions).
      for (const t0 = Date.now(); !b.run.events.some((e) => e.event === 'committed' && e.executions > 0); await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() - t0 > 20_000) throw new Error('the restarted run committed no venue execution');
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(cliJson(['publish', data, '--brokers', BROKER, '--topic', 'gk.md.itch', '--from-seq', String(STOP + 1)]).endOfSession).toBe(true);
      const ended = await b.run.exit;
      expect(ended.code, JSON.stringify(b.run.events.slice(-8))).toBe(0);
      const report = JSON.parse(ended.stdout);
      const vs = await venue.stop();
      expect(vs.inconsistencies).toBe(0);
      // Forwarded again only what never reached the venue: no venue UserRefNum twice.
      expect(vs.ouch).toMatchObject({ DUPLICATE_USER_REF_NUM: 0, USER_REF_NUM_OUT_OF_SEQUENCE: 0 });
      expect(vs.executions).toBeGreaterThanOrEqual(1);
      const batches = a.run.events.filter((e) => e.event === 'order-entry-batch');
      console.log(`run --order-entry SIGKILL in a burst: the dead run committed ${batches.reduce((n, x) => n + x.orders, 0)} of ${6 * cs.length} orders and ${batches.reduce((n, x) => n + x.venue, 0)} venue answers (Accepted, Executed …) in ${batches.length} batches (largest ${Math.max(...batches.map((x) => x.orders))} orders); the restart rebuilt ${report.orderEntry.rebuiltEvents} events, forwarded ${report.orderEntry.reforwarded} again; venue: ${vs.ouch.accepted} orders, ${vs.executions} executions`);
      const replay = cliJson(['replay', merged, '--config', cfgPath, '--out', join(tmp, 'replay-gk.bin')]);
      expect(replay.recordsSha256).toBe(report.recordsSha256);
      let venueFills = 0;
      for (const r = new RecordView(readFileSync(join(tmp, 'replay-gk.bin'))); r.next(); ) if (r.kind === RecordKind.FILL && r.leg >= 1) venueFills++;
      expect(venueFills).toBe(vs.executions);
      await expectVenueExecutionsOnKafkaOnce('gk', vs.executions);
    } catch (e) {
      for (const r of runs.slice(-2)) (e as Error).message += `\nrun events: ${JSON.stringify(r.events.filter((x) => x.event !== 'committed' && x.event !== 'tx-open').slice(-15))}`;
      throw e;
    }
  }, 150_000);
});
