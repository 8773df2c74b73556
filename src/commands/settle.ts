/**
 * `riskgate settle --brokers host:port [--report out.csv] [--json] [--prefix p] [--broker-timeout ms]`
 *
 * End-of-day settlement report (net quantity and net cash obligation per account and symbol,
 * CSV) and the reconciliation of executions in against executions cleared. `--json` prints
 * `{executions, cleared, lost, duplicated, unknown, malformed, malformedRecords, foreign,
 * foreignRecords, inputDuplicates, accounts, breaks}`. Foreign records (not JSON, or not a
 * settlement entry / position) in the settlements or positions topic are listed with topic,
 * partition and offset and are breaks. Exit: 0 reconciled, 9 breaks found, 2 bad options,
 * 8 broker unavailable.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ClearingError } from '../clearing/errors.ts';
import { intOpt, usageError, withCodedErrors } from './kafka-options.ts';
import { HELP_OPTION, helpFor } from './help.ts';
import { toCsv } from '../clearing/report.ts';
import { settle } from '../kafka/settle.ts';

export interface SettleCommandOptions {
  brokers: string;
  report?: string;
  json?: boolean;
  prefix?: string;
  /** Give up waiting for the broker at start after this long (default 120000 ms). */
  brokerTimeoutMs?: number;
  out?: (line: string) => void;
  /** Progress lines (waiting for the broker); default stderr. */
  err?: (line: string) => void;
}

export const EXIT_BREAKS = 9;

export const SETTLE_OPTIONS = {
  brokers: { type: 'string' },
  report: { type: 'string' },
  json: { type: 'boolean' },
  prefix: { type: 'string' },
  'broker-timeout': { type: 'string' },
  ...HELP_OPTION,
} as const;

export const help = helpFor('usage: riskgate settle --brokers host:port [--report out.csv] [--json] [--prefix p] [--broker-timeout ms]', SETTLE_OPTIONS, {
  brokers: '<host:port> Kafka bootstrap broker(s), comma-separated (required)',
  report: '<file.csv> write the settlement report (net quantity and cash per account and symbol)',
  json: 'print the reconciliation as JSON',
  prefix: '<name> prefix of the Kafka topics (default riskgate)',
  'broker-timeout': '<ms> give up waiting for the broker at start after this long (default 120000); each retry is shown on stderr',
  help: 'print this help and exit',
}, 'exit 0 reconciled, 9 breaks found (lost, duplicated or unknown executions, position disagreements, foreign records in the settlements or positions topic)');

/** CLI entry (src/cli.ts pattern): parses argv, then runs `runSettle`. */
export async function settleCommand(argv: string[]): Promise<number> {
  return withCodedErrors('settle', async () => {
    const { values } = parseArgs({
      args: argv,
      options: SETTLE_OPTIONS,
    });
    const usage = help.usage;
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (!values.brokers) throw usageError(usage);
    return runSettle({
      brokers: values.brokers, report: values.report, json: values.json, prefix: values.prefix,
      brokerTimeoutMs: intOpt('--broker-timeout', values['broker-timeout']),
    });
  });
}

/** Settles with parsed options; resolves to the exit code. */
export async function runSettle(opts: SettleCommandOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  try {
    const err = opts.err ?? ((l: string) => process.stderr.write(l + '\n'));
    const t0 = Date.now();
    const limit = opts.brokerTimeoutMs ?? 120_000;
    const r = await settle({
      brokers: opts.brokers, prefix: opts.prefix, brokerTimeoutMs: opts.brokerTimeoutMs,
      onBrokerWait: ({ attempt, delayMs, error }) =>
        err(`settle: waiting for the broker at ${opts.brokers}: attempt ${attempt} failed (${error}); next try in ${(delayMs / 1000).toFixed(1)} s, ` +
          `${Math.round((Date.now() - t0) / 1000)} s of ${Math.round(limit / 1000)} s (--broker-timeout) spent`),
    });
    if (opts.report) writeFileSync(opts.report, toCsv(r.lines));
    const summary = {
      executions: r.executions,
      cleared: r.cleared,
      lost: r.lost,
      duplicated: r.duplicated,
      unknown: r.unknown,
      malformed: r.malformed,
      malformedRecords: r.malformedRecords,
      foreign: r.foreign,
      foreignRecords: r.foreignRecords,
      inputDuplicates: r.inputDuplicates,
      settlementEntries: r.settlementEntries,
      accounts: r.accounts,
      lines: r.lines.length,
      breaks: r.breaks,
    };
    if (opts.json) out(JSON.stringify(summary));
    else {
      out(`settle: executions ${r.executions}, cleared ${r.cleared}, lost ${r.lost}, duplicated ${r.duplicated}, unknown ${r.unknown}, malformed ${r.malformed}, re-sent ids ${r.inputDuplicates}, foreign ${r.foreign}`);
      for (const f of r.malformedRecords.slice(0, 5)) out(`settle: malformed execution ${f.topic}/${f.partition}@${f.offset}: ${f.reason} (dead-lettered by clear)`);
      out(`settle: ${r.accounts} accounts, ${r.lines.length} account/symbol lines${opts.report ? ` written to ${opts.report}` : ''}; ${r.breaks.length} breaks (${r.ms} ms)`);
      for (const b of r.breaks.slice(0, 20)) out(`settle: break ${b.kind} ${b.execId ?? b.record ?? `${b.accountId}:${b.symbol}`}: ${b.detail}`);
    }
    return r.breaks.length ? EXIT_BREAKS : 0;
  } catch (e) {
    if (e instanceof ClearingError) {
      process.stderr.write(`settle: ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
