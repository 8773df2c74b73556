/**
 * `riskgate replay <file> [--config f] [--speed max|realtime|N] [--out f] [--json]`
 */
import { parseArgs } from 'node:util';
import { configBlob, loadConfig } from '../config/index.ts';
import { createEngine } from '../engine/create.ts';
import { openRecordSink, type RecordSink } from '../export/records.ts';
import { progressBar } from '../progress.ts';
import { parseSpeed } from '../replay/pacing.ts';
import { replay } from '../replay/run.ts';
import { formatReplayReport, replayReport } from '../report/replay-report.ts';
import { checkInput } from '../source/file.ts';
import { usageError } from './usage.ts';

export const REPLAY_USAGE = 'usage: riskgate replay <file> [--config f] [--speed max|realtime|N] [--out records.jsonl|.csv|.bin] [--batch N] [--backend rust] [--json]';

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      speed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      batch: { type: 'string' },
      backend: { type: 'string' },
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
  const engine = createEngine(values.backend ?? 'rust', configBlob(config));
  const sinks: RecordSink[] = values.out ? [openRecordSink(values.out, config.symbols.map((s) => s.symbol))] : [];
  const bar = values.json ? undefined : progressBar(`replay ${file}`);
  try {
    const result = await replay({ file, config, engine, speed, batchFrames, sinks, onProgress: bar?.update });
    bar?.done();
    const report = replayReport(result, config);
    if (values.out) report.out = values.out;
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReplayReport(report)}\n`);
    return 0;
  } finally {
    bar?.done();
    engine.close();
  }
}
