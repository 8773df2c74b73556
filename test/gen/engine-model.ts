/**
 * An independent, deliberately plain model of the riskgate engine (docs/spec.md §2–§12),
 * used by the generator's tests to measure what a generated session makes the engine do:
 * decisions and reject reasons, fills, book flags, unknown refs, the order table's overflow
 * path (stash, ghosts, untracked drops, COLLISION clearing by itself). It is written from the
 * spec, not from the generator's code or the Rust core, and shares nothing with them: the
 * order table is a plain search of bank 0, bank 1, stash and ghosts in the order of §5 (no
 * spill counters, no packing). It can also emit the spec's 32-byte records, for a
 * differential check against the native engine.
 *
 * Not on any product path — speed matters only enough to run a few million messages in a test.
 */
import { configBlob, type Config } from '../../src/config/index.ts';
import {
  CONFIG, CONTROL_MESSAGE, CONTROL_OPS, ControlOp, Flag, FLAG_NAMES, MESSAGE_LENGTH, NO_SYMBOL, PARAMS, Problem, PROBLEM_NAMES, Reason, REASON_NAMES,
  RECORD_SIZE, RECORD_VERSION, RecordField, RecordHeader, RecordKind,
} from '../../src/contract.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';

const L = PARAMS.WINDOW_TICKS.default;
const SET_BITS = PARAMS.SET_BITS.default;
const SETS = 1 << SET_BITS;
const SET_MASK = SETS - 1;
const WAYS = PARAMS.WAYS.default;
const STASH = PARAMS.STASH_SLOTS.default;
const GHOSTS = PARAMS.GHOST_SLOTS.default;
/** Slot numbering of the model's one array of entries: bank 0, bank 1, stash, ghost list. */
const BANK1 = SETS * WAYS;
const STASH0 = 2 * SETS * WAYS;
const GHOST0 = STASH0 + STASH;
const SLOTS = GHOST0 + GHOSTS;
const U64 = (1n << 64n) - 1n;

/** CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, one byte at a time. */
const CRC32C = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC32C[i] = c >>> 0;
}

/** Bank 0's home set (§5): XOR of the reference's SET_BITS-bit slices from bit 0 upward. */
export function home0(hi: number, lo: number): number {
  let x = 0;
  for (let s = 0; s < 64; s += SET_BITS) {
    // bits s .. s+SET_BITS-1 of the 64-bit value hi:lo
    const v = s >= 32 ? hi >>> (s - 32) : s + SET_BITS <= 32 ? lo >>> s : (lo >>> s) | (hi << (32 - s));
    x ^= v & SET_MASK;
  }
  return x;
}

/** Bank 1's home set (§5): low SET_BITS bits of CRC-32C over the 8 bytes of the ref, LSB first. */
export function home1(hi: number, lo: number): number {
  let c = 0xffffffff;
  for (let k = 0; k < 8; k++) {
    const b = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
    c = CRC32C[(c ^ b) & 0xff] ^ (c >>> 8);
  }
  return ((c ^ 0xffffffff) >>> 0) & SET_MASK;
}
const LEN: Record<number, number> = {};
for (const [t, n] of Object.entries(MESSAGE_LENGTH)) LEN[t.charCodeAt(0)] = n;
const TOB = RecordField.TOB;
const DEC = RecordField.DECISION;
const FILL = RecordField.FILL;
const CTL = RecordField.CONTROL;
const PRB = RecordField.PROBLEM;

export interface ModelStats {
  messages: number;
  byType: Record<string, number>;
  problems: number[];
  unknownRef: number;
  tableFull: number;
  flagged: number;
  touched: number;
  tob: number;
  decisions: number;
  accepted: number;
  rejected: number;
  fills: number;
  controls: number;
  /** Order table (§5, §12): inserts into the stash, kept as ghosts, dropped untracked (table_full = ghost + untracked). */
  stashInserts: number;
  ghostInserts: number;
  untrackedDrops: number;
  /** COLLISION cleared by itself (the symbol's last ghost left, no untracked drop). */
  collisionClears: number;
  /** Peak book orders (table + stash), peak stash and ghost occupancy. */
  livePeak: number;
  stashPeak: number;
  ghostPeak: number;
  /** Rejects with each reason bit set, and rejects with that bit as the only reason. */
  reasons: Record<string, number>;
  soleReasons: Record<string, number>;
  /** TOB records carrying each flag, and 0→1 transitions of each flag per symbol. */
  tobFlags: Record<string, number>;
  flagEpisodes: Record<string, number>;
  /** CREDIT rejects per account index; max |position| reached per symbol. */
  creditRejectsByAccount: number[];
  maxAbsPosition: number[];
  /** Decisions per symbol. */
  decisionsBySymbol: number[];
  /** Largest number of accepted orders of one account in one throttle window. */
  maxWindowCount: number[];
}

