/**
 * What a run keeps of the record stream for its report — the file replay (src/replay/run.ts)
 * and the Kafka feed consumer (src/kafka/feed-run.ts) alike: the SHA-256 digest, reject
 * reasons, per-symbol P&L, problems, ITCH time range and per-call engine time, plus the
 * state of the global kill switch as CONTROL records show it.
 */
import { createHash, type Hash } from 'node:crypto';
import type * as Native from '../../native/native.d.ts';
import type { Config } from '../config/index.ts';
import { loadNative } from '../engine/rust.ts';
import type { EngineStats } from '../engine/types.ts';
import type { FrameLocation } from '../itch/framing.ts';
import { ControlOp } from '../itch/layout.ts';
import { RecordField, RecordHeader, RECORD_SIZE } from '../contract.ts';
import { Problem, RecordKind } from '../records/layout.ts';
import { REASON_NAMES, STRATEGY_REASON_NAMES } from '../contract.ts';
import { RecordView } from '../records/view.ts';
import { isControlProblem } from '../records/decode.ts';
import { frameProblem, ProblemLog } from '../source/problems.ts';
import { PnlBook, pnlBookOf } from './pnl.ts';
import { ResumableSha256 } from './sha256-state.ts';
import type { ClientOrderCounts, ReplayResult } from './result.ts';

const H_KIND = RecordHeader.kind;
const H_SYMBOL = RecordHeader.symbol;
const H_AUX = RecordHeader.aux;
const H_TS = RecordHeader.ts;
const DEC_VERDICT = RecordField.DECISION.verdict;
const DEC_REASONS = RecordField.DECISION.reasons;
const FILL_PRICE = RecordField.FILL.price;
const FILL_QTY = RecordField.FILL.qty;
const FILL_LEG = RecordField.FILL.leg;
const ORD_REASONS = RecordField.ORDER.reasons;
/** DECISION verdict of an accepted order; side byte of a buy. */
const ACCEPTED = 1;
const BUY = 0x42;

/** The native record pass, or undefined where the module is not built (the FPGA backend alone). */
function nativeTally(): Native.RecordTally | undefined {
  let mod;
  try {
    mod = loadNative();
  } catch {
    return undefined;
  }
  return new mod.RecordTally(STRATEGY_REASON_NAMES.length);
}

/** Where a problem's input is: the frames of a batch in the file, or one Kafka offset for all. */
export type ProblemLocation = number | FrameLocation;

export class RecordAccumulator {
  readonly problems = new ProblemLog();
  readonly pnl: PnlBook;
  /** node:crypto's, or one whose state can be saved (`resumable`: `riskgate run`, spec §14.6). */
  private readonly digest: Hash | ResumableSha256;
  /** DECISION reject reasons (the strategy's orders: bits 0..k-1; client orders are ORDER records, §18). */
  private readonly reasons = new Array<number>(STRATEGY_REASON_NAMES.length).fill(0);
  /** Client orders (ORDER records), reasons in bit order: allocated at the first one. */
  private orders: { counts: Omit<ClientOrderCounts, 'reasons'>; reasons: number[] } | undefined;
  recordBytes = 0;
  engineNs = 0;
  readonly batchNs: number[] = [];
  readonly batchMessages: number[] = [];
  firstTs = -1;
  lastTs = -1;
  /** TOB records, and those that carry a book flag (the share a consumer sees in doubt). */
  tobRows = 0;
  flaggedTobRows = 0;
  /** Global kill switch as the CONTROL records leave it. */
  globalKill: boolean;
  readonly t0 = process.hrtime.bigint();
  /** Control records (CONTROL, BAD_CONTROL or FOREIGN_CONTROL) of this call seen at `controlSeq`. */
  private controlSeq = -1;
  private controlsAtSeq = 0;
  /** The next CONTROL record is the kill a FOREIGN_CONTROL engaged (same control message). */
  private foreignKill = false;
  /**
   * The record pass in Rust (native/src/record_tally.rs: TOB rows, reasons, times, P&L; same
   * results): `nativeTally`, the file replay. The fields above are filled in by `result()`.
   */
  private readonly tally: Native.RecordTally | undefined;

  constructor(
    readonly source: string,
    config: Config,
    opts: { resumableDigest?: boolean; nativeTally?: boolean } = {},
  ) {
    this.digest = opts.resumableDigest ? new ResumableSha256() : createHash('sha256');
    // Intraday P&L from a flat start: a seeded position has no known cost.
    this.pnl = new PnlBook();
    this.globalKill = config.globalKill;
    if (opts.nativeTally) this.tally = nativeTally();
  }

