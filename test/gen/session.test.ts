/**
 * The session generator (src/gen): determinism, BinaryFILE framing, every message decodable,
 * the session's structure (system events, directory, timestamps, control-message seqs), the
 * message mix, books that never cross in an independent full-depth model, references that
 * name live orders, and file output (plain and gzip) equal to the in-memory stream.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { decodeControl, decodeMessage, type Message } from '../../src/itch/decode.ts';
import { forEachFrame, scanFrames } from '../../src/itch/framing.ts';
import { CONTROL_OPS, CONTROL_TYPE, ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';
import { generateSession, generateSessionBuffer, SessionGenerator, type GenOptions, type GenSummary } from '../../src/gen/index.ts';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function generate(opts: GenOptions): { buf: Buffer; summary: GenSummary } {
  const g = new SessionGenerator(opts);
  const parts: Buffer[] = [];
  for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
  return { buf: Buffer.concat(parts), summary: g.summary() };
}

interface Frame {
  seq: number; // seq of this message, or the effective seq a control message must carry
  msg: Buffer;
  decoded: Message | null;
}

function frames(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  let seq = 0;
  forEachFrame(buf, (msg) => {
    if (msg[0] === CONTROL_TYPE) out.push({ seq: seq + 1, msg, decoded: null });
    else out.push({ seq: ++seq, msg, decoded: decodeMessage(msg) });
  });
  return out;
}

/**
 * A plain full-depth book over every symbol (by locate): price → shares per side, live
 * orders by ref. Returns the problems it saw: crossed books, references to unknown orders,
 * reductions larger than the order.
 */
class FullDepth {
  readonly orders = new Map<bigint, { loc: number; buy: boolean; price: number; shares: number }>();
  private readonly bids = new Map<number, Map<number, number>>();
  private readonly asks = new Map<number, Map<number, number>>();
  crossed = 0;
  unknown = 0;
  overReduce = 0;
  firstCross = '';

  private side(loc: number, buy: boolean): Map<number, number> {
    const m = buy ? this.bids : this.asks;
    let s = m.get(loc);
    if (!s) m.set(loc, (s = new Map()));
    return s;
  }
  private level(loc: number, buy: boolean, price: number, d: number): void {
    const s = this.side(loc, buy);
    const v = (s.get(price) ?? 0) + d;
    if (v === 0) s.delete(price);
    else s.set(price, v);
  }
  private add(ref: bigint, loc: number, buy: boolean, price: number, shares: number): void {
    this.orders.set(ref, { loc, buy, price, shares });
    this.level(loc, buy, price, shares);
  }
  private reduce(ref: bigint, n: number): number | undefined {
    const o = this.orders.get(ref);
    if (!o) {
      this.unknown++;
      return undefined;
    }
    if (n > o.shares) this.overReduce++;
    const r = Math.min(n, o.shares);
    o.shares -= r;
    this.level(o.loc, o.buy, o.price, -r);
    if (o.shares === 0) this.orders.delete(ref);
    return o.loc;
  }
  apply(m: Message, seq: number): void {
    let loc: number | undefined;
    switch (m.type) {
      case 'A':
      case 'F':
        this.add(m.ref, m.locate, m.side === 'B', m.price, m.shares);
        loc = m.locate;
        break;
      case 'E':
      case 'C':
      case 'X':
        loc = this.reduce(m.ref, m.shares);
        break;
      case 'D': {
        const o = this.orders.get(m.ref);
        loc = o ? this.reduce(m.ref, o.shares) : this.reduce(m.ref, 0);
        break;
      }
      case 'U': {
        const o = this.orders.get(m.ref);
        if (!o) {
          this.unknown++;
          return;
        }
        this.reduce(m.ref, o.shares);
        this.add(m.newRef, o.loc, o.buy, m.price, m.shares);
        loc = o.loc;
        break;
      }
      default:
        return;
    }
    if (loc === undefined) return;
    const b = this.side(loc, true);
    const a = this.side(loc, false);
    if (b.size === 0 || a.size === 0) return;
    let bid = -1;
    for (const p of b.keys()) if (p > bid) bid = p;
    let ask = Infinity;
    for (const p of a.keys()) if (p < ask) ask = p;
    if (bid >= ask) {
      if (this.crossed === 0) this.firstCross = `seq ${seq} locate ${loc}: bid ${bid} ≥ ask ${ask}`;
      this.crossed++;
    }
  }
}

