/**
 * Deterministic numeric helpers for the day profile. Like src/gen/prng.ts they use only
 * IEEE + − × ÷ and Math.sqrt (all correctly rounded on every platform), never Math.exp,
 * Math.log or Math.pow, whose last bit may differ between platforms and Node versions: the
 * same seed must give the same bytes everywhere.
 */
import type { Prng } from '../prng.ts';

const FRAC_BITS = 10;
const FRAC = 1 << FRAC_BITS;
/** FRACTION[j] = 2^(j/1024), by repeated multiplication of 2^(1/1024) (ten square roots of 2). */
const FRACTION = new Float64Array(FRAC + 1);
/** WHOLE[n + 256] = 2^n for n in [-256, 256] (exact). */
const WHOLE = new Float64Array(513);
{
  let r = 2;
  for (let i = 0; i < FRAC_BITS; i++) r = Math.sqrt(r);
  FRACTION[0] = 1;
  for (let j = 1; j <= FRAC; j++) FRACTION[j] = FRACTION[j - 1] * r;
  WHOLE[256] = 1;
  for (let n = 1; n <= 256; n++) {
    WHOLE[256 + n] = WHOLE[255 + n] * 2;
    WHOLE[256 - n] = WHOLE[257 - n] / 2;
  }
}

/** 2^x with x rounded to a multiple of 1/1024 (relative error < 0.07%); 0 below 2^-255. */
export function pow2(x: number): number {
  if (x < -255) return 0;
  if (x > 255) throw new RangeError(`pow2(${x}) out of range`);
  const q = Math.round(x * FRAC);
  const n = Math.floor(q / FRAC);
  return WHOLE[n + 256] * FRACTION[q - n * FRAC];
}

/** log2(x) for x > 0, bit by bit (exponent by halving, then 40 fraction bits by squaring). */
export function log2(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`log2(${x})`);
  let e = 0;
  while (x >= 2) {
    x /= 2;
    e++;
  }
  while (x < 1) {
    x *= 2;
    e--;
  }
  let f = 0;
  let bit = 0.5;
  for (let i = 0; i < 40; i++) {
    x *= x;
    if (x >= 2) {
      x /= 2;
      f += bit;
    }
    bit /= 2;
  }
  return e + f;
}

/** A value drawn log-uniformly from [lo, lo × 2^octaves). */
export function logUniform(rng: Prng, lo: number, octaves: number): number {
  return lo * pow2(rng.float() * octaves);
}

/** Roughly normal, mean 0, sd 1, from two uniforms (triangular; cheap, bounded by ±√6). */
export function tri(rng: Prng): number {
  return (rng.float() + rng.float() - 1) * 2.449489742783178;
}

/**
 * Walker–Vose alias table: draws index i with probability weights[i] / Σ weights in O(1)
 * from one 32-bit PRNG output.
 */
export class AliasTable {
  readonly n: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError('alias table needs at least one weight');
    this.n = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i];
    const scaled = new Float64Array(n);
    for (let i = 0; i < n; i++) scaled[i] = (weights[i] * n) / sum;
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = n - 1; i >= 0; i--) {
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[--nl];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) {
      const l = large[--nl];
      this.prob[l] = 1;
      this.alias[l] = l;
    }
    while (ns > 0) {
      const s = small[--ns];
      this.prob[s] = 1;
      this.alias[s] = s;
    }
  }

  sample(rng: Prng): number {
    const u = rng.float() * this.n;
    const i = Math.floor(u);
    return u - i < this.prob[i] ? i : this.alias[i];
  }
}

