/**
 * A generated session with client order flow (spec §18): the market data of a
 * `SessionGenerator` session merged with the control plane's in-band frames — client orders
 * (`{`), the venue's answers (`}`), the order-entry limits (ops 11 and 14 at S = 1) and the
 * operator's episodes (kill switches, credit cuts, reduce-only by account and by symbol) —
 * plus ITCH `Y` Reg SHO restrictions, each at a valid position S with the config's
 * fingerprint. The result is the merged stream `riskgate gateway` records, made without
 * sockets: deterministic by seed, streamed chunk by chunk.
 *
 * The control plane's decisions need the engine's answers (a venue only executes accepted
 * orders; an order id is free only when the engine freed it), so the generator runs the Rust
 * engine along the stream, exactly as the gateway does, and reads its records: TOB (the
 * touch to price orders at), FILL (each account's used credit), ORDER (accepted or not).
 * Scenarios aim at every reason of §8.2 and §18.3; the summary counts what each one drew.
 */
import { createHash } from 'node:crypto';
import { blobFingerprint, configBlob, loadConfig, type Config } from '../config/index.ts';
import { CONTROL_MESSAGE as CM, ControlOp, ORDER_FRAME, VENUE_FRAME, REASON_NAMES, RecordField, RecordHeader as H, RecordKind, RECORD_SIZE } from '../contract.ts';
import { RustEngine } from '../engine/rust.ts';
import { frame, itch } from '../itch/encode.ts';
import { orderFrame, venueFrame } from '../order-entry/frames.ts';
import { EventQueue } from './events.ts';
import { Prng } from './prng.ts';
import { SessionGenerator, type GenOptions } from './session.ts';

export interface OrderFlowOptions extends GenOptions {
  /** Client orders (enter and replace frames) to write; at least this many are written. */
  clientOrders: number;
  /** Every account's maximum open client orders (op 11). Default 24. */
  maxOpenOrders?: number;
  /** Every account's client order actions per throttle window (op 14). Default 30. */
  maxOrderRate?: number;
}

export interface OrderFlowSummary {
  seed: number;
  /** Messages that take a seq (the session's plus the inserted `Y`). */
  messages: number;
  clientOrders: { enter: number; replace: number; accepted: number; rejected: number; refused: number };
  venue: { executions: number; cancels: number; refused: number };
  /** Client orders carrying each reason bit (an order with several bits counts in each). */
  reasons: Record<string, number>;
  controlsByOp: Record<string, number>;
  regSho: number;
  /** SHA-256 of the merged stream (end marker included). */
  sha256: string;
  bytes: number;
  /** SHA-256 of the Rust engine's records for the merged stream (= `riskgate replay`'s digest). */
  recordsSha256: string;
  elapsedMs: number;
}

const OF = RecordField.ORDER;
const FILL = RecordField.FILL;
const TOB = RecordField.TOB;
const ORDER_SLOTS = ORDER_FRAME.orderSlots;
const SEQ_LESS = new Set<number>([CM.typeByte, ORDER_FRAME.typeByte, VENUE_FRAME.typeByte]);

interface Open {
  account: number;
  symbol: number;
  side: string;
  price: number;
  open: number;
}

type Ev =
  | { k: 'venue'; id: number; event: 'E' | 'C'; qty: number; then?: 'C' }
  | { k: 'replace'; id: number }
  | { k: 'control'; op: number; target: number; value: bigint }
  | { k: 'creditCut'; account: number; tight: boolean }
  | { k: 'creditRestore'; account: number }
  | { k: 'creditRaise' }
  | { k: 'regsho'; symbol: number; action: string };