const cfg = loadConfig();
const MAIN: GenOptions = { seed: 11, symbols: 8, messages: 300_000, controlMessages: true };
let main: { buf: Buffer; summary: GenSummary };
let mainFrames: Frame[];

beforeAll(() => {
  main = generate(MAIN);
  mainFrames = frames(main.buf);
});

describe('determinism', () => {
  it('same seed and options ⇒ the same bytes; generateSessionBuffer equals the chunked stream', () => {
    const again = generateSessionBuffer(MAIN);
    expect(sha(again)).toBe(sha(main.buf));
    expect(sha(main.buf)).toBe(main.summary.sha256);
  });

  it('different seeds (or controls on/off) give different sessions', () => {
    const a = generateSessionBuffer({ seed: 1, symbols: 8, messages: 20_000 });
    const b = generateSessionBuffer({ seed: 2, symbols: 8, messages: 20_000 });
    const c = generateSessionBuffer({ seed: 1, symbols: 8, messages: 20_000, controlMessages: true });
    expect(sha(a)).not.toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
  });

  it('is pinned: this session has this SHA-256 on every machine (update only for deliberate generator changes)', () => {
    const b = generateSessionBuffer({ seed: 7, symbols: 8, messages: 20_000, controlMessages: true });
    expect(sha(b)).toBe(PINNED_SHA);
  });

  it('data/demo.itch.gz is the seed-1, 8-symbol, 200k-message session with controls', () => {
    const demo = gunzipSync(readFileSync(new URL('../../data/demo.itch.gz', import.meta.url)));
    expect(sha(demo)).toBe(sha(generateSessionBuffer({ seed: 1, symbols: 8, messages: 200_000, controlMessages: true })));
  });
});

/** SHA-256 of generateSessionBuffer({ seed: 7, symbols: 8, messages: 20_000, controlMessages: true }). */
const PINNED_SHA = '388a67bd36d830c5f04a665271bc2ce5429eda7e669e6f7363ae91c8f5e1913b';

describe('framing and decoding', () => {
  it('is BinaryFILE: whole frames, ending with the zero-length end marker and nothing after it', () => {
    const s = scanFrames(main.buf);
    expect(s.endMarker).toBe(main.buf.length - 2);
    expect(s.count).toBe(main.summary.messages + main.summary.controls);
    expect(main.summary.bytes).toBe(main.buf.length);
  });

  it('every message decodes, every control message decodes', () => {
    let bad = 0;
    for (const f of mainFrames) if (f.msg[0] === CONTROL_TYPE ? !decodeControl(f.msg) : !f.decoded) bad++;
    expect(bad).toBe(0);
    expect(mainFrames.filter((f) => f.msg[0] !== CONTROL_TYPE).length).toBe(MAIN.messages);
  });

  it('summary counts match the stream', () => {
    const byType: Record<string, number> = {};
    for (const f of mainFrames) if (f.decoded) byType[f.decoded.type === 'other' ? String.fromCharCode(f.msg[0]) : f.decoded.type] = (byType[f.decoded.type === 'other' ? String.fromCharCode(f.msg[0]) : f.decoded.type] ?? 0) + 1;
    expect(byType).toEqual(main.summary.byType);
    expect(main.summary.messages).toBe(MAIN.messages);
  });
});

