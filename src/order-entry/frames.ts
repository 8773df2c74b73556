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

/** A framed order frame: 2-byte length, then the 36 bytes. */
export function orderFrame(f: OrderFrameFields): Buffer {
  const b = Buffer.alloc(2 + OF.length);
  b.writeUInt16BE(OF.length, 0);
  const m = b.subarray(2);
  m[OF.off_type] = OF.typeByte;
  m[OF.off_action] = f.action.charCodeAt(0);
  m[OF.off_side] = f.side.charCodeAt(0);
  m[OF.off_tif] = f.tif.charCodeAt(0);
  m.writeUInt16BE(f.account, OF.off_account);
  m.writeUInt16BE(f.symbol, OF.off_symbol);
  m.writeUInt32BE(f.orderId, OF.off_order_id);
  m.writeUInt32BE(f.qty, OF.off_qty);
  m.writeUInt32BE(f.price, OF.off_price);
  m.writeBigUInt64BE(BigInt(f.seq), OF.off_seq);
  m.writeBigUInt64BE(f.fingerprint, OF.off_fingerprint);
  return b;
}

/** A framed venue answer frame: 2-byte length, then the 32 bytes. */
export function venueFrame(f: VenueFrameFields): Buffer {
  const b = Buffer.alloc(2 + VF.length);
  b.writeUInt16BE(VF.length, 0);
  const m = b.subarray(2);
  m[VF.off_type] = VF.typeByte;
  m[VF.off_event] = f.event.charCodeAt(0);
  m.writeUInt32BE(f.orderId, VF.off_order_id);
  m.writeUInt32BE(f.qty, VF.off_qty);
  m.writeUInt32BE(f.price, VF.off_price);
  m.writeBigUInt64BE(BigInt(f.seq), VF.off_seq);
  m.writeBigUInt64BE(f.fingerprint, VF.off_fingerprint);
  return b;
}
