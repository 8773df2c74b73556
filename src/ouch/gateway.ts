/**
 * The order-entry gateway (spec §16): a TCP server (127.0.0.1 by default) speaking OUCH 5.0
 * over SoupBinTCP 4.0, one session per configured user with its own credentials and account.
 * Each well-formed order goes to a pluggable `decide(order)` (the engine hookup comes with
 * issue 13's next steps); its answer becomes Order Accepted / Replaced or Order Rejected
 * with the OUCH code of the lowest riskgate reason bit (contract ouch_reason_map).
 *
 * Bad input is handled per session (spec §16.6): counted, logged, answered with a Debug
 * packet, an Order Rejected or a Cancel Reject, or the connection closed, and never lets an
 * order through unchecked or touches another session. A session's sequenced messages are
 * kept for the gateway's day, so a re-login can replay from any sequence number.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { CANCELED_CODE as CANCELED_TYPE, CANCELED_QTY, CANCELED_REASON, CANCELED_REF, CANCELED_SIZE, CANCELED_TIMESTAMP, I_BYTE, S_BYTE, Z_BYTE } from './canceled-layout.ts';
import { OUCH_REJECT_BY_REASON_BIT, OuchInbound, OuchOutbound, OuchReject, REASONS, SOUPBINTCP, SoupLoginReject, type OuchOutboundName, type OuchRejectName } from '../contract.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import { decodeInbound, encodeOutboundAt, outboundOverrides, outboundSize, type EnterOrder, type OutboundValues, type ReplaceOrder, type Side } from './codec.ts';
import type { OuchOption } from './appendage.ts';
import { coalescedWrite } from './coalesce.ts';
import { replayStream } from './replay.ts';
import { alphaText, writeU64 } from './wire.ts';
import { MessageStream } from './stream.ts';
import { UsedRefs } from './used-refs.ts';
import { ServerSession, type LoginDecision, type SessionProblem } from './server-session.ts';
import type { LoginRequest } from './soup-packets.ts';
import { newCounters, type Counter, type Counters, type OuchProblem } from './stats.ts';
import { DEFAULT_TIMING, systemClock, type Clock, type SessionTiming } from './timing.ts';

/** The order as the decider sees it (its clOrdId read from the order when asked: see ScannedEnter). */
function toCheck(u: SessionState, m: EnterOrder): OrderToCheck {
  return new EnterCheck(u.cfg.username, u.cfg.account, m);
}

class EnterCheck implements OrderToCheck {
  readonly kind = 'ENTER_ORDER';
  readonly userRefNum: number;
  readonly side: Side;
  readonly symbol: string;
  readonly price: bigint;
  readonly quantity: number;
  readonly timeInForce: string;
  readonly options: readonly OuchOption[];
  constructor(
    readonly session: string,
    readonly account: number,
    private readonly m: EnterOrder,
  ) {
    this.userRefNum = m.userRefNum;
    this.side = m.side;
    this.symbol = m.symbol;
    this.price = m.price;
    this.quantity = m.quantity;
    this.timeInForce = m.timeInForce;
    this.options = m.options;
  }

  get clOrdId(): string {
    return this.m.clOrdId;
  }
}

const NO_OPTIONS: OuchOption[] = [];
/** A batch entry's order once it is answered (the entries are reused). */
const NO_ORDER: EnterOrder = Object.freeze({
  kind: 'ENTER_ORDER', userRefNum: 0, side: 'B', quantity: 0, symbol: '', price: 0n, timeInForce: '', display: '', capacity: '',
  interMarketSweepEligibility: '', crossType: '', clOrdId: '', options: NO_OPTIONS,
}) as EnterOrder;

/**
 * An Enter Order the native read path took: the scan's fields, and its clOrdId read from the
 * read's bytes only when something asks for it (a reject, a decider that reads it): a 14-byte
 * string made per order otherwise (issue 13). The read's bytes stay with it (each socket read
 * is a buffer of its own).
 */
class ScannedEnter implements EnterOrder {
  readonly kind = 'ENTER_ORDER';
  readonly options: OuchOption[] = NO_OPTIONS;
  private text: string | undefined = undefined;
  constructor(
    readonly userRefNum: number,
    readonly side: Side,
    readonly quantity: number,
    readonly symbol: string,
    readonly price: bigint,
    readonly timeInForce: string,
    readonly display: string,
    readonly capacity: string,
    readonly interMarketSweepEligibility: string,
    readonly crossType: string,
    private readonly src: Buffer,
    private readonly at: number,
  ) {}

  get clOrdId(): string {
    return (this.text ??= alphaText(this.src, this.at + ENTER_CLORDID, CLORDID_LENGTH));
  }
}

/** One configured session: credentials and the account its orders trade for. */
export interface GatewaySession {
  username: string;
  password: string;
  /** Account index (config `accounts[]` order). */
  account: number;
}

export interface OrderToCheck {
  /** Username of the session that sent it. */
  session: string;
  account: number;
  kind: 'ENTER_ORDER' | 'REPLACE_ORDER';
  userRefNum: number;
  /** For a replace: the order it replaces. */
  origUserRefNum?: number;
  side: Side;
  symbol: string;
  /** Price units (dollars × 10,000). */
  price: bigint;
  quantity: number;
  timeInForce: string;
  clOrdId: string;
  options: readonly OuchOption[];
}

/** The risk decision: accepted, or rejected with riskgate reason bits (contract [[reasons]]). */
export type Decision =
  | { accept: true }
  | { accept: false; reasons: number }
  /** No decision could be made (e.g. no engine order id free): Order Rejected OTHER, counted DECIDE_FAILED — without an Error's cost. */
  | { accept: false; failed: string };
export type Decider = (order: OrderToCheck) => Decision | Promise<Decision>;
/**
 * Decides new orders (Enter Order) several at a time, in order, synchronously: one answer per
 * order. The gateway hands it the Enter Orders of one read from a client's socket (a burst
 * of orders in one packet or chunk), so an engine decides them in one call (spec §18.6). The
 * array is the gateway's, reused after the call: a decider copies what it keeps.
 */
export type BatchDecider = (orders: readonly OrderToCheck[]) => readonly Decision[];

/** A live order as the gateway holds it, for an OrderListener. */
export interface OrderView {
  session: string;
  userRefNum: number;
  side: Side;
  symbol: string;
  /** Price units (dollars × 10,000). */
  price: bigint;
  /** Open shares. */
  quantity: number;
  timeInForce: string;
}

/**
 * Follows the live orders (the venue simulator matches them, src/venue/). Each call comes
 * right after the answer it reports is sequenced, so an execution the listener reports
 * (`execute`) follows the acceptance on the stream.
 */
export interface OrderListener {
  /**
   * `o` is valid during the call only (the gateway reuses the object): copy what you keep. For
   * an order the native read path took, `enterBytes` from `enterAt` are its Enter Order's bytes
   * (no appendage, every field as an encoder writes it), valid during the call (null otherwise):
   * a venue forward copies them instead of encoding the fields again (issue 13).
   */
  accepted?(o: OrderView, enterBytes?: Buffer | null, enterAt?: number): void;
  /** The original order is gone; `o` is the new one. */
  replaced?(origUserRefNum: number, o: OrderView): void;
  /**
   * A Cancel or Modify reduced an order to `open` shares (0: the order is gone). True when the
   * reduction went on to a venue, which may still execute the shares before it lands there.
   */
  reduced?(session: string, userRefNum: number, open: number): boolean | void;
}

/** A session event for the audit log (spec §16.6): who, what, and why. */
export interface SessionEvent {
  event: 'login' | 'login_refused' | 'logout' | 'disconnect' | 'reject' | 'problem';
  /** Username (absent for a connection that never logged in). */
  session?: string;
  peer?: string;
  /** Problem kind, the reject's OUCH code, or the close reason. */
  kind?: string;
  detail?: string;
  userRefNum?: number;
}

