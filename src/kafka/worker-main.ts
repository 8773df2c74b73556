/**
 * Entry point of one clearing worker OS process (forked by supervisor.ts). Options arrive as
 * JSON in RISKGATE_WORKER_OPTIONS; events leave as JSON lines on stdout:
 * `{"t":<ms>,"w":"<worker id>","pid":<pid>,"event":"…",…}`.
 * SIGTERM / SIGINT stop it cleanly (leave the group, close producers).
 */
import { parseFeeSchedule, type FeeScheduleJson } from '../clearing/fees.ts';
import { ClearingWorker } from './worker.ts';

interface Options {
  brokers: string;
  prefix?: string;
  workerId: string;
  fees: FeeScheduleJson;
  exactlyOnce?: boolean;
  maxTxExecutions?: number;
  concurrency?: number;
  holdTxMs?: number;
  dropExecId?: string;
}

const raw = process.env.RISKGATE_WORKER_OPTIONS;
if (!raw) {
  console.error('worker-main: RISKGATE_WORKER_OPTIONS is not set (start workers with `riskgate clear`)');
  process.exit(2);
}
const o = JSON.parse(raw) as Options;

function emit(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ t: Date.now(), w: o.workerId, pid: process.pid, event, ...data }) + '\n');
}

const worker = new ClearingWorker({ ...o, fees: parseFeeSchedule(o.fees), emit });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  emit('signal', { signal });
  const timer = setTimeout(() => process.exit(0), 15000);
  await worker.stop().catch(() => {});
  clearTimeout(timer);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// Fault injection for tests: SIGUSR2 holds the next transactions open (sends done, not committed)
// for RISKGATE_HOLD_MS (default 60 s), so a test can SIGKILL the worker mid-transaction.
process.on('SIGUSR2', () => worker.armHold(Number(process.env.RISKGATE_HOLD_MS ?? 60000)));
process.on('unhandledRejection', (e) => emit('unhandled-rejection', { error: String((e as Error)?.stack ?? e) }));

worker.start().catch((e: Error & { code?: string }) => {
  emit('fatal', { code: e.code ?? 'WORKER_FAILED', error: e.message });
  process.exit(e.code === 'BROKER_UNAVAILABLE' ? 8 : 6);
});
