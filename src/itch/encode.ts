/**
 * Builders for ITCH 5.0 messages (big-endian) and BinaryFILE frames. Used by the session
 * generator, the golden vectors and tests. Each builder returns the message without its
 * length prefix; `frame` adds it.
 */
import { CONTROL_MESSAGE as CM, MESSAGE_LENGTH } from '../contract.ts';

export interface Header {
  locate: number;
  tracking?: number;
  ts: bigint | number; // ns since midnight, 48 bits
}

/** A message of `type`, sized as spec §3.1 lists it, with its common header filled in. */
function header(type: string, h: Header): Buffer {
  const b = Buffer.alloc(MESSAGE_LENGTH[type]);
  b[0] = type.charCodeAt(0);
  b.writeUInt16BE(h.locate & 0xffff, 1);
  b.writeUInt16BE((h.tracking ?? 0) & 0xffff, 3);
  b.writeUIntBE(Number(BigInt(h.ts) & 0xffffffffffffn), 5, 6);
  return b;
}

/** Writes an 8-byte space-padded ASCII stock name. */
export function writeStock(b: Buffer, off: number, stock: string): void {
  b.write(stock.padEnd(8, ' ').slice(0, 8), off, 8, 'latin1');
}

export function frame(msg: Buffer): Buffer {
  const f = Buffer.allocUnsafe(msg.length + 2);
  f.writeUInt16BE(msg.length, 0);
  msg.copy(f, 2);
  return f;
}

/** Concatenates messages into one BinaryFILE stream; `endMarker` appends the zero-length frame. */
export function frames(msgs: readonly Buffer[], endMarker = false): Buffer {
  const parts = msgs.map(frame);
  if (endMarker) parts.push(Buffer.from([0, 0]));
  return Buffer.concat(parts);
}

export const itch = {
  systemEvent(h: Header, code: string): Buffer {
    const b = header('S', h);
    b[11] = code.charCodeAt(0);
    return b;
  },
  stockDirectory(h: Header, stock: string, o: { roundLot?: number; category?: string } = {}): Buffer {
    const b = header('R', h);
    writeStock(b, 11, stock);
    b[19] = (o.category ?? 'Q').charCodeAt(0);
    b[20] = 'N'.charCodeAt(0);
    b.writeUInt32BE(o.roundLot ?? 100, 21);
    b[25] = 'N'.charCodeAt(0);
    b[26] = 'C'.charCodeAt(0);
    b.write('Z ', 27, 2, 'latin1');
    b[29] = 'P'.charCodeAt(0);
    b[30] = 'N'.charCodeAt(0);
    b[31] = 'N'.charCodeAt(0);
    b[32] = '1'.charCodeAt(0);
    b[33] = 'N'.charCodeAt(0);
    b.writeUInt32BE(0, 34);
    b[38] = 'N'.charCodeAt(0);
    return b;
  },
  tradingAction(h: Header, stock: string, state: string, reason = '    '): Buffer {
    const b = header('H', h);
    writeStock(b, 11, stock);
    b[19] = state.charCodeAt(0);
    b[20] = ' '.charCodeAt(0);
    b.write(reason.padEnd(4, ' ').slice(0, 4), 21, 4, 'latin1');
    return b;
  },
  /** Market-wide circuit breaker status: level '1', '2' or '3'. */
  mwcbStatus(h: Header, level: string): Buffer {
    const b = header('W', h);
    b[11] = level.charCodeAt(0);
    return b;
  },
  addOrder(h: Header, o: { ref: bigint; side: 'B' | 'S'; shares: number; stock: string; price: number; mpid?: string }): Buffer {
    const b = header(o.mpid === undefined ? 'A' : 'F', h);
    b.writeBigUInt64BE(o.ref, 11);
    b[19] = o.side.charCodeAt(0);
    b.writeUInt32BE(o.shares >>> 0, 20);
    writeStock(b, 24, o.stock);
    b.writeUInt32BE(o.price >>> 0, 32);
    if (o.mpid !== undefined) b.write(o.mpid.padEnd(4, ' ').slice(0, 4), 36, 4, 'latin1');
    return b;
  },
  executed(h: Header, o: { ref: bigint; shares: number; match: bigint }): Buffer {
    const b = header('E', h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeUInt32BE(o.shares >>> 0, 19);
    b.writeBigUInt64BE(o.match, 23);
    return b;
  },
  executedWithPrice(h: Header, o: { ref: bigint; shares: number; match: bigint; printable: boolean; price: number }): Buffer {
    const b = header('C', h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeUInt32BE(o.shares >>> 0, 19);
    b.writeBigUInt64BE(o.match, 23);
    b[31] = (o.printable ? 'Y' : 'N').charCodeAt(0);
    b.writeUInt32BE(o.price >>> 0, 32);
    return b;
  },
  cancel(h: Header, o: { ref: bigint; shares: number }): Buffer {
    const b = header('X', h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeUInt32BE(o.shares >>> 0, 19);
    return b;
  },
  delete(h: Header, o: { ref: bigint }): Buffer {
    const b = header('D', h);
    b.writeBigUInt64BE(o.ref, 11);
    return b;
  },
  replace(h: Header, o: { ref: bigint; newRef: bigint; shares: number; price: number }): Buffer {
    const b = header('U', h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeBigUInt64BE(o.newRef, 19);
    b.writeUInt32BE(o.shares >>> 0, 27);
    b.writeUInt32BE(o.price >>> 0, 31);
    return b;
  },
  trade(h: Header, o: { ref: bigint; side: 'B' | 'S'; shares: number; stock: string; price: number; match: bigint }): Buffer {
    const b = header('P', h);
    b.writeBigUInt64BE(o.ref, 11);
    b[19] = o.side.charCodeAt(0);
    b.writeUInt32BE(o.shares >>> 0, 20);
    writeStock(b, 24, o.stock);
    b.writeUInt32BE(o.price >>> 0, 32);
    b.writeBigUInt64BE(o.match, 36);
    return b;
  },
  /** Any message type by raw length (zero-filled body), for skipped types and bad input. */
  raw(type: string | number, len: number, h: Header = { locate: 0, ts: 0 }): Buffer {
    const b = Buffer.alloc(len);
    b[0] = typeof type === 'number' ? type : type.charCodeAt(0);
    if (len >= 11) {
      b.writeUInt16BE(h.locate & 0xffff, 1);
      b.writeUInt16BE((h.tracking ?? 0) & 0xffff, 3);
      b.writeUIntBE(Number(BigInt(h.ts) & 0xffffffffffffn), 5, 6);
    }
    return b;
  },
  /**
   * riskgate control message (spec §9): applied before message `effectiveSeq` by an engine
   * whose config has this `fingerprint` (src/config `configFingerprint`; any other engine
   * refuses it as FOREIGN_CONTROL and engages its global kill switch).
   */
  control(op: number, target: number, effectiveSeq: bigint | number, value: bigint | number, fingerprint: bigint): Buffer {
    const b = Buffer.alloc(CM.length);
    b[CM.off_type] = CM.typeByte;
    b[CM.off_op] = op;
    b.writeUInt16BE(target & 0xffff, CM.off_target);
    b.writeBigUInt64BE(BigInt(effectiveSeq), CM.off_seq);
    b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(value)), CM.off_value);
    b.writeBigUInt64BE(BigInt.asUintN(64, fingerprint), CM.off_fingerprint);
    return b;
  },
};
