/**
 * A pcap capture as batches of whole Ethernet frames for the engines' Ethernet front end
 * (spec §17): each frame prefixed by its length (u32 little-endian, the sim's
 * `rg_sim_push_frames` input and the Rust core's `EthernetReceiver.receive`), with the
 * capture records the batch holds (for errors and problem offsets).
 */
import { readPcapFrames, type PcapHeader } from './pcap.ts';

export interface FrameBatch {
  /** Frames, each prefixed by its u32 LE length. */
  stream: Buffer;
  frames: number;
  /** Record numbers (1-based) of the first and last frame, and the file offset of the first. */
  firstRecord: number;
  lastRecord: number;
  offset: number;
  final: boolean;
}

export interface CaptureStats {
  header?: PcapHeader;
  records: number;
  /** Records captured shorter than they were on the wire (short snap length). */
  snapped: number;
  firstSnapped?: { record: number; offset: number; captured: number; original: number };
}

export async function* readFrameBatches(path: string, framesPerBatch: number, stats: CaptureStats): AsyncGenerator<FrameBatch> {
  let parts: Buffer[] = [];
  let first = 0;
  let last = 0;
  let offset = 0;
  let held: FrameBatch | undefined;
  for await (const f of readPcapFrames(path, (h) => (stats.header = h))) {
    stats.records++;
    if (f.data.length < f.originalLength) {
      stats.snapped++;
      stats.firstSnapped ??= { record: f.record, offset: f.offset, captured: f.data.length, original: f.originalLength };
    }
    if (parts.length === 0) {
      first = f.record;
      offset = f.offset;
    }
    last = f.record;
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(f.data.length, 0);
    parts.push(len, Buffer.from(f.data)); // the reader reuses its buffer
    if (parts.length / 2 >= framesPerBatch) {
      if (held) yield held;
      held = { stream: Buffer.concat(parts), frames: parts.length / 2, firstRecord: first, lastRecord: last, offset, final: false };
      parts = [];
    }
  }
  if (parts.length > 0) {
    if (held) yield held;
    held = { stream: Buffer.concat(parts), frames: parts.length / 2, firstRecord: first, lastRecord: last, offset, final: false };
  }
  if (held) yield { ...held, final: true };
}
