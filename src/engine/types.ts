/**
 * The shape every engine backend (Rust via N-API, Verilog via Verilator) presents. The counters
 * of spec §12 are napi-rs's generated declaration of the Rust core's (native/native.d.ts); the
 * Verilator backend fills the same shape.
 */
export type { EngineStats } from '../../native/native.d.ts';
import type { EngineStats } from '../../native/native.d.ts';

export interface Engine {
  readonly backend: string;
  /** Processes whole frames; returns the 32-byte records they produce (spec §11). */
  process(frames: Buffer, endOfInput?: boolean): Buffer;
  stats(): EngineStats;
  reset(): void;
  close(): void;
}