export class OrderFlowGenerator {
  private readonly session: SessionGenerator;
  private readonly cfg: Config;
  private readonly engine: RustEngine;
  private readonly fingerprint: bigint;
  private readonly rng: Prng;
  private readonly queue = new EventQueue<Ev>();
  private readonly hash = createHash('sha256');
  private readonly recHash = createHash('sha256');
  private bytes = 0;
  private lastSeq = 0;
  private lastTs = 0;
  private out: Buffer[] = [];
  /** Market data not yet handed to the engine (frames of the current chunk). */
  private pendingFrom = -1;
  private done = false;
  private started = false;
  /** A client tick is due before the next message (drawn in `dueActivity`). */
  private tickNow = false;
  private finished = false;
  private readonly t0 = performance.now();
  private readonly nSym: number;
  private readonly nAcct: number;
  private readonly bid: Float64Array;
  private readonly ask: Float64Array;
  private readonly used: bigint[];
  private readonly limit: bigint[];
  private readonly openIds = new Uint32Array(ORDER_SLOTS);
  private readonly opens = new Map<number, Open>();
  private readonly locateOf: number[];
  private readonly ssr: Uint8Array;
  private readonly reduceAcct: Uint8Array;
  private readonly reduceSym: Uint8Array;
  /** Accounts whose credit an episode has cut (the desk's raises skip them). */
  private readonly cutAcct: Uint8Array;
  private ordersWritten = 0;
  private readonly s: OrderFlowSummary;
  private readonly target: number;
  private readonly plannedMessages: number;
  private readonly maxRate: number;
  private readonly maxOpen: number;

  constructor(opts: OrderFlowOptions) {
    this.cfg = opts.config ?? loadConfig();
    const blob = configBlob(this.cfg);
    this.fingerprint = blobFingerprint(blob);
    this.session = new SessionGenerator({ ...opts, config: this.cfg });
    this.engine = new RustEngine(blob);
    this.rng = new Prng(opts.seed).fork(41);
    this.target = opts.clientOrders;
    if (!Number.isSafeInteger(this.target) || this.target < 1) throw new RangeError(`client orders must be a positive integer, got ${opts.clientOrders}`);
    this.plannedMessages = opts.messages;
    this.maxOpen = opts.maxOpenOrders ?? 24;
    this.maxRate = opts.maxOrderRate ?? 30;
    this.nSym = this.cfg.symbols.length;
    this.nAcct = this.cfg.accounts.length;
    this.bid = new Float64Array(this.nSym);
    this.ask = new Float64Array(this.nSym);
    this.used = this.cfg.accounts.map((a) => a.usedCredit);
    this.limit = this.cfg.accounts.map((a) => a.creditLimit);
    this.locateOf = new Array<number>(this.nSym).fill(0);
    this.ssr = new Uint8Array(this.nSym);
    this.reduceAcct = new Uint8Array(this.nAcct);
    this.reduceSym = new Uint8Array(this.nSym);
    this.cutAcct = new Uint8Array(this.nAcct);
    this.s = {
      seed: opts.seed, messages: 0,
      clientOrders: { enter: 0, replace: 0, accepted: 0, rejected: 0, refused: 0 },
      venue: { executions: 0, cancels: 0, refused: 0 },
      reasons: Object.fromEntries(REASON_NAMES.map((n) => [n, 0])),
      controlsByOp: {}, regSho: 0, sha256: '', bytes: 0, recordsSha256: '', elapsedMs: 0,
    };
    this.scheduleEpisodes();
  }

  get messagesWritten(): number {
    return this.lastSeq;
  }

  /** The next chunk of the merged stream, or null when it is complete. */
  nextChunk(): Buffer | null {
    if (this.finished) return null;
    while (this.out.length === 0) {
      const c = this.session.nextChunk();
      if (c === null) {
        this.finish();
        break;
      }
      this.merge(c);
    }
    const b = Buffer.concat(this.out);
    this.out = [];
    this.hash.update(b);
    this.bytes += b.length;
    if (this.done) this.finished = true;
    return b;
  }

  summary(): OrderFlowSummary {
    if (!this.finished) throw new Error('summary before the stream is complete');
    this.engine.close();
    return { ...this.s, messages: this.lastSeq, sha256: this.hash.digest('hex'), bytes: this.bytes, recordsSha256: this.recHash.digest('hex'), elapsedMs: Math.round(performance.now() - this.t0) };
  }

  // ------------------------------------------------------------------ the merge

