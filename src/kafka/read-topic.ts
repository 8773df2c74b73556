/**
 * Reads a topic (or some of its partitions) from the beginning (or its last `lastOffsets`)
 * up to its end at call time, read_committed: every record written before the call, once the
 * transactions it belongs to are decided. kafkajs has no manual partition assignment, so this
 * joins a throwaway consumer group, pauses the partitions it does not want, and tracks its
 * position through END_BATCH_PROCESS events (which also cover batches of only control records).
 *
 * The end is the high watermark, not the last stable offset (LSO) that a read_committed
 * ListOffsets answers: a transaction still open at call time holds the LSO at its first record,
 * and everything after it too, committed or not. That happens right after a run's last commit
 * (the broker answers EndTxn once the commit is decided, then writes the commit markers) and
 * while a transaction of a producer that went away waits for the broker's
 * transaction.timeout.ms. A read up to the LSO then stopped short without a word; now it waits,
 * up to `timeoutMs`, for those transactions to be decided, and refuses with the partitions, their
 * LSO and high watermark when they are not (test/kafka/read-topic.test.ts).
 */
import type { Admin, KafkaMessage } from 'kafkajs';
import { sleep, type KafkaClient } from './client.ts';
import { isRetriable } from './errors.ts';

const READ_UNCOMMITTED = 0;

export interface TopicEnd {
  partition: number;
  low: bigint;
  /** Last stable offset (read_committed end): the first offset of the oldest open transaction, else the high watermark. */
  lso: bigint;
  /** High watermark (read_uncommitted end). */
  high: bigint;
}

/**
 * The log start, last stable offset and high watermark of each partition of `topic`. kafkajs's
 * admin only asks ListOffsets read_committed; the high watermark comes from a ListOffsets
 * read_uncommitted through a kafkajs cluster made for that (kafkajs 2.x's private cluster
 * factory: checked here, and by test/kafka/read-topic.test.ts).
 */
export async function topicEnds(kafka: KafkaClient, admin: Admin, topic: string): Promise<TopicEnd[]> {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = factory ? (kafka as unknown as Record<symbol, unknown>)[factory] : undefined;
  if (typeof create !== 'function') throw new Error('internal: this kafkajs has no cluster factory to ask ListOffsets read_uncommitted (kafkajs 2.x expected)');
  const cluster = create({ isolationLevel: READ_UNCOMMITTED }) as {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    addTargetTopic(topic: string): Promise<void>;
    refreshMetadata(): Promise<void>;
    fetchTopicsOffset(t: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[]): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  };
  try {
    await cluster.connect();
    await cluster.addTargetTopic(topic);
    // Retried on retriable answers: right after a broker restart ListOffsets answered
    // NOT_LEADER_FOR_PARTITION (kafkajs's name) just after `kafka.sh restart` returned, and
    // kafkajs's admin.fetchTopicOffsets gives up on any error but UNKNOWN_TOPIC_OR_PARTITION.
    for (let attempt = 0, delay = 200; ; attempt++, delay = Math.min(delay * 2, 5000)) {
      try {
        const committed = await admin.fetchTopicOffsets(topic);
        const highs = new Map<number, bigint>();
        const r = await cluster.fetchTopicsOffset([{ topic, partitions: committed.map((o) => ({ partition: o.partition })), fromBeginning: false }]);
        for (const p of r.find((x) => x.topic === topic)?.partitions ?? []) highs.set(p.partition, BigInt(p.offset));
        return committed
          .map((o) => {
            const high = highs.get(o.partition);
            if (high === undefined) throw new Error(`${topic}: no high watermark for partition ${o.partition}`);
            const lso = BigInt(o.high);
            // The LSO never passes the high watermark; taken a moment before it, it may be behind it.
            return { partition: o.partition, low: BigInt(o.low), lso, high: high > lso ? high : lso };
          })
          .sort((a, b) => a.partition - b.partition);
      } catch (e) {
        if (attempt >= 10 || !isRetriable(e)) throw e;
        await sleep(delay);
        await cluster.refreshMetadata().catch(() => {});
        await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => {}); // the admin's metadata too
      }
    }
  } finally {
    await cluster.disconnect().catch(() => {});
  }
}

