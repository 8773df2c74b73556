/**
 * What a run keeps of the record stream for its report — the file replay (src/replay/run.ts)
 * and the Kafka feed consumer (src/kafka/feed-run.ts) alike: the SHA-256 digest, reject
 * reasons, per-symbol P&L, problems, ITCH time range and per-call engine time, plus the
 * state of the global kill switch as CONTROL records show it.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { EngineStats } from '../engine/types.ts';
import { ControlOp, typeName } from '../itch/layout.ts';
import { problemName } from '../records/decode.ts';
import { REASON_NAMES, RECORD_SIZE } from '../records/layout.ts';
import type { ReplayResult } from '../replay/run.ts';
import { PnlBook } from './pnl.ts';
import { ProblemLog } from '../source/problems.ts';

export class RecordAccumulator {
  readonly problems = new ProblemLog();
  readonly pnl: PnlBook;
  private readonly digest: Hash = createHash('sha256');
  private readonly reasons = new Array<number>(REASON_NAMES.length).fill(0);
  recordBytes = 0;
  engineNs = 0;
  readonly batchNs: number[] = [];
  readonly batchMessages: number[] = [];
  firstTs = -1;
  lastTs = -1;
  /** Global kill switch as the CONTROL records leave it. */
  globalKill: boolean;
  readonly t0 = process.hrtime.bigint();

  constructor(
    readonly source: string,
    config: Config,
  ) {
    // Intraday P&L from a flat start: a seeded position has no known cost.
    this.pnl = new PnlBook();
    this.globalKill = config.globalKill;
  }

  /**
   * One engine call's records. `where` locates a problem's input for its report: a byte
   * offset in the file (given the seq) or a Kafka offset.
   */
  add(records: Buffer, engineNs: number, messages: number, where: number | ((seq: number) => number)): void {
    this.engineNs += engineNs;
    if (messages > 0) {
      this.batchNs.push(engineNs);
      this.batchMessages.push(messages);
    }
    if (records.length === 0) return;
    this.digest.update(records);
    this.recordBytes += records.length;
    for (let off = 0; off + RECORD_SIZE <= records.length; off += RECORD_SIZE) {
      const kind = records[off + 1];
      if (kind === 2) {
        if (records[off + 26] !== 1) {
          const r = records.readUInt16LE(off + 24);
          for (let bit = 0; bit < this.reasons.length; bit++) if (r & (1 << bit)) this.reasons[bit]++;
        }
      } else if (kind === 3) {
        this.pnl.fill(records[off + 2], records[off + 3] === 0x42 ? 'B' : 'S', records.readUInt32LE(off + 16), records.readUInt32LE(off + 20));
      } else if (kind === 1) {
        const ts = records.readUIntLE(off + 10, 6);
        if (this.firstTs < 0) this.firstTs = ts;
        this.lastTs = ts;
      } else if (kind === 4) {
        if (records[off + 3] === ControlOp.GLOBAL_KILL) this.globalKill = records.readBigUInt64LE(off + 16) !== 0n;
      } else if (kind === 5) {
        const seq = records.readUIntLE(off + 4, 6);
        const code = records[off + 3];
        const type = records[off + 16];
        const len = records.readUInt16LE(off + 18);
        const want = records.readUInt16LE(off + 20);
        const at = typeof where === 'number' ? where : where(seq);
        const name = problemName(code);
        const detail =
          name === 'BAD_LENGTH' ? `type ${typeName(type)} has length ${len}, expected ${want}`
          : name === 'UNKNOWN_TYPE' ? `unknown message type ${typeName(type)} (length ${len}) skipped`
          : name === 'TRUNCATED' ? `last message (type ${typeName(type)}) declares ${len} bytes but the input ends first`
          : name === 'BAD_CONTROL' ? `control message refused (op ${type}) before seq ${seq}`
          : `problem code ${code}`;
        this.problems.add({ severity: 'error', kind: name, file: this.source, offset: at, seq, type: typeName(type), message: `${this.source}: offset ${at}, seq ${seq}: ${detail}` });
      }
    }
  }

  result(backend: string, stats: EngineStats): ReplayResult {
    if (stats.unknownRef > 0) {
      this.problems.add({
        severity: 'warning', kind: 'UNKNOWN_ORDER_REF', file: this.source, offset: -1,
        message: `${stats.unknownRef} messages referred to orders not in the table (unsubscribed symbols or unknown references)`,
      });
      const c = this.problems.counts.get('UNKNOWN_ORDER_REF');
      if (c) c.count = stats.unknownRef;
    }
    if (stats.tableFull > 0) {
      this.problems.add({ severity: 'warning', kind: 'ORDER_TABLE_SET_FULL', file: this.source, offset: -1, message: `${stats.tableFull} adds dropped because their order-table set was full (COLLISION)` });
      const c = this.problems.counts.get('ORDER_TABLE_SET_FULL');
      if (c) c.count = stats.tableFull;
    }
    const rejectReasons: Record<string, number> = {};
    REASON_NAMES.forEach((n, i) => (rejectReasons[n] = this.reasons[i]));
    return {
      file: this.source,
      backend,
      stats,
      problems: this.problems,
      rejectReasons,
      recordsSha256: this.digest.copy().digest('hex'),
      recordBytes: this.recordBytes,
      pnl: this.pnl,
      wallNs: Number(process.hrtime.bigint() - this.t0),
      engineNs: this.engineNs,
      batchNs: this.batchNs,
      batchMessages: this.batchMessages,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
    };
  }
}
