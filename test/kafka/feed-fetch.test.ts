// The feed run's own Fetch reader (src/kafka/feed-fetch.ts) against the real broker: it sees
// exactly what a read_committed kafkajs consumer sees — idempotent records, committed
// transactions, never an aborted one or a transaction still open — in offset order, from any
// start offset, in fetches smaller than the topic; gzip batches of a real producer too; and it gives up on a topic that does not
// exist after its broker timeout with BROKER_UNAVAILABLE rather than hang.
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedFetch } from '../../src/kafka/feed-fetch.ts';
import type { FeedRecord } from '../../src/kafka/record-batches.ts';
import { requireBroker, testKafka, uniqueName } from './broker.ts';

const { CompressionTypes } = kafkajs;
const kafka = testKafka('riskgate-test-feed-fetch');
const admin = kafka.admin();

async function readAll(topic: string, from: number, maxBytes: number, until: number): Promise<{ records: FeedRecord[]; fetches: number }> {
  const f = new FeedFetch({ admin, topic, maxWaitMs: 50, maxBytes, brokerTimeoutMs: 20_000 }, from);
  const records: FeedRecord[] = [];
  try {
    for (let i = 0; i < 10_000 && f.next < until; i++) records.push(...(await f.fetch()));
  } finally {
    f.close();
  }
  return { records, fetches: f.stats.fetches };
}

const plain = (r: FeedRecord[]) => r.map((x) => [x.offset, x.value.toString()]);

describe('feed fetch reader', () => {
  beforeAll(async () => {
    await requireBroker();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('reads committed records only, in order, from any offset, in small fetches; an open transaction is not read', { timeout: 120_000 }, async () => {
    const topic = uniqueName('feedfetch');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const txp = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: uniqueName('feedfetch-tx') });
    await idem.connect();
    await txp.connect();
    const expected: string[] = [];
    const send = async (values: string[]) => {
      await idem.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) });
      expected.push(...values);
    };
    const tx = async (values: string[], commit: boolean) => {
      const t = await txp.transaction();
      await t.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) });
      await (commit ? t.commit() : t.abort());
      if (commit) expected.push(...values);
    };
    await send(['p0', 'p1', 'p2']);
    await tx(['aborted-0', 'aborted-1'], false);
    await tx(['committed-0', 'committed-1'], true);
    await send(['p3']);
    await tx(['aborted-2'], false);
    await send(Array.from({ length: 40 }, (_, i) => `bulk-${i}-${'x'.repeat(50)}`));
    await tx(['committed-2'], true);
    const open = await txp.transaction();
    const [sent] = await open.send({ topic, messages: [{ value: 'open', partition: 0 }] });
    // Read in 1 KiB fetches up to the open transaction's record (everything before it is decided).
    const lastCommitted = Number(sent.baseOffset); // offset of 'open'
    const all = await readAll(topic, 0, 1024, lastCommitted);
    expect(all.records.map((r) => r.value.toString())).toEqual(expected);
    expect(all.fetches).toBeGreaterThan(2);
    const offsets = all.records.map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));

    // From the middle: the same records from that offset on.
    const mid = all.records[5].offset;
    const tail = await readAll(topic, mid, 1 << 20, lastCommitted);
    expect(plain(tail.records)).toEqual(plain(all.records.slice(5)));

    // The open transaction is invisible until it commits; then it is read.
    const early = new FeedFetch({ admin, topic, maxWaitMs: 50, maxBytes: 1 << 20, brokerTimeoutMs: 20_000 }, lastCommitted);
    expect(await early.fetch()).toEqual([]);
    await open.commit();
    const got: FeedRecord[] = [];
    for (let i = 0; i < 50 && got.length === 0; i++) got.push(...(await early.fetch()));
    early.close();
    expect(plain(got)).toEqual([[lastCommitted, 'open']]);

    await idem.disconnect();
    await txp.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  });

  it('reads gzip-compressed batches of a real producer, the values as sent', { timeout: 60_000 }, async () => {
    const topic = uniqueName('feedfetch-gzip');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const values = Array.from({ length: 300 }, (_, i) => `packet-${i}-${'y'.repeat(i % 97)}`);
    for (let i = 0; i < values.length; i += 100) {
      await producer.send({ topic, compression: CompressionTypes.GZIP, messages: values.slice(i, i + 100).map((value) => ({ value, partition: 0 })) });
    }
    await producer.disconnect();
    const got = await readAll(topic, 0, 4096, values.length);
    expect(got.records.map((r) => r.value.toString())).toEqual(values);
    expect(got.records.map((r) => r.offset)).toEqual(values.map((_, i) => i));
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  });

  it('a topic that does not exist: BROKER_UNAVAILABLE after the broker timeout, not a hang', { timeout: 60_000 }, async () => {
    const f = new FeedFetch({ admin, topic: uniqueName('nosuchfeed'), maxWaitMs: 50, maxBytes: 1 << 20, brokerTimeoutMs: 2_000 }, 0);
    const t0 = Date.now();
    await expect(f.fetch()).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(45_000);
    f.close();
  });
});
