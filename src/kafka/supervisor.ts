/**
 * Starts N clearing workers as separate OS processes (node + tsx, src/kafka/worker-main.ts) and
 * relays their JSON-line events. Optionally stops them once the group has no lag left.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { feeScheduleToJson, type FeeSchedule } from '../clearing/fees.ts';

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
// Absolute, so workers start whatever the current directory is.
const TSX = import.meta.resolve('tsx');

export interface WorkerEvent {
  t: number;
  w: string;
  pid: number;
  event: string;
  [k: string]: unknown;
}

export interface SpawnOptions {
  brokers: string;
  prefix?: string;
  fees: FeeSchedule;
  exactlyOnce?: boolean;
  maxTxExecutions?: number;
  concurrency?: number;
  /** Extra options for one worker (fault injection in tests), by worker index. */
  perWorker?: Record<number, { holdTxMs?: number; dropExecId?: string }>;
  dropExecId?: string;
  onEvent: (e: WorkerEvent) => void;
  onExit?: (w: WorkerHandle, code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface WorkerHandle {
  index: number;
  id: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnWorker(index: number, opts: SpawnOptions): WorkerHandle {
  const id = `w${index}`;
  const extra = opts.perWorker?.[index] ?? {};
  const options = {
    brokers: opts.brokers,
    prefix: opts.prefix,
    workerId: id,
    fees: feeScheduleToJson(opts.fees),
    exactlyOnce: opts.exactlyOnce ?? true,
    maxTxExecutions: opts.maxTxExecutions,
    concurrency: opts.concurrency,
    dropExecId: opts.dropExecId,
    ...extra,
  };
  const child = fork(WORKER_MAIN, [], {
    execArgv: ['--import', TSX],
    env: { ...process.env, RISKGATE_WORKER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (line) => {
    try {
      opts.onEvent(JSON.parse(line) as WorkerEvent);
    } catch {
      opts.onEvent({ t: Date.now(), w: id, pid: child.pid ?? -1, event: 'output', line });
    }
  });
  const errRl = createInterface({ input: child.stderr! });
  errRl.on('line', (line) => opts.onEvent({ t: Date.now(), w: id, pid: child.pid ?? -1, event: 'stderr', line }));
  const handle: WorkerHandle = {
    index,
    id,
    child,
    pid: child.pid ?? -1,
    exited: new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        opts.onExit?.(handle, code, signal);
        resolve({ code, signal });
      });
    }),
  };
  return handle;
}

export function spawnWorkers(n: number, opts: SpawnOptions): WorkerHandle[] {
  return Array.from({ length: n }, (_, i) => spawnWorker(i, opts));
}

export async function stopWorkers(ws: WorkerHandle[], timeoutMs = 20000): Promise<void> {
  for (const w of ws) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const w of ws) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }, timeoutMs);
  await Promise.all(ws.map((w) => w.exited));
  clearTimeout(timer);
}