export class EngineModel {
  // config (mutable by control messages)
  private readonly nSym: number;
  private readonly nAcc: number;
  private readonly tick: number;
  private globalKill: boolean;
  private readonly kill: boolean[];
  private readonly accountKill: boolean[];
  private readonly maxQty: number[];
  private readonly maxNotional: bigint[];
  private readonly posLimit: number[];
  private readonly collarBps: number[];
  private readonly creditLimit: bigint[];
  private readonly maxOrders: number[];
  private readonly dupWindow: bigint[];
  private readonly accountOf: number[];
  private readonly accountId: number[];
  private readonly names: Buffer[];
  // state
  private seq = 0;
  private lastTs = 0;
  private marketOpen = false;
  private readonly locate = new Int16Array(65536).fill(-1);
  private readonly state: number[];
  private readonly lastTrade: number[];
  private readonly windowSet: boolean[];
  private readonly baseQ: number[];
  private readonly level: Uint32Array[][]; // [sym][side]
  private readonly best: number[][]; // [sym][side]: bid highest idx / ask lowest idx, -1 none
  private readonly nBelow: number[][];
  private readonly nAbove: number[][];
  private readonly nOff: number[][];
  /** Live ghosts per symbol, and "an order was dropped with no ghost slot free" (§5). */
  private readonly ghosts: number[];
  private readonly lost: boolean[];
  private readonly flagsNow: number[];
  private readonly lastTuple: number[][];
  private readonly lastDecisionTs: number[];
  private readonly position: number[];
  private readonly usedCredit: bigint[];
  private readonly window: number[];
  private readonly count: number[];
  /** The account's last accepted order (§8.3), for DUPLICATE. */
  private readonly lastOrder: ({ sym: number; buy: boolean; price: number; qty: number; ts: number } | null)[];
  // order table (§5): every entry of bank 0, bank 1, the stash and the ghost list in one
  // numbering (see BANK1, STASH0, GHOST0); ghosts keep no class or level.
  private readonly tValid = new Uint8Array(SLOTS);
  private readonly tHi = new Uint32Array(SLOTS);
  private readonly tLo = new Uint32Array(SLOTS);
  private readonly tSym = new Uint8Array(SLOTS);
  private readonly tSide = new Uint8Array(SLOTS);
  private readonly tPrice = new Uint32Array(SLOTS);
  private readonly tShares = new Uint32Array(SLOTS);
  private readonly tClass = new Uint8Array(SLOTS);
  private readonly tIdx = new Uint16Array(SLOTS);
  private live = 0;
  private stashed = 0;
  private ghostCount = 0;

  readonly stats: ModelStats;
  private readonly records: Buffer[] | null;
  private readonly imbNum: bigint;
  private readonly imbDen: bigint;
  private readonly maxSpread: number;
  private readonly clip: number;
  private readonly cooldown: number;
  private readonly wDiv: number;
  private readonly gate: boolean;
  private readonly fingerprint: bigint;

