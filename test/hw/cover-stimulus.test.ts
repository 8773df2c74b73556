/**
 * Stimulus for the lines the other differential tests leave out (`npm run cover:hw` runs it
 * on the line-coverage card; it is an ordinary differential test on the normal one): every
 * ITCH type at its length, one byte short, one long, one byte only and oversized; every
 * unknown type byte; a truncated tail; control messages of every op with valid, out-of-range
 * and wrong-seq fields and foreign fingerprints, each followed by orders that feel the
 * change; and MoldUDP64 packets the packer never makes (duplicates, gaps, bad headers, count
 * mismatches, the end-of-session packet) straight through the card's C ABI; records taken
 * out under back-pressure with halts, MWCB levels and market open/close; replaces into and out of a full
 * pair of home sets (ghost and untracked re-inserts); the registers the other tests never
 * read and the header range errors of the config port. Records are
 * compared byte for byte with the Rust core and the spec §12 stats must be equal.
 */
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { FpgaEngine, type FpgaOptions } from '../../src/fpga/index.ts';
import { loadSim } from '../../src/fpga/lib.ts';
import { CONFIG, CONTROL_MESSAGE, ControlOp, ORDER_FRAME, PARAMS, Register, STATS_BY_TYPE_WORD, VENUE_FRAME } from '../../src/contract.ts';
import { Prng } from '../../src/gen/prng.ts';
import { RefAllocator } from '../../src/gen/refs.ts';
import { frame, frames, itch, type Header } from '../../src/itch/encode.ts';
import { CONTROL_OPS, MESSAGE_LENGTH } from '../../src/itch/layout.ts';

/** The highest op code of the contract: the next ones are unknown ops. */
const MAX_OP = Math.max(...CONTROL_OPS.map((o) => o.code));
import { moldPacket, moldSession, MOLD_END_OF_SESSION } from '../../src/itch/moldudp64.ts';
import { newEngine } from '../helpers/engine.ts';
import { Rng } from '../helpers/flow.ts';
import { blobFingerprintOf, readableRecords } from '../helpers/vectors.ts';
import { requireHw, requireRust, comparableStats, firstDiff } from './util.ts';

const cfg = loadConfig();
const blob = configBlob(cfg);
const names = cfg.symbols.map((s) => s.symbol);
const fingerprint = blobFingerprintOf(blob);
const NSYM = cfg.symbols.length;
const NACC = cfg.accounts.length;
const P_MAX = (k: 'MAX_SYMBOLS' | 'MAX_ACCOUNTS'): number => PARAMS[k].default;




/** Same stream through both engines: records byte-identical, stats equal. Returns the records. */
function compare(name: string, stream: Buffer, opts: FpgaOptions = {}): Buffer {
  const rust = newEngine(blob);
  const want = rust.process(stream, true);
  const hw = new FpgaEngine(blob, { stamps: false, ...opts });
  try {
    const got = hw.process(stream, true);
    console.log(`[cover] ${name}: ${Number(rust.stats().messages)} messages, ${want.length / 32} records`);
    if (!got.equals(want)) expect.fail(`${name}: FPGA records differ from the Rust core\n${firstDiff(want, got)}`);
    expect(comparableStats(hw.stats())).toEqual(comparableStats(rust.stats()));
    return got;
  } finally {
    hw.close();
  }
}

/** A session prologue: system event O, the directory of the configured symbols (locates 1..n) and an unsubscribed one, then Q. */
class Session {
  readonly msgs: Buffer[] = [];
  ts = 34_200_000_000_000;
  /** seq of the last framed message (controls take none) */
  seq = 0;
  constructor() {
    this.push(itch.systemEvent(this.h(0), 'O'));
    names.forEach((n, i) => this.push(itch.stockDirectory(this.h(i + 1), n)));
    this.push(itch.stockDirectory(this.h(NSYM + 1), 'ZZZZ'));
    this.push(itch.systemEvent(this.h(0), 'Q'));
  }
  h(locate: number): Header {
    return { locate, ts: (this.ts += 1000) };
  }
  push(m: Buffer): void {
    this.msgs.push(m);
    if (!(m.length >= 1 && m[0] === CONTROL_MESSAGE.typeByte)) this.seq++;
    else if (m.length !== MESSAGE_LENGTH['~']) this.seq++; // a mis-sized '~' is an ordinary bad message
  }
  control(op: number, target: number, value: bigint, o: { seq?: bigint; fp?: bigint } = {}): void {
    const b = Buffer.alloc(MESSAGE_LENGTH['~']);
    b[0] = CONTROL_MESSAGE.typeByte;
    b[1] = op;
    b.writeUInt16BE(target, 2);
    b.writeBigUInt64BE(o.seq ?? BigInt(this.seq + 1), 4);
    b.writeBigUInt64BE(value & 0xffff_ffff_ffff_ffffn, 12);
    b.writeBigUInt64BE(o.fp ?? fingerprint, 20);
    this.push(b);
  }
  stream(endMarker = false): Buffer {
    return frames(this.msgs, endMarker);
  }
}

