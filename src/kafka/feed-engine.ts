/**
 * The engine side of `riskgate run`: every engine call of the feed run goes through here, and
 * its records go to the report (digest, reasons, P&L, problems), the record file, the live
 * state (`--serve`) and — once the run is live, past what was committed before a restart — to
 * the open transaction as executions (FILL) and decisions (DECISION, CONTROL).
 */
import { encodeExecution, executionFromFill, executionKey } from '../clearing/execution.ts';
import type { Config } from '../config/index.ts';
import { RustEngine } from '../engine/rust.ts';
import type { Engine } from '../engine/types.ts';
import { openRecordSink, type RecordSink } from '../export/records.ts';
import { lastTimestamp } from '../feed/frames.ts';
import { RECORD_SIZE, RecordKind } from '../records/layout.ts';
import { RecordHeader } from '../contract.ts';

const KIND = RecordHeader.kind;
import { RecordAccumulator } from '../report/accumulator.ts';
import type { LiveState } from '../server/live.ts';
import type { FeedTransactions } from './feed-tx.ts';
import { publishes, type ShardPlan } from './shard.ts';

/** Record counts by destination topic. */
export interface OutputCounts {
  executions: number;
  decisions: number;
  controls: number;
}

export class FeedEngine {
  readonly acc: RecordAccumulator;
  /**
   * The engine's `last_ts` (spec §3) as the feed's frames leave it, for gap fillers and
   * snapshots. Only those need it: the frames handed since it was last worked out are kept
   * (references, no copy) and scanned newest first when it is read.
   */
  get lastTs(): number {
    const f = this.tsFrames;
    if (f.length > 0) {
      let ts = -1;
      for (let i = f.length - 1; i >= 0 && ts < 0; i--) ts = lastTimestamp(f[i], -1);
      if (ts >= 0) this.knownTs = ts;
      this.tsFrames = [];
    }
    return this.knownTs;
  }
  set lastTs(ts: number) {
    this.knownTs = ts;
    this.tsFrames = [];
  }
  private knownTs = 0;
  private tsFrames: Buffer[] = [];
  /** Publish outputs (false while rebuilding what an earlier incarnation committed). */
  live = false;
  /** What went to the transactions, and what a rebuild recomputed without publishing. */
  readonly published: OutputCounts = { executions: 0, decisions: 0, controls: 0 };
  readonly rebuilt: OutputCounts = { executions: 0, decisions: 0, controls: 0 };
  /** Records of other shards' accounts (`run --shard`): computed, never published by this shard. */
  readonly otherShards = { executions: 0, decisions: 0 };
  /** The seq of the next message handed to the engine (for the live state). */
  handedSeq = 1;
  /**
   * `run --order-entry` (src/kafka/order-entry-live.ts): told before every engine call (kills
   * the previous call engaged are mass-canceled first) and of every CONTROL record.
   */
  beforeCall: ((offset: number, nextSeq: number) => void) | null = null;
  onControls: ((records: Buffer) => void) | null = null;
  /** `run --record`: every input handed to the engine, in order (the merged stream). */
  recordInput: Buffer[] | null = null;
  private readonly sink: RecordSink | null;
  private sinkQueue: Buffer[] = [];
  private readonly liveState?: LiveState;
  private readonly accountIds: number[];
  private readonly symbols: string[];
  private readonly shard: ShardPlan | null;
  /**
   * The Rust engine writes each call's records here (`processInto`) instead of into a new
   * Buffer per packet, one call's after the other's: nothing keeps a call's records past the
   * call (decision batches and the record file copy them), and the record digest takes the
   * `undigested` bytes at the start in one piece when the buffer fills up or is read (a
   * snapshot, the report), not one N-API call per packet. `callMax` is what one call of up to
   * `scratchFor` input bytes can write.
   */
  private scratch = Buffer.alloc(0);
  private scratchFor = -1;
  private callMax = 0;
  private undigested = 0;

  constructor(
    readonly engine: Engine,
    private readonly config: Config,
    source: string,
    private readonly tx: FeedTransactions,
    opts: { out?: string; format?: string; live?: LiveState; resumableDigest?: boolean; shard?: ShardPlan | null },
  ) {
    this.shard = opts.shard ?? null;
    this.acc = new RecordAccumulator(source, config, { resumableDigest: opts.resumableDigest });
    this.acc.digestOnAdd = !(engine instanceof RustEngine);
    this.accountIds = config.accounts.map((a) => a.id);
    this.symbols = config.symbols.map((s) => s.symbol);
    this.sink = opts.out ? openRecordSink(opts.out, { format: opts.format, config, input: source }) : null;
    this.liveState = opts.live;
  }

  /** The global kill switch as the engine's CONTROL records leave it. */
  get globalKill(): boolean {
    return this.acc.globalKill;
  }

