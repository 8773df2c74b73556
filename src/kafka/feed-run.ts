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
 * seq — unless it is engaged already; the missing seqs become gap fillers, up to `maxGap` of
 * them (handed in chunks, yielding between them); above that the engine's input ends at the
 * kill. A packet that reveals a gap is first held and judged by the next packet
 * (src/feed/outlier-guard.ts): one that claims an absurd sequence number and is contradicted
 * by the stream is refused as an outlier, so it can neither stop the session nor make later
 * real packets look like duplicates.
 *
 * Exactly once, and resume: every output travels in a Kafka transaction (transactional id =
 * the run group) together with the feed offset it reaches (sendOffsets to the run group) and
 * the journal records of the kill switches injected on the way. A restart first fences the
 * previous instance (aborting its open transaction), reads the committed feed offset O and the
 * journal, then rebuilds the engine state by replaying the feed from offset 0 with the same
 * start-of-day config (from the journal) and the journalled injections at their feed offsets;
 * outputs of packets below O are not published again (they were committed), everything from O
 * on is. The record stream, and so the `--out` file and the digest, is the whole session's.
 *
 * This file runs the consumer, the rebuild and the stale-feed timer; the parts are
 * feed-engine.ts (engine calls and where records go), feed-controls.ts (control messages the
 * run puts in band), feed-journal.ts (what a restart replays) and feed-tx.ts (transactions).
 */
import type { Admin } from 'kafkajs';
import { blobFingerprint, configBlob, type Config } from '../config/index.ts';
import type { ControlQueue } from '../control/queue.ts';
import { RiskgateError } from '../errors.ts';
import { gapFillers } from '../feed/frames.ts';
import { OutlierGuard } from '../feed/outlier-guard.ts';
import { FeedSequencer, type FeedStep } from '../feed/sequencer.ts';
import { replayReport } from '../report/replay-report.ts';
import { ResumableSha256 } from '../report/sha256-state.ts';
import type { LiveState } from '../server/live.ts';
import { makeKafka, retrying, waitForBroker, type KafkaClient } from './client.ts';
import { asCoded } from './errors.ts';
import { FeedControls } from './feed-controls.ts';
import { FeedEngine } from './feed-engine.ts';
import { FeedFetch } from './feed-fetch.ts';
import type { FeedRecord } from './record-batches.ts';
import { JournalReplay, journalMessage, readJournal, resumeFrom, sha256, startRecord, type JournalStart } from './feed-journal.ts';
import { ensureRunTopics, feedNames, type FeedNames } from './feed-topics.ts';
import { FeedTransactions } from './feed-tx.ts';
import { MAX_BATCH_RECORDS } from './decision-batch.ts';
import { seedPositions } from './seed-positions.ts';
import { shardGroup, shardLabel, shardPlan, type ShardPlan, type ShardSpec } from './shard.ts';
import { decodeState, encodeState, readLatestSnapshot, snapshotMessage, SNAPSHOT_VERSION, type Snapshot } from './feed-snapshot.ts';
import { RustEngine } from '../engine/rust.ts';
import { writeFileSync } from 'node:fs';
import type { Logger } from '../log/index.ts';
import { controlsOf, LiveOrderEntry, type JournalOrderEntry } from './order-entry-live.ts';

export interface FeedRunOptions {
  brokers: string;
  config: Config;
  prefix?: string;
  /** Feed topic (default riskgate.md.itch). */
  topic?: string;
  /** Run group: progress, transactional id and journal key (default <prefix>.run, or <prefix>.run.shard-K-of-N). */
  group?: string;
  /**
   * `--shard K/N` (spec §14.9): publish only the executions and decisions of the accounts
   * this shard owns; the journal's start record names the shard and a resume must match it.
   */
  shard?: ShardSpec;
  /** Record file (.bin, .jsonl or .csv), rewritten from the session's start on every start. */
  out?: string;
  /** `--format` of the record file (src/export/records.ts). */
  format?: string;
  /** Start-of-day positions from the compacted positions topic (ignored on a resume: the journal's rule). */
  seedPositions?: boolean;
  /** No packet for this long while the session is open engages the kill switch (default 5000; 0 = off). */
  staleMs?: number;
  /**
   * Largest gap (missing seqs) filled with gap fillers (default DEFAULT_MAX_GAP); a larger one
   * engages the kill switch and ends the engine's input for the session (spec §14.5). A resume
   * keeps the bound its journal's start record names.
   */
  maxGap?: number;
  /** Most feed packets per transaction (default DEFAULT_MAX_TX_PACKETS). */
  maxTxPackets?: number;
  /**
   * An engine snapshot with the run's state goes with every this many committed transactions
   * (default DEFAULT_SNAPSHOT_EVERY; 0 = none), so that a restart resumes from it instead of from offset 0 (§14.6).
   */
  snapshotEvery?: number;
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
  /**
   * `run --order-entry` (spec §14.10): clients' orders over OUCH, checked at the engine's
   * current position in the live stream, journalled with their records, answered after the commit.
   */
  orderEntry?: { port?: number; venue?: { host: string; port: number; username: string; password: string } | null; log: Logger };
  /** `run --record f`: the merged stream handed to the engine (feed, controls, order entry), written at the end; `replay f` gives the run's digest. */
  record?: string;
  signal?: AbortSignal;
  emit?: (event: string, data?: Record<string, unknown>) => void;
}

export type EndReason = 'end-of-session' | 'signal';

/** Serialises the engine/producer work of the consumer, the stale timer and shutdown. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(f: () => Promise<T>): Promise<T> {
    const r = this.tail.then(f);
    this.tail = r.catch(() => {});
    return r;
  }
}

/** Most executions (one Kafka record each) and decisions (in batches) per transaction, whatever maxTxPackets says. */
const MAX_TX_EXECUTIONS = 20_000;
const MAX_TX_DECISIONS = 16 * MAX_BATCH_RECORDS;
/**
 * Most feed packets per transaction (~235k messages of a generated session). A transaction
 * costs ~30 ms of broker round trips whatever its size; fewer, larger ones let the run keep up
 * at millions of messages per second (README, bench:feed).
 */
