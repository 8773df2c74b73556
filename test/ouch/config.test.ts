/**
 * The `orderEntry` config is strict like the rest: defaults as documented, an unknown key
 * refused with the nearest valid name, usernames unique, accounts resolved by name or id,
 * credentials within SoupBinTCP's field sizes, and a timeout that must exceed the heartbeat.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { OuchClient } from '../../src/client/index.ts';
import { Gateway } from '../../src/ouch/gateway.ts';
import { gatewayOptions } from '../../src/ouch/from-config.ts';
import { testDoubleDecider } from './helpers.ts';

const DEFAULT = JSON.parse(readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8'));
const withOrderEntry = (oe: unknown) => ({ ...structuredClone(DEFAULT), orderEntry: oe });
const SESSIONS = [{ username: 'ALPHA1', password: 'pw-alpha', account: 'ALPHA' }, { username: 'BRAVO1', password: 'pw-bravo', account: 1002 }];
function problems(json: unknown): string[] {
  try {
    parseConfig(json);
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
}

describe('orderEntry config', () => {
  it('takes the documented defaults and resolves accounts by name or id', () => {
    const cfg = parseConfig(withOrderEntry({ sessions: SESSIONS }));
    expect(cfg.orderEntry).toEqual({
      host: '127.0.0.1', port: 15000, sessionName: 'RISKGATE', heartbeatMs: 1000, timeoutMs: 15000, loginTimeoutMs: 15000,
      maxOpenOrders: 100, maxOrderRate: 1000,
      sessions: [{ username: 'ALPHA1', password: 'pw-alpha', account: 0 }, { username: 'BRAVO1', password: 'pw-bravo', account: 1 }],
    });
    expect(parseConfig(DEFAULT).orderEntry).toBeUndefined();
  });

  it('refuses an unknown key with the nearest valid one, at every level', () => {
    expect(problems(withOrderEntry({ sessions: SESSIONS, heartbeatMS: 500 }))).toEqual([expect.stringMatching(/config\.orderEntry: unknown key "heartbeatMS" \(did you mean "heartbeatMs"\?\)/)]);
    expect(problems(withOrderEntry({ sessions: SESSIONS, maxOpenOrder: 5 }))).toEqual([expect.stringMatching(/config\.orderEntry: unknown key "maxOpenOrder" \(did you mean "maxOpenOrders"\?\)/)]);
    expect(problems(withOrderEntry({ sessions: SESSIONS, maxOpenOrders: 4097 }))).toHaveLength(1);
    expect(problems(withOrderEntry({ sessions: [{ ...SESSIONS[0], pasword: 'x' }] }))).toContainEqual(expect.stringMatching(/config\.orderEntry\.sessions\[0\]: unknown key "pasword" \(did you mean "password"\?\)/));
  });

  it('refuses duplicate usernames, unknown accounts, credentials that do not fit, and timeoutMs not above heartbeatMs', () => {
    const p = problems(withOrderEntry({
      heartbeatMs: 2000, timeoutMs: 2000,
      sessions: [SESSIONS[0], { ...SESSIONS[0], account: 'ALFA' }, { username: 'TOOLONG1', password: 'has space', account: 1001 }],
    }));
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/sessions\[1\]\.username: "ALPHA1" is also config\.orderEntry\.sessions\[0\]'s/),
      expect.stringMatching(/sessions\[1\]\.account: unknown account "ALFA" \(did you mean "ALPHA"\?\)/),
      expect.stringMatching(/sessions\[2\]\.username: "TOOLONG1" is not valid/),
      expect.stringMatching(/sessions\[2\]\.password: "has space" is not valid/),
      expect.stringMatching(/timeoutMs: 2000 must be above heartbeatMs \(2000\)/),
    ]));
    expect(problems(withOrderEntry({}))).toEqual([expect.stringMatching(/config\.orderEntry: required key "sessions" is missing/)]);
  });

  it('a gateway built from the config logs its sessions in with their own credentials', async () => {
    const cfg = parseConfig(withOrderEntry({ port: 0, sessions: SESSIONS }));
    const { decide, seen } = testDoubleDecider();
    const gw = new Gateway(gatewayOptions(cfg, decide));
    const { port } = await gw.start();
    try {
      const c = await OuchClient.connect({ port, username: 'BRAVO1', password: 'pw-bravo' });
      const ref = c.enter({ side: 'B', quantity: 10, symbol: 'AMZN', price: '180' });
      expect((await c.answer(ref)).kind).toBe('ORDER_ACCEPTED');
      expect(seen[0]).toMatchObject({ session: 'BRAVO1', account: 1, symbol: 'AMZN' });
      const bad = c.enter({ side: 'B', quantity: 10, symbol: 'ZZZZ', price: '1' }); // not a config symbol
      expect((await c.answer(bad)).kind).toBe('ORDER_REJECTED');
      c.destroy();
    } finally {
      await gw.close();
    }
  });
});
