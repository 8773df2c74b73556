/**
 * Order entry on the live feed (`riskgate run --order-entry`, docs/spec.md §14.10): the OUCH
 * gateway of src/ouch/ and the order router of src/order-entry/, driven by the Kafka run
 * instead of a replayed file.
 *
 * What happens to a client's order: the gateway hands it here (an asynchronous decider); it
 * waits in a queue until the run reaches its next **apply point** — before the next feed
 * packet, or at once when the feed is idle — where it becomes an order frame at the engine's
 * current position (S = the next seq) and the engine checks it. The event (the client's order,
 * the venue's answer, a client cancel without a venue) is journalled with the feed offset it
 * preceded, in the transaction that carries the records it produced; only once that
 * transaction is committed does the client get its answer and the venue the order. So nothing
 * reaches a client or the venue that a restart would not rebuild, and a restart replays the
 * journalled events through the same router at the same places (the network muted) to the
 * same engine state, the same open orders and the same venue order numbers.
 *
 * Venue: each accepted order is given its venue UserRefNum when it is checked (journalled with
 * it), and forwarded with exactly that number after the commit. A restart logs in to the venue
 * asking for its answers from one past the last journalled one (SoupBinTCP replay), so every
 * venue execution enters the engine exactly once; orders journalled with a number the venue
 * has not reached yet (Account Query) never got there and are forwarded again.
 */
import { OuchClient, type Answer } from '../client/index.ts';
import type { Config } from '../config/index.ts';
import type { Engine } from '../engine/types.ts';
import { RiskgateError } from '../errors.ts';
import type { Logger } from '../log/index.ts';
import { RecordKind } from '../records/layout.ts';
import { gatewayOptions } from '../ouch/from-config.ts';
import { Gateway, type Decision, type OrderListener, type OrderToCheck, type OrderView } from '../ouch/gateway.ts';
import type { Side } from '../ouch/codec.ts';
import { OrderEntryEngine, type AppliedControl } from '../order-entry/engine-session.ts';
import { killOf, OrderRouter, type KillScope, type VenueLink } from '../order-entry/router.ts';
import { RecordView } from '../records/view.ts';

/** A client order as journalled (prices as decimal strings: JSON has no u64). */
export interface JournalledOrder {
  session: string;
  account: number;
  kind: 'ENTER_ORDER' | 'REPLACE_ORDER';
  userRefNum: number;
  origUserRefNum?: number;
  side: string;
  symbol: string;
  price: string;
  quantity: number;
  timeInForce: string;
  clOrdId: string;
}

/** A venue answer as journalled. */
export interface JournalledAnswer {
  seq: string;
  kind: string;
  userRefNum: number;
  quantity?: number;
  price?: string;
  reason?: string;
}

export type OrderEntryEvent =
  | { kind: 'order'; order: JournalledOrder; accepted: boolean; reasons: number; venueRef?: number }
  | { kind: 'reduce'; session: string; userRefNum: number; open: number }
  | { kind: 'venue'; answer: JournalledAnswer };

/** Journal record of one order-entry event (spec §14.10). */
export interface JournalOrderEntry {
  type: 'oe';
  /** Feed offset of the packet the event preceded (the next packet to process then). */
  feedOffset: string;
  /** The effective seq S of the frames (the engine's next seq). */
  seq: number;
  /** The frames the event handed to the engine, §2 framing, hex ('' when none). */
  frames: string;
  event: OrderEntryEvent;
  at: number;
}

export interface LiveOrderEntryOptions {
  config: Config;
  fingerprint: bigint;
  /** One engine call through the run's engine (publishing what it produces once live). */
  call: (frames: Buffer, offset: number) => Buffer;
  /** A journal record into the open transaction. */
  journal: (r: JournalOrderEntry) => void;
  /** Asks the run for an apply point soon (the feed may be idle). */
  wake: () => void;
  /** Stops the run (the venue connection is gone: nothing can be forwarded any more). */
  fail: (e: Error) => void;
  port?: number;
  venue?: { host: string; port: number; username: string; password: string } | null;
  /** Login Accepted's session name: new for every incarnation (a restart starts new client streams). */
  sessionName: string;
  log: Logger;
  emit: (event: string, data?: Record<string, unknown>) => void;
}

