/**
 * Live orders of the generated day: one 64-byte record per order in one ArrayBuffer (a
 * cache line: an order's fields are read and written together), viewed as Float64 for the
 * reference number and times and as Int32 for the rest. Slots 1.. (0 is "none"), reused
 * through a free list, grown by doubling. Memory is proportional to the peak number of live
 * orders, never to the number of messages.
 */

export const BUY = 0;
export const SELL = 1;

/** Order flags. */
export const STUB = 1;
/** A day order: deleted when the market closes (its timer was cut to the close). */
export const DAY = 2;

const RECORD = 64;
// Float64 fields (index slot × 8 + k)
const REF = 0;
const BORN = 1;
const DUE = 2;
// Int32 fields (index slot × 16 + k), after the three doubles
const SYM = 6;
const PRICE = 7;
const SHARES = 8;
const NEXT = 9;
const PREV = 10;
const TGEN = 11;
const SIDE = 12;
const FLAGS = 13;

export class OrderPool {
  cap: number;
  private f: Float64Array;
  private i: Int32Array;
  private freeList: Int32Array;
  private nFree = 0;
  private top = 1;
  live = 0;

  constructor(initial = 1 << 16) {
    this.cap = initial;
    const b = new ArrayBuffer(initial * RECORD);
    this.f = new Float64Array(b);
    this.i = new Int32Array(b);
    this.freeList = new Int32Array(initial);
  }

  alloc(): number {
    this.live++;
    if (this.nFree > 0) return this.freeList[--this.nFree];
    if (this.top === this.cap) this.grow();
    return this.top++;
  }

  release(slot: number): void {
    this.live--;
    this.freeList[this.nFree++] = slot;
  }

  /** Bytes held by the pool. */
  get bytes(): number {
    return this.cap * (RECORD + 4);
  }

  private grow(): void {
    const n = this.cap * 2;
    const b = new ArrayBuffer(n * RECORD);
    new Uint8Array(b).set(new Uint8Array(this.f.buffer));
    this.f = new Float64Array(b);
    this.i = new Int32Array(b);
    const fl = new Int32Array(n);
    fl.set(this.freeList);
    this.freeList = fl;
    this.cap = n;
  }

  /** Order reference number (< 2^53). */
  ref(s: number): number {
    return this.f[s * 8 + REF];
  }
  setRef(s: number, v: number): void {
    this.f[s * 8 + REF] = v;
  }
  /** ITCH timestamp of the add (or of the replace that created it). */
  born(s: number): number {
    return this.f[s * 8 + BORN];
  }
  setBorn(s: number, v: number): void {
    this.f[s * 8 + BORN] = v;
  }
  /** When its timer fires (-1: none). */
  due(s: number): number {
    return this.f[s * 8 + DUE];
  }
  setDue(s: number, v: number): void {
    this.f[s * 8 + DUE] = v;
  }
  sym(s: number): number {
    return this.i[s * 16 + SYM];
  }
  setSym(s: number, v: number): void {
    this.i[s * 16 + SYM] = v;
  }
  /** Price in ticks ($0.01). */
  price(s: number): number {
    return this.i[s * 16 + PRICE];
  }
  setPrice(s: number, v: number): void {
    this.i[s * 16 + PRICE] = v;
  }
  shares(s: number): number {
    return this.i[s * 16 + SHARES];
  }
  setShares(s: number, v: number): void {
    this.i[s * 16 + SHARES] = v;
  }
  /** Level queue links (0 at the ends; oldest first): see book.ts. */
  next(s: number): number {
    return this.i[s * 16 + NEXT];
  }
  setNext(s: number, v: number): void {
    this.i[s * 16 + NEXT] = v;
  }
  prev(s: number): number {
    return this.i[s * 16 + PREV];
  }
  setPrev(s: number, v: number): void {
    this.i[s * 16 + PREV] = v;
  }
  /** Timer generation: bumped by every schedule and cancel, so stale timers are known (timers.ts). */
  tgen(s: number): number {
    return this.i[s * 16 + TGEN];
  }
  setTgen(s: number, v: number): void {
    this.i[s * 16 + TGEN] = v;
  }
  side(s: number): number {
    return this.i[s * 16 + SIDE];
  }
  flags(s: number): number {
    return this.i[s * 16 + FLAGS];
  }
  setFlags(s: number, v: number): void {
    this.i[s * 16 + FLAGS] = v;
  }

  /** Fills a new order's fields (its timer generation carries on from the slot's last order). */
  init(s: number, ref: number, sym: number, side: number, price: number, shares: number, born: number, flags: number): void {
    const f = this.f;
    const i = this.i;
    f[s * 8 + REF] = ref;
    f[s * 8 + BORN] = born;
    f[s * 8 + DUE] = -1;
    const k = s * 16;
    i[k + SYM] = sym;
    i[k + PRICE] = price;
    i[k + SHARES] = shares;
    i[k + SIDE] = side;
    i[k + FLAGS] = flags;
  }
}
