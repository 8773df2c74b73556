/**
 * `riskgate venue-sim` and `riskgate send` as a user runs them: the venue replays a generated
 * session to a fixed message, `send` orders from the command line and from a CSV file get
 * exactly the executions the book there gives (one line or one JSON object per answer), a
 * refused login or a closed port ends `send` with a clear coded error, bad options and bad
 * orders are usage errors naming what is wrong (an unknown option with the nearest one), and
 * the venue ends on SIGINT with its summary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FullDepthBook } from '../../src/book/full-depth.ts';
import { OuchReject } from '../../src/contract.ts';
import { FeedReplay } from '../../src/venue/feed.ts';
import { BIN, ROOT } from '../cli/run-cli.ts';
import { generatedSession } from './helpers.ts';

const STOP = 6000;

function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

let file: string;
let venue: ChildProcess;
let venueOut = '';
let port = 0;
let book: { symbol: string; ask: [number, number]; bid: [number, number] };

beforeAll(async () => {
  file = await generatedSession(20_000, 3, 21);
  // The book at STOP, from the same full-depth book the venue uses (tested on its own in matching.test.ts).
  const b = new FullDepthBook();
  await new FeedReplay(file, b).advance(STOP);
  for (let i = 0; ; i++) {
    const asks = b.levels(i, 'ask');
    const bids = b.levels(i, 'bid');
    if (asks.length && bids.length) {
      book = { symbol: b.symbolName(i), ask: asks[0], bid: bids[0] };
      break;
    }
  }
  venue = spawn(process.execPath, [BIN, 'venue-sim', file, '--port', '0', '--json', '--stop-at', String(STOP), '--user', 'ALPHA1:alpha-pw', '--user', 'BRAVO1:bravo-pw'], { cwd: ROOT });
  await new Promise<void>((resolve, reject) => {
    venue.stdout!.on('data', (d) => {
      venueOut += d;
      if (/"event":"feed"/.test(venueOut)) resolve();
    });
    venue.on('exit', (code) => reject(new Error(`venue-sim exited ${code}: ${venueOut}`)));
  });
  port = Number(lines(venueOut)[0].port);
}, 120_000);

afterAll(() => {
  if (venue.exitCode === null) venue.kill('SIGKILL');
});

const px = (p: number) => (p / 10_000).toFixed(4);

describe('riskgate send against riskgate venue-sim', () => {
  it('venue-sim says where it listens and where the feed stopped', () => {
    const [listening, feed] = lines(venueOut);
    expect(listening).toMatchObject({ event: 'listening', host: '127.0.0.1', users: ['ALPHA1', 'BRAVO1'] });
    expect(feed).toMatchObject({ event: 'feed', seq: STOP, ended: false });
  });

  it('command-line orders: a marketable buy fills the best ask and rests the rest; an IOC sell fills the best bid and cancels the rest', async () => {
    const [ask, askSize] = book.ask;
    const [bid, bidSize] = book.bid;
    const r = await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'ALPHA1', '--password', 'alpha-pw', '--json', '--first-ref', '1', '--wait-ms', '100',
      'buy', String(askSize + 5), `${book.symbol}@${px(ask)}`, 'sell', String(bidSize + 7), `${book.symbol}@${px(bid)}`, 'ioc']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = lines(r.stdout).map(({ kind, userRefNum, quantity, price, liquidityFlag, reason, matchNumber }) => ({ kind, userRefNum, quantity, price, liquidityFlag, reason, matchNumber }));
    expect(got).toEqual([
      { kind: 'ORDER_ACCEPTED', userRefNum: 1, quantity: askSize + 5, price: px(ask) },
      { kind: 'ORDER_EXECUTED', userRefNum: 1, quantity: askSize, price: px(ask), liquidityFlag: 'R', matchNumber: '1' },
      { kind: 'ORDER_ACCEPTED', userRefNum: 2, quantity: bidSize + 7, price: px(bid) },
      { kind: 'ORDER_EXECUTED', userRefNum: 2, quantity: bidSize, price: px(bid), liquidityFlag: 'R', matchNumber: '2' },
      { kind: 'ORDER_CANCELED', userRefNum: 2, quantity: 7, reason: 'I' },
    ].map((o) => ({ liquidityFlag: undefined, reason: undefined, matchNumber: undefined, ...o })));
  });

  it('CSV orders (with a userRefNum column), then a cancel and a replace on the command line, one text line per answer', async () => {
    const csv = join(dirname(file), 'orders.csv');
    writeFileSync(csv, `# two resting orders\nsymbol,side,qty,price,tif,userRefNum\n${book.symbol},buy,100,1.00,day,10\n${book.symbol},sell,50,199999.99,,11\n`);
    const r = await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'BRAVO1', '--password', 'bravo-pw', '--csv', csv, '--first-ref', '12', '--wait-ms', '50',
      'cancel', '10', 'replace', '11', `20@${px(book.bid[0])}`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out.map((l) => l.split(/\s+/)[0])).toEqual(['ORDER_ACCEPTED', 'ORDER_ACCEPTED', 'ORDER_CANCELED', 'ORDER_REPLACED', 'ORDER_EXECUTED']);
    expect(out[0]).toMatch(/userRefNum=10 side=B quantity=100 symbol=\S+ price=1\.0000 timeInForce=0/);
    expect(out[2]).toMatch(/userRefNum=10 quantity=100 reason=U/);
    expect(out[3]).toMatch(new RegExp(`origUserRefNum=11 userRefNum=12 side=S quantity=20 symbol=${book.symbol} price=${px(book.bid[0])}`));
    expect(out[4]).toMatch(new RegExp(`userRefNum=12 quantity=20 price=${px(book.bid[0])} liquidityFlag=R`));
  });

  it('a refused login ends send with AUTH_REFUSED (exit 10); a closed port with SERVICE_UNAVAILABLE (exit 8)', async () => {
    const bad = await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'ALPHA1', '--password', 'wrong', 'buy', '1', 'AAPL@1']);
    expect(bad.status).toBe(10);
    expect(bad.stderr).toMatch(/^riskgate send: AUTH_REFUSED: .*refused the login of "ALPHA1" \(SoupBinTCP reject code A: unknown username or wrong password\)/);
    const closed = await run(['send', '--to', '127.0.0.1:1', '--user', 'ALPHA1', '--password', 'x', 'buy', '1', 'AAPL@1']);
    expect(closed.status).toBe(8);
    expect(closed.stderr).toMatch(/^riskgate send: SERVICE_UNAVAILABLE: cannot connect to 127\.0\.0\.1:1: connection refused/);
  });

  it('an order reusing a UserRefNum is answered Order Rejected OTHER; without --first-ref send continues the session\'s numbering', async () => {
    const r = await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'ALPHA1', '--password', 'alpha-pw', '--first-ref', '1', '--timeout-ms', '800', 'buy', '1', `${book.symbol}@1`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ORDER_REJECTED .*userRefNum=1 reason=${OuchReject.OTHER} `));
    const next = await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'ALPHA1', '--password', 'alpha-pw', 'buy', '1', `${book.symbol}@1`]);
    expect(next.status, next.stderr).toBe(0);
    // The earlier orders of ALPHA1 here used 1 and 2.
    expect(next.stdout).toMatch(/^ORDER_ACCEPTED .*userRefNum=3 /);
  });

  it('bad options and bad orders are usage errors naming what is wrong, before anything is sent', async () => {
    const cases: [string[], RegExp][] = [
      [['--pasword', 'x'], /unknown option --pasword \(did you mean "--password"\?\)/],
      [['--password', 'x', 'buy', '0', 'AAPL@1'], /order 1 \(argument 1, "buy"\): quantity "0" must be an integer 1\.\.999999/],
      [['--password', 'x', 'buy', '10', 'AAPL'], /expected SYMBOL@PRICE, got "AAPL"/],
      [['--password', 'x', 'bye', '10', 'AAPL@1'], /expected one of buy, sell, short, exempt, cancel, replace \(did you mean "buy"\?\)/],
      [['--password', 'x', 'buy', '10', 'AAPL@1.00001'], /price "1\.00001" must be dollars above 0 with at most 4 decimals/],
      [['--password', 'x'], /no orders/],
    ];
    for (const [args, re] of cases) {
      const r = await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'ALPHA1', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^riskgate send: USAGE: /);
      expect(r.stderr).toMatch(re);
    }
    const csv = join(dirname(file), 'bad.csv');
    writeFileSync(csv, 'symbol,sied,qty,price\nAAPL,buy,1,1\n');
    const r = await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'ALPHA1', '--password', 'x', '--csv', csv]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv:1: unknown column "sied" \(did you mean "side"\?\)/);
    writeFileSync(csv, 'symbol,side,qty,price\nAAPL,buy,1\n');
    expect((await run(['send', '--to', `127.0.0.1:${port}`, '--user', 'ALPHA1', '--password', 'x', '--csv', csv])).stderr).toMatch(/bad\.csv:2: 3 cells, the header has 4/);
  });

  it('venue-sim: an unknown option names the nearest, a missing file is INPUT_MISSING (exit 3), a file that is not ITCH INPUT_UNREADABLE (exit 4)', async () => {
    const r = await run(['venue-sim', file, '--sped', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --sped \(did you mean "--speed"\?\)/);
    const m = await run(['venue-sim', join(dirname(file), 'nope.itch'), '--port', '0']);
    expect(m.status).toBe(3);
    expect(m.stderr).toMatch(/^riskgate venue-sim: INPUT_MISSING: /);
    const notItch = join(dirname(file), 'not.itch');
    writeFileSync(notItch, 'symbol,side,qty,price\n'.repeat(200));
    const n = await run(['venue-sim', notItch, '--port', '0']);
    expect(n.status).toBe(4);
    expect(n.stderr).toMatch(/^riskgate venue-sim: INPUT_UNREADABLE: /);
  });

  it('venue-sim ends on SIGINT with its summary: the executions it reported, no inconsistency', async () => {
    const exited = new Promise<number | null>((resolve) => venue.on('exit', (code) => resolve(code)));
    venue.kill('SIGINT');
    expect(await exited).toBe(0);
    const summary = lines(venueOut).find((l) => l.event === 'summary')!;
    expect(summary).toMatchObject({ messages: STOP, executions: 3, inconsistencies: 0, iocCanceled: 7, problems: { errors: {}, warnings: {} } });
  });
});
