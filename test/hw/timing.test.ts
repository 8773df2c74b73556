/**
 * Timing targets of the hardware path, asserted on the bundled session (data/demo.itch.gz)
 * in packed MoldUDP64 packets (8 messages each); Verilator cycles are exact:
 *  - fed as fast as the card accepts: at most 6 cycles per message on average (10 GbE ITCH
 *    line rate at 250 MHz is about one message per 6 cycles);
 *  - fed at 10 GbE line rate (a 64-bit beat offered on 5 of every 8 cycles): p99
 *    tick-to-trade at most 20 cycles (issue 12's bound; measured 18 since a U takes two cycles
 *    less in the book engine, hdl/timing-log.md Session `hwcycles`; 20 when the book engine's lookup
 *    and rg_risk were first pipelined for 156.25 MHz, 15 before) from the beat holding the
 *    last byte of the triggering message to the first beat of its DECISION record, with
 *    tready low on at most 1% of cycles.
 * And of client orders (spec §18.7), on a generated merged stream (20k messages, 2k client
 * orders, 8 messages per packet, 5-of-8 offer rate), from the beat holding a frame's last byte
 * to its ORDER record:
 *  - handed to the card between market-data batches, as the control plane does (§18.6: the
 *    order sits after what the engine has processed): p99 at most 12 cycles (issue 13);
 *  - right behind the market data it follows, still in flight: the frame waits in
 *    rg_order_rx until that message has entered the risk stage (the merge by position), so
 *    this counts the market data's own latency too: p99 at most 20 (market data's bound).
 * And of client orders on the Ethernet input (spec §17, §18.7: a datagram to the order-entry
 * port, `riskgate pcap` of the same kind of stream), from the cycle the Ethernet frame's last
 * beat is accepted (the ORDER record's stamp, rg_eth_rx's) to its ORDER record:
 *  - each order frame alone on an idle pipeline (untagged, and with an 802.1Q tag and IPv4
 *    options), and each run of order frames handed to the card after the market data before
 *    it: p99 at most 12 cycles (issue 13);
 *  - the whole capture in one go is printed, not bounded: the harness offers Ethernet frames as
 *    fast as the card accepts them (no line-rate pacing on that input), so an order frame
 *    queues behind the market data buffered before it and the figure is mostly that queue.
 * The records are the same whichever way the capture is handed over.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { ETHERNET, ORDER_FRAME, RecordKind, VENUE_FRAME } from '../../src/contract.ts';
import { FpgaEngine, hwReport } from '../../src/fpga/index.ts';
import { OrderFlowGenerator } from '../../src/gen/orders.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';
import { readFrameBatches } from '../../src/source/capture.ts';
import { riskgateJson } from '../cli/run-cli.ts';
import { requireHw } from './util.ts';

const DEMO = fileURLToPath(new URL('../../data/demo.itch.gz', import.meta.url));

describe('hardware timing on the bundled session', () => {
  requireHw();
  it('cycles per message, tick-to-trade p99, tready low', () => {
    const r = hwReport(configBlob(loadConfig()), gunzipSync(readFileSync(DEMO)), { messagesPerPacket: 8 });
    console.log(`[hw timing] ${r.messages} messages, ${r.decisions} decisions, ${r.records} records; ` +
      `${r.cyclesPerMessage.toFixed(2)} cycles/msg as fast as accepted; at 5/8 offer: decision tick-to-trade ` +
      `min ${r.cycles.min} p50 ${r.cycles.p50} p99 ${r.cycles.p99} max ${r.cycles.max} cycles ` +
      `(from first offered beat p50 ${r.cyclesFromFirstBeat.p50} p99 ${r.cyclesFromFirstBeat.p99}), ` +
      `first record p99 ${r.recordCycles.p99}, tready low ${(100 * r.treadyLowShare).toFixed(3)}% of cycles; ` +
      `simulator ${(r.simulatedCyclesPerSecond / 1e6).toFixed(2)} M cycles/s, ${Math.round(r.simulatedMessagesPerSecond)} msgs/s`);
    expect(r.messages).toBeGreaterThan(100_000);
    expect(r.decisions).toBeGreaterThan(1000);
    expect(r.cycles.n).toBe(r.decisions);
    expect(r.cyclesPerMessage).toBeLessThanOrEqual(6);
    expect(r.cycles.p99).toBeLessThanOrEqual(20);
    expect(r.treadyLowShare).toBeLessThanOrEqual(0.01);
  });
});

/** Cycles from a frame's last byte to its ORDER record, sorted. */
function orderCycles(hw: FpgaEngine): number[] {
  return hw.takeStamps().filter((t) => t.kind === RecordKind.ORDER).map((t) => Number(t.tOut - t.tLast)).sort((a, b) => a - b);
}
const pct = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(p * a.length))];

