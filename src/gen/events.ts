/** A min-queue of scheduled session events keyed by seq (ties keep insertion order). */

export class EventQueue<T> {
  private readonly at: number[] = [];
  private readonly ord: number[] = [];
  private readonly items: T[] = [];
  private n = 0;

  get size(): number {
    return this.items.length;
  }

  /** Seq at which the earliest event is due, or Infinity. */
  peek(): number {
    return this.items.length === 0 ? Infinity : this.at[0];
  }

  push(at: number, item: T): void {
    let i = this.items.length;
    this.at.push(at);
    this.ord.push(this.n++);
    this.items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): T | undefined {
    const len = this.items.length;
    if (len === 0) return undefined;
    const top = this.items[0];
    this.swap(0, len - 1);
    this.at.pop();
    this.ord.pop();
    this.items.pop();
    let i = 0;
    const m = len - 1;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < m && this.less(l, best)) best = l;
      if (r < m && this.less(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top;
  }

  private less(i: number, j: number): boolean {
    return this.at[i] < this.at[j] || (this.at[i] === this.at[j] && this.ord[i] < this.ord[j]);
  }

  private swap(i: number, j: number): void {
    [this.at[i], this.at[j]] = [this.at[j], this.at[i]];
    [this.ord[i], this.ord[j]] = [this.ord[j], this.ord[i]];
    [this.items[i], this.items[j]] = [this.items[j], this.items[i]];
  }
}
