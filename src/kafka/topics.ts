/**
 * Topic names and creation. All names derive from a prefix (default `riskgate`) so tests can
 * run side by side on one broker. See docs/spec.md, "Kafka topics and formats".
 */
import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicNames {
  prefix: string;
  executions: string;
  positions: string;
  settlements: string;
  state: string;
  dlq: string;
  /** consumer group of the clearing workers */
  group: string;
}

export const DEFAULT_PREFIX = 'riskgate';
export const DEFAULT_PARTITIONS = 12;

export function topicNames(prefix = DEFAULT_PREFIX): TopicNames {
  return {
    prefix,
    executions: `${prefix}.executions`,
    positions: `${prefix}.positions`,
    settlements: `${prefix}.settlements`,
    state: `${prefix}.clearing.state`,
    dlq: `${prefix}.executions.dlq`,
    group: `${prefix}.clearing`,
  };
}

async function partitionCount(admin: Admin, topic: string): Promise<number | null> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) return null;
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  return md.topics[0]?.partitions.length ?? null;
}

async function create(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (e) {
    // Another worker may have created them at the same moment.
    const err = e as { type?: string; errors?: { type?: string }[]; message: string };
    const all = err.errors ?? [err];
    if (!all.every((x) => x.type === 'TOPIC_ALREADY_EXISTS')) throw e;
  }
}

/** Creates the executions topic (if missing) with `partitions` partitions; returns its count. */
export async function ensureExecutionsTopic(admin: Admin, names: TopicNames, partitions = DEFAULT_PARTITIONS): Promise<number> {
  const have = await partitionCount(admin, names.executions);
  if (have !== null) return have;
  await create(admin, [{ topic: names.executions, numPartitions: partitions }]);
  return (await partitionCount(admin, names.executions)) ?? partitions;
}

/**
 * Creates every clearing topic that is missing. The positions, settlements and state topics
 * have as many partitions as the executions topic: a worker writes an account's outputs to the
 * partition number its executions came from.
 */
export async function ensureClearingTopics(admin: Admin, names: TopicNames, partitions = DEFAULT_PARTITIONS): Promise<number> {
  const n = await ensureExecutionsTopic(admin, names, partitions);
  const existing = new Set(await admin.listTopics());
  const want: ITopicConfig[] = [
    {
      topic: names.positions,
      numPartitions: n,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.cleanable.dirty.ratio', value: '0.1' },
        { name: 'segment.ms', value: '60000' },
      ],
    },
    { topic: names.settlements, numPartitions: n },
    {
      topic: names.state,
      numPartitions: n,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.cleanable.dirty.ratio', value: '0.1' },
        { name: 'segment.ms', value: '60000' },
      ],
    },
    { topic: names.dlq, numPartitions: 1 },
  ].filter((t) => !existing.has(t.topic));
  if (want.length) await create(admin, want);
  return n;
}