  private merge(chunk: Buffer): void {
    let off = 0;
    let runFrom = 0;
    while (off + 2 <= chunk.length) {
      const n = chunk.readUInt16BE(off);
      if (n === 0) break; // the session's end marker: ours comes after the last answers
      const t = chunk[off + 2];
      if (t === CM.typeByte) {
        // a session control: its S follows the messages inserted before it; a credit limit
        // the desk sets is the one a credit cut restores
        chunk.writeBigUInt64BE(BigInt(this.lastSeq + 1), off + 2 + CM.off_seq);
        const target = chunk.readUInt16BE(off + 2 + CM.off_target);
        if (chunk[off + 2 + CM.off_op] === ControlOp.CREDIT_LIMIT && target < this.nAcct) this.limit[target] = chunk.readBigUInt64BE(off + 2 + CM.off_value);
      } else if (!SEQ_LESS.has(t)) {
        if (!this.started) {
          this.feed(chunk.subarray(runFrom, off));
          for (const f of this.startFrames()) this.feed(f);
          runFrom = off;
          this.started = true;
        }
        if (this.dueActivity()) {
          this.feed(chunk.subarray(runFrom, off));
          runFrom = off;
          this.activity();
        }
        this.lastSeq++;
        if (n >= 11) this.lastTs = chunk.readUIntBE(off + 7, 6);
        if (t === 0x52 && n >= 19) this.directory(chunk, off + 2);
      }
      off += 2 + n;
    }
    this.feed(chunk.subarray(runFrom, off));
  }

  /** The order-entry limits of every account at S = 1 (spec §18.6). */
  private startFrames(): Buffer[] {
    const f: Buffer[] = [];
    for (let a = 0; a < this.nAcct; a++) {
      f.push(this.controlFrame(ControlOp.MAX_OPEN_ORDERS, a, BigInt(this.maxOpen)));
      f.push(this.controlFrame(ControlOp.MAX_ORDER_RATE, a, BigInt(this.maxRate)));
    }
    return f;
  }

  /** Hands frames to the engine and to the output; reads the records. */
  private feed(frames: Buffer, end = false): Buffer {
    if (frames.length === 0 && !end) return frames;
    const copy = Buffer.from(frames);
    this.out.push(copy);
    const rec = this.engine.process(copy, end);
    this.recHash.update(rec);
    this.read(rec);
    return rec;
  }

  private directory(chunk: Buffer, at: number): void {
    const name = chunk.toString('latin1', at + 11, at + 19).trimEnd();
    const i = this.cfg.symbols.findIndex((s) => s.symbol === name);
    if (i >= 0) this.locateOf[i] = chunk.readUInt16BE(at + 1);
  }

  private read(rec: Buffer): void {
    for (let off = 0; off + RECORD_SIZE <= rec.length; off += RECORD_SIZE) {
      const kind = rec[off + H.kind];
      const sym = rec[off + H.symbol];
      if (kind === RecordKind.TOB && sym < this.nSym) {
        this.bid[sym] = rec.readUInt32LE(off + TOB.bid_px);
        this.ask[sym] = rec.readUInt32LE(off + TOB.ask_px);
      } else if (kind === RecordKind.FILL) {
        const a = rec[off + FILL.account_index];
        if (a < this.nAcct) this.used[a] += BigInt(rec.readUInt32LE(off + FILL.price)) * BigInt(rec.readUInt32LE(off + FILL.qty));
      } else if (kind === RecordKind.ORDER) {
        const aux = String.fromCharCode(rec[off + H.aux]);
        if (aux === 'C') continue;
        const reasons = rec.readUInt16LE(off + OF.reasons);
        if (reasons === 0) this.s.clientOrders.accepted++;
        else this.s.clientOrders.rejected++;
        for (let b = 0; b < REASON_NAMES.length; b++) if (reasons & (1 << b)) this.s.reasons[REASON_NAMES[b]]++;
      }
    }
  }

  // ------------------------------------------------------------------ client activity

