/**
 * A session's sequenced stream held in chunks (src/ouch/stream.ts): every message reads back
 * byte for byte in order, across chunk boundaries, an append that could not be written is
 * taken back, and a replay sends from it as from an array of Buffers.
 */
import { describe, expect, it } from 'vitest';
import { MessageStream } from '../../src/ouch/stream.ts';
import { encodeOutbound, encodeOutboundInto } from '../../src/ouch/codec.ts';
import { replayStream } from '../../src/ouch/replay.ts';

const message = (k: number) => Buffer.from(`${k}:`.padEnd(20 + (k % 37), String.fromCharCode(65 + (k % 26))));

describe('MessageStream', () => {
  it('keeps every message byte for byte over several 1 MiB chunks', () => {
    const s = new MessageStream();
    const n = 150_000; // ~5.5 MB: six chunks, and the offset arrays grow many times
    for (let k = 0; k < n; k++) s.push(message(k));
    expect(s.length).toBe(n);
    for (let k = 0; k < n; k += 997) expect(s.at(k)!.equals(message(k))).toBe(true);
    expect(s.at(n - 1)!.equals(message(n - 1))).toBe(true);
    expect(s.at(n)).toBeUndefined();
    expect(s.at(-1)).toBeUndefined();
    expect(s.at(1.5)).toBeUndefined();
  });

  it('takes back an append (a message that could not be encoded) and reuses its bytes', () => {
    const s = new MessageStream();
    s.push(Buffer.from('first'));
    const place = (size: number) => s.append(size);
    const ok = { timestamp: 1n, userRefNum: 7, quantity: 3, reason: 'U' };
    expect(() => encodeOutboundInto('ORDER_CANCELED', { ...ok, quantity: -1 }, place)).toThrow();
    s.dropLast();
    expect(s.length).toBe(1);
    encodeOutboundInto('ORDER_CANCELED', ok, place);
    expect(s.length).toBe(2);
    expect(s.at(0)!.toString()).toBe('first');
    expect(s.at(1)!.equals(encodeOutbound('ORDER_CANCELED', ok))).toBe(true);
  });

  it('is what a replay reads', async () => {
    const s = new MessageStream();
    for (const m of ['aaaa', 'bbbb', 'cccc']) s.push(Buffer.from(m));
    const sent: string[] = [];
    const reached = await replayStream(s, 1, { open: () => true, send: (p) => sent.push(p.toString()), unsent: () => 0, drained: async () => {} }, 100);
    expect(reached).toBe(3);
    expect(sent).toEqual(['bbbb', 'cccc']);
  });
});
