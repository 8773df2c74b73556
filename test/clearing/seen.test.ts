// The clearing workers' de-duplication set (src/kafka/seen.ts, docs/spec.md §14.3): by id only,
// no high-water mark; bounded; rebuilt from settlement entries.
import { describe, expect, it } from 'vitest';
import { SeenIds, settlementExecId } from '../../src/kafka/seen.ts';

describe('SeenIds', () => {
  it('an id is a duplicate only if that id was added: a forged huge seq hides nothing below it', () => {
    const s = new SeenIds();
    expect(s.add({ session: 7, seq: 2 ** 47, leg: 0 })).toBe(true);
    for (let seq = 1; seq <= 1000; seq++) expect(s.has({ session: 7, seq, leg: 0 })).toBe(false);
    expect(s.has({ session: 7, seq: 2 ** 47, leg: 0 })).toBe(true);
    expect(s.add({ session: 7, seq: 2 ** 47, leg: 0 })).toBe(false);
    expect(s.add({ session: 7, seq: 5, leg: 1 })).toBe(true);
    expect(s.has({ session: 7, seq: 5, leg: 0 })).toBe(false);
    expect(s.has({ session: 8, seq: 5, leg: 1 })).toBe(false);
    expect(s.size).toBe(2);
    s.delete({ session: 7, seq: 5, leg: 1 });
    s.delete({ session: 7, seq: 5, leg: 1 });
    expect(s.size).toBe(1);
    expect(s.has({ session: 7, seq: 5, leg: 1 })).toBe(false);
  });

  it('is full at its limit', () => {
    const s = new SeenIds(3);
    for (let seq = 1; seq <= 3; seq++) s.add({ session: 1, seq, leg: 0 });
    expect(s.full).toBe(true);
    s.delete({ session: 1, seq: 2, leg: 0 });
    expect(s.full).toBe(false);
  });

  it('takes ids written session:seq:leg and refuses anything else', () => {
    const s = new SeenIds();
    expect(s.addText('4701:123:2')).toBe(true);
    expect(s.has({ session: 4701, seq: 123, leg: 2 })).toBe(true);
    expect(s.addText(`1:${2 ** 48 - 1}:255`)).toBe(true);
    expect(s.has({ session: 1, seq: 2 ** 48 - 1, leg: 255 })).toBe(true);
    for (const bad of ['', 'x', '1:2', '1:0:0', `1:${2 ** 48}:0`, '1:2:256', '4294967296:1:0', '1:2:3:4', ' 1:2:3']) expect(s.addText(bad)).toBe(false);
    expect(s.size).toBe(2);
  });
});

describe('settlementExecId', () => {
  it('reads the execId of a worker-written entry, of other JSON with one, and null otherwise', () => {
    expect(settlementExecId(Buffer.from(JSON.stringify({ execId: '1:2:0', session: 1 })))).toBe('1:2:0');
    expect(settlementExecId(Buffer.from('{ "session": 1, "execId": "3:4:1" }'))).toBe('3:4:1');
    expect(settlementExecId(Buffer.from('this is not JSON'))).toBeNull();
    expect(settlementExecId(Buffer.from('{"hello":1}'))).toBeNull();
    expect(settlementExecId(null)).toBeNull();
  });
});