describe('hardware timing of client orders', () => {
  requireHw();
  it('last byte to ORDER record: p99 <= 12 cycles between market-data batches, <= 20 right behind market data in flight', () => {
    const cfg = loadConfig();
    const g = new OrderFlowGenerator({ seed: 7, symbols: 8, messages: 20_000, clientOrders: 2_000, config: cfg });
    const parts: Buffer[] = [];
    for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
    const stream = Buffer.concat(parts);
    const opts = { messagesPerPacket: 8, offer: { num: 5, den: 8 } };

    // the control plane's way: the market data before a run of frames is processed first
    const between = new FpgaEngine(configBlob(cfg), opts);
    let from = 0;
    let inRun = false;
    for (const c = new FrameCursor(stream); c.next(); ) {
      const isFrame = c.kind === FrameKind.CONTROL && (c.type === ORDER_FRAME.typeByte || c.type === VENUE_FRAME.typeByte);
      if (isFrame && !inRun) {
        between.process(stream.subarray(from, c.offset), false);
        from = c.offset;
      }
      inRun = isFrame;
    }
    between.process(stream.subarray(from), true);
    const a = orderCycles(between);
    between.close();

    // the whole merged stream in one go (hwreport's latency pass): each frame right behind
    // the message before it
    const b = hwReport(configBlob(cfg), stream, { messagesPerPacket: 8 }).orderCycles;

    console.log(`[hw timing] client orders, last byte to ORDER record: between batches n ${a.length} min ${a[0]} p50 ${pct(a, 0.5)} ` +
      `p99 ${pct(a, 0.99)} max ${a[a.length - 1]}; right behind market data n ${b.n} min ${b.min} p50 ${b.p50} ` +
      `p99 ${b.p99} max ${b.max} cycles`);
    expect(a.length).toBeGreaterThan(2000);
    expect(b.n).toBe(a.length);
    expect(pct(a, 0.99)).toBeLessThanOrEqual(12);
    expect(b.p99).toBeLessThanOrEqual(20);
  }, 300_000);
});

/** The UDP destination port of an Ethernet frame (untagged or one 802.1Q tag, IPv4), or -1. */
function udpPort(f: Buffer): number {
  const l3 = f.readUInt16BE(12) === 0x8100 ? 18 : 14;
  if (f.length < l3 + 20 || f.readUInt16BE(l3 - 2) !== 0x0800) return -1;
  const l4 = l3 + 4 * (f[l3] & 15);
  return f.length >= l4 + 4 ? f.readUInt16BE(l4 + 2) : -1;
}
/** Length-prefixed frames (u32 LE) as the card's Ethernet input takes them. */
const framed = (fs: Buffer[]) => Buffer.concat(fs.flatMap((f) => { const n = Buffer.alloc(4); n.writeUInt32LE(f.length); return [n, f]; }));

