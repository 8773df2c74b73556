/**
 * Client orders through the engine (spec §18.6): the market data of a session and the
 * control plane's order-entry frames go into one engine in one order, which this class
 * assigns and records. Each client order becomes an order frame at the current position
 * (S = last seq + 1) and the engine's ORDER record is the answer; the venue's executions and
 * cancels go in as venue frames. `mergedStream()` is the whole input as handed to the engine
 * (§2 framing), which `riskgate replay` re-runs to the same record digest.
 */
import { createHash } from 'node:crypto';
import { ControlOp, ORDER_FRAME, RecordField, RecordHeader as H, RecordKind, RECORD_SIZE } from '../contract.ts';
import type { Engine } from '../engine/types.ts';
import { RiskgateError } from '../errors.ts';
import { frame, itch } from '../itch/encode.ts';
import { countSeqFrames } from '../itch/framing.ts';
import { RecordView } from '../records/view.ts';
import { ByteLog } from '../ouch/byte-log.ts';
import { fingerprintBytes, ORDER_FRAME_BYTES, VENUE_FRAME_BYTES, writeOrderFrame, writeOrderFrameAt, writeVenueFrame, writeVenueFrameAt, type VenueEvent } from './frames.ts';

/** A CONTROL record the engine emitted (an operator's op, or a kill the engine engaged itself). */
export interface AppliedControl {
  op: number;
  target: number;
  value: bigint;
  seq: number;
}

export interface OrderEntryLimits {
  /** Every account's maximum open client orders (op MAX_OPEN_ORDERS). */
  maxOpenOrders: number;
  /** Every account's client order actions per throttle window (op MAX_ORDER_RATE). */
  maxOrderRate: number;
  /** Each account's daily loss limit in notional units (op MAX_DAILY_LOSS, spec §18.8); 0 or absent = off. */
  maxDailyLoss?: readonly bigint[];
}

export interface ClientOrder {
  account: number;
  symbol: number;
  side: string;
  tif: string;
  qty: number;
  price: number;
}

/** The engine's answer to a client order action (its ORDER record). */
export interface OrderAnswer {
  orderId: number;
  accepted: boolean;
  /** Reason bits (spec §8.2, §18.3); 0 when accepted. */
  reasons: number;
  /** The records the frame produced (the ORDER record, or a refusal's PROBLEM and CONTROL). */
  records: Buffer;
}

/** A venue answer for `venueMany`. */
export interface VenueAnswer {
  event: VenueEvent;
  orderId: number;
  qty: number;
  /** Price units (0 for a cancel). */
  price: number;
}

const O = RecordField.ORDER;
/** An id handed to an order of a batch whose answer is not known yet (never a share count: qty ≤ 1,000,000). */
const RESERVED = 0xffff_ffff;
/** The records a frame answers with: exactly one per frame (§18.3, §18.4), a CONTROL may follow it. */
function isAnswerRecord(kind: number): boolean {
  return kind === RecordKind.ORDER || kind === RecordKind.FILL || kind === RecordKind.PROBLEM;
}

/** The allocation-free engine call (the Rust engine's), used for the small per-order calls. */
interface ProcessInto {
  processInto(frames: Buffer, out: Buffer, endOfInput?: boolean): number;
  maxRecordBytes(inputLength: number): number;
}

/**
 * Inputs up to this size (an order or venue frame, a few controls) go through `processInto`
 * and a reused buffer: `process` returns an external buffer per call, whose allocation and
 * finalizer cost more than the check itself. Larger ones (market data chunks) use `process`.
 */
const SMALL_INPUT = 4096;

function intoOf(engine: Engine): ProcessInto | null {
  const e = engine as Partial<ProcessInto>;
  return typeof e.processInto === 'function' && typeof e.maxRecordBytes === 'function' ? (e as ProcessInto) : null;
}

