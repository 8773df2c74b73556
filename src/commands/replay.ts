/**
 * `riskgate replay <file> [--config f] [--symbols A,B,…|top:N] [--speed max|realtime|N] [--out f] [--json]`
 *
 * `--symbols` trades the given symbols (or the file's N busiest, found by a first streamed
 * pass) with the config's accounts and strategy; symbols the config does not list get its
 * `symbolDefaults`. Every report checks the subscription against the file's stock directory
 * (`symbols` in --json): messages for the subscribed symbols, and unknown symbols by name.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { formatSubscription, subscriptionReport } from '../config/subscription.ts';
import { chooseSymbols } from '../config/choose-symbols.ts';
import { OUT_USAGE, openRecordSink, type RecordSink } from '../export/records.ts';
import { progressBar } from '../progress.ts';
import { DEFAULT_MAX_IDLE_MS, Pacer, parseMaxIdle, parseSpeed } from '../replay/pacing.ts';
import { pacedProgress } from '../replay/paced-progress.ts';
import { replay } from '../replay/run.ts';
import { formatReplayReport, replayReport } from '../report/replay-report.ts';
import { formatHardwareSection, fpgaOf, hardwareSection } from '../report/hardware.ts';
import { checkInput, type Batch } from '../source/file.ts';
import { usageError } from './usage.ts';
import { checkItch } from '../source/sniff.ts';
import { isPcap } from '../source/pcap.ts';
import { ENDPOINT_HELP, ENDPOINT_OPTIONS, ORDER_PORT_HELP, parseEndpoint } from '../ethernet/endpoint-options.ts';
import { formatCaptureSection, replayCapture } from '../replay/capture.ts';
import { createEngine } from '../engine/create.ts';
import { configBlob } from '../config/index.ts';
import { takeEarlySignal } from '../signals.ts';
import { CLEARING_HELP, CONFIG_HELP, FORMAT_HELP, helpFor, JSON_HELP, OPS_HELP, OUT_HELP } from './help.ts';
import { OPS_OPTIONS, OPS_USAGE, opsText, startOps } from '../control/replay-ops.ts';
import { CLEARING_OPTIONS, CLEARING_USAGE, startReplayClearing } from '../clearing/replay-clearing.ts';

export const REPLAY_USAGE = 'usage: riskgate replay <file.itch[.gz]|capture.pcap> [--config f] [--group A.B.C.D[:PORT]] [--symbols A,B,…|top:N] [--speed max|realtime|N] ' + OUT_USAGE + ' [--batch N] [--backend rust|fpga|shadow] [--json] ' + OPS_USAGE + ' ' + CLEARING_USAGE;

export const REPLAY_OPTIONS = {
  config: { type: 'string' },
  symbols: { type: 'string' },
  speed: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
  batch: { type: 'string' },
  backend: { type: 'string' },
  'max-idle': { type: 'string' },
  ...ENDPOINT_OPTIONS,
  ...OPS_OPTIONS,
  ...CLEARING_OPTIONS,
} as const;

export const help = helpFor(REPLAY_USAGE, REPLAY_OPTIONS, {
  config: CONFIG_HELP,
  symbols: '<A,B,…|top:N> trade these symbols (or the file\'s N busiest) with the config\'s accounts and strategy',
  speed: '<max|realtime|N> pacing by ITCH timestamps: as fast as possible (default), real time, or N times real time',
  out: OUT_HELP,
  format: FORMAT_HELP,
  json: JSON_HELP,
  batch: '<N> framed messages per engine call (default 4096; 16 when paced); for a pcap capture, frames per call (default 1024)',
  'max-idle': `<ms> paced runs (no effect at max): the longest wait for the next message; a longer gap in the ITCH timestamps is cut to this (default ${DEFAULT_MAX_IDLE_MS}; 0 waits out every gap)`,
  group: ENDPOINT_HELP,
  'order-port': ORDER_PORT_HELP,
  backend: '<rust|fpga|shadow> engine: the Rust core (default), the Verilated pipeline, or both compared on every batch',
  ...OPS_HELP,
  ...CLEARING_HELP,
});

/**
 * SIGINT/SIGTERM are handled from the first moment of the run: the replay stops at the next
 * batch boundary (queued controls are refused explicitly), the report and the audit end line
 * are written, and the exit status is 0. With --hold the signal also ends the serving. A second
 * signal stops at once (exit 130).
 */
