/** The shape every engine backend (Rust via N-API, Verilog via Verilator) presents. */
export interface EngineStats {
  messages: number;
  byType: number[];
  problems: number[];
  unknownRef: number;
  tableFull: number;
  flagged: number;
  tob: number;
  decisions: number;
  accepted: number;
  rejected: number;
  fills: number;
  controls: number;
}

export interface Engine {
  readonly backend: string;
  /** Processes whole frames; returns the 32-byte records they produce (spec §11). */
  process(frames: Buffer, endOfInput?: boolean): Buffer;
  stats(): EngineStats;
  reset(): void;
  close(): void;
}
