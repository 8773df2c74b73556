/**
 * A gateway killed and restarted mid-session against the same `riskgate venue-sim` (spec
 * §16.2 UserRefNum, §18.6 restart): the venue's session remembers every UserRefNum the first
 * gateway used, so the restarted one must continue that numbering (it asks the venue with an
 * OUCH Account Query) — numbers starting at 1 again would each be refused as duplicates and
 * the client would never get the venue's answer. Checked: every order after the restart gets
 * its Accepted and the venue's Executed or Canceled, none is lost, none executes twice, and
 * the venue refused no UserRefNum.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OuchClient, type Answer } from '../../src/client/index.ts';
import { startJson, type JsonProcess } from './cli-process.ts';
import { topOfBook } from './top-of-book.ts';
import { DEMO_DATA, DEMO_STOP, startDemoVenue, writeDemoConfig } from './demo-fixture.ts';

const STOP = DEMO_STOP;

describe('riskgate gateway restarted against a running venue-sim', () => {
  const procs: JsonProcess[] = [];
  const clients: OuchClient[] = [];
  afterAll(() => {
    for (const c of clients) c.destroy();
    for (const p of procs) p.kill();
  });

  it('continues the venue session\'s UserRefNums: every order after the restart is answered, none lost, none executed twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-gw-restart-'));
    const cfgPath = writeDemoConfig(dir).path;
    const data = DEMO_DATA;
    const aapl = topOfBook(data, STOP).get('AAPL')!;
    expect(aapl.bid).toBeGreaterThan(0);

    const { venue, port: venuePort } = await startDemoVenue(procs);
    const startGateway = async () => {
      const gw = startJson(['gateway', data, '--config', cfgPath, '--port', '0', '--venue', `127.0.0.1:${venuePort}`, '--stop-at', String(STOP), '--json']);
      procs.push(gw);
      const port = (await gw.next('listening')).port as number;
      await gw.next('feed');
      return { gw, port };
    };

    // ALPHA sells AAPL (it is long from the built-in strategy): IOC at the bid (marketable: the
    // venue executes it) or one cent over the ask (the venue cancels the IOC at once). Each
    // order ends with the venue's Executed or Canceled; the sizes vary (DUPLICATE).
    let n = 0;
    const send = (c: OuchClient) => {
      n++;
      const marketable = n % 3 === 0;
      const quantity = 1 + (n % 4);
      const ref = c.enter({ side: 'S', quantity, symbol: 'AAPL', price: BigInt(marketable ? aapl.bid : aapl.ask + 100), timeInForce: '3' });
      return { ref, quantity, marketable };
    };
    /** The client's answers to one order: Accepted, then the venue's executions and cancel of all its shares. */
    const settled = async (c: OuchClient, o: { ref: number; quantity: number; marketable: boolean }) => {
      const acc = await c.answer(o.ref, 10_000);
      expect(acc.kind, `order ${o.ref}`).toBe('ORDER_ACCEPTED');
      const mine = (a: Answer) => a.values.userRefNum === o.ref && (a.kind === 'ORDER_EXECUTED' || a.kind === 'ORDER_CANCELED');
      const done = () => c.answers.filter(mine).reduce((s, a) => s + Number(a.values.quantity), 0);
      await c.waitFor(() => done() >= o.quantity, 10_000).catch(() => {
        throw new Error(`order ${o.ref}: the venue's answer never came (${done()} of ${o.quantity} shares answered)`);
      });
      // Give a second answer for the same shares time to show up, then count: exactly the order's shares.
      await new Promise((r) => setTimeout(r, 20));
      expect(done(), `shares answered for order ${o.ref}`).toBe(o.quantity);
      return c.answers.filter((a) => mine(a) && a.kind === 'ORDER_EXECUTED').length;
    };

    const first = await startGateway();
    const c1 = await OuchClient.connect({ port: first.port, username: 'ALPHA1', password: 'alpha-pw' });
    clients.push(c1);
    const before = [send(c1), send(c1), send(c1), send(c1)];
    let executions = 0;
    for (const o of before) executions += await settled(c1, o);

    // The gateway dies without a goodbye (no logout at the venue, no summary).
    first.gw.kill();
    await new Promise((r) => first.gw.child.once('exit', r));
    c1.destroy();

    const second = await startGateway();
    // The client's own session is new at this gateway; it goes on with higher UserRefNums.
    const c2 = await OuchClient.connect({ port: second.port, username: 'ALPHA1', password: 'alpha-pw', firstUserRefNum: 1000 });
    clients.push(c2);
    const after = [send(c2), send(c2), send(c2), send(c2), send(c2), send(c2)];
    for (const o of after) executions += await settled(c2, o);
    expect(executions).toBeGreaterThanOrEqual(3);

    await c2.logout();
    const sum = await second.gw.stop();
    const vs = await venue.stop();
    expect(sum.unmatchedVenueAnswers).toBe(0);
    // The venue took every forwarded order once, refused none, and executed each marketable one once.
    expect(vs.ouch).toMatchObject({ accepted: before.length + after.length, DUPLICATE_USER_REF_NUM: 0, USER_REF_NUM_OUT_OF_SEQUENCE: 0 });
    expect(vs.executions).toBe(executions);
    expect(vs.inconsistencies).toBe(0);
  }, 180_000);
});