  /** Whether client activity happens before the next message (events due, or a random order). */
  private dueActivity(): boolean {
    const left = this.target - this.ordersWritten;
    const room = Math.max(1, this.plannedMessages - this.lastSeq);
    // a little above the rate that reaches the target (the count is only known afterwards)
    this.tickNow = left > 0 && this.rng.float() < Math.min(1, (1.1 * left) / room / MEAN_ORDERS_PER_TICK);
    return this.tickNow || this.queue.peek() <= this.lastSeq;
  }

  private activity(): void {
    while (this.queue.peek() <= this.lastSeq) this.runEvent(this.queue.pop() as Ev);
    if (this.tickNow) this.clientTick();
  }

  private clientTick(): void {
    const r = this.rng;
    const u = r.float();
    const i = r.int(this.nSym);
    const a = r.int(this.nAcct);
    if (u < 0.004) return this.burst(a);
    if (u < 0.007) return this.pileup(a, i);
    if (u < 0.03) return void this.enter(a, i, r.chance(0.5) ? 'B' : 'S', this.price(i, 'B', 0), this.cfg.symbols[i].maxQty + 100 * r.range(1, 20));
    if (u < 0.05) {
      const px = this.price(i, 'B', 0);
      const q = Math.min(this.cfg.symbols[i].maxQty, Number(this.cfg.symbols[i].maxNotional / BigInt(Math.max(1, px))) + 100);
      return void this.enter(a, i, r.chance(0.5) ? 'B' : 'S', px, Math.max(1, q));
    }
    if (u < 0.07) {
      const ref = this.mid(i);
      const away = Math.ceil((ref * 3 * this.cfg.symbols[i].collarBps) / 10000) + 1;
      return void this.enter(a, i, r.chance(0.5) ? 'B' : 'S', Math.max(1, r.chance(0.5) ? ref + away : ref - away), 100);
    }
    if (u < 0.11) {
      // the same order twice: DUPLICATE when the first was accepted
      const side = r.chance(0.5) ? 'B' : 'S';
      const px = this.price(i, side, r.int(3));
      const q = 100 * r.range(1, 4);
      this.enter(a, i, side, px, q);
      return void this.enter(a, i, side, px, q);
    }
    if (u < 0.17) {
      // short sales at the bid (SHORT_SALE when the symbol is restricted) and exempt ones
      const ssrSyms = [...this.ssr.keys()].filter((k) => this.ssr[k]);
      const j = ssrSyms.length > 0 && r.chance(0.8) ? r.pick(ssrSyms) : i;
      return void this.enter(a, j, r.chance(0.8) ? 'T' : 'E', this.bid[j] > 0 ? this.bid[j] - (r.chance(0.5) ? 0 : this.tick()) : this.price(j, 'S', 0), 100 * r.range(1, 3));
    }
    if (u < 0.2) {
      // reduce-only accounts and symbols: an order that increases the position
      const acc = [...this.reduceAcct.keys()].filter((k) => this.reduceAcct[k]);
      const sym = [...this.reduceSym.keys()].filter((k) => this.reduceSym[k]);
      const b = acc.length > 0 && r.chance(0.5) ? r.pick(acc) : a;
      const j = sym.length > 0 ? r.pick(sym) : i;
      const side = r.chance(0.5) ? 'B' : 'S';
      return void this.enter(b, j, side, this.price(j, side, 1), 100);
    }
    const side = r.chance(0.5) ? 'B' : 'S';
    const marketable = r.chance(0.3);
    this.enter(a, i, side, marketable ? this.price(i, side === 'B' ? 'S' : 'B', 0) : this.price(i, side, r.int(4)), 100 * r.range(1, 5));
  }

  /** More orders from one account at one position than its rate and throttle allow. */
  private burst(a: number): void {
    const n = Math.max(this.maxRate, this.cfg.accounts[a].maxOrdersPerWindow) + 5 + this.rng.int(10);
    for (let k = 0; k < n; k++) {
      const i = this.rng.int(this.nSym);
      const side = this.rng.chance(0.5) ? 'B' : 'S';
      this.enter(a, i, side, this.price(i, side, 2 + this.rng.int(4)), 100, 'rest');
    }
  }

