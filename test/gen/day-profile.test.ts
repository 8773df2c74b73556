/**
 * The real-day profile (`riskgate gen --profile day`, src/gen/day/): on a 1.5M-message day
 * with the full 8,900-symbol directory, the statistics docs/generator.md claims, measured
 * independently of the generator from the bytes alone (message mix, Zipf activity, live-order
 * peaks, order lifetimes, the message-rate shape), every reference checked against an
 * independent full-depth replay of every symbol (and test/refbook's book for the subscribed
 * ones), determinism, the files and config it writes, and state that grows with live orders,
 * not with messages.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { genCommand } from '../../src/commands/gen.ts';
import { parseConfig } from '../../src/config/index.ts';
import { DayGenerator, generateDay, generateDayBuffer, type DaySummary } from '../../src/gen/day/index.ts';
import { Wire } from '../../src/gen/day/wire.ts';
import { FrameSink } from '../../src/gen/sink.ts';
import { Prng } from '../../src/gen/prng.ts';
import { decodeMessage } from '../../src/itch/decode.ts';
import { itch } from '../../src/itch/encode.ts';
import { forEachFrame, scanFrames } from '../../src/itch/framing.ts';
import { expectedLength } from '../../src/itch/layout.ts';
import { FullDepthBook as ReferenceBook } from '../../src/book/full-depth.ts';

const NS = 1e9;
const H = (h: number, m = 0, s = 0): number => ((h * 60 + m) * 60 + s) * NS;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const M = 1_500_000;
const SEED = 3;

// ---------------------------------------------------------------- independent replay

interface Order {
  loc: number;
  buy: boolean;
  price: number;
  shares: number;
  born: number;
}

/** Per symbol and side: price → shares, with the best price cached (recomputed when its level empties). */
class Side {
  readonly levels = new Map<number, number>();
  private best = -1;
  private dirty = false;
  constructor(private readonly bid: boolean) {}
  add(p: number, n: number): void {
    this.levels.set(p, (this.levels.get(p) ?? 0) + n);
    if (!this.dirty && (this.best < 0 || (this.bid ? p > this.best : p < this.best))) this.best = p;
  }
  sub(p: number, n: number): void {
    const v = (this.levels.get(p) ?? 0) - n;
    if (v < 0) throw new Error(`level ${p} below zero`);
    if (v === 0) {
      this.levels.delete(p);
      if (p === this.best) this.dirty = true;
    } else this.levels.set(p, v);
  }
  top(): number {
    if (this.dirty) {
      this.dirty = false;
      // walk away from the emptied best a cent at a time (it is usually a few ticks), else scan
      const step = this.bid ? -100 : 100;
      let p = this.best + step;
      for (let k = 0; k < 2048 && p > 0; k++, p += step) {
        if (this.levels.has(p)) {
          this.best = p;
          return p;
        }
      }
      this.best = -1;
      for (const q of this.levels.keys()) if (this.best < 0 || (this.bid ? q > this.best : q < this.best)) this.best = q;
    }
    return this.best;
  }
}

interface Replay {
  messages: number;
  byType: Record<string, number>;
  problems: string[];
  crossed: number;
  perSymbol: Map<number, number>;
  perSecond: Float64Array;
  /** Lifetimes (ns) of orders that ended (D, U, full execution). */
  lifetimes: number[];
  live: number;
  peakLiveBySymbol: Map<number, number>;
  /** Peak of live orders of the subscribed symbols according to test/refbook's ReferenceBook. */
  refbookPeakSubscribed: number;
  refbookLiveAtEnd: number;
  addsNearTouch: number;
  addsWithBothSides: number;
  partialExecutions: number;
  executions: number;
  tradePrices: Map<number, { lo: number; hi: number }>;
  system: { code: string; ts: number }[];
  directory: { locate: number; name: string }[];
  firstAddLocate: Map<number, number>;
  halts: { loc: number; state: string; ts: number }[];
  tradesWhileHalted: number;
  stubs: Map<number, { bids: number; asks: number }>;
  subscribedRefsContiguous: number;
  subscribedAdds: number;
}

/** Order reference (or other u64 field) at `o`; the generator's stay below 2^53. */
const u64 = (b: Buffer, o: number): number => b.readUInt32BE(o) * 2 ** 32 + b.readUInt32BE(o + 4);

