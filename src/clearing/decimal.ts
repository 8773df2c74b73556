/** The decimal.js flavour used for all clearing money: 40 significant digits, half-even. */
import { Decimal } from 'decimal.js';

export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Dec = InstanceType<typeof D>;
export const ZERO = new D(0);

/** ITCH price units (4 implied decimals) to dollars, exactly. */
export function priceToDollars(priceUnits: number): Dec {
  return new D(priceUnits).dividedBy(10000);
}