  /**
   * False when the caller digests the records itself, in larger pieces than one engine call's
   * (`digestRecords`, same bytes in the same order): the feed run, whose calls are one packet each.
   */
  digestOnAdd = true;

  digestRecords(records: Buffer): void {
    this.digest.update(records);
  }

  /** One engine call's records; `where` locates a problem's input for its report. */
  add(records: Buffer, engineNs: number, messages: number, where: ProblemLocation): void {
    this.engineNs += engineNs;
    if (messages > 0) {
      this.batchNs.push(engineNs);
      this.batchMessages.push(messages);
    }
    if (records.length === 0) return;
    if (this.digestOnAdd) this.digest.update(records);
    this.recordBytes += records.length;
    this.controlSeq = -1; // `where` covers this call's frames only
    if (this.tally) {
      // Everything but the rare CONTROL, PROBLEM and ORDER records and venue executions' FILLs,
      // which it counts for this pass.
      if (this.tally.add(records) > 0) this.rareOnly(records, where);
      return;
    }
    // One pass over the records, reading only the bytes each kind needs (no per-record
    // objects); the rare CONTROL and PROBLEM records go through a RecordView.
    const reasons = this.reasons;
    const reasonBits = (1 << reasons.length) - 1;
    const end = records.length - (records.length % RECORD_SIZE);
    let tobRows = 0;
    let flagged = 0;
    let lastTob = -1;
    let view: RecordView | undefined;
    for (let off = 0; off < end; off += RECORD_SIZE) {
      const kind = records[off + H_KIND];
      if (kind === RecordKind.TOB) {
        if (lastTob < 0 && this.firstTs < 0) this.firstTs = records.readUIntLE(off + H_TS, 6);
        lastTob = off;
        tobRows++;
        if (records[off + H_AUX] !== 0) flagged++;
      } else if (kind === RecordKind.DECISION) {
        if (records[off + DEC_VERDICT] !== ACCEPTED) {
          let mask = (records[off + DEC_REASONS] | (records[off + DEC_REASONS + 1] << 8)) & reasonBits;
          while (mask !== 0) {
            const low = mask & -mask;
            reasons[31 - Math.clz32(low)]++;
            mask ^= low;
          }
        }
      } else if (kind === RecordKind.ORDER) {
        this.order(records, off);
      } else if (kind === RecordKind.FILL) {
        if (records[off + FILL_LEG] !== 0) this.clientOrders().counts.venueExecutions++;
        this.pnl.fill(records[off + H_SYMBOL], records[off + H_AUX] === BUY ? 'B' : 'S', records.readUInt32LE(off + FILL_PRICE), records.readUInt32LE(off + FILL_QTY));
      } else if (kind === RecordKind.CONTROL || kind === RecordKind.PROBLEM) {
        view ??= new RecordView(records);
        view.off = off;
        this.rare(view, where);
      }
    }
    if (lastTob >= 0) this.lastTs = records.readUIntLE(lastTob + H_TS, 6);
    this.tobRows += tobRows;
    this.flaggedTobRows += flagged;
  }

  private clientOrders(): NonNullable<RecordAccumulator['orders']> {
    this.orders ??= { counts: { enter: 0, replace: 0, accepted: 0, rejected: 0, venueCancels: 0, venueExecutions: 0 }, reasons: new Array<number>(REASON_NAMES.length).fill(0) };
    return this.orders;
  }

  /** An ORDER record: a client order's answer (aux `O` / `U`) or a venue cancel (aux `C`). */
  private order(records: Buffer, off: number): void {
    const o = this.clientOrders();
    const aux = records[off + H_AUX];
    if (aux === 0x43) {
      o.counts.venueCancels++;
      return;
    }
    if (aux === 0x55) o.counts.replace++;
    else o.counts.enter++;
    let mask = records.readUInt16LE(off + ORD_REASONS);
    if (mask === 0) o.counts.accepted++;
    else o.counts.rejected++;
    while (mask !== 0) {
      const low = mask & -mask;
      o.reasons[31 - Math.clz32(low)]++;
      mask ^= low;
    }
  }

