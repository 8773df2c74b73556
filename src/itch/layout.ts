/**
 * ITCH 5.0 message lengths (bytes from the type byte) as the spec (docs/spec.md §3.1) lists
 * them, plus riskgate's in-band control message `~`.
 */
export const MESSAGE_LENGTH: Readonly<Record<string, number>> = Object.freeze({
  S: 12, R: 39, H: 25, Y: 20, L: 26, V: 35, W: 12, K: 28, J: 35, h: 21,
  A: 36, F: 40, E: 31, C: 36, X: 23, D: 19, U: 35, P: 44,
  Q: 40, B: 19, I: 50, N: 20, O: 48,
  '~': 20,
});

/** Types whose effects the engine implements; every other known type is skipped by length. */
export const HANDLED_TYPES = new Set(['S', 'R', 'H', 'W', 'A', 'F', 'E', 'C', 'X', 'D', 'U', 'P']);

/** Type byte of riskgate's control message (spec §9). It takes no seq. */
export const CONTROL_TYPE = 0x7e;
/** Length of a well-formed control message; a `~` frame of any other length is BAD_LENGTH and takes a seq. */
export const CONTROL_LENGTH = 20;

/** Expected length for a type byte, or 0 when the type is unknown. */
const LENGTH_BY_BYTE = new Uint8Array(256);
for (const [t, n] of Object.entries(MESSAGE_LENGTH)) LENGTH_BY_BYTE[t.charCodeAt(0)] = n;

export function expectedLength(typeByte: number): number {
  return LENGTH_BY_BYTE[typeByte & 0xff];
}

/** Printable name of a type byte for reports: the character, or 0xNN when unprintable. */
export function typeName(typeByte: number): string {
  return typeByte >= 0x21 && typeByte <= 0x7e
    ? String.fromCharCode(typeByte)
    : `0x${typeByte.toString(16).padStart(2, '0')}`;
}

/** Control-message operations (spec §9). */
export const ControlOp = Object.freeze({
  GLOBAL_KILL: 1,
  SYMBOL_KILL: 2,
  MAX_QTY: 3,
  MAX_NOTIONAL: 4,
  POSITION_LIMIT: 5,
  COLLAR_BPS: 6,
  CREDIT_LIMIT: 7,
  MAX_ORDERS: 8,
  CLEAR_COLLISION: 9,
});
export type ControlOpName = keyof typeof ControlOp;
export const CONTROL_OP_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [k, v] of Object.entries(ControlOp)) names[v] = k;
  return names;
})();
