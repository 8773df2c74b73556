/**
 * The OUCH 5.0 codec and the SoupBinTCP framing: round trips of every message at the
 * contract's layouts, and every malformed case answered with the right coded error (field
 * and offset named), never a throw out of decodeInbound.
 */
import { describe, expect, it } from 'vitest';
import { OUCH_OPTIONS, OuchInbound, OuchOutbound, SOUPBINTCP, SoupPacket } from '../../src/contract.ts';
import { encodeAppendage } from '../../src/ouch/appendage.ts';
import { decodeInbound, decodeOutbound, encodeInbound, encodeOutbound, encodeOutboundInto, outboundOverrides, type EnterOrder, type InboundMessage, type OutboundValues } from '../../src/ouch/codec.ts';
import { SoupDecoder, soupPacket } from '../../src/ouch/soup-framing.ts';
import { decodeLoginAccepted, decodeLoginRequest, encodeLoginAccepted, encodeLoginRequest } from '../../src/ouch/soup-packets.ts';

const ENTER: EnterOrder = {
  kind: 'ENTER_ORDER', userRefNum: 7, side: 'B', quantity: 300, symbol: 'AAPL', price: 1_895_000n, timeInForce: '0',
  display: 'Y', capacity: 'A', interMarketSweepEligibility: 'N', crossType: 'N', clOrdId: 'ORDER-7', options: [],
};
const enterBytes = (o: Partial<EnterOrder> = {}) => encodeInbound({ ...ENTER, ...o });
const F = OuchInbound.ENTER_ORDER.fields;

function rejected(buf: Buffer) {
  const d = decodeInbound(buf);
  if (d.ok) throw new Error('decoded a message that should fail');
  return d;
}

describe('OUCH 5.0 inbound round trips', () => {
  const cases: InboundMessage[] = [
    ENTER,
    { ...ENTER, side: 'T', options: [{ name: 'MinQty', value: 100 }, { name: 'Firm', value: 'ABCD' }, { name: 'PriceType', value: 'L' }] },
    { kind: 'REPLACE_ORDER', origUserRefNum: 7, userRefNum: 8, quantity: 200, price: 1_894_900n, timeInForce: '3', display: 'N', interMarketSweepEligibility: 'N', clOrdId: 'R8', options: [{ name: 'PostOnly', value: 'P' }] },
    { kind: 'CANCEL_ORDER', userRefNum: 8, quantity: 0 },
    { kind: 'MODIFY_ORDER', userRefNum: 8, side: 'S', quantity: 50 },
  ];
  for (const m of cases) {
    it(`${m.kind} decodes to what was encoded, at the contract's size`, () => {
      const b = encodeInbound(m);
      const layout = OuchInbound[m.kind];
      const appendage = 'options' in m ? encodeAppendage(m.options).length : 0;
      expect(b.length).toBe(layout.size + appendage);
      expect(b[0]).toBe(layout.code);
      expect(decodeInbound(b)).toEqual({ ok: true, msg: m });
    });
  }

  it('puts fields where the contract says (big-endian UserRefNum, price u64, space-padded symbol)', () => {
    const b = enterBytes();
    expect(b.readUInt32BE(F.userRefNum.offset)).toBe(7);
    expect(b.readBigUInt64BE(F.price.offset)).toBe(1_895_000n);
    expect(b.toString('latin1', F.symbol.offset, F.symbol.offset + F.symbol.length)).toBe('AAPL    ');
    expect(b.readUInt16BE(F.appendageLength.offset)).toBe(0);
  });

  it('short text read from the bytes is the same text past the cache of repeated values (symbols of 1-8 characters, 70,000 distinct)', () => {
    // Symbols reused from the cache and new ones decoded afresh must both read back exactly,
    // including ones that differ only in length or in their last character.
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ.-';
    const symbols: string[] = [];
    for (let i = 0; i < 70_000; i++) {
      let s = '';
      for (let n = i; s.length === 0 || n > 0; n = Math.floor(n / letters.length)) s += letters[n % letters.length];
      symbols.push(s.slice(0, 8));
    }
    for (const pass of [1, 2]) {
      for (const symbol of symbols) {
        const d = decodeInbound(enterBytes({ symbol, clOrdId: symbol }));
        if (!d.ok || d.msg.kind !== 'ENTER_ORDER' || d.msg.symbol !== symbol || d.msg.clOrdId !== symbol) {
          throw new Error(`pass ${pass}: ${symbol} decoded as ${JSON.stringify(d.ok ? d.msg : d.error.message)}`);
        }
      }
    }
    const d = decodeInbound(enterBytes({ symbol: 'A', clOrdId: 'A' + ' '.repeat(5) + 'B' }));
    expect(d.ok && d.msg.kind === 'ENTER_ORDER' && [d.msg.symbol, d.msg.clOrdId]).toEqual(['A', 'A     B']);
  });
});

