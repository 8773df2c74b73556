/**
 * decimal.js arithmetic, bit for bit, without decimal.js objects: the hot paths of the money
 * code (the replay's P&L, src/report/pnl.ts, and the embedded clearing,
 * src/clearing/fast-ledger.ts) keep their values as `coefficient × 10^exponent` and round
 * every result exactly as a decimal.js constructor configured with the same precision and
 * rounding mode would (decimal.js rounds each operation's exact result to `precision`
 * significant digits, and so does this). Values go back to decimal.js only at the edges
 * (`toDecimal`), so reports print the same strings as before.
 *
 * Coefficients are arrays of base-10^7 limbs in plain numbers (every partial product and
 * carry stays below 2^53), which costs a fraction of what bigint arithmetic does; the rare
 * division by more than one limb goes through bigints.
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

const BASE = 1e7;
const LOG_BASE = 7;
const P10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7];
const NO_LIMBS: number[] = [];

/** Decimal digits of a bigint ≥ 0 (1 for 0). */
export function digitsOf(x: bigint): number {
  return x.toString().length;
}

/** Digits of a limb (an integer below 10^7; 1 for 0). */
function limbDigits(n: number): number {
  return n < 1e4 ? (n < 100 ? (n < 10 ? 1 : 2) : n < 1e3 ? 3 : 4) : n < 1e6 ? (n < 1e5 ? 5 : 6) : 7;
}

function digitsL(l: readonly number[]): number {
  return l.length === 0 ? 1 : LOG_BASE * (l.length - 1) + limbDigits(l[l.length - 1]);
}

/** Drops high zero limbs (pop: no change of the array's shape). */
function trim(l: number[]): number[] {
  while (l.length > 0 && l[l.length - 1] === 0) l.pop();
  return l;
}

/** Limbs of a safe integer n ≥ 0. */
function limbsOfSafe(n: number): number[] {
  if (n === 0) return [];
  if (n < BASE) return [n | 0];
  const out: number[] = [];
  while (n > 0) {
    const q = Math.floor(n / BASE);
    out.push((n - q * BASE) | 0);
    n = q;
  }
  return out;
}

function limbsOfDigits(s: string): number[] {
  const out: number[] = [];
  for (let end = s.length; end > 0; end -= LOG_BASE) out.push(Number(s.slice(Math.max(0, end - LOG_BASE), end)) | 0);
  return trim(out);
}

function digitsOfLimbs(l: readonly number[]): string {
  if (l.length === 0) return '0';
  let s = String(l[l.length - 1]);
  for (let i = l.length - 2; i >= 0; i--) s += String(l[i]).padStart(LOG_BASE, '0');
  return s;
}

function cmpL(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function addL(a: readonly number[], b: readonly number[]): number[] {
  if (a.length < b.length) [a, b] = [b, a];
  const out: number[] = [];
  let carry = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] + (i < b.length ? b[i] : 0) + carry;
    if (t >= BASE) {
      out.push((t - BASE) | 0);
      carry = 1;
    } else {
      out.push(t | 0);
      carry = 0;
    }
  }
  if (carry) out.push(1);
  return out;
}

/** a − b for a ≥ b. */
function subL(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let borrow = 0;
  for (let i = 0; i < a.length; i++) {
    let t = a[i] - (i < b.length ? b[i] : 0) - borrow;
    if (t < 0) {
      t += BASE;
      borrow = 1;
    } else borrow = 0;
    out.push(t | 0);
  }
  return trim(out);
}

/** a × m for an integer 0 ≤ m < 10^7. */
function mulSmallL(a: readonly number[], m: number): number[] {
  if (a.length === 0 || m === 0) return [];
  const out: number[] = [];
  let carry = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] * m + carry;
    carry = Math.floor(t / BASE);
    out.push((t - carry * BASE) | 0);
  }
  if (carry) out.push(carry | 0);
  return out;
}

function mulL(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0 || b.length === 0) return [];
  if (b.length === 1) return mulSmallL(a, b[0]);
  if (a.length === 1) return mulSmallL(b, a[0]);
  const out: number[] = [];
  for (let i = 0; i < a.length + b.length; i++) out.push(0);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    let carry = 0;
    for (let j = 0; j < b.length; j++) {
      const t = out[i + j] + ai * b[j] + carry;
      carry = Math.floor(t / BASE);
      out[i + j] = (t - carry * BASE) | 0;
    }
    out[i + b.length] = carry | 0;
  }
  return trim(out);
}

/** a × 10^k. */
function shiftL(a: readonly number[], k: number): number[] {
  if (k === 0 || a.length === 0) return a as number[];
  const q = (k / LOG_BASE) | 0;
  const r = k - q * LOG_BASE;
  const t = r === 0 ? (a as number[]) : mulSmallL(a, P10[r]);
  if (q === 0) return t;
  const out: number[] = [];
  for (let i = 0; i < q; i++) out.push(0);
  for (let i = 0; i < t.length; i++) out.push(t[i] | 0);
  return out;
}

