/**
 * The runtime control queue. Callers (the HTTP API) submit validated changes at any time; the
 * replay loop calls `take(nextSeq)` just before it hands the next batch to the engine, and
 * every pending change becomes a spec §9 control frame with effective seq S = nextSeq (the
 * first seq not yet handed to any engine), prepended to that batch — so the primary and the
 * standby apply it at the same message boundary. Each change is written to the audit log
 * before the engine sees it; `confirm` matches the engine's CONTROL records and settles the
 * callers' promises.
 *
 * Changes replayed from an audit log (`schedule`) carry their recorded S and are taken when
 * the loop reaches exactly that seq (the batch source is split there).
 */
import { itch, frame } from '../itch/encode.ts';
import { blobFingerprint, configBlob } from '../config/index.ts';
import { RecordKind } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';
import { RiskgateError } from '../errors.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import type { AuditControl, AuditRun, AuditWriter } from './audit.ts';
import { ChangeError, displayUnit, displayValue, formatValue, type ChangeRequest, type ControlChange, type RiskState } from './limits.ts';

export interface Who {
  /** Operator name (as declared to the API), "failover", … */
  who: string;
  via: 'http' | 'audit-in' | 'failover' | 'cli' | 'test';
  addr?: string;
}

interface Pending {
  change: ControlChange;
  who: Who;
  resolve: (e: AuditControl) => void;
  reject: (e: Error) => void;
}
interface Scheduled {
  change: ControlChange;
  seq: number;
  who: Who;
  recordedOld: string;
}
interface InFlight {
  entry: AuditControl;
  change: ControlChange;
  old: bigint;
  resolve?: (e: AuditControl) => void;
  reject?: (e: Error) => void;
}

/** The run is over (or not started): no change can be applied any more. */
export class QueueClosedError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'QueueClosedError';
  }
}

export interface QueueOptions {
  state: RiskState;
  run: string;
  audit?: AuditWriter;
  log?: Logger;
  /** Called for every change handed to the engine (metrics, dashboard). */
  onApplied?: (e: AuditControl, change: ControlChange) => void;
  /** The engine config's fingerprint (spec §10); default: that of `configBlob(state.config)`. */
  fingerprint?: bigint;
}

export class ControlQueue {
  readonly state: RiskState;
  readonly run: string;
  /** Every change applied in this run, in order. */
  readonly history: AuditControl[] = [];
  private pending: Pending[] = [];
  private scheduled: Scheduled[] = [];
  private inflight: InFlight[] = [];
  private closed: string | null = null;
  private n = 0;
  private readonly log: Logger;
  /** The engine config's fingerprint (spec §10): every control message carries it. */
  readonly fingerprint: bigint;

  constructor(private readonly opts: QueueOptions) {
    this.state = opts.state;
    this.fingerprint = opts.fingerprint ?? blobFingerprint(configBlob(opts.state.config));
    this.run = opts.run;
    this.log = opts.log ?? silentLogger;
  }

  get isOpen(): boolean {
    return this.closed === null;
  }

  /**
   * Validates and queues a change. Throws ChangeError (bad payload: nothing changes) or
   * QueueClosedError; the promise settles once the engine has applied it.
   */
  submit(req: ChangeRequest, who: Who): { change: ControlChange; applied: Promise<AuditControl> } {
    const change = this.state.resolve(req);
    if (this.closed !== null) throw new QueueClosedError(this.closed);
    let resolve!: (e: AuditControl) => void;
    let reject!: (e: Error) => void;
    const applied = new Promise<AuditControl>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    applied.catch(() => {}); // callers that do not wait must not see an unhandled rejection
    this.pending.push({ change, who, resolve, reject });
    this.log.info({ event: 'control_queued', what: change.what, target: change.targetName, value: change.value.toString(), who: who.who, via: who.via, addr: who.addr }, 'control change queued');
    return { change, applied };
  }

  /** Queues the controls of a recorded run at their recorded seqs (`--audit-in`). */
  schedule(run: AuditRun): void {
    for (const c of run.controls) {
      let change: ControlChange;
      try {
        change = this.state.check(c.op, c.target, BigInt(c.newEngineUnits ?? c.new));
      } catch (e) {
        throw new RiskgateError('INPUT_UNREADABLE', `audit run ${run.run}, control ${c.n} (${c.what} at seq ${c.seq}): ${(e as Error).message}`);
      }
      this.scheduled.push({ change, seq: c.seq, who: { who: c.who, via: 'audit-in', addr: c.addr }, recordedOld: c.oldEngineUnits ?? c.old });
    }
    this.scheduled.sort((a, b) => a.seq - b.seq);
  }

