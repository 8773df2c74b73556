/**
 * `riskgate run`: the engine behind the Kafka feed (docs/spec.md §14.4–14.6).
 *
 * Consumes the single-partition MoldUDP64 feed topic from its first packet, hands the engine
 * every message with its MoldUDP64 sequence number as seq (src/feed/sequencer.ts), and
 * publishes FILL records as executions (§14.1, keyed by account) and DECISION and CONTROL
 * records to the decisions topic.
 *
 * Fail closed: a sequence gap, or no packet for `staleMs` while the session is open, engages
 * the global kill switch in band — a GLOBAL_KILL control message with effective seq = the next
 * seq — unless it is engaged already; the missing seqs become gap fillers.
 *
 * Exactly once, and resume: every output travels in a Kafka transaction (transactional id =
 * the run group) together with the feed offset it reaches (sendOffsets to the run group) and
 * the journal records of the kill switches injected on the way. A restart first fences the
 * previous instance (aborting its open transaction), reads the committed feed offset O and the
 * journal, then rebuilds the engine state by replaying the feed from offset 0 with the same
 * start-of-day config (from the journal) and the journalled injections at their feed offsets;
 * outputs of packets below O are not published again (they were committed), everything from O
 * on is. The record stream, and so the `--out` file and the digest, is the whole session's.
 */
