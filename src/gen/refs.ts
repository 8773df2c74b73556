/**
 * Order reference numbers and the engine's order-table sets (spec §5).
 *
 * Refs grow like a real feed's (shared across all symbols, so with small gaps). The engine
 * keeps the orders of subscribed symbols in a set-associative table whose set index is the
 * XOR-fold of the ref in SET_BITS-bit slices; when a set is full the new order is dropped
 * and its symbol gets the sticky COLLISION flag. The generator tracks how many live
 * subscribed orders each set holds, skips refs whose set is full (so collisions never
 * happen by accident), and crafts refs for a set when it engineers a collision on purpose.
 */
import type { Prng } from './prng.ts';

export const SET_BITS = 14;
export const WAYS = 4;
const SETS = 1 << SET_BITS;
const MASK = SETS - 1;
const TWO_28 = 2 ** 28;

/** Set index of a ref (< 2^53): XOR of its 14-bit slices at bits 0, 14, 28, 42 (56+ are zero). */
export function setIndex(ref: number): number {
  const lo = ref % TWO_28;
  const hi = (ref - lo) / TWO_28; // < 2^25
  return (lo & MASK) ^ (lo >>> SET_BITS) ^ (hi & MASK) ^ (hi >>> SET_BITS);
}

/** Set index for a bigint ref of any 64-bit value (used by tests and checks). */
export function setIndexBig(ref: bigint): number {
  let s = 0n;
  for (let r = ref; r > 0n; r >>= BigInt(SET_BITS)) s ^= r & BigInt(MASK);
  return Number(s);
}

export class RefAllocator {
  private next: number;
  /** Live orders of subscribed symbols per set (what the engine's table holds). */
  readonly occupancy = new Uint8Array(SETS);
  /** Refs handed out ahead of the counter (crafted collision refs); skipped by `take`. */
  private readonly reserved = new Set<number>();
  skippedFull = 0;

  constructor(private readonly rng: Prng, start?: number) {
    this.next = start ?? 1_000 + rng.int(50_000);
  }

  /** Next sequential ref; `subscribed` refs avoid full sets and are counted into their set. */
  take(subscribed: boolean): number {
    for (;;) {
      // gaps of 0..3 refs: other symbols of the exchange take refs in between
      const r = this.next + (this.rng.u32() & 3);
      this.next = r + 1;
      if (this.reserved.delete(r)) continue;
      if (subscribed) {
        const s = setIndex(r);
        if (this.occupancy[s] >= WAYS) {
          this.skippedFull++;
          continue;
        }
        this.occupancy[s]++;
      }
      return r;
    }
  }

  /** A ref that was never and will never be issued (for deliberate unknown-ref messages). */
  unknown(): number {
    return 2 ** 40 + this.rng.int(2 ** 30);
  }

  /** Releases a live subscribed order's way when the engine removes it. */
  release(ref: number): void {
    const s = setIndex(ref);
    if (this.occupancy[s] === 0) throw new Error(`generator bug: releasing ref ${ref} of an empty set`);
    this.occupancy[s]--;
  }

  /** A random set that holds no live subscribed order now (for an engineered collision). */
  emptySet(): number {
    for (;;) {
      const s = this.rng.int(SETS);
      if (this.occupancy[s] === 0) return s;
    }
  }

  /**
   * `n` fresh refs (ahead of the counter) that all fall into set `s`. They are reserved so
   * the sequential counter skips them later. The caller counts them into the set with
   * `claim` (or not, for an order the engine will drop).
   */
  craft(s: number, n: number): number[] {
    const out: number[] = [];
    let block = Math.floor(this.next / SETS) + 1;
    while (out.length < n) {
      const lo = s ^ setIndex(block);
      const r = block * SETS + lo;
      if (r >= this.next && !this.reserved.has(r)) {
        this.reserved.add(r);
        out.push(r);
      }
      block += 1 + this.rng.int(3);
    }
    return out;
  }

  claim(ref: number): void {
    this.occupancy[setIndex(ref)]++;
  }
}
