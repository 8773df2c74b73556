/**
 * The gateway's engine hookup (spec §18.6): `decide` turns each client order into an order
 * frame at the current position of the session and answers with the engine's verdict; the
 * orders it accepts are forwarded to the venue (an OUCH client of `riskgate venue-sim`), and
 * the venue's Executed and Canceled go into the engine as venue frames and back to the client.
 */
import { ControlOp, ORDER_FRAME, Reason, REASONS } from '../contract.ts';
import { CANCELED_CODE, CANCELED_QTY, CANCELED_REASON, CANCELED_REF, CANCELED_SIZE } from '../ouch/canceled-layout.ts';
import { GLOBAL_TARGET } from '../itch/layout.ts';
import type { Answer, OuchClient } from '../client/index.ts';
import type { BatchDecider, Decider, Decision, Gateway, OrderListener, OrderToCheck, OrderView } from '../ouch/gateway.ts';
import type { AppliedControl, ClientOrder, OrderAnswer, OrderEntryEngine, VenueAnswer } from './engine-session.ts';

/**
 * A venue answer of the read under way: into the engine with the read's others (it is the
 * engine's VenueAnswer itself: no second object per answer), then to its client.
 */
interface PendingVenueAnswer extends VenueAnswer {
  kind: 'ORDER_EXECUTED' | 'ORDER_CANCELED' | 'ORDER_REJECTED';
  venueRef: number;
  client: ClientRef;
  /** Execution price (price units), as the client's Order Executed carries it. */
  execPrice: bigint;
  reason: unknown;
}

/** A client's order: its session and UserRefNum. */
interface ClientRef {
  session: string;
  userRefNum: number;
}

export interface SessionOrderStats {
  checked: number;
  accepted: number;
  rejected: number;
  /** Rejections per reason bit (contract [[reasons]] order). */
  reasonBits: number[];
}

/** What a mass cancel selects: every open order, or those of one account or one symbol. */
export type KillScope = { scope: 'global' } | { scope: 'account'; account: number } | { scope: 'symbol'; symbol: number };

/** The kill a CONTROL record engages (spec §18.6), or null: GLOBAL_KILL 1, SYMBOL_KILL 1, ACCOUNT_KILL 1 (an operator's) or 2 (the daily loss limit's, §18.8). */
export function killOf(c: AppliedControl): KillScope | null {
  if (c.op === ControlOp.GLOBAL_KILL && c.value === 1n) return { scope: 'global' };
  if (c.op === ControlOp.SYMBOL_KILL && c.value === 1n) return { scope: 'symbol', symbol: c.target };
  if (c.op === ControlOp.ACCOUNT_KILL && c.value !== 0n && c.target !== GLOBAL_TARGET) return { scope: 'account', account: c.target };
  return null;
}

/**
 * What the router uses of the venue connection (an OuchClient, or the Kafka run's journalled
 * link, src/kafka/order-entry-live.ts). The order passed to `enter` is reused by the router:
 * a link that sends it later copies it during the call.
 */
export type VenueLink = Pick<OuchClient, 'onAnswer' | 'enter' | 'replace' | 'cancel'> &
  /** With it, the answers of one read go into the engine together; without, each at once. */
  Partial<Pick<OuchClient, 'onReadEnd'>> &
  /**
   * With them, an order the native read path took is forwarded from its own bytes, and the
   * venue's Order Canceled is read from its bytes without being decoded (issue 13).
   */
  Partial<Pick<OuchClient, 'enterFrom' | 'onAnswerBytes'>>;
/** What the router uses of the gateway: Order Executed / Canceled to a client. */
export type ClientAnswers = Pick<Gateway, 'execute' | 'cancel'> & Partial<Pick<Gateway, 'roomMade'>>;

/**
 * Engine order id of each live client order, per session by UserRefNum: no key string built
 * and hashed per lookup (a string per order and per venue answer cost ~4% of the gateway's CPU
 * at 50k orders/s, issue 13).
 */
class ClientOrderIds {
  private readonly bySession = new Map<string, Map<number, number>>();
  /** The session looked up last and its map: a read's orders and a venue read's answers are mostly one session's. */
  private lastSession = '';
  private last: Map<number, number> | undefined = undefined;

