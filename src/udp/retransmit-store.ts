/**
 * What a MoldUDP64 request server keeps and answers with (docs/spec.md §14.7): the session's
 * downstream data packets in sequence order, the last `retain` of them, and for a request
 * (seq, count) the packets that hold positions seq..seq+count−1, cut to that range (control
 * blocks with their message), at most `maxPackets` of them. Nothing when it does not hold seq.
 */
import { packetHeader, slicePacket } from './packets.ts';

export interface StoreOptions {
  /** Data packets kept for answers (default: all). */
  retain?: number;
  /** Most packets in one answer (default 16). */
  maxPackets?: number;
}

export class RetransmitStore {
  private readonly firstSeqs: number[] = [];
  private readonly packets: Buffer[] = [];
  /** Index of the oldest packet still kept. */
  private start = 0;
  private readonly retain: number;
  private readonly maxPackets: number;

  constructor(opts: StoreOptions = {}) {
    this.retain = Math.max(1, opts.retain ?? Number.MAX_SAFE_INTEGER);
    this.maxPackets = Math.max(1, opts.maxPackets ?? 16);
  }

  /** Adds a data packet (in sequence order); heartbeats and ends of session are not kept. */
  add(pkt: Buffer): void {
    const h = packetHeader(pkt);
    if (!h || h.kind !== 'data') return;
    this.firstSeqs.push(h.seq);
    this.packets.push(pkt);
    if (this.packets.length - this.start > this.retain) {
      this.start++;
      // compact now and then, so a long session with a small window does not keep everything
      if (this.start >= 65_536 && this.start * 2 >= this.packets.length) {
        this.firstSeqs.splice(0, this.start);
        this.packets.splice(0, this.start);
        this.start = 0;
      }
    }
  }

  /** First seq still answerable (0 when empty). */
  get firstSeq(): number {
    return this.start < this.firstSeqs.length ? this.firstSeqs[this.start] : 0;
  }

  get size(): number {
    return this.packets.length - this.start;
  }

  /** The answer to a request for `count` messages from `seq`: packets, possibly none. */
  answer(seq: number, count: number): Buffer[] {
    const n = this.packets.length;
    if (this.start >= n || seq < this.firstSeqs[this.start]) return [];
    // last kept packet whose first seq ≤ seq
    let lo = this.start;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstSeqs[mid] <= seq) lo = mid;
      else hi = mid - 1;
    }
    const to = seq + count;
    const out: Buffer[] = [];
    for (let i = lo; i < n && out.length < this.maxPackets && this.firstSeqs[i] < to; i++) {
      const part = slicePacket(this.packets[i], seq, to);
      if (part) out.push(part);
    }
    return out;
  }
}
