/**
 * The order-entry frames of spec §18 as the control plane writes them: a client order
 * (`{`) and a venue's answer (`}`), big-endian, at the contract's offsets, each framed with
 * its 2-byte length (spec §2) so it can sit in the merged stream.
 */
import { ORDER_FRAME as OF, VENUE_FRAME as VF } from '../contract.ts';

export type OrderAction = 'O' | 'U';
export type VenueEvent = 'E' | 'C';

export interface OrderFrameFields {
  action: OrderAction;
  /** `B`, `S`, `T` (short) or `E` (short exempt). */
  side: string;
  /** OUCH time in force byte (`0` day, `3` IOC, …). */
  tif: string;
  account: number;
  symbol: number;
  orderId: number;
  qty: number;
  /** Price units. */
  price: number;
  /** Effective seq S: last seq + 1. */
  seq: number;
  fingerprint: bigint;
}

export interface VenueFrameFields {
  event: VenueEvent;
  orderId: number;
  qty: number;
  /** Price units (0 for a cancel). */
  price: number;
  seq: number;
  fingerprint: bigint;
}

/** Bytes of a framed order frame (2-byte length + 36) and of a framed venue frame (2 + 32). */
export const ORDER_FRAME_BYTES = 2 + OF.length;
export const VENUE_FRAME_BYTES = 2 + VF.length;

/** A u64 that fits a double (seq) or a bigint (fingerprint), big-endian, without BigInt work for the former. */
function writeSeq(b: Buffer, v: number, off: number): void {
  b.writeUInt32BE(Math.floor(v / 0x1_0000_0000), off);
  b.writeUInt32BE(v >>> 0, off + 4);
}

/** A framed order frame: 2-byte length, then the 36 bytes. */
export function orderFrame(f: OrderFrameFields): Buffer {
  const b = Buffer.allocUnsafe(ORDER_FRAME_BYTES);
  writeOrderFrame(b, 0, f);
  return b;
}

/** Writes a framed order frame at `at` (ORDER_FRAME_BYTES bytes; every byte is written). */
export function writeOrderFrame(b: Buffer, at: number, f: OrderFrameFields): void {
  orderFrameBody(b, at, f.action.charCodeAt(0), f.side.charCodeAt(0), f.tif.charCodeAt(0), f.account, f.symbol, f.orderId, f.qty, f.price, f.seq);
  b.writeBigUInt64BE(f.fingerprint, at + 2 + OF.off_fingerprint);
}

/** Every byte of a framed order frame but its fingerprint. */
function orderFrameBody(b: Buffer, at: number, action: number, side: number, tif: number, account: number, symbol: number, orderId: number, qty: number, price: number, seq: number): void {
  b.writeUInt16BE(OF.length, at);
  const m = at + 2;
  b[m + OF.off_type] = OF.typeByte;
  b[m + OF.off_action] = action;
  b[m + OF.off_side] = side;
  b[m + OF.off_tif] = tif;
  b.writeUInt16BE(account, m + OF.off_account);
  b.writeUInt16BE(symbol, m + OF.off_symbol);
  b.writeUInt32BE(orderId, m + OF.off_order_id);
  b.writeUInt32BE(qty, m + OF.off_qty);
  b.writeUInt32BE(price, m + OF.off_price);
  writeSeq(b, seq, m + OF.off_seq);
}

/** A framed venue answer frame: 2-byte length, then the 32 bytes. */
export function venueFrame(f: VenueFrameFields): Buffer {
  const b = Buffer.allocUnsafe(VENUE_FRAME_BYTES);
  writeVenueFrame(b, 0, f);
  return b;
}

/** Writes a framed venue answer frame at `at` (VENUE_FRAME_BYTES bytes; every byte is written). */
export function writeVenueFrame(b: Buffer, at: number, f: VenueFrameFields): void {
  venueFrameBody(b, at, f.event.charCodeAt(0), f.orderId, f.qty, f.price, f.seq);
  b.writeBigUInt64BE(f.fingerprint, at + 2 + VF.off_fingerprint);
}

/** Every byte of a framed venue answer frame but its fingerprint. */
function venueFrameBody(b: Buffer, at: number, event: number, orderId: number, qty: number, price: number, seq: number): void {
  b.writeUInt16BE(VF.length, at);
  const m = at + 2;
  b[m + VF.off_type] = VF.typeByte;
  b[m + VF.off_event] = event;
  b.writeUInt16BE(0, m + VF.off_reserved);
  b.writeUInt32BE(orderId, m + VF.off_order_id);
  b.writeUInt32BE(qty, m + VF.off_qty);
  b.writeUInt32BE(price, m + VF.off_price);
  writeSeq(b, seq, m + VF.off_seq);
}

/** A fingerprint's 8 bytes, big-endian, for the positional writers below (made once per session). */
export function fingerprintBytes(fingerprint: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(fingerprint);
  return b;
}

/**
 * writeOrderFrame with the fields as arguments and the fingerprint as its 8 bytes (no object
 * per order, no BigInt write per frame: the order-entry engine's batch path, issue 13).
 * Side and tif are their bytes.
 */
export function writeOrderFrameAt(b: Buffer, at: number, action: number, side: number, tif: number, account: number, symbol: number, orderId: number, qty: number, price: number, seq: number, fp8: Buffer): void {
  orderFrameBody(b, at, action, side, tif, account, symbol, orderId, qty, price, seq);
  // Byte by byte: Buffer#copy's JavaScript wrapper costs more than 8 bytes (issue 13 profile).
  for (let i = 0, to = at + 2 + OF.off_fingerprint; i < 8; i++) b[to + i] = fp8[i];
}

/** writeVenueFrame with the fields as arguments (see writeOrderFrameAt); event is its byte. */
export function writeVenueFrameAt(b: Buffer, at: number, event: number, orderId: number, qty: number, price: number, seq: number, fp8: Buffer): void {
  venueFrameBody(b, at, event, orderId, qty, price, seq);
  for (let i = 0, to = at + 2 + VF.off_fingerprint; i < 8; i++) b[to + i] = fp8[i];
}
