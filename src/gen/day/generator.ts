/**
 * A generated real NASDAQ TotalView-ITCH 5.0 day (`riskgate gen --profile day`): the
 * start-of-day messages, then from 04:00 to 20:00 one message per slot of the timeline —
 * a scheduled session event when one is due, else an order whose lifetime ran out, else a
 * fresh message of the order flow — then the end-of-day system events.
 *
 * Pull-based like src/gen/session.ts: `nextChunk()` runs the day until a 1 MiB chunk of
 * BinaryFILE frames is complete, so a day of any length streams in memory proportional to
 * its live orders.
 */
import { itch } from '../../itch/encode.ts';
import { Prng } from '../prng.ts';
import { FrameSink } from '../sink.ts';
import { buildSchedule, EV, prologueCount, writePrologue, type DayEvent, type Schedule } from './calendar.ts';
import { buildDayConfig } from './config.ts';
import { Flow, type Slots } from './flow.ts';
import { OrderPool } from './orders.ts';
import { DAY_ORDER_SHARE, DEFAULT_SYMBOLS, EXPIRY_SPREAD, MAX_SYMBOLS, MIN_SYMBOLS, NS, ORDERS_PER_MESSAGE, TIMES } from './params.ts';
import { DayStats } from './stats.ts';
import { summarizeDay, type DaySummary } from './summary.ts';
import { expectedLiveAt, planSlots, Timeline } from './timeline.ts';
import { Timers } from './timers.ts';
import { buildDayUniverse, type DayUniverse } from './universe.ts';
import { Wire } from './wire.ts';

export interface DayOptions {
  /** Any integer in [0, 2^53). Same options ⇒ byte-identical output. */
  seed: number;
  /** Framed ITCH messages in the day. */
  messages: number;
  /** Symbols in the stock directory (default 8,900). */
  symbols?: number;
}

/** Fewest messages a day may have per directory symbol (the start-of-day messages take ~3). */
export const MIN_MESSAGES_PER_SYMBOL = 20;

const ch = (s: string): number => s.charCodeAt(0);
const EARLY_CLOSE_NOII_END = TIMES.close - 5 * 60 * 1e9;
const STREAM = { universe: 1, schedule: 2, clock: 3, flow: 4, prologue: 5, events: 6 } as const;

export class DayGenerator implements Slots {
  readonly opts: Required<DayOptions>;
  readonly universe: DayUniverse;
  private readonly sink = new FrameSink();
  /** Framed messages handed out so far (control messages excluded). */
  get messagesWritten(): number {
    return this.sink.seq;
  }
  private readonly wire: Wire;
  private readonly pool = new OrderPool();
  private readonly timers: Timers;
  private readonly stats: DayStats;
  private readonly flow: Flow;
  private readonly timeline: Timeline;
  private readonly schedule: Schedule;
  private readonly rng: Prng;
  /** Message slots between 04:00 and 20:00, and how many are handed out. */
  private readonly flowSlots: number;
  private handed = 0;
  private readonly prologue: number;
  private evi = 0;
  private evCursor = 0;
  private stage = 0; // 0: start of day, 1: flow, 2: done
  private readonly started = performance.now();
  private elapsed = 0;
  private firstTs = 0;

  constructor(opts: DayOptions) {
    const { seed, messages } = opts;
    const n = opts.symbols ?? DEFAULT_SYMBOLS;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
    if (!Number.isInteger(n) || n < MIN_SYMBOLS || n > MAX_SYMBOLS) throw new RangeError(`the day profile needs ${MIN_SYMBOLS}..${MAX_SYMBOLS} directory symbols, got ${n}`);
    const min = MIN_MESSAGES_PER_SYMBOL * n;
    if (!Number.isInteger(messages) || messages < min || messages > 2 ** 40) {
      throw new RangeError(`messages must be an integer ≥ ${min} for a day of ${n} symbols (got ${messages})`);
    }
    this.opts = { seed, messages, symbols: n };
    this.universe = buildDayUniverse(new Prng(seed, STREAM.universe), n);
    const u = this.universe;
    this.prologue = prologueCount(new Prng(seed, STREAM.prologue), u, messages);
    this.flowSlots = messages - this.prologue - 1 - 2; // the start-of-day messages, 'S', then 'E' and 'C'
    if (this.flowSlots < 10 * n) throw new RangeError(`messages must be at least ${this.prologue + 3 + 10 * n} for a day of ${n} symbols (got ${messages})`);
    this.schedule = buildSchedule(new Prng(seed, STREAM.schedule), u, messages);
    // the plan, then once more with the day orders expiring at the close on top
    const extra = Float64Array.from(this.schedule.extra);
    const expiring = DAY_ORDER_SHARE * expectedLiveAt(planSlots(this.flowSlots, extra), TIMES.close, ORDERS_PER_MESSAGE);
    const spread = Math.round(EXPIRY_SPREAD / NS);
    for (let k = 0; k < spread; k++) extra[Math.floor(TIMES.close / NS) + k] += expiring / spread;
    this.timeline = new Timeline(new Prng(seed, STREAM.clock), planSlots(this.flowSlots, extra));
    this.wire = new Wire(this.sink, n, u.nameHi, u.nameLo);
    this.timers = new Timers(this.pool);
    this.stats = new DayStats(n, u.isSubscribed);
    this.rng = new Prng(seed, STREAM.events);
    // fresh messages are a bit under half of the flow (the rest: lifetimes running out)
    this.flow = new Flow(new Prng(seed, STREAM.flow), u, this.pool, this.timers, this.wire, this.stats, this, this.flowSlots);
  }

