/**
 * Embedded clearing: the default when no broker is given. The same Ledger code as the Kafka
 * workers runs in worker threads inside this process, accounts sharded by id, so the result
 * does not depend on the number of threads.
 *
 *   const c = new EmbeddedClearing({ fees, threads: 2 });
 *   c.submit(executions);            // any number of times, in execution order
 *   const r = await c.finish();      // entries sorted by execution id, positions by account/symbol
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodeExecution, EXECUTION_SIZE, FillExecutionWriter, type Execution } from './execution.ts';
import { ClearingError } from './errors.ts';
import { feeScheduleToJson, type FeeSchedule } from './fees.ts';
import type { AccountJson, PositionJson, SettlementEntry } from './ledger.ts';
import { RecordKind } from '../records/layout.ts';
import { loadNative, type NativeModule } from '../engine/rust.ts';

const WORKER = new URL('./embedded-worker.ts', import.meta.url);
// Worker threads do not inherit tsx's loader (and ignore --import in execArgv on Node 20):
// a small bootstrap registers it in the thread, then loads the TypeScript worker.
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(WORKER.href)}); })`;

/**
 * In the bundled command line (scripts/build-cli.mjs defines it): where the build put the
 * worker's bundle, relative to this source file; undefined when run from the sources.
 */
declare const __RISKGATE_WORKER_BUNDLE__: string | undefined;
const PREBUILT = typeof __RISKGATE_WORKER_BUNDLE__ === 'string' ? new URL(__RISKGATE_WORKER_BUNDLE__, import.meta.url) : undefined;

let bundle: Promise<string | null> | undefined;

/**
 * The worker's code as one CommonJS bundle: the one built with the bundled command line, else
 * built once per process with esbuild (which tsx brings along). A thread then starts in a few
 * tens of ms of CPU instead of the ~300 ms that registering tsx's loader in it costs. null
 * when esbuild is not available (the threads then boot through tsx).
 */
