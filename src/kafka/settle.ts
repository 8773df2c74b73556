/**
 * End-of-day settlement from the topics: reads the executions (read_committed), the
 * settlement entries and the positions topic, and reconciles them (src/clearing/report.ts).
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
}

export interface SettleResult {
  executions: number;
  cleared: number;
  lost: number;
  duplicated: number;
  unknown: number;
  malformed: number;
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
  await waitForBroker(o.brokers);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ids: string[] = [];
    let malformed = 0;
    const existing = new Set(await admin.listTopics());
    if (existing.has(names.executions)) {
      await readToEnd(kafka, admin, names.executions, (_p, m) => {
        try {
          ids.push(executionId(decodeExecution(m.value)));
        } catch {
          malformed++;
        }
      });
    }
    const entries: SettlementEntry[] = [];
    if (existing.has(names.settlements)) {
      await readToEnd(kafka, admin, names.settlements, (_p, m) => {
        if (m.value) entries.push(JSON.parse(m.value.toString()) as SettlementEntry);
      });
    }
    const positions = new Map<string, PositionJson>();
    if (existing.has(names.positions)) {
      await readToEnd(kafka, admin, names.positions, (_p, m) => {
        const k = m.key?.toString();
        if (!k) return;
        if (m.value) positions.set(k, JSON.parse(m.value.toString()) as PositionJson);
        else positions.delete(k);
      });
    }
    const rec = reconcile(ids, entries, o.maxBreaks ?? 1000);
    const agg = aggregate(entries);
    const posBreaks = comparePositions(agg, positions);
    const lines = sortedLines(agg);
    return {
      executions: rec.executions,
      cleared: rec.cleared,
      lost: rec.lost,
      duplicated: rec.duplicated,
      unknown: rec.unknown,
      malformed,
      inputDuplicates: ids.length - rec.executions,
      settlementEntries: entries.length,
      accounts: new Set(lines.map((l) => l.accountId)).size,
      breaks: [...rec.breaks, ...posBreaks].slice(0, o.maxBreaks ?? 1000),
      lines,
      positions,
      ms: Date.now() - t0,
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
