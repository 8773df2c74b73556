/**
 * Streams the frames of a classic libpcap capture (spec §17): µs or ns timestamps, either
 * byte order, link type Ethernet. Reads fixed-size chunks, so memory stays bounded whatever
 * the file's size; a corrupt file is an INPUT_UNREADABLE error naming the file, the byte
 * offset and the record number. pcapng is refused with a way to convert it.
 */
import { open } from 'node:fs/promises';
import { RiskgateError } from '../errors.ts';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_MAGIC = 0x0a0d0d0a;
export const PCAP_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
export const LINKTYPE_ETHERNET = 1;
/** Largest record accepted whatever the snap length says (libpcap's MAXIMUM_SNAPLEN). */
export const PCAP_MAX_RECORD = 262144;
const CHUNK = 1 << 20;

export interface PcapHeader {
  littleEndian: boolean;
  nanoseconds: boolean;
  snapLength: number;
  linkType: number;
}

export interface PcapFrame {
  /** The captured bytes (valid until the next frame is asked for: copy to keep). */
  data: Buffer;
  /** 1-based record number in the capture. */
  record: number;
  /** File offset of the record's header. */
  offset: number;
  /** Original length on the wire (above data.length when the capture was snapped). */
  originalLength: number;
}

/** Does the file start with a pcap (or pcapng) magic? */
export async function isPcap(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead < 4) return false;
    const le = b.readUInt32LE(0);
    const be = b.readUInt32BE(0);
    return [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAPNG_MAGIC].some((m) => m === le || m === be);
  } finally {
    await fh.close();
  }
}

const unreadable = (path: string, what: string) => new RiskgateError('INPUT_UNREADABLE', `${path}: ${what}`);

/** Parses the 24-byte global header. */
export function parsePcapHeader(path: string, b: Buffer): PcapHeader {
  if (b.length < 4) throw unreadable(path, `not a pcap capture: ${b.length} bytes, shorter than a pcap magic`);
  const le = b.readUInt32LE(0);
  const be = b.readUInt32BE(0);
  if (le === PCAPNG_MAGIC) throw unreadable(path, 'a pcapng capture: pcapng is not supported, convert it to classic pcap first (editcap -F pcap in.pcapng out.pcap)');
  let littleEndian: boolean;
  let nanoseconds: boolean;
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) [littleEndian, nanoseconds] = [true, le === PCAP_MAGIC_NS];
  else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) [littleEndian, nanoseconds] = [false, be === PCAP_MAGIC_NS];
  else throw unreadable(path, `not a pcap capture: magic 0x${be.toString(16).padStart(8, '0')} at offset 0`);
  if (b.length < PCAP_HEADER_BYTES) throw unreadable(path, `pcap global header cut off: the file has ${b.length} of its ${PCAP_HEADER_BYTES} bytes`);
  const u16 = (o: number) => (littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const major = u16(4);
  const minor = u16(6);
  if (major !== 2) throw unreadable(path, `pcap version ${major}.${minor} at offset 4, only 2.x is supported`);
  const snapLength = u32(16);
  const linkType = u32(20) & 0x0fffffff; // the top bits may carry an FCS length
  if (linkType !== LINKTYPE_ETHERNET) throw unreadable(path, `pcap link type ${linkType} at offset 20: only Ethernet (1) is supported`);
  return { littleEndian, nanoseconds, snapLength, linkType };
}

/**
 * The frames of a capture, in file order. `header` is filled in before the first frame.
 * The buffer of a frame is reused: consumers copy what they keep.
 */
export async function* readPcapFrames(path: string, onHeader?: (h: PcapHeader) => void): AsyncGenerator<PcapFrame> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(PCAP_HEADER_BYTES);
    const { bytesRead } = await fh.read(head, 0, PCAP_HEADER_BYTES, 0);
    const h = parsePcapHeader(path, head.subarray(0, bytesRead));
    onHeader?.(h);
    const maxRecord = Math.min(PCAP_MAX_RECORD, Math.max(h.snapLength, 1));
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = 0; // bytes of buf holding file data from bufAt
    let bufAt = PCAP_HEADER_BYTES;
    let pos = PCAP_HEADER_BYTES; // file offset of the next record
    let record = 0;
    /** Makes sure buf holds file bytes [pos, pos + n); false at end of file. */
    const fill = async (n: number): Promise<boolean> => {
      if (pos + n <= bufAt + have) return true;
      const keep = bufAt + have - pos;
      if (n > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(n, 2 * buf.length));
        buf.copy(bigger, 0, pos - bufAt, pos - bufAt + keep);
        buf = bigger;
      } else buf.copy(buf, 0, pos - bufAt, pos - bufAt + keep);
      bufAt = pos;
      have = keep;
      while (have < n) {
        const r = await fh.read(buf, have, buf.length - have, bufAt + have);
        if (r.bytesRead === 0) return false;
        have += r.bytesRead;
      }
      return true;
    };
    while (pos < size) {
      record++;
      if (!(await fill(PCAP_RECORD_HEADER_BYTES))) {
        throw unreadable(path, `record ${record} at offset ${pos}: the file ends inside its ${PCAP_RECORD_HEADER_BYTES}-byte record header (${size - pos} bytes left)`);
      }
      const o = pos - bufAt;
      const u32 = (k: number) => (h.littleEndian ? buf.readUInt32LE(o + k) : buf.readUInt32BE(o + k));
      const captured = u32(8);
      const original = u32(12);
      if (captured > maxRecord) {
        throw unreadable(path, `record ${record} at offset ${pos}: captured length ${captured} is above the snap length ${h.snapLength} (or ${PCAP_MAX_RECORD}): corrupt record header`);
      }
      const recordAt = pos;
      if (!(await fill(PCAP_RECORD_HEADER_BYTES + captured))) {
        throw unreadable(path, `record ${record} at offset ${recordAt}: the file ends inside its ${captured} captured bytes (${size - recordAt - PCAP_RECORD_HEADER_BYTES} left)`);
      }
      const start = pos - bufAt + PCAP_RECORD_HEADER_BYTES;
      pos += PCAP_RECORD_HEADER_BYTES + captured;
      yield { data: buf.subarray(start, start + captured), record, offset: recordAt, originalLength: original };
    }
  } finally {
    await fh.close();
  }
}
