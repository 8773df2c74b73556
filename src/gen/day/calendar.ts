/**
 * The day's schedule apart from order flow: the start-of-day messages (directory R, trading
 * state H, Reg SHO Y, market-participant positions L, MWCB levels V), the system events at
 * their times, NOII dissemination before the crosses, the opening and closing crosses, LULD
 * pauses and news halts, intraday Reg SHO triggers, RPII and a broken trade. Also how many
 * of these messages fall in each second, for the timeline's plan.
 */
import { itch } from '../../itch/encode.ts';
import type { Prng } from '../prng.ts';
import { CROSSES_PER_MILLION, HALTS_PER_THOUSAND, hms, NOII_SHARE, NS, SUBSCRIBED, TIMES } from './params.ts';
import { marketMakers, MPIDS, type DayUniverse } from './universe.ts';

export const EV = {
  SYSTEM: 0,
  NOII: 1,
  CROSS: 2,
  HALT: 3,
  REG_SHO: 4,
  RPII: 5,
  BROKEN: 6,
  COLLAR: 7,
} as const;

export interface DayEvent {
  t: number;
  kind: number;
  /** Symbol index (or -1), a character code (system event, trading state, cross type, …). */
  sym: number;
  code: number;
  /** Halt reason (4 characters). */
  reason?: string;
}

export interface Schedule {
  events: DayEvent[];
  /** Scheduled messages expected per second of the day (for the timeline). */
  extra: Float64Array;
  /** NASDAQ-listed symbols that get NOII, and that cross at the open and close (busiest first). */
  noiiSymbols: Int32Array;
  crossSymbols: Int32Array;
}

const ch = (s: string): number => s.charCodeAt(0);

/** NOII instants: every 10 s from 09:25, every second from 09:28; every 10 s from 15:50, every second from 15:55. */
export function noiiTimes(): { t: number; cross: number }[] {
  const out: { t: number; cross: number }[] = [];
  for (let t = hms(9, 25); t < hms(9, 28); t += 10 * NS) out.push({ t, cross: ch('O') });
  for (let t = hms(9, 28); t < TIMES.open; t += NS) out.push({ t, cross: ch('O') });
  for (let t = hms(15, 50); t < hms(15, 55); t += 10 * NS) out.push({ t, cross: ch('C') });
  for (let t = hms(15, 55); t < TIMES.close; t += NS) out.push({ t, cross: ch('C') });
  return out;
}

