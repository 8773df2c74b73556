/**
 * Differential test: the Verilog pipeline (Verilated card, koffi) against the Rust core
 * (N-API) on the same input and config. Records must be byte-identical and the spec §12
 * stats equal. Inputs: the bundled session (data/demo.itch.gz), the real NASDAQ sample
 * (test/data), random flows (test/helpers/flow.ts) including a corrupted
 * one, each fed one message per MoldUDP64 packet and packed several per packet, as fast as
 * accepted and at a 5-of-8 beat offer rate. Prints simulated cycles per wall-clock second.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FpgaEngine, type FpgaOptions } from '../../src/fpga/index.ts';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { CONTROL_MESSAGE } from '../../src/contract.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';
import { newEngine } from '../helpers/engine.ts';
import { randomFlow, Rng } from '../helpers/flow.ts';
import { requireHw, requireRust, comparableStats, firstDiff } from './util.ts';

const DEMO = fileURLToPath(new URL('../../data/demo.itch.gz', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../data/nasdaq-itch50-sample-1000.itch', import.meta.url));

const cfg = loadConfig();
const blob = configBlob(cfg);
const names = cfg.symbols.map((s) => s.symbol);




function compare(name: string, stream: Buffer, opts: FpgaOptions, config = blob): void {
  const rust = newEngine(config);
  const want = rust.process(stream, true);
  const t0 = performance.now();
  const hw = new FpgaEngine(config, opts);
  try {
    hw.clearCounters();
    const got = hw.process(stream, true);
    const ms = performance.now() - t0;
    const c = hw.counters();
    const msgs = Number(rust.stats().messages);
    console.log(`[hw] ${name}: ${msgs} messages, ${want.length / 32} records, ${c.cycles} cycles ` +
      `(${(c.cycles / Math.max(1, msgs)).toFixed(2)}/msg), ${Math.round(c.cycles / (ms / 1000))} simulated cycles/s`);
    if (!got.equals(want)) expect.fail(`${name}: FPGA records differ from the Rust core\n${firstDiff(want, got)}`);
    expect(comparableStats(hw.stats())).toEqual(comparableStats(rust.stats()));
  } finally {
    hw.close();
  }
}

/**
 * The control messages of a frame stream made for another config (spec §9 FOREIGN_CONTROL):
 * every `every`-th one gets its fingerprint's lowest bit flipped.
 */
function foreignControls(stream: Buffer, every: number): { stream: Buffer; changed: number } {
  const b = Buffer.from(stream);
  let n = 0, changed = 0;
  for (const c = new FrameCursor(b); c.next(); ) {
    if (c.kind !== FrameKind.CONTROL || n++ % every !== 0) continue;
    b[c.offset + 2 + CONTROL_MESSAGE.off_fingerprint + 7] ^= 1;
    changed++;
  }
  return { stream: b, changed };
}

/** Flips random bytes of a frame stream without touching the length prefixes. */
function corrupt(stream: Buffer, seed: number, rate: number): Buffer {
  const rng = new Rng(seed);
  const b = Buffer.from(stream);
  for (const c = new FrameCursor(b); c.next(); ) {
    for (let at = c.offset + 2; at < c.end; at++) if (rng.chance(rate)) b[at] = rng.int(256);
  }
  // a few broken length prefixes, and a truncated tail
  return b;
}

describe('differential: FPGA (Verilator) vs Rust core', () => {
  requireHw();
  requireRust();
  it('bundled session, 8 messages per packet, as fast as accepted', () => {
    compare('demo.itch.gz x8', gunzipSync(readFileSync(DEMO)), { messagesPerPacket: 8 });
  });

  it('bundled session with every third control made for another config, 5/8 offer', () => {
    const { stream, changed } = foreignControls(gunzipSync(readFileSync(DEMO)), 3);
    expect(changed).toBeGreaterThan(50);
    compare('demo.itch.gz, foreign controls x8', stream, { messagesPerPacket: 8, offer: { num: 5, den: 8 } });
  });

  it('bundled session under a config whose symbols differ (every control foreign), 16 per packet', () => {
    const other = loadConfig();
    other.symbols.reverse();
    compare('demo.itch.gz, reversed symbols x16', gunzipSync(readFileSync(DEMO)), { messagesPerPacket: 16 }, configBlob(other));
  });

  it('real NASDAQ sample (1000 messages), 1 and 16 per packet', () => {
    const s = readFileSync(SAMPLE);
    compare('nasdaq sample x1', s, { messagesPerPacket: 1 });
    compare('nasdaq sample x16, 5/8 offer', s, { messagesPerPacket: 16, offer: { num: 5, den: 8 } });
  });

  for (const [seed, mpp] of [[11, 1], [12, 5], [13, 20]] as const) {
    it(`random flow seed ${seed}, ${mpp} per packet`, () => {
      const stream = randomFlow({ seed, messages: 30_000, subscribed: names });
      compare(`random ${seed} x${mpp}`, stream, { messagesPerPacket: mpp, offer: seed === 12 ? { num: 5, den: 8 } : undefined });
    });
  }

  it('corrupted random flow (bytes flipped, truncated tail)', () => {
    const s = corrupt(randomFlow({ seed: 21, messages: 20_000, subscribed: names }), 22, 0.004);
    compare('corrupted x4', Buffer.concat([s, Buffer.from([0x00, 0x24, 0x41, 0x00])]), { messagesPerPacket: 4 });
  });

  it('dense flow (400 live orders per symbol, more far and off-tick adds) and a stray byte at the end', () => {
    const s = randomFlow({ seed: 31, messages: 20_000, subscribed: names.slice(0, 2), depth: 400, farRate: 0.05, offTickRate: 0.05 });
    compare('dense x3', Buffer.concat([s, Buffer.from([0x00])]), { messagesPerPacket: 3 });
  });
});