  constructor(cfg: Config, opts: { records?: boolean } = {}) {
    // the fingerprint of the blob this config encodes to (spec §10; the engines read it there)
    this.fingerprint = configBlob(cfg).readBigUInt64LE(CONFIG.header.fingerprint);
    this.nSym = cfg.symbols.length;
    this.nAcc = cfg.accounts.length;
    this.tick = cfg.tick;
    this.globalKill = cfg.globalKill;
    this.kill = cfg.symbols.map((s) => s.kill);
    this.accountKill = cfg.accounts.map(() => false);
    this.maxQty = cfg.symbols.map((s) => s.maxQty);
    this.maxNotional = cfg.symbols.map((s) => s.maxNotional);
    this.posLimit = cfg.symbols.map((s) => s.positionLimit);
    this.collarBps = cfg.symbols.map((s) => s.collarBps);
    this.accountOf = cfg.symbols.map((s) => s.account);
    this.creditLimit = cfg.accounts.map((a) => a.creditLimit);
    this.maxOrders = cfg.accounts.map((a) => a.maxOrdersPerWindow);
    this.dupWindow = cfg.accounts.map((a) => a.duplicateWindowNs);
    this.accountId = cfg.accounts.map((a) => a.id);
    this.names = cfg.symbols.map((s) => Buffer.from(s.symbol.padEnd(8, ' '), 'latin1'));
    const n = this.nSym;
    this.state = new Array(n).fill(0x54);
    this.lastTrade = new Array(n).fill(0);
    this.windowSet = new Array(n).fill(false);
    this.baseQ = new Array(n).fill(0);
    this.level = Array.from({ length: n }, () => [new Uint32Array(L), new Uint32Array(L)]);
    this.best = Array.from({ length: n }, () => [-1, -1]);
    this.nBelow = Array.from({ length: n }, () => [0, 0]);
    this.nAbove = Array.from({ length: n }, () => [0, 0]);
    this.nOff = Array.from({ length: n }, () => [0, 0]);
    this.ghosts = new Array(n).fill(0);
    this.lost = new Array(n).fill(false);
    this.flagsNow = new Array(n).fill(0);
    this.lastTuple = Array.from({ length: n }, () => [0, 0, 0, 0]);
    this.lastDecisionTs = new Array(n).fill(-1);
    this.position = cfg.symbols.map((s) => s.startPosition);
    this.usedCredit = cfg.accounts.map((a) => a.usedCredit);
    this.window = new Array(this.nAcc).fill(-1);
    this.count = new Array(this.nAcc).fill(0);
    this.lastOrder = new Array(this.nAcc).fill(null);
    this.imbNum = BigInt(cfg.strategy.imbalanceNum);
    this.imbDen = BigInt(cfg.strategy.imbalanceDen);
    this.maxSpread = cfg.strategy.maxSpread;
    this.clip = cfg.strategy.clipQty;
    this.cooldown = Number(cfg.strategy.cooldownNs);
    this.wDiv = 2 ** cfg.throttleWindowShift;
    this.gate = cfg.gateMarketHours;
    this.records = opts.records ? [] : null;
    this.stats = {
      messages: 0, byType: {}, problems: new Array(PROBLEM_NAMES.length).fill(0), unknownRef: 0, tableFull: 0, flagged: 0, touched: 0, tob: 0,
      decisions: 0, accepted: 0, rejected: 0, fills: 0, controls: 0,
      stashInserts: 0, ghostInserts: 0, untrackedDrops: 0, collisionClears: 0, livePeak: 0, stashPeak: 0, ghostPeak: 0,
      reasons: Object.fromEntries(REASON_NAMES.map((r) => [r, 0])), soleReasons: Object.fromEntries(REASON_NAMES.map((r) => [r, 0])),
      tobFlags: Object.fromEntries(FLAG_NAMES.map((f) => [f, 0])), flagEpisodes: Object.fromEntries(FLAG_NAMES.map((f) => [f, 0])),
      creditRejectsByAccount: new Array(this.nAcc).fill(0), maxAbsPosition: new Array(n).fill(0),
      decisionsBySymbol: new Array(n).fill(0), maxWindowCount: new Array(this.nAcc).fill(0),
    };
  }

  /** Records emitted so far (when constructed with records: true). */
  recordBytes(): Buffer {
    return Buffer.concat(this.records ?? []);
  }

  /** Processes a whole BinaryFILE stream as the final batch of a session (skips end markers). */
  processStream(buf: Buffer): void {
    for (const c = new FrameCursor(buf); c.next(); ) {
      if (c.kind === FrameKind.END) continue;
      if (c.kind === FrameKind.TRUNCATED) return this.truncated(c.type, c.length);
      this.message(c.body());
    }
  }

