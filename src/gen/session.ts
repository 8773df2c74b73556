/**
 * A whole generated ITCH 5.0 session: the opening directory, pre-market (04:00), the regular
 * session (09:30–16:00), after-hours (to 20:00), the system events around them, order flow
 * on every symbol, and the scheduled episodes that exercise the engine: stub quotes,
 * sub-penny orders, halts and a market-wide circuit breaker, away prints, quote-flicker
 * bursts, engineered order-table collisions (refs that share both home sets of spec §5 fill
 * bank 0, bank 1 and the stash, so the next orders become ghosts: COLLISION rises and clears
 * by itself when they leave), deliberate unknown refs and, optionally, in-band control
 * messages (kill switches, limit changes, credit raises, duplicate windows, CLEAR_COLLISION
 * after an untracked drop).
 *
 * The generator is pull-based: `nextChunk()` runs the session until a 1 MiB chunk of
 * BinaryFILE frames is complete, so sessions of any length stream in bounded memory.
 */
import { blobFingerprint, configBlob, loadConfig, type Config } from '../config/index.ts';
import { itch } from '../itch/encode.ts';
import { ControlOp, CONTROL_OP_NAMES, GLOBAL_TARGET } from '../itch/layout.ts';
import { BUY, Kind, SELL, SymbolBook, type Order } from './book.ts';
import { Clock, hms } from './clock.ts';
import { EventQueue } from './events.ts';
import { Flow, MIN_DEPTH, type FlowCtx, type SymState } from './flow.ts';
import { Prng } from './prng.ts';
import { OrderTable, Place, RefAllocator, WAYS } from './refs.ts';
import { FrameSink } from './sink.ts';
import type { GenEvents, GenSummary } from './summary.ts';
import { buildUniverse, type Universe } from './universe.ts';

export interface GenOptions {
  /** Any integer in [0, 2^53). Same seed and options ⇒ byte-identical output. */
  seed: number;
  /** Symbols with order flow (stock locates 1..K): the config's first K, then invented unsubscribed names. */
  symbols: number;
  /** Framed ITCH messages in the session (= its last seq); control messages come on top. */
  messages: number;
  /** Config the session is shaped for (subscribed names, limits, accounts). Default: config/default.json. */
  config?: Config;
  /** Insert in-band control messages (spec §9). Default false. */
  controlMessages?: boolean;
}

/** Most symbols with order flow one session may have (each keeps a dense book in memory). */
export const MAX_GEN_SYMBOLS = 2000;

type Ev =
  | { k: 'stubs'; s: SymState }
  | { k: 'offtick'; side: 0 | 1 }
  | { k: 'offtickEnd'; s: SymState; o: Order }
  | { k: 'away' }
  | { k: 'unknown' }
  | { k: 'flicker'; s: SymState }
  | { k: 'repeat'; s: SymState }
  | { k: 'halt'; s: SymState; state: string; reason: string; quote: number; resume: number }
  | { k: 'trading'; s: SymState; state: string; reason: string }
  | { k: 'mwcb'; quote: number; resume: number }
  | { k: 'collision'; s: SymState; hold: number; untracked: boolean }
  | { k: 'ghostEnd'; s: SymState; o: Order }
  | { k: 'clearCollision'; s: SymState; ghosts: Order[] }
  | { k: 'control'; op: number; target: number; value: bigint }
  | { k: 'credit'; account: number; value: bigint };

const STATES_CANNOT_TRADE = new Set(['H', 'P', 'Q']);

