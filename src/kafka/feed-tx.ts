/**
 * The run's transactions (docs/spec.md §14.6): one transactional producer (transactional id =
 * the run group) that publishes the pending executions, decisions and journal records together
 * with the feed offset reached (sendOffsets to the run group), exactly once.
 *
 * Anything that fails before EndTxn leaves nothing visible to read_committed readers: the
 * transaction is simply redone. When EndTxn itself fails its outcome is unknown: a new producer
 * (same transactional id) makes the coordinator finish or abort it, and the offset committed to
 * the run group, tagged per transaction, tells which. Broker loss is waited out (backoff) up to
 * brokerTimeoutMs; being fenced by another run stops this one.
 */
import type { Admin, Message, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { RiskgateError } from '../errors.ts';
import { sleep, waitForBroker, type KafkaClient } from './client.ts';
import { errorType, isFenced, isRetriable } from './errors.ts';
import type { FeedNames } from './feed-topics.ts';
import { DecisionBatcher } from './decision-batch.ts';
import { installNativeCrc32c, type Crc32cInstall } from './native-crc32c.ts';

const { Partitioners } = kafkajs;

/**
 * Retries of the producer's own requests. The broker answers CONCURRENT_TRANSACTIONS to the
 * next transaction's first send until the previous one's markers are written (milliseconds);
 * with kafkajs's client default of 200 ms before the first retry a transaction took ~148 ms
 * on this machine, with 5 ms ~27 ms (measured with one 400 KB record + sendOffsets). Broker
 * loss is handled by `commit`'s own loop, not by these retries.
 */
const TX_RETRY = { retries: 10, initialRetryTime: 5, maxRetryTime: 2000 };

/** Messages per sendBatch request. */
const SEND_CHUNK = 2_000;
/**
 * Value bytes per topic in one sendBatch request. kafkajs writes a request's messages for one
 * partition as one record batch, and the broker's record limit (message.max.bytes, 1 MiB by
 * default) applies to that whole batch: two 512 KiB decision batches in one request are refused
 * (MESSAGE_TOO_LARGE). A larger single message (a snapshot, on its topic of 64 MiB) goes alone.
 */
const REQUEST_TOPIC_BYTES = 768 * 1024;

/** The transaction's messages cut into sendBatch requests, in order. */
function* requests(all: { topic: string; m: Message }[]): Generator<{ topic: string; messages: Message[] }[]> {
  let byTopic = new Map<string, { messages: Message[]; bytes: number }>();
  let n = 0;
  for (const { topic, m } of all) {
    const size = (m.value as Buffer | null)?.length ?? 0;
    const t = byTopic.get(topic);
    if (n >= SEND_CHUNK || (t && t.bytes + size > REQUEST_TOPIC_BYTES)) {
      yield [...byTopic].map(([topic, x]) => ({ topic, messages: x.messages }));
      byTopic = new Map();
      n = 0;
    }
    let l = byTopic.get(topic);
    if (!l) byTopic.set(topic, (l = { messages: [], bytes: 0 }));
    l.messages.push(m);
    l.bytes += size;
    n++;
  }
  if (n > 0) yield [...byTopic].map(([topic, x]) => ({ topic, messages: x.messages }));
}

export interface FeedTxOptions {
  brokers: string;
  names: FeedNames;
  /** The config's session number (decision batch header, spec §14.8). */
  session: number;
  /** How long a transaction may keep failing (broker loss) before the run stops with exit 8. */
  brokerTimeoutMs: number;
  /** Fault injection (tests): hold every transaction with executions open this long after its sends. */
  holdTxMs: number;
  emit: (event: string, data?: Record<string, unknown>) => void;
}

/** The outputs of one transaction, taken out of the open one (`prepare`). */
export interface PreparedTx {
  all: { topic: string; m: Message }[];
  counts: { executions: number; decisions: number; batches: number; journal: number };
}

export class FeedTransactions {
  /** Outputs of the open transaction. */
  executions: Message[] = [];
  /** DECISION and CONTROL records, packed into decision batches (spec §14.8). */
  readonly decisions: DecisionBatcher;
  journal: Message[] = [];
  /** The engine snapshot that goes with this transaction, if one is due (spec §14.6). */
  snapshot: Message | null = null;
  /** Transactions committed by this process. */
  transactions = 0;
  /** Whether the record batches' CRC-32C is the native one (src/kafka/native-crc32c.ts). */
  readonly crc32c: Crc32cInstall;
  private producer: Producer | null = null;
  /** Tags every transaction's offset commit, so that one whose EndTxn answer was lost can be told committed or not. */
  private readonly tagBase = `${process.pid}.${Date.now().toString(36)}`;
  private tagSeq = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly o: FeedTxOptions,
  ) {
    this.decisions = new DecisionBatcher(o.session);
    // Before the first produce loads kafkajs's record batch encoder.
    this.crc32c = installNativeCrc32c();
  }

  /** Outputs waiting for the next commit. */
  get pending(): number {
    return this.executions.length + this.decisions.records + this.journal.length;
  }

  /**
   * (Re)creates the transactional producer. InitProducerId with the run group's
   * transactional id bumps its epoch: any earlier producer of the group (a previous instance,
   * or our own before a broker loss) is fenced and its open transaction completed or aborted.
   */
  async fence(): Promise<void> {
    const old = this.producer;
    this.producer = null;
    await old?.disconnect().catch(() => {});
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: this.o.names.runGroup,
      transactionTimeout: 60_000,
      retry: TX_RETRY,
    });
    try {
      await producer.connect();
      // kafkajs initialises the producer id lazily, on the first transaction(): do it now.
      const fence = await producer.transaction();
      await fence.abort();
    } catch (e) {
      await producer.disconnect().catch(() => {});
      throw e;
    }
    this.producer = producer;
  }

  /** The feed offset and transaction tag committed to the run group (final after fencing). */
  async committedOffset(admin: Admin): Promise<{ offset: number; tag: string | null }> {
    const names = this.o.names;
    const offs = await admin.fetchOffsets({ groupId: names.runGroup, topics: [names.feed] });
    const p = offs[0]?.partitions.find((x) => x.partition === 0);
    const o = Number(p?.offset ?? -1);
    return { offset: o > 0 ? o : 0, tag: p?.metadata ?? null };
  }

  /**
   * Takes the pending outputs out of the open transaction (which starts empty again), ready to
   * be sent with `commit`: the run goes on filling the next transaction while this one travels.
   */
  prepare(): PreparedTx {
    const names = this.o.names;
    const decisions = this.decisions.records;
    const batches = this.decisions.seal().map((value): Message => ({ key: names.runGroup, value, partition: 0 }));
    const counts = { executions: this.executions.length, decisions, batches: batches.length, journal: this.journal.length };
    const all: { topic: string; m: Message }[] = [
      ...this.executions.map((m) => ({ topic: names.executions, m })),
      ...batches.map((m) => ({ topic: names.decisions, m })),
      ...this.journal.map((m) => ({ topic: names.journal, m })),
      ...(this.snapshot ? [{ topic: names.snapshots, m: this.snapshot }] : []),
    ];
    this.executions = [];
    this.journal = [];
    this.snapshot = null;
    return { all, counts };
  }

  /** One transaction: `prepared` outputs (default: the pending ones) and the feed offset `nextOffset` reached. */
  async commit(admin: Admin, nextOffset: number, prepared: PreparedTx = this.prepare()): Promise<void> {
    const { names, brokers, brokerTimeoutMs, emit } = this.o;
    const t0 = Date.now();
    const { all, counts } = prepared;
    const tag = `${this.tagBase}.${++this.tagSeq}`;
    const remaining = () => Math.max(1000, brokerTimeoutMs - (Date.now() - t0));
    let delay = 200;
    let unresolved = false; // an EndTxn failed: find out whether it committed before anything else
    for (let attempt = 1; ; attempt++) {
      let ending = false;
      // An abort that failed leaves the transaction open on the coordinator and kafkajs's producer
      // stuck in ABORTING (its next transaction() throws): only a new producer (fence) ends it.
      let abortFailed = false;
      try {
        if (unresolved) {
          await waitForBroker(brokers, { timeoutMs: remaining() });
          await this.fence(); // the coordinator completes or aborts the transaction first
          const c = await this.committedOffset(admin);
          emit('tx-resolved', { committed: c.tag === tag, next: nextOffset });
          if (c.tag === tag) break;
          unresolved = false;
        }
        if (!this.producer) await this.fence();
        const tx = await this.producer!.transaction();
        try {
          for (const request of requests(all)) await tx.sendBatch({ acks: -1, topicMessages: request });
          if (this.o.holdTxMs > 0 && counts.executions > 0) {
            emit('tx-open', { ...counts, holdMs: this.o.holdTxMs, next: nextOffset });
            await sleep(this.o.holdTxMs);
          }
          await tx.sendOffsets({
            consumerGroupId: names.runGroup,
            topics: [{ topic: names.feed, partitions: [{ partition: 0, offset: String(nextOffset), metadata: tag } as { partition: number; offset: string }] }],
          });
          ending = true;
          await tx.commit();
        } catch (e) {
          if (!ending && tx.isActive()) await tx.abort().catch(() => (abortFailed = true));
          throw e;
        }
        break;
      } catch (e) {
        if (isFenced(e)) {
          throw new RiskgateError('FAIL_CLOSED', `the producer of run group ${names.runGroup} was fenced — another run with this group took over, or a transaction timed out (${(e as Error).message}); restart run to resume`, { cause: e });
        }
        if (Date.now() - t0 > brokerTimeoutMs) {
          throw new ClearingError('BROKER_UNAVAILABLE', `transaction not committed within ${Math.round(brokerTimeoutMs / 1000)} s (${(e as Error).message}); restart run to resume`, { cause: e });
        }
        if (ending) unresolved = true;
        // CONCURRENT_TRANSACTIONS (the previous commit's markers are still being written) clears in milliseconds.
        const wait = !ending && errorType(e) === 'CONCURRENT_TRANSACTIONS' ? 20 : delay;
        emit('tx-retry', { attempt, ending, error: (e as Error).message, delayMs: wait });
        await sleep(wait);
        if (wait === delay) delay = Math.min(delay * 2, 5000);
        if (ending || (isRetriable(e) && !abortFailed)) continue;
        // Broker trouble: wait for it, then a new producer (fencing our old one).
        try {
          await waitForBroker(brokers, { timeoutMs: remaining() });
          await this.fence();
        } catch (e2) {
          emit('tx-retry-failed', { error: (e2 as Error).message });
        }
      }
    }
    this.transactions++;
    emit('committed', { ...counts, next: nextOffset, ms: Date.now() - t0 });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => {});
  }
}
