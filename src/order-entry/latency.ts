/**
 * Per-order latency inside the gateway (`riskgate gateway --latency`, `npm run bench:gateway`):
 * for each client order, the time from reading its packet to sequencing its answer, and, for
 * an accepted one, to handing it to the venue connection. Samples go into preallocated
 * arrays (no allocation per order); the CPU time of the process is taken from the first
 * order to the last.
 */
import { percentiles } from '../report/percentiles.ts';

const CAPACITY = 4_000_000;
const STEADY_AFTER_NS = 1_000_000_000;
/** The timeline's buckets: 100 ms each, the first 10 s of orders. */
const BUCKET_NS = 100_000_000;
const BUCKETS = 100;

export class OrderLatency {
  private readonly answered = new Float64Array(CAPACITY);
  private readonly forwarded = new Float64Array(CAPACITY);
  private n = 0;
  private nf = 0;
  private dropped = 0;
  private cpu0: NodeJS.CpuUsage | null = null;
  private cpu: NodeJS.CpuUsage | null = null;
  private t0 = 0;
  private t1 = 0;
  /** The CPU time, order count and time at the first order 1 s or more after the first one (the steady-state figures start there). */
  private cpuSteady0: NodeJS.CpuUsage | null = null;
  private nSteady0 = 0;
  private nfSteady0 = 0;
  private tSteady0 = 0;
  /**
   * Per 100 ms from the first order (the first 10 s): orders, orders refused (not forwarded), the
   * longest time read → venue (µs), and the process's CPU time in the bucket (ms, read when a
   * bucket starts): where a start-up backlog forms (bench:gateway's BENCH_VERBOSE prints it).
   */
  private readonly tlOrders = new Float64Array(BUCKETS);
  private readonly tlRefused = new Float64Array(BUCKETS);
  private readonly tlMaxUs = new Float64Array(BUCKETS);
  private readonly tlCpuMs = new Float64Array(BUCKETS + 1);
  private tlBucket = -1;
  /** Orders and time at the last CPU reading. */
  private lastReadAt = 0;
  private tLastRead = 0;

  /** Monotonic ns as numbers (GatewayOptions.onOrderTiming); forwardedNs 0 for an order not forwarded. */
  readonly record = (inNs: number, answeredNs: number, forwardedNs: number): void => {
    if (this.cpu0 === null) {
      this.cpu0 = process.cpuUsage();
      this.t0 = inNs;
    }
    this.t1 = forwardedNs > 0 ? forwardedNs : answeredNs;
    const b = Math.floor((inNs - this.t0) / BUCKET_NS);
    if (b < BUCKETS) {
      if (b !== this.tlBucket) {
        const c = process.cpuUsage(this.cpu0);
        for (let k = this.tlBucket + 1; k <= b; k++) this.tlCpuMs[k] = (c.user + c.system) / 1000;
        this.tlBucket = b;
      }
      this.tlOrders[b]++;
      if (forwardedNs > 0) {
        const us = (forwardedNs - inNs) / 1000;
        if (us > this.tlMaxUs[b]) this.tlMaxUs[b] = us;
      } else {
        this.tlRefused[b]++;
      }
    }
    if (this.n >= CAPACITY) {
      this.dropped++;
      return;
    }
    this.answered[this.n++] = answeredNs - inNs;
    if (forwardedNs > 0) this.forwarded[this.nf++] = forwardedNs - inNs;
    // The CPU time up to this order (read every 1,024 orders and at the end: cheap enough).
    if ((this.n & 1023) === 0) {
      this.cpu = process.cpuUsage(this.cpu0);
      this.lastReadAt = this.n;
      this.tLastRead = this.t1;
      // Steady state: from the first such reading 1 s after the first order (the first second
      // holds most of the JIT compiler's work on the order path, on the compiler's threads).
      if (this.cpuSteady0 === null && this.t1 - this.t0 >= STEADY_AFTER_NS) {
        this.cpuSteady0 = this.cpu;
        this.nSteady0 = this.n;
        this.nfSteady0 = this.nf;
        this.tSteady0 = this.t1;
      }
    }
  };

  /** Percentiles in µs, the CPU time and wall time from the first order to the last. */
  summary(): Record<string, unknown> {
    const ps = [50, 99, 99.9];
    const us = (a: Float64Array, n: number, from = 0) => {
      const p = percentiles(Array.from(a.subarray(from, n)), ps);
      return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Math.round(v / 10) / 100]));
    };
    const cpu = this.cpu0 ? (this.cpu ?? process.cpuUsage(this.cpu0)) : { user: 0, system: 0 };
    const s0 = this.cpuSteady0;
    return {
      orders: this.n, forwarded: this.nf, notSampled: this.dropped,
      answerUs: us(this.answered, this.n), forwardUs: us(this.forwarded, this.nf),
      wallMs: (this.t1 - this.t0) / 1e6, cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
      // From 1 s after the first order to the last CPU reading (null for a run shorter than that);
      // its percentiles over every order from that point on, beside the whole run's above.
      steady: s0 && this.cpu && this.cpu !== s0
        ? {
            orders: this.lastReadAt - this.nSteady0, wallMs: (this.tLastRead - this.tSteady0) / 1e6,
            cpuMs: { user: (this.cpu.user - s0.user) / 1000, system: (this.cpu.system - s0.system) / 1000 },
            answerUs: us(this.answered, this.n, this.nSteady0), forwardUs: us(this.forwarded, this.nf, this.nfSteady0),
          }
        : null,
      // Per 100 ms (the first 10 s): [orders, refused, longest → venue µs, CPU ms in it].
      timeline: Array.from({ length: Math.max(0, Math.min(BUCKETS, this.tlBucket)) }, (_, k) => [
        this.tlOrders[k], this.tlRefused[k], Math.round(this.tlMaxUs[k]), Math.round(this.tlCpuMs[k + 1] - this.tlCpuMs[k]),
      ]),
    };
  }
}
