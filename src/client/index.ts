/**
 * riskgate/client: a small OUCH 5.0 over SoupBinTCP 4.0 client (spec §16). It logs in,
 * sends Enter / Replace / Cancel / Modify with increasing UserRefNums, keeps every answer
 * (Sequenced Data) with its sequence number, and can reconnect asking for what it missed.
 *
 *   const c = await OuchClient.connect({ port, username: 'ALPHA1', password: 'secret' });
 *   const ref = c.enter({ side: 'B', quantity: 100, symbol: 'AAPL', price: '189.50' });
 *   const answer = await c.answer(ref);   // ORDER_ACCEPTED or ORDER_REJECTED
 *   await c.logout();
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { OuchReject, SOUPBINTCP, type OuchOutboundName } from '../contract.ts';
import type { OuchOption } from '../ouch/appendage.ts';
import { ClientSession } from '../ouch/client-session.ts';
import { coalescedWrite } from '../ouch/coalesce.ts';
import { decodeOutbound, encodeInbound, encodeInboundInto, inboundSize, outboundKind, type EnterOrder, type Side } from '../ouch/codec.ts';
import { writeForwardedEnter } from '../ouch/forward.ts';
import { DEFAULT_TIMING, systemClock, type Clock, type SessionTiming } from '../ouch/timing.ts';
import type { FieldValue } from '../ouch/wire.ts';
import type { LoginAccepted } from '../ouch/soup-packets.ts';

export { OuchReject };
export type { Side, OuchOption };

export interface OuchClientOptions {
  host?: string;
  port: number;
  username: string;
  password: string;
  /** '' (default) = the current session. */
  session?: string;
  /** Next sequence number wanted: 1 replays everything, 0 (default) only new messages. */
  requestedSequenceNumber?: bigint;
  /** First UserRefNum to use (default 1); each order takes the next. */
  firstUserRefNum?: number;
  timing?: Partial<Pick<SessionTiming, 'heartbeatMs' | 'timeoutMs'>>;
  now?: Clock;
  /** Login must complete within this long, ms (default 5000). */
  connectTimeoutMs?: number;
  /**
   * Keep every answer in `answers` (default true). A long-lived client that follows answers
   * with `onAnswer` (the gateway's venue connection, a load generator) sets false, so memory
   * stays flat; `answer`/`waitFor` then see only answers that arrive while they wait.
   */
  keepAnswers?: boolean;
  /**
   * Follows every answer from the login on, like `onAnswer` but registered before the Login
   * Request goes out: the answers a re-login asks to replay can arrive in the same read as
   * Login Accepted, before `connect`'s promise lets the caller register a listener (with
   * `keepAnswers: false` they would be lost — a restarted run's venue executions, §14.10).
   */
  onAnswer?: (a: Answer) => void;
}

/** One answer from the gateway: the OUCH message, its fields and its sequence number. */
export interface Answer {
  seq: bigint;
  kind: OuchOutboundName;
  values: Record<string, FieldValue>;
}

export interface NewOrder {
  side: Side;
  quantity: number;
  symbol: string;
  /** Dollars as a decimal string ("189.50"), or price units (dollars × 10,000) as a bigint. */
  price: string | bigint;
  timeInForce?: string;
  display?: string;
  capacity?: string;
  interMarketSweepEligibility?: string;
  crossType?: string;
  clOrdId?: string;
  options?: OuchOption[];
  /** Override the next UserRefNum (tests of out-of-sequence handling). */
  userRefNum?: number;
}

/** A decimal dollar string as price units (4 implied decimals), exactly. */
export function priceUnits(p: string | bigint): bigint {
  if (typeof p === 'bigint') return p;
  const m = /^([0-9]+)(?:\.([0-9]{1,4}))?$/.exec(p);
  if (!m) throw new Error(`price ${JSON.stringify(p)} is not a decimal with at most 4 decimals`);
  return BigInt(m[1]) * 10_000n + BigInt((m[2] ?? '').padEnd(4, '0'));
}

export class LoginRejectedError extends Error {
  readonly code = 'LOGIN_REJECTED';
  constructor(readonly reason: string) {
    super(`LOGIN_REJECTED: the gateway refused the login (reason ${JSON.stringify(reason)})`);
  }
}