/** [a / n, a mod n] for an integer 1 ≤ n < 10^7. */
function divSmallL(a: readonly number[], n: number): [number[], number] {
  const q: number[] = [];
  for (let i = 0; i < a.length; i++) q.push(0);
  let r = 0;
  for (let i = a.length - 1; i >= 0; i--) {
    const cur = r * BASE + a[i]; // < n × 10^7: the quotient digit is below 10^7, exact in a double
    let d = Math.floor(cur / n);
    let rr = cur - d * n;
    if (rr < 0) {
      d--;
      rr += n;
    } else if (rr >= n) {
      d++;
      rr -= n;
    }
    q[i] = d | 0;
    r = rr;
  }
  return [trim(q), r];
}

/** An exact decimal value `(−1)^neg × coefficient × 10^e`, the coefficient in base-10^7 limbs. */
export class Dx {
  /** Limbs of |coefficient|, least significant first, no high zero limbs ([] for zero). */
  readonly l: number[];
  readonly neg: boolean;
  readonly e: number;

  /** From a bigint coefficient (`limbs` given: from those, with `negative`). */
  constructor(c: bigint | null, e: number, negative = false, limbs: number[] = NO_LIMBS) {
    this.e = e;
    if (c === null) {
      this.l = limbs;
      this.neg = negative && limbs.length > 0;
    } else {
      this.neg = c < 0n;
      this.l = c === 0n ? NO_LIMBS : limbsOfDigits((this.neg ? -c : c).toString());
    }
  }

  /** A safe integer times 10^e. */
  static int(n: number, e = 0): Dx {
    return new Dx(null, e, n < 0, limbsOfSafe(Math.abs(n)));
  }

