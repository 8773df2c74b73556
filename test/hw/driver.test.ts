/**
 * The simulated card's driver ABI through koffi: build parameters, the config register
 * port refusing bad blobs with the hardware's coded errors, status and parameter registers,
 * the cycle counter, the FST waveform trace on and off, reset, and a MoldUDP64 gap seen by
 * the front end.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { FpgaEngine, simInfo } from '../../src/fpga/index.ts';
import { CONFIG, PARAMS, Register, StatusBit, VERSIONS } from '../../src/contract.ts';
import { frames, itch } from '../../src/itch/encode.ts';
import { requireHw } from './util.ts';

const blob = configBlob(loadConfig());

function refused(b: Buffer): number | undefined {
  try {
    new FpgaEngine(b).close();
    return undefined;
  } catch (e) {
    return (e as { configError?: number }).configError;
  }
}

describe('driver ABI (sim/riskgate_sim.h via koffi)', () => {
  requireHw();

  it('reports the spec build parameters', () => {
    const i = simInfo();
    expect(i).toMatchObject({
      max_symbols: PARAMS.MAX_SYMBOLS.default, max_accounts: PARAMS.MAX_ACCOUNTS.default, window_ticks: PARAMS.WINDOW_TICKS.default,
      set_bits: PARAMS.SET_BITS.default, ways: PARAMS.WAYS.default, record_bytes: 32, latency_bytes: 32,
    });
  });

  it('refuses bad config blobs with coded errors', () => {
    const bad = (f: (b: Buffer) => void) => {
      const b = Buffer.from(blob);
      f(b);
      return refused(b);
    };
    const H = CONFIG.header;
    // The card's error codes (spec §10, `hw error`): 1 magic, 2 version, 5 tick, 6 window, 7 reciprocal, 8 w_shift, 9 flags, 10 account index.
    expect(bad((b) => b.write('XGC1', H.magic, 'latin1'))).toBe(1);
    expect(bad((b) => b.writeUInt16LE(VERSIONS.config + 1, H.version))).toBe(2);
    expect(bad((b) => b.writeUInt32LE(0, H.tick))).toBe(5);
    expect(bad((b) => b.writeUInt32LE(PARAMS.WINDOW_TICKS.default / 2, H.window_ticks))).toBe(6);
    expect(bad((b) => b.writeBigUInt64LE(b.readBigUInt64LE(H.tick_recip) + 1n, H.tick_recip))).toBe(7);
    expect(bad((b) => (b[H.w_shift] = 64))).toBe(8);
    expect(bad((b) => (b[H.gate_market_hours] = 2))).toBe(9);
    expect(bad((b) => (b[CONFIG.headerSize + CONFIG.symbol.account] = 200))).toBe(10);
    expect(refused(blob.subarray(0, blob.length - 4))).toBe(-2);
    expect(refused(blob)).toBeUndefined();
  });

  it('registers, cycle counter, stats after reset, and a gap in the feed', () => {
    const e = new FpgaEngine(blob);
    try {
      expect(e.readReg(Register.ID)).toBe(0x52470003); // register map 3: tkeep fault counters, the order-entry port (spec §15, §17, §18.7)
      // PARAM0: MAX_SYMBOLS, MAX_ACCOUNTS, SET_BITS, WAYS (bytes 0..3), the spec parameters
      const p = PARAMS;
      expect(e.readReg(Register.PARAM0)).toBe((p.WAYS.default << 24 | p.SET_BITS.default << 16 | p.MAX_ACCOUNTS.default << 8 | p.MAX_SYMBOLS.default) >>> 0);
      expect(e.readReg(Register.STATUS) & 0xff01).toBe(StatusBit.READY); // ready, no error (STATUS[15:8])
      const c0 = e.cycles();
      const out = e.process(frames([itch.systemEvent({ locate: 0, ts: 5 }, 'O')]), false);
      expect(out.length).toBe(0);
      expect(e.cycles()).toBeGreaterThan(c0);
      expect(e.stats().messages).toBe(1);
      e.reset();
      expect(e.stats().messages).toBe(0);
      expect(e.feedStatus()).toMatchObject({ packets: 0, gaps: 0, nextSeq: 1 });
    } finally {
      e.close();
    }
  });

  it('writes an FST waveform while tracing is on (or refuses with a code when built without zlib)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-fst-'));
    const e = new FpgaEngine(blob);
    try {
      const f = join(dir, 'card.fst');
      if (!simInfo().has_fst) {
        expect(() => e.trace(f)).toThrow(/without FST/);
        return;
      }
      e.trace(f);
      e.process(frames([itch.systemEvent({ locate: 0, ts: 5 }, 'O'), itch.systemEvent({ locate: 0, ts: 6 }, 'Q')]), false);
      e.trace(null);
      expect(existsSync(f)).toBe(true);
      expect(statSync(f).size).toBeGreaterThan(1000);
    } finally {
      e.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
