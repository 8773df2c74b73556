/**
 * Child process of progress-clock.test.ts: does a fixed amount of CPU work (a count of loop
 * iterations, not a duration) and prints what ProgressClock measured for it as JSON.
 */
import { ProgressClock } from '../../../src/failover/progress-clock.ts';

const iterations = Number(process.argv[2] ?? 50_000_000);
const clock = new ProgressClock();
const t0 = clock.start();
let x = 0;
for (let i = 0; i < iterations; i++) x = (x * 31 + i) | 0;
const took = clock.since(t0);
process.stdout.write(`${JSON.stringify({ ...took, excludesCpuWaits: clock.excludesCpuWaits, x })}\n`);