  private of(session: string): Map<number, number> | undefined {
    if (session !== this.lastSession || this.last === undefined) {
      this.last = this.bySession.get(session);
      this.lastSession = session;
    }
    return this.last;
  }

  get(session: string, userRefNum: number): number | undefined {
    return this.of(session)?.get(userRefNum);
  }

  set(session: string, userRefNum: number, orderId: number): void {
    let m = this.of(session);
    if (!m) {
      this.bySession.set(session, (m = new Map()));
      this.last = m;
    }
    m.set(userRefNum, orderId);
  }

  delete(session: string, userRefNum: number): void {
    this.of(session)?.delete(userRefNum);
  }
}

const NO_FREE_ID: Decision = Object.freeze({ accept: false, failed: `all ${ORDER_FRAME.orderSlots} engine order ids are open (orders in flight)` });
const U32_MAX = 0xffff_ffff;
/** The largest price an order frame carries, as a BigInt made once (not one per order). */
const U32_MAX_BIG = BigInt(U32_MAX);
/** Engine order ids: 0 .. SLOTS - 1. */
const SLOTS = ORDER_FRAME.orderSlots;
/** No venue UserRefNum (they are u32). */
const NO_REF = -1;
/**
 * The venue's UserRefNum → engine order id. The venue link numbers its orders one after the
 * other, so a ring indexed by the low bits holds nearly all of them with no hashing; a ref whose
 * slot is taken by another live one (an order resting while 65,536 newer ones came and went)
 * goes into a Map (a Map set, get and delete per order were ~3% of the gateway at 50k/s, issue 13).
 */
export class VenueRefs {
  private static readonly SIZE = 1 << 16;
  private readonly refs = new Float64Array(VenueRefs.SIZE).fill(NO_REF);
  private readonly ids = new Int32Array(VenueRefs.SIZE);
  private readonly spill = new Map<number, number>();

  get(ref: number): number | undefined {
    const slot = ref & (VenueRefs.SIZE - 1);
    if (this.refs[slot] === ref) return this.ids[slot];
    return this.spill.size > 0 ? this.spill.get(ref) : undefined;
  }

  set(ref: number, id: number): void {
    const slot = ref & (VenueRefs.SIZE - 1);
    const at = this.refs[slot];
    if (at === NO_REF || at === ref) {
      this.refs[slot] = ref;
      this.ids[slot] = id;
    } else this.spill.set(ref, id);
  }

  delete(ref: number): void {
    const slot = ref & (VenueRefs.SIZE - 1);
    if (this.refs[slot] === ref) this.refs[slot] = NO_REF;
    else if (this.spill.size > 0) this.spill.delete(ref);
  }
}
/** What the router keeps of an open order. */
interface OrderMeta {
  account: number;
  symbol: number;
  price: number;
  client: ClientRef;
}
/** Every acceptance is the same answer: one object, not one per order. */
const ACCEPT: Decision = Object.freeze({ accept: true });