describe('OUCH 5.0 outbound round trips', () => {
  it('u64 fields are big-endian over their whole range, and every byte of a message is written (no stale pool bytes)', () => {
    for (const ref of [0n, 1n, 0x0102_0304_0506_0708n, (1n << 53n) + 1n, 0xffff_ffff_ffff_fffen]) {
      const v = { timestamp: ref, userRefNum: 1, side: 'B', quantity: 10, symbol: 'MSFT', price: 4_000_000n, timeInForce: '0', display: 'Y', orderReferenceNumber: ref, capacity: 'A', interMarketSweepEligibility: 'N', crossType: 'N', orderState: 'L', clOrdId: 'X' };
      // Dirty the allocation pool so that an unwritten byte would show.
      Buffer.allocUnsafe(4096).fill(0xee);
      const b = encodeOutbound('ORDER_ACCEPTED', v);
      expect(b.readBigUInt64BE(OuchOutbound.ORDER_ACCEPTED.fields.orderReferenceNumber.offset)).toBe(ref);
      expect(b.readBigUInt64BE(OuchOutbound.ORDER_ACCEPTED.fields.timestamp.offset)).toBe(ref);
      expect(b.includes(0xee)).toBe(false);
      expect(decodeOutbound(b).values).toEqual({ ...v, type: 'A', appendageLength: 0 });
    }
  });

  it('every outbound message encodes and decodes with its values', () => {
    const values: Record<string, Record<string, string | number | bigint>> = {
      SYSTEM_EVENT: { timestamp: 1n, eventCode: 'S' },
      ORDER_ACCEPTED: { timestamp: 2n, userRefNum: 1, side: 'B', quantity: 10, symbol: 'MSFT', price: 4_000_000n, timeInForce: '0', display: 'Y', orderReferenceNumber: 99n, capacity: 'A', interMarketSweepEligibility: 'N', crossType: 'N', orderState: 'L', clOrdId: 'X', appendageLength: 0 },
      ORDER_REPLACED: { timestamp: 3n, origUserRefNum: 1, userRefNum: 2, side: 'B', quantity: 5, symbol: 'MSFT', price: 4_000_100n, timeInForce: '0', display: 'Y', orderReferenceNumber: 100n, capacity: 'A', interMarketSweepEligibility: 'N', crossType: 'N', orderState: 'L', clOrdId: 'Y', appendageLength: 0 },
      ORDER_CANCELED: { timestamp: 4n, userRefNum: 2, quantity: 5, reason: 'U' },
      ORDER_MODIFIED: { timestamp: 5n, userRefNum: 2, side: 'S', quantity: 3 },
      ORDER_EXECUTED: { timestamp: 6n, userRefNum: 2, quantity: 3, price: 4_000_100n, liquidityFlag: 'R', matchNumber: 12n, appendageLength: 0 },
      ORDER_REJECTED: { timestamp: 7n, userRefNum: 3, reason: 0x1d, clOrdId: 'Z' },
      CANCEL_REJECT: { timestamp: 8n, userRefNum: 9 },
      ACCOUNT_QUERY_RESPONSE: { timestamp: 9n, nextUserRefNum: 42 },
    };
    expect(Object.keys(values).sort()).toEqual(Object.keys(OuchOutbound).sort());
    for (const [kind, v] of Object.entries(values)) {
      const b = encodeOutbound(kind as keyof typeof OuchOutbound, v);
      expect(b.length).toBe(OuchOutbound[kind as keyof typeof OuchOutbound].size);
      expect(decodeOutbound(b)).toEqual({ kind, values: { ...v, type: OuchOutbound[kind as keyof typeof OuchOutbound].type } });
    }
  });

  it('refuses to encode a value that does not fit its field (OUCH_ENCODE)', () => {
    expect(() => encodeOutbound('CANCEL_REJECT', { timestamp: 1n, userRefNum: 2 ** 32 })).toThrow(/OUCH_ENCODE.*userRefNum at offset 9/);
    expect(() => encodeOutbound('ORDER_REJECTED', { timestamp: 1n, userRefNum: 1, reason: 1, clOrdId: 'X'.repeat(15) })).toThrow(/OUCH_ENCODE.*longer than 14/);
  });
});

