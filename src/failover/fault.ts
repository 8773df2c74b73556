/**
 * How an engine reports that it failed. A backend (the FPGA driver, a test double) throws an
 * EngineFault when it stops producing: `kind` says whether it failed outright or hung past
 * its watchdog, and — when it knows — `partial` holds the whole records it did deliver, all
 * of messages before `atSeq`, so the switch to the standby happens at that message boundary
 * even in the middle of a batch. Any other exception counts as a fault at the start of the
 * batch (the standby's records are used for all of it).
 */
export type FaultKind = 'fault' | 'hang';

export class EngineFault extends Error {
  readonly kind: FaultKind;
  readonly partial?: Buffer;
  readonly atSeq?: number;
  constructor(message: string, opts: { kind: FaultKind; partial?: Buffer; atSeq?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'EngineFault';
    this.kind = opts.kind;
    this.partial = opts.partial;
    this.atSeq = opts.atSeq;
  }
}

/** Optional engine capabilities the control plane uses when a backend has them. */
export interface EngineExtras {
  /** Last seq handed out (the Rust engine has it). */
  readonly lastSeq?: number;
  /** Hardware tick-to-trade cycle stamps since the last call (FPGA latency side channel). */
  drainLatencyCycles?(): ArrayLike<number>;
  /** Arms a driver watchdog: a call that makes no progress for `ms` throws EngineFault('hang'). */
  setWatchdog?(ms: number): void;
}