export class OrderRouter {
  /** Engine order id of each live client order. */
  private readonly ids = new ClientOrderIds();
  /**
   * The venue's UserRefNum → the engine order id (the client order is metaOf's: no object per
   * order here, issue 13).
   */
  private readonly byVenueRef = new VenueRefs();
  /** The venue's UserRefNum of each engine order id. */
  private readonly venueRefOf = new Float64Array(SLOTS).fill(NO_REF);
  /** Account, symbol and client order of each open engine order id. */
  private readonly metaOf = new Array<OrderMeta | undefined>(SLOTS).fill(undefined);
  /**
   * When each id's entry in metaOf was made (a counter): a mass cancel goes through the open
   * orders in that order, as it did through a Map of them. Arrays indexed by engine order id
   * (below ORDER_FRAME.orderSlots) instead of Maps: a set and a delete per order in several
   * Maps, and their rehashing as they grew and shrank, were 8% of the gateway's CPU at 50k
   * orders/s (issue 13).
   */
  private readonly metaSeq = new Float64Array(SLOTS);
  private nextMetaSeq = 0;
  /** Orders the engine checked per session: accepted, and rejected by reason bit (an order can fail several). */
  readonly sessions = new Map<string, SessionOrderStats>();
  private lastStatsSession = '';
  private lastStats: SessionOrderStats | null = null;
  /** Engine order ids a kill is canceling at the venue: their Canceled goes to the client as `S` (supervisory). */
  private readonly killed = new Set<number>();
  private gateway: ClientAnswers | null = null;
  /** Venue answers that could not be matched to an order (a bug or a foreign venue). */
  unmatched = 0;
  /** Orders a kill canceled (at the venue, or in the engine when there is none). */
  massCanceled = 0;
  /** Told of every kill with the number of open orders it cancels. */
  onMassCancel: ((k: KillScope, orders: number) => void) | null = null;
  /**
   * Venue answers of the venue connection's read under way (one engine call at its end): the
   * first `venueN` of these objects, reused from read to read (no object per answer, issue 13).
   */
  private readonly venueBatch: PendingVenueAnswer[] = [];
  private venueN = 0;
  /** Engine order ids with an answer in venueBatch (a second one for the same order flushes first): marked with the batch's number. */
  private readonly inVenueBatch = new Uint32Array(SLOTS);
  private venueBatchNo = 1;
  /** The order handed to the venue link's `enter`, reused. */
  private readonly forward: { side: OrderView['side']; quantity: number; symbol: string; price: bigint; timeInForce: string } = { side: 'B', quantity: 0, symbol: '', price: 0n, timeInForce: '' };
  /** The venue link tells when a read's answers are all in (else each answer is applied at once). */
  private readonly venueReads: boolean;

  constructor(
    private readonly oe: OrderEntryEngine,
    private readonly symbols: readonly string[],
    private readonly venue: VenueLink | null = null,
  ) {
    // Order Accepted from the venue needs nothing (the order is known from its forward): not even decoded.
    venue?.onAnswer((a) => this.fromVenue(a), ['ORDER_EXECUTED', 'ORDER_CANCELED', 'ORDER_REJECTED']);
    // The usual answer, Order Canceled, read from its bytes (what decoding it would give).
    venue?.onAnswerBytes?.(CANCELED_CODE, (p) => this.canceledBytes(p));
    // The answers of one read from the venue go into the engine in one call (spec §18.6).
    this.venueReads = typeof venue?.onReadEnd === 'function';
    if (this.venueReads) {
      venue!.onReadEnd!(() => {
        this.flushVenue();
        // Ids the answers freed: a client read waiting for room goes on (GatewayOptions.hasRoom).
        this.gateway?.roomMade?.();
      });
    }
    // Deferred: the kill's CONTROL record comes out of an engine call that may still be running.
    oe.onControl = (c) => {
      const k = killOf(c);
      if (k) queueMicrotask(() => this.massCancel(k));
    };
  }

  /**
   * Cancels the open orders a kill selects (spec §18.6): at the venue (OUCH Cancel to 0 each;
   * the venue's Canceled frees the exposure in the engine and reaches the client as `S`), or,
   * with no venue, in the engine at once. The engine itself refuses the new ones.
   */
  massCancel(k: KillScope): number {
    this.flushVenue();
    let n = 0;
    for (const id of this.metaIds()) {
      const m = this.metaOf[id];
      if (m === undefined) continue;
      if (k.scope === 'account' && m.account !== k.account) continue;
      if (k.scope === 'symbol' && m.symbol !== k.symbol) continue;
      if (this.killed.has(id) || this.oe.openShares(id) === 0) continue;
      n++;
      const ref = this.venueRefOf[id];
      if (this.venue && ref !== NO_REF) {
        this.killed.add(id);
        this.venue.cancel(ref, 0);
        continue;
      }
      const open = this.oe.openShares(id);
      this.oe.canceled(id, open);
      this.gateway?.cancel(m.client.session, m.client.userRefNum, open, 'S');
      this.forget(id, m.client);
    }
    this.massCanceled += n;
    this.onMassCancel?.(k, n);
    return n;
  }

  /** True when `orders` more client orders find a free engine order id (GatewayOptions.hasRoom). */
  readonly hasRoom = (orders: number): boolean => this.oe.hasFreeIds(orders);

  /** The gateway whose clients get the venue's executions and cancels. */
  attach(g: ClientAnswers): void {
    this.gateway = g;
  }

