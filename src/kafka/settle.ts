/**
 * End-of-day settlement from the topics: reads the executions (read_committed), the
 * settlement entries and the positions topic, and reconciles them (src/clearing/report.ts).
 *
 * Records of the settlements and positions topics that are not what the workers write (not
 * JSON, or JSON without the fields of a settlement entry / position) are **foreign**: left out
 * of the reconciliation, counted, listed with topic, partition and offset, and each one is a
 * `foreign` break (docs/spec.md §14.3). Malformed executions are counted and listed too; they
 * are the dead-letter topic's business, not breaks.
 */
import { decodeExecution, executionId } from '../clearing/execution.ts';
import type { PositionJson, SettlementEntry } from '../clearing/ledger.ts';
import { aggregate, comparePositions, reconcile, sortedLines, type Break, type SettlementLine } from '../clearing/report.ts';
import { makeKafka, waitForBroker } from './client.ts';
import { readToEnd } from './read-topic.ts';
import { topicNames } from './topics.ts';

export interface SettleOptions {
  brokers: string;
  prefix?: string;
  maxBreaks?: number;
  /** Give up waiting for the broker at start after this long (default 120 s). */
  brokerTimeoutMs?: number;
  /** Told each time the broker did not answer yet (attempt, next delay, its error). */
  onBrokerWait?: (info: { attempt: number; delayMs: number; error: string }) => void;
}

/** A record settle could not use: where it is and why. */
export interface RecordRef {
  topic: string;
  partition: number;
  offset: string;
  reason: string;
}

export interface SettleResult {
  executions: number;
  cleared: number;
  lost: number;
  duplicated: number;
  unknown: number;
  malformed: number;
  /** Malformed records of the executions topic (the first maxBreaks). */
  malformedRecords: RecordRef[];
  /** Foreign records of the settlements and positions topics (each a `foreign` break). */
  foreign: number;
  foreignRecords: RecordRef[];
  /** Execution ids that appear more than once on the executions topic (de-duplicated by clearing). */
  inputDuplicates: number;
  settlementEntries: number;
  accounts: number;
  breaks: Break[];
  lines: SettlementLine[];
  positions: Map<string, PositionJson>;
  ms: number;
}

export async function settle(o: SettleOptions): Promise<SettleResult> {
  const t0 = Date.now();
  const names = topicNames(o.prefix);
  const kafka = makeKafka(o.brokers, 'riskgate-settle');
  await waitForBroker(o.brokers, { timeoutMs: o.brokerTimeoutMs, onRetry: o.onBrokerWait });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const maxBreaks = o.maxBreaks ?? 1000;
    const ids: string[] = [];
    let malformed = 0;
    const malformedRecords: RecordRef[] = [];
    let foreign = 0;
    const foreignRecords: RecordRef[] = [];
    const foreignRecord = (topic: string, partition: number, offset: string, reason: string) => {
      foreign++;
      if (foreignRecords.length < maxBreaks) foreignRecords.push({ topic, partition, offset, reason });
    };
    const existing = new Set(await admin.listTopics());
    if (existing.has(names.executions)) {
      await readToEnd(kafka, admin, names.executions, (partition, m) => {
        try {
          ids.push(executionId(decodeExecution(m.value)));
        } catch (e) {
          malformed++;
          if (malformedRecords.length < maxBreaks) malformedRecords.push({ topic: names.executions, partition, offset: m.offset, reason: (e as Error).message });
        }
      });
    }
    const entries: SettlementEntry[] = [];
    if (existing.has(names.settlements)) {
      await readToEnd(kafka, admin, names.settlements, (partition, m) => {
        const r = parseRecord(m.value, isSettlementEntry, 'a settlement entry');
        if (typeof r === 'string') foreignRecord(names.settlements, partition, m.offset, r);
        else entries.push(r);
      });
    }
    const positions = new Map<string, PositionJson>();
    if (existing.has(names.positions)) {
      await readToEnd(kafka, admin, names.positions, (partition, m) => {
        const k = m.key?.toString();
        if (!m.value) {
          if (k) positions.delete(k);
          return;
        }
        const r = parseRecord(m.value, isPosition, 'a position');
        if (typeof r === 'string') foreignRecord(names.positions, partition, m.offset, r);
        else if (k !== `${r.accountId}:${r.symbol}`) foreignRecord(names.positions, partition, m.offset, `key ${JSON.stringify(k ?? null)} is not its account:symbol`);
        else positions.set(k, r);
      });
    }
    // Partitions are read concurrently: list in topic, partition, offset order.
    const order = [names.executions, names.settlements, names.positions];
    const byPlace = (x: RecordRef, y: RecordRef) => order.indexOf(x.topic) - order.indexOf(y.topic) || x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset));
    foreignRecords.sort(byPlace);
    malformedRecords.sort(byPlace);
    const rec = reconcile(ids, entries, maxBreaks);
    const agg = aggregate(entries);
    const posBreaks = comparePositions(agg, positions);
    const foreignBreaks: Break[] = foreignRecords.map((f) => ({ kind: 'foreign', record: `${f.topic}/${f.partition}@${f.offset}`, detail: `foreign record: ${f.reason}` }));
    const lines = sortedLines(agg);
    return {
      executions: rec.executions,
      cleared: rec.cleared,
      lost: rec.lost,
      duplicated: rec.duplicated,
      unknown: rec.unknown,
      malformed,
      malformedRecords,
      foreign,
      foreignRecords,
      inputDuplicates: ids.length - rec.executions,
      settlementEntries: entries.length,
      accounts: new Set(lines.map((l) => l.accountId)).size,
      breaks: [...foreignBreaks, ...rec.breaks, ...posBreaks].slice(0, maxBreaks),
      lines,
      positions,
      ms: Date.now() - t0,
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isDec = (x: unknown): x is string => typeof x === 'string' && DECIMAL.test(x);

function isSettlementEntry(j: Record<string, unknown>): j is Record<string, unknown> & SettlementEntry {
  return (
    typeof j.execId === 'string' && /^\d+:\d+:\d+$/.test(j.execId) && isInt(j.accountId) && typeof j.symbol === 'string' &&
    (j.side === 'B' || j.side === 'S') && isInt(j.qty) && isDec(j.cash) && isDec(j.fee)
  );
}

function isPosition(j: Record<string, unknown>): j is Record<string, unknown> & PositionJson {
  return isInt(j.accountId) && typeof j.symbol === 'string' && isInt(j.position) && isDec(j.netCash);
}

/** The record as T, or why it is not one. */
function parseRecord<T>(v: Buffer | null, is: (j: Record<string, unknown>) => j is Record<string, unknown> & T, what: string): T | string {
  if (!v) return 'empty value';
  let j: unknown;
  try {
    j = JSON.parse(v.toString('utf8'));
  } catch {
    return `not JSON (${v.length} bytes)`;
  }
  if (!j || typeof j !== 'object' || Array.isArray(j) || !is(j as Record<string, unknown>)) return `JSON, but not ${what}`;
  return j as T;
}