export function workerBundle(): Promise<string | null> {
  bundle ??= (async () => {
    if (PREBUILT) {
      try {
        return await readFile(PREBUILT, 'utf8');
      } catch {
        // gone since the build: build it here instead
      }
    }
    try {
      const esbuild = await import('esbuild');
      const r = await esbuild.build({ entryPoints: [fileURLToPath(WORKER)], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent' });
      await esbuild.stop();
      return r.outputFiles[0]?.text ?? null;
    } catch {
      return null;
    }
  })();
  return bundle;
}

export interface EmbeddedResult {
  /** Settlement entries by execution id (empty unless `entries` was asked for). */
  entries: SettlementEntry[];
  /** Executions cleared. */
  cleared: number;
  positions: PositionJson[];
  accounts: AccountJson[];
  duplicates: number;
  malformed: number;
}

export interface EmbeddedOptions {
  fees: FeeSchedule;
  /** Worker threads (default 2). */
  threads?: number;
  /** Keep a settlement entry per execution for `finish()` (default true; the replay needs only the counts). */
  entries?: boolean;
  /** The worker's code from `workerBundle()`; without it the threads boot through tsx. */
  workerCode?: string | null;
}

/** Executions per message to a thread: one transfer of a binary buffer, not one per batch of records. */
const EXECUTIONS_PER_POST = 16_384;

export class EmbeddedClearing {
  private readonly workers: Worker[];
  private readonly failed: Promise<never>;
  /** Per thread: the EXECUTION records not yet sent, and how many. */
  private readonly pending: Buffer[];
  private readonly pendingCount: number[];
  private writer: { key: readonly unknown[]; writer: FillExecutionWriter; ids: Float64Array; symbols: Buffer } | undefined;
  /** The native hand-off (native/src/fill_executions.rs), null where the module is not built. */
  private native: NativeModule | null | undefined;
  /** Its output: the executions of one call's fills, by thread, and each thread's count. */
  private staged = Buffer.alloc(0);
  private readonly perThread: Float64Array;

  constructor(opts: EmbeddedOptions) {
    const n = opts.threads ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new ClearingError('BAD_OPTIONS', 'threads must be 1..64');
    this.workers = Array.from(
      { length: n },
      () => new Worker(opts.workerCode ?? BOOT, { eval: true, workerData: { fees: feeScheduleToJson(opts.fees), entries: opts.entries ?? true } }),
    );
    this.pending = this.workers.map(() => Buffer.allocUnsafeSlow(EXECUTIONS_PER_POST * EXECUTION_SIZE));
    this.pendingCount = this.workers.map(() => 0);
    this.perThread = new Float64Array(n);
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

  /** Where the next execution for `accountId` goes: the slot's byte offset in its thread's pending buffer. */
  private slot(accountId: number): { shard: number; at: number } {
    const shard = this.shard(accountId);
    if (this.pendingCount[shard] === EXECUTIONS_PER_POST) this.post(shard);
    return { shard, at: this.pendingCount[shard]++ * EXECUTION_SIZE };
  }

  submit(executions: Iterable<Execution>): void {
    for (const e of executions) {
      const b = encodeExecution(e);
      const { shard, at } = this.slot(e.accountId);
      b.copy(this.pending[shard], at);
    }
  }

  /**
   * FILL records (spec §11; other kinds are skipped) straight from an engine: their executions
   * are written into the threads' pending buffers, no objects in between. Returns the FILL count.
   */
  submitFills(records: Buffer, session: number, accounts: readonly number[], symbols: readonly string[]): number {
    const key = [session, accounts, symbols];
    if (!this.writer || this.writer.key.some((k, i) => k !== key[i])) {
      const writer = new FillExecutionWriter(session, accounts, symbols);
      this.writer = { key, writer, ids: Float64Array.from(accounts), symbols: writer.symbolTable() };
    }
    const fast = this.submitNative(records, session);
    if (fast >= 0) return fast;
    const w = this.writer.writer;
    let n = 0;
    for (let off = 0; off + 32 <= records.length; off += 32) {
      if (records[off + 1] !== RecordKind.FILL) continue;
      const id = w.accountIdAt(records, off);
      if (id === undefined) {
        // Not in the config: the writer's slow path throws the usual error.
        w.write(records, off, Buffer.alloc(EXECUTION_SIZE), 0);
      }
      const { shard, at } = this.slot(id!);
      w.write(records, off, this.pending[shard], at);
      n++;
    }
    return n;
  }

  /**
   * The same in Rust: the executions come back grouped by thread and each thread's run is
   * copied into its pending buffer in one or a few pieces (the posts fall where the loop below
   * makes them: when a pending buffer is full and another execution is due). -1 when the module
   * is not here or a fill needs the loop's own path (which reports it).
   */
  private submitNative(records: Buffer, session: number): number {
    if (this.native === undefined) {
      try {
        this.native = loadNative();
      } catch {
        this.native = null;
      }
    }
    if (!this.native || !this.writer) return -1;
    const need = (records.length / 32) * EXECUTION_SIZE;
    if (this.staged.length < need) this.staged = Buffer.allocUnsafeSlow(Math.max(need, 2 * this.staged.length));
    const n = this.native.fillExecutions(records, session, this.writer.ids, this.writer.symbols, this.staged, this.perThread);
    if (n < 0) return -1;
    let src = 0;
    for (let t = 0; t < this.workers.length; t++) {
      let left = this.perThread[t];
      while (left > 0) {
        if (this.pendingCount[t] === EXECUTIONS_PER_POST) this.post(t);
        const k = Math.min(left, EXECUTIONS_PER_POST - this.pendingCount[t]);
        this.staged.copy(this.pending[t], this.pendingCount[t] * EXECUTION_SIZE, src, src + k * EXECUTION_SIZE);
        this.pendingCount[t] += k;
        src += k * EXECUTION_SIZE;
        left -= k;
      }
    }
    return n;
  }

  private post(shard: number): void {
    const n = this.pendingCount[shard];
    if (n === 0) return;
    const full = this.pending[shard];
    const records = n === EXECUTIONS_PER_POST ? full : Uint8Array.prototype.slice.call(full, 0, n * EXECUTION_SIZE);
    const u8 = new Uint8Array(records.buffer, records.byteOffset, records.byteLength);
    this.workers[shard].postMessage({ type: 'batch', records: u8 }, [u8.buffer as ArrayBuffer]);
    if (records === full) this.pending[shard] = Buffer.allocUnsafeSlow(EXECUTIONS_PER_POST * EXECUTION_SIZE);
    this.pendingCount[shard] = 0;
  }

  private flush(): void {
    for (let i = 0; i < this.workers.length; i++) this.post(i);
  }

  async finish(): Promise<EmbeddedResult> {
    this.flush();
    const parts = await Promise.race([
      Promise.all(
        this.workers.map(
          (w) =>
            new Promise<{ entries: SettlementEntry[]; cleared: number; accounts: AccountJson[]; duplicates: number; malformed: number }>((resolve) => {
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
      cleared: parts.reduce((s, p) => s + p.cleared, 0),
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