  private truncated(type: number, len: number): void {
    const seq = ++this.seq;
    this.stats.messages++;
    const ch = String.fromCharCode(type);
    this.stats.byType[ch] = (this.stats.byType[ch] ?? 0) + 1;
    this.problem(Problem.TRUNCATED, seq, type, len, LEN[type] ?? 0);
  }

  message(m: Buffer): void {
    const t = m[0];
    if (t === CONTROL_MESSAGE.typeByte && m.length === CONTROL_MESSAGE.length) return this.controlMessage(m); // other lengths: BAD_LENGTH with a seq
    const seq = ++this.seq;
    const st = this.stats;
    st.messages++;
    const ch = String.fromCharCode(t);
    st.byType[ch] = (st.byType[ch] ?? 0) + 1;
    const want = LEN[t];
    if (want === undefined) {
      if (m.length >= 11) this.lastTs = m.readUIntBE(5, 6);
      return this.problem(Problem.UNKNOWN_TYPE, seq, t, m.length, 0);
    }
    if (m.length !== want) return this.problem(Problem.BAD_LENGTH, seq, t, m.length, want);
    const ts = m.readUIntBE(5, 6);
    this.lastTs = ts;
    const loc = m.readUInt16BE(1);
    switch (ch) {
      case 'S':
        if (m[11] === 0x51) this.marketOpen = true;
        else if (m[11] === 0x4d) this.marketOpen = false;
        return;
      case 'R': {
        let idx = -1;
        for (let i = 0; i < this.nSym; i++) if (m.compare(this.names[i], 0, 8, 11, 19) === 0) { idx = i; break; }
        this.locate[loc] = idx;
        return;
      }
      case 'H': {
        const i = this.locate[loc];
        if (i >= 0) this.state[i] = m[19];
        return;
      }
      case 'W':
        if (m[11] === 0x31 || m[11] === 0x32 || m[11] === 0x33) for (let i = 0; i < this.nSym; i++) this.state[i] = 0x48;
        return;
      case 'A':
      case 'F': {
        const i = this.locate[loc];
        if (i < 0) return;
        this.insert(i, m.readUInt32BE(11), m.readUInt32BE(15), m[19] === 0x42 ? 1 : 0, m.readUInt32BE(32), m.readUInt32BE(20));
        return this.after(i, seq, ts);
      }
      case 'E':
      case 'C': {
        const w = this.lookup(m.readUInt32BE(11), m.readUInt32BE(15));
        if (w < 0) return;
        const i = this.tSym[w];
        if (ch === 'E') this.lastTrade[i] = this.tPrice[w];
        else if (m[31] === 0x59) this.lastTrade[i] = m.readUInt32BE(32);
        this.reduce(w, m.readUInt32BE(19));
        return this.after(i, seq, ts);
      }
      case 'X': {
        const w = this.lookup(m.readUInt32BE(11), m.readUInt32BE(15));
        if (w < 0) return;
        const i = this.tSym[w];
        this.reduce(w, m.readUInt32BE(19));
        return this.after(i, seq, ts);
      }
      case 'D': {
        const w = this.lookup(m.readUInt32BE(11), m.readUInt32BE(15));
        if (w < 0) return;
        const i = this.tSym[w];
        this.remove(w);
        return this.after(i, seq, ts);
      }
      case 'U': {
        const w = this.lookup(m.readUInt32BE(11), m.readUInt32BE(15));
        if (w < 0) return;
        const i = this.tSym[w];
        const side = this.tSide[w];
        this.remove(w);
        this.insert(i, m.readUInt32BE(19), m.readUInt32BE(23), side, m.readUInt32BE(31), m.readUInt32BE(27));
        return this.after(i, seq, ts);
      }
      case 'P': {
        const i = this.locate[loc];
        if (i >= 0) this.lastTrade[i] = m.readUInt32BE(32);
        return;
      }
      default:
        return;
    }
  }

  // ------------------------------------------------------------ order table and book

  /** The first valid entry holding the ref (§5): bank 0 set h0, bank 1 set h1, stash, ghosts. */
  private lookup(hi: number, lo: number): number {
    const match = (w: number) => this.tValid[w] === 1 && this.tHi[w] === hi && this.tLo[w] === lo;
    const b0 = home0(hi, lo) * WAYS;
    for (let k = 0; k < WAYS; k++) if (match(b0 + k)) return b0 + k;
    const b1 = BANK1 + home1(hi, lo) * WAYS;
    for (let k = 0; k < WAYS; k++) if (match(b1 + k)) return b1 + k;
    for (let w = STASH0; w < SLOTS; w++) if (match(w)) return w; // stash slots, then ghost slots
    this.stats.unknownRef++;
    return -1;
  }