/**
 * The native read path (native/src/ouch_read.rs, issue 13): frames a read's SoupBinTCP packets
 * and decodes and checks its plain Enter Orders in one call, stopping in front of anything
 * else. Words from out[8] on, 8 per order: payload offset, UserRefNum, quantity, price, symbol
 * index, side | time in force << 8 | display << 16 | capacity << 24, interMarketSweepEligibility
 * | crossType << 8, 0; out[0] where the scan stopped, out[2] why (4: out of room).
 */
export interface ReadScanner {
  scan(data: Buffer, from: number, lastUserRefNum: number, out: Uint32Array): number;
}

export interface GatewayOptions {
  sessions: readonly GatewaySession[];
  decide: Decider;
  /**
   * Optional: Enter Orders are decided by this, a read's worth at a time, instead of one by
   * one by `decide` (which still decides replaces). Each order keeps its place in its
   * session's stream: any other message or answer of the session waits for the batch.
   */
  decideBatch?: BatchDecider;
  /**
   * Optional (an asynchronous decider, `run --order-entry`): an Enter Order that arrives while
   * only Enter Orders of its session wait for their decisions is handed to `decide` at once
   * instead of after their answers, so a session can have many orders in one decision round
   * (one Kafka transaction, spec §14.10). Answers still leave in the session's order; any
   * other message (Replace, Cancel, Modify, Account Query) waits for every answer before it.
   * The decider sees a session's orders in arrival order either way. Ignored with decideBatch.
   */
  pipelineEnters?: boolean;
  host?: string;
  /** 0 = any free port (see `address`). */
  port?: number;
  /** Session name in Login Accepted (alpha10). */
  sessionName?: string;
  timing?: Partial<SessionTiming>;
  /** Symbols orders may name; others are rejected INVALID_SYMBOL. Omitted: any symbol. */
  symbols?: readonly string[];
  log?: Logger;
  /** Monotonic ms for heartbeats and timeouts. */
  now?: Clock;
  /** OUCH timestamps: nanoseconds since midnight. */
  timestampNs?: () => bigint;
  /** How often sessions check heartbeats and timeouts, ms. */
  tickMs?: number;
  maxPacket?: number;
  /** Outbound bytes a client may leave unread before it is disconnected (default 4 MiB). */
  maxUnsentBytes?: number;
  /** Told of every acceptance, replacement and client reduction of a live order. */
  orders?: OrderListener;
  /** Told of every session event: login, refused login, logout, disconnect, order reject, problem. */
  onEvent?: (e: SessionEvent) => void;
  /**
   * Per-order timing (`riskgate gateway --latency`): monotonic ns (a number, `performance.now()`
   * × 10^6: no BigInt per reading) when the socket read that
   * carried the order's packet returned (so waiting behind the orders read with it counts),
   * when its answer was sequenced, and when the order listener returned (the venue
   * forward of an accepted order; 0 for a rejected one).
   */
  onOrderTiming?: (inNs: number, answeredNs: number, forwardedNs: number) => void;
  /**
   * Optional: makes the native read path for the traded symbols (with `symbols` and
   * `decideBatch` only). Each read of a logged-in session then goes through it first: its plain
   * Enter Orders (no appendage, every field valid, a fresh UserRefNum, a traded symbol) are
   * framed and decoded in one native call; anything else, from its first byte on, takes the
   * ordinary path. Same answers, counters, events and timing either way.
   */
  nativeRead?: (symbols: readonly string[], maxPacket: number) => ReadScanner;
  /**
   * Optional: true when `orders` more Enter Orders can be taken (the engine has that many order
   * ids free; `riskgate gateway` with a venue). With it, a logged-in session's read that could
   * carry more Enter Orders than there is room for waits, its socket paused, until `roomMade()`
   * (the venue's answers freed ids) or `holdForRoomMs` has passed, and is then handled as it
   * would have been, refusals included. A burst of orders from several sockets is then not
   * refused for ids whose venue answers are already on their way (issue 13); the wait counts in
   * the orders' latency (their time starts at the first read).
   */
  hasRoom?: (orders: number) => boolean;
  /** The longest a read waits for room (`hasRoom`), ms (default 20: about the venue simulator's time to answer 4,096 orders). */
  holdForRoomMs?: number;
}

interface LiveOrder {
  userRefNum: number;
  side: Side;
  symbol: string;
  price: bigint;
  /** Open shares. */
  quantity: number;
  orderReferenceNumber: number;
  capacity: string;
  crossType: string;
  timeInForce: string;
}

interface SessionState {
  cfg: GatewaySession;
  /** Sequenced outbound messages, kept for replay (bytes in chunks, not a Buffer each); message k has sequence number k + 1. */
  stream: MessageStream;
  conn: ServerSession | null;
  lastUserRefNum: number;
  usedUserRefNums: UsedRefs;
  orders: Map<number, LiveOrder>;
  /**
   * Shares a client canceled (answered by the gateway, §16.2) that the venue may still
   * execute before its cancel lands there: a late execution still reaches the client.
   */
  clientCanceled: Map<number, number>;
  counters: Counters;
  /** In-order processing of this session's messages (decide may be asynchronous). */
  chain: Promise<void>;
  pending: number;
  /** Everything queued on `chain` is an Enter Order's pending decision (pipelineEnters). */
  tailEnters: boolean;
  /** A login's replay is under way: new messages are only appended; the replay sends them. */
  replaying: boolean;
}

/** Inbound messages queued per session before its socket is paused. */
const MAX_PENDING = 1024;
/** Outbound bytes a client may leave unread before it is disconnected (it can re-login and replay). */
const MAX_UNSENT = 4 << 20;
/** A replay waits for the socket to drain above this fraction of maxUnsentBytes. */
const REPLAY_HIGH_WATER = 1 / 4;
/** How long a closed connection may keep its half open before it is destroyed, ms. */
const LINGER_MS = 1000;
/** How long `close` waits for pending decisions, ms. */
const CLOSE_WAIT_MS = 2000;
const LIMIT_SESSION_NAME = 10;
/** A session's problem of one kind is logged at most once in this long (the rest are counted in the next line). */
const PROBLEM_LOG_INTERVAL_MS = 1000;
const SYSTEM_START = 'S';
const SYSTEM_END = 'E';
const ORDER_LIVE = 'L';
const CANCEL_USER = 'U';
const U32_MAX = 0xffff_ffff;
const KNOWN_REASONS = (1 << REASONS.length) - 1;
/**
 * Enter Orders decided in one decideBatch call at most: a read from a backed-up socket holds
 * hundreds, and the first of a batch waits for the others to be decoded, so a batch is cut
 * at this size — enough to share one engine call among many orders.
 */
const MAX_BATCH = 64;
/** First byte of an OUCH Enter Order (the only message a batch holds). */
const ENTER_TYPE = 0x4f;
/** The smallest SoupBinTCP packet carrying an Enter Order (length, type, message): a read holds at most length / this of them. */
const ENTER_PACKET_MIN = 3 + OuchInbound.ENTER_ORDER.size;
/** GatewayOptions.holdForRoomMs's default. */
const HOLD_FOR_ROOM_MS = 20;
/** The native read path's output: a header of 8 words, then 8 words per order (ReadScanner). */
const SCAN_HEADER = 8;
const SCAN_WORDS = 8;
/** out[2] when the scan ran out of room in `out` (scan again from out[0]). */
const SCAN_FULL = 4;
const CHAR: string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));
/** Order Accepted without appendage (acceptedFrom): size, type byte, order state `L`. */
const ACCEPTED_SIZE = outboundSize('ORDER_ACCEPTED');
const ACCEPTED_TYPE = OuchOutbound.ORDER_ACCEPTED.code;
const ORDER_LIVE_BYTE = ORDER_LIVE.charCodeAt(0);
const ENTER_FIELDS: Readonly<Record<string, { offset: number; length: number }>> = OuchInbound.ENTER_ORDER.fields;
const ACCEPTED_FIELDS: Readonly<Record<string, { offset: number; length: number }>> = OuchOutbound.ORDER_ACCEPTED.fields;
/** The Enter Order's clOrdId (read here; the other fields come decoded from the native scan). */
const ENTER_CLORDID = ENTER_FIELDS.clOrdId.offset;
const CLORDID_LENGTH = ENTER_FIELDS.clOrdId.length;
/** Order Accepted's own fields: the rest repeat the Enter Order's (acceptedFrom). */
const ACCEPTED_OWN = new Set(['type', 'timestamp', 'orderReferenceNumber', 'orderState']);
/**
 * The byte runs an Order Accepted copies from its Enter Order, from the contract's layouts:
 * [Enter offset, Accepted offset, length], fields of the same name merged where they are
 * contiguous on both sides. A layout where an Accepted field is neither its own nor the
 * Enter's stops the module loading (the copy would leave it unwritten).
 */
