/**
 * Deterministic PRNG for the session generator: xoshiro128** seeded through splitmix32.
 *
 * Only 32-bit integer operations (Math.imul, shifts, xor) and exactly rounded IEEE double
 * arithmetic (+ − × ÷ of values < 2^53) are used — never Math.random, Math.log, Math.exp or
 * other functions whose last bit may differ between platforms — so the same seed produces
 * the same sequence on every machine and Node version.
 */

const TWO_POW_32 = 4294967296;

/** splitmix32 step: returns [output, next state]. Used to expand seeds into state words. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [z >>> 0, s];
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * `seed`: any integer in [0, 2^53). The low and high 32-bit halves are mixed separately,
   * so seeds differing only above bit 31 still give different streams.
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x27d4eb2f) ^ Math.imul(stream + 1, 0x165667b1)) | 0;
    let out: number;
    [out, s] = splitmix32(s);
    this.a = out;
    [out, s] = splitmix32(s ^ hi);
    this.b = out;
    [out, s] = splitmix32(s);
    this.c = out;
    [out, s] = splitmix32(s);
    this.d = out;
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // all-zero state is a fixed point
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform double in [0, 1) with 32 bits of resolution (exact in IEEE arithmetic). */
  float(): number {
    return this.u32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32. */
  int(n: number): number {
    return Math.floor((this.u32() / TWO_POW_32) * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() < p * TWO_POW_32;
  }

  /** Number of failures before the first success with success probability p, capped at `max`. */
  geometric(p: number, max = 64): number {
    let k = 0;
    while (k < max && !this.chance(p)) k++;
    return k;
  }

  /** Roughly normal with mean 0 and standard deviation 1 (Irwin–Hall of four uniforms). */
  gauss(): number {
    return (this.float() + this.float() + this.float() + this.float() - 2) * 1.7320508075688772;
  }

  /** Picks an element uniformly. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** Index drawn with probability proportional to cumulative weights `cum` (ascending, last = total). */
  weighted(cum: Float64Array | readonly number[]): number {
    return searchCum(cum, this.float() * cum[cum.length - 1]);
  }

  /** A new independent generator derived from this one (for sub-streams). */
  fork(stream: number): Prng {
    return new Prng(this.u32() + TWO_POW_32 * (this.u32() & 0x1fffff), stream);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Index of the first cumulative value greater than x (cum ascending). */
function searchCum(cum: Float64Array | readonly number[], x: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
