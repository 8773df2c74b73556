/**
 * MoldUDP64 packets to partition 0 of a single-partition feed topic, in order, `chunk` at a
 * time (acks from all in-sync replicas): what `publish` does for a session file and for a
 * capture alike. Counts what it sent into the publish report.
 */
import type { Message, Producer } from 'kafkajs';

export class PacketSender {
  private pending: Message[] = [];

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly chunk: number,
    private readonly counts: { packets: number; bytes: number },
  ) {}

  /** Queues `pkt`; sends the queue once it holds `chunk` packets. */
  async add(pkt: Buffer): Promise<void> {
    this.pending.push({ partition: 0, value: pkt });
    this.counts.packets++;
    this.counts.bytes += pkt.length;
    if (this.pending.length >= this.chunk) await this.flush();
  }

  /** Sends what is queued. */
  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const messages = this.pending;
    this.pending = [];
    await this.producer.send({ topic: this.topic, messages, acks: -1 });
  }
}
