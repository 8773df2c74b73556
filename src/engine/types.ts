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
  /** Order table (spec §5): inserts placed in the stash, kept as ghosts (dropped from the
   * book, COLLISION while they live) or dropped untracked; `tableFull` is the sum of the last two. */
  stashInserts: number;
  ghostInserts: number;
  untrackedDrops: number;
  /** Times a symbol's COLLISION cleared by itself (its last ghost left). */
  collisionClears: number;
  /** Peaks of book orders (table and stash), stash and ghost occupancy. */
  livePeak: number;
  stashPeak: number;
  ghostPeak: number;
}

export interface Engine {
  readonly backend: string;
  /** Processes whole frames; returns the 32-byte records they produce (spec §11). */
  process(frames: Buffer, endOfInput?: boolean): Buffer;
  stats(): EngineStats;
  reset(): void;
  close(): void;
}
