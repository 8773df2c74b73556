/** Consumer-group lag of the clearing group over the executions topic (read_committed ends). */
import type { Admin } from 'kafkajs';

export interface Lag {
  total: number;
  perPartition: number[];
  committed: number;
}

export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<Lag> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const done = new Map<number, bigint>();
  for (const t of committed) for (const p of t.partitions) done.set(p.partition, BigInt(p.offset));
  const perPartition: number[] = [];
  let total = 0;
  let committedSum = 0;
  for (const e of ends) {
    const c = done.get(e.partition) ?? -1n;
    const from = c < 0n ? BigInt(e.low) : c;
    const lag = Math.max(0, Number(BigInt(e.high) - from));
    perPartition[e.partition] = lag;
    total += lag;
    if (c > 0n) committedSum += Number(c);
  }
  return { total, perPartition, committed: committedSum };
}