function replay(buf: Buffer, subscribed: readonly string[]): Replay {
  const r: Replay = {
    messages: 0, byType: {}, problems: [], crossed: 0, perSymbol: new Map(), perSecond: new Float64Array(86_400),
    lifetimes: [], live: 0, peakLiveBySymbol: new Map(), refbookPeakSubscribed: 0, refbookLiveAtEnd: 0,
    addsNearTouch: 0, addsWithBothSides: 0, partialExecutions: 0, executions: 0, tradePrices: new Map(),
    system: [], directory: [], firstAddLocate: new Map(), halts: [], tradesWhileHalted: 0, stubs: new Map(),
    subscribedRefsContiguous: 0, subscribedAdds: 0,
  };
  const orders = new Map<number, Order>();
  const bids = new Map<number, Side>();
  const asks = new Map<number, Side>();
  const liveBy = new Map<number, number>();
  const state = new Map<number, string>();
  const subLocates = new Set<number>();
  const subNames = new Set(subscribed);
  const ref = new ReferenceBook(subscribed);
  let lastTs = 0;
  let lastRef = 0;
  let lastAddSubscribed = false;
  const side = (loc: number, buy: boolean): Side => {
    const m = buy ? bids : asks;
    let s = m.get(loc);
    if (!s) m.set(loc, (s = new Side(buy)));
    return s;
  };
  const bad = (s: string): void => {
    if (r.problems.length < 20) r.problems.push(`message ${r.messages}: ${s}`);
  };
  const live = (loc: number, d: number): void => {
    const n = (liveBy.get(loc) ?? 0) + d;
    liveBy.set(loc, n);
    if (n > (r.peakLiveBySymbol.get(loc) ?? 0)) r.peakLiveBySymbol.set(loc, n);
    r.live += d;
  };
  const add = (id: number, o: Order): void => {
    if (id <= lastRef) bad(`order ref ${id} after ${lastRef}`);
    lastRef = id;
    if (orders.has(id)) bad(`duplicate ref ${id}`);
    if (o.price % 100 !== 0) bad(`price ${o.price} off the cent tick`);
    if (o.shares <= 0) bad('an order without shares');
    orders.set(id, o);
    side(o.loc, o.buy).add(o.price, o.shares);
    live(o.loc, 1);
  };
  const end = (id: number, o: Order, ts: number): void => {
    orders.delete(id);
    live(o.loc, -1);
    r.lifetimes.push(ts - o.born);
  };
  const find = (id: number, loc: number, t: string): Order | undefined => {
    const o = orders.get(id);
    if (!o) bad(`${t} names unknown order ${id}`);
    else if (o.loc !== loc) bad(`${t} of order ${id} under locate ${loc}, the order is ${o.loc}'s`);
    return o;
  };
  forEachFrame(buf, (msg) => {
    r.messages++;
    const t = String.fromCharCode(msg[0]);
    if (expectedLength(msg[0]) !== msg.length) {
      bad(`type ${t} of ${msg.length} bytes`);
      return;
    }
    r.byType[t] = (r.byType[t] ?? 0) + 1;
    const loc = msg.readUInt16BE(1);
    const ts = msg.readUInt16BE(5) * 2 ** 32 + msg.readUInt32BE(7);
    if (ts < lastTs) bad(`timestamp ${ts} before ${lastTs}`);
    lastTs = ts;
    r.perSecond[Math.floor(ts / NS)]++;
    if (loc > 0) r.perSymbol.set(loc, (r.perSymbol.get(loc) ?? 0) + 1);
    // test/refbook's book sees the directory and the subscribed symbols' messages
    if (t === 'R' || subLocates.has(loc)) {
      ref.apply(msg);
      if (ref.liveOrders > r.refbookPeakSubscribed) r.refbookPeakSubscribed = ref.liveOrders;
    }
    switch (t) {
      case 'A':
      case 'F': {
        const buy = msg[19] === 0x42;
        const shares = msg.readUInt32BE(20);
        const price = msg.readUInt32BE(32);
        const b = side(loc, true).top();
        const a = side(loc, false).top();
        if (b >= 0 && a >= 0 && price > 100 && price < 1_999_999_900) {
          r.addsWithBothSides++;
          if (buy ? price >= b - 500 : price <= a + 500) r.addsNearTouch++;
        }
        if (t === 'F' && (price <= 600 || price >= 1_999_999_400)) {
          const s = r.stubs.get(loc) ?? { bids: 0, asks: 0 };
          if (buy) s.bids++;
          else s.asks++;
          r.stubs.set(loc, s);
        }
        if (!r.firstAddLocate.has(loc)) r.firstAddLocate.set(loc, price);
        const sub = subLocates.has(loc);
        if (sub) {
          r.subscribedAdds++;
          if (lastAddSubscribed) r.subscribedRefsContiguous++;
        }
        lastAddSubscribed = sub;
        add(u64(msg, 11), { loc, buy, price, shares, born: ts });
        break;
      }
      case 'E':
      case 'C':
      case 'X': {
        const id = u64(msg, 11);
        const n = msg.readUInt32BE(19);
        const o = find(id, loc, t);
        if (!o) return;
        if (n <= 0 || n > o.shares) bad(`${t} of ${n} shares, the order has ${o.shares}`);
        if (t === 'X' && n >= o.shares) bad('X cancels the whole order (that is a D)');
        if (t !== 'X') {
          r.executions++;
          if (n < o.shares) r.partialExecutions++;
          if ((state.get(loc) ?? 'T') !== 'T' && t === 'E') r.tradesWhileHalted++;
          if (t === 'C' && msg.readUInt32BE(32) !== o.price) bad("C at a price other than the order's");
          const p = r.tradePrices.get(loc) ?? { lo: Infinity, hi: 0 };
          p.lo = Math.min(p.lo, o.price);
          p.hi = Math.max(p.hi, o.price);
          r.tradePrices.set(loc, p);
        }
        const k = Math.min(n, o.shares);
        side(o.loc, o.buy).sub(o.price, k);
        o.shares -= k;
        if (o.shares === 0) end(id, o, ts);
        break;
      }
      case 'D': {
        const id = u64(msg, 11);
        const o = find(id, loc, 'D');
        if (!o) return;
        side(o.loc, o.buy).sub(o.price, o.shares);
        end(id, o, ts);
        break;
      }
      case 'U': {
        const id = u64(msg, 11);
        const o = find(id, loc, 'U');
        if (!o) return;
        side(o.loc, o.buy).sub(o.price, o.shares);
        end(id, o, ts);
        add(u64(msg, 19), { loc: o.loc, buy: o.buy, price: msg.readUInt32BE(31), shares: msg.readUInt32BE(27), born: ts });
        break;
      }
      case 'P':
        if ((state.get(loc) ?? 'T') !== 'T') r.tradesWhileHalted++;
        return;
      default: {
        // the rarer types through the project's decoder
        const m = decodeMessage(msg);
        if (!m) bad(`type ${t} does not decode`);
        else if (m.type === 'S') r.system.push({ code: m.event, ts });
        else if (m.type === 'R') {
          r.directory.push({ locate: loc, name: m.stock });
          if (subNames.has(m.stock)) subLocates.add(loc);
        } else if (m.type === 'H') {
          state.set(loc, m.state);
          if (ts > H(4)) r.halts.push({ loc, state: m.state, ts });
        }
        return;
      }
    }
    const b = bids.get(loc)?.top() ?? -1;
    const a = asks.get(loc)?.top() ?? -1;
    if (b >= 0 && a >= 0 && b >= a) r.crossed++;
  });
  r.refbookLiveAtEnd = ref.liveOrders;
  if (ref.duplicateRefs > 0) bad('the reference book saw duplicate refs');
  return r;
}

