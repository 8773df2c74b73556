// readToEnd (src/kafka/read-topic.ts) against a real broker when a transaction is open at call
// time: it holds the last stable offset, so a read up to that offset stops short without a word.
// The read must wait for the transaction to be decided, or refuse naming the partitions.
import { describe, expect, it, beforeAll } from 'vitest';
import type { Admin, Producer } from 'kafkajs';
import { readToEnd, topicEnds, type TopicEnd } from '../../src/kafka/read-topic.ts';
import { BROKER, requireBroker, testKafka, uniqueName } from './broker.ts';

const kafka = testKafka('riskgate-read-topic-test');

async function txProducer(): Promise<Producer> {
  const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: uniqueName('riskgate.test.read') });
  await p.connect();
  return p;
}

/** `n` records on each partition of `partitions`, in one transaction, committed. */
async function commitRecords(p: Producer, topic: string, partitions: number[], n: number, tag: string): Promise<void> {
  const tx = await p.transaction();
  await tx.send({ topic, messages: partitions.flatMap((partition) => Array.from({ length: n }, (_, i) => ({ partition, value: `${tag}-${partition}-${i}` }))) });
  await tx.commit();
}

/**
 * Waits until each partition's high watermark is `highs[partition]`: the broker answers a
 * commit or abort before it writes the transaction's markers, so the offsets a test names are
 * only known once those are in the log.
 */
async function markersWritten(admin: Admin, topic: string, highs: bigint[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ends = await topicEnds(kafka, admin, topic);
    if (ends.every((e) => e.high === highs[e.partition])) return;
    if (Date.now() > deadline) throw new Error(`${topic}: high watermarks ${ends.map((e) => e.high).join(',')}, not ${highs.join(',')}, after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`readToEnd with a transaction open at call time (broker ${BROKER})`, () => {
  beforeAll(async () => {
    await requireBroker();
  }, 20_000);

  it('waits for the open transaction to be decided and reads every committed record before the call, not up to the last stable offset', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('riskgate.test.readopen');
    const a = await txProducer();
    const b = await txProducer();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await commitRecords(a, topic, [0, 1, 2], 5, 'a1');
      await markersWritten(admin, topic, [6n, 6n, 6n]);
      // b opens a transaction on every partition; a commits more after it.
      const open = await b.transaction();
      await open.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `b-${partition}` })) });
      await commitRecords(a, topic, [0, 1, 2], 5, 'a2');
      await markersWritten(admin, topic, [13n, 13n, 13n]);
      const ends = await topicEnds(kafka, admin, topic);
      // The broker's view: the last stable offset of each partition is b's first record (offset 6, after a1's 5 and its marker).
      expect(ends.map((e) => [e.partition, e.lso])).toEqual([[0, 6n], [1, 6n], [2, 6n]]);
      expect(ends.every((e) => e.high === 13n)).toBe(true);

      let unsettled: TopicEnd[] = [];
      const values: string[] = [];
      let readAt = 0;
      const reading = readToEnd(kafka, admin, topic, (_p, m) => values.push(String(m.value)), { timeoutMs: 60_000, onUnsettled: (u) => (unsettled = u) }).then((r) => {
        readAt = Date.now();
        return r;
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(readAt).toBe(0); // still waiting for b
      const committedAt = Date.now();
      await open.commit();
      const r = await reading;
      expect(readAt).toBeGreaterThanOrEqual(committedAt);
      expect(unsettled.map((u) => u.partition)).toEqual([0, 1, 2]);
      expect(r.unsettled).toBe(3);
      expect(r.messages).toBe(33);
      expect(values.filter((v) => v.startsWith('a1-'))).toHaveLength(15);
      expect(values.filter((v) => v.startsWith('b-')).sort()).toEqual(['b-0', 'b-1', 'b-2']);
      expect(values.filter((v) => v.startsWith('a2-'))).toHaveLength(15);
    } finally {
      await a.disconnect();
      await b.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });

  it('refuses, naming the partition and its last stable offset, when a transaction stays open past the timeout; reads it after the abort', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('riskgate.test.readstuck');
    const a = await txProducer();
    const b = await txProducer();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await commitRecords(a, topic, [0, 1, 2], 4, 'a1');
      await markersWritten(admin, topic, [5n, 5n, 5n]);
      const open = await b.transaction();
      await open.send({ topic, messages: [{ partition: 1, value: 'b-1' }] });
      await commitRecords(a, topic, [0, 1, 2], 4, 'a2');
      await markersWritten(admin, topic, [10n, 11n, 10n]);
      let n = 0;
      await expect(readToEnd(kafka, admin, topic, () => n++, { timeoutMs: 3000 })).rejects.toThrow(
        /timed out after 3000 ms, 1 partition\(s\) short of their end: partition 1: read to \d+ of 11 \(last stable offset 5 at the start\) — a transaction open on them was not decided/,
      );
      await open.abort();
      await markersWritten(admin, topic, [10n, 12n, 10n]);
      n = 0;
      const r = await readToEnd(kafka, admin, topic, () => n++, { timeoutMs: 60_000 });
      expect(r.unsettled).toBe(0);
      expect(n).toBe(24); // a1 and a2 on every partition; b's aborted record is not read
    } finally {
      await a.disconnect();
      await b.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
  it('reads every committed record around a transaction aborted by fencing (same transactional id, as a run across a broker restart): only the aborted ones are left out', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('riskgate.test.readfenced');
    const txid = uniqueName('riskgate.test.fenced');
    const make = async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: txid });
      await p.connect();
      return p;
    };
    const first = await make();
    let second: Producer | null = null;
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await commitRecords(first, topic, [0, 1, 2], 6, 'c1');
      const open = await first.transaction();
      await open.send({ topic, messages: [0, 1, 2].flatMap((partition) => [0, 1].map((i) => ({ partition, value: `x-${partition}-${i}` }))) });
      // A new producer of the same transactional id: InitProducerId bumps the epoch and the coordinator aborts the open transaction.
      second = await make();
      await commitRecords(second, topic, [0, 1, 2], 5, 'c2');
      await commitRecords(second, topic, [0, 1, 2], 4, 'c3');
      // c1 6 + marker, x 2 + abort marker, c2 5 + marker, c3 4 + marker on each partition.
      await markersWritten(admin, topic, [21n, 21n, 21n]);
      const values: string[] = [];
      const r = await readToEnd(kafka, admin, topic, (_p, m) => values.push(String(m.value)), { timeoutMs: 60_000 });
      expect(r.unsettled).toBe(0);
      expect(values.filter((v) => v.startsWith('x-'))).toEqual([]);
      expect(values.filter((v) => v.startsWith('c1-'))).toHaveLength(18);
      expect(values.filter((v) => v.startsWith('c2-'))).toHaveLength(15);
      expect(values.filter((v) => v.startsWith('c3-'))).toHaveLength(12);
      expect(r.messages).toBe(45);
    } finally {
      await first.disconnect().catch(() => {});
      await second?.disconnect().catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