  // ------------------------------------------------------------------ Slots

  next(): number {
    if (this.handed >= this.flowSlots) throw new Error('generator bug: no message slot left');
    this.handed++;
    return this.timeline.next();
  }

  left(): number {
    return this.flowSlots - this.handed;
  }

  // ------------------------------------------------------------------ the day

  /** The next chunk of BinaryFILE bytes, or null when the day is complete. */
  nextChunk(): Buffer | null {
    for (;;) {
      const c = this.sink.take();
      if (c) return c;
      if (this.stage === 2) return null;
      this.run();
    }
  }

  private run(): void {
    if (this.stage === 0) {
      writePrologue(new Prng(this.opts.seed, STREAM.prologue), this.universe, this.opts.messages, (msg, locate, ts) => {
        if (this.firstTs === 0) this.firstTs = ts;
        this.wire.put(msg, locate, ts);
      });
      this.system('S', TIMES.startOfSystem);
      this.stage = 1;
      return;
    }
    const flow = this.flow;
    const timers = this.timers;
    const events = this.schedule.events;
    const sink = this.sink;
    while (!sink.hasChunk && this.handed < this.flowSlots) {
      const ts = this.next();
      timers.advance(ts);
      if (this.evi < events.length && events[this.evi].t <= ts) {
        this.event(events[this.evi], ts);
        continue;
      }
      const s = timers.peek() <= ts ? timers.take(ts) : 0;
      if (s !== 0) {
        // an order whose lifetime ran out: at its own time, unless that is already past
        const due = timers.firedDue;
        flow.fire(s, due > this.wire.lastTs ? due : this.wire.lastTs);
      } else flow.fresh(ts);
    }
    if (this.handed === this.flowSlots) {
      this.system('E', TIMES.endOfSystem);
      this.system('C', TIMES.endOfMessages);
      if (sink.seq !== this.opts.messages) throw new Error(`generator bug: wrote ${sink.seq} messages, planned ${this.opts.messages}`);
      sink.end();
      this.stage = 2;
      this.elapsed = performance.now() - this.started;
    }
  }

  private system(code: string, t: number): void {
    const ts = Math.max(t, this.wire.lastTs);
    this.wire.put(itch.systemEvent({ locate: 0, ts }, code), 0, ts);
  }

  // ------------------------------------------------------------------ session events