export const DEFAULT_MAX_TX_PACKETS = 5000;
/** A snapshot with every 2nd transaction: a restart rebuilds at most ~10,000 packets after it. */
export const DEFAULT_SNAPSHOT_EVERY = 2;
/**
 * The first transaction of a resumed run ends after this many packets (at most `maxTxPackets`):
 * what waited for the restart goes out in a small transaction first, and the run is back at its
 * usual transaction size from the second one on.
 */
export const FIRST_TX_PACKETS_AFTER_RESUME = 500;
/** Gap fillers per engine call. */
const FILLER_CHUNK = 65_536;
/** Default of `maxGap`: a million fillers cost the engine ~50 ms. */
export const DEFAULT_MAX_GAP = 1_000_000;
/** Bytes per fetch of the feed partition: a few thousand packets per consumer batch. */
const FETCH_BYTES = 8 * 1024 * 1024;
/** Longest stretch of feed work between two turns of the event loop (signals, timers). */
const YIELD_EVERY_MS = 20;
/**
 * The same while a transaction is in flight: each of its broker round trips (add partitions,
 * produce, offsets, EndTxn) goes on only when the loop turns, so a 20 ms stride made a ~30 ms
 * transaction take ~130 ms under load.
 */
const YIELD_IN_TX_MS = 3;

/** One turn of the event loop: signal handlers, timers and I/O callbacks run. */
const turn = () => new Promise<void>((r) => setImmediate(r));

export class FeedRun {
  private readonly o: Required<Omit<FeedRunOptions, 'out' | 'format' | 'signal' | 'emit' | 'group' | 'topic' | 'controls' | 'shard' | 'orderEntry' | 'record'>> & FeedRunOptions;
  readonly names: FeedNames;
  private readonly kafka: KafkaClient;
  private readonly config: Config;
  private readonly shardPlan: ShardPlan | null;
  private readonly emit: (event: string, data?: Record<string, unknown>) => void;
  private readonly serial = new Serial();
  private readonly tx: FeedTransactions;
  private engine!: FeedEngine;
  private controls!: FeedControls;
  /** `--order-entry`: the gateway and router on the live feed. */
  private orderEntry: LiveOrderEntry | null = null;
  private oeWake = false;
  private fetcher: FeedFetch | null = null;
  private admin!: Admin;
  private readonly seq = new FeedSequencer();
  /** Holds a packet that reveals a gap until the next packet confirms or refutes it. */
  private readonly guard = new OutlierGuard(0);
  /** Set when a gap above maxGap ended the engine's input: the engine's next seq stays `seq`. */
  private closed: { seq: number; offset: number; missing: number } | null = null;
  private readonly notHanded = { messages: 0, controls: 0 };
  private lastYield = Date.now();
  /** Snapshots: transactions since the last one, journal injections committed, where a resume started. */
  private txSinceSnapshot = 0;
  /** Packets after which the open transaction is committed: `maxTxPackets`, less for the first one after a resume. */
  private txLimit = 0;
  private injectsCommitted = 0;
  private snapshotsWritten = 0;
  private snapshotBytes = 0;
  private resumedFrom: { offset: number; seq: number; bytes: number; readMs: number; restoreMs: number; at: number } | null = null;
  private snapshotSkipped: string | null = null;

  // progress
  private committedAtStart = 0;
  private committed = 0;
  /** The feed offset of the last transaction started (committed, or in flight). */
  private queued = 0;
  /** The transaction being sent while the run goes on, if any (one at a time). */
  private inflight: Promise<void> | null = null;
  /** Consumer batches handed over and not yet processed (the one in hand included). */
  private pendingBatches = 0;
  private lastWork: Promise<void> = Promise.resolve();
  /** The run is shutting its clients down: no consumer restart any more. */
  private closing = false;
  /** Where a live run's wall time goes (report `kafka.timing`, bench:feed). */
  private readonly timing = { batches: 0, packets: 0, handleMs: 0, waitTxMs: 0, waitFeedMs: 0, drainMs: 0, liveCpuMs: 0 };
  /** The process's CPU time (every thread) when the run went live: `timing.liveCpuMs` is what the live run cost. */
  private liveCpu: NodeJS.CpuUsage | null = null;
  /** When the run last ran out of consumer batches (to time the wait for the next fetch). */
  private idleSince = 0;
  private nextOffset = 0;
  private txPackets = 0;
  private startRecord: JournalStart | null = null;
  private startWritten = false;
  private journal = new JournalReplay([]);
  private firstPacketChecked = false;
  private lastPacketAt = Date.now();
  private staleEpisode = false;
  private stopping = false;
  private ended = false;
  private fatal: unknown = null;
  private finish!: () => void;
  private readonly done = new Promise<void>((r) => (this.finish = r));

  // report
  private readonly gaps: { from: number; to: number; missing: number; offset: number; filled: boolean }[] = [];
  private readonly stale: { seq: number; idleMs: number; offset: number }[] = [];
  private gapFillers = 0;
  private rebuiltPackets = 0;
  private seeded: { from: string; symbols: Record<string, number> } | null = null;
  private endReason: EndReason = 'signal';