  /** Resting orders on one side of a symbol up to its position limit (POSITION), and past the open-order limit. */
  private pileup(a: number, i: number): void {
    const side = this.rng.chance(0.5) ? 'B' : 'S';
    const px = this.price(i, side, 3);
    const c = this.cfg.symbols[i];
    const q = Math.max(100, Math.min(c.maxQty, Math.floor(Number(c.maxNotional) / Math.max(1, px) / 100) * 100));
    const n = Math.min(this.maxOpen + 4, Math.ceil(c.positionLimit / q) + 3);
    for (let k = 0; k < n; k++) this.enter(a, i, side, px, q, 'rest');
  }

  private tick(): number {
    return Math.round(this.cfg.tick);
  }

  private mid(i: number): number {
    const b = this.bid[i];
    const s = this.ask[i];
    if (b > 0 && s > 0) return Math.round((b + s) / 2 / this.tick()) * this.tick();
    return b > 0 ? b : s > 0 ? s : 100 * 10000;
  }

  /** A price `k` ticks behind the touch of `side` (buy: below the bid; sell: above the ask). */
  private price(i: number, side: string, k: number): number {
    const t = this.tick();
    if (side === 'B') return Math.max(t, (this.bid[i] > 0 ? this.bid[i] : this.mid(i)) - k * t);
    return (this.ask[i] > 0 ? this.ask[i] : this.mid(i)) + k * t;
  }

  /**
   * A client order at the current position; an accepted one gets venue answers later:
   * executions (full or partial) and cancels (`rest`: a cancel after a while).
   */
  private enter(account: number, symbol: number, side: string, price: number, qty: number, plan: 'auto' | 'rest' = 'auto'): void {
    const id = this.openIds.indexOf(0);
    if (id < 0) return;
    const q = Math.min(1_000_000, Math.max(1, Math.floor(qty)));
    const px = Math.max(1, Math.min(0xffff_ffff, Math.round(price)));
    const rec = this.orderFrame('O', id, { account, symbol, side, price: px, qty: q });
    if (rec !== 0) return;
    this.openIds[id] = q;
    this.opens.set(id, { account, symbol, side, price: px, open: q });
    const r = this.rng;
    const later = (lo: number, hi: number) => this.lastSeq + lo + r.int(hi - lo);
    if (plan === 'rest') return this.queue.push(later(60, 400), { k: 'venue', id, event: 'C', qty: 0 });
    const u = r.float();
    if (u < 0.1) this.queue.push(later(2, 60), { k: 'replace', id });
    if (u < 0.45) this.queue.push(later(1, 120), { k: 'venue', id, event: 'E', qty: 0 });
    else if (u < 0.7) this.queue.push(later(1, 120), { k: 'venue', id, event: 'E', qty: Math.max(1, Math.floor(q / (2 + r.int(3)))), then: 'C' });
    else this.queue.push(later(5, 150), { k: 'venue', id, event: 'C', qty: 0 });
  }

  /** Writes an order frame through the engine; returns its reasons (-1: refused as a frame). */
  private orderFrame(action: 'O' | 'U', orderId: number, o: { account: number; symbol: number; side: string; price: number; qty: number }): number {
    this.ordersWritten++;
    if (action === 'O') this.s.clientOrders.enter++;
    else this.s.clientOrders.replace++;
    const f = orderFrame({ action, orderId, ...o, tif: '0', seq: this.lastSeq + 1, fingerprint: this.fingerprint });
    const rec = this.feed(f);
    for (let off = 0; off + RECORD_SIZE <= rec.length; off += RECORD_SIZE) {
      if (rec[off + H.kind] === RecordKind.ORDER && rec.readUInt32LE(off + OF.order_id) === orderId) return rec.readUInt16LE(off + OF.reasons);
    }
    this.s.clientOrders.refused++;
    return -1;
  }

