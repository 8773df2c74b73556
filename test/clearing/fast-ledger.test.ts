// The embedded clearing's FastLedger (exact bigint arithmetic, executions read from their
// binary records, no staging) against the Ledger of the Kafka workers (decimal.js): same
// settlement entries, same account states to the last digit, same de-duplication, and the
// same verdict on malformed records. And the FILL → EXECUTION writer against
// encodeExecution(executionFromFill(...)).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FastLedger } from '../../src/clearing/fast-ledger.ts';
import { parseFeeSchedule } from '../../src/clearing/fees.ts';
import { Ledger, accountToJson, type SettlementEntry } from '../../src/clearing/ledger.ts';
import { decodeExecution, encodeExecution, executionFromFill, EXECUTION_SIZE, FillExecutionWriter, type Execution } from '../../src/clearing/execution.ts';
import { generateExecutions } from '../../src/kafka/loadgen.ts';

const schedules = [
  parseFeeSchedule({ perShare: '0.0030', minPerExecution: '0.35' }),
  parseFeeSchedule({ perShare: '0.00123', minPerExecution: '0.005' }),
];

function records(execs: Execution[]): Buffer {
  return Buffer.concat(execs.map(encodeExecution));
}

/** `malformed`: records that go first and must all be refused. */
function compare(execs: Execution[], fees = schedules[0], malformed?: Buffer) {
  const ref = new Ledger(fees);
  const refEntries: SettlementEntry[] = [];
  let refDup = 0;
  for (const e of execs) {
    const r = ref.apply(e);
    if (r.kind === 'cleared') refEntries.push(r.entry);
    else refDup++;
  }
  const fast = new FastLedger(fees, { entries: true });
  fast.applyRecords(malformed ? Buffer.concat([malformed, records(execs)]) : records(execs));
  expect(fast.entries).toEqual(refEntries);
  expect(fast.cleared).toBe(refEntries.length);
  expect(fast.duplicates).toBe(refDup);
  expect(fast.allAccounts()).toEqual(ref.allAccounts().map(accountToJson));
  return fast;
}

describe('FastLedger equals Ledger', () => {
  it('on 20,000 generated executions over 50 accounts, with re-sent executions', () => {
    const execs = [...generateExecutions({ executions: 20_000, accounts: 50, skew: 1.2, seed: 3, session: 5, firstAccountId: 1001 })];
    for (const fees of schedules) compare([...execs, execs[10], execs[500], execs[19_999]], fees);
  });

  it('on random executions that open, add, reduce, close and flip, at any price and size', () => {
    const exec = fc.record({
      side: fc.constantFrom('B' as const, 'S' as const),
      accountId: fc.integer({ min: 0, max: 3 }),
      symbol: fc.constantFrom('A', 'BRK.B', 'ZZZZZZZZ'),
      price: fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 0xffffffff })),
      qty: fc.oneof(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 0xffffffff })),
      leg: fc.integer({ min: 0, max: 2 }),
      resend: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(exec, { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 1 }), (xs, f) => {
        const execs: Execution[] = [];
        xs.forEach((x, i) => {
          const e: Execution = { session: 9, seq: i + 1, leg: x.leg, side: x.side, accountId: x.accountId, accountIndex: 0xff, symbol: x.symbol, price: x.price, qty: x.qty, ts: BigInt(i) };
          execs.push(e);
          if (x.resend && i > 3) execs.push(execs[i - 3]);
        });
        compare(execs, schedules[f]);
      }),
      { numRuns: 200 },
    );
  });

  it('counts malformed records as the decoder refuses them', () => {
    const exec: Execution = { session: 1, seq: 7, leg: 0, side: 'B', accountId: 5, accountIndex: 0, symbol: 'AAPL', price: 1_000_000, qty: 100, ts: 1n };
    const good = encodeExecution(exec);
    const bad = [Buffer.from(good), Buffer.from(good), Buffer.from(good), Buffer.from(good), Buffer.from(good)];
    bad[0][0] = 0x41; // magic
    bad[1][5] = 0x58; // side
    bad[2].writeUInt32LE(0, 36); // qty
    bad[3].write('AA\x01', 24, 'latin1'); // symbol
    bad[4].writeBigUInt64LE(2n ** 48n, 16); // seq
    for (const b of bad) expect(() => decodeExecution(b)).toThrow();
    const fast = compare([exec], schedules[0], Buffer.concat(bad));
    expect(fast.malformed).toBe(5);
    expect(fast.cleared).toBe(1);
  });
});

describe('FillExecutionWriter', () => {
  it('writes the bytes encodeExecution(executionFromFill(...)) writes', () => {
    const symbols = ['AAPL', 'MSFT    ', 'Q'];
    const accounts = [1001, 0xffffffff, 7];
    fc.assert(
      fc.property(
        fc.record({
          symbol: fc.integer({ min: 0, max: 2 }),
          side: fc.constantFrom(0x42, 0x53),
          seq: fc.integer({ min: 1, max: 2 ** 48 - 1 }),
          ts: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
          price: fc.integer({ min: 1, max: 0xffffffff }),
          qty: fc.integer({ min: 1, max: 0xffffffff }),
          leg: fc.integer({ min: 0, max: 255 }),
          account: fc.integer({ min: 0, max: 2 }),
        }),
        (f) => {
          const r = Buffer.alloc(32);
          r[0] = 2;
          r[1] = 3;
          r[2] = f.symbol;
          r[3] = f.side;
          r.writeUIntLE(f.seq, 4, 6);
          r.writeUIntLE(f.ts, 10, 6);
          r.writeUInt32LE(f.price, 16);
          r.writeUInt32LE(f.qty, 20);
          r[28] = f.leg;
          r[29] = f.account;
          const w = new FillExecutionWriter(77, accounts, symbols);
          const out = Buffer.alloc(EXECUTION_SIZE + 8, 0xee);
          expect(w.write(r, 0, out, 4)).toBe(accounts[f.account]);
          expect(out.subarray(4, 4 + EXECUTION_SIZE)).toEqual(encodeExecution(executionFromFill(r, 77, accounts, symbols)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('throws the usual error for a FILL it cannot map', () => {
    const r = Buffer.alloc(32);
    r[1] = 3;
    r[2] = 9; // no such symbol
    r[3] = 0x42;
    r.writeUIntLE(1, 4, 6);
    r.writeUInt32LE(1, 16);
    r.writeUInt32LE(1, 20);
    const w = new FillExecutionWriter(1, [1], ['A']);
    expect(() => w.write(r, 0, Buffer.alloc(EXECUTION_SIZE), 0)).toThrow(/symbol index 9/);
  });
});
