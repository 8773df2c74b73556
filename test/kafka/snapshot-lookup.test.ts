// Where a resumed `run` finds its newest snapshot (src/kafka/feed-snapshot.ts, spec §14.6): it
// looks at the snapshot topic's last records first and reads the whole topic only when they hold
// none of its run group's. Against the real broker: the newest of the group's snapshots is found
// when it is the last record, when another run group's snapshots follow it (beyond the first
// look), and when an aborted transaction's snapshot is the topic's last record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedNames, ensureRunTopics } from '../../src/kafka/feed-topics.ts';
import { readLatestSnapshot, snapshotMessage, SNAPSHOT_VERSION, type SnapshotHeader } from '../../src/kafka/feed-snapshot.ts';
import { requireBroker, testKafka, uniqueName } from './broker.ts';

const kafka = testKafka('riskgate-test-snapshot-lookup');
const admin = kafka.admin();
const transactionalId = uniqueName('snap-lookup-tx');
let producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId });

function header(group: string, feed: string, offset: number): SnapshotHeader {
  return { version: SNAPSHOT_VERSION, group, feed, startAt: 0, firstPacketSha256: 'x', configSha256: 'y', backend: 'rust', offset, seq: offset * 10, journalApplied: 0, at: 0, state: {} };
}

/** Snapshots of `group` at the given offsets, each in its own committed (or aborted) transaction. */
async function put(names: ReturnType<typeof feedNames>, offsets: number[], abort = false): Promise<void> {
  for (const offset of offsets) {
    const tx = await producer.transaction();
    await tx.send({ topic: names.snapshots, messages: [snapshotMessage(names, header(names.runGroup, names.feed, offset), Buffer.from(`engine@${offset}`))] });
    await (abort ? tx.abort() : tx.commit());
  }
  await fence();
}

/**
 * What a resumed run does before it reads (feed-tx.ts `fence`): a new producer of the same
 * transactional id. Its InitProducerId waits until the last transaction's markers are written,
 * so the commit is visible to read_committed readers (EndTxn itself returns before that).
 */
async function fence(): Promise<void> {
  await producer.disconnect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId });
  await producer.connect();
  await (await producer.transaction()).abort();
}

describe('newest snapshot lookup', () => {
  beforeAll(async () => {
    await requireBroker();
    await admin.connect();
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('finds the run group’s newest snapshot at the end, behind another group’s, and behind an aborted one', { timeout: 120_000 }, async () => {
    const prefix = uniqueName('snaplookup');
    const a = feedNames(prefix, `${prefix}.md.itch`, `${prefix}.a`);
    const b = feedNames(prefix, `${prefix}.md.itch`, `${prefix}.b`);
    expect(a.snapshots).toBe(b.snapshots); // one topic per prefix, shared by both run groups
    await ensureRunTopics(admin, a);

    expect(await readLatestSnapshot(kafka, admin, a)).toBeNull();
    await put(a, [100, 200, 300]);
    let s = await readLatestSnapshot(kafka, admin, a);
    expect(s?.header.offset).toBe(300);
    expect(s?.engine.toString()).toBe('engine@300');

    // Group b's snapshots after it: more records than the first look covers.
    await put(b, Array.from({ length: 12 }, (_, i) => 1000 + i));
    s = await readLatestSnapshot(kafka, admin, a);
    expect(s?.header.offset).toBe(300);
    expect((await readLatestSnapshot(kafka, admin, b))?.header.offset).toBe(1011);

    // An aborted transaction's snapshot is never the one restored.
    await put(a, [400]);
    await put(a, [500], true);
    s = await readLatestSnapshot(kafka, admin, a);
    expect(s?.header.offset).toBe(400);
    expect(s?.engine.toString()).toBe('engine@400');
  });
});