type Pending =
  | { kind: 'order'; order: OrderToCheck; resolve: (d: Decision) => void }
  | { kind: 'reduce'; session: string; userRefNum: number; open: number }
  | { kind: 'venue'; answer: Answer };

interface OpenOrder {
  view: OrderView & { clOrdId: string };
  /** The venue UserRefNum of its current terms, and of the terms before its last replace. */
  venueRef?: number;
  prevVenueRef?: number;
}

/**
 * Most order-entry events (client orders, venue answers, client reductions) applied in one
 * transaction (group commit, spec §14.10): what arrived beyond it waits for the next one. It
 * bounds a transaction's journal records and the answers one commit releases at once.
 */
export const MAX_TX_ORDER_ENTRY_EVENTS = 1000;

/** Venue logins tried, 500 ms apart, before the run gives up (exit 8). */
const VENUE_LOGIN_ATTEMPTS = 20;

function journalledOrder(o: OrderToCheck): JournalledOrder {
  return {
    session: o.session, account: o.account, kind: o.kind, userRefNum: o.userRefNum, ...(o.origUserRefNum !== undefined ? { origUserRefNum: o.origUserRefNum } : {}),
    side: o.side, symbol: o.symbol, price: o.price.toString(), quantity: o.quantity, timeInForce: o.timeInForce, clOrdId: o.clOrdId,
  };
}

function orderOf(j: JournalledOrder): OrderToCheck {
  return { ...j, side: j.side as Side, price: BigInt(j.price), options: [] };
}

function journalledAnswer(a: Answer): JournalledAnswer {
  const v = a.values;
  return {
    seq: a.seq.toString(), kind: a.kind, userRefNum: Number(v.userRefNum),
    ...(v.quantity !== undefined ? { quantity: Number(v.quantity) } : {}),
    ...(v.price !== undefined ? { price: String(v.price) } : {}),
    ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
  };
}

function answerOf(j: JournalledAnswer): Answer {
  const values: Answer['values'] = { userRefNum: BigInt(j.userRefNum) };
  if (j.quantity !== undefined) values.quantity = BigInt(j.quantity);
  if (j.price !== undefined) values.price = BigInt(j.price);
  if (j.reason !== undefined) values.reason = j.reason;
  return { seq: BigInt(j.seq), kind: j.kind as Answer['kind'], values };
}

export class LiveOrderEntry {
  readonly oe: OrderEntryEngine;
  readonly router: OrderRouter;
  gateway: Gateway | null = null;
  private venueClient: OuchClient | null = null;
  private venueHandler: ((a: Answer) => void) | null = null;
  /** Client orders and venue answers waiting for the next apply point. */
  private queue: Pending[] = [];
  /** What to tell clients and the venue once the open transaction is committed, in order. */
  private afterCommit: (() => void)[] = [];
  /** Events applied into the open transaction (bounded by MAX_TX_ORDER_ENTRY_EVENTS), by kind. */
  private txEvents = { events: 0, orders: 0, venue: 0, reduce: 0 };
  /** Transactions that carried order-entry events, and the largest batch (report). */
  readonly batches = { transactions: 0, events: 0, maxEvents: 0, maxOrders: 0 };
  /** Kills the engine engaged, mass-canceled before the next engine call (deterministic: not journalled). */
  private kills: KillScope[] = [];
  private cancelingKills = false;
  /** Publishing and talking to clients and the venue (false while a restart rebuilds). */
  private live = false;
  /** The session's input has ended: no order can be checked any more. */
  private closedWhy: string | null = null;
  private offset = 0;
  private handed: Buffer[] = [];
  private forcedRef: number | null = null;
  private nextVenueRef = 1;
  /** The last venue answer journalled (a restart asks the venue for what follows). */
  private lastVenueSeq = 0n;
  /** Client view and venue numbers of every engine order id the router holds. */
  private readonly orders = new Map<number, OpenOrder>();
  private readonly lastUserRef = new Map<string, number>();
  readonly counts = { events: 0, replayed: 0, venueAnswersReplayed: 0, reforwarded: 0 };
  private started = false;
  private shuttingDown = false;