export class SessionGenerator {
  readonly opts: Required<Omit<GenOptions, 'config'>>;
  readonly cfg: Config;
  private readonly rng: Prng;
  private readonly sink = new FrameSink();
  /** Framed messages handed out so far (control messages excluded). */
  get messagesWritten(): number {
    return this.sink.seq;
  }
  private readonly clock: Clock;
  private readonly refs: RefAllocator;
  private readonly table = new OrderTable();
  private readonly uni: Universe;
  private readonly st: SymState[];
  private readonly sub: SymState[];
  private readonly cum: Float64Array;
  private readonly flow: Flow;
  private readonly queue = new EventQueue<Ev>();
  private readonly events: GenEvents = {
    stubQuotes: 0, offTickBid: 0, offTickAsk: 0, collisions: 0, ghostOrders: 0, untrackedOrders: 0, unknownRefs: 0, awayPrints: 0,
    flickers: 0, repeats: 0, halts: 0, circuitBreakers: 0, sweeps: 0, blocks: 0,
  };
  private phaseEnd = 0;
  private readonly iter: Generator<void, void, void>;
  private done = false;
  private readonly started = performance.now();
  private firstTs = -1;
  private readonly opening: number;
  /** The config's fingerprint (spec §10): the session's control messages are made for it. */
  private readonly fingerprint: bigint;

  constructor(opts: GenOptions) {
    const { seed, symbols: k, messages: m } = opts;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
    if (!Number.isInteger(k) || k < 1 || k > MAX_GEN_SYMBOLS) throw new RangeError(`symbols must be an integer in [1, ${MAX_GEN_SYMBOLS}], got ${k}`);
    this.cfg = opts.config ?? loadConfig();
    this.fingerprint = blobFingerprint(configBlob(this.cfg));
    this.opts = { seed, symbols: k, messages: m, controlMessages: opts.controlMessages ?? false };
    this.rng = new Prng(seed);
    this.clock = new Clock(this.rng.fork(2));
    this.refs = new RefAllocator(this.rng.fork(3));
    this.uni = buildUniverse(this.rng.fork(1), k, this.cfg);
    const syms = this.uni.symbols;
    this.opening = 3 + syms.length + this.uni.fillers.length + syms.length + Math.min(4, k) + Math.min(8, syms.length);
    const min = this.opening + 4 + 20 * syms.length;
    if (!Number.isInteger(m) || m < min || m > 2 ** 40) {
      throw new RangeError(`messages must be an integer ≥ ${min} for ${k} symbol${k === 1 ? '' : 's'} (got ${m})`);
    }
    const flowBudget = m - this.opening - 4;
    const w = this.cfg.windowTicks;
    this.st = syms.map((g) => {
      const maxExc = Math.max(3, Math.min(Math.floor(g.startTick * 0.06), Math.floor(w / 2) - 400));
      const book = new SymbolBook(g.idx, g.startTick, maxExc + 220, this.uni.tick);
      const own = Math.max(50, g.weight * flowBudget);
      const regimeLen = Math.max(150, Math.floor(own / 30));
      return {
        g, book, subscribed: g.configIndex >= 0, fair: g.startTick, pressure: 0,
        regimeLeft: 1 + this.rng.int(regimeLen), regimeLen, firstTick: -1,
        minTick: book.baseTick + 8, maxTick: book.baseTick + book.range - 8, maxExc,
        // daily volatility spread over the symbol's own messages: √own steps of stepVol
        stepVol: (g.dailyVol * g.startTick) / Math.sqrt(own),
        pull: 3 / own, trading: 'T', firstTradeAt: 0, messages: 0, tradeHold: 0,
      } satisfies SymState;
    });
    this.sub = this.st.filter((s) => s.subscribed);
    this.cum = new Float64Array(this.st.length);
    let acc = 0;
    this.st.forEach((s, i) => (this.cum[i] = acc += s.g.weight));
    const self = this;
    const ctx: FlowCtx = {
      rng: this.rng, sink: this.sink, clock: this.clock, refs: this.refs, table: this.table, tick: this.uni.tick,
      windowTicks: w, events: this.events,
      room: () => self.phaseEnd - self.sink.seq,
    };
    this.flow = new Flow(ctx, this.st);
    this.iter = this.run();
  }

  /** The next chunk of BinaryFILE bytes, or null when the session is complete. */
  nextChunk(): Buffer | null {
    for (;;) {
      const c = this.sink.take();
      if (c) return c;
      if (this.done) return null;
      if (this.iter.next().done) this.done = true;
    }
  }

  // ------------------------------------------------------------------ the session