export class OrderEntryEngine {
  private lastSeq = 0;
  /** Everything handed to the engine, in order (the merged stream), and the records of each call. */
  private readonly input = new ByteLog();
  private readonly output = new ByteLog();
  private readonly digest = createHash('sha256');
  private recordBytes = 0;
  /** Open shares of every engine order id the control plane has handed out (0 = free). */
  private readonly open = new Uint32Array(ORDER_FRAME.orderSlots);
  /** No id below this one is free (see freeId). */
  private lowFree = 0;
  private started = false;
  private readonly into: ProcessInto | null;
  /** Output of the small calls, `maxRecordBytes(SMALL_INPUT)` bytes once the first is made. */
  private scratch: Buffer | null = null;
  /** The fingerprint's bytes, written into every order and venue frame. */
  private readonly fp8: Buffer;
  /** Told of every CONTROL record, after the engine call that produced it (mass cancel, §18.6). */
  onControl: ((c: AppliedControl) => void) | null = null;
  /** Told of every engine call: its records, the first seq and count of the messages it carried, its time (ns). */
  onRecords: ((records: Buffer, firstSeq: number, messages: number, engineNs: number) => void) | null = null;
  /**
   * True: `onRecords` is told in a microtask after the engine call, in call order, instead of
   * during it — after the current socket read is handled, so a read's venue forwards and client
   * answers do not wait for what onRecords does (the gateway's live metrics and clearing: ~4 µs
   * per engine call, issue 13). The records it gets are the output log's, kept for the day.
   */
  deferRecords = false;
  /** Engine calls whose onRecords is still to be told (deferRecords): records, first seq, messages, ns, four entries each. */
  private deferred: (Buffer | number)[] = [];
  /**
   * Tells onRecords now of every engine call deferred so far (deferRecords; the microtask queued
   * by the first does this too, then finding none).
   */
  readonly flushRecords = (): void => {
    const d = this.deferred;
    this.deferred = [];
    const fn = this.onRecords;
    if (!fn) return;
    // Every call is told even when one throws (none skipped); the first error is thrown after, loud.
    let failed: { error: unknown } | null = null;
    for (let k = 0; k < d.length; k += 4) {
      try {
        fn(d[k] as Buffer, d[k + 1] as number, d[k + 2] as number, d[k + 3] as number);
      } catch (error) {
        failed ??= { error };
      }
    }
    if (failed) throw failed.error;
  };

  constructor(
    private readonly engine: Engine,
    private readonly fingerprint: bigint,
    private readonly nAccounts: number,
    private readonly limits: OrderEntryLimits,
  ) {
    this.into = intoOf(engine);
    this.fp8 = fingerprintBytes(fingerprint);
  }

  /** The last seq handed out (messages fed so far). */
  get seq(): number {
    return this.lastSeq;
  }

  /** The engine is fed market data elsewhere (`run --order-entry`, src/kafka/): the last seq it took. */
  setPosition(lastSeq: number): void {
    this.lastSeq = lastSeq;
  }

  /** Bytes of records produced so far and their SHA-256 (the record digest, when done). */
  recordDigest(): { bytes: number; sha256: string } {
    return { bytes: this.recordBytes, sha256: this.digest.copy().digest('hex') };
  }

  /** The limits of every account as control messages at S = 1 (before the first message); the daily loss limit only where set. */
  start(): Buffer {
    if (this.started) throw new Error('order entry: start() twice');
    this.started = true;
    const frames: Buffer[] = [];
    for (let a = 0; a < this.nAccounts; a++) {
      frames.push(this.control(ControlOp.MAX_OPEN_ORDERS, a, BigInt(this.limits.maxOpenOrders)));
      frames.push(this.control(ControlOp.MAX_ORDER_RATE, a, BigInt(this.limits.maxOrderRate)));
      const loss = this.limits.maxDailyLoss?.[a] ?? 0n;
      if (loss > 0n) frames.push(this.control(ControlOp.MAX_DAILY_LOSS, a, loss));
    }
    return this.run(Buffer.concat(frames), false);
  }

  /** Market data (whole frames) at the current position; returns its records. */
  feed(frames: Buffer, endOfInput = false): Buffer {
    if (!this.started) this.start();
    const n = countSeqFrames(frames);
    const out = this.run(frames, endOfInput, n);
    this.lastSeq += n;
    return out;
  }

  /** Operator control messages (spec §9, made for S = seq + 1) at the current position; returns their records. */
  operatorControls(frames: Buffer): Buffer {
    if (!this.started) this.start();
    return this.run(frames, false);
  }

