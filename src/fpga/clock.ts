/**
 * The clocks `hwreport` converts the card's cycle counts at (hdl/README.md "Place and route").
 * 250 MHz is the U250 design clock, an estimate: no U250 flow has placed and routed the design.
 * On the ECP5-85 speed 8 (`npm run pnr`) the top level has not been routed; each stage has,
 * alone, and the slowest stage on the MoldUDP64 path bounds the top's clock from above, so the
 * times at its Fmax are lower bounds, not a claimed clock.
 */
export const U250_ESTIMATE_MHZ = 250;

/**
 * The slowest MoldUDP64-path stage after routing, alone (`npm run pnr -- <stage>`): the best of
 * the seeds routed on its sources (`PNR_SEED`), since the figure bounds the top's clock from above.
 */
export const ECP5_SLOWEST_STAGE = { stage: 'rg_risk', mhz: 81.01, measured: '2026-12-07, sources of 10772cc, PNR_SEED=1 (75.56 with seed 2)' } as const;

/** Nanoseconds of `cycles` at `mhz`. */
export function nsAt(cycles: number, mhz: number): number {
  if (!(mhz > 0)) throw new RangeError(`nsAt: clock must be a positive number of MHz, got ${mhz}`);
  return (cycles * 1000) / mhz;
}

/** p50/p99 of a cycle distribution in nanoseconds at both clocks. */
export function latencyTimes(c: { p50: number; p99: number }) {
  return {
    u250Estimate: { mhz: U250_ESTIMATE_MHZ, p50Ns: nsAt(c.p50, U250_ESTIMATE_MHZ), p99Ns: nsAt(c.p99, U250_ESTIMATE_MHZ) },
    ecp5AtLeast: { ...ECP5_SLOWEST_STAGE, p50Ns: nsAt(c.p50, ECP5_SLOWEST_STAGE.mhz), p99Ns: nsAt(c.p99, ECP5_SLOWEST_STAGE.mhz) },
  };
}
