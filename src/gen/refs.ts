/**
 * Order reference numbers and the engine's order table (spec §5).
 *
 * Refs grow like a real feed's (shared across all symbols, so with small gaps). The engine
 * keeps the orders of subscribed symbols in two banks of 2^SET_BITS sets × WAYS ways (bank 0
 * home: XOR-fold of the ref; bank 1 home: low bits of its CRC-32C), then a stash, then — not
 * in the book — a ghost list, then nowhere (an untracked drop). `OrderTable` mirrors where
 * the engine puts every order the generator writes, so the generator knows exactly which
 * orders are ghosts, when a symbol's COLLISION starts and when it clears by itself.
 *
 * Ordinary refs are handed out in sequence and never skipped: at the loads this generator
 * writes (a few thousand live subscribed orders, refs walking bank 0's sets in order) no
 * bank-0 set fills up, so every ordinary order lands in bank 0 (`ordinarySpills` counts the
 * ones that do not, and the tests check it stays 0). Engineered collisions craft refs that
 * share both home sets (`craftSameHomes`: r0 ^ k for k in the kernel of both hash maps,
 * as test/vectors/tools/same-home-refs.py does), enough to fill bank 0's set, bank 1's set
 * and the stash, so that the next ones become ghosts.
 */
import { PARAMS } from '../contract.ts';
import type { Prng } from './prng.ts';

export const SET_BITS = PARAMS.SET_BITS.default;
export const WAYS = PARAMS.WAYS.default;
export const STASH_SLOTS = PARAMS.STASH_SLOTS.default;
export const GHOST_SLOTS = PARAMS.GHOST_SLOTS.default;
const SETS = 1 << SET_BITS;
const MASK = SETS - 1;
const TWO_32 = 2 ** 32;

/**
 * Crafted refs live in [2^CRAFT_BITS, 2^(CRAFT_BITS+1)): far above any sequential ref and
 * below the deliberately unknown refs of `unknown()` (from 2^52), so they never meet either.
 * The low CRAFT_BITS bits leave a same-home kernel of dimension ≥ 7 (both maps together
 * have rank ≤ 2·SET_BITS): at least 128 refs per pair of home sets.
 */
