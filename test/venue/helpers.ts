/** Shared pieces of the venue tests: a generated session and an independent scan of its prints. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CONTROL_MESSAGE } from '../../src/contract.ts';
import { generateSession } from '../../src/gen/index.ts';
import { decodeMessage } from '../../src/itch/decode.ts';

export const VENUE_USERS = [
  { username: 'ALPHA1', password: 'alpha-pw' },
  { username: 'BRAVO1', password: 'bravo-pw' },
];

/** A seeded session (`riskgate gen`'s generator) in a temporary directory. */
export async function generatedSession(messages = 20_000, symbols = 3, seed = 13): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-venue-'));
  const out = join(dir, 'session.itch');
  await generateSession({ seed, symbols, messages, out });
  return out;
}

export interface ScannedPrint {
  seq: number;
  stock: string;
  price: number;
  shares: number;
}

/**
 * Every trade the session prints, found without the venue's book: an order map from A/F/U
 * for the price of E, the price of printable C, and P. Independent of src/book/.
 */
export function scanPrints(file: string): ScannedPrint[] {
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const stocks = new Map<number, string>();
  const orders = new Map<bigint, { stock: string; price: number; shares: number }>();
  const prints: ScannedPrint[] = [];
  let off = 0;
  let seq = 0;
  while (off + 2 <= buf.length) {
    const n = buf.readUInt16BE(off);
    if (n === 0) break;
    const msg = buf.subarray(off + 2, off + 2 + n);
    off += 2 + n;
    if (n === CONTROL_MESSAGE.length && msg[0] === CONTROL_MESSAGE.typeByte) continue; // riskgate control message: no seq
    seq++;
    const m = decodeMessage(msg);
    if (!m) continue;
    switch (m.type) {
      case 'R': stocks.set(m.locate, m.stock); break;
      case 'A':
      case 'F': orders.set(m.ref, { stock: m.stock, price: m.price, shares: m.shares }); break;
      case 'U': {
        const o = orders.get(m.ref);
        orders.delete(m.ref);
        if (o) orders.set(m.newRef, { stock: o.stock, price: m.price, shares: m.shares });
        break;
      }
      case 'D': orders.delete(m.ref); break;
      case 'X': case 'E': case 'C': {
        const o = orders.get(m.ref);
        if (!o) break;
        const q = Math.min(m.shares, o.shares);
        if (m.type === 'E' && q > 0) prints.push({ seq, stock: o.stock, price: o.price, shares: q });
        if (m.type === 'C' && m.printable && q > 0) prints.push({ seq, stock: o.stock, price: m.price, shares: q });
        o.shares -= q;
        if (o.shares === 0) orders.delete(m.ref);
        break;
      }
      case 'P': if (m.shares > 0) prints.push({ seq, stock: stocks.get(m.locate) ?? m.stock, price: m.price, shares: m.shares }); break;
    }
  }
  return prints;
}
