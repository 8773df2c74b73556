/**
 * When each live order's lifetime runs out. A timer is an entry (due time, order slot, the
 * order's timer generation). Timers far ahead wait in coarse time buckets (~67 ms, singly
 * linked lists of entries); when the clock reaches a bucket its entries move into a small
 * binary heap ordered by due time, so the heap holds only the next few tens of milliseconds
 * whatever the number of live orders. Entries and heap never touch the order records: an
 * order that ends some other way bumps its timer generation (`cancel`), and its stale entry
 * is dropped when it comes up.
 */
import type { OrderPool } from './orders.ts';

const BUCKET_SHIFT = 26; // 2^26 ns ≈ 67 ms
const BUCKET_NS = 2 ** BUCKET_SHIFT;
const BUCKETS = Math.ceil((86_400 * 1e9) / BUCKET_NS);

export class Timers {
  private readonly bucket = new Int32Array(BUCKETS);
  private current = -1;
  // entries: 1.. (0 = none), free list
  private eDue = new Float64Array(1 << 16);
  private eSlot = new Int32Array(1 << 16);
  private eGen = new Int32Array(1 << 16);
  private eNext = new Int32Array(1 << 16);
  private eFree = new Int32Array(1 << 16);
  private nFree = 0;
  private eTop = 1;
  // heap of (due, slot, gen)
  private hDue = new Float64Array(1 << 12);
  private hSlot = new Int32Array(1 << 12);
  private hGen = new Int32Array(1 << 12);
  private size = 0;

  constructor(private readonly p: OrderPool) {}

  get bytes(): number {
    return this.bucket.byteLength + this.eDue.length * 24 + this.hDue.length * 16;
  }

  /** Sets `slot`'s timer to fire at `due` (ns since midnight; beyond the day = never). */
  schedule(slot: number, due: number): void {
    const p = this.p;
    const gen = p.tgen(slot) + 1;
    p.setTgen(slot, gen);
    p.setDue(slot, due);
    const b = Math.floor(due / BUCKET_NS);
    if (b >= BUCKETS) return;
    if (b <= this.current) {
      this.push(due, slot, gen);
      return;
    }
    let e: number;
    if (this.nFree > 0) e = this.eFree[--this.nFree];
    else {
      if (this.eTop === this.eDue.length) this.growEntries();
      e = this.eTop++;
    }
    this.eDue[e] = due;
    this.eSlot[e] = slot;
    this.eGen[e] = gen;
    this.eNext[e] = this.bucket[b];
    this.bucket[b] = e;
  }

  /** Drops `slot`'s timer, if it has one (the order ended some other way). */
  cancel(slot: number): void {
    this.p.setTgen(slot, this.p.tgen(slot) + 1);
  }

  /** Moves the buckets up to time `ts` into the heap. */
  advance(ts: number): void {
    const target = Math.floor(ts / BUCKET_NS);
    while (this.current < target) {
      const b = ++this.current;
      let e = this.bucket[b];
      this.bucket[b] = 0;
      while (e !== 0) {
        this.push(this.eDue[e], this.eSlot[e], this.eGen[e]);
        const n = this.eNext[e];
        this.eFree[this.nFree++] = e;
        e = n;
      }
    }
  }

  /** Due time of the earliest timer in the heap, live or stale (Infinity when none). */
  peek(): number {
    return this.size === 0 ? Infinity : this.hDue[0];
  }

  /** Due time of the timer `take` returned last. */
  firedDue = 0;

  /**
   * The slot of a live order whose timer is due by `ts` (its due time in `firedDue`), or 0
   * when there is none; stale timers met on the way are dropped.
   */
  take(ts: number): number {
    const p = this.p;
    while (this.size > 0 && this.hDue[0] <= ts) {
      const s = this.hSlot[0];
      const live = p.tgen(s) === this.hGen[0];
      this.firedDue = this.hDue[0];
      this.popTop();
      if (live) return s;
    }
    return 0;
  }

  private growEntries(): void {
    const n = this.eDue.length * 2;
    const f = new Float64Array(n);
    f.set(this.eDue);
    this.eDue = f;
    const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.eSlot = grow(this.eSlot);
    this.eGen = grow(this.eGen);
    this.eNext = grow(this.eNext);
    this.eFree = grow(this.eFree);
  }

  // ------------------------------------------------------------ binary heap on due time

  private push(due: number, slot: number, gen: number): void {
    if (this.size === this.hDue.length) {
      const n = this.size * 2;
      const d = new Float64Array(n);
      d.set(this.hDue);
      this.hDue = d;
      const s = new Int32Array(n);
      s.set(this.hSlot);
      this.hSlot = s;
      const g = new Int32Array(n);
      g.set(this.hGen);
      this.hGen = g;
    }
    const hd = this.hDue;
    const hs = this.hSlot;
    const hg = this.hGen;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hd[parent] <= due) break;
      hd[i] = hd[parent];
      hs[i] = hs[parent];
      hg[i] = hg[parent];
      i = parent;
    }
    hd[i] = due;
    hs[i] = slot;
    hg[i] = gen;
  }

  private popTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const hd = this.hDue;
    const hs = this.hSlot;
    const hg = this.hGen;
    const due = hd[n];
    const slot = hs[n];
    const gen = hg[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && hd[c + 1] < hd[c]) c++;
      if (hd[c] >= due) break;
      hd[i] = hd[c];
      hs[i] = hs[c];
      hg[i] = hg[c];
      i = c;
    }
    hd[i] = due;
    hs[i] = slot;
    hg[i] = gen;
  }
}
