/**
 * Packs BinaryFILE frames (2-byte big-endian length + message) into MoldUDP64 packets for
 * the hardware front end (hdl/rg_moldudp64_rx.v):
 *
 *   session (10 bytes) | sequence number of the first message (u64 BE) | count (u16 BE)
 *   then message blocks: u16 BE length + message, packed back to back
 *
 * Sequencing follows spec sections 2 and 9: a zero-length frame (end-of-session marker)
 * is dropped (no seq); a control message (type `~`, length 20) travels as a block of the
 * packet but takes no seq and is not included in `count`; every other frame takes the next
 * seq. A truncated final frame (only with endOfInput) travels as the packet's last block
 * with the bytes that exist, so the card reports it as TRUNCATED.
 */

export const MOLD_HEADER_BYTES = 20;
/** Largest UDP payload of a 1500-byte MTU (IPv4, no options). */
export const MOLD_MAX_PAYLOAD = 1472;
const SESSION = Buffer.from('RISKGATE  ', 'latin1');

export interface PackOptions {
  /** Message blocks per packet (control blocks included); default 1. */
  messagesPerPacket?: number;
  /** Largest packet payload in bytes; a single block larger than this goes alone. */
  maxPayload?: number;
}

export interface PackResult {
  /** Packets, each prefixed with its length as u32 little-endian (rg_sim_push_packets). */
  stream: Buffer;
  packets: number;
  /** Frames that took a seq. */
  sequenced: number;
  /** Bytes of `frames` consumed; the rest is an incomplete frame kept for the next call. */
  consumed: number;
}

export class MoldPacker {
  private nextSeq = 1n;
  readonly messagesPerPacket: number;
  readonly maxPayload: number;

  constructor(opts: PackOptions = {}) {
    this.messagesPerPacket = Math.max(1, Math.floor(opts.messagesPerPacket ?? 1));
    this.maxPayload = Math.max(MOLD_HEADER_BYTES + 2, Math.floor(opts.maxPayload ?? MOLD_MAX_PAYLOAD));
  }

  reset(): void {
    this.nextSeq = 1n;
  }

  get seq(): bigint {
    return this.nextSeq;
  }

  pack(frames: Buffer, endOfInput: boolean): PackResult {
    const out: Buffer[] = [];
    let packets = 0;
    let sequenced = 0;
    let blocks: Buffer[] = [];
    let blockBytes = 0;
    let count = 0;
    let firstSeq = this.nextSeq;

    const flush = () => {
      if (blocks.length === 0) return;
      const len = MOLD_HEADER_BYTES + blockBytes;
      const pkt = Buffer.allocUnsafe(4 + len);
      pkt.writeUInt32LE(len, 0);
      SESSION.copy(pkt, 4);
      pkt.writeBigUInt64BE(firstSeq, 14);
      pkt.writeUInt16BE(count, 22);
      let o = 4 + MOLD_HEADER_BYTES;
      for (const b of blocks) {
        b.copy(pkt, o);
        o += b.length;
      }
      out.push(pkt);
      packets++;
      blocks = [];
      blockBytes = 0;
      count = 0;
    };
    const add = (block: Buffer, takesSeq: boolean) => {
      if (
        blocks.length >= this.messagesPerPacket ||
        (blocks.length > 0 && MOLD_HEADER_BYTES + blockBytes + block.length > this.maxPayload)
      ) {
        flush();
      }
      if (blocks.length === 0) firstSeq = this.nextSeq;
      blocks.push(block);
      blockBytes += block.length;
      if (takesSeq) {
        count++;
        sequenced++;
        this.nextSeq++;
      }
    };

    let off = 0;
    while (off < frames.length) {
      const rest = frames.length - off;
      if (rest < 2) break;
      const n = frames.readUInt16BE(off);
      if (2 + n > rest) break;
      if (n > 0) {
        const isControl = n === 20 && frames[off + 2] === 0x7e;
        add(frames.subarray(off, off + 2 + n), !isControl);
      }
      off += 2 + n;
    }
    if (off < frames.length && endOfInput) {
      // truncated final frame: its bytes go as the last block of the last packet
      add(frames.subarray(off), true);
      off = frames.length;
    }
    flush();
    return { stream: Buffer.concat(out), packets, sequenced, consumed: off };
  }
}
