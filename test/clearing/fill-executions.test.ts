// The replay's clearing hand-off in Rust (native/src/fill_executions.rs) writes the bytes
// FillExecutionWriter writes, grouped by thread (account id mod threads, record order kept),
// and declines (-1) every fill the JavaScript fast path would not take as it is.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EXECUTION_SIZE, FillExecutionWriter } from '../../src/clearing/execution.ts';
import { RecordField, RecordHeader, RECORD_SIZE } from '../../src/contract.ts';
import { loadNative } from '../../src/engine/rust.ts';
import { RecordKind } from '../../src/records/layout.ts';

const native = loadNative();
const ACCOUNTS = [1001, 7, 0xffffffff, 42];
const SYMBOLS = ['AAPL', 'MSFT', 'A', 'GOOGLEXX'];

const rec: fc.Arbitrary<Rec> = fc.record({
  kind: fc.constantFrom(RecordKind.FILL, RecordKind.FILL, RecordKind.TOB, RecordKind.DECISION),
  symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
  account: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }),
  side: fc.constantFrom(0x42, 0x53),
  price: fc.integer({ min: 1, max: 0xffffffff }),
  qty: fc.integer({ min: 1, max: 0xffffffff }),
  seq: fc.integer({ min: 1, max: 2 ** 48 - 1 }),
  ts: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  leg: fc.integer({ min: 0, max: 255 }),
});
type Rec = { kind: number; symbol: number; account: number; side: number; price: number; qty: number; seq: number; ts: number; leg: number };

function encode(recs: readonly Rec[]): Buffer {
  const b = Buffer.alloc(recs.length * RECORD_SIZE);
  recs.forEach((r, i) => {
    const o = i * RECORD_SIZE;
    b[o + RecordHeader.version] = 3;
    b[o + RecordHeader.kind] = r.kind;
    b[o + RecordHeader.symbol] = r.symbol;
    b[o + RecordHeader.aux] = r.side;
    b.writeUIntLE(r.seq, o + RecordHeader.seq, 6);
    b.writeUIntLE(r.ts, o + RecordHeader.ts, 6);
    b.writeUInt32LE(r.price, o + RecordField.FILL.price);
    b.writeUInt32LE(r.qty, o + RecordField.FILL.qty);
    b[o + RecordField.FILL.leg] = r.leg;
    b[o + RecordField.FILL.account_index] = r.account;
  });
  return b;
}

function viaNative(records: Buffer, threads: number) {
  const w = new FillExecutionWriter(9, ACCOUNTS, SYMBOLS);
  const out = Buffer.alloc((records.length / RECORD_SIZE) * EXECUTION_SIZE);
  const perThread = new Float64Array(threads);
  const n = native.fillExecutions(records, 9, Float64Array.from(ACCOUNTS), w.symbolTable(), out, perThread);
  return { n, out: out.subarray(0, Math.max(0, n) * EXECUTION_SIZE), perThread: [...perThread] };
}

/** The JavaScript writer's executions, thread by thread, in record order within each. */
function viaJs(records: Buffer, threads: number) {
  const w = new FillExecutionWriter(9, ACCOUNTS, SYMBOLS);
  const by: Buffer[][] = Array.from({ length: threads }, () => []);
  for (let off = 0; off < records.length; off += RECORD_SIZE) {
    if (records[off + RecordHeader.kind] !== RecordKind.FILL) continue;
    const e = Buffer.alloc(EXECUTION_SIZE);
    const id = w.write(records, off, e, 0);
    by[id % threads].push(e);
  }
  return { out: Buffer.concat(by.flat()), perThread: by.map((x) => x.length) };
}

describe('native clearing hand-off', () => {
  it('writes the JavaScript writer’s executions, grouped by thread', () => {
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 300 }), fc.integer({ min: 1, max: 5 }), (recs, threads) => {
        const b = encode(recs);
        const n = viaNative(b, threads);
        const j = viaJs(b, threads);
        expect(n.n).toBe(recs.filter((r) => r.kind === RecordKind.FILL).length);
        expect(n.perThread).toEqual(j.perThread);
        expect(n.out.equals(j.out)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('declines the fills the JavaScript path must report', () => {
    const good: Rec = { kind: RecordKind.FILL, symbol: 0, account: 0, side: 0x42, price: 1, qty: 1, seq: 1, ts: 0, leg: 0 };
    expect(viaNative(encode([good]), 2).n).toBe(1);
    for (const bad of [{ symbol: 9 }, { account: 9 }, { side: 0x58 }, { price: 0 }, { qty: 0 }, { seq: 0 }]) {
      const b = encode([good, { ...good, ...bad }]);
      expect(viaNative(b, 2).n, JSON.stringify(bad)).toBe(-1);
      expect(() => viaJs(b, 2), JSON.stringify(bad)).toThrow();
    }
  });
});
