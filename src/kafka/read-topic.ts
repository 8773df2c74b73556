/**
 * Reads a topic (or some of its partitions) from the beginning (or its last `lastOffsets`)
 * up to its last stable offset at call time, read_committed. kafkajs has no manual partition assignment, so this joins a
 * throwaway consumer group, pauses the partitions it does not want, and tracks its position
 * through END_BATCH_PROCESS events (which also cover batches of only control records).
 */
import type { Admin, KafkaMessage } from 'kafkajs';
import type { KafkaClient } from './client.ts';

export interface ReadOptions {
  partitions?: Iterable<number>;
  timeoutMs?: number;
  /** Start each partition this many offsets before its end (at its start when that is before it), not at its start. */
  lastOffsets?: number;
}

export async function readToEnd(
  kafka: KafkaClient,
  admin: Admin,
  topic: string,
  each: (partition: number, message: KafkaMessage) => void,
  opts: ReadOptions = {},
): Promise<{ messages: number; ms: number }> {
  const t0 = Date.now();
  const wanted = opts.partitions ? new Set(opts.partitions) : null;
  const offsets = await admin.fetchTopicOffsets(topic); // read_committed: high = last stable offset
  const targets = new Map<number, bigint>();
  const starts = new Map<number, bigint>();
  for (const o of offsets) {
    if (wanted && !wanted.has(o.partition)) continue;
    if (BigInt(o.high) <= BigInt(o.low)) continue;
    targets.set(o.partition, BigInt(o.high));
    if (opts.lastOffsets !== undefined && BigInt(o.high) - BigInt(opts.lastOffsets) > BigInt(o.low)) starts.set(o.partition, BigInt(o.high) - BigInt(opts.lastOffsets));
  }
  if (targets.size === 0) return { messages: 0, ms: Date.now() - t0 };

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
  const advance = (partition: number, lastOffset: string | null | undefined) => {
    const target = targets.get(partition);
    if (target === undefined || lastOffset == null) return;
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
      throw new Error(`reading ${topic} timed out after ${timeoutMs} ms (${remaining.size} partitions short of their end)`);
    }
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return { messages, ms: Date.now() - t0 };
}
