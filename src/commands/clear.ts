/**
 * `riskgate clear --brokers host:port --workers N [--config f] [--prefix p]
 *                 [--exit-when-idle ms] [--at-least-once] [--events]`
 *
 * Runs N clearing worker OS processes in one consumer group over `<prefix>.executions`.
 * Prints assignments and progress; `--events` prints every worker event as a JSON line.
 * Runs until SIGINT/SIGTERM, or with --exit-when-idle until the group has had no lag for that
 * long. A partition whose outputs the broker refuses for good is stopped by its worker
 * (`partition-failed`): reported on stderr, the other partitions go on, `--exit-when-idle`
 * counts only their lag, and the exit is 6. Exit: 0 ok, 2 bad options, 5 bad fee config,
 * 6 all workers died or a partition stopped, 8 broker unavailable.
 */
import { parseArgs } from 'node:util';
import { ClearingError } from '../clearing/errors.ts';
import { intOpt, usageError, withCodedErrors } from './kafka-options.ts';
import { HELP_OPTION, helpFor } from './help.ts';
import { loadFeeSchedule } from '../clearing/fees.ts';
import { makeKafka, parseBrokers, sleep, waitForBroker } from '../kafka/client.ts';
import { groupLag } from '../kafka/lag.ts';
import { spawnWorkers, stopWorkers, type WorkerEvent } from '../kafka/supervisor.ts';
import { topicNames } from '../kafka/topics.ts';

export interface ClearCommandOptions {
  brokers: string;
  workers?: number;
  config?: string;
  prefix?: string;
  /** Stop once the group's lag has been 0 for this many ms (default: run until a signal). */
  exitWhenIdle?: number;
  /** Negative control: plain producer, no transactions, no de-duplication. */
  atLeastOnce?: boolean;
  /** Print every worker event as a JSON line. */
  events?: boolean;
  /** Most executions per transaction. */
  maxTx?: number;
  /** Give up waiting for the broker at start after this long (default 120000 ms). */
  brokerTimeoutMs?: number;
  out?: (line: string) => void;
}

export const CLEAR_OPTIONS = {
  brokers: { type: 'string' },
  workers: { type: 'string' },
  config: { type: 'string' },
  prefix: { type: 'string' },
  'exit-when-idle': { type: 'string' },
  'at-least-once': { type: 'boolean' },
  events: { type: 'boolean' },
  'max-tx': { type: 'string' },
  'broker-timeout': { type: 'string' },
  ...HELP_OPTION,
} as const;

export const help = helpFor('usage: riskgate clear --brokers host:port [--workers N] [--config f] [--prefix p] [--exit-when-idle ms] [--at-least-once] [--events] [--max-tx n] [--broker-timeout ms]', CLEAR_OPTIONS, {
  brokers: '<host:port> Kafka bootstrap broker(s), comma-separated (required)',
  workers: '<N> clearing worker processes in the consumer group, 1..64 (default 3)',
  config: '<file> config with the fee schedule (default config/default.json)',
  prefix: '<name> prefix of the Kafka topics (default riskgate)',
  'exit-when-idle': '<ms> stop once the group has had no lag for this long (default: run until SIGINT/SIGTERM)',
  'at-least-once': 'negative control: plain producer, no transactions, no de-duplication',
  events: 'print every worker event as a JSON line',
  'max-tx': '<N> most executions per transaction',
  'broker-timeout': '<ms> give up waiting for the broker at start after this long (default 120000)',
  help: 'print this help and exit',
});

/** CLI entry (src/cli.ts pattern): parses argv, then runs `runClear`. */
export async function clearCommand(argv: string[]): Promise<number> {
  return withCodedErrors('clear', async () => {
    const { values } = parseArgs({
      args: argv,
      options: CLEAR_OPTIONS,
    });
    const usage = help.usage;
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (!values.brokers) throw usageError(usage);
    return runClear({
      brokers: values.brokers,
      workers: intOpt('--workers', values.workers),
      config: values.config,
      prefix: values.prefix,
      exitWhenIdle: intOpt('--exit-when-idle', values['exit-when-idle']),
      atLeastOnce: values['at-least-once'],
      events: values.events,
      maxTx: intOpt('--max-tx', values['max-tx']),
      brokerTimeoutMs: intOpt('--broker-timeout', values['broker-timeout']),
    });
  });
}

