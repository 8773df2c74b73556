/**
 * `riskgate replay <file> [--config f] [--speed max|realtime|N] [--out f] [--json]`
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { OUT_USAGE, openRecordSink, type RecordSink } from '../export/records.ts';
import { progressBar } from '../progress.ts';
import { parseSpeed } from '../replay/pacing.ts';
import { replay } from '../replay/run.ts';
import { formatReplayReport, replayReport } from '../report/replay-report.ts';
import { formatHardwareSection, fpgaOf, hardwareSection } from '../report/hardware.ts';
import { checkInput } from '../source/file.ts';
import { usageError } from './usage.ts';
import { OPS_OPTIONS, OPS_USAGE, startOps } from '../control/replay-ops.ts';
import { CLEARING_OPTIONS, CLEARING_USAGE, startReplayClearing } from '../clearing/replay-clearing.ts';

export const REPLAY_USAGE = 'usage: riskgate replay <file> [--config f] [--speed max|realtime|N] ' + OUT_USAGE + ' [--batch N] [--backend rust|fpga|shadow] [--json] ' + OPS_USAGE + ' ' + CLEARING_USAGE;

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      speed: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
      batch: { type: 'string' },
      backend: { type: 'string' },
      ...OPS_OPTIONS,
      ...CLEARING_OPTIONS,
    },
  });
  if (positionals.length !== 1) throw usageError(REPLAY_USAGE);
  const file = positionals[0];
  checkInput(file);
  const config = loadConfig(values.config);
  let speed;
  try {
    speed = parseSpeed(values.speed);
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
  const ops = await startOps(values, { file, config, backend: values.backend ?? 'rust', json: values.json === true });
  const engine = ops.engine;
  const bar = values.json ? undefined : progressBar(`replay ${file}`);
  try {
    const result = await replay({ file, config, engine, speed, batchFrames, sinks, onProgress: bar?.update, onRecords: clearing.onRecords, ...ops.hooks });
    bar?.done();
    const report = replayReport(result, config);
    const fpga = fpgaOf(engine);
    if (fpga) report.hardware = hardwareSection(fpga, result.stats.messages, result.engineNs);
    if (values.out) report.out = values.out;
    await clearing.finish(report);
    await ops.finish(result, report);
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReplayReport(report)}${report.hardware ? formatHardwareSection(report.hardware as Record<string, unknown>) : ''}${clearing.text(report)}\n`);
    return 0;
  } catch (e) {
    ops.fail(e);
    throw e;
  } finally {
    bar?.done();
    engine.close();
    await clearing.close();
    await ops.close();
  }
}