  /** Seqs at which scheduled controls apply (the batch source must start a batch there). */
  scheduledSeqs(): number[] {
    return [...new Set(this.scheduled.map((s) => s.seq))];
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * The control frames to put in front of the batch whose first message is `nextSeq`:
   * scheduled ones due at exactly this seq, then everything submitted since the last call.
   * Updates the limits mirror and writes the audit log. Returns null when there are none.
   */
  take(nextSeq: number): Buffer | null {
    if (this.pending.length === 0 && (this.scheduled.length === 0 || this.scheduled[0].seq > nextSeq)) return null;
    const parts: Buffer[] = [];
    while (this.scheduled.length > 0 && this.scheduled[0].seq <= nextSeq) {
      const s = this.scheduled.shift()!;
      if (s.seq < nextSeq) {
        this.log.error({ event: 'control_missed', what: s.change.what, seq: s.seq, nextSeq }, 'a recorded control could not be placed at its seq');
        continue;
      }
      const f = this.apply(s.change, s.who, nextSeq);
      if (f.old.toString() !== s.recordedOld) {
        this.log.warn({ event: 'control_old_value_differs', what: s.change.what, target: s.change.targetName, seq: nextSeq, recordedEngineUnits: s.recordedOld, nowEngineUnits: f.old.toString() }, `replayed control found another old value than recorded (${formatValue(s.change.op, BigInt(s.recordedOld || '0'))} recorded, ${formatValue(s.change.op, f.old)} now)`);
      }
      parts.push(f.frame);
    }
    for (const p of this.pending) {
      const f = this.apply(p.change, p.who, nextSeq, p.resolve, p.reject);
      parts.push(f.frame);
    }
    this.pending = [];
    return parts.length > 0 ? Buffer.concat(parts) : null;
  }

  private apply(change: ControlChange, who: Who, seq: number, resolve?: (e: AuditControl) => void, reject?: (e: Error) => void): { frame: Buffer; old: bigint } {
    const old = this.state.apply(change);
    const entry: AuditControl = {
      type: 'control', run: this.run, n: ++this.n, what: change.what, op: change.op, target: change.target, targetName: change.targetName,
      old: displayValue(change.op, old), new: displayValue(change.op, change.value), unit: displayUnit(change.op),
      oldEngineUnits: old.toString(), newEngineUnits: change.value.toString(),
      seq, wallTime: new Date().toISOString(), who: who.who, via: who.via, ...(who.addr ? { addr: who.addr } : {}),
    };
    this.opts.audit?.write(entry);
    this.history.push(entry);
    this.inflight.push({ entry, change, old, resolve, reject });
    this.opts.onApplied?.(entry, change);
    this.log.info({ event: 'control_applied', ...entry, run: undefined, type: undefined }, `${change.what} ${change.targetName} ${formatValue(change.op, old)} → ${formatValue(change.op, change.value)} before seq ${seq}`);
    return { frame: frame(itch.control(change.op, change.target, seq, change.value, this.fingerprint)), old };
  }

  /**
   * Matches the CONTROL records of a batch with the changes handed over in front of it, and
   * settles their promises. A change the engine refused (BAD_CONTROL) is rolled back in the
   * mirror and reported to its caller.
   */
  confirm(records: Buffer): void {
    if (this.inflight.length === 0) return;
    const seen: { op: number; seq: number; target: number; value: bigint }[] = [];
    for (const r = new RecordView(records); r.next(); ) {
      if (r.kind === RecordKind.CONTROL) seen.push({ op: r.op, seq: r.seq, target: r.target, value: r.value });
    }
    for (const f of this.inflight) {
      const k = seen.findIndex((r) => r.op === f.change.op && r.seq === f.entry.seq && r.target === f.change.target && r.value === f.change.value);
      if (k >= 0) {
        seen.splice(k, 1);
        f.resolve?.(f.entry);
        continue;
      }
      this.state.apply({ ...f.change, value: f.old });
      this.log.error({ event: 'control_refused', what: f.change.what, target: f.change.targetName, seq: f.entry.seq }, 'the engine refused a control message (BAD_CONTROL)');
      f.reject?.(new Error(`the engine refused ${f.change.what} ${f.change.targetName} at seq ${f.entry.seq}`));
    }
    this.inflight = [];
  }

  /** Ends the run: pending changes are refused, later submissions too. */
  close(reason = 'the run is over'): void {
    if (this.closed !== null) return;
    this.closed = reason;
    for (const p of this.pending) p.reject(new QueueClosedError(`${reason}; ${p.change.what} ${p.change.targetName} was not applied`));
    this.pending = [];
    for (const f of this.inflight) f.resolve?.(f.entry);
    this.inflight = [];
    if (this.scheduled.length > 0) {
      this.log.warn({ event: 'controls_not_reached', count: this.scheduled.length, seqs: this.scheduled.map((s) => s.seq) }, 'recorded controls beyond the end of the input were not applied');
    }
  }

  /** Scheduled controls never reached (beyond the input). */
  get unapplied(): number {
    return this.scheduled.length;
  }
}

export { ChangeError };