const quantile = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const share = (xs: number[], below: number): number => {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < below) lo = mid + 1;
    else hi = mid;
  }
  return lo / xs.length;
};

// ---------------------------------------------------------------- the sample day

let buf: Buffer;
let gen: DayGenerator;
let summary: DaySummary;
let rep: Replay;
let subscribed: string[];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-day-'));
  const t0 = performance.now();
  ({ buf, gen } = generateDayBuffer({ seed: SEED, messages: M }));
  const t1 = performance.now();
  summary = gen.summary();
  subscribed = summary.subscribed.names;
  rep = replay(buf, subscribed);
  rep.lifetimes.sort((a, b) => a - b);
  console.log(`day sample: generated in ${((t1 - t0) / 1000).toFixed(1)} s, replayed in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the wire', () => {
  it('in-place encoders write exactly what src/itch/encode.ts builds', () => {
    const sink = new FrameSink();
    const name = 'ABCDEFGH';
    const hi = Uint32Array.of(name.charCodeAt(0) * 2 ** 24 + name.charCodeAt(1) * 2 ** 16 + name.charCodeAt(2) * 256 + name.charCodeAt(3));
    const lo = Uint32Array.of(name.charCodeAt(4) * 2 ** 24 + name.charCodeAt(5) * 2 ** 16 + name.charCodeAt(6) * 256 + name.charCodeAt(7));
    const w = new Wire(sink, 1, hi, lo);
    const rng = new Prng(5);
    const want: Buffer[] = [];
    let ts = H(4);
    for (let k = 0; k < 200; k++) {
      ts += rng.int(1e9);
      const h = { locate: 1, ts };
      const ref = rng.int(2 ** 20) * 2 ** 21 + rng.int(2 ** 21);
      const n = rng.int(2 ** 32);
      const px = rng.int(2 ** 32);
      const match = rng.int(2 ** 30) * 2 ** 20;
      switch (k % 10) {
        case 0: w.add(0, ts, ref, true, n, px); want.push(itch.addOrder(h, { ref: BigInt(ref), side: 'B', shares: n, stock: name, price: px })); break;
        case 1: w.add(0, ts, ref, false, n, px, 0x4e495445); want.push(itch.addOrder(h, { ref: BigInt(ref), side: 'S', shares: n, stock: name, price: px, mpid: 'NITE' })); break;
        case 2: w.executed(0, ts, ref, n, match); want.push(itch.executed(h, { ref: BigInt(ref), shares: n, match: BigInt(match) })); break;
        case 3: w.executedWithPrice(0, ts, ref, n, match, k % 20 === 3, px); want.push(itch.executedWithPrice(h, { ref: BigInt(ref), shares: n, match: BigInt(match), printable: k % 20 === 3, price: px })); break;
        case 4: w.cancel(0, ts, ref, n); want.push(itch.cancel(h, { ref: BigInt(ref), shares: n })); break;
        case 5: w.del(0, ts, ref); want.push(itch.delete(h, { ref: BigInt(ref) })); break;
        case 6: w.replace(0, ts, ref, ref + 7, n, px); want.push(itch.replace(h, { ref: BigInt(ref), newRef: BigInt(ref + 7), shares: n, price: px })); break;
        case 7: w.trade(0, ts, n, px, match); want.push(itch.trade(h, { ref: 0n, side: 'B', shares: n, stock: name, price: px, match: BigInt(match) })); break;
        case 8: {
          w.noii(0, ts, match, n, 0x42, px, px, px, 0x4f, 0x4c);
          const b = itch.raw('I', 50, h);
          b.writeBigUInt64BE(BigInt(match), 11);
          b.writeBigUInt64BE(BigInt(n), 19);
          b[27] = 0x42;
          b.write(name, 28, 8, 'latin1');
          for (const o of [36, 40, 44]) b.writeUInt32BE(px, o);
          b[48] = 0x4f;
          b[49] = 0x4c;
          want.push(b);
          break;
        }
        case 9: {
          w.cross(0, ts, n, px, match, 0x43);
          const b = itch.raw('Q', 40, h);
          b.writeBigUInt64BE(BigInt(n), 11);
          b.write(name, 19, 8, 'latin1');
          b.writeUInt32BE(px, 27);
          b.writeBigUInt64BE(BigInt(match), 31);
          b[39] = 0x43;
          want.push(b);
          break;
        }
      }
    }
    sink.end();
    const got: Buffer[] = [];
    for (let c = sink.take(); c; c = sink.take()) got.push(c);
    const bytes = Buffer.concat(got);
    const expected = Buffer.concat([...want.map((b) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b])), Buffer.from([0, 0])]);
    expect(bytes.equals(expected)).toBe(true);
  });
});

describe('framing, structure, directory', () => {
  it('is BinaryFILE: exactly M frames, then the zero-length end marker; every message decodes', () => {
    const s = scanFrames(buf);
    expect(s.count).toBe(M);
    expect(s.endMarker).toBe(buf.length - 2);
    expect(summary.messages).toBe(M);
    expect(rep.messages).toBe(M);
    expect(rep.problems).toEqual([]);
    expect(rep.byType).toEqual(summary.byType);
  });

  it('system events O S Q M E C at their times; timestamps never decrease, 03:05 → 20:05', () => {
    expect(rep.system.map((s) => s.code).join('')).toBe('OSQMEC');
    const t = Object.fromEntries(rep.system.map((s) => [s.code, s.ts]));
    expect(t.O).toBeGreaterThanOrEqual(H(3, 5));
    expect(t.O).toBeLessThan(H(3, 6));
    expect([t.S, t.Q, t.M, t.E, t.C]).toEqual([H(4), H(9, 30), H(16), H(20), H(20, 5)]);
    expect(summary.firstTs).toBe(t.O);
    expect(summary.lastTs).toBe(H(20, 5));
  });

  it('the directory: ~8,900 realistic names, locates 1..N in alphabetical order, trading state T for each', () => {
    const d = rep.directory;
    expect(d.length).toBe(8_900);
    expect(d.map((x) => x.locate)).toEqual(d.map((_, i) => i + 1));
    const names = d.map((x) => x.name);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Z]{1,5}$/);
    const lengths = new Map<number, number>();
    for (const n of names) lengths.set(n.length, (lengths.get(n.length) ?? 0) + 1);
    expect(lengths.get(4)! + lengths.get(3)!).toBeGreaterThan(0.7 * names.length);
    expect(rep.byType.H).toBeGreaterThanOrEqual(8_900);
    for (const s of ['AAPL', 'MSFT', 'NVDA', 'QQQ', 'SPY']) expect(subscribed).toContain(s);
  });

  it('prices: on the cent tick (checked in the replay), opening levels from ~$1 to several hundred dollars', () => {
    expect(summary.symbols.priceMin).toBeGreaterThanOrEqual(1);
    expect(summary.symbols.priceMax).toBeLessThanOrEqual(1000);
    expect(summary.symbols.priceMax / summary.symbols.priceMin).toBeGreaterThan(300);
    expect(summary.symbols.priceMedian).toBeGreaterThan(5);
    expect(summary.symbols.priceMedian).toBeLessThan(100);
  });
});

describe('consistency against an independent full-depth replay of every symbol', () => {
  it('every E C X D U names a live order of that symbol, no execution or cancel exceeds what is left, refs are unique and increase', () => {
    expect(rep.problems).toEqual([]);
  });

  it('no book is ever crossed, and the live orders at the end agree', () => {
    expect(rep.crossed).toBe(0);
    expect(rep.live).toBe(gen.liveOrders);
    expect(rep.live).toBe(summary.live.atEnd);
  });

  it("test/refbook's ReferenceBook (the subscribed symbols) replays the day and sees the same live-order peak", () => {
    expect(rep.refbookPeakSubscribed).toBe(summary.live.peakSubscribed);
  });

  it('subscribed symbols share the order-ref sequence with the others (interleaved)', () => {
    // if the refs of subscribed adds were contiguous runs, almost every subscribed add would follow another one
    expect(rep.subscribedRefsContiguous / rep.subscribedAdds).toBeLessThan(0.5);
    expect(rep.subscribedAdds).toBeGreaterThan(0.2 * (summary.byType.A + summary.byType.F));
  });

  it('no executions while a symbol is halted or paused; halts resume', () => {
    expect(rep.tradesWhileHalted).toBe(0);
    const halted = rep.halts.filter((h) => h.state !== 'T');
    expect(halted.length).toBeGreaterThanOrEqual(20);
    for (const h of halted) expect(rep.halts.some((x) => x.loc === h.loc && x.state === 'T' && x.ts > h.ts)).toBe(true);
  });
});

describe('real-day statistics (docs/generator.md)', () => {
  const mix = (t: string): number => (rep.byType[t] ?? 0) / rep.messages;

  it('message mix: A and D dominate, then U, E, X, F, P, C; NOII about 1%', () => {
    expect(mix('A') + mix('F')).toBeGreaterThan(0.41);
    expect(mix('A') + mix('F')).toBeLessThan(0.47);
    expect(mix('D')).toBeGreaterThan(0.39);
    expect(mix('D')).toBeLessThan(0.46);
    expect(mix('U')).toBeGreaterThan(0.055);
    expect(mix('U')).toBeLessThan(0.09);
    expect(mix('E')).toBeGreaterThan(0.01);
    expect(mix('E')).toBeLessThan(0.035);
    expect(mix('X')).toBeGreaterThan(0.008);
    expect(mix('X')).toBeLessThan(0.025);
    expect(mix('F')).toBeGreaterThan(0.004);
    expect(mix('F')).toBeLessThan(0.02);
    expect(mix('P')).toBeGreaterThan(0.002);
    expect(mix('P')).toBeLessThan(0.008);
    expect(mix('C')).toBeGreaterThan(0);
    expect(mix('C')).toBeLessThan(mix('P'));
    expect(mix('I')).toBeGreaterThan(0.007);
    expect(mix('I')).toBeLessThan(0.013);
    expect(mix('U')).toBeGreaterThan(mix('E'));
    expect(mix('E')).toBeGreaterThan(mix('X'));
    for (const t of ['Q', 'Y', 'L', 'V', 'J', 'N', 'B', 'H', 'R']) expect(rep.byType[t], t).toBeGreaterThan(0);
  });

  it('activity is Zipf-like across symbols; the 64 busiest are the subscribed ones and carry a minority of the flow', () => {
    const counts = [...rep.perSymbol.values()].sort((a, b) => b - a);
    let sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
    for (let r = 10; r <= 1000; r++) {
      const x = Math.log(r), y = Math.log(counts[r - 1]);
      sx += x; sy += y; sxx += x * x; sxy += x * y; k++;
    }
    const slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
    expect(slope).toBeGreaterThan(-1.2);
    expect(slope).toBeLessThan(-0.8);
    expect(slope).toBeCloseTo(summary.zipf.slope, 1);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(counts[0] / total).toBeGreaterThan(0.012);
    expect(counts[0] / total).toBeLessThan(0.04);
    const top64 = counts.slice(0, 64).reduce((a, b) => a + b, 0) / total;
    expect(top64).toBeGreaterThan(0.25);
    expect(top64).toBeLessThan(0.45);
    // the realised 64 busiest are (nearly all) the subscribed names
    const loc = new Map(rep.directory.map((d) => [d.name, d.locate]));
    const busiest = [...rep.perSymbol.entries()].sort((a, b) => b[1] - a[1]).slice(0, 64).map(([l]) => l);
    const sub = new Set(subscribed.map((s) => loc.get(s)));
    expect(busiest.filter((l) => sub.has(l)).length).toBeGreaterThanOrEqual(56);
  });

  it('live orders: the busiest symbols hold the most; peaks scale to tens of thousands at 50M messages', () => {
    const loc = new Map(rep.directory.map((d) => [d.name, d.locate]));
    const peaks = subscribed.map((s) => rep.peakLiveBySymbol.get(loc.get(s)!) ?? 0);
    const scale = 50e6 / M; // live orders grow with the day's message rate (Little's law)
    expect(Math.max(...peaks) * scale).toBeGreaterThan(15_000);
    const sorted = [...peaks].sort((a, b) => a - b);
    expect(sorted[0] * scale).toBeGreaterThan(500); // the quietest subscribed symbol: hundreds or more at 50M
    expect(sorted[32] * scale).toBeGreaterThan(1_500);
    expect(sorted[32] * scale).toBeLessThan(10_000);
    // busier symbols hold more: the 8 busiest subscribed out-hold the 8 quietest
    expect(peaks.slice(0, 8).reduce((a, b) => a + b, 0)).toBeGreaterThan(4 * peaks.slice(-8).reduce((a, b) => a + b, 0));
    // the summary's per-symbol peaks are the replay's
    for (const t of summary.live.top) expect(rep.peakLiveBySymbol.get(loc.get(t.name)!)).toBe(t.peakLive);
  });

  it('lifetimes are heavy-tailed: about half the orders end within a second, over a third within 2 s, a tail rests for hours', () => {
    const l = rep.lifetimes;
    expect(l.length).toBe(summary.lifetimes.ended);
    const p50 = quantile(l, 0.5) / NS;
    expect(p50).toBeGreaterThan(0.3);
    expect(p50).toBeLessThan(2);
    expect(share(l, NS)).toBeGreaterThan(0.45);
    expect(share(l, NS)).toBeLessThan(0.65);
    expect(share(l, 2 * NS)).toBeGreaterThan(1 / 3);
    expect(quantile(l, 0.25) / NS).toBeLessThan(0.1);
    expect(quantile(l, 0.99) / NS).toBeGreaterThan(1800);
    expect(1 - share(l, 3600 * NS)).toBeGreaterThan(0.02);
    expect(1 - share(l, 3600 * NS)).toBeLessThan(0.1);
    // the summary's quantiles are within its histogram's resolution of the replay's
    expect(summary.lifetimes.p50 / p50).toBeGreaterThan(0.9);
    expect(summary.lifetimes.p50 / p50).toBeLessThan(1.1);
  });

  it('adds go near the touch; partial executions happen; trade prices move a few % through the day', () => {
    expect(rep.addsNearTouch / rep.addsWithBothSides).toBeGreaterThan(0.6);
    expect(rep.partialExecutions / rep.executions).toBeGreaterThan(0.1);
    const loc = new Map(rep.directory.map((d) => [d.name, d.locate]));
    const ranges = subscribed.slice(0, 20).map((s) => {
      const p = rep.tradePrices.get(loc.get(s)!)!;
      return p.hi / p.lo - 1;
    });
    const median = [...ranges].sort((a, b) => a - b)[10];
    expect(median).toBeGreaterThan(0.003);
    expect(median).toBeLessThan(0.12);
  });

  it('stub quotes: one bid and one ask per market maker, far outside any price window, after the first regular order', () => {
    expect(summary.events.stubQuotes).toBeGreaterThan(0);
    let n = 0;
    for (const [loc, s] of rep.stubs) {
      expect(s.bids).toBe(s.asks);
      n += s.bids + s.asks;
      expect(rep.firstAddLocate.get(loc)!).toBeGreaterThan(600); // the first add was a regular order
    }
    expect(n).toBe(summary.events.stubQuotes);
  });

  it('message rate: a burst at the 09:30 open, U-shaped through the day, a spike at 16:00; most of it in market hours', () => {
    const ps = rep.perSecond;
    const avg = (a: number, b: number): number => {
      let x = 0;
      for (let s = a / NS; s < b / NS; s++) x += ps[s];
      return x / ((b - a) / NS);
    };
    const peak = (a: number, b: number): number => {
      let x = 0;
      for (let s = a / NS; s < b / NS; s++) x = Math.max(x, ps[s]);
      return x;
    };
    const midday = avg(H(12), H(13));
    expect(peak(H(9, 30), H(9, 31))).toBeGreaterThan(15 * midday);
    expect(avg(H(9, 30), H(9, 31))).toBeGreaterThan(5 * midday);
    expect(avg(H(10), H(10, 30))).toBeGreaterThan(1.3 * midday);
    expect(avg(H(15, 30), H(16))).toBeGreaterThan(1.5 * midday);
    expect(peak(H(16), H(16, 1))).toBeGreaterThan(20 * midday);
    expect(avg(H(4), H(7))).toBeLessThan(0.1 * midday);
    let regular = 0;
    for (let s = H(9, 30) / NS; s < H(16) / NS; s++) regular += ps[s];
    expect(regular / M).toBeGreaterThan(0.8);
    expect(summary.rate.midday).toBeCloseTo(midday, 6);
  });
});

describe('determinism, files and config', () => {
  const SMALL = { seed: 11, messages: 300_000, symbols: 1_000 };

  it('same options ⇒ the same bytes; the summary hashes the stream; another seed ⇒ another day', () => {
    expect(sha(buf)).toBe(summary.sha256);
    const a = generateDayBuffer(SMALL).buf;
    const b = generateDayBuffer(SMALL).buf;
    expect(sha(a)).toBe(sha(b));
    expect(sha(generateDayBuffer({ ...SMALL, seed: 12 }).buf)).not.toBe(sha(a));
  });

  it('writes plain and gzip files equal to the stream, and a config for the 64 busiest that parseConfig accepts', async () => {
    const want = generateDayBuffer(SMALL).buf;
    const plain = join(dir, 'd.itch');
    const gz = join(dir, 'd.itch.gz');
    const cfgFile = join(dir, 'd.json');
    const s1 = await generateDay({ ...SMALL, out: plain, configOut: cfgFile });
    const s2 = await generateDay({ ...SMALL, out: gz });
    expect(readFileSync(plain).equals(want)).toBe(true);
    expect(gunzipSync(readFileSync(gz)).equals(want)).toBe(true);
    expect(s1.sha256).toBe(sha(want));
    expect(s2.sha256).toBe(sha(want));
    expect(s2.gzip).toBe(true);
    const cfg = parseConfig(JSON.parse(readFileSync(cfgFile, 'utf8')), cfgFile);
    expect(cfg.symbols.map((x) => x.symbol)).toEqual(s1.subscribed.names);
    expect(cfg.symbols.length).toBe(64);
    expect(cfg.accounts.length).toBeGreaterThanOrEqual(3);
    expect(cfg.tick).toBe(100);
    for (const a of cfg.accounts) expect(a.duplicateWindowNs, a.name).toBe(1_000_000_000n);
  });

  it('riskgate gen --profile day: usage, summary, errors', async () => {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    try {
      const f = join(dir, 'cli.itch');
      expect(await genCommand(['--profile', 'day', '--symbols', '1000', '--messages', '300k', '--seed', '11', '--out', f, '--config-out', join(dir, 'cli.json'), '--json'])).toBe(0);
      const s = JSON.parse(out) as DaySummary & { maxRssBytes: number };
      expect(s.sha256).toBe(sha(generateDayBuffer(SMALL).buf));
      expect(s.maxRssBytes).toBeGreaterThan(0);
      out = '';
      expect(await genCommand(['--profile', 'day', '--symbols', '1000', '--messages', '300k', '--out', f])).toBe(0);
      expect(out).toMatch(/live orders peak/);
      expect(out).toMatch(/sha256 +[0-9a-f]{64}/);
    } finally {
      spy.mockRestore();
    }
    const usage = async (args: string[]): Promise<string> => genCommand(args).then(() => '', (e: Error) => e.message);
    expect(await usage(['--profile', 'week', '--out', 'x'])).toMatch(/--profile must be default or day/);
    expect(await usage(['--profile', 'day', '--controls', '--out', join(dir, 'x')])).toMatch(/--controls goes with the default profile/);
    expect(await usage(['--config-out', 'c.json', '--out', join(dir, 'x')])).toMatch(/--config-out goes with --profile day/);
    expect(await usage(['--profile', 'day', '--symbols', '50', '--out', join(dir, 'x')])).toMatch(/--symbols must be between 200 and/);
    expect(await usage(['--profile', 'day', '--messages', '1000', '--out', join(dir, 'x')])).toMatch(/messages must be an integer/);
  });
});

describe('streaming: state grows with live orders, never with messages', () => {
  it('a 3M-message day: the state stays within a bound set by its live orders, and the sink never holds more than one chunk', () => {
    const runDay = (messages: number): { maxState: number; peakLive: number; maxPending: number; fixed: number } => {
      const g = new DayGenerator({ seed: 5, messages, symbols: 2_000 });
      let maxState = 0;
      let maxPending = 0;
      let peakLive = 0;
      const fixed = g.stateBytes(); // books and timer buckets: sized by the directory
      for (let c = g.nextChunk(); c; c = g.nextChunk()) {
        maxState = Math.max(maxState, g.stateBytes());
        peakLive = Math.max(peakLive, g.liveOrders);
        maxPending = Math.max(maxPending, c.length);
      }
      return { maxState, peakLive, maxPending, fixed };
    };
    const one = runDay(1_000_000);
    const three = runDay(3_000_000);
    for (const r of [one, three]) {
      expect(r.maxPending).toBeLessThanOrEqual(1 << 20);
      // pool and timers double when full: at most ~4 × (64 + 48) bytes per live order on top of the fixed part
      expect(r.maxState - r.fixed).toBeLessThan(4 * 112 * r.peakLive + (8 << 20));
    }
    // the fixed part (books, timer buckets) depends on the directory only
    expect(three.fixed).toBe(one.fixed);
    expect(three.peakLive).toBeGreaterThan(2 * one.peakLive);
  });
});
