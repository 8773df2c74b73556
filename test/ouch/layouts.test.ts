/**
 * The contract's order-entry layouts against the public NASDAQ specifications (OUCH 5.0,
 * SoupBinTCP 4.0): message sizes and the offsets of the fields every counterparty relies
 * on, written out here from the specifications so that an edit of contract/riskgate.toml
 * that breaks wire compatibility fails. And every riskgate reason maps to a sent code.
 */
import { describe, expect, it } from 'vitest';
import { OUCH_OPTIONS, OUCH_REJECT_BY_REASON_BIT, OuchInbound, OuchOutbound, OuchReject, REASONS, SoupPacket } from '../../src/contract.ts';

describe('order-entry layouts match the public specifications', () => {
  it('OUCH 5.0 message sizes (fixed part)', () => {
    const sizes = (o: Record<string, { size: number }>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.size]));
    expect(sizes(OuchInbound)).toEqual({ ENTER_ORDER: 47, REPLACE_ORDER: 40, CANCEL_ORDER: 9, MODIFY_ORDER: 10, ACCOUNT_QUERY: 1 });
    expect(sizes(OuchOutbound)).toEqual({
      SYSTEM_EVENT: 10, ORDER_ACCEPTED: 64, ORDER_REPLACED: 68, ORDER_CANCELED: 18, ORDER_MODIFIED: 18,
      ORDER_EXECUTED: 36, ORDER_REJECTED: 29, CANCEL_REJECT: 13, ACCOUNT_QUERY_RESPONSE: 13,
    });
  });

  it('OUCH 5.0 type bytes and key offsets', () => {
    expect(Object.values(OuchInbound).map((m) => m.type).join('')).toBe('OUXMQ');
    expect(Object.values(OuchOutbound).map((m) => m.type).join('')).toBe('SAUCMEJIQ');
    const e = OuchInbound.ENTER_ORDER.fields;
    expect([e.userRefNum.offset, e.side.offset, e.quantity.offset, e.symbol.offset, e.price.offset, e.clOrdId.offset, e.appendageLength.offset]).toEqual([1, 5, 6, 10, 18, 31, 45]);
    expect([e.price.length, e.symbol.length, e.clOrdId.length]).toEqual([8, 8, 14]);
    const a = OuchOutbound.ORDER_ACCEPTED.fields;
    expect([a.timestamp.offset, a.userRefNum.offset, a.orderReferenceNumber.offset, a.orderState.offset, a.clOrdId.offset]).toEqual([1, 9, 36, 47, 48]);
    const j = OuchOutbound.ORDER_REJECTED.fields;
    expect([j.userRefNum.offset, j.reason.offset, j.reason.length, j.clOrdId.offset]).toEqual([9, 13, 2, 15]);
    const q = OuchOutbound.ACCOUNT_QUERY_RESPONSE.fields;
    expect([q.timestamp.offset, q.nextUserRefNum.offset, q.nextUserRefNum.length]).toEqual([1, 9, 4]);
  });

  it('SoupBinTCP 4.0 packet sizes on the wire (length field included)', () => {
    expect(SoupPacket.LOGIN_REQUEST.size).toBe(49);
    expect(SoupPacket.LOGIN_ACCEPTED.size).toBe(33);
    expect(SoupPacket.LOGIN_REJECTED.size).toBe(4);
    for (const p of [SoupPacket.SERVER_HEARTBEAT, SoupPacket.CLIENT_HEARTBEAT, SoupPacket.END_OF_SESSION, SoupPacket.LOGOUT_REQUEST]) expect(p.size).toBe(3);
    const l = SoupPacket.LOGIN_REQUEST.fields;
    expect([l.username.length, l.password.length, l.requestedSession.length, l.requestedSequenceNumber.length]).toEqual([6, 10, 10, 20]);
  });

  it('appendage option tags and value sizes', () => {
    const byName = Object.fromEntries(OUCH_OPTIONS.map((o) => [o.name, [o.tag, o.length]]));
    expect(byName).toMatchObject({ SecondaryOrdRefNum: [1, 8], Firm: [2, 4], MinQty: [3, 4], MaxFloor: [5, 4], PriceType: [6, 1], PegOffset: [7, 4], DiscretionPrice: [9, 8], PostOnly: [12, 1], Route: [14, 4], ExpireTime: [15, 4], GroupID: [24, 2], UserRefIdx: [28, 1] });
  });

  it('every riskgate reason maps to an OUCH reject code riskgate sends', () => {
    expect(OUCH_REJECT_BY_REASON_BIT).toHaveLength(REASONS.length);
    for (const name of OUCH_REJECT_BY_REASON_BIT) expect(OuchReject[name]).toBeGreaterThan(0);
    // the public OUCH 5.0 codes of the gateway's own validation rejects
    expect(OuchReject).toMatchObject({ INVALID_SIDE: 0x0009, OTHER: 0x000f, INVALID_QUANTITY: 0x0013, INVALID_SYMBOL: 0x0017, INVALID_PRICE: 0x001d, HALTED: 0x0007 });
  });
});