  constructor(private readonly o: LiveOrderEntryOptions) {
    const cfg = o.config;
    if (!cfg.orderEntry) throw new RiskgateError('CONFIG_INVALID', `config ${cfg.source} has no orderEntry section (docs/config.md)`);
    const engine = {
      backend: 'rust',
      process: (frames: Buffer) => {
        this.handed.push(Buffer.from(frames));
        // Copied: the run's engine reuses its record buffer from one call to the next.
        return Buffer.from(o.call(frames, this.offset));
      },
      stats: () => { throw new Error('not used'); },
      reset: () => {},
      close: () => {},
    } as unknown as Engine;
    this.oe = new OrderEntryEngine(engine, o.fingerprint, cfg.accounts.length, { ...cfg.orderEntry!, maxDailyLoss: cfg.accounts.map((a) => a.maxDailyLoss) });
    const link: VenueLink | null = o.venue ? this.venueLink() : null;
    this.router = new OrderRouter(this.oe, cfg.symbols.map((s) => s.symbol), link);
    // Kills come from every engine call of the run (feed, operator, order entry): see onControl.
    this.oe.onControl = null;
    this.router.attach({
      execute: (...a: Parameters<Gateway['execute']>) => {
        if (this.live) this.afterCommit.push(() => this.gateway?.execute(...a));
        return true;
      },
      cancel: (...a: Parameters<Gateway['cancel']>) => {
        if (this.live) this.afterCommit.push(() => this.gateway?.cancel(...a));
        return true;
      },
    });
  }

  /**
   * The venue as the router sees it. The router's own state changes at once (at the apply
   * point, live and in a rebuild alike, so both make the same decisions later, e.g. a mass
   * cancel); what goes out to the venue waits, in order, for the commit of everything before
   * it — an Enter never overtakes its commit, and a Cancel never overtakes its Enter. Silent
   * while rebuilding.
   */
  private venueLink(): VenueLink {
    const ref = () => {
      if (this.forcedRef === null) throw new Error('order entry: a venue forward without its journalled UserRefNum');
      return this.forcedRef;
    };
    const later = (f: () => void) => {
      if (!this.live) return;
      this.afterCommit.push(f);
      this.o.wake();
    };
    return {
      onAnswer: (fn) => {
        this.venueHandler = fn;
      },
      // The order is copied now: the router reuses the object it passes (VenueLink).
      enter: (o) => {
        const r = ref();
        const order = { ...o, userRefNum: r };
        later(() => this.venueClient!.enter(order));
        return r;
      },
      replace: (orig, o) => {
        const r = ref();
        const order = { ...o, userRefNum: r };
        later(() => this.venueClient!.replace(orig, order));
        return r;
      },
      cancel: (r, leave) => later(() => this.venueClient!.cancel(r, leave)),
    };
  }

  /** Journal records of an earlier incarnation, before the rebuild: where the venue's numbering and answers stand. */
  prepare(records: readonly JournalOrderEntry[]): void {
    for (const r of records) {
      const e = r.event;
      if (e.kind === 'order' && e.venueRef !== undefined) this.nextVenueRef = Math.max(this.nextVenueRef, e.venueRef + 1);
      if (e.kind === 'venue') this.lastVenueSeq = BigInt(e.answer.seq) > this.lastVenueSeq ? BigInt(e.answer.seq) : this.lastVenueSeq;
    }
  }

