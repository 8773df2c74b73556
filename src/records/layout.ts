/** Record layout constants of spec §11 (32-byte little-endian records). */
export const RECORD_VERSION = 1;
export const RECORD_SIZE = 32;

export const RecordKind = Object.freeze({ TOB: 1, DECISION: 2, FILL: 3, CONTROL: 4, PROBLEM: 5 });
export const KIND_NAMES = ['', 'TOB', 'DECISION', 'FILL', 'CONTROL', 'PROBLEM'] as const;
export type KindName = Exclude<(typeof KIND_NAMES)[number], ''>;

/** Reject reason bits (spec §8.2), in bit order. */
export const REASON_NAMES = [
  'KILL', 'HALTED', 'MARKET_CLOSED', 'MAX_QTY', 'MAX_NOTIONAL',
  'NO_REF', 'COLLAR', 'POSITION', 'CREDIT', 'THROTTLE',
] as const;
export type ReasonName = (typeof REASON_NAMES)[number];

/** Book flag bits (spec §6), in bit order. */
export const FLAG_NAMES = ['BAND_BID', 'BAND_ASK', 'COLLISION'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];

/** Problem codes (spec §11, PROBLEM aux). */
export const PROBLEM_NAMES = ['', 'BAD_LENGTH', 'UNKNOWN_TYPE', 'TRUNCATED', 'BAD_CONTROL'] as const;

export function bitNames<T extends string>(mask: number, names: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < names.length; i++) if (mask & (1 << i)) out.push(names[i]);
  return out;
}