import { createHash } from 'node:crypto';
import type { Admin, Consumer, KafkaMessage, Message, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { encodeExecution, executionFromFill, executionKey } from '../clearing/execution.ts';
import type { PositionJson } from '../clearing/ledger.ts';
import { configBlob, type Config } from '../config/index.ts';
import { createEngine } from '../engine/create.ts';
import type { Engine } from '../engine/types.ts';
import { CodedError, RiskgateError } from '../errors.ts';
import { openRecordSink, type RecordSink } from '../export/records.ts';
import { RecordAccumulator } from '../report/accumulator.ts';
import { gapFillers, globalKillFrame, lastTimestamp } from '../feed/frames.ts';
import { FeedSequencer } from '../feed/sequencer.ts';
import { ControlOp } from '../itch/layout.ts';
import { RECORD_SIZE } from '../records/layout.ts';
import { replayReport } from '../report/replay-report.ts';
import { makeKafka, sleep, waitForBroker, type KafkaClient } from './client.ts';
import { ensureRunTopics, feedNames, type FeedNames } from './feed-topics.ts';
import { readToEnd } from './read-topic.ts';
import type { ControlQueue } from '../control/queue.ts';
import type { LiveState } from '../server/live.ts';

const { Partitioners } = kafkajs;

export interface FeedRunOptions {
  brokers: string;
  config: Config;
  prefix?: string;
  /** Feed topic (default riskgate.md.itch). */
  topic?: string;
  /** Run group: progress, transactional id and journal key (default <prefix>.run). */
  group?: string;
  /** Record file (.bin, .jsonl or .csv), rewritten from the session's start on every start. */
  out?: string;
  /** Start-of-day positions from the compacted positions topic (ignored on a resume: the journal's rule). */
  seedPositions?: boolean;
  /** No packet for this long while the session is open engages the kill switch (default 5000; 0 = off). */
  staleMs?: number;
  /** Most feed packets per transaction (default 1000). */
  maxTxPackets?: number;
  /** Fault injection (tests): hold every transaction open this long after its sends. */
  holdTxMs?: number;
  /** How long a transaction may keep failing (broker loss) before the run stops with exit 8 (default 120 s). */
  brokerTimeoutMs?: number;
  backend?: string;
  /**
   * Runtime controls (`run --serve`, src/control/plane.ts): operator changes queued over HTTP
   * are injected in band before the next engine call, journalled, and the live state is fed.
   */
  controls?: { queue: ControlQueue; live: LiveState };
  signal?: AbortSignal;
  emit?: (event: string, data?: Record<string, unknown>) => void;
}

export type EndReason = 'end-of-session' | 'signal';

interface JournalStart {
  type: 'start';
  group: string;
  feed: string;
  firstPacketSha256: string;
  configSha256: string;
  startPositions: number[];
  seeded: boolean;
  at: number;
}
interface JournalInject {
  type: 'inject';
  /** Feed offset of the packet the injection precedes (the next packet to process then). */
  feedOffset: string;
  seq: number;
  /** 'stale': a stale-feed kill; 'operator': a runtime control (`run --serve`). */
  reason: 'stale' | 'operator';
  /** The framed control message, hex. */
  control: string;
  at: number;
}
type JournalRecord = JournalStart | JournalInject;

/** Serialises the engine/producer work of the consumer, the stale timer and shutdown. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(f: () => Promise<T>): Promise<T> {
    const r = this.tail.then(f);
    this.tail = r.catch(() => {});
    return r;
  }
}

const MAX_TX_MESSAGES = 20_000;
const SEND_CHUNK = 2_000;
const FILLER_CHUNK = 65_536;

const RETRIABLE = new Set(['CONCURRENT_TRANSACTIONS', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'REQUEST_TIMED_OUT', 'NOT_ENOUGH_REPLICAS', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION']);

function isKafkaError(e: unknown): boolean {
  return /^KafkaJS/.test((e as Error)?.name ?? '');
}

/** Kafka client errors end the run as BROKER_UNAVAILABLE (exit 8), not as internal errors. */
function asCoded(e: unknown): unknown {
  if (e instanceof CodedError || !isKafkaError(e)) return e;
  return new ClearingError('BROKER_UNAVAILABLE', `Kafka: ${(e as Error).message}; restart run to resume`, { cause: e });
}

function errorType(e: unknown): string {
  const x = e as { type?: string; originalError?: { type?: string } };
  return x?.type ?? x?.originalError?.type ?? '';
}

function isFenced(e: unknown): boolean {
  const x = e as { type?: string; message?: string; originalError?: { type?: string } };
  const type = x?.type ?? x?.originalError?.type ?? '';
  return /FENCED|INVALID_PRODUCER_EPOCH|TRANSACTIONAL_ID_AUTHORIZATION/.test(type) || /fenced/i.test(String(x?.message ?? ''));
}

/** A transient broker answer (not a fencing): the same producer can redo the transaction. */
function isRetriable(e: unknown): boolean {
  const x = e as { type?: string; retriable?: boolean; originalError?: { type?: string; retriable?: boolean } };
  const type = x?.type ?? x?.originalError?.type ?? '';
  if (/FENCED|INVALID_PRODUCER_EPOCH|TRANSACTIONAL_ID_AUTHORIZATION/.test(type)) return false;
  return RETRIABLE.has(type) || x?.retriable === true || x?.originalError?.retriable === true;
}

function countSeqs(frames: Buffer): number {
  let m = 0;
  for (let off = 0; off + 2 <= frames.length; ) {
    const n = frames.readUInt16BE(off);
    if (n > 0 && !(n === 20 && frames[off + 2] === 0x7e)) m++;
    off += 2 + n;
  }
  return m;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export class FeedRun {
  private readonly o: Required<Omit<FeedRunOptions, 'out' | 'signal' | 'emit' | 'group' | 'topic' | 'controls'>> & FeedRunOptions;
  readonly names: FeedNames;
  private readonly kafka: KafkaClient;
  private readonly config: Config;
  private readonly emit: (event: string, data?: Record<string, unknown>) => void;
  private readonly serial = new Serial();
  private engine!: Engine;
  private acc!: RecordAccumulator;
  private sink: RecordSink | null = null;
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private readerGroup: string | null = null;
  private admin!: Admin;
  /** Tags every transaction's offset commit, so that one whose EndTxn answer was lost can be told committed or not. */
  private readonly txTagBase = `${process.pid}.${Date.now().toString(36)}`;
  private txSeq = 0;
  private readonly seq = new FeedSequencer();
  private readonly accountIds: number[];
  private readonly symbols: string[];

  // progress
  private committedAtStart = 0;
  private committed = 0;
  private nextOffset = 0;
  private live = false;
  private fresh = true;
  private startRecord: JournalStart | null = null;
  private startWritten = false;
  private journal: JournalInject[] = [];
  private journalNext = 0;
  private lastTs = 0;
  private firstPacketChecked = false;
  private lastPacketAt = Date.now();
  private staleEpisode = false;
  private stopping = false;
  private ended = false;
  private fatal: unknown = null;
  private finish!: () => void;
  private readonly done = new Promise<void>((r) => (this.finish = r));

  // pending outputs of the open transaction
  private outExec: Message[] = [];
  private outDec: Message[] = [];
  private outJournal: Message[] = [];
  private txPackets = 0;

  // report
  private readonly gaps: { from: number; to: number; missing: number; offset: number }[] = [];
  private readonly stale: { seq: number; idleMs: number; offset: number }[] = [];
  private readonly injected: { reason: string; seq: number; offset: number; replayed: boolean }[] = [];
  /** Operator controls (`--serve`) handed to the engine, live or replayed from the journal. */
  private readonly operatorControls: { op: number; target: number; value: string; seq: number; offset: number; replayed: boolean }[] = [];
  /** The seq of the next message handed to the engine (for the live state). */
  private handedSeq = 1;
  private gapFillers = 0;
  private gapLatched = false;
  private rebuiltPackets = 0;
  private readonly published = { executions: 0, decisions: 0, controls: 0, transactions: 0 };
  private readonly rebuilt = { executions: 0, decisions: 0, controls: 0 };
  private seeded: { from: string; symbols: Record<string, number> } | null = null;
  private endReason: EndReason = 'signal';

  constructor(opts: FeedRunOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as FeedRunOptions;
    this.o = { prefix: 'riskgate', seedPositions: false, staleMs: 5000, maxTxPackets: 1000, holdTxMs: 0, brokerTimeoutMs: 120_000, backend: 'rust', ...given };
    this.names = feedNames(this.o.prefix, given.topic, given.group);
    this.kafka = makeKafka(opts.brokers, 'riskgate-run');
    // The run may change start positions (seeding, resume): work on a copy.
    this.config = { ...opts.config, symbols: opts.config.symbols.map((s) => ({ ...s })) };
    this.emit = opts.emit ?? (() => {});
    this.accountIds = this.config.accounts.map((a) => a.id);
    this.symbols = this.config.symbols.map((s) => s.symbol);
  }

  private source(): string {
    return `kafka:${this.names.feed}`;
  }

  async run(): Promise<{ report: Record<string, unknown>; end: EndReason }> {
    await waitForBroker(this.o.brokers, {
      timeoutMs: this.o.brokerTimeoutMs,
      onRetry: ({ attempt, delayMs, error }) => this.emit('broker-wait', { attempt, delayMs, error }),
    });
    const admin = this.kafka.admin();
    await admin.connect();
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => void this.stop();
    try {
      await this.retrying('create topics', () => ensureRunTopics(admin, this.names));
      const [feedOffsets] = await this.retrying('read the feed offsets', () => admin.fetchTopicOffsets(this.names.feed));
      if (BigInt(feedOffsets.low) > 0n) {
        throw new RiskgateError('FAIL_CLOSED', `feed topic ${this.names.feed} no longer starts at offset 0 (first offset ${feedOffsets.low}): the session cannot be rebuilt`);
      }

      // 1. Fence any previous instance: InitProducerId with our transactional id aborts its open transaction.
      await this.retrying('initialise the transactional producer', () => this.newProducer());

      // 2. After fencing the committed offset is final: everything below it was published.
      this.admin = admin;
      this.committed = this.committedAtStart = (await this.retrying('read the committed offset', () => this.committedOffset(admin))).offset;
      this.fresh = this.committedAtStart === 0;
      if (this.committedAtStart > Number(feedOffsets.high)) {
        throw new RiskgateError('FAIL_CLOSED', `run group ${this.names.runGroup} committed feed offset ${this.committedAtStart}, beyond the end of ${this.names.feed} (${feedOffsets.high}): the feed topic was replaced; use another --group`);
      }

      // 3. The journal: start-of-day config and injected controls of this incarnation.
      if (!this.fresh) {
        const records: JournalRecord[] = [];
        await this.retrying('read the journal', async () => {
          records.length = 0;
          await readToEnd(this.kafka, admin, this.names.journal, (_p, m: KafkaMessage) => {
            if (m.key?.toString() !== this.names.runGroup || !m.value) return;
            const r = JSON.parse(m.value.toString()) as JournalRecord;
            if (r.type === 'start') records.length = 0;
            records.push(r);
          });
        });
        const start = records[0];
        if (!start || start.type !== 'start') {
          throw new RiskgateError('FAIL_CLOSED', `run group ${this.names.runGroup} has progress (feed offset ${this.committedAtStart}) but no start record in ${this.names.journal}: cannot resume`);
        }
        if (start.feed !== this.names.feed) {
          throw new RiskgateError('FAIL_CLOSED', `run group ${this.names.runGroup} belongs to feed ${start.feed}, not ${this.names.feed}; use another --group`);
        }
        this.config.symbols.forEach((s, i) => (s.startPosition = start.startPositions[i] ?? 0));
        const sha = sha256(configBlob(this.config));
        if (sha !== start.configSha256) {
          throw new RiskgateError('CONFIG_INVALID', `the config differs from the one run group ${this.names.runGroup} started with (blob SHA-256 ${start.configSha256.slice(0, 16)}…, now ${sha.slice(0, 16)}…); resume with the same --config`);
        }
        this.startRecord = start;
        this.startWritten = true;
        this.journal = records.slice(1) as JournalInject[];
        if (start.seeded) this.seeded = { from: 'journal', symbols: Object.fromEntries(this.config.symbols.map((s) => [s.symbol, s.startPosition])) };
      } else if (this.o.seedPositions) {
        await this.retrying('read the positions topic', () => this.seedPositions(admin));
      }
      this.emit('start', {
        feed: this.names.feed, group: this.names.runGroup, resumeFromOffset: this.committedAtStart,
        feedEnd: Number(feedOffsets.high), journal: this.journal.length,
      });

      // 4. Engine, record file, report.
      this.engine = createEngine(this.o.backend, configBlob(this.config));
      this.acc = new RecordAccumulator(this.source(), this.config);
      if (this.o.out) this.sink = openRecordSink(this.o.out, this.symbols);
      if (this.committedAtStart === 0) this.goLive();

      // 5. Consume from the first packet.
      this.o.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.o.signal?.aborted) onAbort();
      if (this.o.staleMs > 0 || this.o.controls) {
        const tick = this.o.staleMs > 0 ? Math.max(20, Math.min(250, Math.floor(this.o.staleMs / 4))) : 50;
        timer = setInterval(() => {
          if (this.o.staleMs > 0) this.checkStale();
          this.checkControls();
        }, this.o.controls ? Math.min(tick, 50) : tick);
      }
      await this.retrying('start the feed consumer', () => this.startConsumer());
      await this.done;
      if (this.fatal) throw this.fatal;
    } catch (e) {
      throw asCoded(e);
    } finally {
      if (timer) clearInterval(timer);
      this.o.signal?.removeEventListener('abort', onAbort);
      await this.consumer?.disconnect().catch(() => {});
      if (this.readerGroup) await admin.deleteGroups([this.readerGroup]).catch(() => {});
      await this.producer?.disconnect().catch(() => {});
      if (this.sink) await this.flushSink().catch(() => {});
      await this.sink?.close().catch(() => {});
      await admin.disconnect().catch(() => {});
    }
    const report = this.report();
    this.engine.close();
    return { report, end: this.endReason };
  }

  /**
   * (Re)creates the transactional producer. InitProducerId with the run group's
   * transactional id bumps its epoch: any earlier producer of the group (a previous instance,
   * or our own before a broker loss) is fenced and its open transaction completed or aborted.
   */
  private async newProducer(): Promise<void> {
    const old = this.producer;
    this.producer = null;
    await old?.disconnect().catch(() => {});
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: this.names.runGroup,
      transactionTimeout: 60_000,
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

  /**
   * Runs a start-up step again while the broker gives transient answers (a coordinator that
   * is loading or moving, e.g. right after a broker start), up to brokerTimeoutMs.
   */
  private async retrying<T>(what: string, f: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        return await f();
      } catch (e) {
        if (e instanceof CodedError) throw e;
        if (!isRetriable(e) && !isKafkaError(e)) throw e;
        if (Date.now() - t0 + delay > this.o.brokerTimeoutMs) {
          throw new ClearingError('BROKER_UNAVAILABLE', `could not ${what} within ${Math.round(this.o.brokerTimeoutMs / 1000)} s: ${(e as Error).message}`, { cause: e });
        }
        this.emit('retry', { what, attempt, error: (e as Error).message, delayMs: delay });
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /** The feed offset and transaction tag committed to the run group (final after fencing). */
  private async committedOffset(admin: Admin): Promise<{ offset: number; tag: string | null }> {
    const offs = await admin.fetchOffsets({ groupId: this.names.runGroup, topics: [this.names.feed] });
    const p = offs[0]?.partitions.find((x) => x.partition === 0);
    const o = Number(p?.offset ?? -1);
    return { offset: o > 0 ? o : 0, tag: p?.metadata ?? null };
  }

  private async seedPositions(admin: Admin): Promise<void> {
    const latest = new Map<string, PositionJson>();
    if ((await admin.listTopics()).includes(this.names.positions)) {
      await readToEnd(this.kafka, admin, this.names.positions, (_p, m) => {
        const k = m.key?.toString();
        if (!k) return;
        if (!m.value) latest.delete(k);
        else latest.set(k, JSON.parse(m.value.toString()) as PositionJson);
      });
    }
    const symbols: Record<string, number> = {};
    for (const s of this.config.symbols) {
      const acct = this.config.accounts[s.account]?.id;
      const p = latest.get(`${acct}:${s.symbol}`);
      if (!p) continue;
      if (!Number.isSafeInteger(p.position) || Math.abs(p.position) > 0x7fffffff) {
        throw new RiskgateError('CONFIG_INVALID', `seed position of ${acct}:${s.symbol} (${p.position}) is out of range`);
      }
      s.startPosition = p.position;
      symbols[s.symbol] = p.position;
    }
    this.seeded = { from: this.names.positions, symbols };
    this.emit('seeded', { topic: this.names.positions, records: latest.size, symbols });
  }

  private async startConsumer(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    if (this.readerGroup) await this.admin.deleteGroups([this.readerGroup]).catch(() => {});
    // A private group only to read the feed from its start; progress goes to the run group.
    const groupId = `${this.names.runGroup}.reader.${process.pid}.${Date.now().toString(36)}`;
    this.readerGroup = groupId;
    const consumer = this.kafka.consumer({
      groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 4 * 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 3000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) {
        this.fail(new ClearingError('BROKER_UNAVAILABLE', `feed consumer stopped (${e.payload.error?.message}); restart run to resume`, { cause: e.payload.error }));
      }
    });
    // After a rejoin (e.g. a broker restart) go on from the next packet, not the start.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.nextOffset > 0) {
        try {
          consumer.seek({ topic: this.names.feed, partition: 0, offset: String(this.nextOffset) });
        } catch {
          // not running yet: the offset skip in onBatch covers it
        }
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.names.feed, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (this.stopping || this.ended || this.fatal) return;
        if (batch.messages.length) this.lastPacketAt = Date.now(); // arrived: not stale, even if queued behind other work
        await this.serial.run(async () => {
          try {
            await this.onBatch(batch.messages, resolveOffset, heartbeat);
          } catch (e) {
            this.fail(e);
          }
        });
      },
    });
  }

  private fail(e: unknown): void {
    if (!this.fatal) this.fatal = e;
    this.emit('fatal', { error: (e as Error)?.message ?? String(e) });
    this.finish();
  }

  private async onBatch(messages: KafkaMessage[], resolveOffset: (o: string) => void, heartbeat: () => Promise<void>): Promise<void> {
    for (const m of messages) {
      if (this.stopping || this.ended || this.fatal) break;
      const offset = Number(m.offset);
      if (offset < this.nextOffset) continue; // redelivered
      if (!this.live && offset >= this.committedAtStart) this.goLive();
      this.lastPacketAt = Date.now();
      this.staleEpisode = false;
      await this.onPacket(offset, m.value ?? Buffer.alloc(0));
      this.nextOffset = offset + 1;
      resolveOffset(m.offset);
      if (!this.live) {
        this.rebuiltPackets++;
        if (this.nextOffset >= this.committedAtStart) this.goLive();
      } else {
        this.txPackets++;
        if (this.txPackets >= this.o.maxTxPackets || this.outExec.length + this.outDec.length >= MAX_TX_MESSAGES) {
          await this.commit();
          await heartbeat().catch(() => {});
        }
      }
      this.lastPacketAt = Date.now();
    }
    if (this.sink) await this.flushSink();
    await this.commit();
    if (this.ended || this.stopping) this.finish();
  }

  /** Rebuild done: apply the journalled injections up to the committed offset, then publish from here on. */
  private goLive(): void {
    if (this.live) return;
    this.applyJournal(this.committedAtStart);
    if (this.journalNext < this.journal.length) {
      const j = this.journal[this.journalNext];
      throw new RiskgateError('FAIL_CLOSED', `journal of ${this.names.runGroup} has an injection at feed offset ${j.feedOffset}, beyond its committed offset ${this.committedAtStart}`);
    }
    this.live = true;
    this.txPackets = 0;
    this.emit('live', { offset: this.nextOffset, rebuiltPackets: this.rebuiltPackets, seq: this.seq.expected });
  }

  /** Rebuild: the injections journalled before the packet at `offset`, in order. */
  private applyJournal(offset: number): void {
    while (this.journalNext < this.journal.length && Number(this.journal[this.journalNext].feedOffset) <= offset) {
      const j = this.journal[this.journalNext++];
      const f = Buffer.from(j.control, 'hex');
      const s = Number(f.readBigUInt64BE(6));
      if (s !== this.seq.expected) {
        throw new RiskgateError('FAIL_CLOSED', `journal of ${this.names.runGroup} does not match the feed: injection for seq ${s} at feed offset ${j.feedOffset}, but the next seq there is ${this.seq.expected}`);
      }
      this.engineCall(f, false, 0, offset, false);
      this.mirror(f);
      if (j.reason === 'operator') {
        this.operatorControls.push({ op: f[3], target: f.readUInt16BE(4), value: f.readBigUInt64BE(14).toString(), seq: s, offset: Number(j.feedOffset), replayed: true });
      } else {
        this.injected.push({ reason: j.reason, seq: s, offset: Number(j.feedOffset), replayed: true });
      }
    }
  }

  private async onPacket(offset: number, value: Buffer): Promise<void> {
    if (!this.live) this.applyJournal(offset);
    else this.applyOperatorControls(offset);
    if (offset === 0 && !this.firstPacketChecked) {
      this.firstPacketChecked = true;
      const sha = sha256(value);
      if (this.startRecord && this.startRecord.firstPacketSha256 !== sha) {
        throw new RiskgateError('FAIL_CLOSED', `feed ${this.names.feed} is not the feed run group ${this.names.runGroup} started on (first packet differs): use another --group`);
      }
      if (!this.startRecord) {
        this.startRecord = {
          type: 'start', group: this.names.runGroup, feed: this.names.feed, firstPacketSha256: sha,
          configSha256: sha256(configBlob(this.config)), startPositions: this.config.symbols.map((s) => s.startPosition),
          seeded: this.seeded !== null, at: Date.now(),
        };
      }
    }
    for (const step of this.seq.packet(value)) {
      switch (step.kind) {
        case 'frames':
          if (this.gapLatched) this.framesLatched(step.frames, step.firstSeq, offset);
          else this.engineCall(step.frames, false, step.messages, offset, true);
          break;
        case 'truncated':
          this.engineCall(step.frame, true, 1, offset, false);
          break;
        case 'gap': {
          const missing = step.to - step.from + 1;
          this.gaps.push({ from: step.from, to: step.to, missing, offset });
          this.emit('gap', { from: step.from, to: step.to, offset, killEngaged: this.acc.globalKill });
          this.gapLatched = true;
          if (!this.acc.globalKill) this.inject(step.from, 'gap', offset);
          for (let left = missing; left > 0; ) {
            const n = Math.min(left, FILLER_CHUNK);
            this.engineCall(gapFillers(n, this.lastTs), false, n, offset, false);
            left -= n;
          }
          this.gapFillers += missing;
          break;
        }
        case 'end':
          this.ended = true;
          this.endReason = 'end-of-session';
          this.emit('end-of-session', { seq: step.seq, offset });
          break;
      }
    }
    if (this.sink) await this.flushSink();
  }

  private sinkQueue: Buffer[] = [];
  private async flushSink(): Promise<void> {
    const q = this.sinkQueue;
    this.sinkQueue = [];
    for (const r of q) await this.sink!.write(r);
  }

  /**
   * Engages the global kill switch before message `seq`. Gap kills are decided again on a
   * rebuild (the feed and the journalled stale kills make them deterministic); stale kills
   * depend on wall time, so they are journalled and a rebuild replays them.
   */
  private inject(seq: number, reason: 'gap' | 'gap-latch' | 'stale', offset: number): void {
    const f = globalKillFrame(seq);
    this.engineCall(f, false, 0, offset, false);
    if (!this.acc.globalKill) throw new RiskgateError('FAIL_CLOSED', `the engine refused the kill switch for seq ${seq}`);
    this.mirror(f);
    if (reason === 'stale') {
      const j: JournalInject = { type: 'inject', feedOffset: String(offset), seq, reason, control: f.toString('hex'), at: Date.now() };
      this.outJournal.push({ key: this.names.runGroup, value: JSON.stringify(j), partition: 0 });
    }
    this.injected.push({ reason, seq, offset, replayed: !this.live });
    if (this.live) this.emit('kill-switch', { reason, seq, offset });
  }

  /**
   * `run --serve`: the operator changes queued since the last engine call become control
   * messages with effective seq = the next seq not yet handed to the engine, in front of the
   * packet at `offset` (or, when the feed is idle, of the next packet: offset = nextOffset).
   * They depend on wall time like stale kills, so they are journalled with that feed offset in
   * the same transaction as their records, and a rebuild replays them at the same place.
   */
  private applyOperatorControls(offset: number): void {
    const c = this.o.controls;
    if (!c || !this.live || this.seq.ended) return;
    const seq = this.seq.expected;
    const frames = c.queue.take(seq);
    if (!frames) return;
    const records = this.engineCall(frames, false, 0, offset, false);
    c.queue.confirm(records);
    const at = Date.now();
    for (let off = 0; off + 22 <= frames.length; off += 22) {
      const f = frames.subarray(off, off + 22);
      const j: JournalInject = { type: 'inject', feedOffset: String(offset), seq, reason: 'operator', control: f.toString('hex'), at };
      this.outJournal.push({ key: this.names.runGroup, value: JSON.stringify(j), partition: 0 });
      this.operatorControls.push({ op: f[3], target: f.readUInt16BE(4), value: f.readBigUInt64BE(14).toString(), seq, offset, replayed: false });
      this.emit('control', { op: f[3], target: f.readUInt16BE(4), value: f.readBigUInt64BE(14).toString(), seq, offset });
    }
    // After a gap the switch stays latched: an operator release is answered by a new kill.
    if (this.gapLatched && !this.acc.globalKill) this.inject(seq, 'gap-latch', offset);
  }

  /** Keeps the control plane's limits mirror in step with a control frame the run made itself. */
  private mirror(f: Buffer): void {
    const c = this.o.controls;
    if (!c) return;
    try {
      c.queue.state.apply(c.queue.state.check(f[3], f.readUInt16BE(4), f.readBigUInt64BE(14)));
      if (f[3] === ControlOp.GLOBAL_KILL) c.live.metrics.killSwitch.set({ scope: 'global' }, Number(f.readBigUInt64BE(14)));
    } catch {
      // not representable in the mirror: the engine is the authority
    }
  }

  /** Idle feed: apply queued operator controls now (before the next packet) and commit them. */
  private checkControls(): void {
    const c = this.o.controls;
    if (!c || c.queue.pendingCount === 0) return;
    if (!this.live || this.ended || this.stopping || this.fatal || this.seq.ended) return;
    void this.serial
      .run(async () => {
        if (!this.live || this.ended || this.stopping || this.fatal || this.seq.ended || c.queue.pendingCount === 0) return;
        this.applyOperatorControls(this.nextOffset);
        if (this.sink) await this.flushSink();
        await this.commit();
      })
      .catch((e) => this.fail(e));
  }

  /**
   * After a gap the kill switch is latched for the rest of the session (the books may lack
   * messages): frames are handed over in parts ending at each control message, and a control
   * that released the global kill is answered at once by a new GLOBAL_KILL for the same seq,
   * so no message is ever processed with the switch off.
   */
  private framesLatched(frames: Buffer, firstSeq: number, offset: number): void {
    let start = 0;
    let off = 0;
    let seqAt = firstSeq; // seq of the next message in `frames`
    while (off + 2 <= frames.length) {
      const n = frames.readUInt16BE(off);
      const control = n === 20 && frames[off + 2] === 0x7e;
      off += 2 + n;
      if (!control) {
        seqAt++;
        continue;
      }
      if (frames[off - 20 + 1] !== ControlOp.GLOBAL_KILL) continue;
      const part = frames.subarray(start, off);
      this.engineCall(part, false, countSeqs(part), offset, true);
      start = off;
      if (!this.acc.globalKill) this.inject(seqAt, 'gap-latch', offset);
    }
    if (start < frames.length) {
      const part = frames.subarray(start);
      this.engineCall(part, false, countSeqs(part), offset, true);
    }
  }

  private engineCall(frames: Buffer, endOfInput: boolean, messages: number, offset: number, trackTs: boolean): Buffer {
    const t = process.hrtime.bigint();
    const records = this.engine.process(frames, endOfInput);
    const dt = Number(process.hrtime.bigint() - t);
    this.acc.add(records, dt, messages, offset);
    if (trackTs) this.lastTs = lastTimestamp(frames, this.lastTs);
    const c = this.o.controls;
    if (c) {
      if (c.live.status === 'starting') c.live.status = 'running';
      c.live.observe(records, { frames, firstSeq: this.handedSeq, offset, messages, final: endOfInput }, dt, [{ source: this.engine.backend, role: 'primary', records: records.length / RECORD_SIZE }]);
    }
    this.handedSeq += messages;
    if (records.length === 0) return records;
    if (this.sink) this.sinkQueue.push(records);
    const out = this.live ? this.published : this.rebuilt;
    for (let off = 0; off + RECORD_SIZE <= records.length; off += RECORD_SIZE) {
      const kind = records[off + 1];
      if (kind === 3) {
        out.executions++;
        if (!this.live) continue;
        const e = executionFromFill(records.subarray(off, off + RECORD_SIZE), this.config.session, this.accountIds, this.symbols);
        this.outExec.push({ key: executionKey(e.accountId), value: encodeExecution(e) });
      } else if (kind === 2) {
        out.decisions++;
        if (this.live) this.outDec.push({ key: String(records.readUInt32LE(off + 28)), value: Buffer.from(records.subarray(off, off + RECORD_SIZE)), partition: 0 });
      } else if (kind === 4) {
        out.controls++;
        if (this.live) this.outDec.push({ key: 'control', value: Buffer.from(records.subarray(off, off + RECORD_SIZE)), partition: 0 });
      }
    }
    return records;
  }

  /** One transaction: pending outputs, journal records and the feed offset reached. */
  private async commit(): Promise<void> {
    if (!this.live) return;
    const anything = this.outExec.length + this.outDec.length + this.outJournal.length > 0;
    if (!anything && this.nextOffset === this.committed) return;
    if (!this.startWritten) {
      if (!this.startRecord) throw new Error('internal: no start record before the first commit');
      this.outJournal.unshift({ key: this.names.runGroup, value: JSON.stringify(this.startRecord), partition: 0 });
    }
    const t0 = Date.now();
    const counts = { executions: this.outExec.length, decisions: this.outDec.length, journal: this.outJournal.length };
    const all: { topic: string; m: Message }[] = [
      ...this.outExec.map((m) => ({ topic: this.names.executions, m })),
      ...this.outDec.map((m) => ({ topic: this.names.decisions, m })),
      ...this.outJournal.map((m) => ({ topic: this.names.journal, m })),
    ];
    const tag = `${this.txTagBase}.${++this.txSeq}`;
    // Anything that fails before EndTxn leaves nothing visible to read_committed readers: the
    // transaction is simply redone. When EndTxn itself fails its outcome is unknown: a new
    // producer (same transactional id) makes the coordinator finish or abort it, and the
    // offset committed to the run group, tagged per transaction, tells which. Broker loss is
    // waited out (backoff) up to brokerTimeoutMs; being fenced by another run stops this one.
    let delay = 200;
    let unresolved = false; // an EndTxn failed: find out whether it committed before anything else
    for (let attempt = 1; ; attempt++) {
      let ending = false;
      try {
        if (unresolved) {
          await waitForBroker(this.o.brokers, { timeoutMs: Math.max(1000, this.o.brokerTimeoutMs - (Date.now() - t0)) });
          await this.newProducer(); // the coordinator completes or aborts the transaction first
          const c = await this.committedOffset(this.admin);
          this.emit('tx-resolved', { committed: c.tag === tag, next: this.nextOffset });
          if (c.tag === tag) break;
          unresolved = false;
        }
        if (!this.producer) await this.newProducer();
        const tx = await this.producer!.transaction();
        try {
          for (let i = 0; i < all.length; i += SEND_CHUNK) {
            const part = all.slice(i, i + SEND_CHUNK);
            const byTopic = new Map<string, Message[]>();
            for (const { topic, m } of part) {
              let l = byTopic.get(topic);
              if (!l) byTopic.set(topic, (l = []));
              l.push(m);
            }
            await tx.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          }
          if (this.o.holdTxMs > 0 && counts.executions > 0) {
            this.emit('tx-open', { ...counts, holdMs: this.o.holdTxMs, next: this.nextOffset });
            await sleep(this.o.holdTxMs);
          }
          await tx.sendOffsets({
            consumerGroupId: this.names.runGroup,
            topics: [{ topic: this.names.feed, partitions: [{ partition: 0, offset: String(this.nextOffset), metadata: tag } as { partition: number; offset: string }] }],
          });
          ending = true;
          await tx.commit();
        } catch (e) {
          if (!ending && tx.isActive()) await tx.abort().catch(() => {});
          throw e;
        }
        break;
      } catch (e) {
        if (isFenced(e)) {
          throw new RiskgateError('FAIL_CLOSED', `the producer of run group ${this.names.runGroup} was fenced — another run with this group took over, or a transaction timed out (${(e as Error).message}); restart run to resume`, { cause: e });
        }
        if (Date.now() - t0 > this.o.brokerTimeoutMs) {
          throw new ClearingError('BROKER_UNAVAILABLE', `transaction not committed within ${Math.round(this.o.brokerTimeoutMs / 1000)} s (${(e as Error).message}); restart run to resume`, { cause: e });
        }
        if (ending) unresolved = true;
        // CONCURRENT_TRANSACTIONS (the previous commit's markers are still being written) clears in milliseconds.
        const wait = !ending && errorType(e) === 'CONCURRENT_TRANSACTIONS' ? 20 : delay;
        this.emit('tx-retry', { attempt, ending, error: (e as Error).message, delayMs: wait });
        await sleep(wait);
        if (wait === delay) delay = Math.min(delay * 2, 5000);
        if (ending || isRetriable(e)) continue;
        // Broker trouble: wait for it, then a new producer (fencing our old one).
        try {
          await waitForBroker(this.o.brokers, { timeoutMs: Math.max(1000, this.o.brokerTimeoutMs - (Date.now() - t0)) });
          await this.newProducer();
        } catch (e2) {
          this.emit('tx-retry-failed', { error: (e2 as Error).message });
        }
      }
    }
    this.startWritten = true;
    this.committed = this.nextOffset;
    this.published.transactions++;
    this.outExec = [];
    this.outDec = [];
    this.outJournal = [];
    this.txPackets = 0;
    this.emit('committed', { ...counts, next: this.nextOffset, ms: Date.now() - t0 });
  }

  private checkStale(): void {
    if (!this.live || this.ended || this.stopping || this.fatal || this.staleEpisode) return;
    if (!this.seq.session || this.seq.ended) return; // the session is not open
    if (Date.now() - this.lastPacketAt < this.o.staleMs) return;
    void this.serial
      .run(async () => {
        const idle = Date.now() - this.lastPacketAt;
        if (this.staleEpisode || this.ended || this.stopping || this.fatal || idle < this.o.staleMs) return;
        this.staleEpisode = true;
        const seq = this.seq.expected;
        this.stale.push({ seq, idleMs: idle, offset: this.nextOffset });
        this.emit('stale', { seq, idleMs: idle, killEngaged: this.acc.globalKill });
        if (!this.acc.globalKill) {
          this.inject(seq, 'stale', this.nextOffset);
          if (this.sink) await this.flushSink();
          await this.commit();
        }
      })
      .catch((e) => this.fail(e));
  }

  /** SIGINT/SIGTERM: finish the packet in hand, commit, stop. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.emit('stopping');
    await this.serial.run(async () => {
      try {
        await this.commit();
      } catch (e) {
        this.fail(e);
      }
    });
    this.finish();
  }

  /** Engine statistics for the control plane's `/api/state` (empty before the engine exists). */
  engineStats(): object {
    return this.engine ? this.engine.stats() : {};
  }

  private report(): Record<string, unknown> {
    const st = this.seq.stats;
    const result = this.acc.result(this.engine.backend, this.engine.stats());
    const report = replayReport(result, this.config);
    report.feed = {
      topic: this.names.feed,
      session: this.seq.session?.toString('latin1').trimEnd() ?? null,
      end: this.endReason,
      nextSeq: this.seq.expected,
      packets: st.packets,
      heartbeats: st.heartbeats,
      badPackets: st.badPackets,
      wrongSession: st.wrongSession,
      duplicates: st.duplicates,
      duplicateControls: st.duplicateControls,
      duplicatePackets: st.duplicatePackets,
      countMismatches: st.countMismatches,
      packetsAfterEnd: st.packetsAfterEnd,
      gaps: this.gaps,
      missing: st.missing,
      gapFillers: this.gapFillers,
      stale: this.stale,
      staleMs: this.o.staleMs,
      killSwitch: { engaged: this.acc.globalKill, injected: this.injected },
      ...(this.o.controls || this.operatorControls.length > 0 ? { operatorControls: this.operatorControls } : {}),
      gapLatched: this.gapLatched,
      failClosed: this.gaps.length > 0 || this.stale.length > 0,
    };
    report.kafka = {
      group: this.names.runGroup,
      executionsTopic: this.names.executions,
      decisionsTopic: this.names.decisions,
      resumedFromOffset: this.committedAtStart,
      rebuiltPackets: this.rebuiltPackets,
      committedOffset: this.committed,
      published: this.published,
      notRepublished: this.rebuilt,
      seededPositions: this.seeded,
    };
    if (this.o.out) report.out = this.o.out;
    return report;
  }
}