  /**
   * Logs in to the venue (before the rebuild: its answers since the last journalled one queue up
   * meanwhile) and continues its UserRefNums.
   */
  async connectVenue(resumed: boolean): Promise<void> {
    const v = this.o.venue;
    if (!v) return;
    let client: OuchClient | null = null;
    // Registered before the login: the answers a resume asks to replay may arrive in the read
    // that carries Login Accepted, before connect() returns (they would be lost otherwise).
    const onVenueAnswer = (a: Answer) => {
      if (a.kind === 'ACCOUNT_QUERY_RESPONSE') return;
      this.queue.push({ kind: 'venue', answer: a });
      this.o.wake();
    };
    // A run killed a moment ago may still hold the venue session until the venue sees its
    // connection close (the venue refuses a second login): retried for a few seconds.
    for (let attempt = 1; !client; attempt++) {
      try {
        client = await OuchClient.connect({ ...v, keepAnswers: false, onAnswer: onVenueAnswer, requestedSequenceNumber: resumed ? this.lastVenueSeq + 1n : 0n });
      } catch (e) {
        if (attempt >= VENUE_LOGIN_ATTEMPTS) throw new RiskgateError('SERVICE_UNAVAILABLE', `cannot log in to the venue at ${v.host}:${v.port}: ${(e as Error).message}`);
        this.o.emit('venue-retry', { attempt, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.venueClient = client;
    // Fail closed: without its venue the run could neither forward what it accepts nor hear of
    // executions. The run stops (exit 8); a restart logs in again and asks for what it missed.
    void client.closed().then((reason) => {
      if (!this.shuttingDown) this.o.fail(new RiskgateError('SERVICE_UNAVAILABLE', `the venue at ${v.host}:${v.port} closed the session (${reason}): the run stops; restart it to log in again and resume`));
    });
    let venueNext: number;
    try {
      venueNext = await client.continueNumbering();
    } catch (e) {
      throw new RiskgateError('SERVICE_UNAVAILABLE', `the venue at ${v.host}:${v.port} gave no next UserRefNum: ${(e as Error).message}`);
    }
    this.venueNext = venueNext;
    this.o.emit('venue', { host: v.host, port: v.port, next: venueNext, journalledNext: this.nextVenueRef, replayFrom: resumed ? (this.lastVenueSeq + 1n).toString() : 'new' });
  }

  private venueNext = 1;

  /** The limits of every account at S = 1, before the session's first message (spec §18.6). */
  startOfDay(offset: number): void {
    if (this.started) return;
    this.started = true;
    this.offset = offset;
    this.oe.start();
  }

  /** A CONTROL record of any engine call: a kill is mass-canceled before the next engine call. */
  onControl(c: AppliedControl): void {
    const k = killOf(c);
    if (!k) return;
    this.kills.push(k);
    // On an idle feed the next engine call may be far off: an apply point cancels at once.
    if (this.live) this.o.wake();
  }

  /**
   * Before every engine call of the run: the kills engaged by the call before are mass-canceled
   * first (spec §18.6), at the engine's next seq. The rebuild makes the same calls, so it
   * cancels the same orders at the same places.
   */
  beforeCall(offset: number, nextSeq: number): void {
    if (this.kills.length === 0 || this.cancelingKills) return;
    this.cancelingKills = true;
    try {
      while (this.kills.length > 0) {
        const k = this.kills.shift()!;
        this.offset = offset;
        this.oe.setPosition(nextSeq - 1);
        const n = this.router.massCancel(k);
        if (this.live) this.o.emit('mass-cancel', { scope: k.scope, orders: n, seq: nextSeq });
      }
    } finally {
      this.cancelingKills = false;
    }
  }

  /** The gateway's decider: the order waits for the next apply point, its answer for the commit. */
  readonly decide = (order: OrderToCheck): Decision | Promise<Decision> => {
    if (this.closedWhy) return { accept: false, failed: this.closedWhy };
    return new Promise<Decision>((resolve) => {
      this.queue.push({ kind: 'order', order, resolve });
      this.o.wake();
    });
  };

  /**
   * The gateway's order listener. Accepted orders and replaces were handed to the router at
   * their apply point already (see forward); client cancels and modifies go to the venue
   * through the router, or, without a venue, free the engine's exposure at the next apply point.
   */
  readonly listener: OrderListener = {
    reduced: (session, userRefNum, open) => {
      if (this.o.venue) return this.router.listener.reduced!(session, userRefNum, open);
      this.queue.push({ kind: 'reduce', session, userRefNum, open });
      this.o.wake();
      return false;
    },
  };

  /** An accepted order or replace into the router's state, with its venue UserRefNum (the send waits for the commit). */
  private forward(o: OrderToCheck, venueRef: number | undefined): void {
    const view = { session: o.session, userRefNum: o.userRefNum, side: o.side, symbol: o.symbol, price: o.price, quantity: o.quantity, timeInForce: o.timeInForce };
    this.forcedRef = venueRef ?? null;
    try {
      if (o.kind === 'ENTER_ORDER') this.router.listener.accepted!(view);
      else this.router.listener.replaced!(o.origUserRefNum!, view);
    } finally {
      this.forcedRef = null;
    }
  }

  /** The open transaction holds as many events as one may: the rest wait for the next. */
  get full(): boolean {
    return this.txEvents.events >= MAX_TX_ORDER_ENTRY_EVENTS;
  }

  /** Orders, venue answers or a kill's mass cancel are waiting for an apply point. */
  get waiting(): boolean {
    return this.queue.length > 0 || this.kills.length > 0;
  }

  /** Events applied whose answers wait for the commit. */
  get uncommitted(): boolean {
    return this.afterCommit.length > 0;
  }

  /** Hands the queued events to the engine before the packet at `offset`, `nextSeq` being the engine's next seq. */
  apply(offset: number, nextSeq: number): void {
    if (!this.live || !this.waiting) return;
    // Group commit: everything that arrived since the last apply point, up to the bound.
    const room = Math.max(0, MAX_TX_ORDER_ENTRY_EVENTS - this.txEvents.events);
    const q = this.queue.length <= room ? this.queue : this.queue.slice(0, room);
    this.queue = q === this.queue ? [] : this.queue.slice(room);
    this.startOfDay(offset);
    this.beforeCall(offset, nextSeq);
    for (const p of q) {
      this.beforeCall(offset, nextSeq);
      this.offset = offset;
      this.oe.setPosition(nextSeq - 1);
      this.handed = [];
      let event: OrderEntryEvent | null = null;
      if (p.kind === 'order') {
        let d: Decision;
        try {
          d = this.router.decide(p.order) as Decision;
        } catch (e) {
          d = { accept: false, failed: (e as Error).message };
        }
        const accepted = d.accept === true;
        let venueRef: number | undefined;
        if (accepted) {
          venueRef = this.o.venue ? this.nextVenueRef++ : undefined;
          this.track(p.order, venueRef);
          this.forward(p.order, venueRef);
        }
        this.noteUserRef(p.order.session, p.order.userRefNum);
        event = { kind: 'order', order: journalledOrder(p.order), accepted, reasons: 'reasons' in d ? d.reasons : accepted ? 0 : -1, ...(venueRef !== undefined ? { venueRef } : {}) };
        const resolve = p.resolve;
        this.afterCommit.push(() => resolve(d));
      } else if (p.kind === 'reduce') {
        this.router.listener.reduced!(p.session, p.userRefNum, p.open);
        event = { kind: 'reduce', session: p.session, userRefNum: p.userRefNum, open: p.open };
      } else {
        const a = p.answer;
        if (a.seq <= this.lastVenueSeq) continue; // journalled before a restart: applied once
        this.venueHandler?.(a);
        this.lastVenueSeq = a.seq;
        event = { kind: 'venue', answer: journalledAnswer(a) };
      }
      this.counts.events++;
      this.txEvents.events++;
      if (event.kind === 'order') this.txEvents.orders++;
      else if (event.kind === 'venue') this.txEvents.venue++;
      else this.txEvents.reduce++;
      this.o.journal({ type: 'oe', feedOffset: String(offset), seq: nextSeq, frames: Buffer.concat(this.handed).toString('hex'), event, at: Date.now() });
    }
    this.forget();
  }

  /** Rebuild: one journalled event at the place it had, through the same router (network muted). */
  replay(r: JournalOrderEntry, offset: number, nextSeq: number): void {
    this.startOfDay(offset);
    this.beforeCall(offset, nextSeq);
    const seq = nextSeq;
    if (r.seq !== seq) throw new RiskgateError('FAIL_CLOSED', `journal: order-entry event for seq ${r.seq} at feed offset ${r.feedOffset}, but the engine's next seq there is ${seq}`);
    this.offset = offset;
    this.oe.setPosition(seq - 1);
    this.handed = [];
    const e = r.event;
    if (e.kind === 'order') {
      const order = orderOf(e.order);
      let d: Decision;
      try {
        d = this.router.decide(order) as Decision;
      } catch (err) {
        d = { accept: false, failed: (err as Error).message };
      }
      if ((d.accept === true) !== e.accepted) throw new RiskgateError('FAIL_CLOSED', `journal: the rebuilt engine ${d.accept ? 'accepts' : 'rejects'} the order the run ${e.accepted ? 'accepted' : 'rejected'} (session ${e.order.session}, UserRefNum ${e.order.userRefNum})`);
      this.noteUserRef(order.session, order.userRefNum);
      if (d.accept) {
        this.track(order, e.venueRef);
        this.forward(order, e.venueRef);
      }
    } else if (e.kind === 'reduce') {
      this.router.listener.reduced!(e.session, e.userRefNum, e.open);
    } else {
      this.venueHandler?.(answerOf(e.answer));
      this.counts.venueAnswersReplayed++;
    }
    const frames = Buffer.concat(this.handed).toString('hex');
    if (frames !== r.frames) throw new RiskgateError('FAIL_CLOSED', `journal: the rebuild handed other frames than the run for the order-entry event at feed offset ${r.feedOffset} (seq ${r.seq})`);
    this.counts.replayed++;
    this.forget();
  }

  /** An accepted order's client view and venue numbers (a replace keeps the engine id, new terms). */
  private track(o: OrderToCheck, venueRef: number | undefined): void {
    const view = { session: o.session, userRefNum: o.userRefNum, side: o.side, symbol: o.symbol, price: o.price, quantity: o.quantity, timeInForce: o.timeInForce, clOrdId: o.clOrdId };
    if (o.kind === 'ENTER_ORDER') {
      // The router just gave it the lowest free engine id: find it by its client key after decide.
      const id = this.idOf(o.session, o.userRefNum);
      if (id !== undefined) this.orders.set(id, { view, venueRef });
      return;
    }
    const id = this.idOf(o.session, o.userRefNum);
    if (id === undefined) return;
    const prev = this.orders.get(id);
    this.orders.set(id, { view, venueRef, prevVenueRef: prev?.venueRef });
  }

  private idOf(session: string, userRefNum: number): number | undefined {
    return this.router.orderIdOf(session, userRefNum);
  }

  private noteUserRef(session: string, userRefNum: number): void {
    if (userRefNum > (this.lastUserRef.get(session) ?? 0)) this.lastUserRef.set(session, userRefNum);
  }

  /** Drops the orders the engine has closed. */
  private forget(): void {
    for (const id of this.orders.keys()) if (this.oe.openShares(id) === 0) this.orders.delete(id);
  }

  /** Everything applied so far is in the transaction being committed: what to do once it is. */
  takeAfterCommit(): (() => void)[] {
    const a = this.afterCommit;
    this.afterCommit = [];
    return a;
  }

  /** The events applied into the transaction about to be committed (and counts it): for the `order-entry-batch` event. */
  takeBatch(): { events: number; orders: number; venue: number; reduce: number } {
    const b = this.txEvents;
    this.txEvents = { events: 0, orders: 0, venue: 0, reduce: 0 };
    if (b.events > 0) {
      this.batches.transactions++;
      this.batches.events += b.events;
      this.batches.maxEvents = Math.max(this.batches.maxEvents, b.events);
      this.batches.maxOrders = Math.max(this.batches.maxOrders, b.orders);
    }
    return b;
  }

  /**
   * The run is live: forward again what never reached the venue, start the gateway with the
   * recovered sessions (their last UserRefNums and open orders), and take orders.
   */
  async goLive(): Promise<void> {
    this.live = true;
    if (this.venueClient) {
      const again = [...this.orders.entries()].filter(([, o]) => o.venueRef !== undefined && o.venueRef >= this.venueNext).sort((a, b) => a[1].venueRef! - b[1].venueRef!);
      for (const [id, o] of again) {
        const shares = this.oe.openShares(id);
        const v = o.view;
        if (o.prevVenueRef !== undefined && o.prevVenueRef < this.venueNext) this.venueClient.replace(o.prevVenueRef, { quantity: shares, price: v.price, timeInForce: v.timeInForce, userRefNum: o.venueRef });
        else this.venueClient.enter({ side: v.side, quantity: shares, symbol: v.symbol, price: v.price, timeInForce: v.timeInForce, userRefNum: o.venueRef });
        this.counts.reforwarded++;
      }
      this.nextVenueRef = Math.max(this.nextVenueRef, this.venueNext);
    }
    const gw = new Gateway({
      ...gatewayOptions(this.o.config, this.decide), ...(this.o.port !== undefined ? { port: this.o.port } : {}),
      sessionName: this.o.sessionName, orders: this.listener, log: this.o.log,
      // A session's Enter Orders go to the next apply point together, not one per transaction.
      pipelineEnters: true,
    });
    this.gateway = gw;
    try {
      await gw.start();
    } catch (e) {
      throw new RiskgateError('SERVICE_UNAVAILABLE', `order entry cannot listen on port ${this.o.port ?? this.o.config.orderEntry!.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const bySession = new Map<string, (OrderView & { clOrdId: string })[]>();
    for (const [id, o] of this.orders) {
      const open = this.oe.openShares(id);
      if (open === 0) continue;
      const list = bySession.get(o.view.session) ?? [];
      list.push({ ...o.view, quantity: open });
      bySession.set(o.view.session, list);
    }
    for (const s of this.o.config.orderEntry!.sessions) gw.restore(s.username, this.lastUserRef.get(s.username) ?? 0, bySession.get(s.username) ?? []);
    const addr = gw.address();
    this.o.emit('order-entry', { host: addr.address, port: addr.port, session: this.o.sessionName, recoveredOpenOrders: [...bySession.values()].reduce((n, l) => n + l.length, 0), reforwarded: this.counts.reforwarded });
    if (this.queue.length > 0) this.o.wake();
  }

  /** Where the gateway listens (after goLive). */
  address(): { host: string; port: number } | null {
    const a = this.gateway?.address();
    return a ? { host: a.address, port: a.port } : null;
  }

  /** The session's input ended (end of session, stop): orders are refused from now on. */
  close(why: string): void {
    this.closedWhy = why;
    for (const p of this.queue.splice(0)) if (p.kind === 'order') p.resolve({ accept: false, failed: why });
  }

  /** Ends the gateway's day and the venue login; orders still waiting are refused. */
  async shutdown(why: string): Promise<void> {
    this.shuttingDown = true;
    this.close(why);
    await this.gateway?.close();
    await this.venueClient?.logout().catch(() => {});
    this.venueClient?.destroy();
  }

  /** For the report. */
  summary(): Record<string, unknown> {
    const t = this.gateway?.stats().totals;
    return {
      sessionName: this.o.sessionName,
      events: this.counts.events,
      rebuiltEvents: this.counts.replayed,
      reforwarded: this.counts.reforwarded,
      openOrders: [...this.orders.keys()].filter((id) => this.oe.openShares(id) > 0).length,
      unmatchedVenueAnswers: this.router.unmatched,
      massCanceled: this.router.massCanceled,
      lastVenueSeq: this.lastVenueSeq.toString(),
      batches: this.batches,
      ouch: t ?? null,
    };
  }
}

/** CONTROL records of an engine call, for `onControl`. */
export function controlsOf(records: Buffer, each: (c: AppliedControl) => void): void {
  for (const r = new RecordView(records); r.next(); ) {
    if (r.kind === RecordKind.CONTROL) each({ op: r.op, target: r.target, value: r.value, seq: r.seq });
  }
}
