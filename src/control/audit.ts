/**
 * The append-only audit log of runtime controls (JSON lines). Every line names its run; a run
 * is a `start` line, one `control` line per change applied (written before the engine sees
 * it), and an `end` line with the record digest. `replay --audit-in` re-injects the controls
 * of one run at their recorded seqs, which reproduces that run's records exactly.
 *
 * A control line carries its values twice, as decimal strings (u64 limits do not fit a JSON
 * number): `old`/`new` as a person reads them, in `unit` (dollars for money limits, else
 * shares, orders, basis points, nanoseconds or a 0/1 flag), and `oldEngineUnits`/
 * `newEngineUnits` as the engine holds them (notional units = dollars × 10^4), which is what
 * `--audit-in` replays. Lines written before `unit` existed have engine units in `old`/`new`
 * and are read as such.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { RiskgateError } from '../errors.ts';

export interface AuditStart {
  type: 'start';
  run: string;
  wallTime: string;
  file: string;
  backend: string;
  standby?: string;
  configSha256: string;
  /** The run whose controls this run replays (`--audit-in`), if any. */
  replayOf?: string;
}

export interface AuditControl {
  type: 'control';
  run: string;
  /** 1, 2, … within the run, in application order. */
  n: number;
  what: string;
  op: number;
  target: number;
  targetName: string;
  /** Old and new value in `unit`, e.g. "400000.00" dollars. */
  old: string;
  new: string;
  /** dollars, shares, orders, basis points, nanoseconds, flag or none (absent in old logs: engine units). */
  unit?: string;
  /** The same values in engine units (notional units for money), as the engine applies them. */
  oldEngineUnits?: string;
  newEngineUnits?: string;
  /** Effective seq S: the control is applied before message S. */
  seq: number;
  wallTime: string;
  /** Who asked: the operator name given to the API (or "unknown"), "failover", … */
  who: string;
  /** How it came in: http, audit-in, failover. */
  via: string;
  addr?: string;
}

export interface AuditEnd {
  type: 'end';
  run: string;
  wallTime: string;
  messages: number;
  controls: number;
  recordsSha256: string;
  /** `interrupted`: SIGINT/SIGTERM stopped the run before `beforeSeq` (the digest covers what ran). */
  status: 'ok' | 'failed' | 'interrupted';
  beforeSeq?: number;
}

/** An order-entry event of the gateway (spec §18.6): a session event (login, logout, reject, bad message, disconnect) or a mass cancel. `--audit-in` skips them. */
export interface AuditOrderEntry {
  type: 'order_entry';
  run: string;
  wallTime: string;
  event: string;
  session?: string;
  peer?: string;
  kind?: string;
  detail?: string;
  userRefNum?: number;
  /** Mass cancel: what the kill selected and how many open orders it canceled. */
  scope?: string;
  orders?: number;
  /** Seq position of the session when it happened. */
  seq?: number;
}

export type AuditLine = AuditStart | AuditControl | AuditEnd | AuditOrderEntry;

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

/** Appends lines with O_APPEND and fsyncs each control, so a crash loses no applied change. */
export class AuditWriter {
  private fd: number;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'a', 0o640);
    } catch (e) {
      throw new RiskgateError('USAGE', `cannot open audit log ${path}: ${(e as Error).message}`);
    }
  }
  write(line: AuditLine): void {
    if (this.fd < 0) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    if (line.type === 'control') fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

export interface AuditRun {
  run: string;
  start?: AuditStart;
  controls: AuditControl[];
  end?: AuditEnd;
}

/** Reads one run of an audit log: `run` by id, or the last run in the file. */
export function readAuditRun(path: string, run?: string): AuditRun {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RiskgateError('INPUT_MISSING', `cannot read audit log ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const runs = new Map<string, AuditRun>();
  const order: string[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let l: AuditLine;
    try {
      l = JSON.parse(raw) as AuditLine;
    } catch {
      throw new RiskgateError('INPUT_UNREADABLE', `${path}:${i + 1}: not a JSON line`);
    }
    if (!l || typeof l !== 'object' || typeof l.run !== 'string') throw new RiskgateError('INPUT_UNREADABLE', `${path}:${i + 1}: not an audit line (no run id)`);
    let r = runs.get(l.run);
    if (!r) {
      r = { run: l.run, controls: [] };
      runs.set(l.run, r);
      order.push(l.run);
    }
    if (l.type === 'start') r.start = l;
    else if (l.type === 'end') r.end = l;
    else if (l.type === 'control') {
      // Engine units: their own fields, or `new`/`old` in a log written before they existed.
      const legacy = l.unit === undefined;
      const nu = legacy ? l.new : l.newEngineUnits;
      const ou = legacy ? l.old : l.oldEngineUnits;
      if (!Number.isSafeInteger(l.seq) || l.seq < 1 || !Number.isInteger(l.op) || !Number.isInteger(l.target) || typeof nu !== 'string' || !/^\d+$/.test(nu)) {
        throw new RiskgateError('INPUT_UNREADABLE', `${path}:${i + 1}: malformed control entry`);
      }
      r.controls.push({ ...l, newEngineUnits: nu, oldEngineUnits: typeof ou === 'string' ? ou : '' });
    }
  });
  if (order.length === 0) throw new RiskgateError('INPUT_UNREADABLE', `${path}: the audit log is empty`);
  const id = run ?? order[order.length - 1];
  const found = runs.get(id);
  if (!found) throw new RiskgateError('USAGE', `${path}: no run ${JSON.stringify(id)} (runs: ${order.join(', ')})`);
  // Application order: by seq, then by the order they were written (n).
  found.controls.sort((a, b) => a.seq - b.seq || a.n - b.n);
  return found;
}

/** A control as reports show it (`controlsApplied`): values in their unit, engine units named as such. */
export function controlSummary(c: AuditControl): Record<string, unknown> {
  return { n: c.n, what: c.what, target: c.targetName, old: c.old, new: c.new, unit: c.unit, oldEngineUnits: c.oldEngineUnits, newEngineUnits: c.newEngineUnits, seq: c.seq, who: c.who, via: c.via };
}
