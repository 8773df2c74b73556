/**
 * The replay pipeline: file → batches → engine → records → digest, exports, statistics.
 * Engine time is measured per batch call (one clock read per batch, never per message).
 *
 * At full speed with the Rust core and no hook that needs batches of whole frames, the file's
 * bytes go to the engine as they are read (src/replay/stream.ts: no framing in JavaScript);
 * otherwise the batch reader (src/source/file.ts) cuts them into batches of whole frames.
 */
import type { Config } from '../config/index.ts';
import type { Engine } from '../engine/types.ts';
import type { RecordSink } from '../export/records.ts';
import { RecordAccumulator } from '../report/accumulator.ts';
import type { ReplayResult } from '../report/result.ts';
import { batchLocator, readBatches, type Batch } from '../source/file.ts';
import { LoopTurns } from './loop-turns.ts';
import { Pacer, firstTimestamp, type Speed } from './pacing.ts';
import { sessionStreamEngine, streamSession } from './stream.ts';

export type { ReplayResult };

export interface ReplayOptions {
  file: string;
  config: Config;
  engine: Engine;
  speed?: Speed;
  /** Frames per batch; given, the replay goes through the batch reader with batches of that size. */
  batchFrames?: number;
  /** Decompressed bytes per read (gunzip ring slot or plain-file read); for tests. */
  readChunkBytes?: number;
  /**
   * Sees every span of whole frames the engine is handed, once and in order (control frames a
   * hook prepends excluded), e.g. to count messages per symbol; valid only during the call.
   */
  observe?: (frames: Buffer) => void;
  sinks?: RecordSink[];
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Called with every batch's records (after the digest), e.g. for in-process clearing. Like
   * `afterProcess`'s, the buffer is valid until the next engine call: copy what you keep.
   */
  onRecords?: (records: Buffer, batch: Batch) => void | Promise<void>;
  // Runtime-ops hooks (src/control/replay-ops.ts): in-band controls, metrics, audit replay.
  /** Wraps the batch source, e.g. to split batches at the seqs of an audit log. */
  batches?: (source: AsyncIterable<Batch>) => AsyncIterable<Batch>;
  /** Last step before the engine call (after pacing): may prepend control frames (spec §9). */
  beforeProcess?: (batch: Batch) => Batch | Promise<Batch>;
  /** Right after every engine call, with its records and duration. */
  afterProcess?: (records: Buffer, batch: Batch, engineNs: number) => void;
  /** Where the main thread's time goes, stage by stage (for `npm run bench:replay`). */
  probe?: ReplayProbe;
  /** Pacing of a `speed` other than max (default: a Pacer with the default --max-idle). */
  pacer?: Pacer;
  /**
   * Stops the replay at the next batch boundary (SIGINT/SIGTERM): the batch not yet handed to
   * the engine is not processed, and the result says where it stopped (`interrupted`).
   */
  signal?: AbortSignal;
}

/** Main-thread time per stage of the loop, filled in when passed as `probe`. */
export interface ReplayProbe {
  /** Waiting for and cutting the next batch: reads, gunzip not yet done, framing. */
  sourceNs: number;
  /** Engine calls (the result's `engineNs`, by the probe's clock) and `afterProcess`. */
  engineNs: number;
  /** The record pass: digest, reject reasons, TOB rows, P&L (RecordAccumulator.add). */
  recordsNs: number;
  /** Record sinks and `onRecords` (the clearing hand-off). */
  consumersNs: number;
  /** `observe` (e.g. the per-symbol message count); in `sourceNs` on the batch path. */
  observeNs?: number;
  messages: number;
  /** After every batch, with the messages so far. */
  onBatch?: (messages: number) => void;
  /** The clock stages are timed with, in ns (default: wall time). */
  clock?: () => number;
}

/** An engine that can write its records into a buffer the caller keeps (the Rust core). */
interface IntoEngine {
  processInto(frames: Buffer, out: Buffer, endOfInput?: boolean): number;
  maxRecordBytes(inputLength: number): number;
}

function intoEngine(engine: Engine): IntoEngine | undefined {
  const e = engine as Engine & Partial<IntoEngine>;
  return typeof e.processInto === 'function' && typeof e.maxRecordBytes === 'function' ? (e as unknown as IntoEngine) : undefined;
}

/** True when the replay can stream: nothing asks for batches of whole frames. */
function streams(opts: ReplayOptions): boolean {
  const speed = opts.speed ?? 'max';
  return speed === 'max' && opts.batchFrames === undefined && !opts.batches && !opts.beforeProcess && !opts.afterProcess && sessionStreamEngine(opts.engine) !== undefined;
}

