// DECISION BATCH (docs/spec.md §14.8, src/kafka/decision-batch.ts): the header a non-riskgate
// consumer reads, the 16,384-record cut, and what a reader refuses. No broker.
import { describe, expect, it } from 'vitest';
import { DECISION_BATCH as H, RECORD_SIZE, RecordKind } from '../../src/contract.ts';
import { BATCH_HEADER_SIZE, DecisionBatcher, decisionBatchProblem, decodeDecisionBatch, MAX_BATCH_RECORDS } from '../../src/kafka/decision-batch.ts';

/** `n` records of kind DECISION with seq = first + i (u48 LE at byte 4), each byte 31 = i & 0xff. */
function records(n: number, first: number): Buffer {
  const b = Buffer.alloc(n * RECORD_SIZE);
  for (let i = 0; i < n; i++) {
    b[i * RECORD_SIZE + 1] = RecordKind.DECISION;
    b.writeUIntLE(first + i, i * RECORD_SIZE + 4, 6);
    b[i * RECORD_SIZE + 31] = i & 0xff;
  }
  return b;
}

describe('decision batches', () => {
  it('packs a transaction into batches of at most 16,384 records with a header a consumer can read by offsets alone', () => {
    const batcher = new DecisionBatcher(7);
    const a = records(10_000, 1);
    const b = records(10_000, 10_001);
    batcher.add(a, 0, a.length, 100);
    batcher.add(b, 0, b.length, 101);
    expect(batcher.records).toBe(20_000);
    const out = batcher.seal();
    expect(out.map((v) => v.length)).toEqual([BATCH_HEADER_SIZE + MAX_BATCH_RECORDS * RECORD_SIZE, BATCH_HEADER_SIZE + (20_000 - MAX_BATCH_RECORDS) * RECORD_SIZE]);
    // Read as a non-riskgate consumer would: fixed offsets, little-endian.
    const v = out[0];
    expect(v.subarray(0, 4).toString('latin1')).toBe('RGD1');
    expect(v[H.version]).toBe(1);
    expect(v[H.record_size]).toBe(32);
    expect(v.readUInt16LE(H.header_size)).toBe(48);
    expect(v.readUInt32LE(H.count)).toBe(MAX_BATCH_RECORDS);
    expect(v.readUInt32LE(H.session)).toBe(7);
    expect(v.readBigUInt64LE(H.first_offset)).toBe(100n);
    expect(v.readBigUInt64LE(H.last_offset)).toBe(101n); // the cut falls inside the packet at 101
    expect(v.readBigUInt64LE(H.first_seq)).toBe(1n);
    expect(v.readBigUInt64LE(H.last_seq)).toBe(BigInt(MAX_BATCH_RECORDS));
    const second = decodeDecisionBatch(out[1]);
    expect(second).toMatchObject({ session: 7, firstOffset: 101, lastOffset: 101, firstSeq: MAX_BATCH_RECORDS + 1, lastSeq: 20_000, count: 20_000 - MAX_BATCH_RECORDS });
    // The records, back to back, are the ones added, in order.
    expect(Buffer.concat([decodeDecisionBatch(out[0]).records, second.records]).equals(Buffer.concat([a, b]))).toBe(true);
    expect(batcher.seal()).toEqual([]); // empty again
    expect(batcher.records).toBe(0);
  });

  it('keeps sealed batches intact while the next transaction fills', () => {
    const batcher = new DecisionBatcher(1);
    batcher.add(records(3, 1), 0, 3 * RECORD_SIZE, 5);
    const [first] = batcher.seal();
    const copy = Buffer.from(first);
    batcher.add(records(3, 50), 0, 3 * RECORD_SIZE, 6);
    batcher.seal();
    expect(first.equals(copy)).toBe(true);
  });

  it('refuses what is not a decision batch, saying why', () => {
    const batcher = new DecisionBatcher(1);
    batcher.add(records(2, 1), 0, 2 * RECORD_SIZE, 0);
    const [good] = batcher.seal();
    expect(decisionBatchProblem(good)).toBeNull();
    const bad = (f: (b: Buffer) => void) => {
      const b = Buffer.from(good);
      f(b);
      return decisionBatchProblem(b);
    };
    expect(decisionBatchProblem(good.subarray(0, 40))).toMatch(/shorter than the 48-byte header/);
    expect(decisionBatchProblem(good.subarray(0, good.length - 1))).toMatch(/not 48 \+ 2 × 32/);
    expect(bad((b) => b.write('RGX1', 0, 'latin1'))).toMatch(/magic "RGX1"/);
    expect(bad((b) => (b[H.version] = 2))).toMatch(/version 2/);
    expect(bad((b) => (b[H.record_size] = 16))).toMatch(/record size 16/);
    expect(bad((b) => b.writeUInt16LE(40, H.header_size))).toMatch(/header size 40/);
    expect(bad((b) => b.writeUInt32LE(0, H.count))).toMatch(/count 0/);
    expect(decisionBatchProblem(null)).toBe('no value');
    expect(() => decodeDecisionBatch(Buffer.from('{"json":true}'))).toThrow(/not a decision batch/);
  });
});