  readonly decide: Decider = (o: OrderToCheck) => {
    this.flushVenue();
    const order = this.clientOrder(o);
    if (order === null) return { accept: false, reasons: Reason.COLLAR };
    let a;
    if (o.kind === 'ENTER_ORDER') {
      // Fail closed, cheaply: with every engine order id open (orders in flight at the venue)
      // the order is refused without an Error per order.
      if (!this.oe.hasFreeId()) return NO_FREE_ID;
      a = this.oe.enter(order);
    } else {
      const id = this.ids.get(o.session, o.origUserRefNum ?? -1);
      if (id === undefined) throw new Error(`replace of UserRefNum ${o.origUserRefNum}: no engine order`);
      a = this.oe.replace(id, order);
    }
    if (a.reasons < 0) throw new Error(`the engine refused the order frame (id ${a.orderId}): see its PROBLEM record`);
    return this.decided(o, order, a);
  };

  /**
   * Enter Orders of one client read, checked in one engine call (OrderEntryEngine.enterMany):
   * the same answers, in the same order, as `decide` one by one, the frames at the same S.
   */
  readonly decideBatch: BatchDecider = (os: readonly OrderToCheck[]) => {
    this.flushVenue();
    const out = new Array<Decision>(os.length);
    const orders: ClientOrder[] = [];
    const at: number[] = [];
    for (let k = 0; k < os.length; k++) {
      if (os[k].kind !== 'ENTER_ORDER') throw new Error(`decideBatch takes Enter Orders only, got ${os[k].kind}`);
      const order = this.clientOrder(os[k]);
      if (order === null) {
        out[k] = { accept: false, reasons: Reason.COLLAR };
        continue;
      }
      orders.push(order);
      at.push(k);
    }
    const answers = orders.length > 0 ? this.oe.enterMany(orders) : [];
    for (let j = 0; j < answers.length; j++) {
      const k = at[j];
      const a = answers[j];
      if (a === null) out[k] = NO_FREE_ID;
      else if (a.reasons < 0) out[k] = { accept: false, failed: `the engine refused the order frame (id ${a.orderId}): see its PROBLEM record` };
      else out[k] = this.decided(os[k], orders[j], a);
    }
    return out;
  };

  /** The engine's order, or null for one whose symbol or price the frame cannot carry. */
  private clientOrder(o: OrderToCheck): ClientOrder | null {
    const symbol = this.symbols.indexOf(o.symbol);
    // A price the engine frame cannot carry is outside any collar: refused, never truncated.
    if (symbol < 0 || o.price <= 0n || o.price > U32_MAX_BIG) return null;
    return { account: o.account, symbol, side: o.side, tif: o.timeInForce, qty: o.quantity, price: Number(o.price) };
  }

  /** Counts the engine's answer and, for an acceptance, remembers the order. */
  private decided(o: OrderToCheck, order: ClientOrder, a: OrderAnswer): Decision {
    const st = this.statsOf(o.session);
    st.checked++;
    if (!a.accepted) {
      st.rejected++;
      for (let b = 0; b < st.reasonBits.length; b++) if (a.reasons & (1 << b)) st.reasonBits[b]++;
      return { accept: false, reasons: a.reasons };
    }
    st.accepted++;
    this.ids.set(o.session, o.userRefNum, a.orderId);
    this.setMeta(a.orderId, { account: o.account, symbol: order.symbol, price: order.price, client: { session: o.session, userRefNum: o.userRefNum } });
    return ACCEPT;
  }

  /** The engine order id of a client's live order, if any. */
  orderIdOf(session: string, userRefNum: number): number | undefined {
    return this.ids.get(session, userRefNum);
  }

  /** Open client orders and their open notional (price units × shares) per account index. */
  openByAccount(nAccounts: number): { orders: number[]; notional: bigint[] } {
    const orders = new Array<number>(nAccounts).fill(0);
    const notional = new Array<bigint>(nAccounts).fill(0n);
    for (let id = 0; id < SLOTS; id++) {
      const m = this.metaOf[id];
      if (m === undefined) continue;
      const open = this.oe.openShares(id);
      if (open === 0 || m.account >= nAccounts) continue;
      orders[m.account]++;
      notional[m.account] += BigInt(m.price) * BigInt(open);
    }
    return { orders, notional };
  }