  /** The lowest invalid entry in [from, from + n), or -1. */
  private free(from: number, n: number): number {
    for (let w = from; w < from + n; w++) if (!this.tValid[w]) return w;
    return -1;
  }

  private insert(i: number, hi: number, lo: number, side: number, price: number, shares: number): void {
    // window rule on the first on-tick add (it runs even when the order is then dropped), then the class
    const q = Math.floor(price / this.tick);
    const onTick = q * this.tick === price;
    if (onTick && !this.windowSet[i]) {
      this.baseQ[i] = q >= L / 2 ? q - L / 2 : 0;
      this.windowSet[i] = true;
    }
    let cls = 3;
    let idx = 0;
    if (onTick && this.windowSet[i]) {
      if (q < this.baseQ[i]) cls = 1;
      else if (q >= this.baseQ[i] + L) cls = 2;
      else {
        cls = 0;
        idx = q - this.baseQ[i];
      }
    }
    const st = this.stats;
    // bank 0, bank 1, stash: a book order
    let w = this.free(home0(hi, lo) * WAYS, WAYS);
    if (w < 0) w = this.free(BANK1 + home1(hi, lo) * WAYS, WAYS);
    if (w < 0) {
      w = this.free(STASH0, STASH);
      if (w >= 0) {
        st.stashInserts++;
        st.stashPeak = Math.max(st.stashPeak, ++this.stashed);
      }
    }
    if (w < 0) {
      // dropped: not in the book; a ghost if a slot is free, else untracked
      st.tableFull++;
      w = this.free(GHOST0, GHOSTS);
      if (w < 0) {
        st.untrackedDrops++;
        this.lost[i] = true;
        return;
      }
      st.ghostInserts++;
      st.ghostPeak = Math.max(st.ghostPeak, ++this.ghostCount);
      this.ghosts[i]++;
      this.put(w, hi, lo, i, side, price, shares, 0, 0);
      return;
    }
    st.livePeak = Math.max(st.livePeak, ++this.live);
    this.put(w, hi, lo, i, side, price, shares, cls, idx);
    const sd = side === 1 ? 0 : 1; // book side index: 0 bid, 1 ask
    if (cls === 0) this.addLevel(i, sd, idx, shares);
    else this.counter(i, sd, cls, 1);
  }

  private put(w: number, hi: number, lo: number, i: number, side: number, price: number, shares: number, cls: number, idx: number): void {
    this.tValid[w] = 1;
    this.tHi[w] = hi;
    this.tLo[w] = lo;
    this.tSym[w] = i;
    this.tSide[w] = side;
    this.tPrice[w] = price;
    this.tShares[w] = shares;
    this.tClass[w] = cls;
    this.tIdx[w] = idx;
  }

  private counter(i: number, sd: number, cls: number, d: number): void {
    if (cls === 1) this.nBelow[i][sd] += d;
    else if (cls === 2) this.nAbove[i][sd] += d;
    else this.nOff[i][sd] += d;
  }

  private addLevel(i: number, sd: number, idx: number, delta: number): void {
    const lv = this.level[i][sd];
    const before = lv[idx];
    lv[idx] = (before + delta) >>> 0;
    const after = lv[idx];
    const b = this.best[i];
    if (after !== 0 && before === 0) {
      if (b[sd] < 0 || (sd === 0 ? idx > b[sd] : idx < b[sd])) b[sd] = idx;
    } else if (after === 0 && before !== 0 && b[sd] === idx) {
      let x = idx;
      if (sd === 0) { while (x >= 0 && lv[x] === 0) x--; }
      else { while (x < L && lv[x] === 0) x++; if (x === L) x = -1; }
      b[sd] = x;
    }
  }

  private reduce(w: number, n: number): void {
    const r = Math.min(n, this.tShares[w]);
    if (r === this.tShares[w]) return this.remove(w);
    this.tShares[w] -= r;
    if (w < GHOST0 && this.tClass[w] === 0) this.addLevel(this.tSym[w], this.tSide[w] === 1 ? 0 : 1, this.tIdx[w], -r);
  }

