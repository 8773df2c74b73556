/**
 * Clearing of a file replay's fills (issue 4, "embedded default"). Without `--brokers` the
 * FILL records are cleared in process by the same Ledger code as the Kafka workers, in worker
 * threads (EmbeddedClearing), and the report gets a `clearing` summary per account and symbol.
 * With `--brokers` they are published as executions (docs/spec.md §14.1, keyed by account,
 * idempotent producer) for `riskgate clear`; clearing de-duplicates a replay run twice.
 */
import type { Message, Producer } from 'kafkajs';
import type { Config } from '../config/index.ts';
import { RiskgateError } from '../errors.ts';
import { RecordKind } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';
import { D, ZERO } from './decimal.ts';
import { EmbeddedClearing, workerBundle } from './embedded.ts';
import { encodeExecution, executionFromFill, executionKey, FillExecutionWriter } from './execution.ts';
import type { PositionJson } from './ledger.ts';


/** parseArgs options (spread into the replay command's options). */
export const CLEARING_OPTIONS = {
  brokers: { type: 'string' },
  prefix: { type: 'string' },
} as const;

export const CLEARING_USAGE = '[--brokers host:port [--prefix riskgate]]';

/** A ledger position line with the account's name from the config. */
export interface ClearingPositionLine extends PositionJson {
  account: string;
}

export interface ReplayClearing {
  /** For replay's `onRecords` hook: the FILL records of a batch. */
  onRecords: (records: Buffer) => void | Promise<void>;
  /** Adds `report.clearing`. */
  finish(report: Record<string, unknown>): Promise<void>;
  /** Text lines for the report page ('' when there is nothing to say). */
  text(report: Record<string, unknown>): string;
  close(): Promise<void>;
}

export async function startReplayClearing(values: { brokers?: string; prefix?: string }, config: Config): Promise<ReplayClearing> {
  return values.brokers ? kafkaClearing(values.brokers, values.prefix ?? 'riskgate', config) : embeddedClearing(config);
}

function embeddedClearing(config: Config): ReplayClearing {
  const accounts = config.accounts.map((a) => a.id);
  const symbols = config.symbols.map((s) => s.symbol);
  const names = new Map(config.accounts.map((a) => [a.id, a.name]));
  const threads = 2;
  let clearing: EmbeddedClearing | null = null; // threads start with the first fill
  let submitted = 0;
  const code = workerBundle(); // ready long before the first fill
  return {
    onRecords(records) {
      if (clearing) {
        submitted += clearing.submitFills(records, config.session, accounts, symbols);
        return;
      }
      if (FillExecutionWriter.countFills(records) === 0) return;
      return code.then((workerCode) => {
        clearing ??= new EmbeddedClearing({ fees: config.fees, threads, entries: false, workerCode });
        submitted += clearing.submitFills(records, config.session, accounts, symbols);
      });
    },
    async finish(report) {
      const t0 = process.hrtime.bigint();
      const r = clearing ? await clearing.finish() : null;
      clearing = null;
      const positions: ClearingPositionLine[] = (r?.positions ?? []).map((p) => ({ ...p, account: names.get(p.accountId) ?? String(p.accountId) }));
      report.clearing = {
        mode: 'embedded',
        threads,
        executions: submitted,
        cleared: r?.cleared ?? 0,
        duplicates: r?.duplicates ?? 0,
        malformed: r?.malformed ?? 0,
        positions,
        accounts: accountTotals(r?.accounts ?? [], names),
        note: config.symbols.some((s) => s.startPosition !== 0)
          ? "this session's executions only: start-of-day positions are not in the ledger"
          : undefined,
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      };
    },
    text(report) {
      const c = report.clearing as { positions: ClearingPositionLine[]; cleared: number; executions: number; duplicates: number; accounts: AccountTotal[]; note?: string } | undefined;
      if (!c) return '';
      const money = (x: string, places: number) => new D(x).toFixed(places);
      const lines = ['', '', `clearing      embedded (${threads} worker threads): ${fmt(c.cleared)} of ${fmt(c.executions)} executions cleared, ${fmt(c.duplicates)} duplicates`];
      lines.push('              account   symbol      position   avg price   realised P&L        fees       net cash');
      for (const p of c.positions) {
        lines.push(`              ${p.account.padEnd(9)} ${p.symbol.padEnd(9)} ${fmt(p.position).padStart(10)} ${money(p.avgPrice, 4).padStart(11)} ${money(p.realizedPnl, 2).padStart(14)} ${money(p.fees, 2).padStart(11)} ${money(p.netCash, 2).padStart(14)}`);
      }
      for (const a of c.accounts) {
        lines.push(`              ${a.account.padEnd(9)} ${'total'.padEnd(9)} ${''.padStart(10)} ${''.padStart(11)} ${money(a.realizedPnl, 2).padStart(14)} ${money(a.fees, 2).padStart(11)} ${money(a.netCash, 2).padStart(14)}`);
      }
      if (c.note) lines.push(`              note: ${c.note}`);
      return lines.join('\n');
    },
    async close() {
      await clearing?.close();
      clearing = null;
    },
  };
}