  private *run(): Generator<void, void, void> {
    const m = this.opts.messages;
    const b = m - this.opening - 4;
    const nPre = Math.round(b * 0.1);
    const nPost = Math.round(b * 0.08);
    const nReg = b - nPre - nPost;
    const preEnd = this.opening + nPre;
    const regStart = preEnd + 1;
    const regEnd = regStart + nReg;
    const postStart = regEnd + 1;
    const postEnd = postStart + nPost;
    const plan = { pre: (f: number) => this.opening + Math.floor(f * nPre), reg: (f: number) => regStart + Math.floor(f * nReg), post: (f: number) => postStart + Math.floor(f * nPost), nReg, nPre, nPost };
    this.schedule(plan);

    this.openingMessages();
    yield* this.phase(preEnd, hms(4, 0), hms(9, 30), 0.35);
    this.system('Q', hms(9, 30));
    yield* this.phase(regEnd, hms(9, 30), hms(16, 0), 1);
    this.system('M', hms(16, 0));
    yield* this.phase(postEnd, hms(16, 0), hms(20, 0), 0.45);
    this.system('E', hms(20, 0));
    this.system('C', hms(20, 5));
    if (this.sink.seq !== m) throw new Error(`generator bug: wrote ${this.sink.seq} messages, planned ${m}`);
    this.sink.end();
  }

  private *phase(endSeq: number, startTs: number, endTs: number, tradeFactor: number): Generator<void, void, void> {
    this.phaseEnd = endSeq;
    this.clock.phase(startTs, endTs, endSeq - this.sink.seq);
    this.flow.tradeFactor = tradeFactor;
    const rng = this.rng;
    while (this.sink.seq < endSeq) {
      while (this.queue.peek() <= this.sink.seq && this.sink.seq < endSeq) this.runEvent(this.queue.pop() as Ev);
      if (this.sink.seq >= endSeq) break;
      this.flow.step(this.st[rng.weighted(this.cum)], this.sink.seq + 1);
      if (this.sink.hasChunk) yield;
    }
  }

  private system(code: string, ts: number): void {
    this.sink.put(itch.systemEvent({ locate: 0, ts: this.clock.at(ts) }, code));
  }

  private openingMessages(): void {
    const rng = this.rng;
    let ts = hms(3, 30);
    const t = (): number => (ts += 200 + rng.int(20_000));
    this.firstTs = ts;
    this.sink.put(itch.systemEvent({ locate: 0, ts }, 'O'));
    // stock directory: the flow symbols (locates 1..) and the directory-only fillers
    for (const s of this.st) this.sink.put(itch.stockDirectory({ locate: s.g.locate, ts: t() }, s.g.name, { roundLot: 100, category: 'Q' }));
    for (const f of this.uni.fillers) this.sink.put(itch.stockDirectory({ locate: f.locate, ts: t() }, f.name, { roundLot: 100, category: rng.chance(0.5) ? 'Q' : 'G' }));
    // MWCB decline levels (V, skipped by the engine): S&P 500 at 5,000.00, levels 7 / 13 / 20 %
    const v = itch.raw('V', 35, { locate: 0, ts: t() });
    v.writeBigUInt64BE(465_000_000_000n, 11);
    v.writeBigUInt64BE(435_000_000_000n, 19);
    v.writeBigUInt64BE(400_000_000_000n, 27);
    this.sink.put(v);
    for (const s of this.st) this.sink.put(itch.tradingAction({ locate: s.g.locate, ts: t() }, s.g.name, 'T'));
    // market-participant positions (L) and Reg SHO (Y): skipped types, as on a real feed
    for (let i = 0; i < Math.min(4, this.opts.symbols); i++) {
      const l = itch.raw('L', 26, { locate: 0, ts: t() });
      l.write(['GSCO', 'NITE', 'VIRT', 'CDRG'][i], 11, 4, 'latin1');
      l.write(this.st[i].g.name.padEnd(8, ' '), 15, 8, 'latin1');
      l.write('YNA', 23, 3, 'latin1');
      this.sink.put(l);
    }
    for (let i = 0; i < Math.min(8, this.st.length); i++) {
      const y = itch.raw('Y', 20, { locate: this.st[i].g.locate, ts: t() });
      y.write(this.st[i].g.name.padEnd(8, ' '), 11, 8, 'latin1');
      y.write('0', 19, 1, 'latin1');
      this.sink.put(y);
    }
    this.clock.at(ts);
    this.system('S', hms(4, 0));
    if (this.sink.seq !== this.opening) throw new Error(`generator bug: opening has ${this.sink.seq} messages, planned ${this.opening}`);
  }

