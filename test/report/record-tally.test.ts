// The replay's record pass in Rust (native/src/record_tally.rs, RecordAccumulator's
// `nativeTally`) gives exactly what the JavaScript pass gives: TOB rows and flagged rows, the
// first and last TOB time, reject reasons, client orders (ORDER records, venue executions),
// and the P&L (positions, average prices and realised
// P&L to the last of their 20 digits), on random record streams cut into random calls —
// including prices and quantities up to 2^32 − 1 and positions that open, add, reduce and flip.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/index.ts';
import { RecordField, RecordHeader, RECORD_SIZE } from '../../src/contract.ts';
import { loadNative } from '../../src/engine/rust.ts';
import type { EngineStats } from '../../src/engine/types.ts';
import { RecordKind } from '../../src/records/layout.ts';
import { RecordAccumulator } from '../../src/report/accumulator.ts';

const config = loadConfig();

type Rec =
  | { kind: 'tob'; symbol: number; flags: number; ts: number }
  | { kind: 'decision'; symbol: number; accepted: boolean; reasons: number; ts: number }
  | { kind: 'fill'; symbol: number; buy: boolean; price: number; qty: number; leg: number; ts: number }
  | { kind: 'order'; symbol: number; action: number; reasons: number; ts: number };

const ts = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const rec: fc.Arbitrary<Rec> = fc.oneof(
  fc.record({ kind: fc.constant('tob' as const), symbol: fc.integer({ min: 0, max: 63 }), flags: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), ts }),
  fc.record({ kind: fc.constant('decision' as const), symbol: fc.integer({ min: 0, max: 63 }), accepted: fc.boolean(), reasons: fc.integer({ min: 0, max: 0xffff }), ts }),
  fc.record({
    kind: fc.constant('fill' as const),
    symbol: fc.integer({ min: 0, max: 3 }),
    buy: fc.boolean(),
    price: fc.oneof(fc.integer({ min: 1, max: 20_000_000 }), fc.integer({ min: 0, max: 0xffffffff })),
    qty: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 0xffffffff })),
    leg: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 255 })),
    ts,
  }),
  // Client orders (spec §18): answers `O`/`U` and venue cancels `C`.
  fc.record({ kind: fc.constant('order' as const), symbol: fc.integer({ min: 0, max: 63 }), action: fc.constantFrom(0x4f, 0x55, 0x43), reasons: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), ts }),
);

function encode(recs: readonly Rec[]): Buffer {
  const b = Buffer.alloc(recs.length * RECORD_SIZE);
  recs.forEach((r, i) => {
    const o = i * RECORD_SIZE;
    b[o + RecordHeader.version] = 3;
    b[o + RecordHeader.symbol] = r.symbol;
    b.writeUIntLE(i + 1, o + RecordHeader.seq, 6);
    b.writeUIntLE(r.ts, o + RecordHeader.ts, 6);
    if (r.kind === 'tob') {
      b[o + RecordHeader.kind] = RecordKind.TOB;
      b[o + RecordHeader.aux] = r.flags;
    } else if (r.kind === 'decision') {
      b[o + RecordHeader.kind] = RecordKind.DECISION;
      b.writeUInt16LE(r.accepted ? 0 : r.reasons, o + RecordField.DECISION.reasons);
      b[o + RecordField.DECISION.verdict] = r.accepted ? 1 : 0;
    } else if (r.kind === 'order') {
      b[o + RecordHeader.kind] = RecordKind.ORDER;
      b[o + RecordHeader.aux] = r.action;
      b.writeUInt16LE(r.reasons, o + RecordField.ORDER.reasons);
    } else {
      b[o + RecordHeader.kind] = RecordKind.FILL;
      b[o + RecordField.FILL.leg] = r.leg;
      b[o + RecordHeader.aux] = r.buy ? 0x42 : 0x53;
      b.writeUInt32LE(r.price, o + RecordField.FILL.price);
      b.writeUInt32LE(r.qty, o + RecordField.FILL.qty);
    }
  });
  return b;
}

const stats = { messages: 0, unknownRef: 0, tableFull: 0 } as unknown as EngineStats;

/** What a report takes from the accumulator, P&L values as full-precision strings. */
function summary(acc: RecordAccumulator) {
  const r = acc.result('rust', stats);
  const pnl = [...r.pnl.bySymbol].map(([k, p]) => [k, p.position, p.bought, p.sold, p.fills, p.avgPrice.toString(), p.realised.toString()]);
  return { tob: r.tobRows, flagged: r.flaggedTobRows, first: r.firstTs, last: r.lastTs, reasons: r.rejectReasons, clientOrders: r.clientOrders, sha: r.recordsSha256, bytes: r.recordBytes, pnl };
}

describe('native record pass', () => {
  it('equals the JavaScript pass on random records cut into random calls', () => {
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 400 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 20 }), (recs, cuts) => {
        const all = encode(recs);
        const js = new RecordAccumulator('t', config);
        const native = new RecordAccumulator('t', config, { nativeTally: true });
        let at = 0;
        for (const n of [...cuts, recs.length]) {
          const end = Math.min(recs.length, at + n) * RECORD_SIZE;
          const part = all.subarray(at * RECORD_SIZE, end);
          js.add(part, 1, 1, 0);
          native.add(part, 1, 1, 0);
          at = end / RECORD_SIZE;
        }
        expect(summary(native)).toEqual(summary(js));
      }),
      { numRuns: 300 },
    );
  });

  it('counts the CONTROL and PROBLEM records it leaves to JavaScript', () => {
    const b = encode([{ kind: 'tob', symbol: 1, flags: 0, ts: 5 }, { kind: 'tob', symbol: 1, flags: 0, ts: 6 }, { kind: 'tob', symbol: 1, flags: 0, ts: 7 }]);
    b[RECORD_SIZE + RecordHeader.kind] = RecordKind.CONTROL;
    b[2 * RECORD_SIZE + RecordHeader.kind] = RecordKind.PROBLEM;
    const t = new (loadNative().RecordTally)(8);
    expect(t.add(b)).toBe(2);
    expect([t.tobRows, t.firstTs, t.lastTs]).toEqual([1, 5, 5]);
  });

  it('refuses a zero-share fill on a flat position with an error, as the JavaScript book does', () => {
    const b = encode([{ kind: 'fill', symbol: 0, buy: true, price: 100, qty: 0, leg: 0, ts: 1 }]);
    const js = new RecordAccumulator('t', config);
    const native = new RecordAccumulator('t', config, { nativeTally: true });
    expect(() => js.add(b, 1, 1, 0)).toThrow(/division by zero/);
    expect(() => native.add(b, 1, 1, 0)).toThrow(/division by zero/);
  });
});
