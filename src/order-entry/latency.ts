/**
 * Per-order latency inside the gateway (`riskgate gateway --latency`, `npm run bench:gateway`):
 * for each client order, the time from reading its packet to sequencing its answer, and, for
 * an accepted one, to handing it to the venue connection. Samples go into preallocated
 * arrays (no allocation per order); the CPU time of the process is taken from the first
 * order to the last.
 */
import { percentiles } from '../report/percentiles.ts';

const CAPACITY = 4_000_000;

export class OrderLatency {
  private readonly answered = new Float64Array(CAPACITY);
  private readonly forwarded = new Float64Array(CAPACITY);
  private n = 0;
  private nf = 0;
  private dropped = 0;
  private cpu0: NodeJS.CpuUsage | null = null;
  private cpu: NodeJS.CpuUsage | null = null;
  private t0 = 0n;
  private t1 = 0n;

  readonly record = (inNs: bigint, answeredNs: bigint, forwardedNs: bigint): void => {
    if (this.cpu0 === null) {
      this.cpu0 = process.cpuUsage();
      this.t0 = inNs;
    }
    this.t1 = forwardedNs > 0n ? forwardedNs : answeredNs;
    if (this.n >= CAPACITY) {
      this.dropped++;
      return;
    }
    this.answered[this.n++] = Number(answeredNs - inNs);
    if (forwardedNs > 0n) this.forwarded[this.nf++] = Number(forwardedNs - inNs);
    // The CPU time up to this order (read every 1,024 orders and at the end: cheap enough).
    if ((this.n & 1023) === 0) this.cpu = process.cpuUsage(this.cpu0);
  };

  /** Percentiles in µs, the CPU time and wall time from the first order to the last. */
  summary(): Record<string, unknown> {
    const ps = [50, 99, 99.9];
    const us = (a: Float64Array, n: number) => {
      const p = percentiles(Array.from(a.subarray(0, n)), ps);
      return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Math.round(v / 10) / 100]));
    };
    const cpu = this.cpu0 ? (this.cpu ?? process.cpuUsage(this.cpu0)) : { user: 0, system: 0 };
    return {
      orders: this.n, forwarded: this.nf, notSampled: this.dropped,
      answerUs: us(this.answered, this.n), forwardUs: us(this.forwarded, this.nf),
      wallMs: Number(this.t1 - this.t0) / 1e6, cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
    };
  }
}
