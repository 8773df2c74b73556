/**
 * `hwreport` on a terminal shows a bar per pass: with `onProgress` the passes feed the card
 * in batches and report every batch. The report must be the one a single call gives
 * (messages, records, decisions exactly; cycles within the few the card drains per batch).
 */
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { hwReport } from '../../src/fpga/report.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { requireHw } from './util.ts';

describe('hwreport progress', () => {
  it('reports each batch of both passes up to the whole input, and the same report as one call', () => {
    requireHw();
    const cfg = loadConfig();
    const blob = configBlob(cfg);
    const frames = generateSessionBuffer({ seed: 12, symbols: 8, messages: 150_000, config: cfg });
    const calls: { pass: string; done: number; total: number }[] = [];
    const batched = hwReport(blob, frames, { onProgress: (pass, done, total) => calls.push({ pass, done, total }) });
    const whole = hwReport(blob, frames);
    for (const pass of ['throughput', 'latency']) {
      const mine = calls.filter((c) => c.pass === pass);
      expect(mine.length, pass).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < mine.length; i++) expect(mine[i].done).toBeGreaterThan(mine[i - 1].done);
      expect(mine[mine.length - 1].done).toBe(frames.length);
      expect(mine.every((c) => c.total === frames.length)).toBe(true);
    }
    expect(batched.messages).toBe(whole.messages);
    expect(batched.records).toBe(whole.records);
    expect(batched.decisions).toBe(whole.decisions);
    expect(Math.abs(batched.cyclesPerMessage - whole.cyclesPerMessage)).toBeLessThan(0.01);
    expect(batched.cycles.p99).toBe(whole.cycles.p99);
  }, 300_000);
});
