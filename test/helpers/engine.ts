/**
 * Test access to the Rust engine through N-API, plus a spec §10 blob encoder written
 * independently of src/config so the two can be checked against each other.
 */
import { configBlob, parseConfig, type Config } from '../../src/config/index.ts';
import { RustEngine, loadNative } from '../../src/engine/rust.ts';
import { specFingerprint } from './vectors.ts';

export interface TestEngine {
  process(frames: Buffer, endOfInput?: boolean): Buffer;
  stats(): Record<string, unknown>;
  reset(): void;
  /** Frees the native engine now (it is ~20 MB). */
  close(): void;
}

let available: boolean | undefined;

/** Whether the native module is built (tests skip with a message when it is not). */
export function engineAvailable(): boolean {
  if (available === undefined) {
    try {
      loadNative();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** The Rust engine through src/engine/rust.ts (N-API). */
export function newEngine(blob: Buffer): TestEngine {
  const e = new RustEngine(blob);
  return { process: (f, eoi) => e.process(f, eoi), stats: () => ({ ...e.stats() }), reset: () => e.reset(), close: () => e.close() };
}

export function configFromJson(json: unknown, source = '<test>'): { cfg: Config; blob: Buffer } {
  const cfg = parseConfig(json, source);
  return { cfg, blob: configBlob(cfg) };
}

/** Spec §10, field by field, from the parsed config (independent re-encoding). */
export function specBlob(cfg: Config): Buffer {
  const ns = cfg.symbols.length, na = cfg.accounts.length;
  const b = Buffer.alloc(64 + 48 * ns + 32 * na);
  b.write('RGC1', 0, 'latin1');
  b.writeUInt16LE(3, 4);
  b[6] = ns;
  b[7] = na;
  b.writeUInt32LE(cfg.tick, 8);
  b.writeUInt32LE(4096, 12);
  const t = BigInt(cfg.tick);
  b.writeBigUInt64LE(((1n << 48n) + t - 1n) / t, 16);
  b[24] = cfg.throttleWindowShift;
  b[25] = cfg.gateMarketHours ? 1 : 0;
  b[26] = cfg.globalKill ? 1 : 0;
  b.writeUInt32LE(cfg.session, 28);
  b.writeUInt32LE(cfg.strategy.imbalanceNum, 32);
  b.writeUInt32LE(cfg.strategy.imbalanceDen, 36);
  b.writeBigUInt64LE(BigInt(cfg.strategy.cooldownNs), 40);
  b.writeUInt32LE(cfg.strategy.maxSpread, 48);
  b.writeUInt32LE(cfg.strategy.clipQty, 52);
  for (const [i, s] of cfg.symbols.entries()) {
    const o = 64 + 48 * i;
    b.write(s.symbol.padEnd(8, ' '), o, 8, 'latin1');
    b[o + 8] = s.account;
    b[o + 9] = s.kill ? 1 : 0;
    b.writeUInt16LE(s.collarBps, o + 10);
    b.writeUInt32LE(s.maxQty, o + 12);
    b.writeBigUInt64LE(BigInt(s.maxNotional), o + 16);
    b.writeBigUInt64LE(BigInt(s.positionLimit), o + 24);
    b.writeBigInt64LE(BigInt(s.startPosition), o + 32);
  }
  for (const [j, a] of cfg.accounts.entries()) {
    const o = 64 + 48 * ns + 32 * j;
    b.writeUInt32LE(a.id, o);
    b.writeUInt32LE(a.maxOrdersPerWindow, o + 4);
    b.writeBigUInt64LE(BigInt(a.creditLimit), o + 8);
    b.writeBigUInt64LE(BigInt(a.usedCredit), o + 16);
    b.writeBigUInt64LE(BigInt(a.duplicateWindowNs), o + 24);
  }
  b.writeBigUInt64LE(specFingerprint(b), 56);
  return b;
}