  constructor(opts: FeedRunOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as FeedRunOptions;
    this.o = { prefix: 'riskgate', seedPositions: false, staleMs: 5000, maxGap: DEFAULT_MAX_GAP, maxTxPackets: DEFAULT_MAX_TX_PACKETS, snapshotEvery: DEFAULT_SNAPSHOT_EVERY, holdTxMs: 0, brokerTimeoutMs: 120_000, backend: 'rust', ...given };
    this.shardPlan = opts.shard ? shardPlan(opts.config, opts.shard) : null;
    this.names = feedNames(this.o.prefix, given.topic, given.group ?? (opts.shard ? shardGroup(this.o.prefix, opts.shard) : undefined));
    this.kafka = makeKafka(opts.brokers, 'riskgate-run');
    // The run may change start positions (seeding, resume): work on a copy.
    this.config = { ...opts.config, symbols: opts.config.symbols.map((s) => ({ ...s })) };
    this.emit = opts.emit ?? (() => {});
    this.tx = new FeedTransactions(this.kafka, { brokers: opts.brokers, names: this.names, session: opts.config.session, brokerTimeoutMs: this.o.brokerTimeoutMs, holdTxMs: this.o.holdTxMs, emit: this.emit });
  }

  private get live(): boolean {
    return this.engine?.live ?? false;
  }

  /** The seq of the next message the engine would take: where the run's own controls apply. */
  private get handSeq(): number {
    return this.closed ? this.closed.seq : this.seq.expected;
  }

  async run(): Promise<{ report: Record<string, unknown>; end: EndReason }> {
    // Where a (re)start's time goes, for the `start` event: the process's age, then each step.
    const startMs: Record<string, number> = { process: Math.round(process.uptime() * 1000) };
    let t = performance.now();
    const mark = (what: string) => {
      const now = performance.now();
      startMs[what] = Math.round(now - t);
      t = now;
    };
    await waitForBroker(this.o.brokers, {
      timeoutMs: this.o.brokerTimeoutMs,
      onRetry: ({ attempt, delayMs, error }) => this.emit('broker-wait', { attempt, delayMs, error }),
    });
    const admin = this.kafka.admin();
    await admin.connect();
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => void this.stop();
    let snapshot: (Snapshot & { readMs: number }) | null = null;
    mark('connect');
    const step = async <T>(what: string, f: () => Promise<T>) => {
      const r = await retrying(what, f, { timeoutMs: this.o.brokerTimeoutMs, onRetry: (r) => this.emit('retry', { what, ...r }) });
      mark(what);
      return r;
    };
    try {
      await step('create topics', () => ensureRunTopics(admin, this.names));
      const [feedOffsets] = await step('read the feed offsets', () => admin.fetchTopicOffsets(this.names.feed));
      if (BigInt(feedOffsets.low) > 0n) {
        throw new RiskgateError('FAIL_CLOSED', `feed topic ${this.names.feed} no longer starts at offset 0 (first offset ${feedOffsets.low}): the session cannot be rebuilt`);
      }

      // 1. Fence any previous instance: InitProducerId with our transactional id aborts its open transaction.
      await step('initialise the transactional producer', () => this.tx.fence());

      // 2. After fencing the committed offset is final: everything below it was published.
      this.admin = admin;
      this.committed = this.queued = this.committedAtStart = (await step('read the committed offset', () => this.tx.committedOffset(admin))).offset;
      if (this.committedAtStart > Number(feedOffsets.high)) {
        throw new RiskgateError('FAIL_CLOSED', `run group ${this.names.runGroup} committed feed offset ${this.committedAtStart}, beyond the end of ${this.names.feed} (${feedOffsets.high}): the feed topic was replaced; use another --group`);
      }

      // 3. The journal: start-of-day config and injected controls of this incarnation.
      if (this.committedAtStart > 0) {
        const records = await step('read the journal', () => readJournal(this.kafka, admin, this.names));
        const { start, injections } = resumeFrom(records, this.names, this.committedAtStart, this.config, this.o.shard ? shardLabel(this.o.shard) : null, this.orderEntryLimits());
        this.startRecord = start;
        this.startWritten = true;
        if (start.maxGap !== undefined && start.maxGap !== this.o.maxGap) {
          this.emit('max-gap', { option: this.o.maxGap, journal: start.maxGap });
          this.o.maxGap = start.maxGap; // the bound the session started with decides the rebuild
        }
        this.journal = new JournalReplay(injections);
        if (start.seeded) this.seeded = { from: 'journal', symbols: Object.fromEntries(this.config.symbols.map((s) => [s.symbol, s.startPosition])) };
        snapshot = await this.usableSnapshot(admin, start, injections.length, step);
      } else if (this.o.seedPositions) {
        const seed = await step('read the positions topic', () => seedPositions(this.kafka, admin, this.names.positions, this.config));
        this.seeded = { from: this.names.positions, symbols: seed.symbols };
        this.emit('seeded', { topic: this.names.positions, records: seed.records, symbols: seed.symbols });
      }
      this.emit('start', {
        feed: this.names.feed, group: this.names.runGroup, resumeFromOffset: this.committedAtStart,
        feedEnd: Number(feedOffsets.high), journal: this.journal.size, ms: startMs,
      });

      // 4. Engine, record file, report.
      const blob = configBlob(this.config);
      let engine = null;
      const tr = Date.now();
      if (snapshot) {
        try {
          engine = RustEngine.restore(blob, snapshot.engine);
        } catch (e) {
          this.snapshotSkipped = `the engine refused the snapshot (${(e as Error).message})`;
          this.emit('snapshot-refused', { offset: snapshot.header.offset, error: (e as Error).message });
          snapshot = null;
        }
      }
      // The Rust engine without loading the others (the hardware model's FFI): what `run` offers.
      engine ??= this.o.backend === 'rust' ? new RustEngine(blob) : (await import('../engine/create.ts')).createEngine(this.o.backend, blob);
      const resumable = this.o.snapshotEvery > 0 || snapshot !== null;
      this.engine = new FeedEngine(engine, this.config, `kafka:${this.names.feed}`, this.tx, { out: this.o.out, format: this.o.format, live: this.o.controls?.live, resumableDigest: resumable, shard: this.shardPlan });
      this.controls = new FeedControls({ names: this.names, engine: this.engine, tx: this.tx, controls: this.o.controls, emit: this.emit, fingerprint: blobFingerprint(blob) });
      if (snapshot) this.restoreState(snapshot, Date.now() - tr);
      if (this.o.record) this.engine.recordInput = [];
      if (this.o.orderEntry) await step('connect the order entry', () => this.startOrderEntry(blob));
      if (this.nextOffset >= this.committedAtStart) this.goLive();
      if (this.ended) this.finish(); // the snapshot is at the end of the session: nothing to read

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
      await step('start the feed consumer', () => this.startConsumer());
      await this.done;
      const td = performance.now();
      await this.drain();
      this.timing.drainMs = performance.now() - td;
      if (this.liveCpu) {
        const c = process.cpuUsage(this.liveCpu);
        this.timing.liveCpuMs = (c.user + c.system) / 1000;
      }
      if (this.fatal) throw this.fatal;
    } catch (e) {
      throw asCoded(e);
    } finally {
      if (timer) clearInterval(timer);
      this.o.signal?.removeEventListener('abort', onAbort);
      this.closing = true;
      await this.orderEntry?.shutdown(this.fatal ? 'the run failed' : 'the run has stopped');
      this.fetcher?.close();
      await this.tx.close();
      await this.engine?.close();
      await admin.disconnect().catch(() => {});
    }
    if (this.o.record && this.engine.recordInput) writeFileSync(this.o.record, Buffer.concat([...this.engine.recordInput, Buffer.from([0, 0])]));
    const report = this.report();
    this.engine.engine.close();
    return { report, end: this.endReason };
  }