const CRAFT_BITS = 2 * SET_BITS + 7;
const UNKNOWN_BASE = 2 ** 52;

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) byte table. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of the 8 little-endian bytes of a ref < 2^53 (initial value and final XOR 0xFFFFFFFF). */
export function crc32cRef(ref: number): number {
  const lo = ref >>> 0;
  const hi = Math.floor(ref / TWO_32) >>> 0;
  let c = 0xffffffff;
  for (let k = 0; k < 4; k++) c = CRC_TABLE[(c ^ (lo >>> (8 * k))) & 0xff] ^ (c >>> 8);
  for (let k = 0; k < 4; k++) c = CRC_TABLE[(c ^ (hi >>> (8 * k))) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Bank 0's home set of a ref < 2^53: XOR of its SET_BITS-bit slices from bit 0 upward. */
export function setIndex(ref: number): number {
  let x = 0;
  for (let r = ref; r > 0; r = Math.floor(r / SETS)) x ^= r % SETS;
  return x;
}

/** Bank 1's home set of a ref < 2^53: the low SET_BITS bits of its CRC-32C. */
export function setIndex1(ref: number): number {
  return crc32cRef(ref) & MASK;
}

/** Bank 0's home set for a bigint ref of any 64-bit value (used by tests and checks). */
export function setIndexBig(ref: bigint): number {
  let s = 0n;
  for (let r = ref; r > 0n; r >>= BigInt(SET_BITS)) s ^= r & BigInt(MASK);
  return Number(s);
}

/** Where the engine keeps an order (spec §5). */
export const Place = {
  /** Not in the engine's table: an unsubscribed symbol, or forgotten by CLEAR_COLLISION. */
  NONE: 0,
  BANK0: 1,
  BANK1: 2,
  STASH: 3,
  /** Dropped from the book, remembered in the ghost list (COLLISION while it lives). */
  GHOST: 4,
  /** Dropped with no ghost slot free (COLLISION until CLEAR_COLLISION). */
  LOST: 5,
} as const;
export type Place = (typeof Place)[keyof typeof Place];

/** What the table needs of an order: its ref and symbol, and where it went. */
export interface Placed {
  ref: number;
  sym: number;
  where: Place;
}

/** Counts of the table's overflow path, as the engine's stats of §12 count them. */
export interface TableCounts {
  /** Inserts by place: bank 0, bank 1, stash, ghost, untracked. */
  bank0: number;
  bank1: number;
  stashInserts: number;
  ghostInserts: number;
  untrackedDrops: number;
  /** A symbol's COLLISION cleared by itself (its last ghost left, no untracked drop). */
  collisionClears: number;
  /** COLLISION episodes: a symbol's COLLISION went from off to on. */
  collisions: number;
  /** Ordinary (not crafted) orders placed anywhere but bank 0. */
  ordinarySpills: number;
  livePeak: number;
  stashPeak: number;
  ghostPeak: number;
}

/**
 * The placement of spec §5, by counts: which way of a set an order takes does not matter
 * to where the next order goes, only how many ways are taken. Refs are never reused while
 * live, so a lookup always finds the one place an order was put.
 */
export class OrderTable {
  private readonly occ0 = new Uint8Array(SETS);
  private readonly occ1 = new Uint8Array(SETS);
  private stash = 0;
  /** Live ghost orders (at most GHOST_SLOTS). */
  private readonly ghostList: Placed[] = [];
  private readonly ghostsOf: number[] = [];
  private readonly lostOf: boolean[] = [];
  private live = 0;
  readonly counts: TableCounts = {
    bank0: 0, bank1: 0, stashInserts: 0, ghostInserts: 0, untrackedDrops: 0, collisionClears: 0, collisions: 0,
    ordinarySpills: 0, livePeak: 0, stashPeak: 0, ghostPeak: 0,
  };

  /** Ways taken in bank 0's set `s0` plus those taken in bank 1's set `s1`. */
  setOccupancy(s0: number, s1: number): number {
    return this.occ0[s0] + this.occ1[s1];
  }

  /** Free stash and ghost slots. */
  get stashFree(): number {
    return STASH_SLOTS - this.stash;
  }
  get ghostFree(): number {
    return GHOST_SLOTS - this.ghostList.length;
  }

  /** Whether symbol `sym` has COLLISION now. */
  collision(sym: number): boolean {
    return (this.ghostsOf[sym] ?? 0) > 0 || this.lostOf[sym] === true;
  }

  /** Inserts an order of a subscribed symbol where the engine would (§5); sets `o.where`. */
  insert(o: Placed, crafted = false): Place {
    const c = this.counts;
    const s0 = setIndex(o.ref);
    let where: Place;
    if (this.occ0[s0] < WAYS) {
      this.occ0[s0]++;
      c.bank0++;
      where = Place.BANK0;
    } else {
      const s1 = setIndex1(o.ref);
      if (this.occ1[s1] < WAYS) {
        this.occ1[s1]++;
        c.bank1++;
        where = Place.BANK1;
      } else if (this.stash < STASH_SLOTS) {
        c.stashPeak = Math.max(c.stashPeak, ++this.stash);
        c.stashInserts++;
        where = Place.STASH;
      } else {
        const was = this.collision(o.sym);
        if (this.ghostList.length < GHOST_SLOTS) {
          this.ghostList.push(o);
          c.ghostPeak = Math.max(c.ghostPeak, this.ghostList.length);
          this.ghostsOf[o.sym] = (this.ghostsOf[o.sym] ?? 0) + 1;
          c.ghostInserts++;
          where = Place.GHOST;
        } else {
          this.lostOf[o.sym] = true;
          c.untrackedDrops++;
          where = Place.LOST;
        }
        if (!was) c.collisions++;
      }
      if (!crafted) c.ordinarySpills++;
    }
    if (where === Place.BANK0 || where === Place.BANK1 || where === Place.STASH) c.livePeak = Math.max(c.livePeak, ++this.live);
    o.where = where;
    return where;
  }

  /** The order left (D, full E/C/X, or the original of a U): frees its place. */
  remove(o: Placed): void {
    switch (o.where) {
      case Place.BANK0:
        this.occ0[setIndex(o.ref)]--;
        this.live--;
        break;
      case Place.BANK1:
        this.occ1[setIndex1(o.ref)]--;
        this.live--;
        break;
      case Place.STASH:
        this.stash--;
        this.live--;
        break;
      case Place.GHOST: {
        this.ghostList.splice(this.ghostList.indexOf(o), 1);
        if (--this.ghostsOf[o.sym] === 0 && !this.lostOf[o.sym]) this.counts.collisionClears++;
        break;
      }
      default:
        break;
    }
    o.where = Place.NONE;
  }

  /** Control op CLEAR_COLLISION: the engine forgets the symbol's ghosts and untracked drops. */
  clearCollision(sym: number, untracked: Placed[]): void {
    for (const g of this.ghostList.filter((x) => x.sym === sym)) {
      this.ghostList.splice(this.ghostList.indexOf(g), 1);
      g.where = Place.NONE;
    }
    for (const o of untracked) if (o.sym === sym && o.where === Place.LOST) o.where = Place.NONE;
    this.ghostsOf[sym] = 0;
    this.lostOf[sym] = false;
  }
}

/**
 * A basis of the refs k < 2^CRAFT_BITS with setIndex(r ^ k) = setIndex(r) and
 * setIndex1(r ^ k) = setIndex1(r) for every r: the kernel of the linear parts of both maps
 * (the XOR-fold is linear, CRC-32C affine) over GF(2), by elimination on the unit vectors.
 */
export function sameHomeKernel(): bigint[] {
  const zero = crc32cRef(0);
  const image = (k: number): bigint => BigInt(setIndex(k)) | (BigInt(((crc32cRef(k) ^ zero) >>> 0) & MASK) << BigInt(SET_BITS));
  const basis: [bigint, bigint][] = []; // (image, preimage), distinct leading bits, highest first
  const kernel: bigint[] = [];
  for (let i = 0; i < CRAFT_BITS; i++) {
    let img = image(2 ** i);
    let pre = 1n << BigInt(i);
    for (const [bi, bp] of basis) {
      if ((img ^ bi) < img) {
        img ^= bi;
        pre ^= bp;
      }
    }
    if (img === 0n) kernel.push(pre);
    else {
      basis.push([img, pre]);
      basis.sort((a, b) => (b[0] > a[0] ? 1 : b[0] < a[0] ? -1 : 0));
    }
  }
  return kernel;
}

let kernelCache: bigint[] | null = null;

export class RefAllocator {
  private next: number;
  /** Crafted refs handed out so far (a ref is never issued twice in a day). */
  private readonly crafted = new Set<number>();

  constructor(private readonly rng: Prng, start?: number) {
    this.next = start ?? 1_000 + rng.int(50_000);
  }

  /** Next sequential ref (gaps of 0..3: other symbols of the exchange take refs in between). */
  take(): number {
    const r = this.next + (this.rng.u32() & 3);
    this.next = r + 1;
    if (r >= 2 ** CRAFT_BITS) throw new Error('generator bug: sequential refs reached the crafted range');
    return r;
  }

  /** A ref that was never and will never be issued (for deliberate unknown-ref messages). */
  unknown(): number {
    return UNKNOWN_BASE + this.rng.int(2 ** 30);
  }

  /**
   * A random ref r0 of the crafted range whose two home sets satisfy `ok` (e.g. both empty),
   * then `n` fresh refs (r0 first) that share both home sets: r0 ^ k for k in the span of
   * the same-home kernel. None was issued before.
   */
  craftSameHomes(n: number, ok: (s0: number, s1: number) => boolean): number[] {
    const kernel = (kernelCache ??= sameHomeKernel());
    if (n > 2 ** Math.min(kernel.length, 20)) throw new RangeError(`only ${2 ** kernel.length} refs share a pair of home sets below 2^${CRAFT_BITS}`);
    for (;;) {
      const r0 = 2 ** CRAFT_BITS + (this.rng.u32() % 2 ** (CRAFT_BITS - 32)) * TWO_32 + this.rng.u32();
      if (!ok(setIndex(r0), setIndex1(r0))) continue;
      const out: number[] = [];
      for (let i = 0; out.length < n && i < 2 ** Math.min(kernel.length, 20); i++) {
        let k = 0n;
        for (let b = 0; b < kernel.length; b++) if ((i >> b) & 1) k ^= kernel[b];
        const r = Number(BigInt(r0) ^ k);
        if (!this.crafted.has(r)) out.push(r);
      }
      if (out.length < n) continue;
      for (const r of out) this.crafted.add(r);
      return out;
    }
  }
}