  private remove(w: number): void {
    const i = this.tSym[w];
    this.tValid[w] = 0;
    if (w >= GHOST0) {
      // a ghost leaves; with the symbol's last one (and no untracked drop) its book is exact again
      this.ghostCount--;
      if (--this.ghosts[i] === 0 && !this.lost[i]) this.stats.collisionClears++;
      return;
    }
    this.live--;
    if (w >= STASH0) this.stashed--;
    const sd = this.tSide[w] === 1 ? 0 : 1;
    if (this.tClass[w] === 0) this.addLevel(i, sd, this.tIdx[w], -this.tShares[w]);
    else this.counter(i, sd, this.tClass[w], -1);
  }

  /** CLEAR_COLLISION (§9): frees the symbol's ghosts and forgets its untracked drops. */
  private clearCollision(i: number): void {
    for (let w = GHOST0; w < SLOTS; w++) {
      if (this.tValid[w] && this.tSym[w] === i) {
        this.tValid[w] = 0;
        this.ghostCount--;
      }
    }
    this.ghosts[i] = 0;
    this.lost[i] = false;
  }

  // ------------------------------------------------------------ analytics, strategy, risk

  private after(i: number, seq: number, ts: number): void {
    const st = this.stats;
    st.touched++;
    const b = this.best[i];
    const bidEmpty = b[0] < 0;
    const askEmpty = b[1] < 0;
    let flags = 0;
    if (this.nOff[i][0] > 0 || this.nAbove[i][0] > 0 || (bidEmpty && this.nBelow[i][0] > 0)) flags |= Flag.BAND_BID;
    if (this.nOff[i][1] > 0 || this.nBelow[i][1] > 0 || (askEmpty && this.nAbove[i][1] > 0)) flags |= Flag.BAND_ASK;
    if (this.ghosts[i] > 0 || this.lost[i]) flags |= Flag.COLLISION;
    const before = this.flagsNow[i]; // = the flags of the last TOB record: every flags change is one (§7)
    for (let f = 0; f < FLAG_NAMES.length; f++) if (flags & (1 << f) && !(before & (1 << f))) st.flagEpisodes[FLAG_NAMES[f]]++;
    this.flagsNow[i] = flags;
    if (flags !== 0) st.flagged++;
    const base = this.baseQ[i];
    const bidPx = bidEmpty ? 0 : (base + b[0]) * this.tick;
    const bidSz = bidEmpty ? 0 : this.level[i][0][b[0]];
    const askPx = askEmpty ? 0 : (base + b[1]) * this.tick;
    const askSz = askEmpty ? 0 : this.level[i][1][b[1]];
    const last = this.lastTuple[i];
    if (last[0] === bidPx && last[1] === bidSz && last[2] === askPx && last[3] === askSz && flags === before) return;
    last[0] = bidPx;
    last[1] = bidSz;
    last[2] = askPx;
    last[3] = askSz;
    st.tob++;
    for (let f = 0; f < FLAG_NAMES.length; f++) if (flags & (1 << f)) st.tobFlags[FLAG_NAMES[f]]++;
    if (this.records) {
      const r = this.rec(RecordKind.TOB, i, flags, seq, ts);
      r.writeUInt32LE(bidPx, TOB.bid_px);
      r.writeUInt32LE(bidSz, TOB.bid_sz);
      r.writeUInt32LE(askPx, TOB.ask_px);
      r.writeUInt32LE(askSz, TOB.ask_sz);
    }
    // strategy (§8.1), after every TOB record
    if (flags !== 0 || bidEmpty || askEmpty || !(askPx > bidPx) || askPx - bidPx > this.maxSpread) return;
    const ld = this.lastDecisionTs[i];
    if (ld >= 0 && (ts < ld || ts - ld < this.cooldown)) return;
    let buy: boolean;
    if (BigInt(bidSz) * this.imbDen >= BigInt(askSz) * this.imbNum) buy = true;
    else if (BigInt(askSz) * this.imbDen >= BigInt(bidSz) * this.imbNum) buy = false;
    else return;
    this.lastDecisionTs[i] = ts;
    const price = buy ? askPx : bidPx;
    const qty = Math.min(buy ? askSz : bidSz, this.clip);
    this.decide(i, seq, ts, buy, price, qty);
  }

