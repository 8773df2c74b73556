/**
 * MoldUDP64 packing and parsing, shared by the hardware front end (src/fpga, hdl/rg_moldudp64_rx.v)
 * and the Kafka feed (`riskgate publish` / `riskgate run`, docs/spec.md §14.4).
 *
 *   session (10 bytes) | sequence number of the first message (u64 BE) | count (u16 BE)
 *   then message blocks: u16 BE length + message, packed back to back
 *
 * Sequencing follows spec sections 2 and 9: a zero-length frame (end-of-session marker)
 * is dropped (no seq); a control message (type `~`, length 28) travels as a block of the
 * packet but takes no seq and is not included in `count`; every other frame takes the next
 * seq. A truncated final frame (only with endOfInput) travels as the packet's last block
 * with the bytes that exist, so the receiver reports it as TRUNCATED. Count 0 is a
 * heartbeat, count 0xFFFF the end of the session.
 *
 * `controlsWithMessage` (the Kafka feed's rule) never ends a packet between a control block
 * and the message it precedes: a control is held until its message is packed, and controls
 * still held at the end of the session travel in the end-of-session packet. A receiver can
 * then drop a retransmitted packet's controls together with its messages.
 */

import { FrameCursor, FrameKind } from './framing.ts';

export const MOLD_HEADER_BYTES = 20;
/** Header fields: sequence number of the first message (u64 BE), message count (u16 BE). */
export const MOLD_SEQ_AT = 10;
export const MOLD_COUNT_AT = 18;
/** Largest UDP payload of a 1500-byte MTU (IPv4, no options). */
export const MOLD_MAX_PAYLOAD = 1472;
/** Message count of an end-of-session packet. */
export const MOLD_END_OF_SESSION = 0xffff;
export const MOLD_SESSION_BYTES = 10;
const DEFAULT_SESSION = 'RISKGATE  ';

/** A session name as its 10 bytes: ASCII, right-padded with spaces. */
/** The control messages (spec §9) a MoldUDP64 packet carries among its blocks. */
export function countControls(pkt: Buffer): number {
  let n = 0;
  for (const c = new FrameCursor(pkt, 1, MOLD_HEADER_BYTES); c.next(); ) if (c.kind === FrameKind.CONTROL) n++;
  return n;
}

export function moldSession(name: string = DEFAULT_SESSION): Buffer {
  if (!/^[\x20-\x7e]{1,10}$/.test(name)) throw new Error(`MoldUDP64 session must be 1..10 printable ASCII characters, got ${JSON.stringify(name)}`);
  return Buffer.from(name.padEnd(MOLD_SESSION_BYTES, ' '), 'latin1');
}

export interface PackOptions {
  /** Message blocks per packet (control blocks included); default 1. */
  messagesPerPacket?: number;
  /** Largest packet payload in bytes; a single block larger than this goes alone. */
  maxPayload?: number;
  /** Session name (default `RISKGATE`). */
  session?: string;
  /** Sequence number of the first message (default 1). */
  firstSeq?: number | bigint;
  /** Keep every control block in the packet of the message it precedes (default false). */
  controlsWithMessage?: boolean;
  /**
   * Keep a packet that is not full open across calls (until it fills, `flush()`, the end of
   * input or `endOfSession()`), so that packets do not depend on how the input was split
   * into calls (default false: every call ends its last packet).
   */
  holdPartial?: boolean;
}

export interface PacketsResult {
  /** MoldUDP64 packets (UDP payloads). */
  packets: Buffer[];
  /** Frames that took a seq. */
  sequenced: number;
  /** Bytes of `frames` consumed; the rest is an incomplete frame kept for the next call. */
  consumed: number;
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

export function moldPacket(session: Buffer, seq: bigint, count: number, blocks: readonly Buffer[]): Buffer {
  let len = MOLD_HEADER_BYTES;
  for (const b of blocks) len += b.length;
  const pkt = Buffer.allocUnsafe(len);
  session.copy(pkt, 0, 0, MOLD_SESSION_BYTES);
  pkt.writeBigUInt64BE(seq, MOLD_SEQ_AT);
  pkt.writeUInt16BE(count, MOLD_COUNT_AT);
  let o = MOLD_HEADER_BYTES;
  for (const b of blocks) {
    b.copy(pkt, o);
    o += b.length;
  }
  return pkt;
}

export class MoldPacker {
  private nextSeq: bigint;
  private readonly startSeq: bigint;
  readonly messagesPerPacket: number;
  readonly maxPayload: number;
  readonly session: Buffer;
  readonly controlsWithMessage: boolean;
  readonly holdPartial: boolean;
  /** Control blocks waiting for their message (controlsWithMessage only), copied. */
  private held: Buffer[] = [];
  // The open packet.
  private blocks: Buffer[] = [];
  private blockBytes = 0;
  private count = 0;
  private firstSeq = 1n;

  constructor(opts: PackOptions = {}) {
    this.messagesPerPacket = Math.max(1, Math.floor(opts.messagesPerPacket ?? 1));
    this.maxPayload = Math.max(MOLD_HEADER_BYTES + 2, Math.floor(opts.maxPayload ?? MOLD_MAX_PAYLOAD));
    this.session = moldSession(opts.session);
    this.startSeq = BigInt(opts.firstSeq ?? 1);
    if (this.startSeq < 1n) throw new Error('firstSeq must be ≥ 1');
    this.nextSeq = this.startSeq;
    this.controlsWithMessage = opts.controlsWithMessage ?? false;
    this.holdPartial = opts.holdPartial ?? false;
  }

  reset(): void {
    this.nextSeq = this.startSeq;
    this.held = [];
    this.blocks = [];
    this.blockBytes = 0;
    this.count = 0;
  }