describe('session structure', () => {
  it('system events O S Q M E C in order, at 03:30, 04:00, 09:30, 16:00, 20:00, 20:05', () => {
    const s = mainFrames.filter((f) => f.decoded?.type === 'S').map((f) => f.decoded as Message & { event: string });
    expect(s.map((m) => m.event).join('')).toBe('OSQMEC');
    const h = (x: number, m: number) => BigInt((x * 60 + m) * 60) * 1_000_000_000n;
    expect(s.map((m) => m.ts)).toEqual([h(3, 30), h(4, 0), h(9, 30), h(16, 0), h(20, 0), h(20, 5)]);
    expect(mainFrames[0].decoded?.type).toBe('S');
    expect(mainFrames[mainFrames.length - 1].decoded?.type).toBe('S');
  });

  it('timestamps never go backwards', () => {
    let last = -1n;
    let back = 0;
    for (const f of mainFrames) {
      if (!f.decoded) continue;
      if (f.decoded.ts < last) back++;
      last = f.decoded.ts;
    }
    expect(back).toBe(0);
  });

  it('a directory entry (R) for every symbol comes before any order flow, locates 1..K first in config order', () => {
    const rs: { locate: number; stock: string }[] = [];
    let firstFlow = -1;
    mainFrames.forEach((f, i) => {
      const d = f.decoded;
      if (d?.type === 'R') rs.push({ locate: d.locate, stock: d.stock });
      if (firstFlow < 0 && d && 'ref' in d) firstFlow = i;
    });
    const lastR = mainFrames.map((f) => f.decoded?.type).lastIndexOf('R');
    expect(lastR).toBeLessThan(firstFlow);
    expect(rs.slice(0, 8)).toEqual(cfg.symbols.map((s, i) => ({ locate: i + 1, stock: s.symbol })));
    expect(new Set(rs.map((r) => r.locate)).size).toBe(rs.length);
    expect(rs.length).toBeGreaterThan(8 + 2); // flow symbols, background names, fillers
    const flowLocates = new Set<number>();
    for (const f of mainFrames) if (f.decoded && (f.decoded.type === 'A' || f.decoded.type === 'F')) flowLocates.add(f.decoded.locate);
    for (const l of flowLocates) expect(rs.some((r) => r.locate === l)).toBe(true);
  });

  it('halts (H, P, Q then T), one circuit breaker (W 1) with per-symbol resumptions', () => {
    const h = mainFrames.filter((f) => f.decoded?.type === 'H').map((f) => f.decoded as Message & { state: string; stock: string });
    const states = new Set(h.map((m) => m.state));
    for (const s of ['H', 'P', 'Q', 'T']) expect(states.has(s)).toBe(true);
    expect(mainFrames.filter((f) => f.decoded?.type === 'W').length).toBe(1);
    // every symbol that is halted is trading again by the end
    const last = new Map<string, string>();
    for (const m of h) last.set(m.stock, m.state);
    for (const [stock, state] of last) expect([stock, state]).toEqual([stock, 'T']);
  });

  it('control messages carry the seq of the message that follows them, with known ops and targets', () => {
    const ctl = mainFrames.filter((f) => f.msg[0] === CONTROL_TYPE);
    expect(ctl.length).toBe(main.summary.controls);
    expect(ctl.length).toBeGreaterThan(0);
    const ops = new Set<number>();
    for (const f of ctl) {
      const c = decodeControl(f.msg)!;
      expect(c.effectiveSeq).toBe(BigInt(f.seq));
      ops.add(c.op);
      const target = CONTROL_OPS.find((o) => o.code === c.op)?.target;
      if (target === 'global') expect(c.target).toBe(GLOBAL_TARGET);
      else if (target === 'account') expect(c.target).toBeLessThan(cfg.accounts.length);
      else expect(c.target).toBeLessThan(cfg.symbols.length);
    }
    // Every op but the order-entry ones (spec §18), which the order-entry control plane writes:
    // the limits, the account kill and the daily loss limit (the account kill's effect on the
    // strategy's orders is pinned by test/vectors/41-account-kill.json and sim/tb/tb_risk.cpp).
    const orderEntryOps: number[] = [ControlOp.MAX_OPEN_ORDERS, ControlOp.ACCOUNT_REDUCE_ONLY, ControlOp.SYMBOL_REDUCE_ONLY, ControlOp.MAX_ORDER_RATE,
      ControlOp.ACCOUNT_KILL, ControlOp.MAX_DAILY_LOSS];
    expect([...ops].sort((a, b) => a - b)).toEqual(CONTROL_OPS.map((o) => o.code).filter((c) => !orderEntryOps.includes(c)));
    // the control is never the last frame: a message with its effective seq follows
    expect(ctl[ctl.length - 1].seq).toBeLessThanOrEqual(MAIN.messages);
  });

  it('without controlMessages there are none', () => {
    const b = generateSessionBuffer({ seed: 3, symbols: 8, messages: 20_000 });
    let n = 0;
    forEachFrame(b, (m) => {
      if (m[0] === CONTROL_TYPE) n++;
    });
    expect(n).toBe(0);
  });
});