describe('hardware timing of client orders on the Ethernet input', () => {
  requireHw();
  it('last beat of the order datagram to ORDER record: p99 <= 12 cycles on an idle pipeline and between market-data batches', async () => {
    const cfg = loadConfig();
    const g = new OrderFlowGenerator({ seed: 7, symbols: 8, messages: 20_000, clientOrders: 2_000, config: cfg });
    const parts: Buffer[] = [];
    for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
    const dir = mkdtempSync(join(tmpdir(), 'rg-hw-eth-timing-'));
    const merged = join(dir, 'merged.itch');
    const pcap = join(dir, 'merged.pcap');
    writeFileSync(merged, Buffer.concat(parts));
    // one capture untagged, one with an 802.1Q tag and IPv4 options (the payload later in the frame)
    const pcapTagged = join(dir, 'tagged.pcap');
    for (const [out, extra] of [[pcap, []], [pcapTagged, ['--vlan', '3', '--ip-options']]] as const) {
      const w = riskgateJson(['pcap', merged, '--out', out, ...extra, '--json']);
      expect(w.status, w.stderr).toBe(0);
    }
    const frames: Buffer[] = [];
    const framesTagged: Buffer[] = [];
    for (const [file, into] of [[pcap, frames], [pcapTagged, framesTagged]] as const) {
      for await (const batch of readFrameBatches(file, 4096, { records: 0, snapped: 0 })) {
        for (let o = 0; o < batch.stream.length; ) {
          const n = batch.stream.readUInt32LE(o);
          into.push(Buffer.from(batch.stream.subarray(o + 4, o + 4 + n)));
          o += 4 + n;
        }
      }
    }
    const isOrder = (f: Buffer) => udpPort(f) === ETHERNET.defaultOrderPort;
    expect(frames.filter(isOrder).length).toBeGreaterThan(2_000);

    // each order frame alone on an idle pipeline (alone: true), or each run of them after the
    // market data before it (alone: false); or the whole capture in batches of 256 frames
    const measure = (fs: Buffer[], how: 'alone' | 'runs' | 'stream') => {
      const hw = new FpgaEngine(configBlob(cfg));
      try {
        const out: Buffer[] = [];
        const call = (fs: Buffer[]) => { if (fs.length > 0) out.push(hw.processFrames(framed(fs))); };
        if (how === 'stream') {
          for (let i = 0; i < fs.length; i += 256) call(fs.slice(i, i + 256));
        } else {
          // runs of frames of one kind (market data or order entry), each run in one call;
          // 'alone': each order frame in a call of its own
          let run: Buffer[] = [];
          for (const f of fs) {
            if (run.length > 0 && (isOrder(f) !== isOrder(run[0]) || (how === 'alone' && isOrder(f)))) {
              call(run);
              run = [];
            }
            run.push(f);
          }
          call(run);
        }
        return { cycles: orderCycles(hw), records: Buffer.concat(out) };
      } finally {
        hw.close();
      }
    };
    const alone = measure(frames, 'alone');
    const runs = measure(frames, 'runs');
    const stream = measure(frames, 'stream');
    const tagged = measure(framesTagged, 'alone');
    const line = (name: string, a: number[]) => `${name} n ${a.length} min ${a[0]} p50 ${pct(a, 0.5)} p99 ${pct(a, 0.99)} max ${a[a.length - 1]}`;
    console.log(`[hw timing] client orders on the Ethernet input, last beat to ORDER record: ${line('alone on an idle pipeline', alone.cycles)}; ` +
      `${line('between market-data batches', runs.cycles)}; ${line('tagged + IPv4 options, alone', tagged.cycles)}; ${line('the capture in one go', stream.cycles)} cycles`);
    // the same records whichever way the capture is handed over
    expect(runs.records.equals(alone.records)).toBe(true);
    expect(stream.records.equals(alone.records)).toBe(true);
    expect(tagged.records.equals(alone.records)).toBe(true);
    expect(alone.cycles.length).toBeGreaterThan(2000);
    for (const c of [runs, stream, tagged]) expect(c.cycles.length).toBe(alone.cycles.length);
    expect(pct(alone.cycles, 0.99)).toBeLessThanOrEqual(12);
    expect(pct(runs.cycles, 0.99)).toBeLessThanOrEqual(12);
    expect(pct(tagged.cycles, 0.99)).toBeLessThanOrEqual(12);
  }, 600_000);
});