  /** Ends the open packet (holdPartial), if any. */
  flush(): Buffer[] {
    if (this.blocks.length === 0) return [];
    const p = moldPacket(this.session, this.firstSeq, this.count, this.blocks);
    this.blocks = [];
    this.blockBytes = 0;
    this.count = 0;
    return [p];
  }

  /** The seq the next message will take. */
  get seq(): bigint {
    return this.nextSeq;
  }

  /** Control blocks held for a message that has not come yet (controlsWithMessage). */
  get heldControls(): number {
    return this.held.length;
  }

  /** Packs whole frames (and, with endOfInput, a cut-off last frame) into packets. */
  packPackets(frames: Buffer, endOfInput: boolean): PacketsResult {
    const out: Buffer[] = [];
    let sequenced = 0;
    const keep = this.controlsWithMessage;

    const flush = () => {
      out.push(...this.flush());
    };
    const full = (block: Buffer) =>
      this.blocks.length >= this.messagesPerPacket ||
      (this.blocks.length > 0 && MOLD_HEADER_BYTES + this.blockBytes + block.length > this.maxPayload);
    const push = (block: Buffer, takesSeq: boolean) => {
      if (this.blocks.length === 0) this.firstSeq = this.nextSeq;
      // An open packet outlives this call's input buffer: keep copies of its blocks.
      this.blocks.push(this.holdPartial ? Buffer.from(block) : block);
      this.blockBytes += block.length;
      if (takesSeq) {
        this.count++;
        sequenced++;
        this.nextSeq++;
      }
    };
    const add = (block: Buffer, takesSeq: boolean) => {
      if (!keep) {
        if (full(block)) flush();
        push(block, takesSeq);
        return;
      }
      if (!takesSeq) {
        this.held.push(Buffer.from(block));
        return;
      }
      // A message with the controls that precede it: the group is never split.
      const group = this.held;
      this.held = [];
      // The whole group must fit the open packet (not only its first block), or it opens a new one.
      let groupBytes = block.length;
      for (const c of group) groupBytes += c.length;
      if (this.blocks.length >= this.messagesPerPacket || (this.blocks.length > 0 && MOLD_HEADER_BYTES + this.blockBytes + groupBytes > this.maxPayload)) flush();
      for (const c of group) push(c, false);
      push(block, true);
    };

    let off = 0;
    for (const c = new FrameCursor(frames); c.next(); ) {
      if (c.kind === FrameKind.TRUNCATED) {
        // a truncated final frame: its bytes go as the last block of the last packet
        if (endOfInput) {
          add(c.frame(), true);
          off = c.end;
        }
        break;
      }
      if (c.kind !== FrameKind.END) add(c.frame(), c.takesSeq); // end markers are dropped
      off = c.end;
    }
    if (endOfInput || !this.holdPartial) flush();
    return { packets: out, sequenced, consumed: off };
  }

  /** As packPackets, as one stream of packets each prefixed by its u32 LE length (the sim's input). */
  pack(frames: Buffer, endOfInput: boolean): PackResult {
    const r = this.packPackets(frames, endOfInput);
    const out: Buffer[] = [];
    for (const p of r.packets) {
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32LE(p.length, 0);
      out.push(len, p);
    }
    return { stream: Buffer.concat(out), packets: r.packets.length, sequenced: r.sequenced, consumed: r.consumed };
  }

  /**
   * The control blocks held for their message (controlsWithMessage), sent now in a packet of
   * count 0 (spec §15: applied at once, before the next message), or nothing when none is held.
   * Used where something must follow them before the message comes (an order-entry datagram).
   */
  releaseHeld(): Buffer[] {
    if (this.held.length === 0) return [];
    const p = moldPacket(this.session, this.nextSeq, 0, this.held);
    this.held = [];
    return [p];
  }

  /** A heartbeat: count 0, sequence number = the next message's seq. */
  heartbeat(): Buffer {
    return moldPacket(this.session, this.nextSeq, 0, []);
  }

  /**
   * The open packet (if any), then the end-of-session packet: count 0xFFFF, sequence number =
   * the next seq; it carries the control blocks still held (controls after the last message).
   */
  endOfSession(): Buffer[] {
    const out = this.flush();
    out.push(moldPacket(this.session, this.nextSeq, MOLD_END_OF_SESSION, this.held));
    this.held = [];
    return out;
  }
}

/** One block of a parsed packet. */
export interface MoldBlock {
  /** Offset of the block's length prefix in the packet. */
  offset: number;
  /** Declared length (0 when the length prefix itself is cut). */
  length: number;
  /** The block runs past the end of the packet. */
  truncated: boolean;
  /** A well-sized control message (takes no seq). */
  control: boolean;
  /** Block bytes, length prefix included (as far as they exist). */
  frame: Buffer;
}

export interface MoldPacket {
  session: Buffer;
  seq: bigint;
  count: number;
  blocks: MoldBlock[];
}

/** Parses a packet; returns null when it is shorter than the header. Zero-length blocks are skipped. */
export function parseMoldPacket(pkt: Buffer): MoldPacket | null {
  if (pkt.length < MOLD_HEADER_BYTES) return null;
  const blocks: MoldBlock[] = [];
  for (const c = new FrameCursor(pkt, 1, MOLD_HEADER_BYTES); c.next(); ) {
    if (c.kind === FrameKind.END) continue;
    const truncated = c.kind === FrameKind.TRUNCATED;
    blocks.push({ offset: c.offset, length: c.length, truncated, control: c.kind === FrameKind.CONTROL, frame: c.frame() });
  }
  return { session: pkt.subarray(0, MOLD_SESSION_BYTES), seq: pkt.readBigUInt64BE(MOLD_SEQ_AT), count: pkt.readUInt16BE(MOLD_COUNT_AT), blocks };
}