describe('malformed inbound messages are coded errors, never throws', () => {
  it('empty and unknown types: OUCH_UNKNOWN_TYPE, no reject (ignored)', () => {
    expect(rejected(Buffer.alloc(0)).error.code).toBe('OUCH_UNKNOWN_TYPE');
    const d = rejected(Buffer.from('Z'));
    expect(d.error.code).toBe('OUCH_UNKNOWN_TYPE');
    expect(d.error.reject).toBeUndefined();
  });

  it('Account Query is the type byte alone; anything after it is OUCH_LENGTH', () => {
    expect(decodeInbound(Buffer.from('Q'))).toEqual({ ok: true, msg: { kind: 'ACCOUNT_QUERY' } });
    expect(encodeInbound({ kind: 'ACCOUNT_QUERY' })).toEqual(Buffer.from('Q'));
    expect(rejected(Buffer.from('Q\0')).error.code).toBe('OUCH_LENGTH');
  });

  it('wrong lengths: short, long, and an appendageLength that disagrees (OUCH_LENGTH)', () => {
    const b = enterBytes();
    expect(rejected(b.subarray(0, 20)).error.code).toBe('OUCH_LENGTH');
    expect(rejected(Buffer.concat([b, Buffer.from([0])])).error.message).toMatch(/appendageLength 0 says 47/);
    const c = Buffer.from(b);
    c.writeUInt16BE(5, F.appendageLength.offset);
    expect(rejected(c).error).toMatchObject({ code: 'OUCH_LENGTH', field: 'appendageLength', offset: F.appendageLength.offset });
    expect(rejected(encodeInbound({ kind: 'CANCEL_ORDER', userRefNum: 1, quantity: 0 }).subarray(0, 8)).error.code).toBe('OUCH_LENGTH');
  });

  const bad: [string, Partial<EnterOrder> | ((b: Buffer) => void), string, string][] = [
    ['side', { side: 'X' as 'B' }, 'side', 'INVALID_SIDE'],
    ['zero quantity', { quantity: 0 }, 'quantity', 'INVALID_QUANTITY'],
    ['a million shares', { quantity: 1_000_000 }, 'quantity', 'INVALID_QUANTITY'],
    ['zero price', { price: 0n }, 'price', 'INVALID_PRICE'],
    ['market price sentinel', { price: 2_000_000_000n }, 'price', 'INVALID_PRICE'],
    ['lowercase symbol', { symbol: 'aapl' }, 'symbol', 'INVALID_SYMBOL'],
    ['blank symbol', { symbol: '' }, 'symbol', 'INVALID_SYMBOL'],
    ['time in force', { timeInForce: '9' }, 'timeInForce', 'OTHER'],
    ['display', { display: 'Q' }, 'display', 'INVALID_DISPLAY'],
    ['capacity', { capacity: 'Z' }, 'capacity', 'OTHER'],
    ['cross order', { crossType: 'O' }, 'crossType', 'INVALID_CROSS_ORDER'],
    ['non-ASCII byte in clOrdId', (b) => (b[F.clOrdId.offset] = 0x85), 'clOrdId', 'OTHER'],
  ];
  for (const [what, change, fieldName, reject] of bad) {
    it(`${what}: OUCH_BAD_FIELD naming ${fieldName} at its offset, rejected ${reject}, UserRefNum kept`, () => {
      let b: Buffer;
      if (typeof change === 'function') {
        b = enterBytes();
        change(b);
      } else b = enterBytes(change);
      const d = rejected(b);
      expect(d.error).toMatchObject({ code: 'OUCH_BAD_FIELD', field: fieldName, offset: F[fieldName as keyof typeof F].offset, reject });
      expect(d.userRefNum).toBe(7);
    });
  }

  const tag = (name: string) => OUCH_OPTIONS.find((o) => o.name === name)!.tag;
  const withAppendage = (app: Buffer) => {
    const b = Buffer.concat([enterBytes(), app]);
    b.writeUInt16BE(app.length, F.appendageLength.offset);
    return b;
  };
  const appendageCases: [string, Buffer, RegExp, string][] = [
    ['unknown tag', Buffer.from([2, 200, 0]), /unknown option tag 200/, 'OTHER'],
    ['zero option length', Buffer.from([0]), /length 0/, 'OTHER'],
    ['truncated option', Buffer.from([5, tag('MinQty'), 0, 0]), /needs 5 bytes/, 'OTHER'],
    ['wrong value length', Buffer.from([3, tag('MinQty'), 0, 1]), /2 value bytes, expected 4/, 'OTHER'],
    ['repeated tag', Buffer.concat([encodeAppendage([{ name: 'PostOnly', value: 'P' }]), encodeAppendage([{ name: 'PostOnly', value: 'N' }])]), /appears twice/, 'OTHER'],
    ['peg offset (cannot be checked)', encodeAppendage([{ name: 'PegOffset', value: -100 }]), /not accepted/, 'PEGGING_NOT_ALLOWED'],
    ['midpoint price type', encodeAppendage([{ name: 'PriceType', value: 'M' }]), /only a limit price/, 'PEGGING_NOT_ALLOWED'],
    ['route', encodeAppendage([{ name: 'Route', value: 'SMRT' }]), /not accepted/, 'ROUTING_NOT_ALLOWED'],
  ];
  for (const [what, app, msg, reject] of appendageCases) {
    it(`appendage with ${what}: OUCH_APPENDAGE, rejected ${reject}`, () => {
      const d = rejected(withAppendage(app));
      expect(d.error.code).toBe('OUCH_APPENDAGE');
      expect(d.error.message).toMatch(msg);
      expect(d.error.reject).toBe(reject);
      expect(d.error.offset).toBeGreaterThanOrEqual(OuchInbound.ENTER_ORDER.size);
    });
  }

  it('a tag is repeated only within one message: the same options in message after message are accepted, a repeat inside one still refused', () => {
    const app = encodeAppendage([{ name: 'PostOnly', value: 'P' }, { name: 'MinQty', value: 100 }]);
    const twice = Buffer.concat([app, encodeAppendage([{ name: 'MinQty', value: 5 }])]);
    for (let k = 0; k < 3; k++) {
      const d = decodeInbound(withAppendage(app));
      expect(d.ok && d.msg.kind === 'ENTER_ORDER' && d.msg.options).toEqual([{ name: 'PostOnly', value: 'P' }, { name: 'MinQty', value: 100 }]);
      const r = rejected(withAppendage(twice));
      expect(r.error.message).toMatch(/MinQty \(tag \d+\) appears twice/);
    }
  });

  it('an Order Accepted encoded from the decoded Enter Order and one reused overrides object is byte for byte the one from a full values object', () => {
    const o = outboundOverrides('ORDER_ACCEPTED', { timestamp: 0n, orderReferenceNumber: 0n as bigint, orderState: 'L' });
    const orders: Partial<EnterOrder>[] = [{}, { side: 'S', quantity: 999_999, symbol: 'BRK.A', price: 1_999_999_900n, timeInForce: '3', display: 'N', capacity: 'P', clOrdId: 'ABCDEFGHIJKLMN' }, { side: 'T', symbol: 'A', clOrdId: '' }];
    orders.forEach((change, k) => {
      const d = decodeInbound(enterBytes(change));
      if (!d.ok || d.msg.kind !== 'ENTER_ORDER') throw new Error('Enter Order did not decode');
      const m = d.msg;
      o.timestamp = 1_000_000n + BigInt(k);
      o.orderReferenceNumber = 77n + BigInt(k);
      const fast = encodeOutboundInto('ORDER_ACCEPTED', m as unknown as OutboundValues, Buffer.alloc, o);
      const full = encodeOutbound('ORDER_ACCEPTED', {
        timestamp: o.timestamp, userRefNum: m.userRefNum, side: m.side, quantity: m.quantity, symbol: m.symbol, price: m.price,
        timeInForce: m.timeInForce, display: m.display, orderReferenceNumber: o.orderReferenceNumber, capacity: m.capacity,
        interMarketSweepEligibility: m.interMarketSweepEligibility, crossType: m.crossType, orderState: 'L', clOrdId: m.clOrdId,
      });
      expect(fast.equals(full)).toBe(true);
      expect(decodeOutbound(fast).values).toMatchObject({ timestamp: o.timestamp, orderReferenceNumber: o.orderReferenceNumber, symbol: m.symbol });
    });
  });

  it('a Cancel with a quantity above the OUCH limit is a bad field', () => {
    const d = rejected(encodeInbound({ kind: 'CANCEL_ORDER', userRefNum: 1, quantity: 1_000_000 }));
    expect(d.error).toMatchObject({ code: 'OUCH_BAD_FIELD', field: 'quantity' });
  });
});

