/**
 * The run's journal (docs/spec.md §14.6): what a restart of `riskgate run` needs besides the
 * feed to rebuild the engine state exactly — the start-of-day config it started with, and the
 * control messages it put in band that depend on wall time (stale-feed kills and operator
 * controls), at the feed offsets they preceded. Journal records travel in the run's
 * transactions, keyed by the run group; a `start` record begins a new incarnation.
 */
import { createHash } from 'node:crypto';
import type { Admin, KafkaMessage, Message } from 'kafkajs';
import { configBlob, type Config } from '../config/index.ts';
import { RiskgateError } from '../errors.ts';
import type { KafkaClient } from './client.ts';
import type { FeedNames } from './feed-topics.ts';
import type { JournalOrderEntry } from './order-entry-live.ts';
import { readToEnd } from './read-topic.ts';

export interface JournalStart {
  type: 'start';
  group: string;
  feed: string;
  firstPacketSha256: string;
  configSha256: string;
  startPositions: number[];
  seeded: boolean;
  /** The run's gap bound (spec §14.5); a resume keeps it. Absent in journals written before it existed. */
  maxGap?: number;
  /** `run --shard K/N` (spec §14.9): the shard this run group publishes for; null or absent for a whole run. */
  shard?: string | null;
  /**
   * `run --order-entry` (spec §14.10): the limits written at S = 1 for every account; absent
   * without order entry. A resume must match it (the limits are in the engine state).
   */
  orderEntry?: { maxOpenOrders: number; maxOrderRate: number } | null;
  at: number;
}
export interface JournalInject {
  type: 'inject';
  /** Feed offset of the packet the injection precedes (the next packet to process then). */
  feedOffset: string;
  seq: number;
  /** 'stale': a stale-feed kill; 'operator': a runtime control (`run --serve`). */
  reason: 'stale' | 'operator';
  /** The framed control message, hex. */
  control: string;
  at: number;
}
/** What a rebuild hands again at its feed offset: a control the run injected, or an order-entry event. */
export type JournalEntry = JournalInject | JournalOrderEntry;
export type JournalRecord = JournalStart | JournalEntry;

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The start record of a new incarnation. */
export function startRecord(names: FeedNames, firstPacket: Buffer, config: Config, seeded: boolean, maxGap: number, shard: string | null = null, orderEntry: JournalStart['orderEntry'] = null): JournalStart {
  return {
    type: 'start', group: names.runGroup, feed: names.feed, firstPacketSha256: sha256(firstPacket),
    configSha256: sha256(configBlob(config)), startPositions: config.symbols.map((s) => s.startPosition), seeded, maxGap, ...(shard !== null ? { shard } : {}),
    ...(orderEntry ? { orderEntry } : {}), at: Date.now(),
  };
}

/** A journalled injection of the framed control message `frame` before message `seq`. */
export function injectRecord(feedOffset: number, seq: number, reason: JournalInject['reason'], frame: Buffer): JournalInject {
  return { type: 'inject', feedOffset: String(feedOffset), seq, reason, control: frame.toString('hex'), at: Date.now() };
}

/** A journal record as a message of the journal topic. */
export function journalMessage(names: FeedNames, r: JournalRecord): Message {
  return { key: names.runGroup, value: JSON.stringify(r), partition: 0 };
}

/** The run group's records of its latest incarnation (from its last start record on). */
export async function readJournal(kafka: KafkaClient, admin: Admin, names: FeedNames): Promise<JournalRecord[]> {
  const records: JournalRecord[] = [];
  await readToEnd(kafka, admin, names.journal, (_p, m: KafkaMessage) => {
    if (m.key?.toString() !== names.runGroup || !m.value) return;
    const r = JSON.parse(m.value.toString()) as JournalRecord;
    if (r.type === 'start') records.length = 0;
    records.push(r);
  });
  return records;
}

/**
 * Checks that a resume continues the journal's run — same feed, same config once the journal's
 * start positions are put back into `config` (which this does) — and returns its start record
 * and injections.
 */
export function resumeFrom(records: readonly JournalRecord[], names: FeedNames, committedOffset: number, config: Config, shard: string | null = null, orderEntry: JournalStart['orderEntry'] = null): { start: JournalStart; injections: JournalEntry[] } {
  const start = records[0];
  if (!start || start.type !== 'start') {
    throw new RiskgateError('FAIL_CLOSED', `run group ${names.runGroup} has progress (feed offset ${committedOffset}) but no start record in ${names.journal}: cannot resume`);
  }
  if (start.feed !== names.feed) {
    throw new RiskgateError('FAIL_CLOSED', `run group ${names.runGroup} belongs to feed ${start.feed}, not ${names.feed}; use another --group`);
  }
  // A run group publishes for one shard (or the whole run) for good: another split would publish
  // again what the first one published, or never what it left to other shards.
  if ((start.shard ?? null) !== shard) {
    const name = (x: string | null) => (x === null ? 'no --shard (the whole run)' : `--shard ${x}`);
    throw new RiskgateError('FAIL_CLOSED', `run group ${names.runGroup} started with ${name(start.shard ?? null)}, not ${name(shard)}: resume it as it started or use another --group`);
  }
  // Order entry's limits are engine state from S = 1 on, and its events are in the journal: a
  // run group takes client orders for good, or never.
  const oe = start.orderEntry ?? null;
  if ((oe === null) !== (orderEntry === null) || (oe && orderEntry && (oe.maxOpenOrders !== orderEntry.maxOpenOrders || oe.maxOrderRate !== orderEntry.maxOrderRate))) {
    const name = (x: JournalStart['orderEntry']) => (x ? `--order-entry (maxOpenOrders ${x.maxOpenOrders}, maxOrderRate ${x.maxOrderRate})` : 'no --order-entry');
    throw new RiskgateError('FAIL_CLOSED', `run group ${names.runGroup} started with ${name(oe)}, not ${name(orderEntry)}: resume it as it started or use another --group`);
  }
  config.symbols.forEach((s, i) => (s.startPosition = start.startPositions[i] ?? 0));
  const sha = sha256(configBlob(config));
  if (sha !== start.configSha256) {
    throw new RiskgateError('CONFIG_INVALID', `the config differs from the one run group ${names.runGroup} started with (blob SHA-256 ${start.configSha256.slice(0, 16)}…, now ${sha.slice(0, 16)}…); resume with the same --config`);
  }
  return { start, injections: records.slice(1) as JournalEntry[] };
}

/**
 * The journalled injections in feed order, for a rebuild: `upTo(offset)` hands those made
 * before the packet at `offset` (feed offset ≤ `offset`), each once.
 */
export class JournalReplay {
  private next = 0;
  constructor(private readonly injections: readonly JournalEntry[]) {}

  *upTo(offset: number): Generator<JournalEntry> {
    while (this.next < this.injections.length && Number(this.injections[this.next].feedOffset) <= offset) yield this.injections[this.next++];
  }

  /** Resume from a snapshot: the first `n` injections are in its state already. */
  skip(n: number): void {
    this.next = Math.max(this.next, Math.min(n, this.injections.length));
  }

  /** Every journalled entry, in order. */
  entries(): readonly JournalEntry[] {
    return this.injections;
  }

  /** The first injection not handed yet, if any. */
  get pending(): JournalEntry | undefined {
    return this.injections[this.next];
  }

  get size(): number {
    return this.injections.length;
  }
}