  private decide(i: number, seq: number, ts: number, buy: boolean, price: number, qty: number): void {
    const st = this.stats;
    const a = this.accountOf[i];
    const n = BigInt(price) * BigInt(qty);
    const signed = buy ? qty : -qty;
    const w = Math.floor(ts / this.wDiv);
    const inWindow = this.window[a] === w ? this.count[a] : 0;
    const ref = this.lastTrade[i];
    let reasons = 0;
    if (this.globalKill || this.kill[i] || this.accountKill[a]) reasons |= Reason.KILL;
    if (this.state[i] !== 0x54) reasons |= Reason.HALTED;
    if (this.gate && !this.marketOpen) reasons |= Reason.MARKET_CLOSED;
    if (qty > this.maxQty[i]) reasons |= Reason.MAX_QTY;
    if (n > this.maxNotional[i]) reasons |= Reason.MAX_NOTIONAL;
    if (ref === 0) reasons |= Reason.NO_REF;
    if (ref !== 0 && BigInt(Math.abs(price - ref)) * 10000n > BigInt(ref) * BigInt(this.collarBps[i])) reasons |= Reason.COLLAR;
    if (Math.abs(this.position[i] + signed) > this.posLimit[i]) reasons |= Reason.POSITION;
    const used = this.usedCredit[a] + n > U64 ? U64 : this.usedCredit[a] + n;
    if (used > this.creditLimit[a]) reasons |= Reason.CREDIT;
    if (inWindow >= this.maxOrders[a]) reasons |= Reason.THROTTLE;
    const lo = this.lastOrder[a];
    if (this.dupWindow[a] !== 0n && lo !== null && lo.sym === i && lo.buy === buy && lo.price === price && lo.qty === qty && (ts < lo.ts || BigInt(ts - lo.ts) < this.dupWindow[a])) {
      reasons |= Reason.DUPLICATE;
    }
    st.decisions++;
    st.decisionsBySymbol[i]++;
    if (this.records) {
      const r = this.rec(RecordKind.DECISION, i, buy ? 0x42 : 0x53, seq, ts);
      r.writeUInt32LE(price, DEC.price);
      r.writeUInt32LE(qty, DEC.qty);
      r.writeUInt16LE(reasons, DEC.reasons);
      r[DEC.verdict] = reasons === 0 ? 1 : 0;
      r[DEC.account_index] = a;
      r.writeUInt32LE(this.accountId[a], DEC.account_id);
    }
    if (reasons !== 0) {
      st.rejected++;
      for (let b = 0; b < REASON_NAMES.length; b++) if (reasons & (1 << b)) st.reasons[REASON_NAMES[b]]++;
      for (let b = 0; b < REASON_NAMES.length; b++) if (reasons === 1 << b) st.soleReasons[REASON_NAMES[b]]++;
      if (reasons & Reason.CREDIT) st.creditRejectsByAccount[a]++;
      return;
    }
    st.accepted++;
    this.position[i] += signed;
    this.usedCredit[a] = used;
    if (this.window[a] !== w) {
      this.window[a] = w;
      this.count[a] = 0;
    }
    this.count[a]++;
    this.lastOrder[a] = { sym: i, buy, price, qty, ts };
    if (this.count[a] > st.maxWindowCount[a]) st.maxWindowCount[a] = this.count[a];
    st.fills++;
    if (Math.abs(this.position[i]) > st.maxAbsPosition[i]) st.maxAbsPosition[i] = Math.abs(this.position[i]);
    if (this.records) {
      const r = this.rec(RecordKind.FILL, i, buy ? 0x42 : 0x53, seq, ts);
      r.writeUInt32LE(price, FILL.price);
      r.writeUInt32LE(qty, FILL.qty);
      r.writeInt32LE(this.position[i], FILL.position_after);
      r[FILL.leg] = 0;
      r[FILL.account_index] = a;
    }
  }

  // ------------------------------------------------------------ control messages (§9)

