/**
 * Exact decimal strings ⇄ the engine's integer units, without floating point and without
 * decimal.js's 20-digit default precision: a value is checked digit by digit on its string
 * (at most `scale` decimals, no exponent, no sign) and converted with BigInt, so a value is
 * either represented exactly or refused — never rounded.
 *
 * Price units are dollars × 10^4 (ITCH's 4 implied decimals); notional units are price
 * units × shares, so a dollar amount is also dollars × 10^4 in notional units.
 */

/** Decimals of the engine's price and notional units. */
export const PRICE_DECIMALS = 4;

/** A plain non-negative decimal: digits, optionally a point and at least one more digit. */
const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export type DecimalParse = { ok: true; units: bigint } | { ok: false; reason: string };

/**
 * `text` (e.g. "250000.00") as an exact integer count of 10^-scale units, or why not. Leading
 * zeros are allowed ("0.01"); trailing zeros beyond `scale` are refused like any other
 * extra decimal, since "0.00350" looks like a value with 5 decimals of precision.
 */
export function decimalToUnits(text: string, scale = PRICE_DECIMALS): DecimalParse {
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) return { ok: false, reason: 'is not a plain non-negative decimal such as "1000.00" (digits and at most one decimal point; no sign, spaces or exponent)' };
  const frac = m[2] ?? '';
  if (frac.length > scale) return { ok: false, reason: `has ${frac.length} decimal places; at most ${scale} are allowed` };
  return { ok: true, units: BigInt(m[1] + frac.padEnd(scale, '0')) };
}

/**
 * Integer units as a decimal string with at least `minDecimals` and at most `scale` decimals,
 * exactly (no rounding): 1234500n → "123.45", 1234567n → "123.4567".
 */
export function unitsToDecimal(units: bigint, scale = PRICE_DECIMALS, minDecimals = 2): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  let frac = digits.slice(digits.length - scale);
  while (frac.length > minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Dollars of notional or price units (4 implied decimals), exact: 4000000000n → "400000.00". */
export function unitsToDollars(units: bigint): string {
  return unitsToDecimal(units, PRICE_DECIMALS, 2);
}

/** A whole number with thousands separators: 1500n → "1,500". */
export function groupDigits(n: bigint | number): string {
  const s = BigInt(n).toString();
  const neg = s.startsWith('-');
  const d = neg ? s.slice(1) : s;
  return `${neg ? '-' : ''}${d.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** Dollars with separators for text output: 4000000000n → "$400,000.00". */
export function formatMoney(units: bigint): string {
  const s = unitsToDollars(units);
  const [i, f] = s.split('.');
  return `$${groupDigits(BigInt(i))}${f ? `.${f}` : ''}`;
}