  // ------------------------------------------------------------------ the plan

  private schedule(p: { pre(f: number): number; reg(f: number): number; post(f: number): number; nReg: number; nPre: number; nPost: number }): void {
    const rng = this.rng;
    const q = this.queue;
    const per1M = this.opts.messages / 1e6;
    const scaled = (perMillion: number, min: number): number => Math.max(min, Math.round(perMillion * per1M));
    const subs = this.sub.length > 0 ? this.sub : this.st;
    const pickSub = (): SymState => subs[rng.weighted(cumOf(subs))];
    const anywhere = (): number => {
      const u = rng.float();
      return u < 0.08 ? p.pre(0.1 + 0.9 * rng.float()) : u < 0.94 ? p.reg(rng.float()) : p.post(rng.float() * 0.9);
    };

    // first trade of each symbol: half trade in the pre-market, half only some time after the open
    for (const s of this.st) {
      s.firstTradeAt = s.subscribed && rng.chance(0.5) ? p.reg(0.002 + 0.008 * rng.float()) : p.pre(0.3 + 0.5 * rng.float());
    }
    // stub quotes once each book has some depth
    for (const s of this.st) q.push(p.pre(0.03 + 0.12 * rng.float()), { k: 'stubs', s });
    // sub-penny orders on both sides
    for (let i = scaled(45, 6); i > 0; i--) {
      q.push(anywhere(), { k: 'offtick', side: BUY });
      q.push(anywhere(), { k: 'offtick', side: SELL });
    }
    for (let i = scaled(90, 20); i > 0; i--) q.push(p.reg(rng.float()), { k: 'away' });
    for (let i = scaled(15, 5); i > 0; i--) q.push(anywhere(), { k: 'unknown' });
    // quote-flicker bursts; with control messages they follow the desk's credit raises
    // (every CREDIT_PERIOD of the regular session), when the accounts have credit to trade
    const nFlicker = scaled(20, 12);
    for (let i = 0; i < nFlicker; i++) {
      const raises = Math.floor(0.99 / CREDIT_PERIOD);
      const at = this.opts.controlMessages ? CREDIT_PERIOD * (1 + ((i * 7) % raises)) + 0.0015 + 0.004 * rng.float() : 0.02 + 0.96 * rng.float();
      q.push(p.reg(at), { k: 'flicker', s: subs[i % subs.length] });
    }
    // stuck quotes (the strategy repeats an order: DUPLICATE); with control messages after
    // credit raises too, without them in the first hour of trading, while there is credit
    const nRepeat = scaled(24, 12);
    for (let i = 0; i < nRepeat; i++) {
      const raises = Math.floor(0.99 / CREDIT_PERIOD);
      const at = this.opts.controlMessages ? CREDIT_PERIOD * (1 + ((i * 11 + 3) % raises)) + 0.002 + 0.006 * rng.float() : 0.012 + 0.1 * rng.float();
      q.push(p.reg(at), { k: 'repeat', s: subs[(i * 3 + 1) % subs.length] });
    }

    // halts: three LULD pauses, two news halts (with a quotation period), one on an unsubscribed name
    const f = (x: number): number => Math.floor(x * p.nReg);
    const hs = (i: number): SymState => subs[(i * 3 + rng.int(2)) % subs.length];
    for (const [i, at] of [0.08, 0.28, 0.66].entries()) {
      q.push(p.reg(at), { k: 'halt', s: hs(i), state: 'P', reason: 'LUDP', quote: 0, resume: f(0.004) });
    }
    for (const [i, at] of [0.18, 0.85].entries()) {
      q.push(p.reg(at), { k: 'halt', s: hs(i + 3), state: 'H', reason: 'T1', quote: f(0.006), resume: f(0.008) });
    }
    const unsubFlow = this.st.filter((s) => !s.subscribed && !s.g.background);
    if (unsubFlow.length > 0) q.push(p.reg(0.38), { k: 'halt', s: rng.pick(unsubFlow), state: 'H', reason: 'T12', quote: f(0.002), resume: f(0.004) });
    // a market-wide circuit breaker (level 1), then per-symbol resumptions
    q.push(p.reg(0.47), { k: 'mwcb', quote: f(0.009), resume: f(0.012) });

    // engineered order-table collisions; they clear by themselves when their ghosts leave.
    // With control messages the middle one also overflows the ghost list (an untracked drop),
    // which only the operator's CLEAR_COLLISION ends.
    const ctl = this.opts.controlMessages;
    const n = 3 + Math.floor(this.opts.messages / 5e6);
    for (let i = 0; i < n; i++) {
      q.push(p.reg((i + 0.5) / n), { k: 'collision', s: subs[(i * 5 + 2) % subs.length], hold: 40 + rng.int(160), untracked: ctl && i === Math.floor(n / 2) });
    }
    if (ctl) this.scheduleControls(p, pickSub);
  }