/** Runs the clearing workers with parsed options; resolves to the exit code. */
export async function runClear(opts: ClearCommandOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = (l: string) => process.stderr.write(l + '\n');
  try {
    parseBrokers(opts.brokers);
    const n = opts.workers ?? 3;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new ClearingError('BAD_OPTIONS', '--workers must be 1..64');
    const fees = loadFeeSchedule(opts.config ?? 'config/default.json');
    const names = topicNames(opts.prefix);
    const kafka = makeKafka(opts.brokers, 'riskgate-clear-supervisor');
    await waitForBroker(opts.brokers, {
      timeoutMs: opts.brokerTimeoutMs,
      onRetry: ({ attempt, delayMs, error }) => err(`clear: broker ${opts.brokers} unavailable (${error}); retry ${attempt} in ${delayMs} ms`),
    });
    const totals = new Map<string, { cleared: number; duplicates: number; dlq: number; rerouted: number }>();
    const failed = new Map<number, string>();
    const onEvent = (e: WorkerEvent) => {
      if (opts.events) out(JSON.stringify(e));
      if (e.event === 'progress') totals.set(e.w, { cleared: Number(e.cleared), duplicates: Number(e.duplicates), dlq: Number(e.dlq), rerouted: Number(e.rerouted ?? 0) });
      if (e.event === 'partition-failed') {
        const p = Number(e.partition);
        if (!failed.has(p)) err(`clear: partition ${p} stopped by ${e.w} at offset ${e.offset}: ${e.type}: ${e.error}`);
        failed.set(p, String(e.error));
      }
      if (!opts.events) {
        if (e.event === 'assignment') {
          out(
            `clear: assignment by ${e.w}: ratio ${Number(e.ratio).toFixed(3)} (round robin ${Number(e.roundRobinRatio).toFixed(3)}, greedy ${Number(e.greedyRatio).toFixed(3)}) ${JSON.stringify(e.plan)}`,
          );
        } else if (e.event === 'assigned') {
          out(`clear: ${e.w} (pid ${e.pid}) owns partitions [${(e.partitions as number[]).join(',')}]`);
        } else if (['fatal', 'tx-failed', 'tx-refused', 'fenced', 'consumer-crash', 'producer-recreate', 'broker-wait', 'foreign-records'].includes(e.event)) {
          err(`clear: ${e.w} ${e.event} ${JSON.stringify(e)}`);
        }
      }
    };
    let alive = n;
    const workers = spawnWorkers(n, {
      brokers: opts.brokers,
      prefix: opts.prefix,
      fees,
      exactlyOnce: !opts.atLeastOnce,
      maxTxExecutions: opts.maxTx,
      onEvent,
      onExit: (w, code, signal) => {
        alive--;
        err(`clear: worker ${w.id} (pid ${w.pid}) exited ${signal ?? code}; ${alive} left`);
      },
    });
    out(`clear: ${n} workers started: ${workers.map((w) => `${w.id}=pid ${w.pid}`).join(', ')}`);
    let stop = false;
    const onSignal = () => (stop = true);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const admin = kafka.admin();
    await admin.connect();
    let idleSince = 0;
    let lastReport = 0;
    try {
      while (!stop && alive > 0) {
        await sleep(500);
        if (opts.exitWhenIdle === undefined && Date.now() - lastReport < 5000) continue;
        try {
          const lag = await groupLag(admin, names.group, names.executions);
          // Stopped partitions keep their lag: wait for the others only.
          for (const p of failed.keys()) lag.total -= lag.perPartition[p] ?? 0;
          if (Date.now() - lastReport >= 5000) {
            lastReport = Date.now();
            const sum = [...totals.values()].reduce((s, t) => s + t.cleared, 0);
            out(`clear: lag ${lag.total}, cleared ${sum} (this run)`);
          }
          if (opts.exitWhenIdle !== undefined) {
            if (lag.total === 0) {
              if (!idleSince) idleSince = Date.now();
              if (Date.now() - idleSince >= opts.exitWhenIdle) break;
            } else idleSince = 0;
          }
        } catch {
          idleSince = 0; // broker trouble: keep waiting
        }
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await admin.disconnect().catch(() => {});
      await stopWorkers(workers);
    }
    const sum = [...totals.values()].reduce(
      (s, t) => ({ cleared: s.cleared + t.cleared, duplicates: s.duplicates + t.duplicates, dlq: s.dlq + t.dlq, rerouted: s.rerouted + t.rerouted }),
      { cleared: 0, duplicates: 0, dlq: 0, rerouted: 0 },
    );
    out(`clear: done: cleared ${sum.cleared}, duplicates dropped ${sum.duplicates}, dead-lettered ${sum.dlq}, re-routed ${sum.rerouted}`);
    if (failed.size) {
      err(`clear: ${failed.size} partition(s) stopped, their executions not cleared: ${[...failed.keys()].sort((a, b) => a - b).join(',')}`);
      return 6;
    }
    return alive === 0 && !stop && opts.exitWhenIdle === undefined ? 6 : 0;
  } catch (e) {
    if (e instanceof ClearingError) {
      err(`clear: ${e.code}: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
