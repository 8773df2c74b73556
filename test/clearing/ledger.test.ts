import { describe, it, expect } from 'vitest';
import { Ledger, accountToJson } from '../../src/clearing/ledger.ts';
import { feeFor, loadFeeSchedule, parseFeeSchedule } from '../../src/clearing/fees.ts';
import { decodeExecution, encodeExecution, executionFromFill, type Execution } from '../../src/clearing/execution.ts';
import { aggregate, reconcile, toCsv, sortedLines } from '../../src/clearing/report.ts';
import { ClearingError } from '../../src/clearing/errors.ts';

const fees = parseFeeSchedule({ perShare: '0.0030', minPerExecution: '0.35' });

function ex(seq: number, side: 'B' | 'S', qty: number, price: number, accountId = 1001, symbol = 'AAPL'): Execution {
  return { session: 7, seq, leg: 0, side, accountId, accountIndex: 0, symbol, price, qty, ts: BigInt(seq) * 1000n };
}

describe('fees', () => {
  it('reads the default config and applies max(perShare × qty, min), rounded to the cent', () => {
    const f = loadFeeSchedule('config/default.json');
    expect(f.perShare.toString()).toBe('0.003');
    expect(feeFor(f, 100).toString()).toBe('0.35'); // 0.30 < min
    expect(feeFor(f, 150).toString()).toBe('0.45');
    expect(feeFor(f, 117).toString()).toBe('0.35'); // 0.351 → 0.35
    expect(feeFor(f, 1).toString()).toBe('0.35');
    expect(feeFor(f, 3000).toString()).toBe('9');
    expect(feeFor(f, 1835).toString()).toBe('5.51'); // 5.505 half up
  });
  it('refuses a bad fee schedule with a coded error', () => {
    expect(() => parseFeeSchedule({ perShare: '-1', minPerExecution: '0' })).toThrow(ClearingError);
    try {
      parseFeeSchedule(undefined);
    } catch (e) {
      expect((e as ClearingError).code).toBe('BAD_FEES');
    }
  });
});

describe('execution record', () => {
  it('round-trips and rejects malformed records', () => {
    const e = ex(42, 'S', 300, 1_234_500);
    const b = encodeExecution(e);
    expect(b.length).toBe(48);
    expect(b.toString('latin1', 0, 4)).toBe('RGX1');
    expect(decodeExecution(b)).toEqual(e);
    const bad = Buffer.from(b);
    bad[5] = 0x58;
    expect(() => decodeExecution(bad)).toThrow(/side/);
    expect(() => decodeExecution(b.subarray(0, 40))).toThrow(/length/);
    expect(() => decodeExecution(Buffer.from('{"json":true}'))).toThrow(ClearingError);
    const zeroQty = Buffer.from(b);
    zeroQty.writeUInt32LE(0, 36);
    expect(() => decodeExecution(zeroQty)).toThrow(/qty/);
  });
  it('maps a FILL record (spec §11) to an execution id (session, seq, leg)', () => {
    const r = Buffer.alloc(32);
    r[0] = 1;
    r[1] = 3;
    r[2] = 1; // symbol index
    r[3] = 'B'.charCodeAt(0);
    r.writeUIntLE(123456, 4, 6);
    r.writeUIntLE(34_200_000_000_000, 10, 6);
    r.writeUInt32LE(4_100_000, 16);
    r.writeUInt32LE(200, 20);
    r.writeInt32LE(200, 24);
    r[28] = 0;
    r[29] = 2;
    const e = executionFromFill(r, 1, [1001, 1002, 1003], ['AAPL    ', 'MSFT    ']);
    expect(e).toMatchObject({ session: 1, seq: 123456, leg: 0, side: 'B', accountId: 1003, symbol: 'MSFT', price: 4_100_000, qty: 200 });
    expect(e.ts).toBe(34_200_000_000_000n);
  });
});