  /**
   * One engine call: `messages` of `frames` take a seq; `offset` is the feed offset the frames
   * came with (a problem's location); `trackTs` follows `last_ts` (false for frames the run
   * made itself). The records it returns are valid until the next call.
   */
  call(frames: Buffer, endOfInput: boolean, messages: number, offset: number, trackTs: boolean): Buffer {
    this.beforeCall?.(offset, this.handedSeq);
    this.recordInput?.push(Buffer.from(frames));
    const t = process.hrtime.bigint();
    const records = this.process(frames, endOfInput);
    const dt = Number(process.hrtime.bigint() - t);
    this.acc.add(records, dt, messages, offset);
    if (trackTs) {
      this.tsFrames.push(frames);
      if (this.tsFrames.length >= 4096) void this.lastTs; // bound what is kept
    }
    const live = this.liveState;
    if (live) {
      if (live.status === 'starting') live.status = 'running';
      live.observe(records, { frames, firstSeq: this.handedSeq, offset, messages, final: endOfInput }, dt, [{ source: this.engine.backend, role: 'primary', records: records.length / RECORD_SIZE }]);
    }
    this.handedSeq += messages;
    if (records.length === 0) return records;
    if (this.sink) this.sinkQueue.push(Buffer.from(records));
    if (this.route(records, offset) && this.onControls) this.onControls(records);
    return records;
  }

  private process(frames: Buffer, endOfInput: boolean): Buffer {
    const e = this.engine;
    if (!(e instanceof RustEngine)) return e.process(frames, endOfInput);
    if (frames.length > this.scratchFor) {
      this.flushDigest();
      // maxRecordBytes grows with the input: a bound for 64 KiB holds for every smaller call.
      this.scratchFor = Math.max(frames.length, 64 * 1024);
      this.callMax = e.maxRecordBytes(this.scratchFor);
      this.scratch = Buffer.allocUnsafe(4 * this.callMax);
    } else if (this.scratch.length - this.undigested < this.callMax) {
      this.flushDigest();
    }
    const from = this.undigested;
    const n = e.processInto(frames, this.scratch.subarray(from), endOfInput);
    this.undigested += n;
    return this.scratch.subarray(from, from + n);
  }

  /** Brings the record digest up to date: before a snapshot saves it and before the report reads it. */
  flushDigest(): void {
    if (this.undigested > 0) this.acc.digestRecords(this.scratch.subarray(0, this.undigested));
    this.undigested = 0;
  }

  /**
   * FILL → executions (keyed by account), DECISION and CONTROL → decisions (runs of them copied
   * at once; ORDER records with the decisions). Returns whether there was a CONTROL record. A shard (`run --shard`) passes over the DECISION and FILL records of accounts it
   * does not own: they end a run of decisions and are counted in `otherShards`.
   */
  private route(records: Buffer, offset: number): boolean {
    let controls = false;
    const out = this.live ? this.published : this.rebuilt;
    const end = records.length - (records.length % RECORD_SIZE);
    const shard = this.shard;
    let run = -1; // start of the current run of DECISION/CONTROL records
    for (let off = 0; off < end; off += RECORD_SIZE) {
      const kind = records[off + KIND];
      const own = shard === null || publishes(shard, records, off);
      // ORDER records (client orders' verdicts and cancels, `run --order-entry`) travel with the decisions.
      if ((kind === RecordKind.DECISION || kind === RecordKind.CONTROL || kind === RecordKind.ORDER) && own) {
        if (kind !== RecordKind.CONTROL) out.decisions++;
        else {
          out.controls++;
          controls = true;
        }
        if (run < 0) run = off;
        continue;
      }
      if (run >= 0) {
        if (this.live) this.tx.decisions.add(records, run, off, offset);
        run = -1;
      }
      if (!own) {
        if (kind === RecordKind.DECISION) this.otherShards.decisions++;
        else if (kind === RecordKind.FILL) this.otherShards.executions++;
        continue;
      }
      if (kind === RecordKind.FILL) {
        out.executions++;
        if (!this.live) continue;
        const e = executionFromFill(records.subarray(off, off + RECORD_SIZE), this.config.session, this.accountIds, this.symbols);
        this.tx.executions.push({ key: executionKey(e.accountId), value: encodeExecution(e) });
      }
    }
    if (run >= 0 && this.live) this.tx.decisions.add(records, run, end, offset);
    return controls;
  }

  /** Whether there is a record file (`--out`) to flush. */
  get hasSink(): boolean {
    return this.sink !== null;
  }

  /** Writes the queued records to the record file. */
  async flushSink(): Promise<void> {
    if (!this.sink) return;
    const q = this.sinkQueue;
    this.sinkQueue = [];
    for (const r of q) await this.sink.write(r);
  }

  async close(): Promise<void> {
    if (!this.sink) return;
    await this.flushSink().catch(() => {});
    await this.sink.close().catch(() => {});
  }
}