  /** A new client order, checked at the current position. */
  enter(o: ClientOrder): OrderAnswer {
    const a = this.enterMany([o])[0];
    if (a === null) {
      // Fail closed: no slot is a refusal of the order (the table holds ORDER_SLOTS open orders).
      throw new RiskgateError('FAIL_CLOSED', `order entry: all ${ORDER_FRAME.orderSlots} engine order ids are open`);
    }
    return a;
  }

  /**
   * New client orders checked at the current position in ONE engine call (spec §18.6): each
   * gets its own free id, its frame goes into the merged stream in the given order at the same
   * S, and the engine checks them one after the other exactly as separate calls would. The
   * answer of each, or null for an order left without a free id (fail closed: refused).
   */
  enterMany(orders: readonly ClientOrder[]): (OrderAnswer | null)[] {
    if (!this.started) this.start();
    const ids = new Array<number>(orders.length);
    let n = 0;
    for (let k = 0; k < orders.length; k++) {
      const id = this.freeId();
      ids[k] = id;
      if (id < 0) continue;
      this.open[id] = RESERVED;
      n++;
    }
    // Written in place in the merged stream (the engine reads them there).
    const frames = this.input.append(n * ORDER_FRAME_BYTES);
    const seq = this.lastSeq + 1;
    const O_ACTION = 0x4f; // 'O': a new order
    try {
      for (let k = 0, at = 0; k < orders.length; k++) {
        if (ids[k] < 0) continue;
        const o = orders[k];
        writeOrderFrameAt(frames, at, O_ACTION, o.side.charCodeAt(0), o.tif.charCodeAt(0), o.account, o.symbol, ids[k], o.qty, o.price, seq, this.fp8);
        at += ORDER_FRAME_BYTES;
      }
    } catch (e) {
      // A field that does not fit its frame: nothing of the batch reaches the engine or the merged stream.
      this.input.dropLast();
      for (const id of ids) if (id >= 0) this.release(id);
      throw e;
    }
    let records: Buffer;
    try {
      records = n > 0 ? this.run(frames, false, 0, true) : EMPTY;
    } catch (e) {
      // No answer: every order of the batch is refused by the caller; their ids are free again.
      for (const id of ids) if (id >= 0) this.release(id);
      throw e;
    }
    const starts = answerStarts(records, n);
    const out = new Array<OrderAnswer | null>(orders.length);
    for (let k = 0, f = 0; k < orders.length; k++) {
      const id = ids[k];
      if (id < 0) {
        out[k] = null;
        continue;
      }
      if (starts === null) {
        out[k] = this.answerAt(id, orders[k].qty, records, 0, records.length, EMPTY);
        continue;
      }
      const from = starts[f];
      const to = f + 1 < n ? starts[f + 1] : records.length;
      f++;
      out[k] = this.answerAt(id, orders[k].qty, records, from, to, null);
    }
    return out;
  }

  /** A replace of the open order `orderId` with new shares and price. */
  replace(orderId: number, o: ClientOrder): OrderAnswer {
    if (!this.started) this.start();
    const frame = this.input.append(ORDER_FRAME_BYTES);
    try {
      writeOrderFrame(frame, 0, { action: 'U', orderId, ...o, seq: this.lastSeq + 1, fingerprint: this.fingerprint });
    } catch (e) {
      this.input.dropLast();
      throw e;
    }
    const records = this.run(frame, false, 0, true);
    const prev = this.open[orderId];
    const a = this.answerAt(orderId, o.qty, records, 0, records.length, null);
    // A refused replace leaves the original open as it was.
    if (!a.accepted) this.open[orderId] = prev;
    return a;
  }

  /** The venue executed `qty` shares of `orderId` at `price`; returns the records (a FILL). */
  executed(orderId: number, qty: number, price: number): Buffer {
    return this.venueOne({ event: 'E', orderId, qty, price });
  }

  /** The venue canceled `qty` shares of `orderId`; returns the records (an ORDER `C`). */
  canceled(orderId: number, qty: number): Buffer {
    return this.venueOne({ event: 'C', orderId, qty, price: 0 });
  }

