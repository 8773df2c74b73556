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
import { orderFrame, venueFrame, type OrderAction } from './frames.ts';

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

const O = RecordField.ORDER;

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
  private readonly input: Buffer[] = [];
  private readonly output: Buffer[] = [];
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
  /** Told of every CONTROL record, after the engine call that produced it (mass cancel, §18.6). */
  onControl: ((c: AppliedControl) => void) | null = null;
  /** Told of every engine call: its records, the first seq and count of the messages it carried, its time (ns). */
  onRecords: ((records: Buffer, firstSeq: number, messages: number, engineNs: number) => void) | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly fingerprint: bigint,
    private readonly nAccounts: number,
    private readonly limits: OrderEntryLimits,
  ) {
    this.into = intoOf(engine);
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

  /** The limits of every account as control messages at S = 1 (before the first message). */
  start(): Buffer {
    if (this.started) throw new Error('order entry: start() twice');
    this.started = true;
    const frames: Buffer[] = [];
    for (let a = 0; a < this.nAccounts; a++) {
      frames.push(this.control(ControlOp.MAX_OPEN_ORDERS, a, BigInt(this.limits.maxOpenOrders)));
      frames.push(this.control(ControlOp.MAX_ORDER_RATE, a, BigInt(this.limits.maxOrderRate)));
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
    const id = this.freeId();
    if (id < 0) {
      // Fail closed: no slot is a refusal of the order (the table holds ORDER_SLOTS open orders).
      throw new RiskgateError('FAIL_CLOSED', `order entry: all ${ORDER_FRAME.orderSlots} engine order ids are open`);
    }
    return this.order('O', id, o);
  }

  /** A replace of the open order `orderId` with new shares and price. */
  replace(orderId: number, o: ClientOrder): OrderAnswer {
    return this.order('U', orderId, o);
  }

  /** The venue executed `qty` shares of `orderId` at `price`; returns the records (a FILL). */
  executed(orderId: number, qty: number, price: number): Buffer {
    return this.venue('E', orderId, qty, price);
  }

  /** The venue canceled `qty` shares of `orderId`; returns the records (an ORDER `C`). */
  canceled(orderId: number, qty: number): Buffer {
    return this.venue('C', orderId, qty, 0);
  }

  /** Open shares the control plane counts for an engine order id. */
  openShares(orderId: number): number {
    return this.open[orderId] ?? 0;
  }

  /** Every record the engine produced so far, in order (the digest covers these bytes). */
  allRecords(): Buffer[] {
    return this.output;
  }

  /** Everything handed to the engine, in order, as a §2 frame stream with the end marker. */
  mergedStream(): Buffer {
    return Buffer.concat([...this.input, Buffer.from([0, 0])]);
  }

  private order(action: OrderAction, orderId: number, o: ClientOrder): OrderAnswer {
    if (!this.started) this.start();
    const frame = orderFrame({ action, orderId, ...o, seq: this.lastSeq + 1, fingerprint: this.fingerprint });
    const records = this.run(frame, false, 0, true);
    const rec = findOrderRecord(records, orderId);
    if (!rec) {
      // The engine refused the frame (PROBLEM): never an acceptance (fail closed).
      return { orderId, accepted: false, reasons: -1, records };
    }
    const reasons = rec.readUInt16LE(O.reasons);
    if (reasons === 0) this.open[orderId] = o.qty;
    return { orderId, accepted: reasons === 0, reasons, records };
  }

  private venue(event: 'E' | 'C', orderId: number, qty: number, price: number): Buffer {
    if (!this.started) this.start();
    const records = this.run(venueFrame({ event, orderId, qty, price, seq: this.lastSeq + 1, fingerprint: this.fingerprint }), false, 0, true);
    const applied = records.length >= RECORD_SIZE && records[H.kind] !== RecordKind.PROBLEM;
    if (applied) {
      this.open[orderId] -= Math.min(qty, this.open[orderId]);
      if (this.open[orderId] === 0) this.freed(orderId);
    }
    return records;
  }

  private control(op: number, target: number, value: bigint): Buffer {
    return frame(itch.control(op, target, this.lastSeq + 1, value, this.fingerprint));
  }

  private run(frames: Buffer, endOfInput: boolean, messages = 0, owned = false): Buffer {
    // Frames the caller may reuse are copied; the ones made here (orders, venue answers) are not.
    this.input.push(owned ? frames : Buffer.from(frames));
    const t0 = this.onRecords ? process.hrtime.bigint() : 0n;
    const out = this.call(frames, endOfInput);
    if (this.onRecords) this.onRecords(out, this.lastSeq + 1, messages, Number(process.hrtime.bigint() - t0));
    this.digest.update(out);
    this.output.push(out);
    this.recordBytes += out.length;
    if (this.onControl) {
      for (const r = new RecordView(out); r.next(); ) {
        if (r.kind === RecordKind.CONTROL) this.onControl({ op: r.op, target: r.target, value: r.value, seq: r.seq });
      }
    }
    return out;
  }

  /** One engine call; its records in a buffer of their own (they are kept for allRecords). */
  private call(frames: Buffer, endOfInput: boolean): Buffer {
    if (!this.into || frames.length > SMALL_INPUT) return this.engine.process(frames, endOfInput);
    this.scratch ??= Buffer.allocUnsafeSlow(this.into.maxRecordBytes(SMALL_INPUT));
    const n = this.into.processInto(frames, this.scratch, endOfInput);
    return Buffer.from(this.scratch.subarray(0, n));
  }

  /** True when an engine order id is free for a new order. */
  hasFreeId(): boolean {
    return this.freeId() >= 0;
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

/** The ORDER record for `orderId` in `records`, if any. */
function findOrderRecord(records: Buffer, orderId: number): Buffer | undefined {
  for (let off = 0; off + RECORD_SIZE <= records.length; off += RECORD_SIZE) {
    const r = records.subarray(off, off + RECORD_SIZE);
    if (r[H.kind] === RecordKind.ORDER && r.readUInt32LE(O.order_id) === orderId) return r;
  }
  return undefined;
}
