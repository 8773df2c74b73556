/**
 * Hot standby behind the Engine interface: `--backend fpga --standby rust` feeds both engines
 * every batch in lockstep and hands on the primary's records. When the primary fails — throws,
 * reports an EngineFault, or makes no progress for longer than the watchdog timeout (wall time
 * less the time the thread waited for a CPU: ProgressClock) — the standby, which has
 * seen exactly the same frames (control messages included), takes over at a message boundary:
 * the primary's records of the messages before the fault point, then the standby's from that
 * seq on. Because both engines implement the same spec byte for byte, the record stream is
 * the same as a run without a fault. Losing both engines stops trading (FAIL_CLOSED).
 *
 * With a standby, every batch is also a shadow comparison: if the two engines' records differ
 * the divergence is reported (the control plane engages the kill switch: fail closed).
 */
import { RiskgateError } from '../errors.ts';
import type { Engine, EngineStats } from '../engine/types.ts';
import { countSeqFrames } from '../itch/framing.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import { RECORD_SIZE } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';
import { EngineFault, type EngineExtras, type FaultKind } from './fault.ts';
import { ProgressClock } from './progress-clock.ts';

export type Role = 'primary' | 'standby';

export interface RecordSource {
  source: string;
  role: Role;
  records: number;
}

export interface FailoverEvent {
  kind: FaultKind;
  /** First seq whose records come from the standby. */
  seq: number;
  wallTime: string;
  /** From the start of the failed primary call until the standby's records were ready. */
  outageNs: number;
  from: string;
  to: string;
  error: string;
}

export interface FailoverOptions {
  /**
   * A primary call whose progress time (wall time less run-queue waits, ProgressClock) exceeds
   * this counts as a hang (its records are not used).
   */
  hangTimeoutMs?: number;
  /** The watchdog's clock (tests give one with a known behaviour). */
  clock?: ProgressClock;
  /** Compare the two engines' records on every batch (default true). */
  shadowCheck?: boolean;
  log?: Logger;
  onFailover?: (e: FailoverEvent) => void;
  onDivergence?: (firstSeq: number) => void;
  onStandbyLost?: (error: string) => void;
}

const now = () => process.hrtime.bigint();

/** Index (in records) of the first record with seq ≥ `seq` (records are in seq order). */
export function firstRecordAtOrAfter(records: Buffer, seq: number): number {
  for (const r = new RecordView(records); r.next(); ) if (r.seq >= seq) return r.off;
  return records.length;
}

export class FailoverEngine implements Engine, EngineExtras {
  private primaryUp = true;
  private standbyUp: boolean;
  private nextSeq = 1;
  readonly events: FailoverEvent[] = [];
  divergences = 0;
  /** Which engine produced the records returned by the last call. */
  lastSources: RecordSource[] = [];
  private readonly hangTimeoutMs: number;
  private readonly log: Logger;
  private readonly clock: ProgressClock;

  constructor(
    readonly primary: Engine & EngineExtras,
    readonly standby: (Engine & EngineExtras) | undefined,
    private readonly opts: FailoverOptions = {},
  ) {
    this.standbyUp = standby !== undefined;
    this.hangTimeoutMs = opts.hangTimeoutMs ?? 200;
    this.log = opts.log ?? silentLogger;
    this.clock = opts.clock ?? new ProgressClock();
    primary.setWatchdog?.(this.hangTimeoutMs);
    standby?.setWatchdog?.(this.hangTimeoutMs);
  }

  get backend(): string {
    return this.active.backend;
  }
  get active(): Engine & EngineExtras {
    if (this.primaryUp) return this.primary;
    if (this.standby && this.standbyUp) return this.standby;
    return this.primary;
  }
  get activeRole(): Role | 'none' {
    return this.primaryUp ? 'primary' : this.standbyUp ? 'standby' : 'none';
  }
  get lastSeq(): number {
    return this.nextSeq - 1;
  }
  get hasStandby(): boolean {
    return this.standby !== undefined;
  }
  get standbyAlive(): boolean {
    return this.standbyUp;
  }

  drainLatencyCycles(): ArrayLike<number> {
    return this.primaryUp && this.primary.drainLatencyCycles ? this.primary.drainLatencyCycles() : [];
  }

  process(frames: Buffer, endOfInput = false): Buffer {
    const first = this.nextSeq;
    this.nextSeq += countSeqFrames(frames);
    if (!this.primaryUp) return this.standbyOnly(frames, endOfInput, first);

    const start = this.clock.start();
    const t0 = start.wallNs;
    let p: Buffer | undefined;
    let fault: unknown;
    try {
      p = this.primary.process(frames, endOfInput);
      // Time spent waiting for a CPU is not the engine's: a starved engine is slow, not hung.
      const took = this.clock.since(start);
      if (took.progressNs / 1e6 > this.hangTimeoutMs) {
        const ms = (ns: number) => (ns / 1e6).toFixed(1);
        fault = new EngineFault(`${this.primary.backend} took ${ms(took.progressNs)} ms for one batch, not counting ${ms(took.waitNs)} ms waiting for a CPU (${ms(took.wallNs)} ms wall; watchdog ${this.hangTimeoutMs} ms)`, { kind: 'hang', atSeq: first });
        p = undefined;
      }
    } catch (e) {
      fault = e;
    }
    if (p !== undefined) {
      this.lastSources = [{ source: this.primary.backend, role: 'primary', records: p.length / RECORD_SIZE }];
      if (this.standby && this.standbyUp) {
        let s: Buffer | undefined;
        try {
          s = this.standby.process(frames, endOfInput);
        } catch (e) {
          this.loseStandby(e, first);
        }
        if (s && this.opts.shadowCheck !== false && !s.equals(p)) this.diverged(first, p, s);
      }
      return p;
    }
    return this.failover(fault, frames, endOfInput, first, t0);
  }

