/**
 * The ITCH side of the contract (contract/riskgate.toml, spec §3.1 and §9) for the control
 * plane: message lengths, the control message and its ops, re-exported from the generated
 * src/contract.ts, plus lookups by type byte.
 */
import { CONTROL_MESSAGE, HANDLED_TYPES as HANDLED, MESSAGE_LENGTH, ORDER_FRAME, VENUE_FRAME } from '../contract.ts';

export { CONTROL_OP_NAMES, CONTROL_OPS, ControlOp, MESSAGE_LENGTH, type ControlOpName } from '../contract.ts';

/** Types whose effects the engine implements; every other known type is skipped by length. */
export const HANDLED_TYPES: ReadonlySet<string> = new Set(HANDLED);

/** Type byte of riskgate's control message (spec §9). It takes no seq. */
export const CONTROL_TYPE = CONTROL_MESSAGE.typeByte;
/** Length of a well-formed control message; a `~` frame of any other length is BAD_LENGTH and takes a seq. */
export const CONTROL_LENGTH = CONTROL_MESSAGE.length;
/** Control target meaning "global" (spec §9). */
export const GLOBAL_TARGET = CONTROL_MESSAGE.globalTarget;

/**
 * A frame the control plane places in band, which takes no seq (spec §9, §18): the control
 * message, a client order frame or a venue answer frame, each of exactly its length.
 */
export function isInBand(typeByte: number, length: number): boolean {
  return (
    (typeByte === CONTROL_MESSAGE.typeByte && length === CONTROL_MESSAGE.length) ||
    (typeByte === ORDER_FRAME.typeByte && length === ORDER_FRAME.length) ||
    (typeByte === VENUE_FRAME.typeByte && length === VENUE_FRAME.length)
  );
}

/** A client order (`{`, 36 bytes) or venue answer (`}`, 32 bytes) frame (spec §18.1). */
export function isOrderEntryFrame(typeByte: number, length: number): boolean {
  return (typeByte === ORDER_FRAME.typeByte && length === ORDER_FRAME.length) || (typeByte === VENUE_FRAME.typeByte && length === VENUE_FRAME.length);
}

/** Expected length for a type byte, or 0 when the type is unknown. */
const LENGTH_BY_BYTE = new Uint8Array(256);
for (const [t, n] of Object.entries(MESSAGE_LENGTH)) LENGTH_BY_BYTE[t.charCodeAt(0)] = n;

export function expectedLength(typeByte: number): number {
  return LENGTH_BY_BYTE[typeByte & 0xff];
}

/** Printable name of a type byte for reports: the character (graphic ASCII), or 0xNN otherwise. */
export function typeName(typeByte: number): string {
  return typeByte > 0x20 && typeByte < 0x7f
    ? String.fromCharCode(typeByte)
    : `0x${typeByte.toString(16).padStart(2, '0')}`;
}
