/**
 * A small seeded order-flow session for the ops tests, for the symbols of config/default.json:
 * system events, the stock directory, market open, then adds near the touch, executions,
 * cancels and deletes on all symbols, with timestamps `gapNs` apart on average. Enough flow
 * that the strategy decides often (so a kill switch rejects hundreds of orders); small and
 * fast to write (about 1 MB per 30k messages).
 */
import { writeFileSync } from 'node:fs';
import { frames, itch } from '../../../src/itch/encode.ts';

export interface SessionOptions {
  messages: number;
  seed?: number;
  /** Mean ITCH time between messages (ns). */
  gapNs?: number;
  /** Start time, ns since midnight (default 09:30). */
  startNs?: number;
}

const SYMBOLS: [string, number][] = [
  ['AAPL', 190], ['MSFT', 410], ['AMZN', 180], ['NVDA', 120], ['TSLA', 250], ['INTC', 30], ['AMD', 160], ['META', 500],
];
const TICK = 100; // one cent in price units

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Order { ref: bigint; side: 'B' | 'S'; price: number; shares: number }

export function sessionBuffer(o: SessionOptions): Buffer {
  const rnd = prng(o.seed ?? 1);
  const gap = o.gapNs ?? 200_000;
  let ts = o.startNs ?? 34_200_000_000_000;
  const msgs: Buffer[] = [];
  const h = (locate: number) => ({ locate, ts: (ts += Math.max(1, Math.round(gap * 2 * rnd()))) });
  msgs.push(itch.systemEvent(h(0), 'O'));
  SYMBOLS.forEach(([s], i) => msgs.push(itch.stockDirectory(h(i + 1), s)));
  msgs.push(itch.stockDirectory(h(100), 'ZZZZ'));
  msgs.push(itch.systemEvent(h(0), 'Q'));
  const mid = SYMBOLS.map(([, px]) => px * 100); // in ticks
  const books: Order[][] = SYMBOLS.map(() => []);
  let ref = 1n;
  let match = 1n;
  const best = (b: Order[], side: 'B' | 'S') => {
    let top: Order | undefined;
    for (const x of b) if (x.side === side && (!top || (side === 'B' ? x.price > top.price : x.price < top.price))) top = x;
    return top;
  };
  while (msgs.length < o.messages) {
    const i = Math.floor(rnd() * SYMBOLS.length);
    const [stock] = SYMBOLS[i];
    const book = books[i];
    const r = rnd();
    if (r < 0.5 || book.length < 6) {
      const side: 'B' | 'S' = rnd() < 0.5 ? 'B' : 'S';
      const off = Math.floor(rnd() * 3) + (rnd() < 0.5 ? 0 : 1);
      const price = (side === 'B' ? mid[i] - off : mid[i] + 1 + off) * TICK;
      const shares = (1 + Math.floor(rnd() * (rnd() < 0.2 ? 30 : 8))) * 100;
      const ord = { ref: ref++, side, price, shares };
      book.push(ord);
      msgs.push(itch.addOrder(h(i + 1), { ref: ord.ref, side, shares, stock, price }));
    } else if (r < 0.72) {
      const top = best(book, rnd() < 0.5 ? 'B' : 'S');
      if (!top) continue;
      const n = Math.min(top.shares, (1 + Math.floor(rnd() * 5)) * 100);
      msgs.push(itch.executed(h(i + 1), { ref: top.ref, shares: n, match: match++ }));
      top.shares -= n;
      if (top.shares === 0) book.splice(book.indexOf(top), 1);
    } else if (r < 0.86) {
      const k = Math.floor(rnd() * book.length);
      msgs.push(itch.delete(h(i + 1), { ref: book[k].ref }));
      book.splice(k, 1);
    } else if (r < 0.96) {
      const k = Math.floor(rnd() * book.length);
      const n = Math.min(book[k].shares, 100);
      msgs.push(itch.cancel(h(i + 1), { ref: book[k].ref, shares: n }));
      book[k].shares -= n;
      if (book[k].shares === 0) book.splice(k, 1);
    } else {
      // Drift the mid by a tick and drop orders that would cross it.
      mid[i] += rnd() < 0.5 ? -1 : 1;
      for (const x of [...book]) {
        const crosses = x.side === 'B' ? x.price > mid[i] * TICK : x.price <= mid[i] * TICK;
        if (crosses) {
          msgs.push(itch.delete(h(i + 1), { ref: x.ref }));
          book.splice(book.indexOf(x), 1);
        }
      }
    }
  }
  msgs.push(itch.systemEvent(h(0), 'M'));
  msgs.push(itch.systemEvent(h(0), 'C'));
  return frames(msgs, true);
}

export function writeSession(path: string, o: SessionOptions): string {
  writeFileSync(path, sessionBuffer(o));
  return path;
}
