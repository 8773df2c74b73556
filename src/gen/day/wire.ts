/**
 * ITCH 5.0 encoders for the day profile's busy message types (A F E C X D U P I Q), writing
 * each message in place into the sink's chunk: no Buffer per message. Byte for byte the same
 * as src/itch/encode.ts (test/gen/day-profile.test.ts checks it); the rare types go through
 * that encoder and `put`. Every message is also counted per symbol and per second here.
 */
import type { FrameSink } from '../sink.ts';

const TWO32 = 4294967296;
const T_A = 0x41;
const T_F = 0x46;
const T_E = 0x45;
const T_C = 0x43;
const T_X = 0x58;
const T_D = 0x44;
const T_U = 0x55;
const T_P = 0x50;
const T_I = 0x49;
const T_Q = 0x51;
const B = 0x42;
const S = 0x53;

function u16(b: Buffer, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 255;
}
function u32(b: Buffer, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}
function u64(b: Buffer, o: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  u32(b, o, hi);
  u32(b, o + 4, v - hi * TWO32);
}
/** Header: locate, tracking number 0, 48-bit timestamp. */
function hdr(b: Buffer, o: number, locate: number, ts: number): void {
  u16(b, o + 1, locate);
  b[o + 3] = 0;
  b[o + 4] = 0;
  const hi = Math.floor(ts / TWO32);
  u16(b, o + 5, hi);
  u32(b, o + 7, ts - hi * TWO32);
}

export class Wire {
  /** Messages per symbol (index = locate − 1) and per second of the day. */
  readonly perSymbol: Float64Array;
  readonly perSecond = new Float64Array(86_400);
  /** Timestamp of the last message (never decreases). */
  lastTs = 0;

  constructor(
    readonly sink: FrameSink,
    symbols: number,
    private readonly nameHi: Uint32Array,
    private readonly nameLo: Uint32Array,
  ) {
    this.perSymbol = new Float64Array(symbols);
  }

  /** Counts a message written through `put` (locate 0: not a symbol's). */
  note(locate: number, ts: number): void {
    if (ts < this.lastTs) throw new Error(`generator bug: timestamp ${ts} after ${this.lastTs}`);
    this.lastTs = ts;
    if (locate > 0) this.perSymbol[locate - 1]++;
    this.perSecond[Math.floor(ts / 1e9)]++;
  }

  private open(n: number, type: number, sym: number, ts: number): number {
    const at = this.sink.open(n, type);
    hdr(this.sink.buf, at, sym + 1, ts);
    this.note(sym + 1, ts);
    return at;
  }

  /** A (or F with `mpid`, a big-endian 4-character word): price in price units. */
  add(sym: number, ts: number, ref: number, buy: boolean, shares: number, price: number, mpid = 0): void {
    const at = this.open(mpid === 0 ? 36 : 40, mpid === 0 ? T_A : T_F, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, ref);
    b[at + 19] = buy ? B : S;
    u32(b, at + 20, shares);
    u32(b, at + 24, this.nameHi[sym]);
    u32(b, at + 28, this.nameLo[sym]);
    u32(b, at + 32, price);
    if (mpid !== 0) u32(b, at + 36, mpid);
  }

  executed(sym: number, ts: number, ref: number, shares: number, match: number): void {
    const at = this.open(31, T_E, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, ref);
    u32(b, at + 19, shares);
    u64(b, at + 23, match);
  }

  executedWithPrice(sym: number, ts: number, ref: number, shares: number, match: number, printable: boolean, price: number): void {
    const at = this.open(36, T_C, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, ref);
    u32(b, at + 19, shares);
    u64(b, at + 23, match);
    b[at + 31] = printable ? 0x59 : 0x4e;
    u32(b, at + 32, price);
  }

  cancel(sym: number, ts: number, ref: number, shares: number): void {
    const at = this.open(23, T_X, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, ref);
    u32(b, at + 19, shares);
  }

  del(sym: number, ts: number, ref: number): void {
    const at = this.open(19, T_D, sym, ts);
    u64(this.sink.buf, at + 11, ref);
  }

  replace(sym: number, ts: number, ref: number, newRef: number, shares: number, price: number): void {
    const at = this.open(35, T_U, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, ref);
    u64(b, at + 19, newRef);
    u32(b, at + 27, shares);
    u32(b, at + 31, price);
  }

  /** P: an execution against a non-displayed order (reference 0, side always B on the wire). */
  trade(sym: number, ts: number, shares: number, price: number, match: number): void {
    const at = this.open(44, T_P, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, 0);
    b[at + 19] = B;
    u32(b, at + 20, shares);
    u32(b, at + 24, this.nameHi[sym]);
    u32(b, at + 28, this.nameLo[sym]);
    u32(b, at + 32, price);
    u64(b, at + 36, match);
  }

  /** I: net order imbalance indicator. */
  noii(sym: number, ts: number, paired: number, imbalance: number, direction: number, far: number, near: number, current: number, crossType: number, variation: number): void {
    const at = this.open(50, T_I, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, paired);
    u64(b, at + 19, imbalance);
    b[at + 27] = direction;
    u32(b, at + 28, this.nameHi[sym]);
    u32(b, at + 32, this.nameLo[sym]);
    u32(b, at + 36, far);
    u32(b, at + 40, near);
    u32(b, at + 44, current);
    b[at + 48] = crossType;
    b[at + 49] = variation;
  }

  /** Q: cross trade. */
  cross(sym: number, ts: number, shares: number, price: number, match: number, crossType: number): void {
    const at = this.open(40, T_Q, sym, ts);
    const b = this.sink.buf;
    u64(b, at + 11, shares);
    u32(b, at + 19, this.nameHi[sym]);
    u32(b, at + 23, this.nameLo[sym]);
    u32(b, at + 27, price);
    u64(b, at + 31, match);
    b[at + 39] = crossType;
  }

  /** A whole message built elsewhere (rare types, src/itch/encode.ts). */
  put(msg: Buffer, locate: number, ts: number): void {
    this.sink.put(msg);
    this.note(locate, ts);
  }
}

/** A 4-character MPID as a big-endian word. */
export function mpidWord(s: string): number {
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
}