describe('realism', () => {
  it('message mix is roughly a real day: adds ~43%, deletes ~38%, executions ~5%, cancels ~5%, replaces ~7.5%', () => {
    const t = main.summary.byType;
    const n = main.summary.messages;
    const pct = (...k: string[]) => (100 * k.reduce((a, x) => a + (t[x] ?? 0), 0)) / n;
    expect(pct('A', 'F')).toBeGreaterThan(40);
    expect(pct('A', 'F')).toBeLessThan(48);
    expect(pct('F')).toBeGreaterThan(3); // adds with MPID attribution
    expect(pct('D')).toBeGreaterThan(33);
    expect(pct('D')).toBeLessThan(42);
    expect(pct('E', 'C')).toBeGreaterThan(3.5);
    expect(pct('E', 'C')).toBeLessThan(7);
    expect(pct('C')).toBeGreaterThan(0.1);
    expect(pct('X')).toBeGreaterThan(3.5);
    expect(pct('X')).toBeLessThan(6.5);
    expect(pct('U')).toBeGreaterThan(6);
    expect(pct('U')).toBeLessThan(9);
    expect(pct('P')).toBeGreaterThan(0.3);
    expect(pct('P')).toBeLessThan(1.5);
  });

  it('books never cross and every reference names a live order (except the deliberate unknown refs)', () => {
    const book = new FullDepth();
    for (const f of mainFrames) if (f.decoded) book.apply(f.decoded, f.seq);
    expect(book.firstCross).toBe('');
    expect(book.crossed).toBe(0);
    expect(book.unknown).toBe(main.summary.events.unknownRefs);
    expect(book.overReduce).toBe(0);
    expect(main.summary.events.unknownRefs).toBeGreaterThan(0);
  });

  it('prices: on the cent grid except the sub-penny episodes and midpoint prints; stub quotes far away', () => {
    let offTickAdds = 0;
    let stubsBid = 0;
    let stubsAsk = 0;
    for (const f of mainFrames) {
      const d = f.decoded;
      if (d?.type !== 'A' && d?.type !== 'F') continue;
      if (d.price % 100 !== 0) offTickAdds++;
      if (d.side === 'B' && d.price <= 500) stubsBid++;
      if (d.side === 'S' && d.price >= 1_999_999_900) stubsAsk++;
    }
    const e = main.summary.events;
    expect(offTickAdds).toBe(e.offTickBid + e.offTickAsk);
    expect(stubsBid + stubsAsk).toBe(e.stubQuotes);
    expect(stubsBid).toBeGreaterThan(0);
    expect(stubsAsk).toBe(stubsBid);
  });

  it('opening prices are realistic per name (AAPL ~$190, TSLA ~$250, INTC ~$30)', () => {
    const px = Object.fromEntries(main.summary.symbols.map((s) => [s.name, s.startPrice]));
    expect(px.AAPL).toBe(190);
    expect(px.TSLA).toBe(250);
    expect(px.INTC).toBe(30);
  });

  it('sizes: round lots mostly, some odd lots, some blocks', () => {
    let round = 0;
    let odd = 0;
    let block = 0;
    let adds = 0;
    for (const f of mainFrames) {
      const d = f.decoded;
      if (d?.type !== 'A' && d?.type !== 'F') continue;
      adds++;
      if (d.shares % 100 === 0) round++;
      if (d.shares < 100) odd++;
      if (d.shares >= 5000) block++;
    }
    expect(round / adds).toBeGreaterThan(0.8);
    expect(odd / adds).toBeGreaterThan(0.02);
    expect(block).toBeGreaterThan(0);
  });
});

