/**
 * One clearing worker: a member of the clearing consumer group over `<prefix>.executions`.
 *
 * Exactly-once (default): transactional consume-transform-produce. Per assigned input
 * partition p the worker owns one idempotent transactional producer (transactional id
 * `<group>.p<p>`, maxInFlightRequests 1). Creating it fences any previous owner of p and
 * aborts that owner's open transaction; only then is p's ledger state restored from the
 * state changelog (partition p, read_committed). Each chunk of executions becomes one
 * transaction: settlement entries, changed positions, changed account states, dead letters
 * and the consumer offset (sendOffsets), committed together. A failed transaction (broker
 * loss, timeout) is aborted, the producer is disconnected and recreated, state is restored
 * again, and the chunk retried; executions already cleared by a commit whose answer was lost
 * are then recognised by their execution id and not cleared twice.
 *
 * De-duplication (docs/spec.md §14.3) is by execution id `(session, seq, leg)` in a set of the
 * ids cleared on the partition (src/kafka/seen.ts), rebuilt on every restore from partition p
 * of the settlements topic — never by a high-water mark, so an execution that was not seen is
 * never dropped. It is global because every execution is cleared on one partition only: its
 * account's home partition (murmur2 of the decimal account id, as the producers key it). An
 * execution read from another partition (a producer with another partitioner or a wrong key)
 * is re-routed — copied, in the same transaction as the consumer offset, to its home
 * partition of the executions topic — and cleared there.
 *
 * Dead letters embed at most the first 1 KiB of the bad value (with its length and SHA-256).
 * A transaction the broker refuses for good (MESSAGE_TOO_LARGE, …) is retried one record per
 * transaction; a record whose own transaction is refused stops its partition (event
 * `partition-failed`, the partition is paused), and `clear` reports it and exits 6.
 *
 * At-least-once (`exactlyOnce: false`, the negative control): plain producer, no
 * transactions, no de-duplication, offsets committed after the outputs.
 */
