/**
 * decimal.js arithmetic, bit for bit, on bigints: the hot paths of the money code (the
 * replay's P&L, src/report/pnl.ts, and the embedded clearing, src/clearing/fast-ledger.ts)
 * keep their values as `coefficient × 10^exponent` and round every result exactly as a
 * decimal.js constructor configured with the same precision and rounding mode would
 * (decimal.js rounds each operation's exact result to `precision` significant digits, and
 * so does this). Values go back to decimal.js only at the edges (`toDecimal`), so reports
 * print the same strings as before.
 *
 * Only what the money code uses: plus, minus, times, dividedBy and negation, with the
 * rounding modes ROUND_HALF_UP (4) and ROUND_HALF_EVEN (6). Zero has no sign here; the
 * callers never let a negative zero reach an output (see the tests, which check every
 * operation against decimal.js itself).
 */
import type { Decimal } from 'decimal.js';

export const ROUND_HALF_UP = 4;
export const ROUND_HALF_EVEN = 6;
export type RoundingMode = typeof ROUND_HALF_UP | typeof ROUND_HALF_EVEN;

const MAX_POW = 400;
const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= MAX_POW; i++, p *= 10n) POW10.push(p);
const HALF: bigint[] = POW10.map((p) => p / 2n);
const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

/** Decimal digits of `x` ≥ 0 (1 for 0). */
export function digitsOf(x: bigint): number {
  const f = Number(x);
  if (!(f < 1e300)) return x.toString().length;
  if (f < 10) return 1;
  let d = Math.floor(Math.log10(f)) + 1;
  if (x < 9_007_199_254_740_992n) {
    // Exact in a double: compare doubles.
    if (f >= POW10_NUM[d]) d++;
    else if (f < POW10_NUM[d - 1]) d--;
    return d;
  }
  // The double may round across a power of ten: one comparison each way settles it.
  if (x >= POW10[d]) d++;
  else if (x < POW10[d - 1]) d--;
  return d;
}
const POW10_NUM = Array.from({ length: 20 }, (_, i) => 10 ** i);

/** Decimal digits of a safe integer n ≥ 0 (1 for 0). */
function digitsOfSafe(n: number): number {
  let d = 1;
  while (d < 16 && n >= POW10_NUM[d]) d++;
  return d;
}

/** An exact decimal value `c × 10^e`. */
export class Dx {
  /** Digits of |c|, 0 until known. */
  d: number;
  constructor(
    readonly c: bigint,
    readonly e: number,
    d = 0,
  ) {
    this.d = d;
  }
  /** Digits of |c|. */
  get digits(): number {
    if (this.d === 0) this.d = digitsOf(this.c < 0n ? -this.c : this.c);
    return this.d;
  }
  get isZero(): boolean {
    return this.c === 0n;
  }
  neg(): Dx {
    return new Dx(-this.c, this.e, this.d);
  }
  /** Compares values: negative when this < o. */
  cmp(o: Dx): number {
    const e = Math.min(this.e, o.e);
    const a = this.c * pow10(this.e - e);
    const b = o.c * pow10(o.e - e);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  /** The value as a plain decimal string (as decimal.js prints it when it needs no exponent). */
  toString(): string {
    const neg = this.c < 0n;
    let s = (neg ? -this.c : this.c).toString();
    let e = this.e;
    if (s === '0') return '0';
    // Strip trailing zeros into the exponent.
    let z = s.length;
    while (z > 1 && s.charCodeAt(z - 1) === 48) z--;
    e += s.length - z;
    s = s.slice(0, z);
    let out: string;
    if (e >= 0) out = s + '0'.repeat(e);
    else if (-e < s.length) out = `${s.slice(0, s.length + e)}.${s.slice(s.length + e)}`;
    else out = `0.${'0'.repeat(-e - s.length)}${s}`;
    return neg ? `-${out}` : out;
  }
}

export const DX_ZERO = new Dx(0n, 0);

/** An integer as an exact value. */
export function dxInt(n: number | bigint): Dx {
  return new Dx(BigInt(n), 0);
}

/** A decimal.js value as an exact value. */
export function dxOf(d: Decimal): Dx {
  if (!d.isFinite()) throw new RangeError(`not a finite decimal: ${d.toString()}`);
  if (d.isZero()) return DX_ZERO;
  // toFixed() never uses exponent notation; the digits after the point give the exponent.
  const s = d.toFixed();
  const dot = s.indexOf('.');
  if (dot < 0) return new Dx(BigInt(s), 0);
  return new Dx(BigInt(s.slice(0, dot) + s.slice(dot + 1)), -(s.length - dot - 1));
}

/** Arithmetic rounded like a decimal.js constructor with this precision and rounding mode. */
export class DxContext {
  constructor(
    readonly precision: number,
    readonly rounding: RoundingMode,
    /** The same configuration in decimal.js: the fallback for operands far apart in scale. */
    private readonly Ctor: typeof Decimal,
  ) {
    if (!Number.isInteger(precision) || precision < 1 || precision > 100) throw new RangeError(`precision ${precision}`);
    this.limit = POW10[precision];
  }
  /** 10^precision: coefficients below it need no rounding. */
  private readonly limit: bigint;

