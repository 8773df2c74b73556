/**
 * The start-up warm-up (src/order-entry/warm-up.ts): its orders go all the way through a
 * throwaway gateway, router, order-entry engine stand-in and venue simulator (each answered
 * by the venue's IOC cancel), and it leaves nothing behind: no socket or server stays open.
 */
import { describe, expect, it } from 'vitest';
import { warmUp } from '../../src/order-entry/warm-up.ts';

const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;

async function settled(want: number): Promise<number> {
  for (let i = 0; i < 100 && tcpHandles() > want; i++) await new Promise((r) => setTimeout(r, 20));
  return tcpHandles();
}

describe('warmUp', () => {
  it('answers every warm-up order through the gateway path and closes everything it opened', async () => {
    const before = tcpHandles();
    const r = await warmUp(600, ['AAPL', 'MSFT', 'NVDA']);
    // One order frame in 8 refused by the stand-in engine (the refusal path warms up too).
    expect(r).toMatchObject({ orders: 600, answered: 600, rejected: 75 });
    expect(await settled(before)).toBe(before);
  });

  it("takes the real gateway's hooks: its options builder, a record listener and session events on throwaway sinks", async () => {
    const before = tcpHandles();
    let calls = 0;
    let records = 0;
    const events = new Map<string, number>();
    const sessionsSeen: string[] = [];
    const r = await warmUp(400, ['AAPL', 'MSFT'], false, {
      onRecords: (recs) => {
        calls++;
        records += recs.length / 32;
      },
      gatewayOptions: (router, sessions) => {
        sessionsSeen.push(...sessions.map((s) => s.username));
        return {
          sessions, decide: router.decide, decideBatch: router.decideBatch, orders: router.listener, port: 0, symbols: ['AAPL', 'MSFT'],
          onEvent: (e) => events.set(e.event, (events.get(e.event) ?? 0) + 1),
        };
      },
    });
    expect(r).toMatchObject({ orders: 400, answered: 400, rejected: 50 });
    expect(sessionsSeen).toEqual(['WARM0', 'WARM1', 'WARM2', 'WARM3']);
    // Every order and every venue answer went through an engine call told to the listener.
    expect(calls).toBeGreaterThan(0);
    expect(records).toBeGreaterThanOrEqual(400);
    // Four logins and a reject event per refused order.
    expect(events.get('login')).toBe(4);
    expect(events.get('reject')).toBe(50);
    expect(await settled(before)).toBe(before);
  });

  it('the venue simulator alone (venue-sim): every IOC order canceled', async () => {
    const before = tcpHandles();
    const r = await warmUp(300, ['AAPL'], true);
    expect(r).toMatchObject({ orders: 300, answered: 300, rejected: 0 });
    expect(await settled(before)).toBe(before);
  });
});
