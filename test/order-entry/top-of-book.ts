/**
 * The top of book of a recorded session at a position, from the ITCH orders alone (A/F/U/D/
 * X/E/C, no riskgate book): what a client would see, for the end-to-end test's expectations
 * and the gateway benchmark's order prices.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CONTROL_MESSAGE } from '../../src/contract.ts';
import { decodeMessage } from '../../src/itch/decode.ts';

/** Best bid and ask per stock after message `stop`, from the ITCH orders alone (no riskgate book). */
export function topOfBook(file: string, stop: number): Map<string, { bid: number; ask: number }> {
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const orders = new Map<bigint, { stock: string; buy: boolean; price: number; shares: number }>();
  let seq = 0;
  for (let off = 0; off + 2 <= buf.length && seq < stop; ) {
    const n = buf.readUInt16BE(off);
    if (n === 0) break;
    const msg = buf.subarray(off + 2, off + 2 + n);
    off += 2 + n;
    if (n === CONTROL_MESSAGE.length && msg[0] === CONTROL_MESSAGE.typeByte) continue;
    seq++;
    const m = decodeMessage(msg);
    if (!m) continue;
    if (m.type === 'A' || m.type === 'F') orders.set(m.ref, { stock: m.stock, buy: m.side === 'B', price: m.price, shares: m.shares });
    else if (m.type === 'U') {
      const o = orders.get(m.ref);
      orders.delete(m.ref);
      if (o) orders.set(m.newRef, { ...o, price: m.price, shares: m.shares });
    } else if (m.type === 'D') orders.delete(m.ref);
    else if (m.type === 'X' || m.type === 'E' || m.type === 'C') {
      const o = orders.get(m.ref);
      if (o) {
        o.shares -= Math.min(m.shares, o.shares);
        if (o.shares === 0) orders.delete(m.ref);
      }
    }
  }
  const top = new Map<string, { bid: number; ask: number }>();
  for (const o of orders.values()) {
    const t = top.get(o.stock) ?? { bid: 0, ask: 0 };
    if (o.buy) t.bid = Math.max(t.bid, o.price);
    else t.ask = t.ask === 0 ? o.price : Math.min(t.ask, o.price);
    top.set(o.stock, t);
  }
  return top;
}

/** The session's first `n` messages with the end marker: the market data the gateway replayed. */
export function firstMessages(file: string, n: number): Buffer {
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  let off = 0;
  for (let seq = 0; seq < n; ) {
    const len = buf.readUInt16BE(off);
    const msg = buf.subarray(off + 2, off + 2 + len);
    off += 2 + len;
    if (!(len === CONTROL_MESSAGE.length && msg[0] === CONTROL_MESSAGE.typeByte)) seq++;
  }
  return Buffer.concat([buf.subarray(0, off), Buffer.from([0, 0])]);
}

