/**
 * The replay pipeline for a pcap capture (spec §17): frames → the engine's Ethernet front
 * end → records → digest, exports, statistics — as src/replay/run.ts does for a session file.
 * Problems found in the records point at the capture record batch they came from.
 */
import type { Config } from '../config/index.ts';
import type { Engine } from '../engine/types.ts';
import type { RecordSink } from '../export/records.ts';
import { RecordAccumulator } from '../report/accumulator.ts';
import type { ReplayResult } from '../report/result.ts';
import { readFrameBatches, type CaptureStats } from '../source/capture.ts';
import { counterReport, frameEngine } from '../ethernet/front-end.ts';
import type { Endpoint } from '../ethernet/frame.ts';
import { formatIpv4 } from '../ethernet/frame.ts';

export interface CaptureReplayOptions {
  file: string;
  config: Config;
  engine: Engine;
  to: Endpoint;
  /** Frames per engine call (default 1024). */
  batchFrames?: number;
  sinks?: RecordSink[];
  onRecords?: (records: Buffer) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface CaptureSection {
  group: string;
  port: number;
  records: number;
  snapped: number;
  firstSnapped?: CaptureStats['firstSnapped'];
  nanoseconds: boolean;
  littleEndian: boolean;
  frames: number;
  accepted: number;
  dropped: Record<string, number>;
}

export async function replayCapture(opts: CaptureReplayOptions): Promise<ReplayResult & { capture: CaptureSection }> {
  const { engine, config } = opts;
  const fe = frameEngine(engine, opts.to);
  const acc = new RecordAccumulator(opts.file, config, { nativeTally: true });
  const stats: CaptureStats = { records: 0, snapped: 0 };
  let interrupted: { beforeSeq: number; offset: number } | undefined;
  let messages = 0;
  for await (const batch of readFrameBatches(opts.file, opts.batchFrames ?? 1024, stats)) {
    if (opts.signal?.aborted) {
      interrupted = { beforeSeq: messages + 1, offset: batch.offset };
      break;
    }
    const s = process.hrtime.bigint();
    const records = fe.process(batch, opts.file);
    const dt = Number(process.hrtime.bigint() - s);
    const now = engine.stats().messages;
    acc.add(records, dt, now - messages, batch.offset);
    messages = now;
    if (records.length > 0) {
      for (const sink of opts.sinks ?? []) await sink.write(Buffer.from(records));
      await opts.onRecords?.(records);
    }
  }
  for (const sink of opts.sinks ?? []) await sink.close();
  const result = acc.result(engine.backend, engine.stats());
  if (interrupted) result.interrupted = interrupted;
  const c = counterReport(fe.counters());
  const capture: CaptureSection = {
    group: formatIpv4(opts.to.group), port: opts.to.port, records: stats.records, snapped: stats.snapped, firstSnapped: stats.firstSnapped,
    nanoseconds: stats.header?.nanoseconds ?? false, littleEndian: stats.header?.littleEndian ?? true, ...c,
  };
  return { ...result, capture };
}

export function formatCaptureSection(c: CaptureSection): string {
  const drops = Object.entries(c.dropped).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ') || 'none';
  return (
    `${'capture'.padEnd(14)}${c.records.toLocaleString('en-US')} pcap records (${c.nanoseconds ? 'ns' : 'µs'}, ${c.littleEndian ? 'little' : 'big'}-endian)` +
    `${c.snapped ? `, ${c.snapped} captured short of their wire length` : ''}\n` +
    `${'ethernet'.padEnd(14)}${c.frames.toLocaleString('en-US')} frames to ${c.group}:${c.port}: ${c.accepted.toLocaleString('en-US')} accepted; dropped: ${drops}\n`
  );
}