  /** The order-entry limits this run writes at S = 1, or null without `--order-entry`. */
  private orderEntryLimits(): { maxOpenOrders: number; maxOrderRate: number } | null {
    if (!this.o.orderEntry) return null;
    const oe = this.config.orderEntry;
    if (!oe) throw new RiskgateError('CONFIG_INVALID', `config ${this.config.source} has no orderEntry section (docs/config.md): --order-entry needs its sessions and limits`);
    return { maxOpenOrders: oe.maxOpenOrders, maxOrderRate: oe.maxOrderRate };
  }

  /**
   * `--order-entry` (src/kafka/order-entry-live.ts): the gateway's engine calls go through the
   * run's engine at the place the run has reached; its events are journalled in the open
   * transaction. The venue is logged in to before the rebuild, so that its answers since the
   * last journalled one wait for the run to go live.
   */
  private async startOrderEntry(blob: Buffer): Promise<void> {
    const o = this.o.orderEntry!;
    this.orderEntryLimits();
    const oe = new LiveOrderEntry({
      config: this.config,
      fingerprint: blobFingerprint(blob),
      call: (frames, offset) => this.engine.call(frames, false, 0, offset, false),
      journal: (r) => this.tx.journal.push({ key: this.names.runGroup, value: JSON.stringify(r), partition: 0 }),
      wake: () => this.wakeOrderEntry(),
      fail: (e) => this.fail(e),
      port: o.port,
      venue: o.venue ?? null,
      // A new name per incarnation: a client's old stream position means nothing to the new gateway (§14.10).
      sessionName: `R${Date.now().toString(36).toUpperCase().slice(-9)}`,
      log: o.log,
      emit: this.emit,
    });
    oe.prepare(this.journal.entries().filter((j): j is JournalOrderEntry => j.type === 'oe'));
    this.engine.beforeCall = (offset, nextSeq) => oe.beforeCall(offset, nextSeq);
    this.engine.onControls = (records) => controlsOf(records, (c) => oe.onControl(c));
    this.orderEntry = oe;
    await oe.connectVenue(this.committedAtStart > 0);
  }

  /**
   * An order or venue answer arrived: an apply point now if the feed is idle (else before the
   * next packet). Group commit (spec §14.10): while a transaction is in flight the apply point
   * waits for its commit, so that everything arriving meanwhile, from every session and the
   * venue, goes into the next transaction together.
   */
  private wakeOrderEntry(): void {
    if (this.oeWake || !this.live || this.ended || this.stopping || this.fatal) return;
    this.oeWake = true;
    void this.serial
      .run(async () => {
        if (this.inflight) {
          const t = performance.now();
          await this.inflight;
          this.timing.waitTxMs += performance.now() - t;
        }
        this.oeWake = false;
        const oe = this.orderEntry;
        // Before the first packet there is no session yet (nor its journal start record): the orders wait for it.
        if (!oe || !(oe.waiting || oe.uncommitted) || !this.live || !this.startRecord || this.ended || this.stopping || this.fatal) return;
        oe.apply(this.nextOffset, this.handSeq);
        await this.engine.flushSink();
        await this.commit();
      })
      .catch((e) => this.fail(e));
  }

  /**
   * Reads the feed from `nextOffset` (src/kafka/feed-fetch.ts) and hands each fetch to the
   * serialised work: at most two fetches queued (the one in hand and the next), the fetch after
   * them overlapping their processing.
   */
  private async startConsumer(): Promise<void> {
    this.fetcher = new FeedFetch({ admin: this.admin, topic: this.names.feed, maxWaitMs: 100, maxBytes: FETCH_BYTES, brokerTimeoutMs: this.o.brokerTimeoutMs, emit: this.emit }, this.nextOffset);
    void this.readFeed(this.fetcher);
  }

  private async readFeed(fetcher: FeedFetch): Promise<void> {
    try {
      while (!this.closing && !this.stopping && !this.ended && !this.fatal) {
        const records = await fetcher.fetch();
        if (this.closing || this.stopping || this.ended || this.fatal) return;
        if (records.length === 0) continue;
        this.lastPacketAt = Date.now(); // arrived: not stale, even if queued behind other work
        this.pendingBatches++;
        const work = this.serial.run(async () => {
          try {
            await this.onBatch(records);
          } catch (e) {
            this.fail(e);
          } finally {
            this.pendingBatches--;
          }
        });
        const prev = this.lastWork;
        this.lastWork = work;
        await prev;
      }
    } catch (e) {
      if (!this.closing) this.fail(e);
    }
  }

