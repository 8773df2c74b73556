/**
 * `riskgate inspect <file> [--json]`: counts by type, the symbol directory, the time range
 * and every framing problem, without running an engine.
 */
import { parseArgs } from 'node:util';
import { readStock } from '../itch/decode.ts';
import { Problem } from '../contract.ts';
import { FrameCursor, FrameKind } from '../itch/framing.ts';
import { expectedLength } from '../itch/layout.ts';
import { byTypeObject, problemList } from '../report/replay-report.ts';
import { checkInput, readBatches } from '../source/file.ts';
import { checkItch } from '../source/sniff.ts';
import { frameProblem, ProblemLog } from '../source/problems.ts';
import { progressBar } from '../progress.ts';
import { usageError } from './usage.ts';
import { helpFor, JSON_HELP } from './help.ts';

/** Stock directory (R): the stock at 11/8 (spec §3.2). */
const STOCK_DIRECTORY = 'R'.charCodeAt(0);
const DIRECTORY_STOCK = 11;

export interface InspectResult {
  file: string;
  messages: number;
  controlMessages: number;
  byType: Record<string, number>;
  symbols: number;
  directory: string[];
  firstTimestampNs: number | null;
  lastTimestampNs: number | null;
  errors: ReturnType<typeof problemList>;
  warnings: ReturnType<typeof problemList>;
}

export async function inspectFile(file: string, onProgress?: (a: number, b: number) => void): Promise<InspectResult> {
  const problems = new ProblemLog();
  const byType = new Array<number>(256).fill(0);
  const directory: string[] = [];
  let messages = 0;
  let controls = 0;
  let first = -1;
  let last = -1;
  let nonMonotonic = 0;
  for await (const batch of readBatches(file, { problems, onProgress, batchFrames: 65536 })) {
    for (const c = new FrameCursor(batch.frames, batch.firstSeq); c.next(); ) {
      if (c.kind === FrameKind.CONTROL) {
        controls++;
        continue;
      }
      if (!c.takesSeq) continue;
      messages++;
      byType[c.type]++;
      const want = expectedLength(c.type);
      // The checks of spec §2 and §3.1, in the engine's order.
      const code = c.kind === FrameKind.TRUNCATED ? Problem.TRUNCATED : want === 0 ? Problem.UNKNOWN_TYPE : want !== c.length ? Problem.BAD_LENGTH : 0;
      if (code !== 0) {
        problems.add(frameProblem(file, { code, seq: c.seq, offset: batch.offset + c.offset, type: c.type, length: c.length, expected: want }));
      } else {
        const ts = c.timestamp();
        if (first < 0) first = ts;
        if (ts < last) nonMonotonic++;
        last = ts;
        if (c.type === STOCK_DIRECTORY) directory.push(readStock(c.body(), DIRECTORY_STOCK));
      }
    }
  }
  if (nonMonotonic > 0) {
    problems.add({ severity: 'warning', kind: 'TIMESTAMP_BACKWARDS', file, offset: -1, message: `${nonMonotonic} messages have a timestamp earlier than the message before` });
  }
  return {
    file,
    messages,
    controlMessages: controls,
    byType: byTypeObject(byType),
    symbols: directory.length,
    directory,
    firstTimestampNs: first < 0 ? null : first,
    lastTimestampNs: last < 0 ? null : last,
    errors: problemList(problems, 'error'),
    warnings: problemList(problems, 'warning'),
  };
}

function clock(ns: number | null): string {
  if (ns === null) return '-';
  const s = Math.floor(ns / 1e9);
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${String(ns % 1e9).padStart(9, '0')}`;
}

export const INSPECT_OPTIONS = { json: { type: 'boolean' } } as const;

export const help = helpFor('usage: riskgate inspect <file> [--json]', INSPECT_OPTIONS, { json: JSON_HELP });

export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: INSPECT_OPTIONS });
  if (positionals.length !== 1) throw usageError(help.usage);
  const file = positionals[0];
  checkInput(file);
  await checkItch(file);
  const bar = values.json ? undefined : progressBar(`inspect ${file}`);
  const r = await inspectFile(file, bar?.update);
  bar?.done();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  const out: string[] = [];
  out.push(`riskgate inspect — ${file}`);
  out.push(`messages    ${r.messages.toLocaleString('en-US')}${r.controlMessages ? ` (+${r.controlMessages} control messages)` : ''}`);
  out.push(`by type     ${Object.entries(r.byType).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join('  ')}`);
  out.push(`time range  ${clock(r.firstTimestampNs)} → ${clock(r.lastTimestampNs)}`);
  const dir = r.directory.length > 12 ? `${r.directory.slice(0, 12).join(' ')} … (+${r.directory.length - 12} more)` : r.directory.join(' ');
  out.push(`directory   ${r.symbols} symbols: ${dir}`);
  for (const [label, list] of [['errors', r.errors], ['warnings', r.warnings]] as const) {
    if (list.length === 0) out.push(`${label.padEnd(11)} none`);
    for (const p of list) out.push(`${label.padEnd(11)} ${p.kind} ×${p.count} — first: ${p.message}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
