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
    expect(r).toMatchObject({ orders: 600, answered: 600 });
    expect(await settled(before)).toBe(before);
  });

  it('the venue simulator alone (venue-sim): every IOC order canceled', async () => {
    const before = tcpHandles();
    const r = await warmUp(300, ['AAPL'], true);
    expect(r).toMatchObject({ orders: 300, answered: 300 });
    expect(await settled(before)).toBe(before);
  });
});