describe('SoupBinTCP framing', () => {
  it('reassembles packets cut at every byte boundary', () => {
    const packets = [soupPacket('U', enterBytes()), soupPacket('R'), soupPacket('U', encodeInbound({ kind: 'CANCEL_ORDER', userRefNum: 7, quantity: 0 }))];
    const wire = Buffer.concat(packets);
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new SoupDecoder();
      const got = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(got.map((f) => f.type)).toEqual(['U', 'R', 'U']);
      expect(Buffer.from(got[0].payload)).toEqual(enterBytes());
    }
  });

  it('a length of 0 or above the maximum is fatal (SOUP_FRAME_LENGTH) and nothing after it is read', () => {
    for (const len of [0, SOUPBINTCP.maxPacket + 1, 0xffff]) {
      const d = new SoupDecoder();
      const head = Buffer.alloc(2);
      head.writeUInt16BE(len);
      const out = d.push(Buffer.concat([soupPacket('R'), head, soupPacket('R')]));
      expect(out.map((f) => f.type)).toEqual(['R']);
      expect(d.error?.code).toBe('SOUP_FRAME_LENGTH');
      expect(d.push(soupPacket('R'))).toEqual([]);
    }
  });

  it('never buffers more than one packet: a maximal length waits with at most maxPacket + 2 bytes', () => {
    const d = new SoupDecoder();
    const head = Buffer.alloc(2);
    head.writeUInt16BE(SOUPBINTCP.maxPacket);
    d.push(head);
    for (let i = 0; i < SOUPBINTCP.maxPacket - 1; i++) d.push(Buffer.from([0x55]));
    expect(d.buffered).toBe(SOUPBINTCP.maxPacket + 1);
    expect(d.push(Buffer.from([0x55]))).toHaveLength(1);
    expect(d.buffered).toBe(0);
  });

  it('login request and login accepted round trip at their fixed sizes', () => {
    const req = { username: 'ALPHA1', password: 'pw', requestedSession: '', requestedSequenceNumber: 17n };
    const wire = encodeLoginRequest(req);
    expect(wire.length).toBe(SoupPacket.LOGIN_REQUEST.size);
    const [f] = new SoupDecoder().push(wire);
    expect(decodeLoginRequest(f)).toEqual(req);
    const acc = encodeLoginAccepted({ session: 'RISKGATE', sequenceNumber: 12345n });
    expect(acc.length).toBe(SoupPacket.LOGIN_ACCEPTED.size);
    expect(acc.toString('latin1', 3, 13)).toBe('  RISKGATE');
    expect(decodeLoginAccepted(new SoupDecoder().push(acc)[0])).toEqual({ session: 'RISKGATE', sequenceNumber: 12345n });
  });

  it('a login request with a non-numeric sequence number or the wrong length is a coded error', () => {
    const wire = encodeLoginRequest({ username: 'A', password: 'B', requestedSession: '', requestedSequenceNumber: 1n });
    wire.write('x', SoupPacket.LOGIN_REQUEST.fields.requestedSequenceNumber.offset + 19, 'latin1');
    expect(() => decodeLoginRequest(new SoupDecoder().push(wire)[0])).toThrow(/SOUP_BAD_FIELD.*requestedSequenceNumber/);
    expect(() => decodeLoginRequest({ type: 'L', payload: Buffer.alloc(10) })).toThrow(/SOUP_PACKET_LENGTH/);
  });
});