  /**
   * Venue answers in ONE engine call, in order, at the current position: true for each the
   * engine applied (its open shares are taken off), false for one it refused (PROBLEM: the
   * control plane and the venue disagree; nothing is applied, fail closed). An order may
   * appear more than once as long as each answer fits the shares open before it. `count`: the
   * first that many of `answers` (a caller's reused array).
   */
  venueMany(answers: readonly VenueAnswer[], count = answers.length): boolean[] {
    if (!this.started) this.start();
    if (count === 0) return [];
    const frames = this.input.append(count * VENUE_FRAME_BYTES);
    const seq = this.lastSeq + 1;
    try {
      for (let k = 0; k < count; k++) {
        const a = answers[k];
        writeVenueFrameAt(frames, k * VENUE_FRAME_BYTES, a.event.charCodeAt(0), a.orderId, a.qty, a.price, seq, this.fp8);
      }
    } catch (e) {
      this.input.dropLast();
      throw e;
    }
    const records = this.run(frames, false, 0, true);
    const starts = answerStarts(records, count);
    const out = new Array<boolean>(count);
    for (let k = 0; k < count; k++) {
      const applied = starts !== null && records[starts[k] + H.kind] !== RecordKind.PROBLEM;
      if (applied) this.reduceOpen(answers[k].orderId, answers[k].qty);
      out[k] = applied;
    }
    return out;
  }

  /** Open shares the control plane counts for an engine order id. */
  openShares(orderId: number): number {
    return this.open[orderId] ?? 0;
  }

  /** Every record the engine produced so far, in order (the digest covers these bytes). */
  allRecords(): Buffer[] {
    return Array.from({ length: this.output.length }, (_, i) => this.output.at(i));
  }

  /** Everything handed to the engine, in order, as a §2 frame stream with the end marker. */
  mergedStream(): Buffer {
    return Buffer.concat([this.input.concat(), Buffer.from([0, 0])]);
  }

  /**
   * The ORDER record of `orderId` among a frame's records (records[from, to)): the answer
   * (fail closed without one). `own` is the records the answer carries: the frame's own
   * (null: records[from, to)), or none when the batch's records could not be cut per frame.
   */
  private answerAt(orderId: number, qty: number, records: Buffer, from: number, to: number, own: Buffer | null): OrderAnswer {
    const at = findOrderRecord(records, from, to, orderId);
    // The records are the output log's (kept for the day): the answer's view of them is made
    // only if read (no Buffer view per order, issue 13).
    const src = own ?? records;
    const a = own ? 0 : from;
    const b = own ? own.length : to;
    if (at < 0) {
      // The engine refused the frame (PROBLEM): never an acceptance (fail closed).
      if (this.open[orderId] === RESERVED) this.release(orderId);
      return new Answer(orderId, false, -1, src, a, b);
    }
    const reasons = records.readUInt16LE(at + O.reasons);
    if (reasons === 0) this.open[orderId] = qty;
    else if (this.open[orderId] === RESERVED) this.release(orderId);
    return new Answer(orderId, reasons === 0, reasons, src, a, b);
  }

  private venueOne(a: VenueAnswer): Buffer {
    if (!this.started) this.start();
    const frame = this.input.append(VENUE_FRAME_BYTES);
    try {
      writeVenueFrame(frame, 0, { ...a, seq: this.lastSeq + 1, fingerprint: this.fingerprint });
    } catch (e) {
      this.input.dropLast();
      throw e;
    }
    const records = this.run(frame, false, 0, true);
    if (records.length >= RECORD_SIZE && records[H.kind] !== RecordKind.PROBLEM) this.reduceOpen(a.orderId, a.qty);
    return records;
  }

  private reduceOpen(orderId: number, qty: number): void {
    this.open[orderId] -= Math.min(qty, this.open[orderId]);
    if (this.open[orderId] === 0) this.freed(orderId);
  }

  /** A reserved id whose order was refused: free again. */
  private release(orderId: number): void {
    this.open[orderId] = 0;
    this.freed(orderId);
  }

  private control(op: number, target: number, value: bigint): Buffer {
    return frame(itch.control(op, target, this.lastSeq + 1, value, this.fingerprint));
  }