  private controlMessage(m: Buffer): void {
    const op = m[CONTROL_MESSAGE.off_op];
    const target = m.readUInt16BE(CONTROL_MESSAGE.off_target);
    const s = m.readBigUInt64BE(CONTROL_MESSAGE.off_seq);
    const v = m.readBigUInt64BE(CONTROL_MESSAGE.off_value);
    // Made for another config: refused whatever its fields, and the global kill switch is
    // engaged with the CONTROL record a GLOBAL_KILL 1 would emit (spec §9).
    if (m.readBigUInt64BE(CONTROL_MESSAGE.off_fingerprint) !== this.fingerprint) {
      this.problem(Problem.FOREIGN_CONTROL, this.seq + 1, m[0], m.length, CONTROL_MESSAGE.length, op, target);
      this.globalKill = true;
      this.stats.controls++;
      if (this.records) {
        const r = this.rec(RecordKind.CONTROL, NO_SYMBOL, ControlOp.GLOBAL_KILL, this.seq + 1, this.lastTs);
        r.writeBigUInt64LE(1n, CTL.value);
        r.writeUInt16LE(CONTROL_MESSAGE.globalTarget, CTL.target);
      }
      return;
    }
    const symOk = target < this.nSym;
    const accOk = target < this.nAcc;
    // Valid only at the next seq, for a known op, a target of its kind and a value in its range (spec §9).
    const o = CONTROL_OPS.find((x) => x.code === op);
    const targetOk = o?.target === 'global' ? target === CONTROL_MESSAGE.globalTarget : o?.target === 'symbol' ? symOk : accOk;
    const ok = s === BigInt(this.seq + 1) && o !== undefined && targetOk && v >= o.min && v <= o.max;
    if (!ok) return this.problem(Problem.BAD_CONTROL, this.seq + 1, m[0], m.length, CONTROL_MESSAGE.length, op, target);
    const n = Number(v);
    switch (op) {
      case ControlOp.GLOBAL_KILL: this.globalKill = v === 1n; break;
      case ControlOp.SYMBOL_KILL: this.kill[target] = v === 1n; break;
      case ControlOp.MAX_QTY: this.maxQty[target] = n; break;
      case ControlOp.MAX_NOTIONAL: this.maxNotional[target] = v; break;
      case ControlOp.POSITION_LIMIT: this.posLimit[target] = n; break;
      case ControlOp.COLLAR_BPS: this.collarBps[target] = n; break;
      case ControlOp.CREDIT_LIMIT: this.creditLimit[target] = v; break;
      case ControlOp.MAX_ORDERS: this.maxOrders[target] = n; break;
      case ControlOp.CLEAR_COLLISION: this.clearCollision(target); break;
      case ControlOp.DUP_WINDOW: this.dupWindow[target] = v; break;
      case ControlOp.ACCOUNT_KILL: this.accountKill[target] = v === 1n; break;
    }
    this.stats.controls++;
    if (this.records) {
      const r = this.rec(RecordKind.CONTROL, o.target === 'symbol' ? target : NO_SYMBOL, op, this.seq + 1, this.lastTs);
      r.writeBigUInt64LE(v, CTL.value);
      r.writeUInt16LE(target, CTL.target);
    }
  }

  private problem(code: number, seq: number, type: number, len: number, expected: number, op = 0, target = 0): void {
    this.stats.problems[code]++;
    if (this.records) {
      const r = this.rec(RecordKind.PROBLEM, NO_SYMBOL, code, seq, 0);
      r[PRB.type_byte] = type;
      r[PRB.op] = op;
      r.writeUInt16LE(target, PRB.target);
      r.writeUInt16LE(len, PRB.frame_len);
      r.writeUInt16LE(expected, PRB.expected_len);
    }
  }

  private rec(kind: number, sym: number, aux: number, seq: number, ts: number): Buffer {
    const r = Buffer.alloc(RECORD_SIZE);
    r[RecordHeader.version] = RECORD_VERSION;
    r[RecordHeader.kind] = kind;
    r[RecordHeader.symbol] = sym;
    r[RecordHeader.aux] = aux;
    r.writeUIntLE(seq, RecordHeader.seq, 6);
    r.writeUIntLE(ts, RecordHeader.ts, 6);
    (this.records as Buffer[]).push(r);
    return r;
  }
}
