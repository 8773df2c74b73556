// The feed run's own reader of Kafka record batches (src/kafka/record-batches.ts), on batches
// built here byte by byte from the protocol's layout (magic 2): offsets and values of plain and
// gzip batches, read_committed (control batches never records, an aborted producer's batches
// skipped until its ABORT marker, a committed one's kept), records below the fetch offset
// skipped, a batch cut off by the fetch size left for the next fetch, and malformed input an
// error that names what is wrong, never a crash or a guess. No broker needed.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { walkRecordBatches, type AbortedTransaction, type FeedRecord } from '../../src/kafka/record-batches.ts';

function zigzag(n: number): number[] {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function record(offsetDelta: number, key: Buffer | null, value: Buffer | null, headers: [string, Buffer][] = []): Buffer {
  const body = Buffer.concat([
    Buffer.from([0]), // attributes
    Buffer.from(zigzag(offsetDelta * 7)), // timestamp delta
    Buffer.from(zigzag(offsetDelta)),
    Buffer.from(zigzag(key ? key.length : -1)),
    key ?? Buffer.alloc(0),
    Buffer.from(zigzag(value ? value.length : -1)),
    value ?? Buffer.alloc(0),
    Buffer.from(zigzag(headers.length)),
    ...headers.flatMap(([k, v]) => [Buffer.from(zigzag(k.length)), Buffer.from(k), Buffer.from(zigzag(v.length)), v]),
  ]);
  return Buffer.concat([Buffer.from(zigzag(body.length)), body]);
}

interface BatchSpec {
  base: number;
  values: (Buffer | null)[];
  producerId?: number;
  transactional?: boolean;
  control?: 'abort' | 'commit';
  gzip?: boolean;
}

function batch(s: BatchSpec): Buffer {
  const recs = s.control
    ? [record(0, Buffer.from([0, 0, 0, s.control === 'abort' ? 0 : 1]), Buffer.from([0, 0, 0, 0, 0, 0]))]
    : s.values.map((v, i) => record(i, Buffer.from(`k${i}`), v, i === 0 ? [['h', Buffer.from('x')]] : []));
  let body = Buffer.concat(recs);
  if (s.gzip) body = gzipSync(body);
  const h = Buffer.alloc(61);
  h.writeBigInt64BE(BigInt(s.base), 0);
  h.writeInt32BE(61 - 12 + body.length, 8);
  h.writeInt32BE(0, 12); // leader epoch
  h.writeInt8(2, 16); // magic
  h.writeUInt32BE(0, 17); // crc (not checked by the reader; the broker checks it on produce)
  h.writeInt16BE((s.gzip ? 1 : 0) | (s.transactional || s.control ? 0x10 : 0) | (s.control ? 0x20 : 0), 21);
  h.writeInt32BE(recs.length - 1, 23); // last offset delta
  h.writeBigInt64BE(1_700_000_000_000n, 27);
  h.writeBigInt64BE(1_700_000_000_000n, 35);
  h.writeBigInt64BE(BigInt(s.producerId ?? -1), 43);
  h.writeInt16BE(s.producerId === undefined ? -1 : 0, 51);
  h.writeInt32BE(-1, 53);
  h.writeInt32BE(recs.length, 57);
  return Buffer.concat([h, body]);
}

const v = (s: string) => Buffer.from(s);
function walk(records: Buffer, from = 0, aborted: AbortedTransaction[] = []) {
  const out: FeedRecord[] = [];
  const r = walkRecordBatches(records, from, aborted, out);
  return { ...r, got: out.map((x) => [x.offset, x.value.toString()]) };
}

describe('record batch reader', () => {
  it('reads offsets and values of plain and gzip batches, a null value as empty, headers skipped', () => {
    const all = Buffer.concat([batch({ base: 0, values: [v('a'), v('bb'), null] }), batch({ base: 3, values: [v('c'.repeat(300)), v('d')], gzip: true })]);
    expect(walk(all)).toEqual({ next: 5, batches: 2, got: [[0, 'a'], [1, 'bb'], [2, ''], [3, 'c'.repeat(300)], [4, 'd']] });
  });

  it('values are views of the fetch response, not copies (plain batches)', () => {
    const all = batch({ base: 10, values: [v('xyz')] });
    const out: FeedRecord[] = [];
    walkRecordBatches(all, 0, [], out);
    expect(out[0].value.buffer).toBe(all.buffer);
  });

  it('skips records below the fetch offset inside a batch that starts before it', () => {
    const all = Buffer.concat([batch({ base: 0, values: [v('a'), v('b'), v('c')] }), batch({ base: 3, values: [v('d')] })]);
    expect(walk(all, 2)).toEqual({ next: 4, batches: 2, got: [[2, 'c'], [3, 'd']] });
    expect(walk(all, 3).got).toEqual([[3, 'd']]);
  });

  it('read_committed: control batches are no records; an aborted transaction is skipped up to its ABORT marker, a committed one kept', () => {
    const all = Buffer.concat([
      batch({ base: 0, values: [v('plain')] }),
      batch({ base: 1, values: [v('aborted-1'), v('aborted-2')], producerId: 7, transactional: true }),
      batch({ base: 3, values: [v('committed')], producerId: 8, transactional: true }),
      batch({ base: 4, values: [], producerId: 7, control: 'abort' }),
      batch({ base: 5, values: [], producerId: 8, control: 'commit' }),
      batch({ base: 6, values: [v('later-by-7')], producerId: 7, transactional: true }),
      batch({ base: 7, values: [], producerId: 7, control: 'commit' }),
    ]);
    expect(walk(all, 0, [{ producerId: 7, firstOffset: 1 }])).toEqual({ next: 8, batches: 7, got: [[0, 'plain'], [3, 'committed'], [6, 'later-by-7']] });
    // The same bytes without the broker's aborted list: everything but the markers.
    expect(walk(all).got.map((g) => g[1])).toEqual(['plain', 'aborted-1', 'aborted-2', 'committed', 'later-by-7']);
  });

  it('a batch cut off by the fetch size ends the walk; the next fetch starts at it', () => {
    const first = batch({ base: 0, values: [v('a')] });
    const second = batch({ base: 1, values: [v('b'.repeat(100))] });
    const cut = Buffer.concat([first, second]).subarray(0, first.length + 40);
    expect(walk(cut)).toEqual({ next: 1, batches: 1, got: [[0, 'a']] });
    expect(walk(second.subarray(0, 30))).toEqual({ next: 0, batches: 0, got: [] });
  });

  it('malformed input is a FAIL_CLOSED error naming the fault, never a crash', () => {
    const good = batch({ base: 0, values: [v('a')] });
    const magic = Buffer.from(good);
    magic.writeInt8(1, 16);
    expect(() => walk(magic)).toThrow(/record batch of magic 1/);
    const short = Buffer.from(good);
    short.writeInt32BE(20, 8);
    expect(() => walk(short)).toThrow(/record batch of 20 bytes/);
    const longRecord = Buffer.from(good);
    longRecord[61] = 63 << 1; // record length 63 as a zigzag varint, past the batch
    expect(() => walk(longRecord)).toThrow(/a record of 63 bytes/);
    const lz4 = Buffer.from(good);
    lz4.writeInt16BE(3, 21);
    expect(() => walk(lz4)).toThrow(/compressed with codec 3/);
    try {
      walk(magic);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('FAIL_CLOSED');
    }
  });
});
