/**
 * The replay pipeline: file → batches → engine → records → digest, exports, statistics.
 * Engine time is measured per batch call (one clock read per batch, never per message).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { Engine, EngineStats } from '../engine/types.ts';
import type { RecordSink } from '../export/records.ts';
import { typeName } from '../itch/layout.ts';
import { REASON_NAMES, RECORD_SIZE } from '../records/layout.ts';
import { problemName } from '../records/decode.ts';
import { PnlBook } from '../report/pnl.ts';
import { offsetOfSeq, readBatches, type Batch } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';
import { Pacer, firstTimestamp, type Speed } from './pacing.ts';

export interface ReplayOptions {
  file: string;
  config: Config;
  engine: Engine;
  speed?: Speed;
  batchFrames?: number;
  sinks?: RecordSink[];
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called with every batch's records (after the digest), e.g. for in-process clearing. */
  onRecords?: (records: Buffer, batch: Batch) => void | Promise<void>;
  // Runtime-ops hooks (src/control/replay-ops.ts): in-band controls, metrics, audit replay.
  /** Wraps the batch source, e.g. to split batches at the seqs of an audit log. */
  batches?: (source: AsyncIterable<Batch>) => AsyncIterable<Batch>;
  /** Last step before the engine call (after pacing): may prepend control frames (spec §9). */
  beforeProcess?: (batch: Batch) => Batch | Promise<Batch>;
  /** Right after every engine call, with its records and duration. */
  afterProcess?: (records: Buffer, batch: Batch, engineNs: number) => void;
}

export interface ReplayResult {
  file: string;
  backend: string;
  stats: EngineStats;
  problems: ProblemLog;
  rejectReasons: Record<string, number>;
  recordsSha256: string;
  recordBytes: number;
  pnl: PnlBook;
  wallNs: number;
  engineNs: number;
  batchNs: number[];
  batchMessages: number[];
  firstTs: number;
  lastTs: number;
}

export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const { engine, config } = opts;
  const problems = new ProblemLog();
  const speed = opts.speed ?? 'max';
  const pacer = new Pacer(speed);
  const batchFrames = opts.batchFrames ?? (speed === 'max' ? 4096 : 16);
  const digest = createHash('sha256');
  const reasons = new Array<number>(REASON_NAMES.length).fill(0);
  const pnl = new PnlBook() // intraday P&L from a flat start: a seeded position has no known cost;
  const batchNs: number[] = [];
  const batchMessages: number[] = [];
  let recordBytes = 0;
  let engineNs = 0;
  let firstTs = -1;
  let lastTs = -1;
  const t0 = process.hrtime.bigint();

  const source = readBatches(opts.file, { batchFrames, problems, onProgress: opts.onProgress });
  for await (const batch of opts.batches ? opts.batches(source) : source) {
    if (speed !== 'max') {
      const ts = firstTimestamp(batch.frames);
      if (ts >= 0n) await pacer.until(ts);
    }
    const input = opts.beforeProcess ? await opts.beforeProcess(batch) : batch;
    const s = process.hrtime.bigint();
    const records = engine.process(input.frames, input.final);
    const dt = Number(process.hrtime.bigint() - s);
    opts.afterProcess?.(records, batch, dt);
    engineNs += dt;
    if (batch.messages > 0) {
      batchNs.push(dt);
      batchMessages.push(batch.messages);
    }
    if (records.length === 0) continue;
    digest.update(records);
    recordBytes += records.length;
    for (let off = 0; off + RECORD_SIZE <= records.length; off += RECORD_SIZE) {
      const kind = records[off + 1];
      if (kind === 2) {
        if (records[off + 26] !== 1) {
          const r = records.readUInt16LE(off + 24);
          for (let bit = 0; bit < reasons.length; bit++) if (r & (1 << bit)) reasons[bit]++;
        }
      } else if (kind === 3) {
        pnl.fill(records[off + 2], records[off + 3] === 0x42 ? 'B' : 'S', records.readUInt32LE(off + 16), records.readUInt32LE(off + 20));
      } else if (kind === 1) {
        const ts = records.readUIntLE(off + 10, 6);
        if (firstTs < 0) firstTs = ts;
        lastTs = ts;
      } else if (kind === 5) {
        const seq = records.readUIntLE(off + 4, 6);
        const code = records[off + 3];
        const loc = offsetOfSeq(batch, seq);
        const type = records[off + 16];
        const len = records.readUInt16LE(off + 18);
        const want = records.readUInt16LE(off + 20);
        const name = problemName(code);
        const detail =
          name === 'BAD_LENGTH' ? `type ${typeName(type)} has length ${len}, expected ${want}`
          : name === 'UNKNOWN_TYPE' ? `unknown message type ${typeName(type)} (length ${len}) skipped`
          : name === 'TRUNCATED' ? `last message (type ${typeName(type)}) declares ${len} bytes but the input ends first`
          : name === 'BAD_CONTROL' ? `control message refused (op ${type}) before seq ${seq}`
          : `problem code ${code}`;
        problems.add({ severity: 'error', kind: name, file: opts.file, offset: loc.offset, seq, type: typeName(type), message: `${opts.file}: offset ${loc.offset}, seq ${seq}: ${detail}` });
      }
    }
    for (const sink of opts.sinks ?? []) await sink.write(records);
    await opts.onRecords?.(records, batch);
  }
  for (const sink of opts.sinks ?? []) await sink.close();
  const stats = engine.stats();
  if (stats.unknownRef > 0) {
    problems.add({
      severity: 'warning', kind: 'UNKNOWN_ORDER_REF', file: opts.file, offset: -1,
      message: `${stats.unknownRef} messages referred to orders not in the table (unsubscribed symbols or unknown references)`,
    });
    const c = problems.counts.get('UNKNOWN_ORDER_REF');
    if (c) c.count = stats.unknownRef;
  }
  if (stats.tableFull > 0) {
    problems.add({ severity: 'warning', kind: 'ORDER_TABLE_SET_FULL', file: opts.file, offset: -1, message: `${stats.tableFull} adds dropped because their order-table set was full (COLLISION)` });
    const c = problems.counts.get('ORDER_TABLE_SET_FULL');
    if (c) c.count = stats.tableFull;
  }
  const rejectReasons: Record<string, number> = {};
  REASON_NAMES.forEach((n, i) => (rejectReasons[n] = reasons[i]));
  return {
    file: opts.file,
    backend: engine.backend,
    stats,
    problems,
    rejectReasons,
    recordsSha256: digest.digest('hex'),
    recordBytes,
    pnl,
    wallNs: Number(process.hrtime.bigint() - t0),
    engineNs,
    batchNs,
    batchMessages,
    firstTs,
    lastTs,
  };
}