  private venue(event: 'E' | 'C', id: number, qty: number): void {
    const o = this.opens.get(id);
    if (!o || o.open === 0) return;
    const q = qty <= 0 ? o.open : Math.min(qty, o.open);
    const rec = this.feed(venueFrame({ event, orderId: id, qty: q, price: event === 'E' ? o.price : 0, seq: this.lastSeq + 1, fingerprint: this.fingerprint }));
    if (rec.length < RECORD_SIZE || rec[H.kind] === RecordKind.PROBLEM) {
      this.s.venue.refused++;
      return;
    }
    if (event === 'E') this.s.venue.executions++;
    else this.s.venue.cancels++;
    o.open -= q;
    this.openIds[id] = o.open;
    if (o.open === 0) this.opens.delete(id);
  }

  private runEvent(e: Ev): void {
    switch (e.k) {
      case 'venue':
        this.venue(e.event, e.id, e.qty);
        if (e.then && this.opens.has(e.id)) this.queue.push(this.lastSeq + 1 + this.rng.int(80), { k: 'venue', id: e.id, event: e.then, qty: 0 });
        return;
      case 'replace': {
        const o = this.opens.get(e.id);
        if (!o) return;
        const px = this.price(o.symbol, o.side === 'B' ? 'B' : 'S', this.rng.int(3));
        const q = 100 * this.rng.range(1, 5);
        if (this.orderFrame('U', e.id, { account: o.account, symbol: o.symbol, side: o.side, price: px, qty: q }) === 0) {
          o.price = px;
          o.open = q;
          this.openIds[e.id] = q;
        }
        return;
      }
      case 'control':
        if (e.op === ControlOp.ACCOUNT_REDUCE_ONLY) this.reduceAcct[e.target] = Number(e.value);
        if (e.op === ControlOp.SYMBOL_REDUCE_ONLY) this.reduceSym[e.target] = Number(e.value);
        this.feed(this.controlFrame(e.op, e.target, e.value));
        return;
      case 'creditCut': {
        // tight: below the used credit (every order CREDIT and EXPOSURE); else room for a
        // few resting orders, then EXPOSURE alone
        const u = this.used[e.account];
        this.cutAcct[e.account] = 1;
        this.feed(this.controlFrame(ControlOp.CREDIT_LIMIT, e.account, e.tight ? u / 2n : u + CUT_HEADROOM));
        return;
      }
      case 'creditRestore':
        this.cutAcct[e.account] = 0;
        this.raise(e.account, true);
        return;
      case 'creditRaise':
        for (let a = 0; a < this.nAcct; a++) if (!this.cutAcct[a]) this.raise(a);
        this.queue.push(this.lastSeq + Math.max(50, Math.floor(this.plannedMessages / 400)), e);
        return;
      case 'regsho': {
        const y = itch.raw('Y', 20, { locate: this.locateOf[e.symbol], ts: this.lastTs });
        y.write(this.cfg.symbols[e.symbol].symbol.padEnd(8, ' '), 11, 8, 'latin1');
        y.write(e.action, 19, 1, 'latin1');
        this.ssr[e.symbol] = e.action === '0' ? 0 : 1;
        this.s.regSho++;
        this.feed(frame(y));
        this.lastSeq++;
        return;
      }
    }
  }

  // ------------------------------------------------------------------ operator episodes

