/**
 * What the card still refuses of order entry on its Ethernet input (spec §18.7): order or
 * venue frames inside MoldUDP64 packets to the market-data port. Found in plain and
 * VLAN-tagged IPv4/UDP frames; market data alone, a control message, a `{` of another length,
 * an order frame in its own datagram to the order-entry port (what the card takes) and a packet
 * to another port pass.
 */
import { describe, expect, it } from 'vitest';
import { CONTROL_MESSAGE, ORDER_FRAME } from '../../src/contract.ts';
import { DEFAULT_ENDPOINT, ethernetFrame } from '../../src/ethernet/frame.ts';
import { firstOrderEntryEthernetFrame, refuseOrderEntryInFrames } from '../../src/fpga/order-entry-guard.ts';
import { moldPacket, moldSession } from '../../src/itch/moldudp64.ts';
import { orderFrame } from '../../src/order-entry/frames.ts';

const block = (t: number, n: number) => {
  const b = Buffer.alloc(2 + n, t);
  b.writeUInt16BE(n, 0);
  return b;
};
const order = orderFrame({ action: 'O', side: 'B', tif: '0', account: 0, symbol: 0, orderId: 1, qty: 100, price: 10_000, seq: 2, fingerprint: 0n });
const packet = (...blocks: Buffer[]) => moldPacket(moldSession(), 1n, blocks.length, blocks);
const MD = DEFAULT_ENDPOINT.port;
const stream = (...frames: Buffer[]) =>
  Buffer.concat(frames.flatMap((f) => {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(f.length, 0);
    return [n, f];
  }));

describe('the hardware order-entry guard (Ethernet input)', () => {
  const md = ethernetFrame(packet(block(0x53, 12), block(0x41, 36)), DEFAULT_ENDPOINT);
  it('passes market data, control messages and a { of another length', () => {
    const ctl = ethernetFrame(packet(block(CONTROL_MESSAGE.typeByte, CONTROL_MESSAGE.length), block(ORDER_FRAME.typeByte, ORDER_FRAME.length - 1)), DEFAULT_ENDPOINT);
    expect(firstOrderEntryEthernetFrame(stream(md, ctl, md), MD)).toBe(-1);
    expect(() => refuseOrderEntryInFrames(stream(md, ctl), 'fpga', MD)).not.toThrow();
  });
  it('passes order flow on the order-entry port, and a MoldUDP64 packet to another port (both engines drop or route it alike)', () => {
    const own = ethernetFrame(order.subarray(2), { ...DEFAULT_ENDPOINT, port: DEFAULT_ENDPOINT.orderPort! });
    const elsewhere = ethernetFrame(packet(order), { ...DEFAULT_ENDPOINT, port: MD + 5 });
    expect(firstOrderEntryEthernetFrame(stream(md, own, elsewhere, md), MD)).toBe(-1);
  });
  it('finds an order frame in a plain and in a VLAN-tagged frame, and refuses with ORDER_ENTRY_UNSUPPORTED', () => {
    expect(firstOrderEntryEthernetFrame(stream(md, md, ethernetFrame(packet(block(0x53, 12), order.subarray(0)), DEFAULT_ENDPOINT)), MD)).toBe(2);
    const tagged = stream(ethernetFrame(packet(order), DEFAULT_ENDPOINT, { vlan: 7 }));
    expect(firstOrderEntryEthernetFrame(tagged, MD)).toBe(0);
    expect(() => refuseOrderEntryInFrames(tagged, 'fpga', MD)).toThrow(/order-entry port, one frame per datagram .* not inside MoldUDP64 packets to the market-data port 26477/);
  });
});
