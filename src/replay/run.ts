/**
 * The replay pipeline: file → batches → engine → records → digest, exports, statistics.
 * Engine time is measured per batch call (one clock read per batch, never per message).
 */
import type { Config } from '../config/index.ts';
import type { Engine } from '../engine/types.ts';
import type { RecordSink } from '../export/records.ts';
import { RecordAccumulator } from '../report/accumulator.ts';
import type { ReplayResult } from '../report/result.ts';
import { batchLocator, readBatches, type Batch } from '../source/file.ts';
import { Pacer, firstTimestamp, type Speed } from './pacing.ts';

export type { ReplayResult };

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

export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const { engine, config } = opts;
  const acc = new RecordAccumulator(opts.file, config);
  const problems = acc.problems;
  const speed = opts.speed ?? 'max';
  const pacer = new Pacer(speed);
  const batchFrames = opts.batchFrames ?? (speed === 'max' ? 4096 : 16);

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
    acc.add(records, dt, batch.messages, batchLocator(batch, input.frames));
    if (records.length === 0) continue;
    for (const sink of opts.sinks ?? []) await sink.write(records);
    await opts.onRecords?.(records, batch);
  }
  for (const sink of opts.sinks ?? []) await sink.close();
  return acc.result(engine.backend, engine.stats());
}
