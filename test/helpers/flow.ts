/**
 * A tiny random ITCH flow generator for tests, independent of src/gen: uniform random adds
 * (some off tick, some far outside the price window), executions with and without price,
 * partial and over-sized cancels, deletes, replaces that move orders between classes,
 * trades, skipped message types and adds for unsubscribed symbols. No realism, just
 * coverage of the book semantics; deterministic for a seed.
 */
import { frames, itch } from '../../src/itch/encode.ts';
import { MESSAGE_LENGTH } from '../../src/itch/layout.ts';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x9e3779b9;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface FlowOptions {
  seed: number;
  messages: number;
  /** Names of subscribed (configured) symbols; locates 1..n. */
  subscribed: readonly string[];
  /** Extra unsubscribed symbols after them. */
  unsubscribed?: number;
  /** TICK in price units (default 100). */
  tick?: number;
  offTickRate?: number;
  farRate?: number;
  /** Live orders per symbol the flow hovers around. */
  depth?: number;
}

interface Live {
  ref: bigint;
  buy: boolean;
  price: number;
  shares: number;
}

const SKIPPED = ['Y', 'L', 'V', 'K', 'J', 'h', 'Q', 'B', 'I', 'N', 'O'];

export function randomFlow(o: FlowOptions): Buffer {
  const rng = new Rng(o.seed);
  const tick = o.tick ?? 100;
  const offTickRate = o.offTickRate ?? 0.01;
  const farRate = o.farRate ?? 0.005;
  const depth = o.depth ?? 60;
  const names = [...o.subscribed, ...Array.from({ length: o.unsubscribed ?? 2 }, (_, i) => `UNS${i}`)];
  const msgs: Buffer[] = [];
  let ts = 34_200_000_000_000; // 09:30
  const h = (locate: number) => ({ locate, ts: (ts += 1 + rng.int(5000)) });
  msgs.push(itch.systemEvent(h(0), 'O'));
  names.forEach((n, i) => msgs.push(itch.stockDirectory(h(i + 1), n)));
  msgs.push(itch.systemEvent(h(0), 'Q'));

  const mid = names.map((_, i) => 1000 + 37 * i + rng.int(3000)); // in ticks
  const live: Live[][] = names.map(() => []);
  let nextRef = BigInt(1 + rng.int(1 << 30)) * 1024n;
  const newRef = () => (nextRef += BigInt(1 + rng.int(7)));

  const pickPrice = (s: number, buy: boolean): number => {
    if (rng.chance(farRate)) {
      const t = mid[s] + (rng.chance(0.5) ? 1 : -1) * (2100 + rng.int(3000));
      return Math.max(0, t) * tick;
    }
    const off = 1 + Math.floor(Math.pow(rng.next(), 2) * 40);
    let t = buy ? mid[s] - off : mid[s] + off;
    if (rng.chance(0.02)) t = buy ? mid[s] + 1 : mid[s] - 1; // occasionally crossed
    let p = Math.max(0, t) * tick;
    if (tick > 1 && rng.chance(offTickRate)) p += 1 + rng.int(tick - 1);
    return p;
  };
  const shares = () => (rng.chance(0.8) ? 100 * (1 + rng.int(10)) : 1 + rng.int(5000));
  const removeAt = (s: number, i: number) => {
    const arr = live[s];
    arr[i] = arr[arr.length - 1];
    arr.pop();
  };

  while (msgs.length < o.messages) {
    const s = rng.int(names.length);
    const loc = s + 1;
    const arr = live[s];
    // Orders out of band (off tick / far) are short-lived: look for one and delete it.
    if (arr.length > 0 && rng.chance(0.3)) {
      const i = rng.int(arr.length);
      const lv = arr[i];
      if (lv.price % tick !== 0 || Math.abs(lv.price / tick - mid[s]) > 2000) {
        msgs.push(itch.delete(h(loc), { ref: lv.ref }));
        removeAt(s, i);
        continue;
      }
    }
    if (rng.chance(0.01)) mid[s] = Math.max(100, mid[s] + rng.int(5) - 2);
    const r = rng.next();
    const wantAdd = arr.length < depth / 2 || (arr.length < depth * 2 && r < 0.45);
    if (wantAdd) {
      const buy = rng.chance(0.5);
      const lv: Live = { ref: newRef(), buy, price: pickPrice(s, buy), shares: shares() };
      arr.push(lv);
      const add = { ref: lv.ref, side: (buy ? 'B' : 'S') as 'B' | 'S', shares: lv.shares, stock: names[s], price: lv.price };
      msgs.push(itch.addOrder(h(loc), rng.chance(0.2) ? { ...add, mpid: 'TEST' } : add));
      continue;
    }
    if (r < 0.03) {
      msgs.push(itch.trade(h(loc), { ref: 0n, side: 'B', shares: 100, stock: names[s], price: mid[s] * tick, match: 0n }));
      continue;
    }
    if (r < 0.05) {
      const t = SKIPPED[rng.int(SKIPPED.length)];
      msgs.push(itch.raw(t, MESSAGE_LENGTH[t], h(loc)));
      continue;
    }
    if (arr.length === 0) continue;
    const i = rng.int(arr.length);
    const lv = arr[i];
    if (r < 0.25) {
      msgs.push(itch.delete(h(loc), { ref: lv.ref }));
      removeAt(s, i);
    } else if (r < 0.4) {
      const n = rng.chance(0.2) ? lv.shares + rng.int(100) : 1 + rng.int(lv.shares);
      msgs.push(itch.cancel(h(loc), { ref: lv.ref, shares: n }));
      lv.shares -= Math.min(n, lv.shares);
      if (lv.shares === 0) removeAt(s, i);
    } else if (r < 0.55) {
      const n = rng.chance(0.3) ? lv.shares : 1 + rng.int(lv.shares);
      if (rng.chance(0.5)) msgs.push(itch.executed(h(loc), { ref: lv.ref, shares: n, match: 1n }));
      else msgs.push(itch.executedWithPrice(h(loc), { ref: lv.ref, shares: n, match: 1n, printable: rng.chance(0.5), price: lv.price }));
      lv.shares -= Math.min(n, lv.shares);
      if (lv.shares === 0) removeAt(s, i);
    } else {
      const nv: Live = { ref: newRef(), buy: lv.buy, price: pickPrice(s, lv.buy), shares: shares() };
      msgs.push(itch.replace(h(loc), { ref: lv.ref, newRef: nv.ref, shares: nv.shares, price: nv.price }));
      arr[i] = nv;
    }
  }
  msgs.push(itch.systemEvent(h(0), 'M'));
  return frames(msgs, true);
}
