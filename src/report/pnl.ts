/**
 * Per-symbol position and realised P&L from the engine's FILL records, average-cost method,
 * in decimal.js (money never goes through binary floats).
 */
import { Decimal } from 'decimal.js';

const PRICE_SCALE = new Decimal(10000);

export interface SymbolPnl {
  position: number;
  avgPrice: Decimal;
  realised: Decimal;
  bought: number;
  sold: number;
  fills: number;
}

export class PnlBook {
  readonly bySymbol = new Map<number, SymbolPnl>();

  constructor(startPositions: readonly number[] = []) {
    startPositions.forEach((p, i) => {
      if (p !== 0) this.bySymbol.set(i, { position: p, avgPrice: new Decimal(0), realised: new Decimal(0), bought: 0, sold: 0, fills: 0 });
    });
  }

  /** Applies one fill: `price` in price units, `qty` shares, buy or sell. */
  fill(symbol: number, side: 'B' | 'S', price: number, qty: number): void {
    let s = this.bySymbol.get(symbol);
    if (!s) {
      s = { position: 0, avgPrice: new Decimal(0), realised: new Decimal(0), bought: 0, sold: 0, fills: 0 };
      this.bySymbol.set(symbol, s);
    }
    const px = new Decimal(price).div(PRICE_SCALE);
    const signed = side === 'B' ? qty : -qty;
    s.fills++;
    if (side === 'B') s.bought += qty;
    else s.sold += qty;
    const pos = s.position;
    if (pos === 0 || Math.sign(pos) === Math.sign(signed)) {
      // Opening or adding: new average cost.
      const newPos = pos + signed;
      s.avgPrice = s.avgPrice.mul(Math.abs(pos)).add(px.mul(qty)).div(Math.abs(newPos));
      s.position = newPos;
      return;
    }
    // Reducing, closing or flipping: realise against the average cost.
    const closing = Math.min(Math.abs(pos), qty);
    const perShare = pos > 0 ? px.sub(s.avgPrice) : s.avgPrice.sub(px);
    s.realised = s.realised.add(perShare.mul(closing));
    const newPos = pos + signed;
    if (newPos === 0) s.avgPrice = new Decimal(0);
    else if (Math.sign(newPos) !== Math.sign(pos)) s.avgPrice = px;
    s.position = newPos;
  }
}