  private fail(e: unknown): void {
    if (!this.fatal) this.fatal = e;
    this.emit('fatal', { error: (e as Error)?.message ?? String(e) });
    this.finish();
  }

  private async onBatch(messages: FeedRecord[]): Promise<void> {
    const t0 = performance.now();
    if (this.idleSince > 0 && this.live) this.timing.waitFeedMs += t0 - this.idleSince;
    this.idleSince = 0;
    try {
      await this.handleBatch(messages);
    } finally {
      const t1 = performance.now();
      if (this.live) {
        this.timing.batches++;
        this.timing.packets += messages.length;
        this.timing.handleMs += t1 - t0;
      }
      if (this.pendingBatches <= 1) this.idleSince = t1;
    }
  }

  private async handleBatch(messages: FeedRecord[]): Promise<void> {
    for (const m of messages) {
      if (this.stopping || this.ended || this.fatal) break;
      const offset = m.offset;
      if (offset < this.nextOffset) continue; // redelivered
      if (!this.live && offset >= this.committedAtStart) this.goLive();
      this.lastPacketAt = Date.now();
      this.staleEpisode = false;
      const rest = this.onPacket(offset, m.value);
      if (rest) await rest;
      this.nextOffset = offset + 1;
      if (Date.now() - this.lastYield >= (this.inflight ? YIELD_IN_TX_MS : YIELD_EVERY_MS)) {
        await turn(); // let signals and timers in between packets
        this.lastYield = Date.now();
      }
      if (!this.live) {
        this.rebuiltPackets++;
        if (this.nextOffset >= this.committedAtStart) this.goLive();
      if (this.ended) this.finish(); // the snapshot is at the end of the session: nothing to read
      } else {
        this.txPackets++;
        if (this.txPackets >= this.txLimit || this.tx.executions.length >= MAX_TX_EXECUTIONS || this.tx.decisions.records >= MAX_TX_DECISIONS) {
          await this.commit();
        } else if (this.orderEntry && (this.orderEntry.full || (this.orderEntry.uncommitted && !this.inflight))) {
          // Clients wait for their answers until the commit: one goes out as soon as the producer is free.
          await this.commit();
        }
      }
      this.lastPacketAt = Date.now();
    }
    await this.engine.flushSink();
    // A transaction also ends with the consumer's backlog: when no batch waits behind this one.
    if (this.pendingBatches <= 1 || this.ended || this.stopping) await this.commit();
    if (this.ended || this.stopping) this.finish();
  }

  /** Rebuild done: apply the journalled injections up to the committed offset, then publish from here on. */
  private goLive(): void {
    if (this.live) return;
    this.txLimit = this.o.maxTxPackets;
    if (this.committedAtStart > 0) {
      this.txLimit = Math.min(this.o.maxTxPackets, FIRST_TX_PACKETS_AFTER_RESUME);
      // A resume that rebuilt packets past its snapshot (or from the start) takes a snapshot with
      // its second transaction, so that the next restart starts from here; one that resumed
      // exactly at the committed offset keeps the usual cadence. Not with the first (unless every
      // transaction takes one): a busy day's snapshot is megabytes, and the first commit after a
      // restart is the one waited for.
      this.txSinceSnapshot = this.rebuiltPackets > 0 ? Math.max(0, this.o.snapshotEvery - 2) : 0;
    }
    this.applyJournal(this.committedAtStart);
    const j = this.journal.pending;
    if (j) {
      throw new RiskgateError('FAIL_CLOSED', `journal of ${this.names.runGroup} has an injection at feed offset ${j.feedOffset}, beyond its committed offset ${this.committedAtStart}`);
    }
    this.engine.live = true;
    if (this.orderEntry) void this.orderEntry.goLive().catch((e) => this.fail(e));
    this.liveCpu = process.cpuUsage();
    this.txPackets = 0;
    this.emit('live', { offset: this.nextOffset, rebuiltPackets: this.rebuiltPackets, seq: this.handSeq, resumedFrom: this.resumedFrom });
  }

  /** Rebuild: the injections journalled before the packet at `offset`, in order. */
  private applyJournal(offset: number): void {
    for (const j of this.journal.upTo(offset)) {
      if (j.type === 'inject') this.controls.replay(j, this.handSeq, offset);
      else if (this.orderEntry) this.orderEntry.replay(j, offset, this.handSeq);
      else throw new RiskgateError('FAIL_CLOSED', `journal of ${this.names.runGroup} holds order-entry events: resume with --order-entry`);
    }
  }

  /**
   * One feed packet. Synchronous unless a gap's fillers let the event loop in between chunks
   * (then it returns the promise of the rest): no promise per packet on the common path.
   */
  private onPacket(offset: number, value: Buffer): Promise<void> | void {
    if (offset === 0) this.orderEntry?.startOfDay(offset);
    if (!this.live) this.applyJournal(offset);
    else {
      this.applyOperatorControls(offset);
      if (this.orderEntry && !this.seq.ended) this.orderEntry.apply(offset, this.handSeq);
    }
    if (offset === 0 && !this.firstPacketChecked) {
      this.firstPacketChecked = true;
      if (this.startRecord && this.startRecord.firstPacketSha256 !== sha256(value)) {
        throw new RiskgateError('FAIL_CLOSED', `feed ${this.names.feed} is not the feed run group ${this.names.runGroup} started on (first packet differs): use another --group`);
      }
      this.startRecord ??= startRecord(this.names, value, this.config, this.seeded !== null, this.o.maxGap, this.o.shard ? shardLabel(this.o.shard) : null, this.orderEntryLimits());
    }
    return this.judge(offset, value);
  }

