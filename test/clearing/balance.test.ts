// Partition placement by measured load (src/kafka/balance.ts): on the skewed load of the
// clearing test (Zipf 1.2 over 200 accounts, keys hashed like Kafka's default partitioner into
// 12 partitions), the assigner's max/min per-worker load is at most 1.3, printed beside round
// robin's and beside plain greedy bin packing's.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { balanced, greedy, imbalance, memberLoads, roundRobin, zipfWeights } from '../../src/kafka/balance.ts';
import { generateExecutions, partitionOf } from '../../src/kafka/loadgen.ts';

describe('load-based partition placement', () => {
  it('spreads the Zipf 1.2 load over 3 workers within 1.3 (round robin does not)', () => {
    const P = 12;
    const load = new Array<number>(P).fill(0);
    const part = new Map<number, number>();
    for (const e of generateExecutions({ executions: 100_000, accounts: 200, skew: 1.2, seed: 42, session: 1, firstAccountId: 10001 })) {
      let p = part.get(e.accountId);
      if (p === undefined) part.set(e.accountId, (p = partitionOf(String(e.accountId), P)));
      load[p]++;
    }
    const ps = [...Array(P).keys()];
    const rows: string[] = [];
    for (const n of [2, 3, 4]) {
      const ms = Array.from({ length: n }, (_, i) => `w${i}`);
      const rr = imbalance(roundRobin(ms, ps), load);
      const gr = imbalance(greedy(ms, ps, load), load);
      const bal = imbalance(balanced(ms, ps, load), load);
      rows.push(`${n} workers: assigner ${bal.toFixed(3)}, greedy ${gr.toFixed(3)}, round robin ${rr.toFixed(3)}`);
      expect(bal).toBeLessThanOrEqual(gr + 1e-12);
      if (n === 3) {
        expect(bal).toBeLessThanOrEqual(1.3);
        expect(rr).toBeGreaterThan(1.3);
      }
    }
    console.log(`per-partition load ${load.join(' ')}\n${rows.join('\n')}`);
  });

  it('is a partition of the partitions, never worse than greedy, deterministic', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (weights, n) => {
          const ms = Array.from({ length: n }, (_, i) => `m${i}`);
          const ps = weights.map((_, i) => i);
          const plan = balanced(ms, ps, weights);
          const all = [...plan.values()].flat().sort((a, b) => a - b);
          expect(all).toEqual(ps);
          const spread = (pl: typeof plan) => {
            const l = [...memberLoads(pl, weights).values()];
            return Math.max(...l) - Math.min(...l);
          };
          expect(spread(plan)).toBeLessThanOrEqual(spread(greedy(ms, ps, weights)));
          expect(balanced([...ms].reverse(), ps, weights)).toEqual(plan);
        },
      ),
    );
  });

  it('zipf weights sum to one and fall with rank', () => {
    const w = zipfWeights(200, 1.2);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[0]).toBeGreaterThan(w[1]);
  });
});
