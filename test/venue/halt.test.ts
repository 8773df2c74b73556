/**
 * The venue follows the session's trading state (spec §16.9): while ITCH H has a symbol
 * halted, an order on it is rejected HALTED (OUCH 0x0007) and never matched; once H says
 * T again, the same order is accepted and takes the book.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OuchClient } from '../../src/client/index.ts';
import { OuchReject } from '../../src/contract.ts';
import { frames, itch } from '../../src/itch/encode.ts';
import { FeedReplay } from '../../src/venue/feed.ts';
import { Venue } from '../../src/venue/venue.ts';
import { VENUE_USERS } from './helpers.ts';

describe('venue-sim and trading halts', () => {
  it('rejects orders on a halted symbol with HALTED, and trades it again once it resumes', async () => {
    const h = (ts: number) => ({ locate: 1, ts });
    const dir = mkdtempSync(join(tmpdir(), 'rg-halt-'));
    const file = join(dir, 'halt.itch');
    writeFileSync(file, frames([
      itch.stockDirectory(h(1), 'AAPL'),
      itch.addOrder(h(2), { ref: 1n, side: 'S', shares: 100, stock: 'AAPL', price: 100_000 }),
      itch.tradingAction(h(3), 'AAPL', 'H'),
      itch.tradingAction(h(4), 'AAPL', 'T'),
    ], true));
    const venue = new Venue({ sessions: VENUE_USERS, port: 0 });
    const { port } = await venue.start();
    const feed = new FeedReplay(file, venue);
    const c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'alpha-pw' });
    try {
      await feed.advance(3);
      expect(venue.isHalted('AAPL')).toBe(true);
      const halted = c.enter({ side: 'B', quantity: 50, symbol: 'AAPL', price: '10' });
      expect((await c.answer(halted)).values).toMatchObject({ reason: OuchReject.HALTED, timestamp: 3n });
      await feed.advance(4);
      expect(venue.isHalted('AAPL')).toBe(false);
      const ok = c.enter({ side: 'B', quantity: 50, symbol: 'AAPL', price: '10' });
      expect((await c.answer(ok)).kind).toBe('ORDER_ACCEPTED');
      expect((await c.waitFor((a) => a.kind === 'ORDER_EXECUTED')).values).toMatchObject({ userRefNum: ok, quantity: 50, price: 100_000n, liquidityFlag: 'R', matchNumber: 1n });
      expect(c.answers.some((a) => a.kind === 'ORDER_EXECUTED' && a.values.userRefNum === halted)).toBe(false);
    } finally {
      await c.logout();
      await venue.close();
    }
  });
});