const ACCEPTED_FROM_ENTER: readonly (readonly [number, number, number])[] = (() => {
  const runs: [number, number, number][] = [];
  for (const [name, a] of Object.entries(ACCEPTED_FIELDS)) {
    if (ACCEPTED_OWN.has(name)) continue;
    const e = ENTER_FIELDS[name];
    if (!e || e.length !== a.length) throw new Error(`gateway: Order Accepted's ${name} is not an Enter Order field of the same length (contract layouts)`);
    const last = runs[runs.length - 1];
    if (last && last[0] + last[2] === e.offset && last[1] + last[2] === a.offset) last[2] += e.length;
    else runs.push([e.offset, a.offset, e.length]);
  }
  return runs;
})();
const ACCEPTED_TIMESTAMP = ACCEPTED_FIELDS.timestamp.offset;
const ACCEPTED_REF = ACCEPTED_FIELDS.orderReferenceNumber.offset;
const ACCEPTED_STATE = ACCEPTED_FIELDS.orderState.offset;

/** An Enter Order that passed the session's checks and waits for its batch's decision. */
interface PendingEnter {
  u: SessionState;
  m: EnterOrder;
  tIn: number;
  /** The read that carried it (the native read path: its bytes are the message's), or null. */
  src: Buffer | null;
  /** Offset of the Enter Order in `src`. */
  at: number;
}

/** Monotonic ns as a number (per-order timing): no BigInt allocated per reading. */
function nowNs(): number {
  return performance.now() * 1e6;
}

let stampMs = -1;
let stampNs = 0n;
/** Nanoseconds since midnight at ms resolution; the BigInt is made once per ms, not per message. */
function nsSinceMidnight(): bigint {
  const ms = Date.now() % 86_400_000;
  if (ms !== stampMs) {
    stampMs = ms;
    stampNs = BigInt(ms) * 1_000_000n;
  }
  return stampNs;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a.padEnd(16, ' '), 'latin1');
  const y = Buffer.from(b.padEnd(16, ' '), 'latin1');
  return x.length === y.length && timingSafeEqual(x, y) && a === b;
}

export class Gateway {
  private readonly server: Server;
  private readonly users = new Map<string, SessionState>();
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<ServerSession>();
  private readonly totals = newCounters();
  private readonly timing: SessionTiming;
  private readonly log: Logger;
  private readonly now: Clock;
  private readonly stamp: () => bigint;
  private readonly symbols: Set<string> | null;
  private readonly sessionName: string;
  private readonly maxPacket: number;
  private readonly maxUnsent: number;
  private timer: NodeJS.Timeout | null = null;
  /** When each (session, problem) was last logged, and how many since were not (see problem). */
  private readonly logged = new Map<string, { at: number; leftOut: number }>();
  /** Order Reference Numbers (u64 on the wire) as a number: no BigInt made per order (2^53 is never reached). */
  private nextOrderRef = 1;
  private nextMatch = 1n;
  private ended = false;
  /** Enter Orders of the read under way, decided together at its end (decideBatch). */
  private readonly batch: PendingEnter[] = [];
  /**
   * The batch is the first `batchN` entries of `batch`, objects reused from batch to batch, and
   * `checks` the array handed to decideBatch (no array or entry object per order, issue 13).
   */
  private batchN = 0;
  private readonly checks: OrderToCheck[] = [];
  /** The order an OrderListener's `accepted` is told of, reused (valid during the call). */
  private readonly view: OrderView = { session: '', userRefNum: 0, side: 'B', symbol: '', price: 0n, quantity: 0, timeInForce: '' };
  /** Values of Order Executed, reused (an encode reads them at once): no object per answer. */
  private readonly executedValues = { timestamp: 0n as bigint, userRefNum: 0, quantity: 0, price: 0n as bigint, liquidityFlag: '', matchNumber: 0n as bigint };
  /** Order Accepted's own fields (the rest are the Enter Order's), set before each encode. */
  private readonly acceptedFields = outboundOverrides('ORDER_ACCEPTED', { timestamp: 0n as bigint, orderReferenceNumber: 0 as number, orderState: ORDER_LIVE as string });
  /** The native read path (GatewayOptions.nativeRead), its output and the traded symbols by index. */
  private readonly reader: ReadScanner | null;
  private readonly scanOut = new Uint32Array(SCAN_HEADER + MAX_BATCH * SCAN_WORDS);
  private readonly symbolList: readonly string[];
  /** Sockets whose read waits for room (hasRoom): each one's resume. */
  private readonly held = new Set<() => void>();
  private readonly holdMs: number;
  /** Reads that waited for room and how many of them waited the whole holdForRoomMs. */
  readonly roomWaits = { reads: 0, timedOut: 0 };
  /** Reads that went through the native read path (at least one order taken) and the orders it took. */
  readonly nativeReads = { reads: 0, orders: 0 };