  /**
   * What the native pass leaves to JavaScript, in order: CONTROL and PROBLEM records, ORDER
   * records and a venue execution's FILL count (its P&L is the native pass's).
   */
  private rareOnly(records: Buffer, where: ProblemLocation): void {
    const view = new RecordView(records);
    const end = records.length - (records.length % RECORD_SIZE);
    for (let off = 0; off < end; off += RECORD_SIZE) {
      const kind = records[off + H_KIND];
      if (kind === RecordKind.ORDER) this.order(records, off);
      else if (kind === RecordKind.FILL) {
        if (records[off + FILL_LEG] !== 0) this.clientOrders().counts.venueExecutions++;
      } else if (kind === RecordKind.CONTROL || kind === RecordKind.PROBLEM) {
        view.off = off;
        this.rare(view, where);
      }
    }
  }

  /** A CONTROL or PROBLEM record. */
  private rare(r: RecordView, where: ProblemLocation): void {
    if (r.kind === RecordKind.CONTROL) {
      if (this.foreignKill) this.foreignKill = false;
      // an account kill the daily loss limit engaged (value 2, spec §18.8) has no frame of its own
      else if (!(r.op === ControlOp.ACCOUNT_KILL && r.value === 2n)) this.nthControl(r.seq);
      if (r.op === ControlOp.GLOBAL_KILL) this.globalKill = r.value !== 0n;
      return;
    }
    const seq = r.seq;
    const code = r.problem;
    const control = isControlProblem(code);
    if (code === Problem.FOREIGN_CONTROL) this.foreignKill = true;
    const offset =
      typeof where === 'number' ? where
      : control ? where.control(seq, this.nthControl(seq))
      : where.message(seq);
    this.problems.add(frameProblem(this.source, {
      code, seq, offset, type: r.typeByte, length: r.frameLength, expected: r.expectedLength,
      ...(control ? { op: r.op, target: r.target } : {}),
    }));
  }

  /**
   * Every control message yields one record at the seq it precedes (CONTROL, or BAD_CONTROL
   * or FOREIGN_CONTROL when refused; the CONTROL record of the kill a FOREIGN_CONTROL engages
   * is not counted again): the index of this one among the control messages before message `seq`.
   */
  private nthControl(seq: number): number {
    if (seq !== this.controlSeq) {
      this.controlSeq = seq;
      this.controlsAtSeq = 0;
    }
    return this.controlsAtSeq++;
  }

  result(backend: string, stats: EngineStats): ReplayResult {
    if (this.tally) {
      const t = this.tally;
      this.tobRows = t.tobRows;
      this.flaggedTobRows = t.flaggedTobRows;
      this.firstTs = t.firstTs;
      this.lastTs = t.lastTs;
      t.reasons().forEach((n, i) => (this.reasons[i] = n));
      const book = pnlBookOf(t.pnl());
      this.pnl.bySymbol.clear();
      for (const [k, v] of book.bySymbol) this.pnl.bySymbol.set(k, v);
    }
    if (stats.unknownRef > 0) {
      this.problems.add({
        severity: 'warning', kind: 'UNKNOWN_ORDER_REF', file: this.source, offset: -1,
        message: `${stats.unknownRef} messages referred to orders not in the table (unsubscribed symbols or unknown references)`,
      });
      const c = this.problems.counts.get('UNKNOWN_ORDER_REF');
      if (c) c.count = stats.unknownRef;
    }
    if (stats.tableFull > 0) {
      this.problems.add({
        severity: 'warning', kind: 'ORDER_TABLE_FULL', file: this.source, offset: -1,
        message: `${stats.tableFull} adds found both home sets and the stash full and were dropped from the book (${stats.ghostInserts} tracked as ghosts until they left, ${stats.untrackedDrops} untracked): their symbols were flagged COLLISION meanwhile`,
      });
      const c = this.problems.counts.get('ORDER_TABLE_FULL');
      if (c) c.count = stats.tableFull;
    }
    const rejectReasons: Record<string, number> = {};
    STRATEGY_REASON_NAMES.forEach((n, i) => (rejectReasons[n] = this.reasons[i]));
    return {
      file: this.source,
      backend,
      stats,
      problems: this.problems,
      rejectReasons,
      ...(this.orders ? { clientOrders: { ...this.orders.counts, reasons: Object.fromEntries(REASON_NAMES.map((n, i) => [n, this.orders?.reasons[i] ?? 0])) } } : {}),
      recordsSha256: this.digest instanceof ResumableSha256 ? this.digest.hex() : this.digest.copy().digest('hex'),
      recordBytes: this.recordBytes,
      pnl: this.pnl,
      wallNs: Number(process.hrtime.bigint() - this.t0),
      engineNs: this.engineNs,
      batchNs: this.batchNs,
      batchMessages: this.batchMessages,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      tobRows: this.tobRows,
      flaggedTobRows: this.flaggedTobRows,
    };
  }
}