  /**
   * One engine call on `frames` at the current position. `logged`: the frames were written in
   * place in the merged stream (`input.append`); others are copied there (the caller may reuse
   * them).
   */
  private run(frames: Buffer, endOfInput: boolean, messages = 0, logged = false): Buffer {
    if (!logged) this.input.push(frames);
    const t0 = this.onRecords ? process.hrtime.bigint() : 0n;
    // The records are kept for the day (allRecords, the digest): copied into the output log.
    const out = this.output.push(this.call(frames, endOfInput));
    if (this.onRecords) {
      const ns = Number(process.hrtime.bigint() - t0);
      if (!this.deferRecords) this.onRecords(out, this.lastSeq + 1, messages, ns);
      else if (this.deferred.push(out, this.lastSeq + 1, messages, ns) === 4) queueMicrotask(this.flushRecords);
    }
    this.digest.update(out);
    this.recordBytes += out.length;
    if (this.onControl) {
      for (const r = new RecordView(out); r.next(); ) {
        if (r.kind === RecordKind.CONTROL) this.onControl({ op: r.op, target: r.target, value: r.value, seq: r.seq });
      }
    }
    return out;
  }

  /** One engine call; its records (valid until the next call: the caller copies them). */
  private call(frames: Buffer, endOfInput: boolean): Buffer {
    if (!this.into || frames.length > SMALL_INPUT) return this.engine.process(frames, endOfInput);
    this.scratch ??= Buffer.allocUnsafeSlow(this.into.maxRecordBytes(SMALL_INPUT));
    const n = this.into.processInto(frames, this.scratch, endOfInput);
    return this.scratch.subarray(0, n);
  }

  /** True when an engine order id is free for a new order. */
  hasFreeId(): boolean {
    return this.freeId() >= 0;
  }

  /** True when at least `n` engine order ids are free (a scan from the lowest free one that stops at the n-th). */
  hasFreeIds(n: number): boolean {
    const open = this.open;
    let found = 0;
    for (let id = this.freeId(); id >= 0 && id < open.length; id++) {
      if (open[id] === 0 && ++found >= n) return true;
    }
    return found >= n;
  }

  /**
   * The lowest engine order id the control plane has not handed out or has seen closed.
   * Every id below `lowFree` is open, so the search starts there (not at 0 for each order).
   */
  private freeId(): number {
    const id = this.open.indexOf(0, this.lowFree);
    this.lowFree = id < 0 ? this.open.length : id;
    return id;
  }

  /** An id's open shares are now 0: it is free again. */
  private freed(orderId: number): void {
    if (orderId < this.lowFree) this.lowFree = orderId;
  }
}

const EMPTY = Buffer.alloc(0);

/** An OrderAnswer whose `records` view is made when read. */
class Answer implements OrderAnswer {
  constructor(
    readonly orderId: number,
    readonly accepted: boolean,
    readonly reasons: number,
    private readonly src: Buffer,
    private readonly from: number,
    private readonly to: number,
  ) {}

  get records(): Buffer {
    return this.src.subarray(this.from, this.to);
  }
}

/** Reused by answerStarts (one engine call at a time; a batch holds at most a read's orders or answers). */
let startsScratch = new Int32Array(256);

/**
 * Where each frame's records start in a batch's records: every frame answers with exactly one
 * ORDER, FILL or PROBLEM record, which any CONTROL records it caused follow (§18.2–18.4).
 * Null when the count does not match (then no frame of the batch is taken as applied: fail
 * closed). The offsets are valid until the next call.
 */
function answerStarts(records: Buffer, frames: number): Int32Array | null {
  if (startsScratch.length < frames + 1) startsScratch = new Int32Array(2 * frames + 2);
  const starts = startsScratch;
  let n = 0;
  for (let off = 0; off + RECORD_SIZE <= records.length; off += RECORD_SIZE) {
    if (isAnswerRecord(records[off + H.kind])) {
      if (n === frames) return null;
      starts[n++] = off;
    }
  }
  if (n !== frames || (frames > 0 && starts[0] !== 0)) return null;
  return starts;
}

/** The offset of the ORDER record for `orderId` in records[from, to), or -1. */
function findOrderRecord(records: Buffer, from: number, to: number, orderId: number): number {
  for (let off = from; off + RECORD_SIZE <= to; off += RECORD_SIZE) {
    if (records[off + H.kind] === RecordKind.ORDER && records.readUInt32LE(off + O.order_id) === orderId) return off;
  }
  return -1;
}