  private failover(fault: unknown, frames: Buffer, endOfInput: boolean, first: number, t0: bigint): Buffer {
    const ef = fault instanceof EngineFault ? fault : undefined;
    const kind: FaultKind = ef?.kind ?? 'fault';
    const msg = (fault as Error)?.message ?? String(fault);
    this.primaryUp = false;
    try {
      this.primary.close();
    } catch {
      /* a dead engine may fail to close */
    }
    if (!this.standby || !this.standbyUp) {
      this.log.fatal({ event: 'engines_lost', seq: ef?.atSeq ?? first, error: msg }, 'primary engine lost and no standby: trading stopped (fail closed)');
      throw new RiskgateError('FAIL_CLOSED', `primary engine ${this.primary.backend} failed at seq ${ef?.atSeq ?? first} (${msg}) and no standby is available: trading stopped`, { cause: fault });
    }
    let s: Buffer;
    try {
      s = this.standby.process(frames, endOfInput);
    } catch (e) {
      this.standbyUp = false;
      this.log.fatal({ event: 'engines_lost', seq: first, error: msg, standbyError: (e as Error).message }, 'both engines lost: trading stopped (fail closed)');
      throw new RiskgateError('FAIL_CLOSED', `both engines lost at seq ${first}: primary (${msg}), standby (${(e as Error).message}): trading stopped`, { cause: e });
    }
    // Records of messages before the fault point come from the primary when it delivered them.
    let at = first;
    let out = s;
    let fromPrimary = 0;
    if (ef?.partial && ef.partial.length > 0 && ef.atSeq !== undefined && ef.atSeq >= first) {
      const cut = firstRecordAtOrAfter(s, ef.atSeq);
      const partialOk = ef.partial.length % RECORD_SIZE === 0 && firstRecordAtOrAfter(ef.partial, ef.atSeq) === ef.partial.length;
      if (partialOk) {
        if (this.opts.shadowCheck !== false && !ef.partial.equals(s.subarray(0, cut))) this.diverged(first, ef.partial, s.subarray(0, cut));
        out = Buffer.concat([ef.partial, s.subarray(cut)]);
        fromPrimary = ef.partial.length / RECORD_SIZE;
        at = ef.atSeq;
      }
    }
    const outageNs = Number(now() - t0);
    const event: FailoverEvent = { kind, seq: at, wallTime: new Date().toISOString(), outageNs, from: this.primary.backend, to: this.standby.backend, error: msg };
    this.events.push(event);
    this.lastSources = [
      ...(fromPrimary > 0 ? [{ source: this.primary.backend, role: 'primary' as const, records: fromPrimary }] : []),
      { source: this.standby.backend, role: 'standby', records: (out.length / RECORD_SIZE) - fromPrimary },
    ];
    this.log.warn({ event: 'failover', ...event }, `failover ${event.from} → ${event.to} at seq ${at} (${kind}); ${(outageNs / 1e6).toFixed(2)} ms without decisions`);
    this.opts.onFailover?.(event);
    return out;
  }

  private standbyOnly(frames: Buffer, endOfInput: boolean, first: number): Buffer {
    if (!this.standby || !this.standbyUp) throw new RiskgateError('FAIL_CLOSED', 'no engine is left: trading stopped');
    try {
      const s = this.standby.process(frames, endOfInput);
      this.lastSources = [{ source: this.standby.backend, role: 'standby', records: s.length / RECORD_SIZE }];
      return s;
    } catch (e) {
      this.standbyUp = false;
      const seq = e instanceof EngineFault && e.atSeq !== undefined ? e.atSeq : first;
      this.log.fatal({ event: 'engines_lost', seq, error: (e as Error).message }, 'standby lost after failover: trading stopped (fail closed)');
      throw new RiskgateError('FAIL_CLOSED', `the standby engine failed at seq ${seq} after the primary was lost (${(e as Error).message}): trading stopped`, { cause: e });
    }
  }

  private loseStandby(e: unknown, seq: number): void {
    this.standbyUp = false;
    const msg = (e as Error)?.message ?? String(e);
    this.log.error({ event: 'standby_lost', seq, error: msg }, 'standby engine lost; running on the primary without a standby');
    try {
      this.standby?.close();
    } catch {
      /* ignore */
    }
    this.opts.onStandbyLost?.(msg);
  }

  private diverged(first: number, p: Buffer, s: Buffer): void {
    this.divergences++;
    let off = 0;
    while (off < Math.min(p.length, s.length) && p.subarray(off, off + RECORD_SIZE).equals(s.subarray(off, off + RECORD_SIZE))) off += RECORD_SIZE;
    const seqAt = (b: Buffer) => new RecordView(b).at(off / RECORD_SIZE).seq;
    const seq = off < p.length ? seqAt(p) : off < s.length ? seqAt(s) : first;
    this.log.error({ event: 'shadow_divergence', batchFirstSeq: first, seq, primaryRecords: p.length / RECORD_SIZE, standbyRecords: s.length / RECORD_SIZE }, 'primary and standby records differ');
    this.opts.onDivergence?.(seq);
  }

  stats(): EngineStats {
    return this.active.stats();
  }
  reset(): void {
    this.primary.reset();
    this.standby?.reset();
    this.nextSeq = 1;
  }
  close(): void {
    this.clock.close();
    for (const e of [this.primary, this.standby]) {
      try {
        e?.close();
      } catch {
        /* ignore */
      }
    }
  }
}
