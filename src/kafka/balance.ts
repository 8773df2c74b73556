/**
 * Pure partition placement by load. `weights[p]` is the measured load of partition p
 * (backlog plus recent throughput); a plan maps every partition to one member.
 *
 * - roundRobin: partitions dealt in order (kafkajs' default), ignores load.
 * - greedy: longest-processing-time bin packing (heaviest partition to the least loaded member).
 * - balanced (the assigner): greedy, then improved by moving and swapping partitions between the
 *   most and the least loaded members while that lowers the spread.
 */
export type Plan = Map<string, number[]>; // member → partitions

export function memberLoads(plan: Plan, weights: readonly number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [m, ps] of plan) out.set(m, ps.reduce((s, p) => s + (weights[p] ?? 0), 0));
  return out;
}

/** max / min of the per-member loads (Infinity when a member has no load but others do). */
export function imbalance(plan: Plan, weights: readonly number[]): number {
  const loads = [...memberLoads(plan, weights).values()];
  if (loads.length === 0) return 1;
  const max = Math.max(...loads);
  const min = Math.min(...loads);
  if (max === 0) return 1;
  return min === 0 ? Infinity : max / min;
}

function emptyPlan(members: readonly string[]): Plan {
  return new Map([...members].sort().map((m) => [m, [] as number[]]));
}

export function roundRobin(members: readonly string[], partitions: readonly number[]): Plan {
  const plan = emptyPlan(members);
  const ms = [...plan.keys()];
  [...partitions].sort((a, b) => a - b).forEach((p, i) => plan.get(ms[i % ms.length])!.push(p));
  return plan;
}

export function greedy(members: readonly string[], partitions: readonly number[], weights: readonly number[]): Plan {
  const plan = emptyPlan(members);
  const load = new Map([...plan.keys()].map((m) => [m, 0]));
  const order = [...partitions].sort((a, b) => (weights[b] ?? 0) - (weights[a] ?? 0) || a - b);
  for (const p of order) {
    let best = '';
    let bestLoad = Infinity;
    for (const [m, l] of load) {
      // ties: fewer partitions first, then member id (deterministic)
      if (l < bestLoad || (l === bestLoad && plan.get(m)!.length < plan.get(best)!.length)) {
        best = m;
        bestLoad = l;
      }
    }
    plan.get(best)!.push(p);
    load.set(best, bestLoad + (weights[p] ?? 0));
  }
  for (const ps of plan.values()) ps.sort((a, b) => a - b);
  return plan;
}

function spread(loads: number[]): number {
  return Math.max(...loads) - Math.min(...loads);
}

/** Greedy, then local search (moves and swaps) on the max−min spread. */
export function balanced(members: readonly string[], partitions: readonly number[], weights: readonly number[]): Plan {
  const plan = greedy(members, partitions, weights);
  const ms = [...plan.keys()];
  if (ms.length < 2) return plan;
  const w = (p: number) => weights[p] ?? 0;
  const loadOf = (m: string) => plan.get(m)!.reduce((s, p) => s + w(p), 0);
  for (let iter = 0; iter < 1000; iter++) {
    const loads = ms.map(loadOf);
    const cur = spread(loads);
    let bestGain = 1e-12;
    let bestMove: (() => void) | null = null;
    for (let i = 0; i < ms.length; i++) {
      for (let j = 0; j < ms.length; j++) {
        if (i === j || loads[i] <= loads[j]) continue;
        const A = plan.get(ms[i])!;
        const B = plan.get(ms[j])!;
        const others = loads.filter((_, k) => k !== i && k !== j);
        const evalSpread = (li: number, lj: number) => spread([...others, li, lj]);
        // move one partition from i to j
        for (const a of A) {
          if (A.length <= 1) break;
          const s = evalSpread(loads[i] - w(a), loads[j] + w(a));
          if (cur - s > bestGain) {
            bestGain = cur - s;
            bestMove = () => {
              A.splice(A.indexOf(a), 1);
              B.push(a);
            };
          }
        }
        // swap a (from i) with b (from j)
        for (const a of A) {
          for (const b of B) {
            const d = w(a) - w(b);
            if (d <= 0) continue;
            const s = evalSpread(loads[i] - d, loads[j] + d);
            if (cur - s > bestGain) {
              bestGain = cur - s;
              bestMove = () => {
                A.splice(A.indexOf(a), 1, b);
                B.splice(B.indexOf(b), 1, a);
              };
            }
          }
        }
      }
    }
    if (!bestMove) break;
    bestMove();
  }
  for (const ps of plan.values()) ps.sort((a, b) => a - b);
  return plan;
}

/** Zipf weights over n ranks with exponent s: w(k) ∝ 1 / k^s, k = 1..n, summing to 1. */
export function zipfWeights(n: number, s: number): number[] {
  const w = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}