describe('more symbols than the config', () => {
  it('invents unsubscribed names carrying ~20% of the flow', () => {
    const { buf, summary } = generate({ seed: 5, symbols: 30, messages: 100_000 });
    const names = summary.symbols.map((s) => s.name);
    expect(names.slice(0, 8)).toEqual(cfg.symbols.map((s) => s.symbol));
    expect(new Set(names).size).toBe(names.length);
    expect(summary.symbols.filter((s) => s.configIndex < 0).length).toBe(30 - 8 + 2);
    expect(summary.unsubscribedShare).toBeGreaterThan(0.17);
    expect(summary.unsubscribedShare).toBeLessThan(0.27);
    for (const s of summary.symbols) expect(s.messages).toBeGreaterThan(0);
    const book = new FullDepth();
    let seq = 0;
    forEachFrame(buf, (m) => {
      if (m[0] !== CONTROL_TYPE) book.apply(decodeMessage(m)!, ++seq);
    });
    expect(book.crossed).toBe(0);
    expect(book.unknown).toBe(summary.events.unknownRefs);
  });
});

describe('options', () => {
  it('refuses bad options with a clear RangeError', () => {
    expect(() => new SessionGenerator({ seed: -1, symbols: 8, messages: 10_000 })).toThrow(/seed/);
    expect(() => new SessionGenerator({ seed: 1, symbols: 0, messages: 10_000 })).toThrow(/symbols/);
    expect(() => new SessionGenerator({ seed: 1, symbols: 8, messages: 50 })).toThrow(/messages must be an integer ≥ \d+ for 8 symbols/);
    expect(() => new SessionGenerator({ seed: 1, symbols: 8, messages: 1e4 + 0.5 })).toThrow(/messages/);
  });

  it('the smallest session is still complete and valid', () => {
    const err = (() => {
      try {
        new SessionGenerator({ seed: 1, symbols: 8, messages: 1 });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    const min = Number(/≥ (\d+)/.exec(err)?.[1]);
    const { buf, summary } = generate({ seed: 1, symbols: 8, messages: min, controlMessages: true });
    expect(summary.messages).toBe(min);
    let bad = 0;
    forEachFrame(buf, (m) => {
      if (m[0] === CONTROL_TYPE ? !decodeControl(m) : !decodeMessage(m)) bad++;
    });
    expect(bad).toBe(0);
  });
});

describe('file output', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'riskgate-gen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plain and .gz files hold exactly the in-memory stream', async () => {
    const opts = { seed: 21, symbols: 8, messages: 60_000, controlMessages: true };
    const plain = await generateSession({ ...opts, out: join(dir, 's.itch') });
    const gz = await generateSession({ ...opts, out: join(dir, 's.itch.gz') });
    const mem = generateSessionBuffer(opts);
    const p = readFileSync(join(dir, 's.itch'));
    const z = readFileSync(join(dir, 's.itch.gz'));
    expect(p.equals(mem)).toBe(true);
    expect(gunzipSync(z).equals(mem)).toBe(true);
    expect(z[0]).toBe(0x1f);
    expect(plain.sha256).toBe(sha(mem));
    expect(gz.sha256).toBe(plain.sha256);
    expect(gz.gzip).toBe(true);
    expect(gz.fileBytes).toBe(z.length);
    expect(plain.fileBytes).toBe(p.length);
  });

  it('streams a multi-chunk session without holding it (several 1 MiB chunks)', async () => {
    const s = await generateSession({ seed: 22, symbols: 8, messages: 120_000, out: join(dir, 'big.itch.gz') });
    expect(s.bytes).toBeGreaterThan(3 * (1 << 20));
    expect(gunzipSync(readFileSync(join(dir, 'big.itch.gz'))).length).toBe(s.bytes);
  });
});