  /**
   * `c × 10^e` rounded to `precision` significant digits, |c| having `d` digits (0: unknown);
   * `sticky`: the exact value is a little above |c| (only with more digits than the precision).
   */
  round(c: bigint, e: number, d = 0, sticky = false): Dx {
    const neg = c < 0n;
    const m = neg ? -c : c;
    const P = this.precision;
    if (d === 0) d = m < this.limit ? (sticky ? digitsOf(m) : 0) : digitsOf(m);
    if (d <= P) {
      if (sticky) throw new Error('internal: sticky rounding needs more digits than the precision');
      return new Dx(c, e, d);
    }
    const shift = d - P;
    const p = pow10(shift);
    let q = m / p;
    const r = m - q * p;
    const half = HALF[shift] ?? p / 2n;
    let digits = P;
    if (r > half || (r === half && (sticky || this.rounding === ROUND_HALF_UP || (q & 1n) === 1n))) {
      q += 1n;
      if (q === this.limit) digits = P + 1;
    }
    return new Dx(neg ? -q : q, e + shift, digits);
  }

  /** Digits of |a × b| from the operands' digits: one comparison. */
  private productDigits(m: bigint, da: number, db: number): number {
    const lo = da + db - 1;
    return m >= pow10(lo) ? lo + 1 : lo;
  }

  times(a: Dx, b: Dx): Dx {
    if (a.c === 0n || b.c === 0n) return DX_ZERO;
    const c = a.c * b.c;
    return this.round(c, a.e + b.e, this.productDigits(c < 0n ? -c : c, a.digits, b.digits));
  }

  /** `a × n` for a safe integer n. */
  timesInt(a: Dx, n: number): Dx {
    if (a.c === 0n || n === 0) return DX_ZERO;
    if (n === 1) return this.round(a.c, a.e, a.digits);
    if (n === -1) return this.round(-a.c, a.e, a.digits);
    const c = a.c * BigInt(n);
    return this.round(c, a.e, this.productDigits(c < 0n ? -c : c, a.digits, digitsOfSafe(Math.abs(n))));
  }

  plus(a: Dx, b: Dx): Dx {
    if (b.c === 0n) return this.round(a.c, a.e, a.d);
    if (a.c === 0n) return this.round(b.c, b.e, b.d);
    const gap = a.e - b.e;
    // decimal.js drops the digits of an operand far below the other's precision (keeping a
    // sticky digit); with such operands, ask it (never the case in the money code).
    if (gap > 2 * this.precision + 30 || -gap > 2 * this.precision + 30) return this.viaDecimal('plus', a, b);
    let c: bigint;
    let da: number;
    let db: number;
    if (gap >= 0) {
      c = a.c * pow10(gap) + b.c;
      da = a.digits + gap;
      db = b.digits;
    } else {
      c = a.c + b.c * pow10(-gap);
      da = a.digits;
      db = b.digits - gap;
    }
    const e = gap >= 0 ? b.e : a.e;
    if (a.c < 0n !== b.c < 0n) return this.round(c, e); // cancellation: count the digits
    // Same signs: as many digits as the longer operand, or one more.
    const hi = Math.max(da, db);
    const m = c < 0n ? -c : c;
    return this.round(c, e, m >= pow10(hi) ? hi + 1 : hi);
  }

  minus(a: Dx, b: Dx): Dx {
    return this.plus(a, b.neg());
  }

  dividedBy(a: Dx, b: Dx): Dx {
    if (b.c === 0n) throw new RangeError('division by zero');
    if (a.c === 0n) return DX_ZERO;
    return this.divide(a, b.c < 0n ? -b.c : b.c, b.e, b.digits, b.c < 0n);
  }

  /** `a / n` for a positive safe integer n. */
  dividedByInt(a: Dx, n: number): Dx {
    if (!(n > 0)) return this.dividedBy(a, new Dx(BigInt(n), 0));
    if (a.c === 0n) return DX_ZERO;
    return this.divide(a, BigInt(n), 0, digitsOfSafe(n), false);
  }

  /** a / (B × 10^be), B > 0 of dB digits, negated when `negB`. */
  private divide(a: Dx, B: bigint, be: number, dB: number, negB: boolean): Dx {
    const neg = a.c < 0n !== negB;
    const A = a.c < 0n ? -a.c : a.c;
    const dA = a.digits;
    // Scale A so that the quotient has at least P + 1 digits, then round with the remainder as sticky.
    const k = Math.max(0, this.precision + 1 + dB - dA);
    if (k > MAX_POW) return this.viaDecimal('dividedBy', a, new Dx(negB ? -B : B, be));
    const N = k === 0 ? A : A * POW10[k];
    const Q = N / B;
    const sticky = N - Q * B !== 0n;
    // N has dA + k digits: the quotient has dA + k − dB or one more.
    const lo = dA + k - dB;
    const dQ = lo >= 1 && Q >= pow10(lo) ? lo + 1 : lo >= 1 ? lo : digitsOf(Q);
    const r = this.round(Q, a.e - be - k, dQ, sticky);
    return neg ? r.neg() : r;
  }

  toDecimal(x: Dx): Decimal {
    return new this.Ctor(x.c === 0n ? '0' : `${x.c}e${x.e}`);
  }

  private viaDecimal(op: 'plus' | 'dividedBy', a: Dx, b: Dx): Dx {
    return dxOf(this.toDecimal(a)[op](this.toDecimal(b)));
  }
}