import { createHash } from 'node:crypto';
import type { Admin, Batch, Consumer, KafkaMessage, Message, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { decodeExecution, executionKey, type Execution } from '../clearing/execution.ts';
import type { FeeSchedule } from '../clearing/fees.ts';
import { Ledger, accountToJson, positionToJson, type AccountJson } from '../clearing/ledger.ts';
import { createLoadAssigner, type AssignInfo } from './assigner.ts';
import { makeKafka, sleep, waitForBroker, type KafkaClient } from './client.ts';
import { errorType, isFenced, isRefused } from './errors.ts';
import { readToEnd } from './read-topic.ts';
import { DEFAULT_SEEN_LIMIT, SeenIds, settlementExecId } from './seen.ts';
import { ensureClearingTopics, topicNames, type TopicNames } from './topics.ts';

const { Partitioners } = kafkajs;

/** Bytes of a bad record's value (and key) a dead letter embeds at most. */
export const DEAD_LETTER_EMBED = 1024;
const DEAD_LETTER_KEY = 256;
/** Header of a re-routed execution: `<partition>:<offset>` where it was read. */
export const REROUTED_HEADER = 'riskgate-rerouted-from';

export interface WorkerOptions {
  brokers: string;
  prefix?: string;
  workerId: string;
  fees: FeeSchedule;
  exactlyOnce?: boolean;
  /** Most executions per transaction (default 2000). */
  maxTxExecutions?: number;
  /** Partitions processed concurrently by this worker (default 4). */
  concurrency?: number;
  /** Fault injection: hold every transaction open this long after its sends (tests). */
  holdTxMs?: number;
  /** Fault injection: never clear this execution id (negative control for `lost`). */
  dropExecId?: string;
  /** Most execution ids remembered per partition for de-duplication (default 10,000,000). */
  maxSeenIds?: number;
  emit: (event: string, data?: Record<string, unknown>) => void;
}

interface PartitionCtx {
  partition: number;
  producer: Producer | null;
  ledger: Ledger;
  /** Execution ids cleared on this partition (de-duplication). */
  seen: SeenIds;
  /** Stopped for good (a record whose outputs the broker refuses): paused, nothing processed. */
  failed: boolean;
  ready: Promise<void> | null;
  dirty: boolean;
  lost: boolean;
  rate: number; // messages/s, EWMA
  lastCommitAt: number;
  /** The group's committed offset read after fencing: everything below it is cleared. */
  committed: bigint;
  /** Serialises batches and offsets-only commits of this partition. */
  lock: Promise<void>;
}

/** What the consumer hands `eachBatch` (the parts the worker uses). */
interface BatchPayload {
  batch: Batch;
  resolveOffset: (offset: string) => void;
  heartbeat: () => Promise<void>;
  isRunning: () => boolean;
  isStale: () => boolean;
  commitOffsetsIfNecessary: (offsets?: import('kafkajs').Offsets) => Promise<void>;
}

export class ClearingWorker {
  private readonly opts: Required<Omit<WorkerOptions, 'dropExecId'>> & { dropExecId?: string };
  /** Partitions of the executions topic (the home partition of an account depends on it). */
  private partitions = 0;
  private readonly homeCache = new Map<number, number>();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly names: TopicNames;
  private readonly kafka: KafkaClient;
  private admin!: Admin;
  private consumer: Consumer | null = null;
  private readonly parts = new Map<number, PartitionCtx>();
  private assigned = new Set<number>();
  private stopping = false;
  private stats = { cleared: 0, duplicates: 0, dlq: 0, rerouted: 0, transactions: 0, aborted: 0, recreated: 0, restores: 0, refused: 0, foreign: 0 };
  private progressTimer: NodeJS.Timeout | null = null;
  private generation = 0;
  private holdNextMs = 0;

  constructor(opts: WorkerOptions) {
    this.opts = {
      prefix: 'riskgate',
      exactlyOnce: true,
      maxTxExecutions: 2000,
      concurrency: 4,
      holdTxMs: 0,
      maxSeenIds: DEFAULT_SEEN_LIMIT,
      ...opts,
    };
    this.names = topicNames(this.opts.prefix);
    this.kafka = makeKafka(this.opts.brokers, `riskgate-clear-${this.opts.workerId}`);
  }

  /** Fault injection: hold the next transaction(s) open for `ms` after their sends (tests). */
  armHold(ms: number): void {
    this.holdNextMs = ms;
    this.emit('hold-armed', { ms });
  }

  private emit(event: string, data: Record<string, unknown> = {}): void {
    this.opts.emit(event, data);
  }

  async start(): Promise<void> {
    await waitForBroker(this.opts.brokers, {
      onRetry: ({ attempt, delayMs, error }) => this.emit('broker-wait', { attempt, delayMs, error }),
    });
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const n = await ensureClearingTopics(this.admin, this.names);
    this.partitions = n;
    this.emit('start', { group: this.names.group, topic: this.names.executions, partitions: n, exactlyOnce: this.opts.exactlyOnce });
    this.progressTimer = setInterval(() => this.emit('progress', { ...this.stats, assigned: [...this.assigned] }), 1000);
    await this.startConsumer();
  }

  private localRates(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [p, c] of this.parts) if (this.assigned.has(p) && c.rate > 0) out[p] = Math.round(c.rate);
    return out;
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.names.group,
      readUncommitted: false,
      partitionAssigners: [
        createLoadAssigner({
          admin: this.admin,
          groupId: this.names.group,
          localRates: () => this.localRates(),
          onAssign: (info: AssignInfo) => this.emit('assignment', { ...info }),
          onError: (e) => this.emit('assigner-error', { error: e.message }),
        }),
      ],
      // The broker's minimum (group.min.session.timeout.ms): a killed worker's partitions move
      // after at most ~6 s.
      sessionTimeout: 6000,
      rebalanceTimeout: 30000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 200,
      maxBytesPerPartition: 512 * 1024,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const mine = (e.payload.memberAssignment[this.names.executions] ?? []).slice().sort((a, b) => a - b);
      this.generation++;
      this.onAssignment(mine);
      this.emit('assigned', { partitions: mine, leader: e.payload.isLeader, memberId: e.payload.memberId });
    });
    // A fetch of transaction markers only (the commit marker of a transaction that wrote to the
    // executions topic: `run`'s, or a re-routing worker's) never reaches eachBatch; commit the
    // group's offset past it, or the partition's lag would never reach 0.
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const { topic, partition, batchSize, lastOffset } = e.payload as { topic: string; partition: number; batchSize: number; lastOffset: string };
      if (topic === this.names.executions && batchSize === 0 && this.opts.exactlyOnce) void this.commitPast(partition, BigInt(lastOffset) + 1n);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.emit('consumer-crash', { error: e.payload.error?.message, restart: e.payload.restart });
      if (!e.payload.restart && !this.stopping) void this.restartConsumer();
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.names.executions, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.concurrency,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async restartConsumer(): Promise<void> {
    const old = this.consumer;
    this.consumer = null;
    await old?.disconnect().catch(() => {});
    for (const p of [...this.parts.keys()]) await this.release(p);
    this.assigned.clear();
    let delay = 1000;
    while (!this.stopping) {
      try {
        await waitForBroker(this.opts.brokers, {
          onRetry: ({ attempt, delayMs, error }) => this.emit('broker-wait', { attempt, delayMs, error }),
        });
        await this.startConsumer();
        this.emit('consumer-restarted');
        return;
      } catch (e) {
        this.emit('consumer-restart-failed', { error: (e as Error).message, delayMs: delay });
        await sleep(delay);
        delay = Math.min(delay * 2, 10000);
      }
    }
  }

  /** New assignment: release partitions we lost, prepare the ones we gained. */
  private onAssignment(mine: number[]): void {
    const next = new Set(mine);
    for (const p of [...this.parts.keys()]) if (!next.has(p)) void this.release(p);
    this.assigned = next;
    const fresh: PartitionCtx[] = [];
    for (const p of mine) {
      const c = this.ctx(p);
      if (!c.ready) fresh.push(c);
    }
    if (fresh.length) {
      const ready = this.prepare(fresh);
      ready.catch(() => {}); // awaited (and retried) by onBatch
      for (const c of fresh) c.ready = ready;
    }
  }

  private ctx(p: number): PartitionCtx {
    let c = this.parts.get(p);
    if (!c) {
      c = {
        partition: p,
        producer: null,
        // De-duplication is the worker's (by id, `seen`), not the ledger's watermark.
        ledger: new Ledger(this.opts.fees, { dedupe: false }),
        seen: new SeenIds(this.opts.maxSeenIds),
        failed: false,
        ready: null,
        dirty: true,
        lost: false,
        rate: 0,
        lastCommitAt: Date.now(),
        committed: -1n,
        lock: Promise.resolve(),
      };
      this.parts.set(p, c);
    }
    return c;
  }

  private async release(p: number): Promise<void> {
    const c = this.parts.get(p);
    if (!c) return;
    this.parts.delete(p);
    c.lost = true;
    const prod = c.producer;
    c.producer = null;
    await prod?.disconnect().catch(() => {});
    this.emit('released', { partition: p });
  }

  private newProducer(p: number): Producer {
    if (!this.opts.exactlyOnce) {
      return this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    }
    return this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `${this.names.group}.p${p}`,
      transactionTimeout: 60000,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3000 },
    });
  }

  /**
   * Fence the previous owners (exactly-once: creating the producer with the partition's
   * transactional id aborts their open transactions), then restore the partitions' ledgers
   * from the state changelog in one read.
   */
  private async prepare(cs: PartitionCtx[]): Promise<void> {
    const t0 = Date.now();
    await Promise.all(
      cs.map(async (c) => {
        const old = c.producer;
        c.producer = null;
        await old?.disconnect().catch(() => {});
        const producer = this.newProducer(c.partition);
        await producer.connect();
        if (this.opts.exactlyOnce) {
          // kafkajs initialises the transactional producer id lazily, on the first transaction():
          // InitProducerId with the partition's transactional id bumps the epoch, which fences
          // the previous owner and aborts its open transaction. Do it now, before restoring.
          const tx = await producer.transaction();
          await tx.abort();
        }
        c.producer = producer;
      }),
    );
    // After fencing no earlier owner can commit any more: the committed offsets are final.
    const committed = new Map<number, bigint>();
    if (this.opts.exactlyOnce) {
      const offs = await this.admin.fetchOffsets({ groupId: this.names.group, topics: [this.names.executions] });
      for (const t of offs) for (const o of t.partitions) committed.set(o.partition, BigInt(o.offset));
    }
    const byPartition = new Map<number, Map<number, AccountJson>>(cs.map((c) => [c.partition, new Map()]));
    const foreign: { topic: string; partition: number; offset: string }[] = [];
    const { messages } = await readToEnd(
      this.kafka,
      this.admin,
      this.names.state,
      (partition, m: KafkaMessage) => {
        if (!m.value) return;
        const a = parseAccount(m.value);
        if (a) byPartition.get(partition)?.set(a.accountId, a);
        else foreign.push({ topic: this.names.state, partition, offset: m.offset });
      },
      { partitions: cs.map((c) => c.partition), timeoutMs: 60000 },
    );
    // The ids cleared on these partitions: one settlement entry each, committed with them.
    const seen = new Map<number, SeenIds>(cs.map((c) => [c.partition, new SeenIds(this.opts.maxSeenIds)]));
    let settlements = 0;
    if (this.opts.exactlyOnce) {
      settlements = (
        await readToEnd(
          this.kafka,
          this.admin,
          this.names.settlements,
          (partition, m: KafkaMessage) => {
            const id = settlementExecId(m.value);
            if (id === null || !seen.get(partition)?.addText(id)) foreign.push({ topic: this.names.settlements, partition, offset: m.offset });
          },
          { partitions: cs.map((c) => c.partition), timeoutMs: 120000 },
        )
      ).messages;
    }
    for (const c of cs) {
      c.ledger.clear();
      for (const a of byPartition.get(c.partition)!.values()) c.ledger.restore(a);
      c.seen = seen.get(c.partition)!;
      c.committed = committed.get(c.partition) ?? -1n;
      c.dirty = false;
    }
    this.stats.restores++;
    if (foreign.length) {
      this.stats.foreign += foreign.length;
      this.emit('foreign-records', { count: foreign.length, first: foreign.slice(0, 10) });
    }
    this.emit('restored', {
      partitions: cs.map((c) => c.partition),
      accounts: cs.reduce((s, c) => s + c.ledger.size, 0),
      seenIds: cs.reduce((s, c) => s + c.seen.size, 0),
      changelogRecords: messages,
      settlementRecords: settlements,
      ms: Date.now() - t0,
    });
  }

  private async recreate(c: PartitionCtx, why: string): Promise<void> {
    this.stats.recreated++;
    this.emit('producer-recreate', { partition: c.partition, why });
    c.dirty = true;
    c.ready = this.prepare([c]);
    await c.ready;
  }

  private locked<T>(c: PartitionCtx, f: () => Promise<T>): Promise<T> {
    const run = c.lock.then(f);
    c.lock = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  /** Offsets-only transaction: the group's offset of p moves to `next` (past markers only). */
  private async commitPast(p: number, next: bigint, attempt = 1): Promise<void> {
    const c = this.parts.get(p);
    if (!c || c.failed || !this.assigned.has(p)) return;
    await this.locked(c, async () => {
      if (c.lost || c.failed || c.dirty || !c.producer || next <= c.committed || c.committed < 0n) return;
      const tx = await c.producer.transaction();
      try {
        await tx.sendOffsets({
          consumerGroupId: this.names.group,
          topics: [{ topic: this.names.executions, partitions: [{ partition: p, offset: next.toString() }] }],
        });
        await tx.commit();
        c.committed = next;
        this.emit('committed-markers', { partition: p, next: next.toString() });
      } catch (e) {
        if (tx.isActive()) await tx.abort().catch(() => {});
        throw e;
      }
    }).catch(async (e) => {
      this.emit('commit-markers-failed', { partition: p, error: (e as Error).message, attempt });
      if (isFenced(e)) return;
      c.dirty = true;
      if (attempt < 5 && !this.stopping) {
        await sleep(1000 * attempt);
        if (c.dirty && !c.lost) await this.recreate(c, 'commit-markers').catch(() => {});
        await this.commitPast(p, next, attempt + 1);
      }
    });
  }

  private async onBatch(payload: BatchPayload): Promise<void> {
    const c = this.parts.get(payload.batch.partition);
    if (!c) return this.onBatchLocked(payload);
    return this.locked(c, () => this.onBatchLocked(payload));
  }

  private async onBatchLocked(payload: BatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const p = batch.partition;
    if (!this.assigned.has(p)) return;
    const c = this.ctx(p);
    if (c.failed) return;
    if (!c.ready) c.ready = this.prepare([c]);
    let delay = 500;
    // Wait for fencing + restore, retrying through broker trouble.
    for (;;) {
      try {
        await c.ready;
        break;
      } catch (e) {
        if (this.stopping || !isRunning() || isStale() || c.lost) return;
        this.emit('prepare-failed', { partition: p, error: (e as Error).message, delayMs: delay });
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
        await heartbeat().catch(() => {});
        c.ready = this.prepare([c]);
      }
    }
    const msgs = batch.messages;
    const size = this.opts.maxTxExecutions;
    // Past the batch's trailing transaction markers and aborted records (not in `messages`).
    const batchEnd = BigInt(batch.lastOffset()) + 1n;
    // After a refused transaction: this many records go one per transaction.
    let single = 0;
    for (let i = 0; i < msgs.length; ) {
      const chunk = msgs.slice(i, i + (single > 0 ? 1 : size));
      let split = false;
      delay = 500;
      for (;;) {
        if (this.stopping || !isRunning() || isStale() || c.lost || !this.assigned.has(p)) return;
        try {
          if (c.dirty) {
            c.ready = this.prepare([c]);
            await c.ready;
          }
          // Skip what an earlier owner (or an earlier attempt whose commit answer was lost) committed.
          const todo = chunk.filter((m) => BigInt(m.offset) >= c.committed);
          const last = i + chunk.length >= msgs.length;
          if (todo.length) await this.process(c, todo, payload, last ? batchEnd : 0n);
          resolveOffset(chunk[chunk.length - 1].offset);
          break;
        } catch (e) {
          if (this.opts.exactlyOnce && isFenced(e)) {
            this.emit('fenced', { partition: p, error: (e as Error).message });
            await this.release(p);
            return;
          }
          if (isRefused(e)) {
            // No retry changes the broker's mind: find the record, then stop the partition.
            this.stats.refused++;
            this.stats.aborted++;
            this.emit('tx-refused', { partition: p, records: chunk.length, from: chunk[0].offset, error: (e as Error).message, type: errorType(e) });
            if (chunk.length === 1) {
              this.fail(c, chunk[0].offset, e);
              return;
            }
            await this.recreate(c, errorType(e)).catch(() => {
              c.dirty = true;
            });
            single = chunk.length;
            split = true;
            break;
          }
          this.stats.aborted++;
          this.emit('tx-failed', { partition: p, error: (e as Error).message, type: errorType(e), delayMs: delay });
          await sleep(delay);
          delay = Math.min(delay * 2, 5000);
          await heartbeat().catch(() => {});
          try {
            await this.recreate(c, errorType(e));
          } catch (e2) {
            this.emit('prepare-failed', { partition: p, error: (e2 as Error).message });
            c.dirty = true;
          }
        }
      }
      if (split) continue;
      i += chunk.length;
      if (single > 0) single -= chunk.length;
      await heartbeat().catch(() => {});
    }
  }

  /** Stops partition c for good: its record at `offset` has outputs the broker refuses. */
  private fail(c: PartitionCtx, offset: string, e: unknown): void {
    c.failed = true;
    try {
      this.consumer?.pause([{ topic: this.names.executions, partitions: [c.partition] }]);
    } catch {
      // not running: nothing to pause
    }
    this.emit('partition-failed', {
      partition: c.partition,
      offset,
      type: errorType(e),
      error: `the broker refuses the outputs of the record at offset ${offset} (${errorType(e)}: ${(e as Error).message}); the partition is stopped`,
    });
  }

  /** The partition of the executions topic that owns this account (the producers' murmur2 of its key). */
  private home(accountId: number): number {
    let h = this.homeCache.get(accountId);
    if (h === undefined) {
      const meta = Array.from({ length: this.partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
      h = this.partitioner({ topic: this.names.executions, partitionMetadata: meta, message: { key: executionKey(accountId), value: null } });
      if (this.homeCache.size >= 100_000) this.homeCache.clear(); // forged account ids must not grow it without bound
      this.homeCache.set(accountId, h);
    }
    return h;
  }

  private deadLetter(p: number, m: KafkaMessage, code: string, reason: string): Message {
    const v = m.value;
    const k = m.key;
    return {
      key: k ? k.subarray(0, DEAD_LETTER_KEY) : null,
      partition: 0,
      value: JSON.stringify({
        code,
        reason,
        topic: this.names.executions,
        partition: p,
        offset: m.offset,
        key: k ? k.subarray(0, DEAD_LETTER_KEY).toString('utf8') : null,
        keyBytes: k?.length ?? 0,
        value: v ? v.subarray(0, DEAD_LETTER_EMBED).toString('base64') : null,
        valueBytes: v?.length ?? 0,
        valueSha256: v ? createHash('sha256').update(v).digest('hex') : null,
        valueTruncated: (v?.length ?? 0) > DEAD_LETTER_EMBED,
        worker: this.opts.workerId,
      }),
    };
  }

  private async process(
    c: PartitionCtx,
    chunk: KafkaMessage[],
    payload: { commitOffsetsIfNecessary: (offsets?: import('kafkajs').Offsets) => Promise<void> },
    commitTo = 0n,
  ): Promise<void> {
    const p = c.partition;
    const t0 = Date.now();
    const txn = c.ledger.begin();
    const settlements: Message[] = [];
    const dlq: Message[] = [];
    const rerouted: Message[] = [];
    const added: Execution[] = []; // ids added to c.seen by this transaction (removed on rollback)
    let duplicates = 0;
    const now = Date.now();
    for (const m of chunk) {
      let e;
      try {
        e = decodeExecution(m.value);
      } catch (err) {
        const ce = err as ClearingError;
        dlq.push(this.deadLetter(p, m, ce.code ?? 'BAD_EXECUTION', ce.message));
        continue;
      }
      const home = this.home(e.accountId);
      if (home !== p) {
        // Not this partition's account: its home partition clears (and de-duplicates) it.
        rerouted.push({ key: executionKey(e.accountId), value: m.value, partition: home, headers: { [REROUTED_HEADER]: `${p}:${m.offset}` } });
        continue;
      }
      if (this.opts.dropExecId && `${e.session}:${e.seq}:${e.leg}` === this.opts.dropExecId) continue;
      if (this.opts.exactlyOnce) {
        if (c.seen.has(e)) {
          duplicates++;
          continue;
        }
        if (c.seen.full) {
          dlq.push(this.deadLetter(p, m, 'DEDUP_FULL', `the de-duplication set of partition ${p} holds ${c.seen.size} ids (the limit): not cleared`));
          continue;
        }
        c.seen.add(e);
        added.push(e);
      }
      const r = txn.apply(e);
      if (r.kind === 'duplicate') {
        duplicates++;
        continue;
      }
      settlements.push({
        key: String(e.accountId),
        partition: p,
        value: JSON.stringify({ ...r.entry, src: { partition: p, offset: m.offset, ts: m.timestamp }, clearedAt: now }),
      });
    }
    const positions: Message[] = [];
    for (const [k, ps] of txn.touchedPositionStates()) {
      positions.push({ key: k, partition: p, value: JSON.stringify({ ...positionToJson(ps), updatedAt: now }) });
    }
    const state: Message[] = txn.touchedAccounts().map((a) => ({
      key: String(a.accountId),
      partition: p,
      value: JSON.stringify(accountToJson(a)),
    }));
    const topicMessages = [
      { topic: this.names.settlements, messages: settlements },
      { topic: this.names.positions, messages: positions },
      { topic: this.names.state, messages: state },
      { topic: this.names.dlq, messages: dlq },
      { topic: this.names.executions, messages: rerouted },
    ].filter((t) => t.messages.length > 0);
    const afterLast = BigInt(chunk[chunk.length - 1].offset) + 1n;
    const next = (commitTo > afterLast ? commitTo : afterLast).toString();
    const producer = c.producer;
    if (!producer) throw new Error(`no producer for partition ${p}`);
    try {
      if (this.opts.exactlyOnce) {
        const tx = await producer.transaction();
        try {
          if (topicMessages.length) await tx.sendBatch({ topicMessages, acks: -1 });
          await this.maybeHold(p, settlements.length);
          await tx.sendOffsets({
            consumerGroupId: this.names.group,
            topics: [{ topic: this.names.executions, partitions: [{ partition: p, offset: next }] }],
          });
          await tx.commit();
        } catch (e) {
          if (tx.isActive()) await tx.abort().catch(() => {});
          throw e;
        }
      } else {
        if (topicMessages.length) await producer.sendBatch({ topicMessages, acks: -1 });
        await this.maybeHold(p, settlements.length);
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic: this.names.executions, partitions: [{ partition: p, offset: next }] }],
        });
      }
    } catch (e) {
      txn.rollback();
      for (const x of added) c.seen.delete(x);
      if (!this.opts.exactlyOnce) c.dirty = true;
      throw e;
    }
    txn.commit();
    c.committed = BigInt(next);
    const ms = Math.max(1, Date.now() - c.lastCommitAt);
    const inst = (chunk.length * 1000) / ms;
    c.rate = c.rate === 0 ? inst : 0.7 * c.rate + 0.3 * inst;
    c.lastCommitAt = Date.now();
    this.stats.transactions++;
    this.stats.cleared += settlements.length;
    this.stats.duplicates += duplicates;
    this.stats.dlq += dlq.length;
    this.stats.rerouted += rerouted.length;
    if (dlq.length) this.emit('dead-letter', { partition: p, count: dlq.length });
    if (rerouted.length) this.emit('rerouted', { partition: p, count: rerouted.length, to: [...new Set(rerouted.map((r) => r.partition))] });
    if (duplicates) this.emit('duplicates-dropped', { partition: p, count: duplicates });
    this.emit('committed', { partition: p, executions: settlements.length, next, ms: Date.now() - t0 });
  }

  private async maybeHold(partition: number, executions: number): Promise<void> {
    const ms = this.holdNextMs || this.opts.holdTxMs;
    if (ms <= 0 || executions === 0) return;
    this.emit('tx-open', { partition, executions, holdMs: ms });
    await sleep(ms);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.progressTimer) clearInterval(this.progressTimer);
    await this.consumer?.disconnect().catch(() => {});
    for (const p of [...this.parts.keys()]) await this.release(p);
    await this.admin?.disconnect().catch(() => {});
    this.emit('stopped', { ...this.stats });
  }
}

/** An account state record of the changelog, or null for anything else (a foreign record). */
function parseAccount(v: Buffer): AccountJson | null {
  try {
    const a = JSON.parse(v.toString('utf8')) as AccountJson;
    if (a && typeof a === 'object' && Number.isInteger(a.accountId) && Array.isArray(a.positions) && a.watermarks && typeof a.watermarks === 'object') return a;
  } catch {
    // not JSON
  }
  return null;
}
