/**
 * The latency histogram's buckets, apart from the metrics (prom-client) so that the live state
 * (src/server/live.ts) can use them without loading prom-client on a plain replay.
 */

/** Latency buckets (ns): 1-2-5 steps from 10 ns to 100 ms. Shared with the dashboard. */
export const LATENCY_BUCKETS_NS = (() => {
  const out: number[] = [];
  for (let e = 1; e <= 7; e++) for (const m of [1, 2, 5]) out.push(m * 10 ** e);
  out.push(1e8);
  return out;
})();
