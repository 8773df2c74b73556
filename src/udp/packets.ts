/**
 * Positions of a MoldUDP64 packet's blocks (docs/spec.md §14.4–14.5), and the part of a packet
 * between two positions: what a request server answers with, and what a receiver keeps of a
 * packet that overlaps what it already has. A message block's position is its seq; a control
 * block's is the seq of the message it precedes, so a control is kept or cut with its message.
 */
import { MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_HEADER_BYTES, MOLD_SEQ_AT, MOLD_SESSION_BYTES, moldPacket, parseMoldPacket } from '../itch/moldudp64.ts';

const SEQ_LIMIT = 2n ** 48n;

export type PacketKind = 'data' | 'heartbeat' | 'end';

export interface PacketHeader {
  session: Buffer;
  /** Sequence number of the first message (heartbeat, end of session: the next seq). */
  seq: number;
  /** Message blocks that take a seq (0 for heartbeats and the end of session). */
  messages: number;
  kind: PacketKind;
  /** Position after the packet's last message. */
  end: number;
}

/** The header of a downstream packet; null when it is short or its sequence number is 0 or ≥ 2^48. */
export function packetHeader(pkt: Buffer): PacketHeader | null {
  if (pkt.length < MOLD_HEADER_BYTES) return null;
  const s = pkt.readBigUInt64BE(MOLD_SEQ_AT);
  if (s === 0n || s >= SEQ_LIMIT) return null;
  const count = pkt.readUInt16BE(MOLD_COUNT_AT);
  const seq = Number(s);
  const kind: PacketKind = count === 0 ? 'heartbeat' : count === MOLD_END_OF_SESSION ? 'end' : 'data';
  const messages = kind === 'data' ? count : 0;
  return { session: pkt.subarray(0, MOLD_SESSION_BYTES), seq, messages, kind, end: seq + messages };
}

/**
 * The blocks of a data packet whose position is in [from, to), as a packet whose sequence
 * number is the first kept position (its count = the kept message blocks); null when none is
 * kept. The packet itself when nothing is cut.
 */
export function slicePacket(pkt: Buffer, from: number, to = Number.MAX_SAFE_INTEGER): Buffer | null {
  const p = parseMoldPacket(pkt);
  if (!p) return null;
  const seq = Number(p.seq);
  if (seq >= from && seq + p.count <= to && p.count !== MOLD_END_OF_SESSION) {
    // nothing before `from`; cut only if a block lies at or past `to`
    let pos = seq;
    let inside = true;
    for (const b of p.blocks) {
      if (pos >= to) inside = false;
      if (!b.control) pos++;
    }
    if (inside) return pkt;
  }
  const kept: Buffer[] = [];
  let first = -1;
  let messages = 0;
  let pos = seq;
  for (const b of p.blocks) {
    const at = pos;
    if (!b.control) pos++;
    if (at < from || at >= to) continue;
    if (first < 0) first = at;
    kept.push(b.frame);
    if (!b.control) messages++;
  }
  if (first < 0 || messages === 0) return null;
  return moldPacket(p.session, BigInt(first), messages, kept);
}
