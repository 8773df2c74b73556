/**
 * Live clearing view for a replay served live (`--serve`): the FILL records become executions (spec §14.1)
 * and are cleared by the same ledger code the Kafka workers run, in-process, by N logical
 * workers (an account always goes to the same worker, as a Kafka partition would). Each
 * worker drains its queue a chunk per event-loop turn, so `riskgate_clearing_lag{worker}`
 * shows real backlog when the engine outruns clearing. (src/clearing/embedded.ts clears in
 * worker threads for end-of-run results but reports no progress while running; this one is
 * the live view for the dashboard and metrics.)
 */
import type { Config } from '../config/index.ts';
import { D } from '../clearing/decimal.ts';
import { executionFromFill, type Execution } from '../clearing/execution.ts';
import { Ledger } from '../clearing/ledger.ts';
import { RecordKind } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';

export interface ClearingWorkerView {
  worker: string;
  lag: number;
  cleared: number;
}

export class LiveClearing {
  readonly ledger: Ledger;
  private readonly queues: Execution[][];
  private readonly heads: number[];
  private readonly cleared: number[];
  private scheduled = false;
  private readonly accounts: number[];
  private readonly symbols: string[];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly config: Config,
    readonly workers = 2,
    private readonly chunk = 256,
    private readonly onLag?: (worker: string, lag: number) => void,
  ) {
    this.ledger = new Ledger({ perShare: new D(config.fees.perShare.toString()), minPerExecution: new D(config.fees.minPerExecution.toString()) });
    this.queues = Array.from({ length: workers }, () => []);
    this.heads = new Array<number>(workers).fill(0);
    this.cleared = new Array<number>(workers).fill(0);
    this.accounts = config.accounts.map((a) => a.id);
    this.symbols = config.symbols.map((s) => s.symbol);
    for (let w = 0; w < workers; w++) onLag?.(`w${w}`, 0);
  }

  /** Queues the FILL records of a batch. */
  add(records: Buffer): void {
    let any = false;
    for (const r = new RecordView(records); r.next(); ) {
      if (r.kind !== RecordKind.FILL) continue;
      const e = executionFromFill(r.bytes(), this.config.session, this.accounts, this.symbols);
      this.queues[e.accountId % this.workers].push(e);
      any = true;
    }
    if (any) this.kick();
  }

  private kick(): void {
    this.report();
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    let left = false;
    for (let w = 0; w < this.workers; w++) {
      const q = this.queues[w];
      const end = Math.min(q.length, this.heads[w] + this.chunk);
      for (let i = this.heads[w]; i < end; i++) this.ledger.apply(q[i]);
      this.cleared[w] += end - this.heads[w];
      this.heads[w] = end;
      if (end === q.length) {
        q.length = 0;
        this.heads[w] = 0;
      } else left = true;
    }
    this.report();
    if (left) this.kick();
    else for (const f of this.idleWaiters.splice(0)) f();
  }

  private report(): void {
    for (let w = 0; w < this.workers; w++) this.onLag?.(`w${w}`, this.queues[w].length - this.heads[w]);
  }

  view(): ClearingWorkerView[] {
    return this.queues.map((q, w) => ({ worker: `w${w}`, lag: q.length - this.heads[w], cleared: this.cleared[w] }));
  }

  /** Resolves once every queued execution is cleared. */
  idle(): Promise<void> {
    if (this.queues.every((q, w) => q.length === this.heads[w])) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Fees and net cash per symbol (dollars), from the ledger. */
  bySymbol(): Map<string, { fees: string; netCash: string; realizedPnl: string; executions: number }> {
    const out = new Map<string, { fees: string; netCash: string; realizedPnl: string; executions: number }>();
    for (const a of this.ledger.allAccounts()) {
      for (const p of a.positions.values()) {
        out.set(p.symbol, { fees: p.fees.toFixed(2), netCash: p.netCash.toFixed(2), realizedPnl: p.realizedPnl.toFixed(2), executions: p.executions });
      }
    }
    return out;
  }
}