  /** A packet that reveals a gap waits for the next one to confirm or refute it (§14.5). */
  private judge(offset: number, value: Buffer): Promise<void> | void {
    for (;;) {
      const v = this.guard.judge(value, offset, this.seq.expected, this.seq.session, this.seq.ended);
      if (v.kind === 'hold') {
        if (this.live) this.emit('suspect', { offset, seq: this.guard.held!.seq, expected: this.seq.expected });
        break;
      }
      if (v.kind === 'refute') {
        if (this.live) this.emit('outlier', { ...v.outlier });
        continue;
      }
      if (v.kind === 'confirm') {
        const rest = this.sequence(v.held.packet, v.held.at);
        if (rest) return rest.then(() => this.judge(offset, value)); // then judge this packet again
        continue;
      }
      const rest = this.sequence(value, offset);
      if (rest) return rest.then(() => this.engine.flushSink());
      break;
    }
    if (this.engine.hasSink) return this.engine.flushSink();
  }

  /** Hands one packet's steps (src/feed/sequencer.ts) to the engine. */
  private sequence(value: Buffer, offset: number): Promise<void> | void {
    return this.handSteps(this.seq.packet(value), 0, offset);
  }

  /** Steps `i…` of a packet; synchronous up to a gap with fillers, whose rest follows asynchronously. */
  private handSteps(steps: FeedStep[], i: number, offset: number): Promise<void> | void {
    for (; i < steps.length; i++) {
      const step = steps[i];
      if (this.closed && (step.kind === 'frames' || step.kind === 'truncated')) {
        // the engine's input ended at a gap above maxGap: counted, not handed
        this.notHanded.messages += step.kind === 'frames' ? step.messages : 1;
        this.notHanded.controls += step.kind === 'frames' ? step.controls : 0;
        continue;
      }
      switch (step.kind) {
        case 'frames':
          if (this.controls.gapLatched) this.controls.framesLatched(step.frames, step.firstSeq, offset);
          else this.engine.call(step.frames, false, step.messages, offset, true);
          break;
        case 'truncated':
          this.engine.call(step.frame, true, 1, offset, false);
          break;
        case 'gap': {
          const missing = step.to - step.from + 1;
          const filled = !this.closed && missing <= this.o.maxGap;
          this.gaps.push({ from: step.from, to: step.to, missing, offset, filled });
          this.emit('gap', { from: step.from, to: step.to, missing, offset, filled, killEngaged: this.engine.globalKill });
          this.controls.gapLatched = true;
          if (this.closed) break; // nothing reaches the engine any more
          if (!this.engine.globalKill) this.controls.inject(step.from, 'gap', offset);
          if (!filled) {
            // Above the bound: no fillers; the engine's input ends at the kill (§14.5).
            this.closed = { seq: step.from, offset, missing };
            this.emit('input-closed', { seq: step.from, missing, maxGap: this.o.maxGap, offset });
            break;
          }
          const next = i + 1;
          return this.fillGap(missing, offset).then(() => this.handSteps(steps, next, offset));
        }
        case 'end':
          this.ended = true;
          this.orderEntry?.close('the feed session has ended: no order can be checked');
          this.endReason = 'end-of-session';
          this.emit('end-of-session', { seq: step.seq, offset });
          break;
      }
    }
  }

  /** `missing` gap fillers in chunks, a turn of the event loop between them: a long gap never holds off signals and timers. */
  private async fillGap(missing: number, offset: number): Promise<void> {
    for (let left = missing; left > 0; ) {
      const n = Math.min(left, FILLER_CHUNK);
      this.engine.call(gapFillers(n, this.engine.lastTs), false, n, offset, false);
      left -= n;
      if (left > 0) await turn();
    }
    this.lastYield = Date.now();
    this.gapFillers += missing;
  }

