/**
 * Writes a classic libpcap capture (link type Ethernet) — µs or ns timestamps, little- or
 * big-endian — streaming to disk (spec §17; the reader is src/source/pcap.ts).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { LINKTYPE_ETHERNET, PCAP_MAGIC_NS, PCAP_MAGIC_US } from '../source/pcap.ts';

export interface PcapWriterOptions {
  nanoseconds?: boolean;
  bigEndian?: boolean;
  snapLength?: number;
}

export class PcapWriter {
  private readonly out: WriteStream;
  private readonly ns: boolean;
  private readonly be: boolean;
  records = 0;
  bytes = 0;

  constructor(path: string, o: PcapWriterOptions = {}) {
    this.ns = o.nanoseconds ?? false;
    this.be = o.bigEndian ?? false;
    this.out = createWriteStream(path);
    const h = Buffer.alloc(24);
    const u32 = (v: number, at: number) => (this.be ? h.writeUInt32BE(v >>> 0, at) : h.writeUInt32LE(v >>> 0, at));
    const u16 = (v: number, at: number) => (this.be ? h.writeUInt16BE(v, at) : h.writeUInt16LE(v, at));
    u32(this.ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US, 0);
    u16(2, 4);
    u16(4, 6);
    u32(o.snapLength ?? 65535, 16);
    u32(LINKTYPE_ETHERNET, 20);
    this.write(h);
  }

  private write(b: Buffer): void | Promise<unknown> {
    this.bytes += b.length;
    if (!this.out.write(b)) return once(this.out, 'drain');
  }

  /** One frame captured at `timeNs` (since the epoch, or since midnight for an ITCH day). */
  async frame(data: Buffer, timeNs: bigint, originalLength = data.length): Promise<void> {
    const h = Buffer.alloc(16);
    const sec = Number(timeNs / 1_000_000_000n);
    const frac = Number(this.ns ? timeNs % 1_000_000_000n : (timeNs % 1_000_000_000n) / 1000n);
    const u32 = (v: number, at: number) => (this.be ? h.writeUInt32BE(v >>> 0, at) : h.writeUInt32LE(v >>> 0, at));
    u32(sec, 0);
    u32(frac, 4);
    u32(data.length, 8);
    u32(originalLength, 12);
    this.records++;
    this.write(h);
    await this.write(data);
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
