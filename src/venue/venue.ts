/**
 * The venue simulator (spec §16.9): an OUCH 5.0 server over SoupBinTCP 4.0 (the order-entry
 * gateway of src/ouch/, answering for itself: every well-formed order is accepted) whose
 * orders execute against the book of a replayed ITCH session (src/venue/matching.ts).
 *
 * An order (or replace) on a symbol the session has halted (ITCH H with a state other than
 * `T`) is rejected HALTED; every other well-formed order is accepted.
 *
 * The market moves only when the replay hands it a message (`apply`); the OUCH timestamps
 * are the ITCH timestamp of the last message applied. So the same session and the same
 * orders at the same feed positions give the same answers, byte for byte.
 */
import type { AddressInfo } from 'node:net';
import { FullDepthBook } from '../book/full-depth.ts';
import { MESSAGE_LENGTH, Reason } from '../contract.ts';
import { readStock } from '../itch/decode.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import { Gateway, type GatewaySession, type OrderView } from '../ouch/gateway.ts';
import type { Counters } from '../ouch/stats.ts';
import type { SessionTiming } from '../ouch/timing.ts';
import { Matcher, type Fill, type VenueOrder } from './matching.ts';

/** Every acceptance is the same answer: one object, not one per order. */
const ACCEPT = Object.freeze({ accept: true as const });

export interface VenueOptions {
  /** Logins the venue accepts (the account is not used by the venue). */
  sessions: readonly Pick<GatewaySession, 'username' | 'password'>[];
  host?: string;
  /** 0 = any free port. */
  port?: number;
  sessionName?: string;
  timing?: Partial<SessionTiming>;
  log?: Logger;
}

export interface VenueStats {
  /** Market-data messages applied (the seq of the last one). */
  messages: number;
  /** Trades the session printed on symbols with resting venue orders or not. */
  prints: number;
  executions: number;
  sharesExecuted: number;
  iocCanceled: number;
  /** Fills the gateway refused (a bug: the venue and the gateway disagree on an order). */
  inconsistencies: number;
}

/** Bytes before a message's timestamp (type, locate, tracking) and its length (6). */
const TS_OFF = 5;
const TS_LEN = 6;
/** ITCH Stock Trading Action (spec §3.1): type H, stock at 11, state at 19 (`T` trading). */
const H_TYPE = 0x48;
const H_LENGTH = MESSAGE_LENGTH.H;
const H_STOCK = 11;
const H_STATE = 19;
const TRADING = 0x54;

export class Venue {
  readonly book = new FullDepthBook();
  readonly matcher: Matcher;
  private readonly gateway: Gateway;
  private readonly log: Logger;
  private clockNs = 0n;
  /** Symbols whose trading state (ITCH H) is not T. */
  private readonly halted = new Set<string>();
  private readonly s: VenueStats = { messages: 0, prints: 0, executions: 0, sharesExecuted: 0, iocCanceled: 0, inconsistencies: 0 };

  constructor(o: VenueOptions) {
    this.log = o.log ?? silentLogger;
    this.matcher = new Matcher({
      levels: (symbol, side) => {
        const i = this.book.symbolIndex(symbol);
        return i === undefined ? [] : this.book.levels(i, side);
      },
      best: (symbol, side) => {
        const i = this.book.symbolIndex(symbol);
        if (i === undefined) return 0;
        const t = this.book.top(i);
        return side === 'bid' ? t.bidPx : t.askPx;
      },
    });
    this.gateway = new Gateway({
      sessions: o.sessions.map((s) => ({ username: s.username, password: s.password, account: 0 })),
      // The venue takes every order riskgate's protocol layer accepts (§16.3) unless its symbol is halted: no risk checks here.
      decide: (o) => (this.halted.size > 0 && this.halted.has(o.symbol) ? { accept: false, reasons: Reason.HALTED } : ACCEPT),
      host: o.host,
      port: o.port,
      sessionName: o.sessionName ?? 'VENUE',
      timing: o.timing,
      log: this.log,
      timestampNs: () => this.clockNs,
      orders: {
        accepted: (v) => this.enter(v),
        replaced: (orig, v) => {
          this.matcher.reduce(v.session, orig, 0);
          this.enter(v);
        },
        reduced: (session, ref, open) => {
          this.matcher.reduce(session, ref, open);
        },
      },
    });
  }

  start(): Promise<AddressInfo> {
    return this.gateway.start();
  }

  close(): Promise<void> {
    return this.gateway.close();
  }

  address(): AddressInfo {
    return this.gateway.address();
  }

  stats(): VenueStats & { ouch: { totals: Counters; sessions: Record<string, Counters> } } {
    return { ...this.s, ouch: this.gateway.stats() };
  }

  /** The ITCH timestamp of the last message applied, ns since midnight (the venue's clock). */
  get timestampNs(): bigint {
    return this.clockNs;
  }

  /** True while the session has the symbol halted (its last ITCH H state is not T). */
  isHalted(symbol: string): boolean {
    return this.halted.has(symbol);
  }

  /**
   * Applies one market-data message (without its length prefix): the book moves, and a trade
   * it prints fills the resting orders it goes through.
   */
  apply(msg: Buffer): void {
    this.s.messages++;
    if (msg.length >= TS_OFF + TS_LEN) this.clockNs = BigInt(msg.readUIntBE(TS_OFF, TS_LEN));
    if (msg[0] === H_TYPE && msg.length === H_LENGTH) {
      const stock = readStock(msg, H_STOCK);
      if (msg[H_STATE] === TRADING) this.halted.delete(stock);
      else this.halted.add(stock);
    }
    this.book.apply(msg);
    const p = this.book.lastPrint;
    if (!p) return;
    this.s.prints++;
    this.report(this.matcher.print(this.book.symbolName(p.sym), p.price, p.shares));
  }

  private enter(v: OrderView): void {
    const o: VenueOrder = { session: v.session, userRefNum: v.userRefNum, side: v.side, symbol: v.symbol, price: Number(v.price), quantity: v.quantity, timeInForce: v.timeInForce };
    const r = this.matcher.enter(o);
    this.report(r.fills);
    if (r.iocCanceled > 0) {
      this.s.iocCanceled += r.iocCanceled;
      if (!this.gateway.cancel(v.session, v.userRefNum, r.iocCanceled, 'I')) this.inconsistent('IOC cancel', v.session, v.userRefNum, r.iocCanceled);
    }
  }

  private report(fills: readonly Fill[]): void {
    for (const f of fills) {
      if (this.gateway.execute(f.session, f.userRefNum, f.quantity, BigInt(f.price), f.liquidity)) {
        this.s.executions++;
        this.s.sharesExecuted += f.quantity;
      } else {
        this.inconsistent('execution', f.session, f.userRefNum, f.quantity);
      }
    }
  }

  private inconsistent(what: string, session: string, userRefNum: number, quantity: number): void {
    this.s.inconsistencies++;
    this.log.error({ session, userRefNum, quantity }, `venue: the gateway refused a ${what} (venue and gateway disagree on the order)`);
  }
}
