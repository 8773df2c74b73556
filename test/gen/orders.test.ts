/**
 * The order-flow generator (src/gen/orders.ts, `riskgate gen --client-orders`): a merged
 * stream of market data and the control plane's frames (spec §18) that the Rust engine
 * takes without refusing a frame, that fires every reason of §8.2 and §18.3 at least 100
 * times, is the same bytes for the same seed, and whose
 * records (re-run from the bytes alone, as `riskgate replay` does) have the digest the
 * generator reports.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { REASON_NAMES, RECORD_SIZE, RecordField, RecordHeader as H, RecordKind } from '../../src/contract.ts';
import { OrderFlowGenerator, type OrderFlowOptions } from '../../src/gen/orders.ts';
import { engineAvailable, newEngine } from '../helpers/engine.ts';

const cfg = loadConfig();

function generate(opts: OrderFlowOptions): { buf: Buffer; summary: ReturnType<OrderFlowGenerator['summary']> } {
  const g = new OrderFlowGenerator(opts);
  const parts: Buffer[] = [];
  for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
  return { buf: Buffer.concat(parts), summary: g.summary() };
}

describe.skipIf(!engineAvailable())('gen --client-orders', () => {
  it('fires every reason >= 100 times in 20k client orders over 200k messages, refuses no frame', () => {
    const { buf, summary: s } = generate({ seed: 7, symbols: 8, messages: 200_000, clientOrders: 20_000, config: cfg });
    expect(s.clientOrders.enter + s.clientOrders.replace).toBeGreaterThanOrEqual(20_000);
    expect(s.messages).toBeGreaterThanOrEqual(200_000);
    expect(s.clientOrders.refused).toBe(0);
    expect(s.venue.refused).toBe(0);
    for (const r of REASON_NAMES) expect(s.reasons[r], r).toBeGreaterThanOrEqual(100);
    expect(s.venue.executions).toBeGreaterThan(1000);
    expect(s.venue.cancels).toBeGreaterThan(1000);
    expect(s.regSho).toBeGreaterThan(0);
    expect(createHash('sha256').update(buf).digest('hex')).toBe(s.sha256);

    // The bytes alone give the same records (the replay of the merged stream), and no PROBLEM.
    const e = newEngine(configBlob(cfg));
    const rec = e.process(buf.subarray(0, buf.length - 2), true);
    e.close();
    expect(createHash('sha256').update(rec).digest('hex')).toBe(s.recordsSha256);
    let orders = 0;
    let accepted = 0;
    for (let off = 0; off < rec.length; off += RECORD_SIZE) {
      const k = rec[off + H.kind];
      if (k === RecordKind.PROBLEM) throw new Error(`PROBLEM record at seq ${rec.readUIntLE(off + H.seq, 6)}`);
      if (k === RecordKind.ORDER && rec[off + H.aux] !== 0x43) {
        orders++;
        if (rec.readUInt16LE(off + RecordField.ORDER.reasons) === 0) accepted++;
      }
    }
    expect(orders).toBe(s.clientOrders.enter + s.clientOrders.replace);
    expect(accepted).toBe(s.clientOrders.accepted);
  }, 600_000);

  it("keeps the session's own control messages valid (--controls): their S follows the inserted Y messages", () => {
    const { buf, summary: s } = generate({ seed: 11, symbols: 8, messages: 60_000, clientOrders: 6_000, config: cfg, controlMessages: true });
    expect(s.regSho).toBeGreaterThan(0);
    const e = newEngine(configBlob(cfg));
    const rec = e.process(buf.subarray(0, buf.length - 2), true);
    const stats = e.stats() as { controls: number };
    e.close();
    for (let off = 0; off < rec.length; off += RECORD_SIZE) expect(rec[off + H.kind], `record at seq ${rec.readUIntLE(off + H.seq, 6)}`).not.toBe(RecordKind.PROBLEM);
    // the session's controls (kill switches, limits, credit raises...) and the generator's own
    const own = Object.values(s.controlsByOp).reduce((a, b) => a + b, 0);
    expect(stats.controls).toBeGreaterThan(own);
    expect(createHash('sha256').update(rec).digest('hex')).toBe(s.recordsSha256);
  }, 600_000);

  it('is the same bytes for the same seed and different bytes for another', () => {
    const a = generate({ seed: 3, symbols: 8, messages: 30_000, clientOrders: 2_000, config: cfg }).summary;
    const b = generate({ seed: 3, symbols: 8, messages: 30_000, clientOrders: 2_000, config: cfg }).summary;
    const c = generate({ seed: 4, symbols: 8, messages: 30_000, clientOrders: 2_000, config: cfg }).summary;
    expect(b.sha256).toBe(a.sha256);
    expect(b.recordsSha256).toBe(a.recordsSha256);
    expect(c.sha256).not.toBe(a.sha256);
  }, 600_000);
});

