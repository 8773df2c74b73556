/**
 * SoupBinTCP 4.0 framing (spec §16.1): every packet is a big-endian u16 length (of what
 * follows: the type byte and the payload), a type byte and the payload. The stream decoder
 * takes TCP chunks cut anywhere and returns whole packets. It never holds more than one
 * packet (length field + SOUPBINTCP.maxPacket bytes): a length of 0 or above the maximum
 * cannot be resynchronised, so it is a fatal SOUP_FRAME_LENGTH error and the decoder stops.
 */
import { SOUPBINTCP } from '../contract.ts';
import { OuchError } from './errors.ts';

export interface SoupFrame {
  /** The packet type character. */
  type: string;
  /** The payload (after the type byte); a view of the input, valid until the next push. */
  payload: Buffer;
}

const HEADER = SOUPBINTCP.lengthField;
const EMPTY = Buffer.alloc(0);
/** Packet type characters by byte (no string made per packet). */
const TYPE_CHAR: string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

export class SoupDecoder {
  private pending: Buffer = EMPTY;
  private failed: OuchError | null = null;
  constructor(private readonly maxPacket: number = SOUPBINTCP.maxPacket) {}

  /** The fatal error that stopped the decoder, if any. */
  get error(): OuchError | null {
    return this.failed;
  }

  /** Bytes held for an incomplete packet (bounded by the length field + maxPacket). */
  get buffered(): number {
    return this.pending.length;
  }

  /**
   * Feeds a chunk; returns the packets it completes. After a framing error it returns the
   * packets before the bad length and then nothing more (see `error`).
   */
  push(chunk: Buffer): SoupFrame[] {
    const out: SoupFrame[] = [];
    this.each(chunk, (f) => {
      out.push({ type: f.type, payload: f.payload });
    });
    return out;
  }

  /**
   * Feeds a chunk and hands each packet it completes to `fn`, in order, without an array or an
   * object per packet (the sessions' path: issue 13): one frame object per chunk, reused for
   * its packets, valid only during the call, like its payload view. `fn` returning false stops
   * the chunk there (the session closed): the rest is dropped. After a framing error the
   * packets before the bad length are handed over, then nothing more (see `error`). The chunk
   * is cut and the tail kept before the first call, so a call that feeds the decoder again
   * (a synchronous peer) sees the bytes in order.
   */
  each(chunk: Buffer, fn: (f: SoupFrame) => boolean | void): void {
    if (this.failed) return;
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let end = 0;
    while (data.length - end >= HEADER) {
      const len = data.readUInt16BE(end);
      if (len < 1 || len > this.maxPacket) {
        this.failed = new OuchError('SOUP_FRAME_LENGTH', `packet length ${len} is outside 1..${this.maxPacket}`, { field: 'packetLength', offset: 0 });
        break;
      }
      if (data.length - end < HEADER + len) break;
      end += HEADER + len;
    }
    // Copy the tail: the caller's chunk may be reused, and a view would pin it.
    this.pending = this.failed || end === data.length ? EMPTY : Buffer.from(data.subarray(end));
    const f: SoupFrame = { type: '', payload: EMPTY };
    for (let at = 0; at < end; ) {
      const len = data.readUInt16BE(at);
      f.type = TYPE_CHAR[data[at + HEADER]];
      f.payload = data.subarray(at + HEADER + 1, at + HEADER + len);
      at += HEADER + len;
      if (fn(f) === false) return;
    }
  }
}

/** One packet on the wire: length, type, payload. */
export function soupPacket(type: string, payload: Buffer = EMPTY): Buffer {
  const len = 1 + payload.length;
  if (len > SOUPBINTCP.maxPacket) throw new OuchError('OUCH_ENCODE', `packet of ${len} bytes is above the maximum ${SOUPBINTCP.maxPacket}`, { field: 'packetLength', offset: 0 });
  // Every byte is written below: no zero fill (one packet per message sent).
  const b = Buffer.allocUnsafe(HEADER + len);
  b.writeUInt16BE(len, 0);
  b[HEADER] = type.charCodeAt(0) & 0xff;
  payload.copy(b, HEADER + 1);
  return b;
}