interface AccountTotal {
  accountId: number;
  account: string;
  realizedPnl: string;
  fees: string;
  netCash: string;
  executions: number;
}

function accountTotals(accounts: { accountId: number; positions: { realizedPnl: string; fees: string; netCash: string; executions: number }[] }[], names: Map<number, string>): AccountTotal[] {
  return accounts.map((a) => {
    let pnl = ZERO, fees = ZERO, cash = ZERO, n = 0;
    for (const p of a.positions) {
      pnl = pnl.plus(new D(p.realizedPnl));
      fees = fees.plus(new D(p.fees));
      cash = cash.plus(new D(p.netCash));
      n += p.executions;
    }
    return { accountId: a.accountId, account: names.get(a.accountId) ?? String(a.accountId), realizedPnl: pnl.toString(), fees: fees.toString(), netCash: cash.toString(), executions: n };
  });
}

const fmt = (n: number) => n.toLocaleString('en-US');

async function kafkaClearing(brokers: string, prefix: string, config: Config): Promise<ReplayClearing> {
  const { makeKafka, waitForBroker } = await import('../kafka/client.ts');
  const { ensureExecutionsTopic, topicNames } = await import('../kafka/topics.ts');
  // kafkajs is loaded only here: a replay cleared in process does not pay for it.
  const { Partitioners } = (await import('kafkajs')).default;
  const names = topicNames(prefix);
  try {
    await waitForBroker(brokers, { timeoutMs: 60_000 });
  } catch (e) {
    throw new RiskgateError('SERVICE_UNAVAILABLE', (e as Error).message, { cause: e });
  }
  const kafka = makeKafka(brokers, 'riskgate-replay');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureExecutionsTopic(admin, names);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const accounts = config.accounts.map((a) => a.id);
  const symbols = config.symbols.map((s) => s.symbol);
  let published = 0;
  return {
    async onRecords(records) {
      const messages: Message[] = [];
      for (const r = new RecordView(records); r.next(); ) {
        if (r.kind !== RecordKind.FILL) continue;
        const e = executionFromFill(r.bytes(), config.session, accounts, symbols);
        messages.push({ key: executionKey(e.accountId), value: encodeExecution(e) });
      }
      if (!messages.length) return;
      await producer.send({ topic: names.executions, messages, acks: -1 });
      published += messages.length;
    },
    async finish(report) {
      report.clearing = { mode: 'kafka', brokers, topic: names.executions, published, note: 'cleared by `riskgate clear`; see `riskgate settle`' };
    },
    text(report) {
      const c = report.clearing as { topic: string; published: number } | undefined;
      return c ? `\n\nclearing      ${fmt(c.published)} executions published to ${c.topic} for \`riskgate clear\`` : '';
    },
    async close() {
      await producer.disconnect().catch(() => {});
    },
  };
}
