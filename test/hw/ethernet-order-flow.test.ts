/**
 * Order flow on the card's Ethernet input (spec §17, §18.7): a merged session of
 * `gen --client-orders` written as a pcap by `riskgate pcap` (market data to the market-data
 * port, each client order and venue answer alone in a datagram to the order-entry port, plus
 * bad frames of every drop reason) replays on rust, fpga and shadow to the digest of the merged
 * session file itself, with the same front-end counters in both engines; `gen --pcap` writes
 * such a capture in one step.
 *
 * And the tkeep rule (card only, the Rust core has no beats): beats breaking it on each of
 * the card's three inputs — a Ethernet frame with a hole in its tkeep, a MoldUDP64 packet with
 * one in its header, an order frame with a partial beat before its last — change nothing but
 * the three tkeep fault counters: the records and every other counter equal those of the same
 * capture without them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { ETHERNET, ETH_DROP_NAMES, Register } from '../../src/contract.ts';
import { FpgaEngine } from '../../src/fpga/index.ts';
import { OrderFlowGenerator } from '../../src/gen/orders.ts';
import { readFrameBatches } from '../../src/source/capture.ts';
import { riskgateJson } from '../cli/run-cli.ts';
import { requireHw, requireRust } from './util.ts';

const dir = mkdtempSync(join(tmpdir(), 'rg-hw-eth-oe-'));
const merged = join(dir, 'merged.itch');
const pcap = join(dir, 'merged.pcap');
let gen: any;
let reference: any;

describe('order flow on the Ethernet input', () => {
  requireHw();
  requireRust();

  beforeAll(() => {
    const g = new OrderFlowGenerator({ seed: 7, symbols: 8, messages: 12_000, clientOrders: 1_500, config: loadConfig(), controlMessages: true });
    const parts: Buffer[] = [];
    for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
    writeFileSync(merged, Buffer.concat(parts));
    const w = riskgateJson(['pcap', merged, '--out', pcap, '--bad', 'all', '--bad-every', '9', '--vlan', '3', '--json']);
    expect(w.status, w.stderr).toBe(0);
    gen = w.json;
    const r = riskgateJson(['replay', merged]);
    expect(r.status, r.stderr).toBe(0);
    reference = r.json;
  }, 120_000);

  it('the capture carries the order flow on the order-entry port and every kind of bad frame', () => {
    expect(gen.orderFrames).toBeGreaterThan(1_500); // client orders and venue answers
    for (const k of ETH_DROP_NAMES) expect(gen.bad[k.toLowerCase().replace(/_/g, '-')], k).toBeGreaterThan(0);
  });

  const counted: Record<string, any> = {};
  for (const backend of ['rust', 'fpga', 'shadow']) {
    it(`${backend}: the records of the merged session file, byte for byte`, () => {
      const r = riskgateJson(['replay', pcap, '--backend', backend]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.recordsSha256).toBe(reference.recordsSha256);
      expect(r.json.messages).toBe(reference.messages);
      const c = r.json.capture;
      expect(c.frames).toBe(gen.frames);
      expect(c.accepted).toBe(gen.good + gen.orderFrames);
      expect(c.orderFrames).toBe(gen.orderFrames);
      for (const k of ETH_DROP_NAMES) expect(c.dropped[k], k).toBe(gen.bad[k.toLowerCase().replace(/_/g, '-')]);
      counted[backend] = c;
    }, 300_000);
  }

  it('both engines report the same front-end counters', () => {
    expect(counted.fpga).toEqual(counted.rust);
    expect(counted.shadow).toEqual(counted.rust);
  });

  it('riskgate gen --client-orders --pcap writes the same kind of capture in one step: fpga replays it to the merged file\'s digest', () => {
    const itch = join(dir, 'gen.itch');
    const cap = join(dir, 'gen.pcap');
    const g = riskgateJson(['gen', '--out', itch, '--seed', '4', '--messages', '4000', '--client-orders', '300', '--controls', '--pcap', cap, '--json']);
    expect(g.status, g.stderr).toBe(0);
    expect(g.json.pcap.orderFrames).toBeGreaterThan(300);
    const r = riskgateJson(['replay', cap, '--backend', 'fpga']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.recordsSha256).toBe(g.json.recordsSha256);
    expect(r.json.capture.orderFrames).toBe(g.json.pcap.orderFrames);
  }, 120_000);

  it('beats breaking the tkeep rule change nothing but the card-only tkeep counters', async () => {
    const blob = configBlob(loadConfig());
    const clean = new FpgaEngine(blob);
    const damaged = new FpgaEngine(blob);
    try {
      const a: Buffer[] = [];
      const b: Buffer[] = [];
      let k = 0;
      for await (const batch of readFrameBatches(pcap, 256, { records: 0, snapped: 0 })) {
        a.push(clean.processFrames(batch.stream));
        if (k++ === 3) {
          // an Ethernet frame (a good one, copied) with a hole in its second beat's tkeep
          const f = batch.stream.subarray(4, 4 + batch.stream.readUInt32LE(0));
          const beats = [];
          for (let o = 0; o < f.length; o += 8) {
            const n = Math.min(8, f.length - o);
            const w = Buffer.alloc(8);
            f.copy(w, 0, o, o + n);
            beats.push({ data: w.readBigUInt64LE(0), keep: o === 8 ? 0xf7 : (1 << n) - 1, last: o + 8 >= f.length });
          }
          b.push(damaged.injectBeats('eth', beats));
          // a MoldUDP64 packet cut in its header (lanes 0..2 and 4..7: a hole at lane 3)
          b.push(damaged.injectBeats('mold', [{ data: 0x4141414141414141n, keep: 0xf7, last: false }, { data: 0n, keep: 0xff, last: true }]));
          // an order frame with a partial beat before its last, six beats long (past the
          // module's 40-byte buffer: the later beats only count)
          b.push(damaged.injectBeats('order', [{ data: 0x7bn, keep: 0x0f, last: false }, ...[0, 1, 2, 3, 4].map((i) => ({ data: 0n, keep: 0xff, last: i === 4 }))]));
        }
        b.push(damaged.processFrames(batch.stream));
      }
      const ra = Buffer.concat(a);
      const rb = Buffer.concat(b);
      expect(ra.length).toBeGreaterThan(0);
      expect(rb.equals(ra)).toBe(true);
      expect(damaged.ethernetCounters()).toEqual(clean.ethernetCounters());
      expect(damaged.feedStatus()).toEqual(clean.feedStatus());
      expect(damaged.stats()).toEqual(clean.stats());
      expect(clean.tkeepFaults()).toEqual({ moldPackets: 0, ethFrames: 0, orderFrames: 0 });
      expect(damaged.tkeepFaults()).toEqual({ moldPackets: 1, ethFrames: 1, orderFrames: 1 });
      // the order-entry port register: the contract's default, written by the driver, read back
      expect(damaged.readReg(Register.ETH_ORDER_PORT)).toBe(ETHERNET.defaultOrderPort);
      damaged.setEthernetFilter(0xe9360c6f, 26477, 30001);
      expect(damaged.readReg(Register.ETH_ORDER_PORT)).toBe(30001);
    } finally {
      clean.close();
      damaged.close();
    }
  }, 300_000);
});
