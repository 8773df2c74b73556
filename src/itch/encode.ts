/**
 * Builders for ITCH 5.0 messages (big-endian) and BinaryFILE frames. Used by the session
 * generator, the golden vectors and tests. Each builder returns the message without its
 * length prefix; `frame` adds it.
 */
import { CONTROL_TYPE } from './layout.ts';

export interface Header {
  locate: number;
  tracking?: number;
  ts: bigint | number; // ns since midnight, 48 bits
}

function header(type: string, len: number, h: Header): Buffer {
  const b = Buffer.alloc(len);
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
    const b = header('S', 12, h);
    b[11] = code.charCodeAt(0);
    return b;
  },
  stockDirectory(h: Header, stock: string, o: { roundLot?: number; category?: string } = {}): Buffer {
    const b = header('R', 39, h);
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
    const b = header('H', 25, h);
    writeStock(b, 11, stock);
    b[19] = state.charCodeAt(0);
    b[20] = ' '.charCodeAt(0);
    b.write(reason.padEnd(4, ' ').slice(0, 4), 21, 4, 'latin1');
    return b;
  },
  /** Market-wide circuit breaker status: level '1', '2' or '3'. */
  mwcbStatus(h: Header, level: string): Buffer {
    const b = header('W', 12, h);
    b[11] = level.charCodeAt(0);
    return b;
  },
  addOrder(h: Header, o: { ref: bigint; side: 'B' | 'S'; shares: number; stock: string; price: number; mpid?: string }): Buffer {
    const b = header(o.mpid === undefined ? 'A' : 'F', o.mpid === undefined ? 36 : 40, h);
    b.writeBigUInt64BE(o.ref, 11);
    b[19] = o.side.charCodeAt(0);
    b.writeUInt32BE(o.shares >>> 0, 20);
    writeStock(b, 24, o.stock);
    b.writeUInt32BE(o.price >>> 0, 32);
    if (o.mpid !== undefined) b.write(o.mpid.padEnd(4, ' ').slice(0, 4), 36, 4, 'latin1');
    return b;
  },
  executed(h: Header, o: { ref: bigint; shares: number; match: bigint }): Buffer {
    const b = header('E', 31, h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeUInt32BE(o.shares >>> 0, 19);
    b.writeBigUInt64BE(o.match, 23);
    return b;
  },
  executedWithPrice(h: Header, o: { ref: bigint; shares: number; match: bigint; printable: boolean; price: number }): Buffer {
    const b = header('C', 36, h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeUInt32BE(o.shares >>> 0, 19);
    b.writeBigUInt64BE(o.match, 23);
    b[31] = (o.printable ? 'Y' : 'N').charCodeAt(0);
    b.writeUInt32BE(o.price >>> 0, 32);
    return b;
  },
  cancel(h: Header, o: { ref: bigint; shares: number }): Buffer {
    const b = header('X', 23, h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeUInt32BE(o.shares >>> 0, 19);
    return b;
  },
  delete(h: Header, o: { ref: bigint }): Buffer {
    const b = header('D', 19, h);
    b.writeBigUInt64BE(o.ref, 11);
    return b;
  },
  replace(h: Header, o: { ref: bigint; newRef: bigint; shares: number; price: number }): Buffer {
    const b = header('U', 35, h);
    b.writeBigUInt64BE(o.ref, 11);
    b.writeBigUInt64BE(o.newRef, 19);
    b.writeUInt32BE(o.shares >>> 0, 27);
    b.writeUInt32BE(o.price >>> 0, 31);
    return b;
  },
  trade(h: Header, o: { ref: bigint; side: 'B' | 'S'; shares: number; stock: string; price: number; match: bigint }): Buffer {
    const b = header('P', 44, h);
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
  /** riskgate control message (spec §9): applied before message `effectiveSeq`. */
  control(op: number, target: number, effectiveSeq: bigint | number, value: bigint | number): Buffer {
    const b = Buffer.alloc(20);
    b[0] = CONTROL_TYPE;
    b[1] = op;
    b.writeUInt16BE(target & 0xffff, 2);
    b.writeBigUInt64BE(BigInt(effectiveSeq), 4);
    b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(value)), 12);
    return b;
  },
};