export async function replayCommand(argv: string[]): Promise<number> {
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.stderr.write(`riskgate replay: ${sig} again: stopping now\n`);
      process.exit(130);
    }
    process.stderr.write(`riskgate replay: ${sig}: stopping at the next batch boundary\n`);
    stop.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const early = takeEarlySignal();
  if (early) onSignal(early);
  try {
    return await replayRun(argv, stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function replayRun(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: REPLAY_OPTIONS });
  if (positionals.length !== 1) throw usageError(REPLAY_USAGE);
  const file = positionals[0];
  checkInput(file);
  if (await isPcap(file)) return replayCaptureRun(file, values, signal);
  if (values.group !== undefined) throw usageError('--group applies to a pcap capture only');
  if (values['order-port'] !== undefined) throw usageError('--order-port applies to a pcap capture only');
  await checkItch(file);
  let config = loadConfig(values.config);
  // The symbols traded: the config's, or --symbols (a list, or the file's N busiest from a first pass).
  const chosen = await chooseSymbols(config, values.config, file, values.symbols, !values.json);
  config = chosen.config;
  const { chosenBy, seen } = chosen;
  let speed;
  let maxIdleMs;
  try {
    speed = parseSpeed(values.speed);
    maxIdleMs = parseMaxIdle(values['max-idle']);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const batchFrames = values.batch === undefined ? undefined : Number(values.batch);
  if (batchFrames !== undefined && (!Number.isInteger(batchFrames) || batchFrames < 1)) throw usageError('--batch must be a positive integer');
  // The export opens now: a bad --out/--format or an unwritable path stops before anything runs.
  if (values.format !== undefined && values.out === undefined) throw usageError('--format needs --out');
  const sinks: RecordSink[] = values.out ? [openRecordSink(values.out, { format: values.format, config, input: file })] : [];
  // Clearing of the fills: in process (worker threads) by default, or executions to Kafka with --brokers.
  const clearing = await startReplayClearing(values, config);
  // Runtime ops (controls, audit, server, metrics, failover): the engine to use and loop hooks.
  const ops = await startOps(values, { file, config, backend: values.backend ?? 'rust', json: values.json === true, signal });
  const engine = ops.engine;
  // A paced run shows messages, session time and an ETA (on a TTY, or a line every few seconds).
  const pacer = speed === 'max' ? undefined : new Pacer(speed, maxIdleMs);
  const paced = pacer ? pacedProgress(file, pacer) : undefined;
  let pacingReport: Record<string, unknown> | undefined;
  const bar = values.json || paced ? undefined : progressBar(`replay ${file}`);
  try {
    // Messages per symbol are counted as the engine is handed the frames (unless a first pass
    // counted them); a batch hook (pacing progress, audit splits) makes the replay go by batches.
    const observe = chosen.scanned ? undefined : (frames: Buffer) => seen.observe(frames);
    const opsBatches = ops.hooks.batches;
    const batches = paced || opsBatches
      ? (src: AsyncIterable<Batch>) => {
          const shown = paced ? paced.wrap(src) : src;
          return opsBatches ? opsBatches(shown) : shown;
        }
      : undefined;
    const result = await replay({ file, config, engine, speed, batchFrames, sinks, onProgress: bar?.update, onRecords: clearing.onRecords, ...ops.hooks, batches, observe, signal, pacer });
    paced?.stop();
    if (pacer) pacingReport = { speed: values.speed ?? 'max', maxIdleMs: pacer.maxIdleMs, gapsCapped: pacer.gapsCapped, idleSkippedMs: Number(pacer.skippedNs / 1_000_000n) };
    bar?.done();
    const report = replayReport(result, config);
    if (pacingReport) report.pacing = pacingReport;
    if (result.interrupted) report.interrupted = { signal: String(signal.reason), ...result.interrupted };
    const subscription = subscriptionReport(config, seen, chosenBy);
    report.symbols = subscription;
    const fpga = fpgaOf(engine);
    if (fpga) report.hardware = hardwareSection(fpga, result.stats.messages, result.engineNs);
    if (values.out) report.out = values.out;
    await clearing.finish(report);
    await ops.finish(result, report);
    const pacingLine = pacer ? `${'pacing'.padEnd(14)}--speed ${values.speed}: ${pacer.gapsCapped} idle gaps cut to --max-idle ${pacer.maxIdleMs} ms${pacer.gapsCapped ? ` (${Number(pacer.skippedNs / 1_000_000n).toLocaleString('en-US')} ms of waiting skipped)` : ''}\n` : '';
    const stopped = result.interrupted ? `INTERRUPTED by ${String(signal.reason)} before seq ${result.interrupted.beforeSeq} (offset ${result.interrupted.offset}): the report covers the messages before it\n\n` : '';
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${stopped}${formatReplayReport(report)}\n${opsText(report)}${pacingLine}\n${formatSubscription(subscription)}${report.hardware ? formatHardwareSection(report.hardware as Record<string, unknown>) : ''}${clearing.text(report)}\n`);
    return 0;
  } catch (e) {
    ops.fail(e);
    throw e;
  } finally {
    bar?.done();
    paced?.stop();
    engine.close();
    await clearing.close();
    await ops.close();
  }
}

/** Options that need a BinaryFILE session (pacing, runtime ops, a first pass over the file). */
const NOT_FOR_CAPTURES = ['speed', 'max-idle', 'hold', 'serve', 'audit-in', 'audit-run', 'audit-out', 'standby', 'inject-fault', 'inject-hang', 'hang-timeout-ms', 'token-file', 'public-metrics', 'host', 'port'] as const;

/** `replay capture.pcap`: the frames through the engine's Ethernet front end (spec §17). */
async function replayCaptureRun(file: string, values: Record<string, unknown>, signal: AbortSignal): Promise<number> {
  for (const k of NOT_FOR_CAPTURES) if (values[k] !== undefined) throw usageError(`--${k} is not available with a pcap capture (${file})`);
  if (typeof values.symbols === 'string' && values.symbols.startsWith('top:')) throw usageError('--symbols top:N is not available with a pcap capture: name the symbols (--symbols A,B,…)');
  const to = parseEndpoint(values.group as string | undefined, values['order-port'] as string | undefined);
  let config = loadConfig(values.config as string | undefined);
  if (values.symbols !== undefined) config = (await chooseSymbols(config, values.config as string | undefined, file, values.symbols as string, false)).config;
  const batchFrames = values.batch === undefined ? undefined : Number(values.batch);
  if (batchFrames !== undefined && (!Number.isInteger(batchFrames) || batchFrames < 1)) throw usageError('--batch must be a positive integer');
  if (values.format !== undefined && values.out === undefined) throw usageError('--format needs --out');
  const sinks: RecordSink[] = values.out ? [openRecordSink(values.out as string, { format: values.format as string | undefined, config, input: file })] : [];
  const clearing = await startReplayClearing(values as Parameters<typeof startReplayClearing>[0], config);
  const engine = createEngine((values.backend as string | undefined) ?? 'rust', configBlob(config));
  try {
    const result = await replayCapture({ file, config, engine, to, batchFrames, sinks, onRecords: clearing.onRecords, signal });
    const report = replayReport(result, config);
    report.capture = result.capture;
    if (result.interrupted) report.interrupted = { signal: String(signal.reason), ...result.interrupted };
    const fpga = fpgaOf(engine);
    if (fpga) report.hardware = hardwareSection(fpga, result.stats.messages, result.engineNs);
    if (values.out) report.out = values.out;
    await clearing.finish(report);
    const stopped = result.interrupted ? `INTERRUPTED by ${String(signal.reason)} (offset ${result.interrupted.offset}): the report covers the frames before it\n\n` : '';
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${stopped}${formatReplayReport(report)}\n${formatCaptureSection(result.capture)}${report.hardware ? formatHardwareSection(report.hardware as Record<string, unknown>) : ''}${clearing.text(report)}\n`);
    return 0;
  } finally {
    engine.close();
    await clearing.close();
  }
}