  /** The coefficient as a bigint. */
  get c(): bigint {
    const m = BigInt(digitsOfLimbs(this.l));
    return this.neg ? -m : m;
  }
  /** Digits of |coefficient|. */
  get digits(): number {
    return digitsL(this.l);
  }
  get isZero(): boolean {
    return this.l.length === 0;
  }
  negated(): Dx {
    return this.l.length === 0 ? this : new Dx(null, this.e, !this.neg, this.l);
  }
  /** Compares values: negative when this < o. */
  cmp(o: Dx): number {
    const e = Math.min(this.e, o.e);
    const a = this.c * 10n ** BigInt(this.e - e);
    const b = o.c * 10n ** BigInt(o.e - e);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  /** The value as a plain decimal string (as decimal.js prints it when it needs no exponent). */
  toString(): string {
    if (this.l.length === 0) return '0';
    let s = digitsOfLimbs(this.l);
    let e = this.e;
    // Strip trailing zeros into the exponent.
    let z = s.length;
    while (z > 1 && s.charCodeAt(z - 1) === 48) z--;
    e += s.length - z;
    s = s.slice(0, z);
    let out: string;
    if (e >= 0) out = s + '0'.repeat(e);
    else if (-e < s.length) out = `${s.slice(0, s.length + e)}.${s.slice(s.length + e)}`;
    else out = `0.${'0'.repeat(-e - s.length)}${s}`;
    return this.neg ? `-${out}` : out;
  }
}

export const DX_ZERO = new Dx(null, 0);

/** An integer as an exact value. */
export function dxInt(n: number | bigint): Dx {
  return typeof n === 'number' && Number.isSafeInteger(n) ? Dx.int(n) : new Dx(BigInt(n), 0);
}

/** A decimal.js value as an exact value. */
export function dxOf(d: Decimal): Dx {
  if (!d.isFinite()) throw new RangeError(`not a finite decimal: ${d.toString()}`);
  if (d.isZero()) return DX_ZERO;
  // toFixed() never uses exponent notation; the digits after the point give the exponent.
  let s = d.toFixed();
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  const dot = s.indexOf('.');
  const digits = dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1);
  return new Dx(null, dot < 0 ? 0 : -(s.length - dot - 1), neg, limbsOfDigits(digits.replace(/^0+/, '')));
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
  }

  /**
   * `(−1)^neg × l × 10^e` rounded to `precision` significant digits; `sticky`: the exact value
   * is a little above |l| (only with more digits than the precision).
   */
  round(neg: boolean, l: number[], e: number, sticky = false): Dx {
    const P = this.precision;
    const len = l.length;
    if (len === 0) return DX_ZERO;
    const d = LOG_BASE * (len - 1) + limbDigits(l[len - 1]);
    if (d <= P) {
      if (sticky) throw new Error('internal: sticky rounding needs more digits than the precision');
      return new Dx(null, e, neg, l);
    }
    const shift = d - P;
    const q = (shift / LOG_BASE) | 0;
    const r = shift - q * LOG_BASE;
    // Compare the dropped digits with half a unit of the last kept one.
    let below = sticky; // something non-zero under the digit that decides
    let half: number; // < 0 under half, 0 exactly half so far, > 0 over
    let R: number[];
    if (r > 0) {
      for (let i = 0; i < q && !below; i++) if (l[i] !== 0) below = true;
      const p = P10[r];
      R = [];
      for (let i = q; i < len; i++) R.push(0);
      let rem = 0;
      for (let i = len - 1; i >= q; i--) {
        const cur = rem * BASE + l[i];
        const dd = Math.floor(cur / p);
        rem = cur - dd * p;
        R[i - q] = dd | 0;
      }
      half = rem - 5 * P10[r - 1];
    } else {
      for (let i = 0; i < q - 1 && !below; i++) if (l[i] !== 0) below = true;
      half = l[q - 1] - 5e6;
      R = l.slice(q);
    }
    const up = half > 0 || (half === 0 && (below || this.rounding === ROUND_HALF_UP || (R[0] & 1) === 1));
    if (up) {
      let i = 0;
      for (; i < R.length && R[i] === BASE - 1; i++) R[i] = 0;
      if (i === R.length) R.push(1);
      else R[i]++;
    }
    return new Dx(null, e + shift, neg, trim(R));
  }

  times(a: Dx, b: Dx): Dx {
    if (a.l.length === 0 || b.l.length === 0) return DX_ZERO;
    return this.round(a.neg !== b.neg, mulL(a.l, b.l), a.e + b.e);
  }

  /** `a × n` for a safe integer n. */
  timesInt(a: Dx, n: number): Dx {
    if (a.l.length === 0 || n === 0) return DX_ZERO;
    const m = Math.abs(n);
    if (m === 1) return this.round(a.neg !== n < 0, a.l, a.e);
    return this.round(a.neg !== n < 0, m < BASE ? mulSmallL(a.l, m) : mulL(a.l, limbsOfSafe(m)), a.e);
  }

  plus(a: Dx, b: Dx): Dx {
    if (b.l.length === 0) return this.round(a.neg, a.l, a.e);
    if (a.l.length === 0) return this.round(b.neg, b.l, b.e);
    const gap = a.e - b.e;
    // decimal.js drops the digits of an operand far below the other's precision (keeping a
    // sticky digit); with such operands, ask it (never the case in the money code).
    if (gap > 2 * this.precision + 30 || -gap > 2 * this.precision + 30) return this.viaDecimal('plus', a, b);
    const al = gap > 0 ? shiftL(a.l, gap) : a.l;
    const bl = gap < 0 ? shiftL(b.l, -gap) : b.l;
    const e = gap > 0 ? b.e : a.e;
    if (a.neg === b.neg) return this.round(a.neg, addL(al, bl), e);
    const c = cmpL(al, bl);
    if (c === 0) return DX_ZERO;
    return c > 0 ? this.round(a.neg, subL(al, bl), e) : this.round(b.neg, subL(bl, al), e);
  }

  minus(a: Dx, b: Dx): Dx {
    return this.plus(a, b.negated());
  }

  dividedBy(a: Dx, b: Dx): Dx {
    if (b.l.length === 0) throw new RangeError('division by zero');
    if (a.l.length === 0) return DX_ZERO;
    if (b.l.length === 1) return this.divideSmall(a, b.l[0], b.e, b.neg);
    return this.divideBig(a, b);
  }

  /** `a / n` for a positive safe integer n. */
  dividedByInt(a: Dx, n: number): Dx {
    if (!(n > 0) || !Number.isSafeInteger(n)) return this.dividedBy(a, dxInt(n));
    if (a.l.length === 0) return DX_ZERO;
    return n < BASE ? this.divideSmall(a, n, 0, false) : this.divideBig(a, Dx.int(n));
  }

  /** a / (n × 10^ne) for an integer 1 ≤ n < 10^7: the quotient to at least P + 1 digits, the remainder as sticky. */
  private divideSmall(a: Dx, n: number, ne: number, negB: boolean): Dx {
    const k = Math.max(0, this.precision + 1 + limbDigits(n) - digitsL(a.l));
    const [Q, rem] = divSmallL(shiftL(a.l, k), n);
    return this.round(a.neg !== negB, Q, a.e - ne - k, rem !== 0);
  }

  /** The same with bigints, for divisors of more than one limb. */
  private divideBig(a: Dx, b: Dx): Dx {
    const A = a.neg ? -a.c : a.c;
    const B = b.neg ? -b.c : b.c;
    const k = Math.max(0, this.precision + 1 + digitsOf(B) - digitsOf(A));
    const N = A * 10n ** BigInt(k);
    const Q = N / B;
    return this.round(a.neg !== b.neg, limbsOfDigits(Q.toString()), a.e - b.e - k, N - Q * B !== 0n);
  }

  toDecimal(x: Dx): Decimal {
    return new this.Ctor(x.l.length === 0 ? '0' : `${x.neg ? '-' : ''}${digitsOfLimbs(x.l)}e${x.e}`);
  }

  private viaDecimal(op: 'plus' | 'dividedBy', a: Dx, b: Dx): Dx {
    return dxOf(this.toDecimal(a)[op](this.toDecimal(b)));
  }
}
