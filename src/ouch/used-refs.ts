/**
 * The UserRefNums a session has used (spec §16.6: a used one is refused DUPLICATE, one not
 * above the last OUT_OF_SEQUENCE). New orders take strictly increasing numbers, so those are
 * kept sorted in a growing Uint32Array (binary search) rather than a Set: a Set of a day's
 * orders rehashed its whole table as it grew and kept a hash entry per order (3% of the
 * gateway's CPU at 50k orders/s, issue 13). Numbers added out of order (a restart's still-open
 * orders) go in a small Set beside it.
 */
export class UsedRefs {
  private sorted = new Uint32Array(1024);
  private n = 0;
  private readonly others = new Set<number>();

  add(ref: number): void {
    if (this.n === 0 || ref > this.sorted[this.n - 1]) {
      if (this.n === this.sorted.length) {
        const more = new Uint32Array(this.sorted.length * 2);
        more.set(this.sorted);
        this.sorted = more;
      }
      this.sorted[this.n++] = ref;
    } else if (!this.has(ref)) {
      this.others.add(ref);
    }
  }

  has(ref: number): boolean {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.sorted[mid];
      if (v === ref) return true;
      if (v < ref) lo = mid + 1;
      else hi = mid - 1;
    }
    return this.others.has(ref);
  }

  get size(): number {
    return this.n + this.others.size;
  }
}