  /** `run --serve`: queued operator changes go in band before the packet at `offset` (see FeedControls). */
  private applyOperatorControls(offset: number): void {
    if (!this.o.controls || !this.live || this.seq.ended) return;
    this.controls.applyOperator(this.handSeq, offset);
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
        await this.engine.flushSink();
        await this.commit();
      })
      .catch((e) => this.fail(e));
  }

  /**
   * One transaction: pending outputs, journal records and the feed offset reached. It travels
   * while the run goes on filling the next one; the producer sends one at a time, so a commit
   * first waits for the one in flight. `drain` waits for the last.
   */
  private async commit(): Promise<void> {
    if (!this.live) return;
    if (this.tx.pending === 0 && this.nextOffset === this.queued) {
      // Nothing for Kafka, but order entry may have venue sends that wait for what is in flight.
      const waiting = this.orderEntry?.takeAfterCommit() ?? [];
      if (waiting.length > 0) {
        const go = () => {
          for (const f of waiting) f();
        };
        if (this.inflight) void this.inflight.then(go);
        else go();
      }
      return;
    }
    if (this.inflight) {
      const t = performance.now();
      await this.inflight;
      this.timing.waitTxMs += performance.now() - t;
    }
    if (this.fatal) return;
    if (!this.startWritten) {
      if (!this.startRecord) throw new Error('internal: no start record before the first commit');
      this.tx.journal.unshift(journalMessage(this.names, this.startRecord));
    }
    const injects = this.tx.journal.filter((m) => !String(m.value).startsWith('{"type":"start"')).length;
    // Not with --order-entry: a resume rebuilds its open orders from offset 0 and never reads one (§14.10).
    const due = this.o.snapshotEvery > 0 && this.txSinceSnapshot + 1 >= this.o.snapshotEvery && this.engine.engine instanceof RustEngine && !this.o.orderEntry;
    if (due) this.tx.snapshot = this.takeSnapshot(this.injectsCommitted + injects);
    const next = this.nextOffset;
    const answers = this.orderEntry?.takeAfterCommit() ?? [];
    const batch = this.orderEntry?.takeBatch();
    const sending = this.tx.commit(this.admin, next, this.tx.prepare()).then(() => {
      this.committed = next;
      // Committed: the clients get their answers and the venue its orders (spec §14.10).
      for (const f of answers) f();
      if (batch && batch.events > 0) this.emit('order-entry-batch', { ...batch, next });
      // Events that did not fit (MAX_TX_ORDER_ENTRY_EVENTS) or came meanwhile: the next apply point.
      if (this.orderEntry?.waiting) this.wakeOrderEntry();
    });
    // A transaction that fails for good (fenced, broker gone past --broker-timeout) stops the run.
    const tracked: Promise<void> = sending.then(
      () => {
        if (this.inflight === tracked) this.inflight = null;
      },
      (e) => {
        if (this.inflight === tracked) this.inflight = null;
        this.fail(e);
      },
    );
    this.inflight = tracked;
    this.queued = next;
    this.injectsCommitted += injects;
    if (due) {
      this.txSinceSnapshot = 0;
      this.snapshotsWritten++;
    } else this.txSinceSnapshot++;
    this.startWritten = true;
    this.txPackets = 0;
    this.txLimit = this.o.maxTxPackets;
  }

  /** Waits for the transaction in flight, if any. */
  private async drain(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  /**
   * The newest committed snapshot of the run group, if a resume may start from it: same journal
   * start (incarnation chain), same config blob, at or below the committed offset, with no more
   * journal injections than there are. `--out` (the record file is rewritten from the session's
   * start) and `--serve` (the control plane's limits mirror is rebuilt by the replay) rebuild
   * from offset 0 instead.
   */
  private async usableSnapshot(admin: Admin, start: JournalStart, injections: number, step: <T>(what: string, f: () => Promise<T>) => Promise<T>): Promise<(Snapshot & { readMs: number }) | null> {
    const skip = (why: string) => {
      this.snapshotSkipped = why;
      this.emit('snapshot-skipped', { reason: why });
      return null;
    };
    if (this.o.out) return skip('--out rewrites the record file from the session start');
    if (this.o.controls) return skip('--serve rebuilds the control plane from the session start');
    if (this.o.orderEntry) return skip('--order-entry rebuilds its open orders from the session start');
    if (this.o.record) return skip('--record writes the merged stream from the session start');
    if (this.o.backend !== 'rust') return skip(`backend ${this.o.backend} has no snapshots`);
    const t0 = Date.now();
    const snap = await step('read the snapshots', () => readLatestSnapshot(this.kafka, admin, this.names));
    if (!snap) return skip('no snapshot');
    const h = snap.header;
    if (h.group !== this.names.runGroup || h.feed !== this.names.feed || h.startAt !== start.at || h.firstPacketSha256 !== start.firstPacketSha256) return skip('the snapshot belongs to another start of the run group');
    if (h.configSha256 !== start.configSha256 || h.configSha256 !== sha256(configBlob(this.config))) return skip('the snapshot was taken under another config');
    if (h.offset > this.committedAtStart) return skip(`the snapshot is at offset ${h.offset}, beyond the committed ${this.committedAtStart}`);
    if (h.journalApplied > injections) return skip('the snapshot has more journal injections than the journal');
    return { ...snap, readMs: Date.now() - t0 };
  }

  /** The run's state for a snapshot taken at `this.nextOffset` (after the open transaction's packets). */
  private takeSnapshot(journalApplied: number) {
    const e = this.engine;
    e.flushDigest();
    const acc = e.acc as any;
    const guard = this.guard as any;
    const state = {
      seq: { expected: this.seq.expected, ended: this.seq.ended, session: this.seq.session, stats: this.seq.stats },
      guard: { heldPkt: guard.heldPkt, heldExpected: guard.heldExpected, heldSession: guard.heldSession, outliers: guard.outliers, outlierCount: guard.outlierCount, confirmed: guard.confirmed },
      run: { closed: this.closed, notHanded: this.notHanded, gaps: this.gaps, stale: this.stale, gapFillers: this.gapFillers, ended: this.ended, endReason: this.endReason },
      controls: { gapLatched: this.controls.gapLatched, injected: this.controls.injected, operatorControls: this.controls.operatorControls },
      engine: { lastTs: e.lastTs, handedSeq: e.handedSeq, published: e.published, rebuilt: e.rebuilt },
      acc: {
        digest: acc.digest.save(), reasons: acc.reasons, recordBytes: acc.recordBytes, firstTs: acc.firstTs, lastTs: acc.lastTs,
        tobRows: acc.tobRows, flaggedTobRows: acc.flaggedTobRows, globalKill: acc.globalKill, controlSeq: acc.controlSeq,
        controlsAtSeq: acc.controlsAtSeq, foreignKill: acc.foreignKill, pnl: acc.pnl.bySymbol, problems: { counts: acc.problems.counts, samples: acc.problems.samples },
      },
    };
    const engineBytes = (e.engine as RustEngine).snapshot();
    const start = this.startRecord!;
    const msg = snapshotMessage(this.names, {
      version: SNAPSHOT_VERSION, group: this.names.runGroup, feed: this.names.feed, startAt: start.at, firstPacketSha256: start.firstPacketSha256,
      configSha256: start.configSha256, backend: e.engine.backend, offset: this.nextOffset, seq: this.handSeq, journalApplied, at: Date.now(),
      state: encodeState(state),
    }, engineBytes);
    this.snapshotBytes = (msg.value as Buffer).length;
    this.emit('snapshot', { offset: this.nextOffset, seq: this.handSeq, bytes: this.snapshotBytes, engineBytes: engineBytes.length });
    return msg;
  }

  /** Resume: the state of `snap` (the engine is restored already); the feed is read on from its offset. */
  private restoreState(snap: Snapshot & { readMs: number }, restoreMs: number): void {
    const h = snap.header;
    const st = decodeState(h.state);
    const e = this.engine;
    const acc = e.acc as any;
    Object.assign(this.seq, { expected: st.seq.expected, ended: st.seq.ended, session: st.seq.session });
    Object.assign(this.seq.stats, st.seq.stats);
    Object.assign(this.guard as any, { heldPkt: st.guard.heldPkt, heldExpected: st.guard.heldExpected, heldSession: st.guard.heldSession, outlierCount: st.guard.outlierCount, confirmed: st.guard.confirmed });
    this.guard.outliers.push(...st.guard.outliers);
    this.closed = st.run.closed;
    Object.assign(this.notHanded, st.run.notHanded);
    this.gaps.push(...st.run.gaps);
    this.stale.push(...st.run.stale);
    this.gapFillers = st.run.gapFillers;
    this.ended = st.run.ended;
    this.endReason = st.run.endReason;
    this.controls.gapLatched = st.controls.gapLatched;
    this.controls.injected.push(...st.controls.injected);
    this.controls.operatorControls.push(...st.controls.operatorControls);
    e.lastTs = st.engine.lastTs;
    e.handedSeq = st.engine.handedSeq;
    // Everything up to the snapshot was committed by earlier incarnations: not published again.
    for (const k of ['executions', 'decisions', 'controls'] as const) e.rebuilt[k] = st.engine.published[k] + st.engine.rebuilt[k];
    acc.digest = ResumableSha256.from(st.acc.digest);
    for (const k of ['recordBytes', 'firstTs', 'lastTs', 'tobRows', 'flaggedTobRows', 'globalKill', 'controlSeq', 'controlsAtSeq', 'foreignKill']) acc[k] = st.acc[k];
    acc.reasons.splice(0, acc.reasons.length, ...st.acc.reasons);
    for (const [k, v] of st.acc.pnl) acc.pnl.bySymbol.set(k, v);
    for (const [k, v] of st.acc.problems.counts) acc.problems.counts.set(k, v);
    acc.problems.samples.push(...st.acc.problems.samples);
    this.journal.skip(h.journalApplied);
    this.injectsCommitted = h.journalApplied;
    this.nextOffset = h.offset;
    this.firstPacketChecked = true; // checked by the incarnation that wrote the start record the snapshot names
    this.resumedFrom = { offset: h.offset, seq: h.seq, bytes: snap.bytes, readMs: snap.readMs, restoreMs, at: h.at };
    this.emit('restored', { ...this.resumedFrom, committed: this.committedAtStart });
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
        const seq = this.handSeq;
        this.stale.push({ seq, idleMs: idle, offset: this.nextOffset });
        this.emit('stale', { seq, idleMs: idle, killEngaged: this.engine.globalKill });
        if (!this.engine.globalKill) {
          this.controls.inject(seq, 'stale', this.nextOffset);
          await this.engine.flushSink();
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
    return this.engine ? this.engine.engine.stats() : {};
  }

  private report(): Record<string, unknown> {
    const st = this.seq.stats;
    this.engine.flushDigest();
    const result = this.engine.acc.result(this.engine.engine.backend, this.engine.engine.stats());
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
      maxGap: this.o.maxGap,
      outliers: this.guard.outliers.map((o) => ({ offset: o.at, seq: o.seq, count: o.count, expected: o.expected, refutedAtOffset: o.refutedAt, refutedBy: o.refutedBy })),
      outlierCount: this.guard.outlierCount,
      held: this.guard.held ? { offset: this.guard.held.at, seq: this.guard.held.seq, count: this.guard.held.count } : null,
      inputClosed: this.closed,
      notHanded: this.notHanded,
      stale: this.stale,
      staleMs: this.o.staleMs,
      killSwitch: { engaged: this.engine.globalKill, injected: this.controls.injected },
      ...(this.o.controls || this.controls.operatorControls.length > 0 ? { operatorControls: this.controls.operatorControls } : {}),
      gapLatched: this.controls.gapLatched,
      failClosed: this.gaps.length > 0 || this.stale.length > 0,
    };
    report.kafka = {
      group: this.names.runGroup,
      executionsTopic: this.names.executions,
      decisionsTopic: this.names.decisions,
      resumedFromOffset: this.committedAtStart,
      resumedFrom: this.resumedFrom,
      ...(this.snapshotSkipped ? { snapshotSkipped: this.snapshotSkipped } : {}),
      snapshots: { every: this.o.snapshotEvery, written: this.snapshotsWritten, lastBytes: this.snapshotBytes, topic: this.names.snapshots },
      rebuiltPackets: this.rebuiltPackets,
      committedOffset: this.committed,
      published: { ...this.engine.published, transactions: this.tx.transactions },
      crc32c: this.tx.crc32c.installed ? 'native' : `kafkajs (${this.tx.crc32c.why})`,
      // handleMs: handling consumer batches (engine included; waitTxMs is inside it); waitFeedMs: no batch to handle;
      // liveCpuMs: CPU time of the whole process (all threads) from going live to the last commit.
      timing: Object.fromEntries(Object.entries(this.timing).map(([k, v]) => [k, Math.round(v)])),
      notRepublished: this.engine.rebuilt,
      seededPositions: this.seeded,
      shard: this.shardPlan
        ? { shard: shardLabel(this.shardPlan), accounts: this.shardPlan.accounts, symbols: this.shardPlan.symbols, otherShards: this.engine.otherShards }
        : null,
    };
    if (this.o.out) report.out = this.o.out;
    if (this.o.record) report.record = this.o.record;
    if (this.orderEntry) report.orderEntry = this.orderEntry.summary();
    return report;
  }
}
