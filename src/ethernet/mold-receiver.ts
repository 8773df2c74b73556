/**
 * The MoldUDP64 front end of the card (spec §15, rg_moldudp64_rx.v) in software, for the
 * Rust core's side of a capture replay (§17): packets in, BinaryFILE frames for the engine
 * out. Blocks below the next expected seq are duplicates and dropped (a control among them
 * too); a packet whose sequence number is above it is a gap, which a capture replay refuses
 * (it throws); a block cut short by its packet's end is handed on its own as the end of
 * input, so the engine reports it TRUNCATED with its seq.
 */
import { RiskgateError } from '../errors.ts';
import { MOLD_END_OF_SESSION, parseMoldPacket } from '../itch/moldudp64.ts';

export interface MoldStep {
  /** Whole frames to hand the engine, in order. */
  frames: Buffer;
  /** A cut-off block to hand after `frames` as the end of input, if any. */
  truncated?: Buffer;
}

export class MoldReceiver {
  /** Next expected seq. */
  expected = 1n;
  packets = 0;
  badPackets = 0;
  duplicates = 0;
  endOfSession = false;

  /** Handles one packet (a kept UDP payload); `where` names it in a gap error. */
  receive(pkt: Buffer, where: () => string): MoldStep {
    this.packets++;
    const p = parseMoldPacket(pkt);
    if (!p) {
      this.badPackets++;
      return { frames: Buffer.alloc(0) };
    }
    if (p.seq > this.expected) {
      throw new RiskgateError(
        'INPUT_UNREADABLE',
        `${where()}: gap in the MoldUDP64 sequence: expected seq ${this.expected}, the packet starts at ${p.seq} ` +
          `(a capture must be gap-free to replay, spec §17; recover gaps with riskgate listen)`,
      );
    }
    if (p.count === MOLD_END_OF_SESSION) this.endOfSession = true;
    const keep: Buffer[] = [];
    let truncated: Buffer | undefined;
    let seq = p.seq;
    let dup = false;
    for (const b of p.blocks) {
      if (b.control) {
        if (seq >= this.expected) keep.push(b.frame);
        continue;
      }
      if (seq < this.expected) {
        dup = true;
      } else if (b.truncated) {
        truncated = b.frame;
        this.expected++;
      } else {
        keep.push(b.frame);
        this.expected++;
      }
      seq++;
    }
    if (dup) this.duplicates++;
    return { frames: keep.length === 1 ? keep[0] : Buffer.concat(keep), truncated };
  }
}