  constructor(private readonly o: GatewayOptions) {
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
    this.log = o.log ?? silentLogger;
    this.now = o.now ?? systemClock;
    this.stamp = o.timestampNs ?? nsSinceMidnight;
    this.symbols = o.symbols ? new Set(o.symbols) : null;
    this.sessionName = (o.sessionName ?? 'RISKGATE').slice(0, LIMIT_SESSION_NAME);
    this.maxPacket = o.maxPacket ?? SOUPBINTCP.maxPacket;
    this.maxUnsent = o.maxUnsentBytes ?? MAX_UNSENT;
    this.symbolList = o.symbols ?? [];
    this.holdMs = o.holdForRoomMs ?? HOLD_FOR_ROOM_MS;
    this.reader = o.nativeRead && o.symbols && o.decideBatch ? o.nativeRead(o.symbols, this.maxPacket) : null;
    for (const s of o.sessions) {
      if (this.users.has(s.username)) throw new Error(`gateway: session ${s.username} is configured twice`);
      const stream = new MessageStream();
      this.users.set(s.username, {
        cfg: s, stream, conn: null, lastUserRefNum: 0, usedUserRefNums: new UsedRefs(), orders: new Map(), clientCanceled: new Map(),
        counters: newCounters(), chain: Promise.resolve(), pending: 0, tailEnters: false, replaying: false,
      });
    }
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; every session's stream begins with System Event S (start of day). */
  async start(): Promise<AddressInfo> {
    for (const u of this.users.values()) this.emit(u, 'SYSTEM_EVENT', { timestamp: this.stamp(), eventCode: SYSTEM_START });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        // After start an accept error (e.g. out of file descriptors) is logged, never fatal.
        this.server.on('error', (e) => this.log.error({ err: e }, 'order entry: server error'));
        resolve();
      });
    });
    const tick = this.o.tickMs ?? Math.max(5, Math.min(this.timing.heartbeatMs, this.timing.timeoutMs) / 4);
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
    const addr = this.address();
    this.log.info({ host: addr.address, port: addr.port, sessions: this.users.size }, 'order entry: listening');
    return addr;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Ends the day: System Event E to every session, End of Session to connected clients, close. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.flushBatch();
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.race([Promise.all([...this.users.values()].map((u) => u.chain)), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
    for (const u of this.users.values()) {
      this.emit(u, 'SYSTEM_EVENT', { timestamp: this.stamp(), eventCode: SYSTEM_END });
      u.conn?.end();
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.end();
      setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, 200).unref();
    });
  }

  /** Counters: per session and in total. */
  stats(): { totals: Counters; sessions: Record<string, Counters> } {
    const sessions: Record<string, Counters> = {};
    for (const [name, u] of this.users) sessions[name] = { ...u.counters };
    return { totals: { ...this.totals }, sessions };
  }

  /** Open orders of a session (userRefNum → open shares). */
  openOrders(username: string): Map<number, number> {
    const u = this.users.get(username);
    return new Map([...(u?.orders ?? new Map<number, LiveOrder>())].map(([k, v]) => [k, v.quantity]));
  }

  /**
   * An execution of a live order (the venue hookup calls this): Order Executed to its
   * session. False when the order is not live or has fewer open shares.
   */
  execute(username: string, userRefNum: number, quantity: number, price: bigint, liquidityFlag = 'R'): boolean {
    const u = this.users.get(username);
    if (!u || !Number.isInteger(quantity) || quantity < 1 || price < 0n || price >= 1n << 64n) return false;
    const ord = u.orders.get(userRefNum);
    const canceled = u.clientCanceled.size > 0 ? (u.clientCanceled.get(userRefNum) ?? 0) : 0;
    if (quantity > (ord?.quantity ?? 0) + canceled) return false;
    // Shares the client canceled but the venue executed before the cancel got there traded:
    // they are taken first (the venue's cancel, when it lands, finds only what is left).
    const fromCanceled = Math.min(canceled, quantity);
    this.takeClientCanceled(u, userRefNum, fromCanceled);
    if (ord && quantity > fromCanceled) {
      ord.quantity -= quantity - fromCanceled;
      if (ord.quantity === 0) u.orders.delete(userRefNum);
    }
    this.totals.executed++;
    u.counters.executed++;
    const x = this.executedValues;
    x.timestamp = this.stamp();
    x.userRefNum = userRefNum;
    x.quantity = quantity;
    x.price = price;
    x.liquidityFlag = liquidityFlag;
    x.matchNumber = this.nextMatch++;
    this.emit(u, 'ORDER_EXECUTED', x);
    return true;
  }

  /**
   * Cancels `quantity` open shares of a live order on the gateway's own initiative (the venue
   * hookup: `I` an IOC remainder, `Z` system, `S` supervisory): Order Canceled to its session.
   * False when the order is not live or has fewer open shares.
   */
  cancel(username: string, userRefNum: number, quantity: number, reason: 'I' | 'Z' | 'S'): boolean {
    const u = this.users.get(username);
    const ord = u?.orders.get(userRefNum);
    if (u && Number.isInteger(quantity) && quantity >= 1 && u.clientCanceled.size > 0 && u.clientCanceled.has(userRefNum)) {
      // The venue confirms a cancel the client already has its answer for: settled, not sent again.
      const settled = Math.min(quantity, u.clientCanceled.get(userRefNum)!);
      this.takeClientCanceled(u, userRefNum, settled);
      quantity -= settled;
      if (quantity === 0) return false;
    }
    if (!u || !ord || !Number.isInteger(quantity) || quantity < 1 || quantity > ord.quantity) return false;
    ord.quantity -= quantity;
    if (ord.quantity === 0) u.orders.delete(userRefNum);
    this.totals.canceled++;
    u.counters.canceled++;
    this.canceledAt(u, userRefNum, quantity, reason === 'I' ? I_BYTE : reason === 'Z' ? Z_BYTE : S_BYTE);
    return true;
  }

  /**
   * Order Canceled written in place at the end of the session's stream, field by field (the
   * values are checked above: a u32 UserRefNum, 1.. shares, a reason byte), the bytes `emit`
   * would encode: the venue's answer to every IOC order comes here (issue 13).
   */
  private canceledAt(u: SessionState, userRefNum: number, quantity: number, reasonByte: number): void {
    const t = u.stream.appendAt(CANCELED_SIZE);
    const c = u.stream.chunk;
    c[t] = CANCELED_TYPE;
    writeU64(c, t + CANCELED_TIMESTAMP, this.stamp());
    c.writeUInt32BE(userRefNum, t + CANCELED_REF);
    c.writeUInt32BE(quantity, t + CANCELED_QTY);
    c[t + CANCELED_REASON] = reasonByte;
    if (u.conn && u.conn.state === 'logged-in' && !u.replaying) u.conn.sendSequencedAt(c, t, CANCELED_SIZE);
  }

  /**
   * A restarted `riskgate run --order-entry` (spec §14.10): the session goes on numbering above
   * `lastUserRefNum`, and each order the previous incarnation accepted that is still open is
   * live again, announced on the session's new stream as Order Accepted with its open shares.
   */
  restore(username: string, lastUserRefNum: number, open: readonly (OrderView & { clOrdId: string })[]): void {
    const u = this.users.get(username);
    if (!u) throw new Error(`gateway: no session ${username} to restore`);
    u.lastUserRefNum = Math.max(u.lastUserRefNum, lastUserRefNum);
    for (const o of open) {
      const ref = this.nextOrderRef++;
      u.usedUserRefNums.add(o.userRefNum);
      u.orders.set(o.userRefNum, { userRefNum: o.userRefNum, side: o.side, symbol: o.symbol, price: o.price, quantity: o.quantity, orderReferenceNumber: ref, capacity: 'A', crossType: 'N', timeInForce: o.timeInForce });
      this.emit(u, 'ORDER_ACCEPTED', {
        timestamp: this.stamp(), userRefNum: o.userRefNum, side: o.side, quantity: o.quantity, symbol: o.symbol, price: o.price,
        timeInForce: o.timeInForce, display: 'Y', orderReferenceNumber: ref, capacity: 'A', interMarketSweepEligibility: 'N',
        crossType: 'N', orderState: ORDER_LIVE, clOrdId: o.clOrdId,
      });
    }
  }

  /** Orders of every session with open shares, for a mass cancel (session, UserRefNum, shares). */
  liveOrders(): { session: string; userRefNum: number; quantity: number }[] {
    const out = [];
    for (const [name, u] of this.users) for (const o of u.orders.values()) out.push({ session: name, userRefNum: o.userRefNum, quantity: o.quantity });
    return out;
  }

  /** Shares the client canceled that the venue may still execute (its cancel is on the way). */
  private awaitVenue(u: SessionState, userRefNum: number, quantity: number): void {
    u.clientCanceled.set(userRefNum, (u.clientCanceled.get(userRefNum) ?? 0) + quantity);
  }

  private takeClientCanceled(u: SessionState, userRefNum: number, quantity: number): void {
    if (quantity === 0) return;
    const left = (u.clientCanceled.get(userRefNum) ?? 0) - quantity;
    if (left > 0) u.clientCanceled.set(userRefNum, left);
    else u.clientCanceled.delete(userRefNum);
  }

  // ------------------------------------------------------------------------- connections

  private accept(socket: Socket): void {
    if (this.ended) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    this.totals.connections++;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let user: SessionState | null = null;
    /** Index into the stream of the first message this login replays. */
    let firstIndex = 0;
    const write = coalescedWrite(socket, Math.min(64 << 10, this.maxUnsent * REPLAY_HIGH_WATER / 2));
    const session: ServerSession = new ServerSession({
      timing: this.timing,
      now: this.now,
      maxPacket: this.maxPacket,
      send: (b) => {
        if (socket.destroyed) return;
        write(b);
        if (socket.writableLength > this.maxUnsent) queueMicrotask(() => session.abort('SLOW_CONSUMER', `${socket.writableLength} bytes unsent`));
      },
      packet: (type, payload) => {
        if (socket.destroyed) return;
        write.packet(type, payload);
        if (socket.writableLength > this.maxUnsent) queueMicrotask(() => session.abort('SLOW_CONSUMER', `${socket.writableLength} bytes unsent`));
      },
      packetAt: (type, src, at, len) => {
        if (socket.destroyed) return;
        write.packetAt(type, src, at, len);
        if (socket.writableLength > this.maxUnsent) queueMicrotask(() => session.abort('SLOW_CONSUMER', `${socket.writableLength} bytes unsent`));
      },
      close: () => {
        write.flush();
        socket.end();
        setTimeout(() => socket.destroy(), LINGER_MS).unref();
      },
      hooks: {
        login: (req) => {
          const d = this.login(req);
          if (d.accepted) {
            user = this.users.get(req.username)!;
            firstIndex = Number(d.firstSeq) - 1;
          } else {
            this.o.onEvent?.({ event: 'login_refused', session: req.username, peer, kind: d.code, detail: d.why });
          }
          return d;
        },
        loggedIn: () => {
          const u = user!;
          u.conn = session;
          this.count(u, 'logins');
          this.log.info({ session: u.cfg.username, peer }, 'order entry: logged in');
          this.o.onEvent?.({ event: 'login', session: u.cfg.username, peer });
          void this.replay(u, session, socket, firstIndex);
        },
        data: (payload) => {
          const u = user!;
          // From the read that carried the packet: an order also waits for those read before it.
          const tIn = readAt;
          if (u.pending === 0) {
            // Nothing queued: handled here and now, without a promise (a synchronous decider
            // answers in this call); only a decision that is still pending queues what follows.
            let r: void | Promise<void>;
            try {
              r = this.message(u, session, payload, tIn);
            } catch (e) {
              this.internalError(u, e);
              return;
            }
            if (r) {
              this.queue(u, socket, r);
              u.tailEnters = payload[0] === ENTER_TYPE;
            }
            return;
          }
          if (u.tailEnters && this.pipelined(u, session, socket, payload, tIn)) return;
          u.tailEnters = false;
          const copy = Buffer.from(payload);
          this.queue(u, socket, u.chain.then(() => {
            const r = this.message(u, session, copy, tIn);
            // Outside a read: an Enter Order queued behind a pending decision is decided now.
            this.flushBatch();
            return r;
          }));
        },
        ...(this.reader ? { read: (chunk: Buffer) => this.nativeRead(user!, chunk, readAt) } : {}),
        problem: (kind, detail) => this.problem(user, kind, detail, peer),
        closed: (reason) => {
          this.flushBatch();
          if (user) {
            if (user.conn === session) user.conn = null;
            if (reason === 'logout') this.count(user, 'logouts');
          }
          this.log.info({ session: user?.cfg.username, peer, reason }, 'order entry: connection closed');
          this.o.onEvent?.({ event: reason === 'logout' ? 'logout' : 'disconnect', session: user?.cfg.username, peer, kind: reason });
        },
      },
    });
    /** When the read under way returned (--latency): each order's time starts there. */
    let readAt = 0;
    /** A read waiting for room (hasRoom): when it first came (its orders' time starts there), and its timer. */
    let heldAt = 0;
    let holdTimer: NodeJS.Timeout | null = null;
    let holdOver = false;
    const resume = () => {
      this.held.delete(resume);
      socket.resume();
    };
    socket.on('data', (chunk: Buffer) => {
      if (this.o.onOrderTiming) readAt = nowNs();
      const hasRoom = this.o.hasRoom;
      if (hasRoom && user !== null && !holdOver && !hasRoom(Math.ceil(chunk.length / ENTER_PACKET_MIN))) {
        // Not enough free engine ids for what this read may carry: wait for the venue's answers
        // (roomMade), at most holdForRoomMs, with the read put back in front of the socket's.
        socket.pause();
        socket.unshift(chunk);
        this.held.add(resume);
        if (holdTimer === null) {
          heldAt = readAt;
          this.roomWaits.reads++;
          holdTimer = setTimeout(() => {
            holdOver = true;
            this.roomWaits.timedOut++;
            resume();
          }, this.holdMs);
        }
        return;
      }
      if (holdTimer !== null) {
        clearTimeout(holdTimer);
        holdTimer = null;
        if (this.o.onOrderTiming) readAt = heldAt;
      }
      holdOver = false;
      try {
        session.receive(chunk);
      } catch (e) {
        // A bug must cost this connection, never the gateway and its other sessions.
        this.log.error({ session: user?.cfg.username, peer, err: e }, 'order entry: internal error');
        session.abort('INTERNAL_ERROR', (e as Error).message);
      }
      // The read's Enter Orders, decided together (their answers keep their places).
      this.flushBatch();
    });
    socket.on('error', (e) => session.drop(`socket error: ${e.message}`));
    socket.on('close', () => {
      this.held.delete(resume);
      if (holdTimer !== null) clearTimeout(holdTimer);
      this.sockets.delete(socket);
      session.drop('peer closed');
      this.connections.delete(session);
    });
    this.connections.add(session);
  }

  /**
   * pipelineEnters: an Enter Order behind pending Enter Orders only is decided now (the
   * decider gets it after theirs), its answer chained after theirs. Only the plain case: a
   * well-formed Enter with a fresh UserRefNum and a traded symbol, whose checks touch nothing
   * the answers before it could change; anything else (whose refusal must be sequenced in
   * its place) returns false and takes the ordinary in-order path.
   */
  private pipelined(u: SessionState, conn: ServerSession, socket: Socket, payload: Buffer, tIn: number): boolean {
    if (!this.o.pipelineEnters || this.o.decideBatch || payload[0] !== ENTER_TYPE) return false;
    // A copy: the decision and the answer come after the read's buffer is reused.
    const d = decodeInbound(Buffer.from(payload));
    if (!d.ok || d.msg.kind !== 'ENTER_ORDER') return false;
    const m = d.msg;
    if (m.userRefNum <= u.lastUserRefNum || (this.symbols && !this.symbols.has(m.symbol))) return false;
    this.totals.messages++;
    u.counters.messages++;
    if (!this.takeUserRefNum(u, conn, m.userRefNum, m.clOrdId)) throw new Error('internal: a fresh UserRefNum was refused');
    let code: OuchRejectName | null | Promise<OuchRejectName | null>;
    try {
      code = this.decide(u, toCheck(u, m));
    } catch (e) {
      code = this.decideFailed(u, `decide threw: ${(e as Error).message}`);
    }
    const decided = Promise.resolve(code);
    // The answer waits for the answers before it; the decision is under way meanwhile.
    this.queue(u, socket, u.chain.then(() => decided).then((c) => this.entered(u, m, tIn, c)));
    return true;
  }

  /**
   * The native read path: the plain Enter Orders at the start of a read, framed, decoded and
   * checked in one native call (ReadScanner), each then handled as `message` handles it (counted,
   * its UserRefNum taken, into the read's batch). Returns the bytes taken; the session hands the
   * rest to the ordinary path. Nothing while a decision of the session is pending (its messages
   * then queue in order).
   */
  private nativeRead(u: SessionState, chunk: Buffer, tIn: number): number {
    if (u.pending !== 0) return 0;
    const r = this.reader!;
    const out = this.scanOut;
    const symbols = this.symbolList;
    let from = 0;
    for (;;) {
      const n = r.scan(chunk, from, u.lastUserRefNum, out);
      for (let k = 0, w = SCAN_HEADER; k < n; k++, w += SCAN_WORDS) {
        const a = out[w + 5];
        const b = out[w + 6];
        const m = new ScannedEnter(
          out[w + 1], CHAR[a & 0xff] as Side, out[w + 2], symbols[out[w + 4]], BigInt(out[w + 3]), CHAR[(a >>> 8) & 0xff],
          CHAR[(a >>> 16) & 0xff], CHAR[a >>> 24], CHAR[b & 0xff], CHAR[(b >>> 8) & 0xff], chunk, out[w],
        );
        this.totals.messages++;
        u.counters.messages++;
        // The scan took it only above the session's last UserRefNum (takeUserRefNum's fresh case).
        u.lastUserRefNum = m.userRefNum;
        u.usedUserRefNums.add(m.userRefNum);
        try {
          this.enterRead(u, m, tIn, chunk, out[w]);
        } catch (e) {
          this.internalError(u, e);
        }
      }
      this.nativeReads.orders += n;
      from = out[0];
      if (out[2] !== SCAN_FULL) break;
    }
    if (from > 0) this.nativeReads.reads++;
    return from;
  }

  /** A message whose handling is still pending: the session's next ones wait for it, in order. */
  private queue(u: SessionState, socket: Socket, work: Promise<void>): void {
    u.pending++;
    if (u.pending >= MAX_PENDING) socket.pause();
    u.chain = work
      .catch((e: unknown) => this.internalError(u, e))
      .finally(() => {
        u.pending--;
        if (u.pending < MAX_PENDING / 2 && socket.isPaused()) socket.resume();
      });
  }

  /** A bug costs this message (never forwarded), not the session or the gateway. */
  private internalError(u: SessionState, e: unknown): void {
    this.log.error({ session: u.cfg.username, err: e }, 'order entry: internal error handling a message');
    this.problem(u, 'INTERNAL_ERROR', `handling a message: ${(e as Error).message}`);
  }

  /** Engine order ids were freed (the venue's answers): reads waiting for room (hasRoom) look again. */
  roomMade(): void {
    if (this.held.size === 0) return;
    for (const r of [...this.held]) r();
  }

  private tick(): void {
    for (const c of this.connections) c.tick();
  }

  private login(req: LoginRequest): LoginDecision {
    const u = this.users.get(req.username);
    if (!u || !sameSecret(req.password, u.cfg.password)) return { accepted: false, code: SoupLoginReject.NOT_AUTHORIZED, why: 'unknown username or wrong password' };
    if (req.requestedSession !== '' && req.requestedSession !== this.sessionName) {
      return { accepted: false, code: SoupLoginReject.SESSION_NOT_AVAILABLE, why: `session ${JSON.stringify(req.requestedSession)} is not the current session ${JSON.stringify(this.sessionName)}` };
    }
    if (u.conn && u.conn.state !== 'closed') return { accepted: false, code: SoupLoginReject.SESSION_NOT_AVAILABLE, why: 'already logged in on another connection' };
    if (this.ended) return { accepted: false, code: SoupLoginReject.SESSION_NOT_AVAILABLE, why: 'the session has ended' };
    const next = BigInt(u.stream.length + 1);
    // 0 asks for new messages only; past the end starts at the end (Login Accepted says where).
    const first = req.requestedSequenceNumber === 0n || req.requestedSequenceNumber > next ? next : req.requestedSequenceNumber;
    return { accepted: true, session: this.sessionName, firstSeq: first };
  }

  private problem(u: SessionState | null, kind: SessionProblem | OuchProblem, detail: string, peer?: string): void {
    this.totals[kind]++;
    if (u) u.counters[kind]++;
    // Logged once per session and problem per interval, with how many were left out since: a
    // flood (every order refused while 4,096 are in flight) must not cost a log line each.
    // Counters and session events (audit) still see every one.
    const key = `${u?.cfg.username ?? ''}\u0000${kind}`;
    const now = this.now();
    const last = this.logged.get(key);
    if (last && now - last.at < PROBLEM_LOG_INTERVAL_MS) {
      last.leftOut++;
    } else {
      this.log.warn({ session: u?.cfg.username, peer, problem: kind, detail, ...(last?.leftOut ? { sameProblemsNotLogged: last.leftOut } : {}) }, `order entry: ${kind}`);
      this.logged.set(key, { at: now, leftOut: 0 });
    }
    this.o.onEvent?.({ event: 'problem', session: u?.cfg.username, peer, kind, detail });
  }

  /** A counter of the session and the totals (the per-order ones are incremented by name where they happen: no keyed access). */
  private count(u: SessionState, c: Counter): void {
    this.totals[c]++;
    u.counters[c]++;
  }

  /** Appends a sequenced message to the session's stream and sends it if it is connected. */
  private emit(u: SessionState, kind: OuchOutboundName, values: OutboundValues, overrides?: OutboundValues): void {
    // Encoded in place at the end of the stream (no Buffer object per message); a message that
    // cannot be encoded is taken back.
    const size = outboundSize(kind);
    const at = u.stream.appendAt(size);
    const chunk = u.stream.chunk;
    try {
      encodeOutboundAt(kind, values, chunk, at, overrides);
    } catch (e) {
      u.stream.dropLast();
      throw e;
    }
    if (u.conn && u.conn.state === 'logged-in' && !u.replaying) u.conn.sendSequencedAt(chunk, at, size);
  }

  /**
   * Order Accepted of a plain Enter Order the native read path took, from the Enter Order's own
   * bytes (`src` from `at`: no appendage, every field as the decoder would read it back, its
   * symbol and clOrdId space-padded as an encoder writes them), the same bytes `emit` would encode
   * from the decoded order: the Accepted repeats the Enter's fields around its own three.
   */
  private acceptedFrom(u: SessionState, src: Buffer, at: number, ref: number): void {
    const t = u.stream.appendAt(ACCEPTED_SIZE);
    const c = u.stream.chunk;
    // Byte by byte: Buffer.copy's JavaScript wrapper costs more than these few bytes (issue 13 profile).
    c[t] = ACCEPTED_TYPE;
    writeU64(c, t + ACCEPTED_TIMESTAMP, this.stamp());
    for (const [from, to, len] of ACCEPTED_FROM_ENTER) for (let i = 0; i < len; i++) c[t + to + i] = src[at + from + i];
    c.writeUInt32BE(Math.floor(ref / 0x1_0000_0000), t + ACCEPTED_REF);
    c.writeUInt32BE(ref >>> 0, t + ACCEPTED_REF + 4);
    c[t + ACCEPTED_STATE] = ORDER_LIVE_BYTE;
    if (u.conn && u.conn.state === 'logged-in' && !u.replaying) u.conn.sendSequencedAt(c, t, ACCEPTED_SIZE);
  }

  /**
   * Sends the stream from `from` to its end, then hands over to live sending. It waits for
   * the socket to drain as it goes, so a long replay neither buffers without bound nor
   * trips the slow-consumer limit; messages appended meanwhile are sent by the replay.
   */
  private async replay(u: SessionState, conn: ServerSession, socket: Socket, from: number): Promise<void> {
    u.replaying = true;
    try {
      await replayStream(u.stream, from, {
        open: () => conn.state === 'logged-in',
        send: (p) => conn.sendSequenced(p),
        unsent: () => socket.writableLength,
        drained: () =>
          new Promise<void>((resolve) => {
            const done = () => {
              socket.off('drain', done);
              socket.off('close', done);
              resolve();
            };
            socket.on('drain', done);
            socket.on('close', done);
          }),
      }, this.maxUnsent * REPLAY_HIGH_WATER);
    } finally {
      if (u.conn === conn) u.replaying = false;
    }
  }


  // ------------------------------------------------------------------------- OUCH

  /** A session problem that ignores the message: counted, logged, a Debug packet sent. */
  private ignore(u: SessionState, conn: ServerSession, kind: OuchProblem, detail: string): void {
    this.flushBatch();
    this.problem(u, kind, detail);
    conn.debug(`${kind}: ${detail}`);
  }

  /**
   * Takes a new UserRefNum if it is above the session's last one. A used or out-of-sequence
   * one is refused out loud (§16.6): counted, logged, a Debug with the detail and an Order
   * Rejected `OTHER` naming it — a client that lost its numbering (a restarted gateway at its
   * venue) sees why, instead of waiting for an answer that never comes.
   */
  private takeUserRefNum(u: SessionState, conn: ServerSession, ref: number, clOrdId: string): boolean {
    if (ref > u.lastUserRefNum) {
      u.lastUserRefNum = ref;
      u.usedUserRefNums.add(ref);
      return true;
    }
    const dup = u.usedUserRefNums.has(ref);
    this.ignore(u, conn, dup ? 'DUPLICATE_USER_REF_NUM' : 'USER_REF_NUM_OUT_OF_SEQUENCE',
      `UserRefNum ${ref} ${dup ? 'is already used' : 'is not above the last one'} (last ${u.lastUserRefNum}; an Account Query gives the next)`);
    this.reject(u, ref, 'OTHER', clOrdId);
    return false;
  }

  private reject(u: SessionState, userRefNum: number, code: OuchRejectName, clOrdId: string): void {
    this.flushBatch();
    this.o.onEvent?.({ event: 'reject', session: u.cfg.username, kind: code, userRefNum });
    this.emit(u, 'ORDER_REJECTED', { timestamp: this.stamp(), userRefNum, reason: OuchReject[code], clOrdId });
  }

  /** One inbound message; a Promise only while a decision is pending (an asynchronous decider). */
  private message(u: SessionState, conn: ServerSession, payload: Buffer, tIn: number): void | Promise<void> {
    this.totals.messages++;
    u.counters.messages++;
    // Anything but an Enter Order waits for the Enter Orders before it to be decided.
    if (this.batchN > 0 && payload[0] !== ENTER_TYPE) this.flushBatch();
    const d = decodeInbound(payload);
    if (!d.ok) {
      const e = d.error;
      if (e.reject && (d.kind === 'ENTER_ORDER' || d.kind === 'REPLACE_ORDER') && d.userRefNum !== undefined) {
        if (!this.takeUserRefNum(u, conn, d.userRefNum, d.clOrdId ?? '')) return;
        this.problem(u, 'INVALID_ORDER', e.message);
        this.reject(u, d.userRefNum, e.reject, d.clOrdId ?? '');
        return;
      }
      const kind: OuchProblem = e.reject ? 'INVALID_CANCEL' : e.code === 'OUCH_LENGTH' ? 'OUCH_LENGTH' : 'OUCH_UNKNOWN_TYPE';
      this.ignore(u, conn, kind, e.message);
      return;
    }
    const m = d.msg;
    switch (m.kind) {
      case 'ENTER_ORDER':
        if (!this.takeUserRefNum(u, conn, m.userRefNum, m.clOrdId)) return;
        if (this.symbols && !this.symbols.has(m.symbol)) {
          this.problem(u, 'INVALID_ORDER', `symbol ${JSON.stringify(m.symbol)} is not traded`);
          this.reject(u, m.userRefNum, 'INVALID_SYMBOL', m.clOrdId);
          return;
        }
        return this.enter(u, m, tIn);
      case 'REPLACE_ORDER': {
        const orig = u.orders.get(m.origUserRefNum);
        if (!orig) {
          this.ignore(u, conn, 'UNKNOWN_ORDER', `Replace names UserRefNum ${m.origUserRefNum}, which is not a live order`);
          return;
        }
        if (!this.takeUserRefNum(u, conn, m.userRefNum, m.clOrdId)) return;
        return this.replace(u, orig, m, tIn);
      }
      case 'CANCEL_ORDER': {
        const ord = u.orders.get(m.userRefNum);
        if (!ord) {
          this.problem(u, 'UNKNOWN_ORDER', `Cancel names UserRefNum ${m.userRefNum}, which is not a live order`);
          this.emit(u, 'CANCEL_REJECT', { timestamp: this.stamp(), userRefNum: m.userRefNum });
          return;
        }
        const dec = ord.quantity - Math.min(m.quantity, ord.quantity);
        if (dec === 0) return; // nothing above the requested remainder: nothing to cancel
        ord.quantity -= dec;
        if (ord.quantity === 0) u.orders.delete(m.userRefNum);
        this.totals.canceled++;
        u.counters.canceled++;
        this.emit(u, 'ORDER_CANCELED', { timestamp: this.stamp(), userRefNum: m.userRefNum, quantity: dec, reason: CANCEL_USER });
        if (this.o.orders?.reduced?.(u.cfg.username, m.userRefNum, ord.quantity) === true) this.awaitVenue(u, m.userRefNum, dec);
        return;
      }
      case 'ACCOUNT_QUERY':
        // Last used + 1 (1 before the first); 0 once the day's u32 numbers are used up.
        this.emit(u, 'ACCOUNT_QUERY_RESPONSE', { timestamp: this.stamp(), nextUserRefNum: u.lastUserRefNum >= U32_MAX ? 0 : u.lastUserRefNum + 1 });
        return;
      case 'MODIFY_ORDER': {
        const ord = u.orders.get(m.userRefNum);
        if (!ord) {
          this.problem(u, 'UNKNOWN_ORDER', `Modify names UserRefNum ${m.userRefNum}, which is not a live order`);
          this.emit(u, 'CANCEL_REJECT', { timestamp: this.stamp(), userRefNum: m.userRefNum });
          return;
        }
        if (m.side !== ord.side || m.quantity > ord.quantity) {
          this.ignore(u, conn, 'BAD_MODIFY', `Modify of UserRefNum ${m.userRefNum} to side ${m.side} quantity ${m.quantity}: only a quantity decrease on the same side (${ord.side}, ${ord.quantity} open) is accepted`);
          return;
        }
        const dec = ord.quantity - m.quantity;
        ord.quantity = m.quantity;
        if (ord.quantity === 0) u.orders.delete(m.userRefNum);
        this.count(u, 'modified');
        this.emit(u, 'ORDER_MODIFIED', { timestamp: this.stamp(), userRefNum: m.userRefNum, side: ord.side, quantity: m.quantity });
        if (this.o.orders?.reduced?.(u.cfg.username, m.userRefNum, ord.quantity) === true && dec > 0) this.awaitVenue(u, m.userRefNum, dec);
        return;
      }
    }
  }

  /**
   * The decision on an order: null (accepted) or the OUCH reject code; anything but a
   * well-formed decision rejects it (fail closed). Synchronous when the decider is.
   */
  private decide(u: SessionState, order: OrderToCheck): OuchRejectName | null | Promise<OuchRejectName | null> {
    this.totals.checked++;
    u.counters.checked++;
    let d: Decision | Promise<Decision>;
    try {
      d = this.o.decide(order);
    } catch (e) {
      return this.decideFailed(u, `decide threw: ${(e as Error).message}`);
    }
    if (d && typeof (d as Promise<Decision>).then === 'function') {
      return (d as Promise<Decision>).then((x) => this.verdict(u, x), (e: unknown) => this.decideFailed(u, `decide threw: ${(e as Error).message}`));
    }
    return this.verdict(u, d as Decision);
  }

  private verdict(u: SessionState, d: Decision): OuchRejectName | null {
    if (d && d.accept === true) return null;
    if (d && d.accept === false && 'failed' in d && typeof d.failed === 'string') return this.decideFailed(u, d.failed);
    const reasons = d && d.accept === false && 'reasons' in d ? d.reasons : NaN;
    if (!Number.isInteger(reasons) || reasons <= 0 || (reasons & ~KNOWN_REASONS) !== 0) {
      return this.decideFailed(u, `decide returned ${JSON.stringify(d)}: not an acceptance nor known reason bits`);
    }
    return OUCH_REJECT_BY_REASON_BIT[31 - Math.clz32(reasons & -reasons)];
  }

  private decideFailed(u: SessionState, detail: string): OuchRejectName {
    this.problem(u, 'DECIDE_FAILED', detail);
    return 'OTHER';
  }

  /** Per-order timing after the answer (and the forward): see GatewayOptions.onOrderTiming. */
  private timed(tIn: number, answered: number, forwarded: number): void {
    this.o.onOrderTiming!(tIn, answered, forwarded);
  }

  private enter(u: SessionState, m: EnterOrder, tIn: number): void | Promise<void> {
    if (this.o.decideBatch) {
      this.pushEnter(u, m, tIn, null, 0);
      return;
    }
    const d = this.decide(u, toCheck(u, m));
    if (d instanceof Promise) return d.then((code) => this.entered(u, m, tIn, code));
    this.entered(u, m, tIn, d);
  }

  /** `enter` of an order the native read path took: its bytes in the read stay with it (decideBatch only). */
  private enterRead(u: SessionState, m: EnterOrder, tIn: number, src: Buffer, at: number): void {
    this.pushEnter(u, m, tIn, src, at);
  }

  /** Adds an Enter Order to the read's batch (decided when the read is done, or at MAX_BATCH). */
  private pushEnter(u: SessionState, m: EnterOrder, tIn: number, src: Buffer | null, at: number): void {
    const p = this.batch[this.batchN];
    if (p === undefined) {
      this.batch.push({ u, m, tIn, src, at });
    } else {
      p.u = u;
      p.m = m;
      p.tIn = tIn;
      p.src = src;
      p.at = at;
    }
    if (++this.batchN >= MAX_BATCH) this.flushBatch();
  }

  /** Decides the batch's Enter Orders in one decideBatch call and answers each, in order. */
  private flushBatch(): void {
    const n = this.batchN;
    if (n === 0) return;
    // Emptied first: answering an order may flush again (reject), which then finds nothing. No
    // order joins the batch while it is answered (nothing here reads a socket), so its entries
    // are reused only after.
    this.batchN = 0;
    const b = this.batch;
    const checks = this.checks;
    checks.length = n;
    for (let k = 0; k < n; k++) checks[k] = toCheck(b[k].u, b[k].m);
    let ds: readonly Decision[] | null = null;
    let failed = '';
    try {
      ds = this.o.decideBatch!(checks);
      if (!Array.isArray(ds) || ds.length !== n) {
        failed = `decideBatch returned ${Array.isArray(ds) ? ds.length : typeof ds} answers for ${n} orders`;
        ds = null;
      }
    } catch (e) {
      failed = `decide threw: ${(e as Error).message}`;
    }
    checks.length = 0;
    for (let k = 0; k < n; k++) {
      const p = b[k];
      const { u, m, tIn, src, at } = p;
      // The pool keeps no read's bytes alive (a scanned order refers to them too).
      p.src = null;
      p.m = NO_ORDER;
      this.totals.checked++;
      u.counters.checked++;
      // Fail closed: without a well-formed answer for it, an order is refused.
      const code = ds ? this.verdict(u, ds[k]) : this.decideFailed(u, failed);
      this.entered(u, m, tIn, code, src, at);
    }
  }

  private entered(u: SessionState, m: EnterOrder, tIn: number, code: OuchRejectName | null, src: Buffer | null = null, at = 0): void {
    if (code !== null) {
      this.totals.rejected++;
      u.counters.rejected++;
      this.reject(u, m.userRefNum, code, m.clOrdId);
      if (this.o.onOrderTiming) this.timed(tIn, nowNs(), 0);
      return;
    }
    const ref = this.nextOrderRef++;
    u.orders.set(m.userRefNum, { userRefNum: m.userRefNum, side: m.side, symbol: m.symbol, price: m.price, quantity: m.quantity, orderReferenceNumber: ref, capacity: m.capacity, crossType: m.crossType, timeInForce: m.timeInForce });
    this.totals.accepted++;
    u.counters.accepted++;
    // The Accepted repeats the Enter Order's fields: encoded from the decoded order itself, its
    // own three fields from one reused object (no values object per order, issue 13).
    if (src !== null) {
      this.acceptedFrom(u, src, at, ref);
    } else {
      const a = this.acceptedFields;
      a.timestamp = this.stamp();
      a.orderReferenceNumber = ref;
      this.emit(u, 'ORDER_ACCEPTED', m as unknown as OutboundValues, a);
    }
    const answered = this.o.onOrderTiming ? nowNs() : 0;
    const listener = this.o.orders?.accepted;
    if (listener) {
      // One view object for every acceptance (the listener reads it during the call: OrderListener).
      const v = this.view;
      v.session = u.cfg.username;
      v.userRefNum = m.userRefNum;
      v.side = m.side;
      v.symbol = m.symbol;
      v.price = m.price;
      v.quantity = m.quantity;
      v.timeInForce = m.timeInForce;
      listener.call(this.o.orders, v, src, at);
    }
    if (this.o.onOrderTiming) this.timed(tIn, answered, nowNs());
  }

  private replace(u: SessionState, orig: LiveOrder, m: ReplaceOrder, tIn: number): void | Promise<void> {
    const d = this.decide(u, {
      session: u.cfg.username, account: u.cfg.account, kind: m.kind, userRefNum: m.userRefNum, origUserRefNum: m.origUserRefNum,
      side: orig.side, symbol: orig.symbol, price: m.price, quantity: m.quantity, timeInForce: m.timeInForce, clOrdId: m.clOrdId, options: m.options,
    });
    if (d instanceof Promise) return d.then((code) => this.replaced(u, orig, m, tIn, code));
    this.replaced(u, orig, m, tIn, d);
  }

  private replaced(u: SessionState, orig: LiveOrder, m: ReplaceOrder, tIn: number, code: OuchRejectName | null): void {
    if (code !== null) {
      // The original order stays live: a risk gate refuses the new terms, it does not cancel.
      this.totals.rejected++;
      u.counters.rejected++;
      this.reject(u, m.userRefNum, code, m.clOrdId);
      if (this.o.onOrderTiming) this.timed(tIn, nowNs(), 0);
      return;
    }
    if (u.orders.get(m.origUserRefNum) !== orig) {
      // Executed or canceled while the decision was pending: nothing left to replace.
      this.problem(u, 'UNKNOWN_ORDER', `Replace of UserRefNum ${m.origUserRefNum}: the order ended while it was being checked`);
      this.reject(u, m.userRefNum, 'OTHER', m.clOrdId);
      return;
    }
    u.orders.delete(m.origUserRefNum);
    const ref = this.nextOrderRef++;
    u.orders.set(m.userRefNum, { ...orig, userRefNum: m.userRefNum, price: m.price, quantity: m.quantity, orderReferenceNumber: ref, timeInForce: m.timeInForce });
    this.count(u, 'replaced');
    this.emit(u, 'ORDER_REPLACED', {
      timestamp: this.stamp(), origUserRefNum: m.origUserRefNum, userRefNum: m.userRefNum, side: orig.side, quantity: m.quantity,
      symbol: orig.symbol, price: m.price, timeInForce: m.timeInForce, display: m.display, orderReferenceNumber: ref,
      capacity: orig.capacity, interMarketSweepEligibility: m.interMarketSweepEligibility, crossType: orig.crossType,
      orderState: ORDER_LIVE, clOrdId: m.clOrdId,
    });
    const answered = this.o.onOrderTiming ? nowNs() : 0;
    this.o.orders?.replaced?.(m.origUserRefNum, { session: u.cfg.username, userRefNum: m.userRefNum, side: orig.side, symbol: orig.symbol, price: m.price, quantity: m.quantity, timeInForce: m.timeInForce });
    if (this.o.onOrderTiming) this.timed(tIn, answered, nowNs());
  }
}
