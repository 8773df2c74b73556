/**
 * Decodes ITCH 5.0 messages into plain objects. Not on the hot path: the engines parse
 * bytes themselves. Used by `inspect`, error messages, the reference book in tests and the
 * session generator's self-checks.
 */
import { CONTROL_MESSAGE as CM } from '../contract.ts';
import { CONTROL_TYPE, expectedLength } from './layout.ts';

export interface Common {
  type: string;
  locate: number;
  tracking: number;
  ts: bigint;
}

export type Message =
  | (Common & { type: 'S'; event: string })
  | (Common & { type: 'R'; stock: string })
  | (Common & { type: 'H'; stock: string; state: string; reason: string })
  | (Common & { type: 'W'; level: string })
  | (Common & { type: 'A' | 'F'; ref: bigint; side: string; shares: number; stock: string; price: number })
  | (Common & { type: 'E'; ref: bigint; shares: number; match: bigint })
  | (Common & { type: 'C'; ref: bigint; shares: number; match: bigint; printable: boolean; price: number })
  | (Common & { type: 'X'; ref: bigint; shares: number })
  | (Common & { type: 'D'; ref: bigint })
  | (Common & { type: 'U'; ref: bigint; newRef: bigint; shares: number; price: number })
  | (Common & { type: 'P'; ref: bigint; side: string; shares: number; stock: string; price: number; match: bigint })
  | (Common & { type: 'other' });

export interface ControlMessage {
  op: number;
  target: number;
  effectiveSeq: bigint;
  value: bigint;
  /** Fingerprint of the config the message was made for (spec §10). */
  fingerprint: bigint;
}

export function readStock(b: Buffer, off: number): string {
  return b.toString('latin1', off, off + 8).trimEnd();
}

/**
 * Decodes one message (without its length prefix). Returns null when the type is unknown
 * or the length does not match the type — the caller reports it.
 */
export function decodeMessage(m: Buffer): Message | null {
  if (m.length === 0) return null;
  const t = m[0];
  const want = expectedLength(t);
  if (want === 0 || m.length !== want || t === CONTROL_TYPE) return null;
  const c = {
    locate: m.readUInt16BE(1),
    tracking: m.readUInt16BE(3),
    ts: BigInt(m.readUIntBE(5, 6)),
  };
  const type = String.fromCharCode(t);
  switch (type) {
    case 'S': return { ...c, type, event: String.fromCharCode(m[11]) };
    case 'R': return { ...c, type, stock: readStock(m, 11) };
    case 'H': return { ...c, type, stock: readStock(m, 11), state: String.fromCharCode(m[19]), reason: m.toString('latin1', 21, 25) };
    case 'W': return { ...c, type, level: String.fromCharCode(m[11]) };
    case 'A':
    case 'F':
      return { ...c, type, ref: m.readBigUInt64BE(11), side: String.fromCharCode(m[19]), shares: m.readUInt32BE(20), stock: readStock(m, 24), price: m.readUInt32BE(32) };
    case 'E': return { ...c, type, ref: m.readBigUInt64BE(11), shares: m.readUInt32BE(19), match: m.readBigUInt64BE(23) };
    case 'C':
      return { ...c, type, ref: m.readBigUInt64BE(11), shares: m.readUInt32BE(19), match: m.readBigUInt64BE(23), printable: m[31] === 0x59, price: m.readUInt32BE(32) };
    case 'X': return { ...c, type, ref: m.readBigUInt64BE(11), shares: m.readUInt32BE(19) };
    case 'D': return { ...c, type, ref: m.readBigUInt64BE(11) };
    case 'U': return { ...c, type, ref: m.readBigUInt64BE(11), newRef: m.readBigUInt64BE(19), shares: m.readUInt32BE(27), price: m.readUInt32BE(31) };
    case 'P':
      return { ...c, type, ref: m.readBigUInt64BE(11), side: String.fromCharCode(m[19]), shares: m.readUInt32BE(20), stock: readStock(m, 24), price: m.readUInt32BE(32), match: m.readBigUInt64BE(36) };
    default: return { ...c, type: 'other' } as Message;
  }
}

export function decodeControl(m: Buffer): ControlMessage | null {
  if (m.length !== CM.length || m[CM.off_type] !== CM.typeByte) return null;
  return {
    op: m[CM.off_op], target: m.readUInt16BE(CM.off_target), effectiveSeq: m.readBigUInt64BE(CM.off_seq),
    value: m.readBigUInt64BE(CM.off_value), fingerprint: m.readBigUInt64BE(CM.off_fingerprint),
  };
}

/** Formats a price in price units (4 implied decimals) as a decimal string. */
export function formatPrice(p: number): string {
  const s = Math.trunc(p).toString().padStart(5, '0');
  return `${s.slice(0, -4)}.${s.slice(-4)}`;
}
