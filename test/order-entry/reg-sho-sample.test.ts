/**
 * Reg SHO from the real NASDAQ sample (test/data, 1,000 messages of a real ITCH 5.0 file):
 * it carries three `Y` messages (A, AA, AAAU), all with action '0' (no restriction), so a
 * short sale is not refused SHORT_SALE after them; the same file with the AA message's action
 * byte set to '1' (restriction in effect) refuses a short sale of AA and of no other symbol
 * (spec §18.5; with no bid in this file the restriction refuses every short sale, fail closed).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Reason } from '../../src/contract.ts';
import { blobFingerprint, configBlob, parseConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { OrderEntryEngine } from '../../src/order-entry/engine-session.ts';
import { SAMPLE } from '../cli/run-cli.ts';

const SYMBOLS = ['A', 'AA', 'AAAU'];
const cfg = parseConfig({
  session: 1, tickSize: '0.01', windowTicks: 4096, gateMarketHours: false, throttleWindowShift: 30, globalKill: false,
  strategy: { imbalanceNum: 3, imbalanceDen: 1, cooldownNs: 1000, maxSpread: '0.05', clipQty: 100 },
  accounts: [{ id: 1, name: 'ACC', creditLimit: '1000000.00', maxOrdersPerWindow: 100, duplicateWindowNs: 0 }],
  symbols: SYMBOLS.map((symbol) => ({ symbol, account: 'ACC', maxQty: 1000, maxNotional: '100000.00', positionLimit: 5000, collarBps: 30 })),
}, 'reg-sho');

/** The Y messages of a §2 frame stream: [frame offset, stock]. */
function regSho(buf: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (let off = 0; off + 2 <= buf.length; ) {
    const n = buf.readUInt16BE(off);
    if (n === 0) break;
    if (buf[off + 2] === 0x59) out.push([off, buf.toString('latin1', off + 2 + 11, off + 2 + 19).trim()]);
    off += 2 + n;
  }
  return out;
}

/** Short sale of each symbol after the whole file: SHORT_SALE set or not, by symbol. */
function shortSaleRefused(file: Buffer): boolean[] {
  const blob = configBlob(cfg);
  const oe = new OrderEntryEngine(new RustEngine(blob), blobFingerprint(blob), 1, { maxOpenOrders: 10, maxOrderRate: 100 });
  oe.feed(file);
  return SYMBOLS.map((_, symbol) => {
    const a = oe.enter({ account: 0, symbol, side: 'T', tif: '0', qty: 10, price: 100_000 });
    expect(a.accepted).toBe(false); // no trade in the file: NO_REF at least
    return (a.reasons & Reason.SHORT_SALE) !== 0;
  });
}

describe('Reg SHO (ITCH Y) from the real NASDAQ sample', () => {
  const sample = readFileSync(SAMPLE);
  const ys = regSho(sample);

  it('the sample carries Y messages for A, AA and AAAU, all with action 0', () => {
    expect(ys.map(([, s]) => s)).toEqual(SYMBOLS);
    for (const [off] of ys) expect(String.fromCharCode(sample[off + 2 + 19])).toBe('0');
  });

  it("action '0' restricts nothing; action '1' on AA restricts short sales of AA only", () => {
    expect(shortSaleRefused(sample)).toEqual([false, false, false]);
    const restricted = Buffer.from(sample);
    restricted[ys[1][0] + 2 + 19] = '1'.charCodeAt(0);
    expect(shortSaleRefused(restricted)).toEqual([false, true, false]);
  });
});