  /** Writes the next message of the due event `e` in the current slot (`ts`), and maybe more. */
  private event(e: DayEvent, ts: number): void {
    const u = this.universe;
    const rng = this.rng;
    const done = (): void => {
      this.evi++;
      this.evCursor = 0;
    };
    switch (e.kind) {
      case EV.SYSTEM:
        this.system(String.fromCharCode(e.code), e.t);
        return done();
      case EV.NOII: {
        const syms = this.schedule.noiiSymbols;
        const sym = syms[this.evCursor];
        const mid = this.flow.fairTick(sym);
        const paired = 100 * (1 + rng.int(2000));
        const imbalance = rng.float() < 0.2 ? 0 : 100 * rng.int(500);
        const dir = imbalance === 0 ? ch('N') : rng.float() < 0.5 ? ch('B') : ch('S');
        const near = mid + rng.int(5) - 2;
        const far = imbalance === 0 ? near : dir === ch('B') ? near + 1 + rng.int(10) : Math.max(1, near - 1 - rng.int(10));
        // the early closing imbalance (15:50–15:55) carries no near and far prices
        const early = e.code === ch('C') && e.t < EARLY_CLOSE_NOII_END;
        this.wire.noii(sym, ts, paired, imbalance, dir, early ? 0 : far * 100, early ? 0 : near * 100, mid * 100, e.code, ch('L'));
        if (++this.evCursor === syms.length) done();
        return;
      }
      case EV.CROSS: {
        const sym = e.sym >= 0 ? e.sym : this.schedule.crossSymbols[this.evCursor];
        if (e.sym < 0 && this.flow.state[sym] !== ch('T')) {
          // halted at the time of the cross: it crosses when it resumes; the slot goes to the flow
          this.flow.fresh(ts);
        } else {
          const msgs = this.left() > 0 ? this.flow.crossExecute(sym, ts, rng.int(3)) : 0;
          if (msgs > 0) this.next();
          const shares = this.flow.crossShares + 100 * rng.int(e.sym >= 0 ? 200 : 5000);
          this.flow.match += 1;
          this.wire.cross(sym, ts, shares, this.flow.crossPrice * 100, this.flow.match, e.code);
        }
        if (e.sym >= 0 || ++this.evCursor === this.schedule.crossSymbols.length) done();
        return;
      }
      case EV.HALT: {
        this.flow.state[e.sym] = e.code;
        this.wire.put(itch.tradingAction({ locate: e.sym + 1, ts }, u.names[e.sym], String.fromCharCode(e.code), e.reason ?? ''), e.sym + 1, ts);
        return done();
      }
      case EV.COLLAR: {
        const j = itch.raw('J', 35, { locate: e.sym + 1, ts });
        j.write(u.names[e.sym].padEnd(8, ' '), 11, 8, 'latin1');
        const ref = this.flow.fairTick(e.sym) * 100;
        j.writeUInt32BE(ref, 19);
        j.writeUInt32BE(Math.round(ref * 1.05), 23);
        j.writeUInt32BE(Math.round(ref * 0.95), 27);
        j.writeUInt32BE(0, 31);
        this.wire.put(j, e.sym + 1, ts);
        return done();
      }
      case EV.REG_SHO:
        this.regSho(e.sym, ts, e.code);
        return done();
      case EV.RPII: {
        const n = itch.raw('N', 20, { locate: e.sym + 1, ts });
        n.write(u.names[e.sym].padEnd(8, ' '), 11, 8, 'latin1');
        n[19] = e.code;
        this.wire.put(n, e.sym + 1, ts);
        return done();
      }
      case EV.BROKEN: {
        const k = rng.int(64);
        const match = this.flow.recentMatch[k];
        const sym = this.flow.recentSym[k];
        const b = itch.raw('B', 19, { locate: match > 0 ? sym + 1 : 0, ts });
        b.writeBigUInt64BE(BigInt(match), 11);
        this.wire.put(b, match > 0 ? sym + 1 : 0, ts);
        return done();
      }
      default:
        throw new Error(`generator bug: event kind ${e.kind}`);
    }
  }

  private regSho(sym: number, ts: number, action: number): void {
    const y = itch.raw('Y', 20, { locate: sym + 1, ts });
    y.write(this.universe.names[sym].padEnd(8, ' '), 11, 8, 'latin1');
    y[19] = action;
    this.wire.put(y, sym + 1, ts);
  }

  // ------------------------------------------------------------------ results

  /** The riskgate config for this day's subscribed symbols (config/default.json's shape). */
  config(): Record<string, unknown> {
    return buildDayConfig(this.universe);
  }

  /** Bytes of the generator's state: grows with live orders, never with messages written. */
  stateBytes(): number {
    return this.pool.bytes + this.timers.bytes + this.flow.books.bytes;
  }

  /** Live orders now (all symbols). */
  get liveOrders(): number {
    return this.pool.live;
  }

  summary(extra: { out?: string; gzip?: boolean; fileBytes?: number } = {}): DaySummary {
    if (this.stage !== 2) throw new Error('summary before the day is complete');
    return summarizeDay({
      opts: this.opts,
      universe: this.universe,
      sink: this.sink,
      wire: this.wire,
      stats: this.stats,
      flow: this.flow,
      timeline: this.timeline,
      firstTs: this.firstTs,
      lastTs: this.wire.lastTs,
      elapsedMs: this.elapsed,
      stateBytes: this.stateBytes(),
      ...extra,
    });
  }
}