  private statsOf(session: string): SessionOrderStats {
    // A read's orders are one session's: the last one's stats, without a lookup.
    if (session === this.lastStatsSession && this.lastStats !== null) return this.lastStats;
    let st = this.sessions.get(session);
    if (!st) {
      st = { checked: 0, accepted: 0, rejected: 0, reasonBits: new Array<number>(REASONS.length).fill(0) };
      this.sessions.set(session, st);
    }
    this.lastStatsSession = session;
    this.lastStats = st;
    return st;
  }

  readonly listener: OrderListener = {
    accepted: (o: OrderView, enterBytes?: Buffer | null, enterAt?: number) => {
      const id = this.ids.get(o.session, o.userRefNum);
      if (id === undefined || !this.venue) return;
      // One order object for every forward (the link reads it during the call): no object per order.
      let ref: number;
      if (enterBytes && this.venue.enterFrom) {
        // The client's Enter Order as read: its fields copied, not encoded again.
        ref = this.venue.enterFrom(enterBytes, enterAt ?? 0);
      } else {
        const f = this.forward;
        f.side = o.side;
        f.quantity = o.quantity;
        f.symbol = o.symbol;
        f.price = o.price;
        f.timeInForce = o.timeInForce;
        ref = this.venue.enter(f);
      }
      this.byVenueRef.set(ref, id);
      this.venueRefOf[id] = ref;
    },
    replaced: (origUserRefNum: number, o: OrderView) => {
      const id = this.ids.get(o.session, o.userRefNum);
      this.ids.delete(o.session, origUserRefNum);
      if (id === undefined) return;
      const m = this.metaOf[id];
      if (m) m.client = { session: o.session, userRefNum: o.userRefNum };
      if (!this.venue) return;
      const orig = this.venueRefOf[id];
      if (orig === NO_REF) return;
      const ref = this.venue.replace(orig, { quantity: o.quantity, price: o.price, timeInForce: o.timeInForce });
      this.byVenueRef.delete(orig);
      this.byVenueRef.set(ref, id);
      this.venueRefOf[id] = ref;
    },
    reduced: (session: string, userRefNum: number, open: number) => {
      this.flushVenue();
      const id = this.ids.get(session, userRefNum);
      if (id === undefined) return false;
      const ref = this.venueRefOf[id];
      if (ref !== NO_REF && this.venue) {
        this.venue.cancel(ref, open);
        return true;
      }
      // No venue: the gateway's answer is the cancel; the engine frees the exposure now.
      const gone = this.oe.openShares(id) - open;
      if (gone > 0) this.oe.canceled(id, gone);
      if (this.oe.openShares(id) === 0) this.forget(id, { session, userRefNum });
      return false;
    },
  };

  /**
   * The venue's Executed / Canceled / Rejected: kept for the read's one engine call
   * (flushVenue), then to the client.
   */
  private fromVenue(a: Answer): void {
    if (a.kind !== 'ORDER_EXECUTED' && a.kind !== 'ORDER_CANCELED' && a.kind !== 'ORDER_REJECTED') return;
    const v = a.values;
    this.venueAnswer(a.kind, Number(v.userRefNum), Number(v.quantity), a.kind === 'ORDER_EXECUTED' ? (v.price as bigint) : 0n, v.reason);
  }

  /**
   * An Order Canceled from its bytes (VenueLink.onAnswerBytes): the same as decoding it and
   * `fromVenue`. False (decode it) for one that is not exactly an Order Canceled with a printable
   * reason, whose decode may fail and close the link.
   */
  private canceledBytes(p: Buffer): boolean {
    if (p.length !== CANCELED_SIZE || p[0] !== CANCELED_CODE) return false;
    const r = p[CANCELED_REASON];
    if (r < 0x20 || r > 0x7e) return false;
    // The reason as its one-character string (V8 keeps those made once); venueCancelReason maps
    // it as it maps the decoded one (a space, decoded as '', is neither 'I' nor 'S': 'Z').
    this.venueAnswer('ORDER_CANCELED', p.readUInt32BE(CANCELED_REF), p.readUInt32BE(CANCELED_QTY), 0n, String.fromCharCode(r));
    return true;
  }

