import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ByteLog } from '../../src/ouch/byte-log.ts';

describe('ByteLog', () => {
  it('keeps every entry and the whole log in append order, across chunks and entries larger than a chunk', () => {
    const log = new ByteLog();
    const want: Buffer[] = [];
    // Small entries filling more than a 1 MiB chunk, a 3 MiB one between them, and empty ones.
    const sizes = [38, 0, 34, ...Array.from({ length: 40_000 }, (_, i) => 1 + (i % 70)), 3 << 20, 0, 38, 1 << 20, 5];
    for (const [k, n] of sizes.entries()) {
      const b = randomBytes(n);
      if (k % 2 === 0) log.push(b);
      else b.copy(log.append(n));
      want.push(b);
    }
    expect(log.length).toBe(want.length);
    expect(log.byteLength).toBe(want.reduce((s, b) => s + b.length, 0));
    for (let i = 0; i < want.length; i++) expect(log.at(i).equals(want[i])).toBe(true);
    expect(log.concat().equals(Buffer.concat(want))).toBe(true);
    expect(() => log.at(want.length)).toThrow(RangeError);
  });
});

describe('ByteLog.dropLast', () => {
  it('takes back the last entry: its bytes are gone from the log and reused by the next', () => {
    const log = new ByteLog();
    log.push(Buffer.from('abc'));
    log.append(5).fill(0x7a);
    log.dropLast();
    expect(log.length).toBe(1);
    expect(log.byteLength).toBe(3);
    log.push(Buffer.from('de'));
    expect(log.concat().toString()).toBe('abcde');
    expect(log.at(1).toString()).toBe('de');
  });
});