export function buildSchedule(rng: Prng, u: DayUniverse, messages: number): Schedule {
  const events: DayEvent[] = [];
  const extra = new Float64Array(86_400);
  const at = (t: number, n: number): void => {
    extra[Math.floor(t / NS)] += n;
  };
  const nasdaq: number[] = [];
  for (let r = 0; r < u.n; r++) if (u.nasdaq[u.byRank[r]] === 1) nasdaq.push(u.byRank[r]);

  events.push({ t: TIMES.open, kind: EV.SYSTEM, sym: -1, code: ch('Q') });
  events.push({ t: TIMES.close, kind: EV.SYSTEM, sym: -1, code: ch('M') });

  // NOII for the busiest NASDAQ-listed names, NOII_SHARE of the day's messages
  const times = noiiTimes();
  const k = Math.min(nasdaq.length, Math.max(1, Math.round((NOII_SHARE * messages) / times.length)));
  for (const x of times) {
    events.push({ t: x.t, kind: EV.NOII, sym: -1, code: x.cross });
    at(x.t, k);
  }
  // opening and closing crosses: C executions of the touch (≤ 2 per symbol) and a Q each
  const nCross = Math.min(nasdaq.length, Math.max(1, Math.round((CROSSES_PER_MILLION * messages) / 1e6)));
  for (const [t, c] of [[TIMES.open + 1_000, 'O'], [TIMES.close + 1_000, 'C']] as const) {
    events.push({ t, kind: EV.CROSS, sym: -1, code: ch(c) });
    at(t, nCross * 0.6);
    at(t + NS, nCross * 1.4);
  }

  // LULD pauses (5 min, collar, halt cross, resume) and news halts (quotation period, then trading)
  const nHalts = Math.max(2, Math.round((HALTS_PER_THOUSAND * u.n) / 1000));
  const regular = (lo: number, hi: number): number => TIMES.open + (lo + (hi - lo) * rng.float()) * (TIMES.close - TIMES.open);
  const halted = new Set<number>();
  for (let i = 0; i < nHalts; i++) {
    // two of them on subscribed names, the rest on mid and small caps
    const r = i < 2 ? 8 + rng.int(Math.min(SUBSCRIBED, u.n) - 8) : Math.min(u.n - 1, SUBSCRIBED + rng.int(u.n - SUBSCRIBED));
    const sym = u.byRank[r];
    if (halted.has(sym)) continue;
    halted.add(sym);
    if (i % 6 === 5) {
      const t = regular(0.1, 0.8);
      events.push({ t, kind: EV.HALT, sym, code: ch('H'), reason: 'T1' });
      events.push({ t: t + 25 * 60 * NS, kind: EV.HALT, sym, code: ch('Q'), reason: 'T1' });
      events.push({ t: t + 30 * 60 * NS, kind: EV.CROSS, sym, code: ch('H') });
      events.push({ t: t + 30 * 60 * NS + 1, kind: EV.HALT, sym, code: ch('T'), reason: 'T1' });
    } else {
      const t = regular(0.02, 0.95);
      events.push({ t, kind: EV.HALT, sym, code: ch('P'), reason: 'LUDP' });
      events.push({ t: t + 1 + rng.int(NS), kind: EV.COLLAR, sym, code: 0 });
      events.push({ t: t + 5 * 60 * NS, kind: EV.CROSS, sym, code: ch('H') });
      events.push({ t: t + 5 * 60 * NS + 1, kind: EV.HALT, sym, code: ch('T'), reason: 'LUDP' });
    }
  }
  // intraday Reg SHO short-sale price tests
  for (let i = Math.max(1, Math.round(u.n / 400)); i > 0; i--) {
    const sym = u.byRank[Math.min(u.n - 1, SUBSCRIBED + rng.int(u.n - SUBSCRIBED))];
    events.push({ t: regular(0.01, 0.99), kind: EV.REG_SHO, sym, code: ch('1') });
  }
  // retail price improvement indicators (N) on NASDAQ-listed names
  for (let i = Math.max(1, Math.round(messages / 100_000)); i > 0; i--) {
    const sym = nasdaq[Math.min(nasdaq.length - 1, Math.floor(rng.float() * rng.float() * nasdaq.length))];
    events.push({ t: regular(0, 1), kind: EV.RPII, sym, code: ch(rng.pick(['B', 'S', 'A', 'N'])) });
  }
  // a broken trade or two
  for (let i = 1 + (messages >= 10_000_000 ? 1 : 0); i > 0; i--) events.push({ t: regular(0.2, 0.9), kind: EV.BROKEN, sym: -1, code: 0 });

  const order = events.map((_, i) => i).sort((a, b) => events[a].t - events[b].t || a - b);
  return {
    events: order.map((i) => events[i]),
    extra,
    noiiSymbols: Int32Array.from(nasdaq.slice(0, k)),
    crossSymbols: Int32Array.from(nasdaq.slice(0, nCross)),
  };
}

/**
 * The start-of-day messages before 04:00, in order: 'O', the directory (R, locates 1..N),
 * trading state T for every symbol (H), Reg SHO state for some (Y), market makers' positions
 * (L), the MWCB decline levels (V). `emit(msg, locate, ts)` writes each one.
 */