  private scheduleControls(p: { reg(f: number): number; nReg: number }, pickSub: () => SymState): void {
    const q = this.queue;
    const cfg = this.cfg;
    const rng = this.rng;
    const subs = this.sub;
    if (subs.length === 0) return;
    const ctl = (at: number, op: number, target: number, value: bigint | number): void => q.push(at, { k: 'control', op, target, value: BigInt(value) });
    // kill switches
    for (const [at, len] of [[0.33, 0.004], [0.77, 0.003]]) {
      ctl(p.reg(at), ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 1);
      ctl(p.reg(at + len), ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 0);
    }
    for (const [i, at] of [0.12, 0.52, 0.88].entries()) {
      const s = subs[(i * 3 + 1) % subs.length].g.configIndex;
      ctl(p.reg(at), ControlOp.SYMBOL_KILL, s, 1);
      ctl(p.reg(at + 0.008), ControlOp.SYMBOL_KILL, s, 0);
    }
    // temporary limit changes, restored to the config's values
    const sc = (s: SymState) => cfg.symbols[s.g.configIndex];
    let s = pickSub();
    ctl(p.reg(0.2), ControlOp.MAX_QTY, s.g.configIndex, Math.max(100, Math.floor(sc(s).maxQty / 8)));
    ctl(p.reg(0.22), ControlOp.MAX_QTY, s.g.configIndex, sc(s).maxQty);
    s = pickSub();
    ctl(p.reg(0.26), ControlOp.MAX_NOTIONAL, s.g.configIndex, sc(s).maxNotional / 10n);
    ctl(p.reg(0.28), ControlOp.MAX_NOTIONAL, s.g.configIndex, sc(s).maxNotional);
    s = pickSub();
    ctl(p.reg(0.4), ControlOp.POSITION_LIMIT, s.g.configIndex, Math.floor(sc(s).positionLimit / 6));
    ctl(p.reg(0.425), ControlOp.POSITION_LIMIT, s.g.configIndex, sc(s).positionLimit);
    s = pickSub();
    ctl(p.reg(0.6), ControlOp.COLLAR_BPS, s.g.configIndex, 3);
    ctl(p.reg(0.615), ControlOp.COLLAR_BPS, s.g.configIndex, sc(s).collarBps);
    const acct = sc(pickSub()).account;
    ctl(p.reg(0.66), ControlOp.MAX_ORDERS, acct, 2);
    ctl(p.reg(0.69), ControlOp.MAX_ORDERS, acct, cfg.accounts[acct].maxOrdersPerWindow);
    // duplicate windows: the desk switches one account's check off for a while, and widens
    // another's tenfold (at least to 1 s), then restores the config's values
    const off = sc(pickSub()).account;
    ctl(p.reg(0.44), ControlOp.DUP_WINDOW, off, 0);
    ctl(p.reg(0.46), ControlOp.DUP_WINDOW, off, cfg.accounts[off].duplicateWindowNs);
    const wide = (off + 1) % cfg.accounts.length;
    const w = cfg.accounts[wide].duplicateWindowNs;
    ctl(p.reg(0.72), ControlOp.DUP_WINDOW, wide, w * 10n > 1_000_000_000n ? w * 10n : 1_000_000_000n);
    ctl(p.reg(0.745), ControlOp.DUP_WINDOW, wide, w);

    // credit: the risk desk raises each account's limit at regular intervals by less than the
    // flow would use, so the limit is exhausted again and again (CREDIT rejects) while fills go on
    const period = CREDIT_PERIOD;
    const periodMsgs = period * p.nReg;
    for (const a of cfg.accounts) {
      const mine = subs.filter((x) => cfg.symbols[x.g.configIndex].account === a.index);
      if (mine.length === 0) continue;
      const perMsg = mine.reduce((acc, x) => acc + x.g.weight * x.g.startTick * this.uni.tick, 0);
      const step = BigInt(Math.round(CREDIT_SHARES_PER_MESSAGE * perMsg * periodMsgs));
      let limit = a.creditLimit;
      for (let at = period; at < 0.99; at += period) {
        limit += step;
        q.push(p.reg(at + 0.001 * rng.float()), { k: 'credit', account: a.index, value: limit });
      }
    }
  }