export interface ReadOptions {
  partitions?: Iterable<number>;
  timeoutMs?: number;
  /** Start each partition this many offsets before its end (at its start when that is before it), not at its start. */
  lastOffsets?: number;
  /** Told the partitions whose last stable offset was behind their high watermark at call time (the read waits for them). */
  onUnsettled?: (ends: TopicEnd[]) => void;
}

export async function readToEnd(
  kafka: KafkaClient,
  admin: Admin,
  topic: string,
  each: (partition: number, message: KafkaMessage) => void,
  opts: ReadOptions = {},
): Promise<{ messages: number; ms: number; unsettled: number }> {
  const t0 = Date.now();
  const wanted = opts.partitions ? new Set(opts.partitions) : null;
  const ends = (await topicEnds(kafka, admin, topic)).filter((o) => !wanted || wanted.has(o.partition));
  const targets = new Map<number, bigint>();
  const starts = new Map<number, bigint>();
  for (const o of ends) {
    if (o.high <= o.low) continue;
    targets.set(o.partition, o.high);
    if (opts.lastOffsets !== undefined && o.high - BigInt(opts.lastOffsets) > o.low) starts.set(o.partition, o.high - BigInt(opts.lastOffsets));
  }
  // Partitions whose end was not settled at call time: the read waits for their transactions.
  const unsettled = ends.filter((o) => o.lso < o.high);
  if (unsettled.length > 0) opts.onUnsettled?.(unsettled);
  if (targets.size === 0) return { messages: 0, ms: Date.now() - t0, unsettled: 0 };

  const groupId = `riskgate.reader.${process.pid}.${Date.now().toString(36)}.${Math.floor(Math.random() * 1e9).toString(36)}`;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 3000 },
  });
  let messages = 0;
  const remaining = new Set(targets.keys());
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const reached = new Map<number, bigint>();
  const advance = (partition: number, lastOffset: string | null | undefined) => {
    const target = targets.get(partition);
    if (target === undefined || lastOffset == null) return;
    reached.set(partition, BigInt(lastOffset) + 1n);
    if (BigInt(lastOffset) + 1n >= target) {
      remaining.delete(partition);
      if (remaining.size === 0) resolveDone();
    }
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => advance(e.payload.partition, e.payload.lastOffset));
  let crash: Error | null = null;
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) {
      crash = e.payload.error;
      resolveDone();
    }
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, pause }) => {
        const target = targets.get(batch.partition);
        if (target === undefined || !remaining.has(batch.partition)) {
          pause();
          return;
        }
        const start = starts.get(batch.partition) ?? -1n;
        for (const m of batch.messages) {
          if (BigInt(m.offset) < start) continue; // fetched before the seek took effect
          if (BigInt(m.offset) >= target) break;
          messages++;
          each(batch.partition, m);
        }
      },
    });
    // run() has joined the group: the fetches go on from the seek (a batch fetched before it is skipped above).
    for (const [partition, offset] of starts) consumer.seek({ topic, partition, offset: String(offset) });
    const timeoutMs = opts.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const r = await Promise.race([done, timeout]);
    clearTimeout(timer);
    if (crash) throw crash;
    if (r === 'timeout') {
      const short = [...remaining].sort((a, b) => a - b).map((p) => {
        const e = ends.find((x) => x.partition === p)!;
        return `partition ${p}: read to ${reached.get(p) ?? e.low} of ${e.high} (last stable offset ${e.lso} at the start)`;
      });
      const open = [...remaining].some((p) => unsettled.some((u) => u.partition === p));
      throw new Error(
        `reading ${topic} timed out after ${timeoutMs} ms, ${remaining.size} partition(s) short of their end: ${short.join('; ')}` +
          (open ? ' — a transaction open on them was not decided (its producer still running, or gone and not yet aborted by the broker after transaction.timeout.ms); read again later' : ''),
      );
    }
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return { messages, ms: Date.now() - t0, unsettled: unsettled.length };
}