describe('cover stimulus: FPGA vs Rust on what the other differential tests leave out', () => {
  requireHw();
  requireRust();

  it('every ITCH type at its length, short, long, one byte and oversized; every unknown type byte', () => {
    const s = new Session();
    const types = Object.keys(MESSAGE_LENGTH);
    for (const t of types) {
      const len = MESSAGE_LENGTH[t];
      for (const n of [len, len - 1, len + 1, 1, 2, 10, 11, 255, 600]) {
        const m = itch.raw(t, Math.max(1, n), s.h(1 + (s.seq % (NSYM + 2))));
        if (t === '~' && n === len) continue; // a real control: below
        s.push(m);
      }
    }
    for (let b = 0; b < 256; b++) {
      if (types.includes(String.fromCharCode(b))) continue;
      // `{` and `}` are the order-entry frames of spec §18 (any length): Rust only for now, and
      // the FPGA backend refuses them (test/order-entry, test/hw/golden.test.ts).
      if (b === ORDER_FRAME.typeByte || b === VENUE_FRAME.typeByte) continue;
      for (const n of [1, 10, 11, 40]) s.push(itch.raw(b, n, s.h(1)));
    }
    compare('every type x length', s.stream(), { messagesPerPacket: 8 });
    compare('every type x length, 1 per packet, 5/8 offer', s.stream(), { messagesPerPacket: 1, offer: { num: 5, den: 8 } });
  });

  it('a truncated tail: a frame longer than the bytes left, and a stray length byte', () => {
    const s = new Session();
    s.push(itch.systemEvent(s.h(0), 'E'));
    const body = s.stream();
    const cut = Buffer.concat([body, Buffer.from([0, 36]), itch.raw('A', 36, s.h(1)).subarray(0, 20)]);
    compare('truncated add', cut);
    compare('stray byte', Buffer.concat([body, Buffer.from([0])]));
    compare('truncated control', Buffer.concat([body, Buffer.from([0, 28, CONTROL_MESSAGE.typeByte, 1, 0xff])]));
  });

  it('control messages of every op: valid, out-of-range target and value, wrong seq, foreign, unknown ops', () => {
    const rng = new Rng(12);
    const s = new Session();
    let ref = 1000n;
    const orders = (k: number) => {
      for (let i = 0; i < k; i++) {
        const sym = rng.int(NSYM);
        const px = 100 * (1000 + rng.int(40));
        const buy = rng.chance(0.5);
        s.push(itch.addOrder(s.h(sym + 1), { ref: (ref += 1n), side: buy ? 'B' : 'S', shares: 100 * (1 + rng.int(20)), stock: names[sym], price: px }));
        if (rng.chance(0.5)) s.push(itch.executed(s.h(sym + 1), { ref, shares: 100 * (1 + rng.int(3)), match: ref }));
        if (rng.chance(0.3)) s.push(itch.trade(s.h(sym + 1), { ref: 0n, side: 'B', shares: 100, stock: names[sym], price: px + 100 * (rng.int(5) - 2), match: 0n }));
      }
    };
    orders(200);
    const big = [0n, 1n, 2n, 65_535n, 65_536n, (1n << 31n) - 1n, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n];
    for (const op of [...CONTROL_OPS.map((o) => o.code), 0, MAX_OP + 1, MAX_OP + 2, 0x7f, 0xff]) {
      const global = op === ControlOp.GLOBAL_KILL;
      const account = CONTROL_OPS.find((o) => o.code === op)?.target === 'account';
      const n = account ? NACC : NSYM;
      const targets = global ? [0xffff, 0, 1] : [0, n - 1, n, 0xffff, 0x8000];
      for (const target of targets) {
        for (const value of big) {
          s.control(op, target, value);
          orders(2);
        }
      }
      // wrong seq (one ahead, one behind, far), foreign fingerprint, then a release
      s.control(op, global ? 0xffff : 0, 1n, { seq: BigInt(s.seq + 2) });
      s.control(op, global ? 0xffff : 0, 1n, { seq: BigInt(s.seq) });
      s.control(op, global ? 0xffff : 0, 1n, { seq: 1n << 63n });
      s.control(op, global ? 0xffff : 0, 0n, { fp: fingerprint ^ 1n });
      orders(3);
      s.control(1, 0xffff, 0n);
      orders(3);
    }
    // two controls in a row for the same message, and controls at the very end (no message after)
    s.control(2, 0, 1n);
    s.control(2, 0, 0n);
    orders(5);
    s.control(3, 1, 1n);
    const stream = s.stream();
    compare('controls', stream, { messagesPerPacket: 4 });
    compare('controls, 1 per packet, 5/8 offer', stream, { messagesPerPacket: 1, offer: { num: 5, den: 8 } });
  });

  it('back-pressure (m_axis_tready high 1 cycle in 10) with halts, MWCB levels, market open and close', () => {
    const rng = new Rng(5);
    const s = new Session();
    let ref = 50_000n;
    const px = names.map((_, i) => 100 * (2000 + 10 * i));
    for (let i = 0; i < 800; i++) {
      const sym = rng.int(NSYM);
      const side = rng.chance(0.5) ? 'B' : 'S';
      px[sym] += 100 * (rng.int(5) - 2); // walks: the best level moves and the book emits
      s.push(itch.addOrder(s.h(sym + 1), { ref: (ref += 1n), side, shares: 100 * (1 + rng.int(9)), stock: names[sym], price: px[sym] }));
      const r = rng.next();
      if (r < 0.3) s.push(itch.executed(s.h(sym + 1), { ref, shares: 100, match: ref }));
      else if (r < 0.4) s.push(itch.executedWithPrice(s.h(sym + 1), { ref, shares: 100, match: ref, printable: rng.chance(0.5), price: px[sym] + 100 }));
      else if (r < 0.5) s.push(itch.replace(s.h(sym + 1), { ref, newRef: (ref += 1n), shares: 300, price: px[sym] - 100 }));
      else if (r < 0.55) s.push(itch.trade(s.h(sym + 1), { ref: 0n, side: 'S', shares: 100, stock: names[sym], price: px[sym], match: 0n }));
      else if (r < 0.6) s.push(itch.tradingAction(s.h(sym + 1), names[sym], 'HPQT'[rng.int(4)]));
      else if (r < 0.62) s.push(itch.mwcbStatus(s.h(0), '1230'[rng.int(4)]));
      else if (r < 0.64) s.push(itch.systemEvent(s.h(0), 'QMQE'[rng.int(4)]));
      else if (r < 0.67) s.push(itch.tradingAction(s.h(sym + 1), names[sym], 'T'));
      else if (r < 0.68) s.control(2, sym, rng.chance(0.5) ? 1n : 0n);
    }
    const stream = s.stream();
    compare('tready 1/10, 8 per packet', stream, { messagesPerPacket: 8, ready: { num: 1, den: 10 } });
    compare('tready 2/3, offer 7/8, 3 per packet', stream, { messagesPerPacket: 3, offer: { num: 7, den: 8 }, ready: { num: 2, den: 3 } });
  });

  it('replaces into and out of a full pair of home sets: ghost and untracked re-inserts', () => {
    const P = PARAMS;
    const table = 2 * P.WAYS.default + P.STASH_SLOTS.default;
    const crafted = new RefAllocator(new Prng(91, 1)).craftSameHomes(table + P.GHOST_SLOTS.default + 3, () => true).map(BigInt);
    const s = new Session();
    const add = (ref: bigint, px: number) => s.push(itch.addOrder(s.h(1), { ref, side: 'B', shares: 100, stock: names[0], price: px }));
    const filled = table + P.GHOST_SLOTS.default;
    crafted.slice(0, filled).forEach((r, i) => add(r, 100 * (1000 + (i % 7))));
    add(7n, 100 * 1003);                      // an order elsewhere in the table
    // a ghost replaced by a ref of the same (full) home sets: its slot is free again, a ghost re-insert
    s.push(itch.replace(s.h(1), { ref: crafted[filled - 1], newRef: crafted[filled], shares: 200, price: 100 * 1002 }));
    // an order from elsewhere replaced into the full home sets: table, stash and ghosts full, untracked
    s.push(itch.replace(s.h(1), { ref: 7n, newRef: crafted[filled + 1], shares: 300, price: 100 * 1001 }));
    // a stash order and a ghost reduced without being freed (partial cancel and execution)
    s.push(itch.cancel(s.h(1), { ref: crafted[table - 1], shares: 40 }));
    s.push(itch.executed(s.h(1), { ref: crafted[table + 1], shares: 30, match: 1n }));
    // a table order replaced out of them, then everything deleted
    s.push(itch.replace(s.h(1), { ref: crafted[0], newRef: 8n, shares: 100, price: 100 * 1004 }));
    for (const r of [...crafted.slice(1, filled - 1), crafted[filled], 8n]) s.push(itch.delete(s.h(1), { ref: r }));
    s.control(9, 0, 0n);                      // CLEAR_COLLISION after the untracked drop
    add(9n, 100 * 1000);
    const got = readableRecords(compare('same-home replaces', s.stream(), { messagesPerPacket: 2 }));
    expect(got.some((r) => Array.isArray(r.flags) && (r.flags as string[]).includes('COLLISION'))).toBe(true);
  });

  it('back to back on a bank-1 set: the next message read one cycle before an insert or a reduce there', () => {
    // bank 0's home set full, so these refs go to bank 1; each run waits behind a U (the
    // front busy), so the add is read one cycle ahead and the cancels behind it too: the
    // table writes the bank-1 set in the cycle after the next message read it (forwarded)
    const P = PARAMS;
    const crafted = new RefAllocator(new Prng(97, 1)).craftSameHomes(2 * P.WAYS.default, () => true).map(BigInt);
    const s = new Session();
    const add = (ref: bigint, px: number) => s.push(itch.addOrder(s.h(1), { ref, side: 'S', shares: 100, stock: names[0], price: px }));
    crafted.slice(0, P.WAYS.default).forEach((r, i) => add(r, 100 * (1000 + i)));
    add(7n, 100 * 1010);
    let old = 7n;
    for (let k = 0; k < P.WAYS.default; k++) {
      const r = crafted[P.WAYS.default + k];
      const next = old === 7n ? 8n : 7n;
      s.push(itch.replace(s.h(1), { ref: old, newRef: next, shares: 100, price: 100 * (1011 + k) }));
      old = next;
      add(r, 100 * (1005 + k));
      s.push(itch.cancel(s.h(1), { ref: r, shares: 10 }));
      s.push(itch.cancel(s.h(1), { ref: r, shares: 10 }));
      s.push(itch.executed(s.h(1), { ref: r, shares: 5, match: BigInt(k + 1) }));
    }
    for (const r of [...crafted, old]) s.push(itch.delete(s.h(1), { ref: r }));
    compare('bank-1 back to back', s.stream(), { messagesPerPacket: 8 });
  });

  it('registers the other tests never read, and the config port refusing header ranges', () => {
    const hw = new FpgaEngine(blob, { stamps: false });
    try {
      expect(hw.readReg(Register.PARAM1)).toBe(PARAMS.WINDOW_TICKS.default);
      expect(hw.readReg(Register.SESSION)).toBe(blob.readUInt32LE(CONFIG.header.session));
      hw.setEthernetFilter(0xe0010203, 26_477);
      expect(hw.readReg(Register.ETH_GROUP)).toBe(0xe0010203);
      expect(hw.readReg(Register.ETH_PORT)).toBe(26_477);
      // a stats word past the counters reads 0; a by_type word alone (its RAM read takes a cycle more)
      expect(hw.readReg(Register.STATS + 4 * 2 * 40)).toBe(0);
      hw.process(frames([itch.systemEvent({ locate: 0, ts: 1 }, 'O'), itch.systemEvent({ locate: 0, ts: 2 }, 'Q')]), true);
      expect(hw.readReg(Register.STATS + 4 * (STATS_BY_TYPE_WORD + 2 * 'S'.charCodeAt(0)))).toBe(2);
      expect(hw.readReg(Register.STATS + 4 * (STATS_BY_TYPE_WORD + 2 * 'S'.charCodeAt(0) + 1))).toBe(0);
    } finally {
      hw.close();
    }
    // n_symbols / n_accounts of 0 (a blob of that size) and above the build's maximum (the
    // driver sends the header alone): the hardware's range codes 3 and 4 (spec §10)
    const H = CONFIG.headerSize, SE = CONFIG.symbolEntrySize;
    const header = (nsym: number, nacc: number) => {
      const b = Buffer.from(blob.subarray(0, H));
      b[CONFIG.header.n_symbols] = nsym;
      b[CONFIG.header.n_accounts] = nacc;
      return b;
    };
    const sim = loadSim();
    const h = sim.open(3, 0);
    try {
      // after a refused blob the card must be reset (hdl/rg_config.v): it keeps the error
      const load = (b: Buffer) => {
        sim.reset(h);
        return sim.config(h, b, b.length);
      };
      expect(load(Buffer.concat([header(0, NACC), blob.subarray(H + SE * NSYM)]))).toBe(3);
      expect(load(header(P_MAX('MAX_SYMBOLS') + 1, NACC))).toBe(3);
      expect(load(Buffer.from(blob.subarray(0, H + SE * NSYM)).fill(0, CONFIG.header.n_accounts, CONFIG.header.n_accounts + 1))).toBe(4);
      expect(load(header(NSYM, P_MAX('MAX_ACCOUNTS') + 1))).toBe(4);
      expect(load(blob)).toBe(0);
      // a by-type stats word read while messages stream in: the read waits for the counter
      // RAM's port when a count update takes it, and the values only grow
      const adds = new Session();
      for (let i = 0; i < 300; i++) adds.push(itch.addOrder(adds.h(1), { ref: BigInt(i + 1), side: 'B', shares: 100, stock: names[0], price: 100 * 1000 }));
      const session = moldSession();
      const pkts = adds.msgs.map((m, i) => moldPacket(session, BigInt(i + 1), 1, [frame(m)]));
      const buf = Buffer.concat(pkts.flatMap((p) => [Buffer.from(Uint32Array.of(p.length).buffer), p]));
      expect(Number(sim.pushPackets(h, buf, buf.length))).toBe(pkts.length);
      const word = Register.STATS + 4 * (STATS_BY_TYPE_WORD + 2 * 'A'.charCodeAt(0));
      const v = [0];
      let last = 0;
      for (let i = 0; i < 400; i++) {
        expect(sim.readReg(h, word, v)).toBe(0);
        expect(v[0]).toBeGreaterThanOrEqual(last);
        last = v[0];
      }
      expect(Number(sim.run(h, 0))).toBeGreaterThanOrEqual(0);
      expect(sim.readReg(h, word, v)).toBe(0);
      expect(v[0]).toBe(300);
    } finally {
      sim.close(h);
    }
  });
});