  // ------------------------------------------------------------------ events

  private room(): number {
    return this.phaseEnd - this.sink.seq;
  }

  private control(op: number, target: number, value: bigint): void {
    this.sink.put(itch.control(op, target, this.sink.seq + 1, value, this.fingerprint));
  }

  private trading(s: SymState, state: string, reason: string): void {
    s.trading = state;
    this.sink.put(itch.tradingAction({ locate: s.g.locate, ts: this.clock.next() }, s.g.name, state, reason));
  }

  private ready(s: SymState): boolean {
    return s.firstTick >= 0 && s.book.hasBid() && s.book.hasAsk() && s.book.nRegular[BUY] >= MIN_DEPTH && s.book.nRegular[SELL] >= MIN_DEPTH;
  }

  private runEvent(e: Ev): void {
    const rng = this.rng;
    const seq = this.sink.seq;
    const later = (d: number) => this.queue.push(seq + d, e);
    switch (e.k) {
      case 'stubs':
        if (!this.ready(e.s)) return later(50);
        return this.flow.stubs(e.s);
      case 'offtick': {
        const subs = this.sub.length > 0 ? this.sub : this.st;
        const s = subs[rng.weighted(cumOf(subs))];
        if (!this.ready(s)) return later(20);
        const o = this.flow.offTick(s, e.side);
        if (o) this.queue.push(seq + 6 + rng.int(36), { k: 'offtickEnd', s, o });
        return;
      }
      case 'offtickEnd':
        if (this.room() < 2) return later(1);
        return this.flow.endOffTick(e.s, e.o);
      case 'away': {
        const subs = this.sub.length > 0 ? this.sub : this.st;
        const s = subs[rng.weighted(cumOf(subs))];
        if (!this.ready(s) || s.trading !== 'T' || seq < s.firstTradeAt) return later(30);
        this.flow.awayPrint(s);
        return;
      }
      case 'unknown':
        return this.flow.unknownRef(this.st[rng.weighted(this.cum)]);
      case 'flicker': {
        const s = e.s;
        // about twice the account's throttle allowance of triggers, ≥ the cooldown apart,
        // all inside one throttle window of 2^W_SHIFT ns
        const maxOrders = s.subscribed ? this.cfg.accounts[this.cfg.symbols[s.g.configIndex].account].maxOrdersPerWindow : 20;
        const gap = Math.max(Number(this.cfg.strategy.cooldownNs) * 1.05, 20_000);
        const fit = Math.floor((2 ** this.cfg.throttleWindowShift * 0.8) / (gap * 1.3));
        const n = Math.max(2, Math.min(2 * maxOrders + 24, 160, fit));
        if (!this.ready(s) || s.trading !== 'T' || this.room() < n + 10) return later(200);
        return this.flow.flicker(s, n, gap);
      }
      case 'repeat': {
        const s = e.s;
        const gap = Math.max(Number(this.cfg.strategy.cooldownNs) * 1.05, 20_000);
        const n = 4 + rng.int(5);
        if (!this.ready(s) || s.trading !== 'T' || seq < s.firstTradeAt || this.room() < 2 * n + 10) return later(150);
        return this.flow.repeat(s, n, gap);
      }
      case 'halt': {
        const s = e.s;
        if (s.trading !== 'T') return later(500);
        this.events.halts++;
        this.trading(s, e.state, e.reason);
        if (e.quote > 0) this.queue.push(seq + e.quote, { k: 'trading', s, state: 'Q', reason: e.reason });
        this.queue.push(seq + e.resume, { k: 'trading', s, state: 'T', reason: e.reason });
        return;
      }
      case 'trading':
        return this.trading(e.s, e.state, e.reason);
      case 'mwcb': {
        if (this.room() < this.st.length + 2) return;
        this.events.circuitBreakers++;
        this.sink.put(itch.mwcbStatus({ locate: 0, ts: this.clock.next() }, '1'));
        const resumeAt: number[] = [];
        for (const s of this.st) {
          // a symbol already halted on its own stays under its own resumption
          if (STATES_CANNOT_TRADE.has(s.trading)) continue;
          this.trading(s, 'H', 'MWC1');
          resumeAt.push(s.g.idx);
        }
        for (const [j, i] of resumeAt.entries()) {
          const s = this.st[i];
          this.queue.push(seq + e.quote, { k: 'trading', s, state: 'Q', reason: 'MWCQ' });
          this.queue.push(seq + e.quote + 1 + Math.floor(((e.resume - e.quote) * (j + 1)) / (resumeAt.length + 1)), { k: 'trading', s, state: 'T', reason: 'MWCQ' });
        }
        return;
      }
      case 'collision':
        return this.collision(e);
      case 'ghostEnd':
        if (e.o.slot < 0) return;
        if (this.room() < 2) return later(1);
        return this.flow.endGhost(e.s, e.o);
      case 'clearCollision': {
        // the operator's word that the book is exact: the engine forgets the ghosts and the
        // untracked drop; their later deletes are unknown refs to it
        const s = e.s;
        this.control(ControlOp.CLEAR_COLLISION, s.g.configIndex, 0n);
        this.table.clearCollision(s.g.idx, e.ghosts);
        e.ghosts.forEach((o, j) => this.queue.push(seq + 5 + 3 * j + rng.int(20), { k: 'ghostEnd', s, o }));
        return;
      }
      case 'control':
        return this.control(e.op, e.target, e.value);
      case 'credit':
        return this.control(ControlOp.CREDIT_LIMIT, e.account, e.value);
    }
  }

