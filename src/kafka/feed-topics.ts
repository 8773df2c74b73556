/**
 * Topics of the market-data side (docs/spec.md §14.4–14.6): the MoldUDP64 feed, the decisions
 * `riskgate run` publishes beside its executions, and the run's journal. Names derive from the
 * same prefix as the clearing topics (src/kafka/topics.ts).
 */
import type { Admin, ITopicConfig } from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { createdOrComing, DEFAULT_PREFIX, ensureExecutionsTopic, topicNames, waitForLeaders, type TopicNames } from './topics.ts';

export interface FeedNames extends TopicNames {
  /** The MoldUDP64 feed topic (single partition). */
  feed: string;
  decisions: string;
  journal: string;
  /** Engine snapshots of the run (compacted, key = run group; src/kafka/feed-snapshot.ts). */
  snapshots: string;
  /**
   * The run's identity: consumer group its progress is committed to, transactional id of its
   * producer, and key of its journal records.
   */
  runGroup: string;
}

export const DEFAULT_FEED_TOPIC = 'riskgate.md.itch';

export function feedNames(prefix = DEFAULT_PREFIX, feed?: string, runGroup?: string): FeedNames {
  return {
    ...topicNames(prefix),
    feed: feed ?? (prefix === DEFAULT_PREFIX ? DEFAULT_FEED_TOPIC : `${prefix}.md.itch`),
    decisions: `${prefix}.decisions`,
    journal: `${prefix}.run.journal`,
    snapshots: `${prefix}.run.snapshots`,
    runGroup: runGroup ?? `${prefix}.run`,
  };
}

async function partitions(admin: Admin, topic: string): Promise<number | null> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) return null;
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  return md.topics[0]?.partitions.length ?? null;
}

async function createIfMissing(admin: Admin, t: ITopicConfig): Promise<void> {
  if ((await partitions(admin, t.topic)) !== null) return;
  try {
    await admin.createTopics({ topics: [t], waitForLeaders: true });
  } catch (e) {
    // Created by another process at the same moment (run shards starting together), or not served yet.
    if (!createdOrComing(e)) throw e;
  }
  await waitForLeaders(admin, [t.topic]);
}

/** A single-partition topic: created if missing; an existing one with more partitions is refused. */
export async function ensureSinglePartitionTopic(admin: Admin, topic: string): Promise<void> {
  await createIfMissing(admin, { topic, numPartitions: 1 });
  let n = await partitions(admin, topic);
  // A topic just created may not be in the metadata yet: ask again for a while before judging it.
  // Shards starting together (`run --shard`) race to create it; the loser's createTopics answers
  // TOPIC_ALREADY_EXISTS before the winner's topic is in the metadata, which takes seconds on a
  // loaded broker.
  for (let i = 0; n === null && i < 150; i++) {
    await new Promise((r) => setTimeout(r, 100));
    n = await partitions(admin, topic);
  }
  if (n === null) throw new ClearingError('BROKER_UNAVAILABLE', `topic ${topic} was created but is still not in the broker's metadata after 15 s`);
  if (n !== 1) {
    throw new ClearingError('BAD_OPTIONS', `topic ${topic} has ${n} partitions; it must have exactly 1 (the feed is one ordered stream)`);
  }
}

/** Everything `riskgate run` reads or writes, created if missing. */
export async function ensureRunTopics(admin: Admin, names: FeedNames): Promise<void> {
  await ensureSinglePartitionTopic(admin, names.feed);
  await ensureExecutionsTopic(admin, names);
  await ensureSinglePartitionTopic(admin, names.decisions);
  await ensureSinglePartitionTopic(admin, names.journal);
  // Compacted: only the newest snapshot per run group matters. One message per snapshot, up to 64 MB.
  await createIfMissing(admin, {
    topic: names.snapshots, numPartitions: 1,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'max.message.bytes', value: String(64 * 1024 * 1024) }],
  });
}