export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  if (streams(opts)) return replayStreaming(opts);
  const { engine, config } = opts;
  // The Rust core writes each batch's records into one buffer reused for every batch (no
  // allocation, nothing for the GC); what consumes them here does so before the next call,
  // and record sinks, which may keep them queued, get a copy.
  const into = intoEngine(engine);
  let out = Buffer.alloc(0);
  const sinks = opts.sinks ?? [];
  const acc = new RecordAccumulator(opts.file, config, { nativeTally: true });
  const problems = acc.problems;
  const speed = opts.speed ?? 'max';
  const pacer = opts.pacer ?? new Pacer(speed);
  let interrupted: { beforeSeq: number; offset: number } | undefined;
  const batchFrames = opts.batchFrames ?? (speed === 'max' ? 4096 : 16);

  const probe = opts.probe;
  const now = probe?.clock ?? (() => Number(process.hrtime.bigint()));
  let mark = probe ? now() : 0;
  // The loop is done with a batch when it asks for the next: the reader may reuse its buffers.
  const source = readBatches(opts.file, { batchFrames, problems, onProgress: opts.onProgress, recycle: true, chunkBytes: opts.readChunkBytes });
  const turns = opts.signal ? new LoopTurns() : undefined;
  for await (const batch of opts.batches ? opts.batches(source) : source) {
    opts.observe?.(batch.frames);
    if (probe) probe.sourceNs += now() - mark;
    if (speed !== 'max' && !opts.signal?.aborted) {
      const ts = firstTimestamp(batch.frames);
      if (ts >= 0n) await pacer.until(ts, opts.signal);
    }
    await turns?.maybe();
    if (opts.signal?.aborted) {
      interrupted = { beforeSeq: batch.firstSeq, offset: batch.offset };
      break;
    }
    const input = opts.beforeProcess ? await opts.beforeProcess(batch) : batch;
    const t0 = probe ? now() : 0;
    let records: Buffer;
    let dt: number;
    if (into) {
      const need = into.maxRecordBytes(input.frames.length);
      if (out.length < need) out = Buffer.allocUnsafeSlow(Math.max(need, 2 * out.length));
      const s = process.hrtime.bigint();
      const n = into.processInto(input.frames, out, input.final);
      dt = Number(process.hrtime.bigint() - s);
      records = out.subarray(0, n);
    } else {
      const s = process.hrtime.bigint();
      records = engine.process(input.frames, input.final);
      dt = Number(process.hrtime.bigint() - s);
    }
    opts.afterProcess?.(records, batch, dt);
    const t1 = probe ? now() : 0;
    acc.add(records, dt, batch.messages, batchLocator(batch, input.frames));
    const t2 = probe ? now() : 0;
    if (records.length > 0) {
      if (sinks.length > 0) {
        const copy = into ? Buffer.from(records) : records;
        for (const sink of sinks) await sink.write(copy);
      }
      await opts.onRecords?.(records, batch);
    }
    if (probe) {
      mark = now();
      probe.engineNs += t1 - t0; // engine call and `afterProcess`, by the probe's clock
      probe.recordsNs += t2 - t1;
      probe.consumersNs += mark - t2;
      probe.messages += batch.messages;
      probe.onBatch?.(probe.messages);
    }
  }
  for (const sink of sinks) await sink.close();
  const result = acc.result(engine.backend, engine.stats());
  if (interrupted) result.interrupted = interrupted;
  return result;
}

/** The streaming path (src/replay/stream.ts), with the batch path's records, sinks and report. */
async function replayStreaming(opts: ReplayOptions): Promise<ReplayResult> {
  const { engine, config } = opts;
  const sinks = opts.sinks ?? [];
  const acc = new RecordAccumulator(opts.file, config, { nativeTally: true });
  const deliver = async (records: Buffer, batch: Batch) => {
    // Sinks may keep records queued: they get a copy of the reused output buffer.
    if (sinks.length > 0) {
      const copy = Buffer.from(records);
      for (const sink of sinks) await sink.write(copy);
    }
    await opts.onRecords?.(records, batch);
  };
  const interrupted = await streamSession(opts, sessionStreamEngine(engine)!, { acc, deliver }, acc.problems);
  for (const sink of sinks) await sink.close();
  const result = acc.result(engine.backend, engine.stats());
  if (interrupted) result.interrupted = interrupted;
  return result;
}
