/**
 * `riskgate loadgen --brokers host:port --executions N --accounts M [--skew S] [--seed n]
 *                   [--session id] [--prefix p] [--partitions 12] [--malformed k]
 *                   [--duplicates k] [--json]`
 *
 * Synthetic executions (Zipf-skewed over accounts) straight onto `<prefix>.executions`.
 * Exit: 0 ok, 2 bad options, 8 broker unavailable.
 */
import { parseArgs } from 'node:util';
import { ClearingError } from '../clearing/errors.ts';
import { intOpt, numOpt, usageError, withCodedErrors } from './kafka-options.ts';
import { HELP_OPTION, helpFor } from './help.ts';
import { balanced, greedy, imbalance, roundRobin } from '../kafka/balance.ts';
import { loadgen, type LoadgenOptions } from '../kafka/loadgen.ts';

export interface LoadgenCommandOptions extends Omit<LoadgenOptions, 'firstAccountId' | 'ratePerSec' | 'onProgress'> {
  /** Workers to show the balance of this load for (default 3). */
  workers?: number;
  json?: boolean;
  out?: (line: string) => void;
}

export const LOADGEN_OPTIONS = {
  brokers: { type: 'string' },
  executions: { type: 'string' },
  accounts: { type: 'string' },
  skew: { type: 'string' },
  seed: { type: 'string' },
  session: { type: 'string' },
  prefix: { type: 'string' },
  partitions: { type: 'string' },
  malformed: { type: 'string' },
  duplicates: { type: 'string' },
  workers: { type: 'string' },
  json: { type: 'boolean' },
  ...HELP_OPTION,
} as const;

export const help = helpFor(
  'usage: riskgate loadgen --brokers host:port --executions N --accounts M [--skew 1.2] [--seed n] [--session id] [--prefix p] [--partitions 12] [--malformed k] [--duplicates k] [--workers 3] [--json]',
  LOADGEN_OPTIONS,
  {
    brokers: '<host:port> Kafka bootstrap broker(s), comma-separated (required)',
    executions: '<N> executions to publish (required)',
    accounts: '<M> accounts they are spread over (required)',
    skew: '<S> Zipf exponent of the spread over accounts (default 1.2; 0 = uniform)',
    seed: '<n> PRNG seed (default 1)',
    session: '<id> session id written in the executions (default 9000 + seed)',
    prefix: '<name> prefix of the Kafka topics (default riskgate)',
    partitions: '<N> partitions of the executions topic when it is created (default 12)',
    malformed: '<k> also publish k malformed executions (dead-letter drills)',
    duplicates: '<k> publish k executions twice (exactly-once drills)',
    workers: '<N> workers to show the balance of this load for (default 3)',
    json: 'print the summary as JSON',
    help: 'print this help and exit',
  },
);

/** CLI entry (src/cli.ts pattern): parses argv, then runs `runLoadgen`. */
export async function loadgenCommand(argv: string[]): Promise<number> {
  return withCodedErrors('loadgen', async () => {
    const { values } = parseArgs({
      args: argv,
      options: LOADGEN_OPTIONS,
    });
    const usage = help.usage;
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (!values.brokers || !values.executions || !values.accounts) throw usageError(usage);
    return runLoadgen({
      brokers: values.brokers,
      executions: intOpt('--executions', values.executions)!,
      accounts: intOpt('--accounts', values.accounts)!,
      skew: numOpt('--skew', values.skew),
      seed: intOpt('--seed', values.seed),
      session: intOpt('--session', values.session),
      prefix: values.prefix,
      partitions: intOpt('--partitions', values.partitions),
      malformed: intOpt('--malformed', values.malformed),
      duplicates: intOpt('--duplicates', values.duplicates),
      workers: intOpt('--workers', values.workers),
      json: values.json,
    });
  });
}

/** Runs the load generator with parsed options; resolves to the exit code. */
export async function runLoadgen(opts: LoadgenCommandOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  try {
    if (!Number.isInteger(opts.executions) || opts.executions < 1) throw new ClearingError('BAD_OPTIONS', '--executions must be a positive integer');
    if (!Number.isInteger(opts.accounts) || opts.accounts < 1) throw new ClearingError('BAD_OPTIONS', '--accounts must be a positive integer');
    if (opts.skew !== undefined && !(opts.skew >= 0)) throw new ClearingError('BAD_OPTIONS', '--skew must be ≥ 0');
    const r = await loadgen(opts);
    const members = Array.from({ length: opts.workers ?? 3 }, (_, i) => `w${i}`);
    const ps = r.perPartition.map((_, i) => i);
    const balance = {
      workers: members.length,
      roundRobin: imbalance(roundRobin(members, ps), r.perPartition),
      greedy: imbalance(greedy(members, ps, r.perPartition), r.perPartition),
      assigner: imbalance(balanced(members, ps, r.perPartition), r.perPartition),
    };
    if (opts.json) out(JSON.stringify({ ...r, balance }));
    else {
      out(`loadgen: ${r.sent} records (${r.executions} executions, ${r.malformed} malformed, ${r.duplicates} re-sent) to ${r.topic}, session ${r.session}, ${r.accounts} accounts, skew ${opts.skew ?? 1.2}`);
      out(`loadgen: ${r.ms} ms, ${r.perSecond} records/s; per partition ${r.perPartition.join(' ')}`);
      out(`loadgen: max/min load over ${members.length} workers: assigner ${balance.assigner.toFixed(3)}, greedy ${balance.greedy.toFixed(3)}, round robin ${balance.roundRobin.toFixed(3)}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ClearingError) {
      process.stderr.write(`loadgen: ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