  /**
   * An engineered order-table collision (spec §5) on symbol s: deep resting orders whose refs
   * share both home sets of a pair of empty sets fill bank 0's set, bank 1's set and the
   * free stash slots (book orders, which then live on in the flow), and the next 1–3 become
   * ghosts: COLLISION rises for s. The ghosts leave after about `hold` messages (a delete, a
   * partial cancel and a delete, or a replace onto a regular price), and with the last one
   * COLLISION clears by itself. With `untracked` (control messages only), the ghost list is
   * filled and one more order is dropped untracked: COLLISION stays until the operator's
   * CLEAR_COLLISION, after which the engine no longer knows those orders.
   */
  private collision(e: Extract<Ev, { k: 'collision' }>): void {
    const { s, hold, untracked } = e;
    if (!s.subscribed) return; // the engine keeps no orders of unsubscribed symbols
    const t = this.table;
    const ghosts = untracked ? t.ghostFree + 1 : Math.min(1 + this.rng.int(3), t.ghostFree);
    const book = 2 * WAYS + t.stashFree;
    const n = book + ghosts;
    if (!this.ready(s) || this.room() < n + 6 || ghosts === 0 || t.collision(s.g.idx)) {
      if (this.room() > n + 40) this.queue.push(this.sink.seq + 20, e);
      return;
    }
    const rng = this.rng;
    const b = s.book;
    const refs = this.refs.craftSameHomes(n, (s0, s1) => t.setOccupancy(s0, s1) === 0);
    const tick = this.uni.tick;
    const dropped: Order[] = [];
    for (let i = 0; i < n; i++) {
      const side = rng.chance(0.5) ? BUY : SELL;
      const depth = 6 + rng.int(25);
      let tk = side === BUY ? b.bestBid + b.baseTick - depth : b.bestAsk + b.baseTick + depth;
      if (tk < s.minTick) tk = s.minTick;
      if (tk > s.maxTick) tk = s.maxTick;
      const ghost = i >= book;
      const o = this.flow.add(s, side, tk * tick, 100 * rng.range(1, 5), ghost ? Kind.GHOST : Kind.REGULAR, { ref: refs[i] });
      const want = !ghost ? (i < WAYS ? Place.BANK0 : i < 2 * WAYS ? Place.BANK1 : Place.STASH) : untracked && i === n - 1 ? Place.LOST : Place.GHOST;
      if (o.where !== want) throw new Error(`generator bug: crafted order ${i} of ${n} placed at ${o.where}, planned ${want}`);
      if (ghost) dropped.push(o);
    }
    this.events.collisions++;
    this.events.ghostOrders += untracked ? ghosts - 1 : ghosts;
    if (untracked) this.events.untrackedOrders++;
    if (untracked) this.queue.push(this.sink.seq + hold, { k: 'clearCollision', s, ghosts: dropped });
    else dropped.forEach((o, j) => this.queue.push(this.sink.seq + hold + 3 * j + rng.int(20), { k: 'ghostEnd', s, o }));
  }