describe('cover stimulus: MoldUDP64 packets the packer never makes, through the C ABI', () => {
  requireHw();
  requireRust();

  /** u32 LE length-prefixed packets, as rg_sim_push_packets takes them. */
  const packets = (ps: Buffer[]) => Buffer.concat(ps.flatMap((p) => [Buffer.from(Uint32Array.of(p.length).buffer), p]));

  function runCard(ps: Buffer[]): { records: Buffer; rx: Record<string, number> } {
    const sim = loadSim();
    const h = sim.open(1, 0);
    try {
      expect(sim.config(h, blob, blob.length)).toBe(0);
      sim.setPacing(h, 1, 1, 1, 1);
      const buf = packets(ps);
      expect(Number(sim.pushPackets(h, buf, buf.length))).toBe(ps.length);
      expect(Number(sim.run(h, 0))).toBeGreaterThan(0);
      const n = Number(sim.recordsPending(h));
      const records = Buffer.alloc(n);
      if (n) sim.pullRecords(h, records, n);
      const reg = (a: number) => {
        const v = [0];
        expect(sim.readReg(h, a, v)).toBe(0);
        return v[0] >>> 0;
      };
      return {
        records,
        rx: {
          packets: reg(Register.RX_PACKETS), bad: reg(Register.RX_BAD_PACKETS), gaps: reg(Register.RX_GAPS),
          dups: reg(Register.RX_DUPS), mismatch: reg(Register.RX_COUNT_MISMATCH), nextSeq: reg(Register.NEXT_SEQ_LO),
          eos: (reg(Register.STATUS) >> 5) & 1, gapSeen: (reg(Register.STATUS) >> 4) & 1,
        },
      };
    } finally {
      sim.close(h);
    }
  }

  it('duplicates are dropped, gaps counted, bad headers and count mismatches refused, end of session seen', () => {
    const s = new Session();
    const rng = new Rng(7);
    let ref = 1n;
    for (let i = 0; i < 60; i++) {
      const sym = rng.int(NSYM);
      s.push(itch.addOrder(s.h(sym + 1), { ref: (ref += 1n), side: rng.chance(0.5) ? 'B' : 'S', shares: 100, stock: names[sym], price: 100 * (1000 + rng.int(20)) }));
      s.push(itch.raw('Y', MESSAGE_LENGTH.Y, s.h(sym + 1))); // a skipped message: no record, a gap of it loses nothing
    }
    const session = moldSession();
    const blocks = s.msgs.map(frame);
    const one = blocks.map((b, i) => moldPacket(session, BigInt(i + 1), 1, [b]));
    const rust = newEngine(blob);
    const want = rust.process(s.stream(), true);

    // resent packets (the previous one, and a packet of three overlapping the past), all dropped
    const withDups: Buffer[] = [];
    let dupBlocks = 0; // RX_DUPS counts the dropped message blocks (hdl/rg_moldudp64_rx.v), not packets
    one.forEach((p, i) => {
      withDups.push(p);
      if (i % 10 === 5) (withDups.push(p), (dupBlocks += 1));
      if (i % 25 === 20) (withDups.push(moldPacket(session, BigInt(i - 1), 3, blocks.slice(i - 2, i + 1))), (dupBlocks += 3));
    });
    const d = runCard(withDups);
    if (!d.records.equals(want)) expect.fail(`duplicates: FPGA records differ from the Rust core\n${firstDiff(want, d.records)}`);
    expect(d.rx).toMatchObject({ packets: withDups.length, dups: dupBlocks, gaps: 0, bad: 0, mismatch: 0, nextSeq: one.length + 1 });

    // gaps: every skipped message (no record) after the prologue missing, so the records stay the Rust core's
    const prologue = NSYM + 3;
    const gapped = one.filter((_, i) => !(i >= prologue && s.msgs[i][0] === 'Y'.charCodeAt(0) && i % 4 === 0));
    const g = runCard(gapped);
    if (!g.records.equals(want)) expect.fail(`gaps: FPGA records differ from the Rust core\n${firstDiff(want, g.records)}`);
    expect(g.rx.gaps).toBe(one.length - gapped.length);
    expect(g.rx.gapSeen).toBe(1);

    // after the prologue (seq 1..P): a packet shorter than its header (refused, not a
    // packet), a packet whose only block is cut short (TRUNCATED, takes seq P+1), a count of
    // 2 over one block and a count of 0 over one (count mismatches; the blocks still take
    // seqs P+2 and P+3), then the end-of-session packet
    const P = prologue;
    const [a1, a2] = [s.msgs[P], s.msgs[P + 2]];
    const cutPkt = moldPacket(session, BigInt(P + 1), 1, [frame(a1)]).subarray(0, 30);
    const r = runCard([...one.slice(0, P), Buffer.alloc(10), cutPkt, moldPacket(session, BigInt(P + 2), 2, [frame(a1)]),
      moldPacket(session, BigInt(P + 3), 0, [frame(a2)]), moldPacket(session, BigInt(P + 4), MOLD_END_OF_SESSION, [])]);
    expect(r.rx).toMatchObject({ packets: P + 4, bad: 1, mismatch: 2, gaps: 0, dups: 0, eos: 1, nextSeq: P + 4 });
    // the Rust core on the same messages, a skipped message standing in for the cut one
    const filler = itch.raw('Y', MESSAGE_LENGTH.Y, { locate: 1, ts: 0 });
    const rustWant = newEngine(blob).process(frames([...s.msgs.slice(0, P), filler, a1, a2]), true);
    const got = readableRecords(r.records);
    const trunc = got.findIndex((x) => x.kind === 'PROBLEM' && x.code === 'TRUNCATED');
    expect(got[trunc]).toMatchObject({ seq: P + 1, frameLength: a1.length, expectedLength: 36 });
    const rest = Buffer.concat([r.records.subarray(0, 32 * trunc), r.records.subarray(32 * (trunc + 1))]);
    if (!rest.equals(rustWant)) expect.fail(`refused packets: FPGA records differ from the Rust core\n${firstDiff(rustWant, rest)}`);
    console.log(`[cover] mold: duplicates ${JSON.stringify(d.rx)}; gaps ${JSON.stringify(g.rx)}; refused ${JSON.stringify(r.rx)}`);
  });
});
