/**
 * The clock of the failover watchdog: the wall time of an engine call minus the time the
 * calling thread spent waiting, runnable, for a CPU (Linux's run-queue delay, the second field
 * of /proc/thread-self/schedstat). On a machine with far more runnable threads than cores a
 * CPU-bound engine (the Verilated model) can take seconds of wall time for a batch it
 * computes in a fraction of that: it is starved, not stuck. A hang still counts in full — a
 * call blocked on a device, a lock or a sleep is not runnable, and a call spinning in a loop
 * is on a CPU. Where schedstat cannot be read the clock is the wall clock (never slower: the
 * watchdog stays conservative, it never misses a hang it would have seen before).
 */
import { closeSync, openSync, readSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

export class ProgressClock {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(128);

  constructor(path = SCHEDSTAT) {
    try {
      this.fd = openSync(path, 'r');
      if (this.runQueueNs() === undefined) this.close();
    } catch {
      this.fd = undefined;
    }
  }

  /** Whether run-queue waits are subtracted (false: plain wall time). */
  get excludesCpuWaits(): boolean {
    return this.fd !== undefined;
  }

  /** Nanoseconds the calling thread has waited runnable for a CPU since it started (undefined: unknown). */
  runQueueNs(): bigint | undefined {
    if (this.fd === undefined) return undefined;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      const field = this.buf.toString('latin1', 0, n).split(' ')[1];
      return field !== undefined && /^\d+$/.test(field) ? BigInt(field) : undefined;
    } catch {
      return undefined;
    }
  }

  /** A reading to pass to `since` later. */
  start(): { wallNs: bigint; waitNs: bigint | undefined } {
    return { wallNs: process.hrtime.bigint(), waitNs: this.runQueueNs() };
  }

  /** Wall and progress time since `start()`, in nanoseconds (progress = wall − run-queue wait). */
  since(t0: { wallNs: bigint; waitNs: bigint | undefined }): { wallNs: number; waitNs: number; progressNs: number } {
    const wallNs = Number(process.hrtime.bigint() - t0.wallNs);
    const w1 = t0.waitNs === undefined ? undefined : this.runQueueNs();
    // The wait can never exceed the wall time; clamp against clock granularity.
    const waitNs = w1 === undefined || t0.waitNs === undefined ? 0 : Math.min(wallNs, Math.max(0, Number(w1 - t0.waitNs)));
    return { wallNs, waitNs, progressNs: wallNs - waitNs };
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = undefined;
  }
}
