/**
 * The venue's feed replay: it applies every message once, in order, skipping riskgate's
 * control messages; it stops at a given message and goes on from there; it paces by the
 * file's timestamps × speed; and the orders of `riskgate send` parse exactly as documented.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { frames, itch } from '../../src/itch/encode.ts';
import { parseCommandLineOrders, parseCsvOrders } from '../../src/send/orders.ts';
import { FeedReplay } from '../../src/venue/feed.ts';

const MS = 1_000_000;

/** Five messages 100 ms apart, with a control message in the middle. */
function session(gzip = false): string {
  const msgs = [
    itch.systemEvent({ locate: 0, ts: 0 }, 'O'),
    itch.stockDirectory({ locate: 1, ts: 100 * MS }, 'AAPL'),
    itch.control(1, 0, 3, 0, 0n),
    itch.addOrder({ locate: 1, ts: 200 * MS }, { ref: 1n, side: 'B', shares: 100, stock: 'AAPL', price: 1_000_000 }),
    itch.executed({ locate: 1, ts: 300 * MS }, { ref: 1n, shares: 40, match: 1n }),
    itch.delete({ locate: 1, ts: 400 * MS }, { ref: 1n }),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'rg-feed-'));
  const f = join(dir, gzip ? 's.itch.gz' : 's.itch');
  const b = frames(msgs, true);
  writeFileSync(f, gzip ? gzipSync(b) : b);
  return f;
}

function recorder() {
  const seen: string[] = [];
  return { seen, apply: (m: Buffer) => void seen.push(String.fromCharCode(m[0])) };
}

describe('FeedReplay', () => {
  it('applies every message once, in order, without the control message; stops at a seq and goes on', async () => {
    for (const gz of [false, true]) {
      const r = recorder();
      const f = new FeedReplay(session(gz), r);
      expect(await f.advance(2)).toEqual({ seq: 2, ended: false });
      expect(r.seen).toEqual(['S', 'R']);
      expect(await f.advance(2)).toEqual({ seq: 2, ended: false });
      expect(await f.advance()).toEqual({ seq: 5, ended: true });
      expect(r.seen).toEqual(['S', 'R', 'A', 'E', 'D']);
      expect(await f.advance()).toEqual({ seq: 5, ended: true });
    }
  });

  it("paces by the file's timestamps × speed: 400 ms of session at speed 1 takes about 400 ms, at speed 100 far less", async () => {
    const t0 = performance.now();
    await new FeedReplay(session(), recorder(), 1).advance();
    const real = performance.now() - t0;
    const t1 = performance.now();
    await new FeedReplay(session(), recorder(), 100).advance();
    const fast = performance.now() - t1;
    expect(real).toBeGreaterThanOrEqual(390);
    expect(fast).toBeLessThan(real / 2);
  });

  it('refuses a pace that is not max or a positive speed, and two advances at once', async () => {
    expect(() => new FeedReplay(session(), recorder(), 0)).toThrow(/positive speed/);
    const f = new FeedReplay(session(), recorder(), 1);
    const first = f.advance();
    await expect(f.advance()).rejects.toThrow(/already under way/);
    await first;
  });
});

describe('the orders of riskgate send', () => {
  it('command line: enter, cancel (with and without LEAVE), replace, with day/ioc', () => {
    const a = parseCommandLineOrders(['buy', '100', 'AAPL@187.25', 'sell', '5', 'MSFT@1', 'ioc', 'short', '7', 'X@2.5', 'cancel', '3', 'cancel', '4', '10', 'replace', '5', '20@3.0001', 'day']);
    expect(a.map(({ where: _w, ...o }) => o)).toEqual([
      { kind: 'enter', side: 'B', quantity: 100, symbol: 'AAPL', price: '187.25', timeInForce: '0' },
      { kind: 'enter', side: 'S', quantity: 5, symbol: 'MSFT', price: '1', timeInForce: '3' },
      { kind: 'enter', side: 'T', quantity: 7, symbol: 'X', price: '2.5', timeInForce: '0' },
      { kind: 'cancel', userRefNum: 3, leave: 0 },
      { kind: 'cancel', userRefNum: 4, leave: 10 },
      { kind: 'replace', origUserRefNum: 5, quantity: 20, price: '3.0001', timeInForce: '0' },
    ]);
  });

  it('CSV: columns in any order, optional tif and userRefNum, comments and blank lines skipped', () => {
    const a = parseCsvOrders('# orders\n\nPrice,qty,SIDE,symbol,tif,userRefNum\n1.5,10,B,AAPL,ioc,7\n2,20,exempt,MSFT,,\n', 'o.csv');
    expect(a.map(({ where, ...o }) => ({ where, ...o }))).toEqual([
      { where: 'o.csv:4', kind: 'enter', side: 'B', quantity: 10, symbol: 'AAPL', price: '1.5', timeInForce: '3', userRefNum: 7 },
      { where: 'o.csv:5', kind: 'enter', side: 'E', quantity: 20, symbol: 'MSFT', price: '2', timeInForce: '0', userRefNum: undefined },
    ]);
  });

  it('bad orders are usage errors naming the order and the problem', () => {
    expect(() => parseCommandLineOrders(['buy', '10', 'aapl@1'])).toThrow(/symbol "aapl" must be 1-8 characters without spaces or lowercase/);
    expect(() => parseCommandLineOrders(['buy', '10', 'AAPL@0'])).toThrow(/price "0" must be dollars above 0/);
    expect(() => parseCommandLineOrders(['cancel'])).toThrow(/expected cancel REF/);
    expect(() => parseCommandLineOrders(['replace', '0', '1@1'])).toThrow(/UserRefNum "0" must be an integer 1\.\.4294967295/);
    expect(() => parseCsvOrders('symbol,side,qty\n', 'o.csv')).toThrow(/o\.csv:1: the header has no price column/);
    expect(() => parseCsvOrders('symbol,side,qty,price,qty\n', 'o.csv')).toThrow(/column "qty" appears twice/);
    expect(() => parseCsvOrders('symbol,side,qty,price\nAAPL,hold,1,1\n', 'o.csv')).toThrow(/o\.csv:2: side "hold" must be buy, sell, short or exempt/);
    expect(() => parseCsvOrders('symbol,side,qty,price\nAAPL,B,1,1,day\n', 'o.csv')).toThrow(/o\.csv:2: 5 cells, the header has 4/);
    expect(() => parseCsvOrders('symbol,side,qty,price,tif\nAAPL,B,1,1,gtc\n', 'o.csv')).toThrow(/time in force "gtc"/);
    expect(() => parseCsvOrders('# nothing\n', 'o.csv')).toThrow(/o\.csv: no header line/);
  });
});
