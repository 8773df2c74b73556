/**
 * Reports label what they measured: a latency "p99" over a handful of batches was just the
 * max, so a percentile is shown only when there are enough batches for it (p99: 100, p99.9:
 * 1,000), otherwise "max over N batches"; and an audit replay's text report says whether the
 * records digest matched the recorded run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { honestPercentiles } from '../../src/report/replay-report.ts';
import { riskgate, riskgateJson, ROOT, SAMPLE } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rg-labels-'));
const DEMO = join(ROOT, 'data/demo.itch.gz');

describe('latency percentiles', () => {
  it('a sample supports p50 from 2 values, p99 from 100, p99.9 from 1,000', () => {
    expect(Object.keys(honestPercentiles([5])).sort()).toEqual(['max', 'min', 'samples']);
    expect(Object.keys(honestPercentiles([1, 2, 3])).sort()).toEqual(['max', 'min', 'p50', 'samples']);
    expect(honestPercentiles(Array.from({ length: 100 }, (_, i) => i))).toMatchObject({ p99: 98, max: 99, samples: 100 });
    expect(honestPercentiles(Array.from({ length: 1000 }, (_, i) => i))).toHaveProperty(['p99.9']);
    expect(honestPercentiles(Array.from({ length: 999 }, (_, i) => i))).not.toHaveProperty(['p99.9']);
  });

  it('one batch: no p99 in the text or the JSON, "max over 1 batch"', () => {
    const r = riskgate(['replay', SAMPLE]);
    expect(r.status).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('latency'))!;
    expect(line).not.toMatch(/\bp(50|99) [\d,]/);
    expect(line).toMatch(/too few batches for a p99: max over 1 batch$/);
    const j = riskgateJson(['replay', SAMPLE]).json;
    expect(j.latency.batches).toBe(1);
    expect(j.latency.perBatchNs).not.toHaveProperty('p99');
    expect(j.latency.perBatchNs.samples).toBe(1);
  });

  it('enough batches: p50, p99 and p99.9 over N batches', () => {
    const r = riskgate(['replay', DEMO, '--batch', '100']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^latency +per batch p50 [\d,]+ ns {2}p99 [\d,]+ ns {2}p99\.9 [\d,]+ ns {2}max [\d,]+ ns over [\d,]+ batches$/m);
    expect(r.stdout).toMatch(/per message \(batch time \/ its messages\) p50 [\d.]+ ns {2}p99 /);
  });
});

describe('audit replay', () => {
  it('the text report says whether the digest matched the recorded run', () => {
    const audit = join(dir, 'audit.jsonl');
    expect(riskgate(['replay', SAMPLE, '--audit-out', audit]).status).toBe(0);
    const same = riskgate(['replay', SAMPLE, '--audit-in', audit]);
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/^audit replay +run \S+, 0 recorded controls: the records digest MATCHES the recorded run$/m);
    // A recorded digest that is not this run's.
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    lines[lines.length - 1].recordsSha256 = 'f'.repeat(64);
    const forged = join(dir, 'forged.jsonl');
    writeFileSync(forged, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const diff = riskgate(['replay', SAMPLE, '--audit-in', forged]);
    expect(diff.stdout).toMatch(/^audit replay +run \S+, 0 recorded controls: the records digest DIFFERS from the recorded run \(recorded f{64}, now [0-9a-f]{64}\)$/m);
  });
});
