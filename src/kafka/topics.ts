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

/**
 * Answers of createTopics that mean "there, or being created": another process may have
 * created the topic at the same moment, and on a loaded or fresh broker kafkajs's wait for
 * leaders reads UNKNOWN_TOPIC_OR_PARTITION for a topic just created (a clearing worker died of
 * it on a fresh cluster) — callers then wait for the leaders themselves (waitForLeaders).
 */
const CREATED_OR_COMING = new Set(['TOPIC_ALREADY_EXISTS', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

export function createdOrComing(e: unknown): boolean {
  const err = e as { type?: string; errors?: { type?: string }[] };
  const all = err.errors ?? [err];
  return all.length > 0 && all.every((x) => x.type !== undefined && CREATED_OR_COMING.has(x.type));
}

async function create(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (e) {
    if (!createdOrComing(e)) throw e;
  }
  await waitForLeaders(admin, topics.map((t) => t.topic));
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
  await waitForLeaders(admin, [names.executions, names.positions, names.settlements, names.state, names.dlq]);
  return n;
}

/**
 * Waits (up to `timeoutMs`) until every topic is in the broker's metadata with a leader for
 * each partition. Processes that start together on a fresh cluster (`run` shards, clearing
 * workers) race to create the same topics: the loser's createTopics answers
 * TOPIC_ALREADY_EXISTS while the winner's topic may not be served yet, and a worker that went
 * on read UNKNOWN_TOPIC_OR_PARTITION and died. Gives up quietly: later calls retry or report.
 */
export async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      const listed = new Set(await admin.listTopics());
      if (topics.every((t) => listed.has(t))) {
        const md = await admin.fetchTopicMetadata({ topics });
        if (md.topics.length === topics.length && md.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      }
    } catch {
      // not served yet: ask again
    }
    if (Date.now() - t0 >= timeoutMs) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