describe('ledger', () => {
  it('keeps position, average price, realised P&L, fees and net cash (hand-computed)', () => {
    const l = new Ledger(fees);
    l.apply(ex(1, 'B', 100, 100_0000)); // buy 100 @ 100.00, fee 0.35
    l.apply(ex(2, 'B', 300, 104_0000)); // buy 300 @ 104.00, fee 0.90 → avg 103
    let p = l.account(1001)!.positions.get('AAPL')!;
    expect(p.position).toBe(400);
    expect(p.avgPrice.toString()).toBe('103');
    l.apply(ex(3, 'S', 500, 110_0000)); // sell 500 @ 110: close 400 (+2800), open short 100 @ 110, fee 1.50
    p = l.account(1001)!.positions.get('AAPL')!;
    expect(p.position).toBe(-100);
    expect(p.avgPrice.toString()).toBe('110');
    expect(p.realizedPnl.toString()).toBe('2800');
    expect(p.fees.toString()).toBe('2.75');
    // cash: −10000 −0.35 −31200 −0.90 +55000 −1.50
    expect(p.netCash.toString()).toBe('13797.25');
    const r = l.apply(ex(4, 'B', 100, 105_0000)); // cover @ 105: +500
    expect(r.kind).toBe('cleared');
    p = l.account(1001)!.positions.get('AAPL')!;
    expect(p.position).toBe(0);
    expect(p.avgPrice.toString()).toBe('0');
    expect(p.realizedPnl.toString()).toBe('3300');
  });

  it('de-duplicates by execution id per account and session, unless switched off', () => {
    const l = new Ledger(fees);
    expect(l.apply(ex(5, 'B', 10, 10_0000)).kind).toBe('cleared');
    expect(l.apply(ex(5, 'B', 10, 10_0000)).kind).toBe('duplicate');
    expect(l.apply(ex(3, 'B', 10, 10_0000)).kind).toBe('duplicate');
    expect(l.apply({ ...ex(5, 'B', 10, 10_0000), leg: 1 }).kind).toBe('cleared');
    expect(l.apply({ ...ex(5, 'B', 10, 10_0000), session: 8 }).kind).toBe('cleared');
    expect(l.apply(ex(5, 'B', 10, 10_0000, 1002)).kind).toBe('cleared'); // other account
    const off = new Ledger(fees, { dedupe: false });
    off.apply(ex(5, 'B', 10, 10_0000));
    expect(off.apply(ex(5, 'B', 10, 10_0000)).kind).toBe('cleared');
  });

  it('stages changes: rollback leaves state as it was, snapshots round-trip', () => {
    const l = new Ledger(fees);
    l.apply(ex(1, 'B', 100, 100_0000));
    const t = l.begin();
    t.apply(ex(2, 'S', 40, 101_0000));
    expect(t.touchedAccounts()[0].positions.get('AAPL')!.position).toBe(60);
    t.rollback();
    expect(l.account(1001)!.positions.get('AAPL')!.position).toBe(100);
    expect(l.account(1001)!.watermarks.get(7)).toEqual([1, 0]);
    const t2 = l.begin();
    t2.apply(ex(2, 'S', 40, 101_0000));
    t2.commit();
    const l2 = new Ledger(fees);
    l2.restore(JSON.parse(JSON.stringify(accountToJson(l.account(1001)!))));
    expect(l2.apply(ex(2, 'S', 40, 101_0000)).kind).toBe('duplicate');
    expect(l2.account(1001)!.positions.get('AAPL')!.realizedPnl.toString()).toBe('40');
  });

  it('reconciles and aggregates', () => {
    const l = new Ledger(fees);
    const entries = [1, 2, 3].map((s) => (l.apply(ex(s, 'B', 10, 10_0000)) as { entry: any }).entry);
    const rec = reconcile(['7:1:0', '7:2:0', '7:3:0', '7:4:0'], [...entries, entries[1]]);
    expect(rec).toMatchObject({ executions: 4, cleared: 3, lost: 1, duplicated: 1, unknown: 0 });
    expect(rec.breaks.map((b) => b.kind).sort()).toEqual(['duplicated', 'lost']);
    const csv = toCsv(sortedLines(aggregate(entries)));
    expect(csv).toBe('account,symbol,net_qty,net_cash,fees,bought,sold,executions\n1001,AAPL,30,-301.05,1.05,30,0,3\n');
  });
});

