/**
 * The gateway's engine hookup (spec §18.6): `decide` turns each client order into an order
 * frame at the current position of the session and answers with the engine's verdict; the
 * orders it accepts are forwarded to the venue (an OUCH client of `riskgate venue-sim`), and
 * the venue's Executed and Canceled go into the engine as venue frames and back to the client.
 */
import { Reason } from '../contract.ts';
import type { Answer, OuchClient } from '../client/index.ts';
import type { Decider, Gateway, OrderListener, OrderToCheck, OrderView } from '../ouch/gateway.ts';
import type { OrderEntryEngine } from './engine-session.ts';

/** A client's order: its session and UserRefNum. */
interface ClientRef {
  session: string;
  userRefNum: number;
}

const key = (session: string, userRefNum: number) => `${session}\u0000${userRefNum}`;
const U32_MAX = 0xffff_ffff;

export class OrderRouter {
  /** Engine order id of each live client order. */
  private readonly ids = new Map<string, number>();
  /** The venue's UserRefNum → the engine order id and the client order. */
  private readonly byVenueRef = new Map<number, { orderId: number; client: ClientRef }>();
  /** The venue's UserRefNum of each engine order id. */
  private readonly venueRefOf = new Map<number, number>();
  private gateway: Gateway | null = null;
  /** Venue answers that could not be matched to an order (a bug or a foreign venue). */
  unmatched = 0;

  constructor(
    private readonly oe: OrderEntryEngine,
    private readonly symbols: readonly string[],
    private readonly venue: OuchClient | null = null,
  ) {
    venue?.onAnswer((a) => this.fromVenue(a));
  }

  /** The gateway whose clients get the venue's executions and cancels. */
  attach(g: Gateway): void {
    this.gateway = g;
  }

  readonly decide: Decider = (o: OrderToCheck) => {
    const symbol = this.symbols.indexOf(o.symbol);
    // A price the engine frame cannot carry is outside any collar: refused, never truncated.
    if (symbol < 0 || o.price <= 0n || o.price > BigInt(U32_MAX)) return { accept: false, reasons: Reason.COLLAR };
    const order = { account: o.account, symbol, side: o.side, tif: o.timeInForce, qty: o.quantity, price: Number(o.price) };
    let a;
    if (o.kind === 'ENTER_ORDER') {
      a = this.oe.enter(order);
    } else {
      const id = this.ids.get(key(o.session, o.origUserRefNum ?? -1));
      if (id === undefined) throw new Error(`replace of UserRefNum ${o.origUserRefNum}: no engine order`);
      a = this.oe.replace(id, order);
    }
    if (a.reasons < 0) throw new Error(`the engine refused the order frame (id ${a.orderId}): see its PROBLEM record`);
    if (!a.accepted) return { accept: false, reasons: a.reasons };
    this.ids.set(key(o.session, o.userRefNum), a.orderId);
    return { accept: true };
  };

  readonly listener: OrderListener = {
    accepted: (o: OrderView) => {
      const id = this.ids.get(key(o.session, o.userRefNum));
      if (id === undefined || !this.venue) return;
      const ref = this.venue.enter({ side: o.side, quantity: o.quantity, symbol: o.symbol, price: o.price, timeInForce: o.timeInForce });
      this.byVenueRef.set(ref, { orderId: id, client: { session: o.session, userRefNum: o.userRefNum } });
      this.venueRefOf.set(id, ref);
    },
    replaced: (origUserRefNum: number, o: OrderView) => {
      const id = this.ids.get(key(o.session, o.userRefNum));
      this.ids.delete(key(o.session, origUserRefNum));
      if (id === undefined || !this.venue) return;
      const orig = this.venueRefOf.get(id);
      if (orig === undefined) return;
      const ref = this.venue.replace(orig, { quantity: o.quantity, price: o.price, timeInForce: o.timeInForce });
      this.byVenueRef.delete(orig);
      this.byVenueRef.set(ref, { orderId: id, client: { session: o.session, userRefNum: o.userRefNum } });
      this.venueRefOf.set(id, ref);
    },
    reduced: (session: string, userRefNum: number, open: number) => {
      const id = this.ids.get(key(session, userRefNum));
      const ref = id === undefined ? undefined : this.venueRefOf.get(id);
      if (ref !== undefined && this.venue) this.venue.cancel(ref, open);
    },
  };

  /** The venue's Executed / Canceled / Rejected: into the engine, then to the client. */
  private fromVenue(a: Answer): void {
    const v = a.values;
    const ref = Number(v.userRefNum);
    const m = this.byVenueRef.get(ref);
    if (!m) {
      if (a.kind === 'ORDER_EXECUTED' || a.kind === 'ORDER_CANCELED') this.unmatched++;
      return;
    }
    const { orderId, client } = m;
    if (a.kind === 'ORDER_EXECUTED') {
      const qty = Number(v.quantity);
      const price = v.price as bigint;
      this.oe.executed(orderId, qty, Number(price));
      this.gateway?.execute(client.session, client.userRefNum, qty, price);
    } else if (a.kind === 'ORDER_CANCELED' || a.kind === 'ORDER_REJECTED') {
      // A venue reject of an order riskgate accepted closes it like a cancel of what is open.
      const qty = a.kind === 'ORDER_CANCELED' ? Number(v.quantity) : this.oe.openShares(orderId);
      if (qty > 0) this.oe.canceled(orderId, qty);
      // The client may have canceled it already (the gateway answered then).
      this.gateway?.cancel(client.session, client.userRefNum, qty, a.kind === 'ORDER_CANCELED' ? 'I' : 'Z');
    } else {
      return;
    }
    if (this.oe.openShares(orderId) === 0) {
      this.byVenueRef.delete(ref);
      this.venueRefOf.delete(orderId);
      this.ids.delete(key(client.session, client.userRefNum));
    }
  }
}
