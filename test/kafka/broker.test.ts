// The real broker works for what clearing needs: topic creation, an idempotent transactional
// producer (maxInFlightRequests 1), and a read_committed consumer group that sees committed
// records only.
import { describe, it, expect, beforeAll } from 'vitest';
import { BROKER, requireBroker, testKafka, uniqueName } from './broker.ts';

describe(`kafka broker at ${BROKER}`, () => {
  beforeAll(async () => {
    await requireBroker();
  }, 20_000);

  it('creates a topic, commits and aborts transactions, reads committed only', async () => {
    const kafka = testKafka('riskgate-broker-test');
    const topic = uniqueName('riskgate.test.broker');
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);

      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        transactionalId: uniqueName('riskgate.test.tx'),
      });
      await producer.connect();
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ key: `k${i}`, value: `ok-${i}` })) });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'k9', value: 'aborted' }] });
      await aborted.abort();
      const last = await producer.transaction();
      await last.send({ topic, messages: [{ key: 'k5', value: 'ok-5' }] });
      await last.commit();
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: uniqueName('riskgate.test.group'), readUncommitted: false });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`read ${seen.length} of 6 committed records in 30 s`)), 30_000);
        consumer
          .run({
            eachMessage: async ({ message }) => {
              seen.push(message.value!.toString());
              if (seen.length >= 6) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
      // Give an aborted record the chance to show up if isolation were wrong.
      await new Promise((r) => setTimeout(r, 500));
      await consumer.disconnect();
      expect(seen.sort()).toEqual(['ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5']);

      const offsets = await admin.fetchTopicOffsets(topic);
      // 6 committed records + 1 aborted + 3 transaction markers spread over the partitions.
      const high = offsets.reduce((s, o) => s + Number(o.high), 0);
      expect(high).toBeGreaterThan(6);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  }, 60_000);
});
