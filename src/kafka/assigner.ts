/**
 * A kafkajs partition assigner that places partitions by measured load instead of by count.
 *
 * Every member reports, in its join metadata (userData), the throughput it measured per
 * partition it owned (messages/s, EWMA). The group leader adds each partition's backlog
 * (last stable offset − the group's committed offset, from an admin client) and places
 * partitions with `balanced()` (greedy bin packing refined by moves and swaps). The decision,
 * with round robin's and plain greedy's max/min ratio beside it, goes to `onAssign`.
 */
import kafkajs from 'kafkajs';
import type { Admin, PartitionAssigner } from 'kafkajs';
import { balanced, greedy, imbalance, memberLoads, roundRobin, type Plan } from './balance.ts';

const { AssignerProtocol } = kafkajs;

export const ASSIGNER_NAME = 'riskgate-load';

export interface AssignInfo {
  topic: string;
  members: number;
  weights: number[];
  backlog: number[];
  rates: number[];
  plan: Record<string, number[]>;
  loads: Record<string, number>;
  ratio: number;
  roundRobinRatio: number;
  greedyRatio: number;
}

export interface LoadAssignerOptions {
  admin: Admin;
  groupId: string;
  /** This member's measured throughput per partition (messages/s). */
  localRates: () => Record<number, number>;
  /** Seconds of throughput counted as load on top of the backlog. */
  horizonSeconds?: number;
  onAssign?: (info: AssignInfo) => void;
  onError?: (e: Error) => void;
}

interface UserData {
  rates?: Record<string, number>;
}

async function measureBacklog(admin: Admin, groupId: string, topic: string, n: number): Promise<number[]> {
  const backlog = new Array<number>(n).fill(0);
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map<number, bigint>();
  for (const t of committed) for (const p of t.partitions) done.set(p.partition, BigInt(p.offset));
  for (const e of ends) {
    const c = done.get(e.partition) ?? -1n;
    const from = c < 0n ? BigInt(e.low) : c;
    const lag = BigInt(e.high) - from;
    if (e.partition < n) backlog[e.partition] = lag > 0n ? Number(lag) : 0;
  }
  return backlog;
}

export function createLoadAssigner(opts: LoadAssignerOptions): PartitionAssigner {
  const horizon = opts.horizonSeconds ?? 10;
  return ({ cluster }) => ({
    name: ASSIGNER_NAME,
    version: 1,
    async assign({ members, topics }) {
      const assignment = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]));
      const memberIds = members.map((m) => m.memberId);
      for (const topic of topics) {
        const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId).sort((a, b) => a - b);
        const n = partitions.length ? Math.max(...partitions) + 1 : 0;
        const rates = new Array<number>(n).fill(0);
        for (const m of members) {
          try {
            const md = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
            const ud = md?.userData?.length ? (JSON.parse(md.userData.toString()) as UserData) : {};
            for (const [p, r] of Object.entries(ud.rates ?? {})) if (Number(p) < n) rates[Number(p)] += Number(r) || 0;
          } catch {
            // a member with unreadable metadata contributes no rates
          }
        }
        let backlog = new Array<number>(n).fill(0);
        try {
          backlog = await measureBacklog(opts.admin, opts.groupId, topic, n);
        } catch (e) {
          opts.onError?.(e as Error);
        }
        // +1 so that idle partitions are still spread by count
        const weights = partitions.map((p) => backlog[p] + rates[p] * horizon + 1);
        const w: number[] = new Array(n).fill(0);
        partitions.forEach((p, i) => (w[p] = weights[i]));
        const plan: Plan = balanced(memberIds, partitions, w);
        for (const [m, ps] of plan) assignment.get(m)![topic] = ps;
        const loads = memberLoads(plan, w);
        opts.onAssign?.({
          topic,
          members: memberIds.length,
          weights: w,
          backlog,
          rates,
          plan: Object.fromEntries(plan),
          loads: Object.fromEntries(loads),
          ratio: imbalance(plan, w),
          roundRobinRatio: imbalance(roundRobin(memberIds, partitions), w),
          greedyRatio: imbalance(greedy(memberIds, partitions, w), w),
        });
      }
      return [...assignment].map(([memberId, a]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: a, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      const rates = opts.localRates();
      const userData = Buffer.from(JSON.stringify({ rates } satisfies UserData));
      return { name: ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData }) };
    },
  });
}
