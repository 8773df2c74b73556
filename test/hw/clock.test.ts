/**
 * hwreport's nanoseconds: cycles at the U250 estimate (250 MHz) and at the ECP5 bound, the
 * slowest MoldUDP64-path stage after routing alone, which must be the figure hdl/README.md
 * records for that stage (the last place-and-route row naming it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ECP5_SLOWEST_STAGE, latencyTimes, nsAt, U250_ESTIMATE_MHZ } from '../../src/fpga/clock.ts';

describe('hardware clocks', () => {
  it('converts cycles at a clock and refuses a clock that is not positive', () => {
    expect(nsAt(20, 250)).toBe(80);
    expect(nsAt(15, 156.25)).toBeCloseTo(96, 9);
    expect(() => nsAt(20, 0)).toThrow(/positive number of MHz, got 0/);
    expect(() => nsAt(20, Number.NaN)).toThrow(/MHz/);
  });

  it('gives p50 and p99 at both clocks', () => {
    const t = latencyTimes({ p50: 15, p99: 20 });
    expect(t.u250Estimate).toEqual({ mhz: U250_ESTIMATE_MHZ, p50Ns: 60, p99Ns: 80 });
    expect(t.ecp5AtLeast.stage).toBe(ECP5_SLOWEST_STAGE.stage);
    expect(t.ecp5AtLeast.p99Ns).toBeCloseTo((20 * 1000) / ECP5_SLOWEST_STAGE.mhz, 9);
  });

  it('uses the Fmax hdl/README.md records for that stage', () => {
    const rows = readFileSync('hdl/README.md', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`| ${ECP5_SLOWEST_STAGE.stage} |`) && /\*\*[0-9.]+ MHz\*\*/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    const fmax = rows[rows.length - 1].match(/\*\*([0-9.]+) MHz\*\*/);
    expect(Number(fmax?.[1])).toBe(ECP5_SLOWEST_STAGE.mhz);
  });
});
