/**
 * The MoldUDP64 request packet (NASDAQ MoldUDP64 v1.00, "Request Packets"; docs/spec.md §14.7):
 * what a receiver sends to the request server (re-request server) to get missed messages back.
 *
 *   session (10 bytes, as in the downstream packets) | sequence number (u64 BE) | count (u16 BE)
 *
 * The server answers, by unicast to the address and port the request came from, with ordinary
 * downstream packets of the session whose first message is the requested sequence number and
 * that hold at most `count` messages (control blocks travel with the message they precede,
 * §14.4). A server that does not have the messages does not answer.
 */
import { MOLD_HEADER_BYTES, MOLD_SESSION_BYTES } from '../itch/moldudp64.ts';

export const MOLD_REQUEST_BYTES = MOLD_HEADER_BYTES;
/** Largest count of one request: the field is a u16 and 0xFFFF means end of session downstream. */
export const MOLD_REQUEST_MAX_COUNT = 0xfffe;
const SEQ_LIMIT = 2 ** 48;

export interface MoldRequest {
  session: Buffer;
  seq: number;
  count: number;
}

export function encodeRequest(session: Buffer, seq: number, count: number): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq >= SEQ_LIMIT) throw new RangeError(`request sequence number out of range: ${seq}`);
  if (!Number.isInteger(count) || count < 1 || count > MOLD_REQUEST_MAX_COUNT) throw new RangeError(`request count out of range: ${count}`);
  const b = Buffer.alloc(MOLD_REQUEST_BYTES);
  session.copy(b, 0, 0, MOLD_SESSION_BYTES);
  b.writeBigUInt64BE(BigInt(seq), MOLD_SESSION_BYTES);
  b.writeUInt16BE(count, MOLD_SESSION_BYTES + 8);
  return b;
}

/** A request packet, or null when it is not one (wrong size, seq 0 or ≥ 2^48, count 0). */
export function decodeRequest(b: Buffer): MoldRequest | null {
  if (b.length !== MOLD_REQUEST_BYTES) return null;
  const seq = b.readBigUInt64BE(MOLD_SESSION_BYTES);
  const count = b.readUInt16BE(MOLD_SESSION_BYTES + 8);
  if (seq === 0n || seq >= BigInt(SEQ_LIMIT) || count === 0 || count > MOLD_REQUEST_MAX_COUNT) return null;
  return { session: b.subarray(0, MOLD_SESSION_BYTES), seq: Number(seq), count };
}