  private venueAnswer(kind: PendingVenueAnswer['kind'], ref: number, quantity: number, execPrice: bigint, reason: unknown): void {
    const orderId = this.byVenueRef.get(ref);
    const m = orderId === undefined ? undefined : this.metaOf[orderId];
    if (orderId === undefined || m === undefined) {
      if (kind !== 'ORDER_REJECTED') this.unmatched++;
      return;
    }
    // A second answer for the same order waits for the first to be applied (its shares then fit).
    if (this.inVenueBatch[orderId] === this.venueBatchNo || kind === 'ORDER_REJECTED') this.flushVenue();
    const qty = kind === 'ORDER_REJECTED' ? this.oe.openShares(orderId) : quantity;
    let p = this.venueBatch[this.venueN];
    if (p === undefined) {
      p = { event: 'C', orderId: 0, qty: 0, price: 0, kind, venueRef: 0, client: m.client, execPrice: 0n, reason: undefined };
      this.venueBatch.push(p);
    }
    this.venueN++;
    p.event = kind === 'ORDER_EXECUTED' ? 'E' : 'C';
    p.orderId = orderId;
    p.qty = qty;
    p.price = Number(execPrice);
    p.kind = kind;
    p.venueRef = ref;
    p.client = m.client;
    p.execPrice = execPrice;
    p.reason = reason;
    this.inVenueBatch[orderId] = this.venueBatchNo;
    if (!this.venueReads) this.flushVenue();
  }

  /** The venue answers of the read: one engine call for all, then each to its client, in order. */
  flushVenue(): void {
    const n = this.venueN;
    if (n === 0) return;
    // The batch's objects are reused by the next read's answers, never during this call (nothing
    // here reads the venue link).
    const b = this.venueBatch;
    this.venueN = 0;
    this.venueBatchNo++;
    // A venue reject of an order riskgate accepted closes it like a cancel of what is open (nothing open: nothing to apply).
    let frames: readonly VenueAnswer[] = b;
    let count = n;
    for (let k = 0; k < n; k++) {
      if (!(b[k].qty > 0)) {
        frames = b.slice(0, n).filter((x) => x.qty > 0);
        count = frames.length;
        break;
      }
    }
    this.oe.venueMany(frames, count);
    for (let k = 0; k < n; k++) {
      const p = b[k];
      const { orderId, client } = p;
      if (p.kind === 'ORDER_EXECUTED') {
        this.gateway?.execute(client.session, client.userRefNum, p.qty, p.execPrice);
      } else {
        // The client may have canceled it already (the gateway answered then, and settles it now).
        const why = this.killed.size > 0 && this.killed.has(orderId) ? 'S' : p.kind === 'ORDER_REJECTED' ? 'Z' : venueCancelReason(p.reason);
        this.gateway?.cancel(client.session, client.userRefNum, p.qty, why);
      }
      if (this.oe.openShares(orderId) === 0 && this.byVenueRef.get(p.venueRef) === orderId) {
        this.byVenueRef.delete(p.venueRef);
        this.forget(orderId, client);
      }
    }
  }

  /** An open order's account, symbol, price and client (a Map's set: an id already there keeps its place). */
  private setMeta(orderId: number, m: OrderMeta): void {
    if (this.metaOf[orderId] === undefined) this.metaSeq[orderId] = this.nextMetaSeq++;
    this.metaOf[orderId] = m;
  }

  /** Ids with an entry in metaOf, in the order their entries were made. */
  private metaIds(): number[] {
    const ids: number[] = [];
    for (let id = 0; id < SLOTS; id++) if (this.metaOf[id] !== undefined) ids.push(id);
    return ids.sort((a, b) => this.metaSeq[a] - this.metaSeq[b]);
  }

  private forget(orderId: number, client: ClientRef): void {
    this.venueRefOf[orderId] = NO_REF;
    this.metaOf[orderId] = undefined;
    if (this.killed.size > 0) this.killed.delete(orderId);
    this.ids.delete(client.session, client.userRefNum);
  }
}

/** The venue's cancel reason as the gateway passes it on (`I` IOC, `S` supervisory, else `Z` system). */
function venueCancelReason(r: unknown): 'I' | 'Z' | 'S' {
  return r === 'I' || r === 'S' ? r : 'Z';
}