  // ------------------------------------------------------------------ summary

  summary(extra: { out?: string; gzip?: boolean; fileBytes?: number } = {}): GenSummary {
    if (!this.done) throw new Error('summary before the session is complete');
    const byType: Record<string, number> = {};
    this.sink.byType.forEach((n, t) => {
      if (n > 0) byType[String.fromCharCode(t)] = n;
    });
    const controlsByOp: Record<string, number> = {};
    this.sink.byControlOp.forEach((n, op) => {
      if (n > 0) controlsByOp[CONTROL_OP_NAMES[op] ?? `op${op}`] = n;
    });
    const flowTotal = this.st.reduce((a, s) => a + s.messages, 0);
    const unsub = this.st.reduce((a, s) => a + (s.subscribed ? 0 : s.messages), 0);
    return {
      seed: this.opts.seed,
      out: extra.out,
      gzip: extra.gzip ?? false,
      messages: this.sink.seq,
      controls: this.sink.controls,
      controlsByOp,
      byType,
      bytes: this.sink.bytes,
      sha256: this.sink.digest(),
      fileBytes: extra.fileBytes,
      firstTs: this.firstTs,
      lastTs: this.clock.ts,
      symbols: this.st.map((s) => ({
        name: s.g.name, locate: s.g.locate, configIndex: s.g.configIndex,
        startPrice: (s.g.startTick * this.uni.tick) / 10000, messages: s.messages,
      })),
      fillers: this.uni.fillers.map((f) => f.name),
      events: { ...this.events },
      orderTable: { ...this.table.counts },
      unsubscribedShare: flowTotal === 0 ? 0 : unsub / flowTotal,
      elapsedMs: Math.round(performance.now() - this.started),
    };
  }
}

/**
 * Credit the risk desk adds per account and per message of the regular session, in shares
 * of the account's symbols (weighted by their share of flow) at their opening prices.
 * Tuned so accounts run out of credit again and again (see test/gen/coverage.test.ts).
 */
const CREDIT_SHARES_PER_MESSAGE = 7;
/** Interval of the credit raises, as a fraction of the regular session. */
const CREDIT_PERIOD = 0.02;

function cumOf(xs: SymState[]): Float64Array {
  const c = new Float64Array(xs.length);
  let a = 0;
  xs.forEach((s, i) => (c[i] = a += s.g.weight));
  return c;
}

/** Generates a whole session in memory (uncompressed BinaryFILE bytes, end marker included). */
export function generateSessionBuffer(opts: GenOptions): Buffer {
  const g = new SessionGenerator(opts);
  const parts: Buffer[] = [];
  for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
  return Buffer.concat(parts);
}