type Waiter = { match: (a: Answer) => boolean; resolve: (a: Answer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** Bytes one socket read can bring (a connection's read buffer). */
const READ_BUFFER = 64 << 10;
const NO_OPTIONS = Object.freeze([]) as unknown as OuchOption[];

export class OuchClient {
  /** Every answer received, in sequence order. */
  readonly answers: Answer[] = [];
  /** Debug packets received (the gateway's notes on ignored input). */
  readonly debug: string[] = [];
  login: LoginAccepted | null = null;
  closedReason: string | null = null;
  private nextRef: number;
  private waiters: Waiter[] = [];
  private readonly listeners: ((a: Answer) => void)[] = [];
  /** Kinds some listener wants; null once one wants every kind. */
  private wanted: Set<OuchOutboundName> | null = new Set();
  private readonly readEnd: (() => void)[] = [];
  private readonly closedPromise: Promise<string>;
  private timer: NodeJS.Timeout | null = null;
  private keep = true;
  /** The Enter Order `enter` encodes, and its bytes: reused (sendUnsequenced copies them at once). */
  private readonly enterMsg: EnterOrder = {
    kind: 'ENTER_ORDER', userRefNum: 0, side: 'B', quantity: 0, symbol: '', price: 0n, timeInForce: '0', display: 'Y', capacity: 'A',
    interMarketSweepEligibility: 'N', crossType: 'N', clOrdId: '', options: NO_OPTIONS,
  };
  private readonly enterBuf = Buffer.alloc(inboundSize('ENTER_ORDER'));
  /** onAnswerBytes's handlers by message type byte. */
  private readonly byteHandlers: (((payload: Buffer) => boolean) | undefined)[] = new Array<((payload: Buffer) => boolean) | undefined>(256).fill(undefined);
  /** Account Query Responses already taken (kept answers hold earlier ones). */
  private readonly seenQueries = new Set<bigint>();

  private constructor(
    private readonly socket: Socket,
    readonly session: ClientSession,
    firstRef: number,
    closed: Promise<string>,
  ) {
    this.nextRef = firstRef;
    this.closedPromise = closed;
  }

  /** Connects and logs in; rejects with LoginRejectedError or a connection error. */
  static connect(o: OuchClientOptions): Promise<OuchClient> {
    const timing = { ...DEFAULT_TIMING, ...o.timing };
    return new Promise((resolve, reject) => {
      // Reads land in one buffer of this connection's, handed straight to the session (no Buffer
      // per read, no stream machinery: issue 13). Safe because the session copies what it
      // keeps (an incomplete packet's bytes) and decodes every answer before the next read.
      let onRead: (chunk: Buffer) => void = () => {};
      const readBuf = Buffer.allocUnsafe(READ_BUFFER);
      const socket = tcpConnect({
        host: o.host ?? '127.0.0.1', port: o.port,
        onread: {
          buffer: readBuf,
          callback: (n: number) => {
            onRead(readBuf.subarray(0, n));
            return true; // keep reading
          },
        },
      });
      socket.setNoDelay(true);
      const write = coalescedWrite(socket);
      let client: OuchClient | null = null;
      let settled = false;
      let onClosed: (r: string) => void = () => {};
      const closed = new Promise<string>((r) => (onClosed = r));
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        socket.destroy();
        reject(e);
      };
      const deadline = setTimeout(() => fail(new Error(`LOGIN_TIMEOUT: no login answer within ${o.connectTimeoutMs ?? 5000} ms`)), o.connectTimeoutMs ?? 5000);
      const session = new ClientSession({
        username: o.username,
        password: o.password,
        session: o.session,
        requestedSequenceNumber: o.requestedSequenceNumber,
        timing,
        now: o.now ?? systemClock,
        maxPacket: SOUPBINTCP.maxPacket,
        send: (b) => {
          if (!socket.destroyed) write(b);
        },
        packet: (type, payload) => {
          if (!socket.destroyed) write.packet(type, payload);
        },
        close: () => {
          write.flush();
          socket.end();
        },
        hooks: {
          accepted: (a) => {
            client!.login = a;
            settled = true;
            clearTimeout(deadline);
            resolve(client!);
          },
          rejected: (code) => fail(new LoginRejectedError(code)),
          sequenced: (payload, seq) => client!.received(payload, seq),
          debug: (text) => client!.debug.push(text),
          closed: (reason) => {
            client!.closedReason = reason;
            client!.stop(reason);
            onClosed(reason);
            fail(new Error(`CONNECTION_CLOSED: ${reason}`));
          },
        },
      });
      client = new OuchClient(socket, session, o.firstUserRefNum ?? 1, closed);
      client.keep = o.keepAnswers !== false;
      if (o.onAnswer) client.onAnswer(o.onAnswer);
      socket.on('connect', () => session.start());
      onRead = (chunk: Buffer) => {
        session.receive(chunk);
        for (const fn of client!.readEnd) fn();
      };
      socket.on('error', (e) => {
        session.drop(`socket error: ${e.message}`);
        fail(e);
      });
      socket.on('close', () => session.drop('connection closed by the gateway'));
      client.timer = setInterval(() => session.tick(), Math.max(5, timing.heartbeatMs / 4));
      client.timer.unref();
    });
  }

  /** Sequence number of the next answer expected (for a reconnect's requestedSequenceNumber). */
  get nextSeq(): bigint {
    return this.session.nextSeq;
  }

  /** Sends an Enter Order; returns its UserRefNum. */
  enter(o: NewOrder): number {
    const userRefNum = o.userRefNum ?? this.nextRef;
    this.nextRef = Math.max(this.nextRef, userRefNum + 1);
    const options = o.options ?? NO_OPTIONS;
    if (options.length > 0) {
      this.session.sendUnsequenced(encodeInbound({
        kind: 'ENTER_ORDER', userRefNum, side: o.side, quantity: o.quantity, symbol: o.symbol, price: priceUnits(o.price),
        timeInForce: o.timeInForce ?? '0', display: o.display ?? 'Y', capacity: o.capacity ?? 'A',
        interMarketSweepEligibility: o.interMarketSweepEligibility ?? 'N', crossType: o.crossType ?? 'N',
        clOrdId: o.clOrdId ?? `RG${userRefNum}`, options,
      }));
      return userRefNum;
    }
    // No options (the usual order): one reused message object and buffer, whose bytes the
    // session copies into the socket's turn buffer at once — no object or Buffer per order.
    const m = this.enterMsg;
    m.userRefNum = userRefNum;
    m.side = o.side;
    m.quantity = o.quantity;
    m.symbol = o.symbol;
    m.price = priceUnits(o.price);
    m.timeInForce = o.timeInForce ?? '0';
    m.display = o.display ?? 'Y';
    m.capacity = o.capacity ?? 'A';
    m.interMarketSweepEligibility = o.interMarketSweepEligibility ?? 'N';
    m.crossType = o.crossType ?? 'N';
    m.clOrdId = o.clOrdId ?? `RG${userRefNum}`;
    encodeInboundInto(m, this.enterBuf);
    this.session.sendUnsequenced(this.enterBuf);
    return userRefNum;
  }

  /**
   * Sends an Enter Order with the side, quantity, symbol, price and time in force of the Enter
   * Order at `src[at, at + 47)` — an order the gateway's native read path took and checked, its
   * fields as an encoder writes them (native/core/src/ouch_read.rs) — and what `enter` adds
   * (display Y, capacity A, no sweep, cross type N, clOrdId RG<UserRefNum>, no options): the
   * bytes `enter` sends for those values, copied instead of encoded (the gateway's venue forward,
   * issue 13). Returns its UserRefNum.
   */
  enterFrom(src: Buffer, at: number): number {
    const userRefNum = this.nextRef++;
    writeForwardedEnter(this.enterBuf, src, at, userRefNum);
    this.session.sendUnsequenced(this.enterBuf);
    return userRefNum;
  }

  /** The UserRefNum the next Enter or Replace takes. */
  get nextUserRefNum(): number {
    return this.nextRef;
  }

  /**
   * OUCH Account Query: the server's next UserRefNum for this session (spec §16.2). A client
   * that lost its numbering (a restarted process) asks before its first order.
   */
  async accountQuery(timeoutMs = 5000): Promise<number> {
    const pending = this.waitFor((a) => a.kind === 'ACCOUNT_QUERY_RESPONSE' && !this.seenQueries.has(a.seq), timeoutMs);
    this.session.sendUnsequenced(encodeInbound({ kind: 'ACCOUNT_QUERY' }));
    const a = await pending;
    this.seenQueries.add(a.seq);
    return Number(a.values.nextUserRefNum);
  }

  /**
   * Continues the session's numbering: asks the server (Account Query) and moves the next
   * UserRefNum up to its answer. Returns the next UserRefNum. Fails closed: an exhausted day
   * (answer 0) is an error, never a reuse.
   */
  async continueNumbering(timeoutMs?: number): Promise<number> {
    const next = await this.accountQuery(timeoutMs);
    if (next === 0) throw new Error('USER_REF_NUM_EXHAUSTED: the server says the session has used every UserRefNum of the day');
    this.nextRef = Math.max(this.nextRef, next);
    return this.nextRef;
  }

  /** Sends a Replace Order for `origUserRefNum`; returns the new UserRefNum. */
  replace(origUserRefNum: number, o: { quantity: number; price: string | bigint; timeInForce?: string; display?: string; clOrdId?: string; options?: OuchOption[]; userRefNum?: number }): number {
    const userRefNum = o.userRefNum ?? this.nextRef;
    this.nextRef = Math.max(this.nextRef, userRefNum + 1);
    this.session.sendUnsequenced(encodeInbound({
      kind: 'REPLACE_ORDER', origUserRefNum, userRefNum, quantity: o.quantity, price: priceUnits(o.price),
      timeInForce: o.timeInForce ?? '0', display: o.display ?? 'Y', interMarketSweepEligibility: 'N',
      clOrdId: o.clOrdId ?? `RG${userRefNum}`, options: o.options ?? [],
    }));
    return userRefNum;
  }

  /** Cancels down to `leave` open shares (0: the whole order). */
  cancel(userRefNum: number, leave = 0): void {
    this.session.sendUnsequenced(encodeInbound({ kind: 'CANCEL_ORDER', userRefNum, quantity: leave }));
  }

  modify(userRefNum: number, side: Side, quantity: number): void {
    this.session.sendUnsequenced(encodeInbound({ kind: 'MODIFY_ORDER', userRefNum, side, quantity }));
  }

  /** Raw bytes on the connection (tests send malformed packets with it). */
  sendRaw(bytes: Buffer): void {
    this.session.sendRaw(bytes);
  }

  /** The first answer (already received or to come) that matches, within `timeoutMs`. */
  waitFor(match: (a: Answer) => boolean, timeoutMs = 5000): Promise<Answer> {
    const have = this.answers.find(match);
    if (have) return Promise.resolve(have);
    if (this.closedReason !== null) return Promise.reject(new Error(`CONNECTION_CLOSED: ${this.closedReason}`));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        match, resolve, reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`ANSWER_TIMEOUT: no matching answer within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** The answer to an Enter or Replace (Accepted, Replaced or Rejected) naming `userRefNum`. */
  answer(userRefNum: number, timeoutMs?: number): Promise<Answer> {
    return this.waitFor((a) => (a.kind === 'ORDER_ACCEPTED' || a.kind === 'ORDER_REJECTED' || a.kind === 'ORDER_REPLACED') && a.values.userRefNum === userRefNum, timeoutMs);
  }

  /** Sends Logout Request and waits for the gateway to close the connection. */
  async logout(): Promise<void> {
    this.session.logout();
    await this.closedPromise;
  }

  /** Resolves with the reason once the connection is over. */
  closed(): Promise<string> {
    return this.closedPromise;
  }

  /**
   * Calls `fn` with every answer from now on, in sequence order (a router following
   * executions); with `kinds`, only answers of those kinds, and an answer nobody waits for,
   * keeps or listens to is not decoded at all (the venue's Order Accepted, for the gateway).
   */
  onAnswer(fn: (a: Answer) => void, kinds?: readonly OuchOutboundName[]): void {
    if (!kinds) {
      this.listeners.push(fn);
      this.wanted = null;
      return;
    }
    const only = new Set(kinds);
    this.listeners.push((a) => {
      if (only.has(a.kind)) fn(a);
    });
    for (const k of kinds) this.wanted?.add(k);
  }

  /**
   * Calls `fn` after the answers of each read from the socket are delivered (a router that
   * gathers a read's answers and handles them together, e.g. in one engine call).
   */
  onReadEnd(fn: () => void): void {
    this.readEnd.push(fn);
  }

  /**
   * Hands each answer whose first byte (message type) is `code` to `fn` as its bytes, before it
   * is decoded, when no answer is kept or waited for; `fn` returning true has taken it: it is not
   * decoded and no listener sees it. For the one consumer of those answers (the gateway's
   * router and its venue link, issue 13); false lets it go on as usual.
   */
  onAnswerBytes(code: number, fn: (payload: Buffer) => boolean): void {
    this.byteHandlers[code & 0xff] = fn;
  }

  /** Drops the connection without a logout (tests of reconnects). */
  destroy(): void {
    this.socket.destroy();
  }

  private received(payload: Buffer, seq: bigint): void {
    if (!this.keep && this.waiters.length === 0 && payload.length > 0) {
      const h = this.byteHandlers[payload[0]];
      if (h !== undefined && h(payload)) return;
      if (this.wanted !== null) {
        const kind = outboundKind(payload);
        if (kind !== undefined && !this.wanted.has(kind)) return;
      }
    }
    let a: Answer;
    try {
      const m = decodeOutbound(payload);
      a = { seq, kind: m.kind, values: m.values };
    } catch (e) {
      this.session.drop(`undecodable message ${seq}: ${(e as Error).message}`);
      return;
    }
    if (this.keep) this.answers.push(a);
    for (const fn of this.listeners) fn(a);
    // A copy only when someone waits (it may settle and be removed): no array per answer otherwise.
    if (this.waiters.length === 0) return;
    for (const w of [...this.waiters]) {
      if (w.match(a)) {
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(a);
      }
    }
  }

  private stop(reason: string): void {
    if (this.timer) clearInterval(this.timer);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`CONNECTION_CLOSED: ${reason}`));
    }
    this.waiters = [];
  }
}
