/**
 * The gateway's per-order latency record (`riskgate gateway --latency`, bench:gateway): the whole
 * run's percentiles, and the steady state's — only the orders from the first CPU reading 1 s or
 * more after the first order — so a start-up backlog and a steady lag are told apart.
 */
import { describe, expect, it } from 'vitest';
import { OrderLatency } from '../../src/order-entry/latency.ts';

describe('gateway order latency', () => {
  it('gives the steady state its own percentiles, without the first second', () => {
    const lat = new OrderLatency();
    const t0 = 5e9;
    // 4,096 orders over 2 s: the first 1,024 (all within 0.5 s) wait 1 ms to the venue, the
    // rest 20 µs; every fourth order is refused (answered, not forwarded).
    for (let i = 0; i < 4096; i++) {
      const at = t0 + Math.floor((i * 2e9) / 4096);
      const wait = i < 1024 ? 1_000_000 : 20_000;
      lat.record(at, at + wait / 2, i % 4 === 3 ? 0 : at + wait);
    }
    const s = lat.summary() as {
      orders: number; forwarded: number; forwardUs: Record<string, number>;
      steady: { orders: number; answerUs: Record<string, number>; forwardUs: Record<string, number> } | null;
    };
    expect(s.orders).toBe(4096);
    expect(s.forwarded).toBe(3072);
    // Whole run: a quarter of the forwarded orders waited 1 ms.
    expect(s.forwardUs.p50).toBe(20);
    expect(s.forwardUs.p99).toBe(1000);
    // CPU readings fall every 1,024 orders: the first 1 s after the first order is order 3,072
    // (the reading at 2,048 comes at 0.9995 s), so the steady state holds orders 3,072 .. 4,095 only.
    expect(s.steady).not.toBeNull();
    expect(s.steady!.orders).toBe(1024);
    expect(s.steady!.forwardUs).toMatchObject({ p50: 20, p99: 20, max: 20 });
    expect(s.steady!.answerUs).toMatchObject({ p50: 10, max: 10 });
  });

  it('has no steady state for a run shorter than a second', () => {
    const lat = new OrderLatency();
    for (let i = 0; i < 3000; i++) lat.record(1e9 + i * 1000, 1e9 + i * 1000 + 5000, 1e9 + i * 1000 + 9000);
    const s = lat.summary() as { steady: unknown; forwardUs: Record<string, number> };
    expect(s.steady).toBeNull();
    expect(s.forwardUs.p99).toBe(9);
  });
});
