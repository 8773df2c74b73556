/**
 * Per-symbol position and realised P&L from the engine's FILL records, average-cost method.
 * Money never goes through binary floats: the arithmetic is decimal.js's with its default
 * configuration (20 significant digits, ROUND_HALF_UP), done exactly on bigints
 * (src/clearing/exact.ts) so that a fill costs a few bigint operations instead of a dozen
 * decimal.js objects; `avgPrice` and `realised` are decimal.js values again at the edge.
 * The file replay keeps the same book in Rust (native/src/pnl_book.rs, same operations and
 * rounding, ~5× cheaper a fill) and turns it into this one for its report (`pnlBookOf`).
 */
import { Decimal } from 'decimal.js';
import type * as Native from '../../native/native.d.ts';
import { DX_ZERO, Dx, DxContext, ROUND_HALF_UP } from '../clearing/exact.ts';

/** decimal.js's default configuration, which this book has always used. */
const CTX = new DxContext(Decimal.precision, Decimal.rounding === ROUND_HALF_UP ? ROUND_HALF_UP : badRounding(), Decimal);

function badRounding(): never {
  throw new Error(`decimal.js default rounding ${Decimal.rounding} is not ROUND_HALF_UP`);
}

export class SymbolPnl {
  position: number;
  bought = 0;
  sold = 0;
  fills = 0;
  /** Average cost and realised P&L in dollars, exact. */
  avg: Dx = DX_ZERO;
  real: Dx = DX_ZERO;

  constructor(position = 0) {
    this.position = position;
  }

  get avgPrice(): Decimal {
    return CTX.toDecimal(this.avg);
  }
  get realised(): Decimal {
    return CTX.toDecimal(this.real);
  }
}

export class PnlBook {
  readonly bySymbol = new Map<number, SymbolPnl>();

  constructor(startPositions: readonly number[] = []) {
    startPositions.forEach((p, i) => {
      if (p !== 0) this.bySymbol.set(i, new SymbolPnl(p));
    });
  }

  /** Applies one fill: `price` in price units, `qty` shares, buy or sell. */
  fill(symbol: number, side: 'B' | 'S', price: number, qty: number): void {
    let s = this.bySymbol.get(symbol);
    if (!s) {
      s = new SymbolPnl();
      this.bySymbol.set(symbol, s);
    }
    // Decimal(price).div(10000): exact for any u32 price.
    const px = Dx.int(price, -4);
    const signed = side === 'B' ? qty : -qty;
    s.fills++;
    if (side === 'B') s.bought += qty;
    else s.sold += qty;
    const pos = s.position;
    if (pos === 0 || Math.sign(pos) === Math.sign(signed)) {
      // Opening or adding: new average cost, avg × |pos| + px × qty over |pos + signed|.
      const newPos = pos + signed;
      const pq = price * qty;
      const notional = Number.isSafeInteger(pq) ? Dx.int(pq, -4) : CTX.timesInt(px, qty);
      s.avg = CTX.dividedByInt(CTX.plus(CTX.timesInt(s.avg, Math.abs(pos)), notional), Math.abs(newPos));
      s.position = newPos;
      return;
    }
    // Reducing, closing or flipping: realise against the average cost.
    const closing = Math.min(Math.abs(pos), qty);
    const perShare = pos > 0 ? CTX.minus(px, s.avg) : CTX.minus(s.avg, px);
    s.real = CTX.plus(s.real, CTX.timesInt(perShare, closing));
    const newPos = pos + signed;
    if (newPos === 0) s.avg = DX_ZERO;
    else if (Math.sign(newPos) !== Math.sign(pos)) s.avg = px;
    s.position = newPos;
  }
}

/** `[-]<coefficient>e<exponent>` (native/src/exact_decimal.rs) as an exact value. */
function dxOfNative(s: string): Dx {
  const m = /^(-?\d+)e(-?\d+)$/.exec(s);
  if (!m) throw new Error(`internal: native P&L value ${JSON.stringify(s)}`);
  return new Dx(BigInt(m[1]), Number(m[2]));
}

/** The book the native record pass kept (native/src/pnl_book.rs, the same arithmetic as `fill`). */
export function pnlBookOf(states: readonly Native.SymbolPnlState[]): PnlBook {
  const book = new PnlBook();
  for (const st of states) {
    const s = new SymbolPnl(st.position);
    s.bought = st.bought;
    s.sold = st.sold;
    s.fills = st.fills;
    s.avg = dxOfNative(st.avg);
    s.real = dxOfNative(st.realised);
    book.bySymbol.set(st.symbol, s);
  }
  return book;
}