export function writePrologue(rng: Prng, u: DayUniverse, messages: number, emit: (msg: Buffer, locate: number, ts: number) => void): void {
  let ts = TIMES.startOfMessages + rng.int(NS);
  const step = (): number => (ts += 2_000 + rng.int(40_000));
  emit(itch.systemEvent({ locate: 0, ts }, 'O'), 0, ts);
  for (let i = 0; i < u.n; i++) {
    const loc = i + 1;
    const cat = String.fromCharCode(u.category[i]);
    const name = u.names[i];
    const r = itch.stockDirectory({ locate: loc, ts: step() }, name, { roundLot: 100, category: cat });
    const nasdaq = u.nasdaq[i] === 1;
    const suffix = nasdaq && name.length === 5 ? name[4] : '';
    r[20] = ch(nasdaq ? 'N' : ' '); // financial status
    r[25] = ch(u.etp[i] === 1 ? 'Q' : suffix === 'W' ? 'W' : suffix === 'U' ? 'U' : suffix === 'R' ? 'R' : 'C'); // issue classification
    r.write(u.etp[i] === 1 ? 'I ' : suffix === '' ? 'C ' : 'Z ', 26, 2, 'latin1'); // issue sub-type
    r[28] = ch('P'); // authenticity: live
    r[29] = ch(nasdaq ? 'N' : ' '); // short sale threshold
    r[30] = ch(nasdaq ? 'N' : ' '); // IPO flag
    r[31] = ch(u.rank[i] < 1000 || u.etp[i] === 1 ? '1' : '2'); // LULD reference price tier
    r[32] = ch(u.etp[i] === 1 ? 'Y' : 'N'); // ETP flag
    r.writeUInt32BE(u.etp[i] === 1 && /^(TQQQ|SQQQ|SOXL|SOXS|TNA|UVXY)$/.test(name) ? 3 : 0, 33); // ETP leverage factor
    r[37] = ch(/^(SQQQ|SOXS)$/.test(name) ? 'Y' : 'N'); // inverse indicator
    emit(r, loc, ts);
  }
  for (let i = 0; i < u.n; i++) emit(itch.tradingAction({ locate: i + 1, ts: step() }, u.names[i], 'T'), i + 1, ts);
  for (let i = 0; i < u.n; i++) {
    if (!rng.chance(0.03)) continue;
    const y = itch.raw('Y', 20, { locate: i + 1, ts: step() });
    y.write(u.names[i].padEnd(8, ' '), 11, 8, 'latin1');
    y[19] = ch('2'); // price test remains in effect from the previous day
    emit(y, i + 1, ts);
  }
  for (let i = 0; i < u.n; i++) {
    const mm = marketMakers(u, i, messages);
    for (let m = 0; m < mm; m++) {
      const l = itch.raw('L', 26, { locate: i + 1, ts: step() });
      l.write(MPIDS[(u.mmFirst[i] + m) % MPIDS.length], 11, 4, 'latin1');
      l.write(u.names[i].padEnd(8, ' '), 15, 8, 'latin1');
      l.write(m === 0 ? 'YNA' : 'NNA', 23, 3, 'latin1'); // primary MM, mode normal, state active
      emit(l, i + 1, ts);
    }
  }
  const v = itch.raw('V', 35, { locate: 0, ts: step() });
  v.writeBigUInt64BE(465_000_000_000n, 11); // S&P 500 at 5,000.00: levels at 7 / 13 / 20 %
  v.writeBigUInt64BE(435_000_000_000n, 19);
  v.writeBigUInt64BE(400_000_000_000n, 27);
  emit(v, 0, ts);
  if (ts >= TIMES.startOfSystem) throw new Error('generator bug: the start-of-day messages run past 04:00');
}

/** How many messages writePrologue writes for this universe (it draws from its own PRNG). */
export function prologueCount(rngCopy: Prng, u: DayUniverse, messages: number): number {
  let n = 0;
  writePrologue(rngCopy, u, messages, () => n++);
  return n;
}