  private scheduleEpisodes(): void {
    const m = this.plannedMessages;
    const r = this.rng;
    const q = this.queue;
    const at = (f: number) => Math.max(2, Math.floor(f * m));
    const span = (f: number) => Math.max(20, Math.floor(f * m));
    const ctl = (t: number, op: number, target: number, value: bigint) => q.push(t, { k: 'control', op, target, value });
    for (let k = 0; k < 8; k++) {
      const t = at(0.15 + 0.1 * k + 0.03 * r.float());
      ctl(t, ControlOp.GLOBAL_KILL, 0xffff, 1n);
      ctl(t + span(0.0015), ControlOp.GLOBAL_KILL, 0xffff, 0n);
      const s = r.int(this.nSym);
      ctl(t + span(0.03), ControlOp.SYMBOL_KILL, s, 1n);
      ctl(t + span(0.03) + span(0.006), ControlOp.SYMBOL_KILL, s, 0n);
      // the account kill (op 15): every order of the account refused with KILL for a while
      const killed = r.int(this.nAcct);
      ctl(t + span(0.04), ControlOp.ACCOUNT_KILL, killed, 1n);
      ctl(t + span(0.04) + span(0.01), ControlOp.ACCOUNT_KILL, killed, 0n);
      // the daily loss limit (op 16) cut to one notional unit: the account's next order or
      // execution with a P&L below it engages its kill; then off, and the kill released
      const losing = k % this.nAcct;
      ctl(t + span(0.06), ControlOp.MAX_DAILY_LOSS, losing, 1n);
      ctl(t + span(0.06) + span(0.015), ControlOp.MAX_DAILY_LOSS, losing, 0n);
      ctl(t + span(0.06) + span(0.015), ControlOp.ACCOUNT_KILL, losing, 0n);
      const a = r.int(this.nAcct);
      ctl(t + span(0.05), ControlOp.ACCOUNT_REDUCE_ONLY, a, 1n);
      ctl(t + span(0.05) + span(0.004), ControlOp.ACCOUNT_REDUCE_ONLY, a, 0n);
      const s2 = r.int(this.nSym);
      ctl(t + span(0.07), ControlOp.SYMBOL_REDUCE_ONLY, s2, 1n);
      ctl(t + span(0.07) + span(0.008), ControlOp.SYMBOL_REDUCE_ONLY, s2, 0n);
      const s3 = (s2 + 1 + r.int(this.nSym - 1)) % this.nSym;
      // Reg SHO: a restriction ('1'), in force again the next day ('2'), lifted ('0')
      q.push(t + span(0.02), { k: 'regsho', symbol: s3, action: '1' });
      q.push(t + span(0.035), { k: 'regsho', symbol: s3, action: '2' });
      q.push(t + span(0.02) + span(0.035), { k: 'regsho', symbol: s3, action: '0' });
    }
    q.push(at(0.001), { k: 'creditRaise' });
    // credit cuts: an account's limit set just above (or below) its used credit for a while
    for (let k = 0; k < 10; k++) {
      const t = at(0.14 + 0.085 * k + 0.02 * r.float());
      const a = r.int(this.nAcct);
      q.push(t, { k: 'creditCut', account: a, tight: k % 2 === 0 });
      q.push(t + span(0.004), { k: 'creditRestore', account: a });
    }
  }

  /**
   * The desk keeps credit ahead of the fills (the strategy's and the venue's): the limit
   * goes up to the used credit plus RAISE_HEADROOM when it has fallen below that.
   */
  private raise(a: number, force = false): void {
    const want = this.used[a] + RAISE_HEADROOM;
    if (this.limit[a] >= want && !force) return;
    this.limit[a] = this.limit[a] > want ? this.limit[a] : want;
    this.feed(this.controlFrame(ControlOp.CREDIT_LIMIT, a, this.limit[a]));
  }

  private controlFrame(op: number, target: number, value: bigint): Buffer {
    const name = Object.entries(ControlOp).find(([, v]) => v === op)?.[0] ?? `op${op}`;
    this.s.controlsByOp[name] = (this.s.controlsByOp[name] ?? 0) + 1;
    return frame(itch.control(op, target, this.lastSeq + 1, value, this.fingerprint));
  }

  /** Every open order canceled by the venue, then the end marker. */
  private finish(): void {
    for (const id of [...this.opens.keys()].sort((x, y) => x - y)) this.venue('C', id, 0);
    this.out.push(Buffer.from([0, 0]));
    const rec = this.engine.process(Buffer.alloc(0), true);
    this.recHash.update(rec);
    this.read(rec);
    this.done = true;
  }
}

/** Mean client orders one client tick writes (bursts and pile-ups write many). */
const MEAN_ORDERS_PER_TICK = 1.35;
/** Credit left above the used credit in a loose credit cut, notional units ($100,000). */
const CUT_HEADROOM = 100_000n * 10_000n;
/** Credit the desk keeps above the used credit, notional units ($5,000,000). */
const RAISE_HEADROOM = 5_000_000n * 10_000n;
