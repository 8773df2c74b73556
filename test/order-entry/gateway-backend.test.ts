/**
 * `riskgate gateway --backend shadow` and `--backend fpga --standby rust` (issue 13, spec
 * §18.6): client orders checked live by the Verilated pipeline. With shadow both engines
 * take every engine call of the gateway — market data, order frames, the venue's answers —
 * and their records are compared call by call (any difference stops the gateway, exit 6);
 * with a standby, a divergence engages the kill switch. Checked: each answer is the verdict
 * expected from the book and the config, the venue's executions come back, no divergence, and
 * the recorded merged stream replays through the Rust core to the gateway's digest.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { riskgate } from '../cli/run-cli.ts';
import { startJson, type JsonProcess } from './cli-process.ts';
import { topOfBook } from './top-of-book.ts';
import { DEMO_DATA, DEMO_STOP, startDemoVenue, writeDemoConfig } from './demo-fixture.ts';

const STOP = DEMO_STOP;

describe('riskgate gateway --backend fpga|shadow: the hardware model checks client orders live', () => {
  const procs: JsonProcess[] = [];
  const clients: OuchClient[] = [];
  afterAll(() => {
    for (const c of clients) c.destroy();
    for (const p of procs) p.kill();
  });

  for (const [backend, standby] of [['shadow', null], ['fpga', 'rust']] as const) {
    it(`--backend ${backend}${standby ? ` --standby ${standby}` : ''}: answers, venue executions, and the merged stream's digest`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `rg-gw-${backend}-`));
      const cfgPath = writeDemoConfig(dir).path;
      const data = DEMO_DATA;
      const aapl = topOfBook(data, STOP).get('AAPL')!;
      const { venue, port: venuePort } = await startDemoVenue(procs);
      const merged = join(dir, 'merged.itch');
      const gw = startJson(['gateway', data, '--config', cfgPath, '--port', '0', '--venue', `127.0.0.1:${venuePort}`, '--stop-at', String(STOP),
        '--backend', backend, ...(standby ? ['--standby', standby] : []), '--record', merged, '--json']);
      procs.push(gw);
      const listening = await gw.next('listening');
      expect(listening).toMatchObject({ backend, standby });
      await gw.next('feed', 120_000);
      const c = await OuchClient.connect({ port: listening.port as number, username: 'ALPHA1', password: 'alpha-pw' });
      clients.push(c);
      // ALPHA sells AAPL: IOC at the bid executes at the venue, IOC over the ask is canceled
      // there, 5,000 shares is over maxQty (2,000: rejected MAX_QTY), a day buy below the bid rests.
      const orders = [
        { ref: c.enter({ side: 'S', quantity: 3, symbol: 'AAPL', price: BigInt(aapl.bid), timeInForce: '3' }), want: 'ORDER_ACCEPTED' },
        { ref: c.enter({ side: 'S', quantity: 4, symbol: 'AAPL', price: BigInt(aapl.ask + 100), timeInForce: '3' }), want: 'ORDER_ACCEPTED' },
        { ref: c.enter({ side: 'S', quantity: 5000, symbol: 'AAPL', price: BigInt(aapl.bid), timeInForce: '3' }), want: 'ORDER_REJECTED' },
        { ref: c.enter({ side: 'B', quantity: 6, symbol: 'AAPL', price: BigInt(aapl.bid - 500), timeInForce: '0' }), want: 'ORDER_ACCEPTED' },
      ];
      for (const o of orders) expect((await c.answer(o.ref, 30_000)).kind, `order ${o.ref}`).toBe(o.want);
      expect((await c.answer(orders[2].ref)).values.reason).toBe(0x31); // MAX_QTY (§16.5)
      await c.waitFor((a) => a.kind === 'ORDER_EXECUTED' && Number(a.values.userRefNum) === orders[0].ref, 30_000);
      await c.waitFor((a) => a.kind === 'ORDER_CANCELED' && Number(a.values.userRefNum) === orders[1].ref, 30_000);
      await c.logout();
      const sum = await gw.stop();
      expect(sum.ouch).toMatchObject({ checked: 4, accepted: 3, rejected: 1, executed: 1, DECIDE_FAILED: 0, INTERNAL_ERROR: 0 });
      expect(sum.unmatchedVenueAnswers).toBe(0);
      // The Rust core re-runs the recorded merged stream to the same records.
      const replay = riskgate(['replay', merged, '--config', cfgPath, '--json']);
      expect(replay.status, replay.stderr).toBe(0);
      expect(JSON.parse(replay.stdout).recordsSha256).toBe(sum.recordsSha256);
      await venue.stop();
    }, 240_000);
  }
});
