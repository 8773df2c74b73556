/**
 * Embedded clearing: the default when no broker is given. The same Ledger code as the Kafka
 * workers runs in worker threads inside this process, accounts sharded by id, so the result
 * does not depend on the number of threads.
 *
 *   const c = new EmbeddedClearing({ fees, threads: 2 });
 *   c.submit(executions);            // any number of times, in execution order
 *   const r = await c.finish();      // entries sorted by execution id, positions by account/symbol
 */
import { Worker } from 'node:worker_threads';
import { encodeExecution, executionFromFill, EXECUTION_SIZE, type Execution } from './execution.ts';
import { ClearingError } from './errors.ts';
import { feeScheduleToJson, type FeeSchedule } from './fees.ts';
import type { AccountJson, PositionJson, SettlementEntry } from './ledger.ts';
import { RecordKind } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';

const WORKER = new URL('./embedded-worker.ts', import.meta.url);
// Worker threads do not inherit tsx's loader (and ignore --import in execArgv on Node 20):
// a small bootstrap registers it in the thread, then loads the TypeScript worker.
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(WORKER.href)}); })`;

export interface EmbeddedResult {
  entries: SettlementEntry[];
  positions: PositionJson[];
  accounts: AccountJson[];
  duplicates: number;
  malformed: number;
}

export interface EmbeddedOptions {
  fees: FeeSchedule;
  /** Worker threads (default 2). */
  threads?: number;
}

export class EmbeddedClearing {
  private readonly workers: Worker[];
  private readonly failed: Promise<never>;
  private pending: Buffer[][];

  constructor(opts: EmbeddedOptions) {
    const n = opts.threads ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new ClearingError('BAD_OPTIONS', 'threads must be 1..64');
    this.workers = Array.from(
      { length: n },
      () => new Worker(BOOT, { eval: true, workerData: { fees: feeScheduleToJson(opts.fees) } }),
    );
    this.pending = this.workers.map(() => []);
    this.failed = new Promise<never>((_, reject) => {
      for (const w of this.workers) {
        w.on('error', (e) => reject(new ClearingError('WORKER_FAILED', `clearing thread failed: ${e.message}`, { cause: e })));
      }
    });
    this.failed.catch(() => {});
  }

  private shard(accountId: number): number {
    return accountId % this.workers.length;
  }

  submit(executions: Iterable<Execution>): void {
    for (const e of executions) this.pending[this.shard(e.accountId)].push(encodeExecution(e));
    this.flush();
  }

  /** FILL records (spec §11; other kinds are skipped) straight from an engine. */
  submitFills(records: Buffer, session: number, accounts: readonly number[], symbols: readonly string[]): void {
    const out: Execution[] = [];
    for (const r = new RecordView(records); r.next(); ) if (r.kind === RecordKind.FILL) out.push(executionFromFill(r.bytes(), session, accounts, symbols));
    this.submit(out);
  }

  private flush(): void {
    this.pending.forEach((bufs, i) => {
      if (!bufs.length) return;
      const records = Buffer.concat(bufs, bufs.length * EXECUTION_SIZE);
      const u8 = new Uint8Array(records.buffer, records.byteOffset, records.byteLength).slice();
      this.workers[i].postMessage({ type: 'batch', records: u8 }, [u8.buffer]);
      this.pending[i] = [];
    });
  }

  async finish(): Promise<EmbeddedResult> {
    this.flush();
    const parts = await Promise.race([
      Promise.all(
        this.workers.map(
          (w) =>
            new Promise<{ entries: SettlementEntry[]; accounts: AccountJson[]; duplicates: number; malformed: number }>((resolve) => {
              w.once('message', resolve);
              w.postMessage({ type: 'finish' });
            }),
        ),
      ),
      this.failed,
    ]);
    await Promise.all(this.workers.map((w) => w.terminate()));
    const entries = parts.flatMap((p) => p.entries);
    entries.sort((a, b) => a.session - b.session || a.seq - b.seq || a.leg - b.leg || a.accountId - b.accountId);
    const accounts = parts.flatMap((p) => p.accounts).sort((a, b) => a.accountId - b.accountId);
    const positions = accounts.flatMap((a) => a.positions);
    return {
      entries,
      positions,
      accounts,
      duplicates: parts.reduce((s, p) => s + p.duplicates, 0),
      malformed: parts.reduce((s, p) => s + p.malformed, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Clears a list of executions in process. */
export async function clearInProcess(executions: Iterable<Execution>, opts: EmbeddedOptions): Promise<EmbeddedResult> {
  const c = new EmbeddedClearing(opts);
  try {
    c.submit(executions);
    return await c.finish();
  } catch (e) {
    await c.close();
    throw e;
  }
}
