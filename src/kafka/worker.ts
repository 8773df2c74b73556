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
 * are then recognised by their execution id (ledger de-duplication) and not cleared twice.
 *
 * At-least-once (`exactlyOnce: false`, the negative control): plain producer, no
 * transactions, no de-duplication, offsets committed after the outputs.
 */
import type { Admin, Batch, Consumer, KafkaMessage, Message, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { decodeExecution } from '../clearing/execution.ts';
import type { FeeSchedule } from '../clearing/fees.ts';
import { Ledger, accountToJson, positionToJson, type AccountJson } from '../clearing/ledger.ts';
import { createLoadAssigner, type AssignInfo } from './assigner.ts';
import { makeKafka, sleep, waitForBroker, type KafkaClient } from './client.ts';
import { errorType, isFenced } from './errors.ts';
import { readToEnd } from './read-topic.ts';
import { ensureClearingTopics, topicNames, type TopicNames } from './topics.ts';

const { Partitioners } = kafkajs;

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
  emit: (event: string, data?: Record<string, unknown>) => void;
}

interface PartitionCtx {
  partition: number;
  producer: Producer | null;
  ledger: Ledger;
  ready: Promise<void> | null;
  dirty: boolean;
  lost: boolean;
  rate: number; // messages/s, EWMA
  lastCommitAt: number;
  /** The group's committed offset read after fencing: everything below it is cleared. */
  committed: bigint;
}

export class ClearingWorker {
  private readonly opts: Required<Omit<WorkerOptions, 'dropExecId'>> & { dropExecId?: string };
  private readonly names: TopicNames;
  private readonly kafka: KafkaClient;
  private admin!: Admin;
  private consumer: Consumer | null = null;
  private readonly parts = new Map<number, PartitionCtx>();
  private assigned = new Set<number>();
  private stopping = false;
  private stats = { cleared: 0, duplicates: 0, dlq: 0, transactions: 0, aborted: 0, recreated: 0, restores: 0 };
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
        ledger: new Ledger(this.opts.fees, { dedupe: this.opts.exactlyOnce }),
        ready: null,
        dirty: true,
        lost: false,
        rate: 0,
        lastCommitAt: Date.now(),
        committed: -1n,
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
    const { messages } = await readToEnd(
      this.kafka,
      this.admin,
      this.names.state,
      (partition, m: KafkaMessage) => {
        if (!m.value) return;
        const a = JSON.parse(m.value.toString()) as AccountJson;
        byPartition.get(partition)?.set(a.accountId, a);
      },
      { partitions: cs.map((c) => c.partition), timeoutMs: 60000 },
    );
    for (const c of cs) {
      c.ledger.clear();
      for (const a of byPartition.get(c.partition)!.values()) c.ledger.restore(a);
      c.committed = committed.get(c.partition) ?? -1n;
      c.dirty = false;
    }
    this.stats.restores++;
    this.emit('restored', {
      partitions: cs.map((c) => c.partition),
      accounts: cs.reduce((s, c) => s + c.ledger.size, 0),
      changelogRecords: messages,
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

  private async onBatch(payload: {
    batch: Batch;
    resolveOffset: (offset: string) => void;
    heartbeat: () => Promise<void>;
    isRunning: () => boolean;
    isStale: () => boolean;
    commitOffsetsIfNecessary: (offsets?: import('kafkajs').Offsets) => Promise<void>;
  }): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const p = batch.partition;
    if (!this.assigned.has(p)) return;
    const c = this.ctx(p);
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
    for (let i = 0; i < msgs.length; i += size) {
      const chunk = msgs.slice(i, i + size);
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
          if (todo.length) await this.process(c, todo, payload);
          resolveOffset(chunk[chunk.length - 1].offset);
          break;
        } catch (e) {
          if (this.opts.exactlyOnce && isFenced(e)) {
            this.emit('fenced', { partition: p, error: (e as Error).message });
            await this.release(p);
            return;
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
      await heartbeat().catch(() => {});
    }
  }

  private async process(
    c: PartitionCtx,
    chunk: KafkaMessage[],
    payload: { commitOffsetsIfNecessary: (offsets?: import('kafkajs').Offsets) => Promise<void> },
  ): Promise<void> {
    const p = c.partition;
    const t0 = Date.now();
    const txn = c.ledger.begin();
    const settlements: Message[] = [];
    const dlq: Message[] = [];
    let duplicates = 0;
    const now = Date.now();
    for (const m of chunk) {
      let e;
      try {
        e = decodeExecution(m.value);
      } catch (err) {
        const ce = err as ClearingError;
        dlq.push({
          key: m.key,
          value: JSON.stringify({
            code: ce.code ?? 'BAD_EXECUTION',
            reason: ce.message,
            topic: this.names.executions,
            partition: p,
            offset: m.offset,
            key: m.key?.toString('utf8') ?? null,
            value: m.value?.toString('base64') ?? null,
            worker: this.opts.workerId,
          }),
          partition: 0,
        });
        continue;
      }
      if (this.opts.dropExecId && `${e.session}:${e.seq}:${e.leg}` === this.opts.dropExecId) continue;
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
    ].filter((t) => t.messages.length > 0);
    const next = (BigInt(chunk[chunk.length - 1].offset) + 1n).toString();
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
    if (dlq.length) this.emit('dead-letter', { partition: p, count: dlq.length });
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
