/**
 * What the control plane knows about a run while it is live: counters, decisions by reason,
 * positions and P&L, latency, failovers, clearing — fed from each batch's records (one pass)
 * and exported both to Prometheus (src/metrics) and to the dashboard (`/api/state`).
 */
import type { Config } from '../config/index.ts';
import type { AuditControl } from '../control/audit.ts';
import { formatDollars, type ControlChange, type RiskState } from '../control/limits.ts';
import type { FailoverEvent, RecordSource } from '../failover/engine.ts';
import { ControlOp } from '../itch/layout.ts';
import { LATENCY_BUCKETS_NS } from '../metrics/buckets.ts';
import type { Metrics } from '../metrics/index.ts';
import { REASON_NAMES, RECORD_SIZE, RecordKind } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';
import { PnlBook } from '../report/pnl.ts';
import type { Batch } from '../source/file.ts';
import type { LiveClearing } from './clearing.ts';

export type RunStatus = 'starting' | 'running' | 'done' | 'failed';

const NREASONS = REASON_NAMES.length;

export class LiveState {
  status: RunStatus = 'starting';
  error?: string;
  readonly startedAt = new Date().toISOString();
  endedAt?: string;
  messages = 0;
  lastSeq = 0;
  records = 0;
  decisions = 0;
  accepted = 0;
  rejected = 0;
  fills = 0;
  controls = 0;
  problems = 0;
  engineNs = 0;
  /** Rejections per reason bit. */
  readonly reasonBits = new Array<number>(NREASONS).fill(0);
  /** Decisions per first failing reason (index NREASONS = accepted). */
  readonly firstReason = new Array<number>(NREASONS + 1).fill(0);
  readonly positions: number[];
  readonly pnl: PnlBook;
  /** Last mid price (price units) per symbol, for marking positions. */
  readonly mark: number[];
  /** Counts per LATENCY_BUCKETS_NS upper bound, then +Inf. */
  readonly latencyBuckets = new Array<number>(LATENCY_BUCKETS_NS.length + 1).fill(0);
  readonly recordsBySource = new Map<string, number>();
  readonly failovers: FailoverEvent[] = [];
  divergences = 0;
  standbyLost?: string;
  readonly recentControls: AuditControl[] = [];
  authFailures = 0;
  private readonly samples: { t: number; m: number }[] = [];
  clearing?: LiveClearing;
  /** More state for the dashboard (the order-entry gateway's sessions and accounts). */
  extraState?: () => Record<string, unknown>;

  constructor(
    readonly config: Config,
    readonly metrics: Metrics,
    readonly limits: RiskState,
    readonly info: { file: string; backend: string; standby?: string; run: string; speed: string },
  ) {
    this.positions = config.symbols.map((s) => s.startPosition);
    this.pnl = new PnlBook(this.positions);
    this.mark = config.symbols.map(() => 0);
    metrics.killSwitch.set({ scope: 'global' }, limits.globalKill ? 1 : 0);
    for (const s of limits.symbols) metrics.killSwitch.set({ scope: s.symbol }, s.kill ? 1 : 0);
  }

  private readonly callBits = new Float64Array(NREASONS);
  private readonly callFirst = new Float64Array(NREASONS + 1);

  /** One engine call: its records, the batch it came from, its duration, who produced what. */
  observe(records: Buffer, batch: Batch, engineNs: number, sources: readonly RecordSource[]): void {
    const m = this.metrics;
    const n = records.length / RECORD_SIZE;
    this.records += n;
    this.engineNs += engineNs;
    // A call without messages at the next seq (a client order's or a venue answer's frames, one
    // per read in the gateway) changes neither the count nor the last seq: no metric update.
    if (batch.messages > 0 || batch.firstSeq - 1 !== this.lastSeq) {
      this.messages += batch.messages;
      this.lastSeq = batch.firstSeq + batch.messages - 1;
      m.messages.inc(batch.messages);
      m.lastSeq.set(this.lastSeq);
    }
    if (batch.messages > 0) {
      const per = engineNs / batch.messages;
      m.latencyNs.observe(per);
      m.batchLatencyNs.observe(engineNs);
      let i = 0;
      while (i < LATENCY_BUCKETS_NS.length && per > LATENCY_BUCKETS_NS[i]) i++;
      this.latencyBuckets[i]++;
    }
    for (const s of sources) {
      if (s.records === 0) continue;
      m.records.inc({ source: s.source, role: s.role }, s.records);
      const k = `${s.role}:${s.source}`;
      this.recordsBySource.set(k, (this.recordsBySource.get(k) ?? 0) + s.records);
    }
    if (n === 0) return;
    // Counted per call into two reused arrays (an engine call per client read: no arrays per call).
    const bits = this.callBits.fill(0);
    const first = this.callFirst.fill(0);
    let tobs = 0;
    let flaggedTobs = 0;
    for (const r = new RecordView(records); r.next(); ) {
      switch (r.kind) {
        case RecordKind.TOB: {
          tobs++;
          if (r.flags !== 0) flaggedTobs++;
          const bid = r.bidPx;
          const ask = r.askPx;
          if (bid > 0 && ask > 0) this.mark[r.symbol] = Math.round((bid + ask) / 2);
          break;
        }
        case RecordKind.DECISION: {
          this.decisions++;
          if (r.accepted) {
            this.accepted++;
            first[NREASONS]++;
          } else {
            this.rejected++;
            const mask = r.reasons;
            let lo = -1;
            for (let b = 0; b < NREASONS; b++) {
              if (mask & (1 << b)) {
                bits[b]++;
                if (lo < 0) lo = b;
              }
            }
            first[lo < 0 ? 0 : lo]++;
          }
          break;
        }
        case RecordKind.FILL: {
          this.fills++;
          const sym = r.symbol;
          this.positions[sym] = r.positionAfter;
          this.pnl.fill(sym, r.side, r.price, r.qty);
          break;
        }
        case RecordKind.CONTROL:
          this.controls++;
          break;
        case RecordKind.PROBLEM:
          this.problems++;
          break;
      }
    }
    if (tobs > 0) {
      m.tobRecords.inc({ flagged: 'true' }, flaggedTobs);
      m.tobRecords.inc({ flagged: 'false' }, tobs - flaggedTobs);
    }
    for (let b = 0; b < NREASONS; b++) {
      if (bits[b] > 0) {
        this.reasonBits[b] += bits[b];
        m.rejections.inc({ reason: REASON_NAMES[b] }, bits[b]);
      }
      if (first[b] > 0) {
        this.firstReason[b] += first[b];
        m.decisions.inc({ verdict: 'rejected', reason: REASON_NAMES[b] }, first[b]);
      }
    }
    if (first[NREASONS] > 0) {
      this.firstReason[NREASONS] += first[NREASONS];
      m.decisions.inc({ verdict: 'accepted', reason: 'none' }, first[NREASONS]);
    }
    if (this.fills > 0) this.clearing?.add(records);
  }

  /** A control handed to the engine (metrics, kill-switch gauges, dashboard list). */
  onControl(e: AuditControl, c: ControlChange): void {
    this.metrics.controls.inc({ op: c.what });
    if (c.op === ControlOp.GLOBAL_KILL) this.metrics.killSwitch.set({ scope: 'global' }, Number(c.value));
    if (c.op === ControlOp.SYMBOL_KILL) this.metrics.killSwitch.set({ scope: c.targetName }, Number(c.value));
    this.recentControls.push(e);
    if (this.recentControls.length > 100) this.recentControls.shift();
  }

  onFailover(e: FailoverEvent): void {
    this.failovers.push(e);
    this.metrics.failovers.inc();
    this.metrics.failoverOutageNs.set(e.outageNs);
  }

  /** Messages per second over the last ~2 s of wall time. */
  throughput(): number {
    const t = Date.now();
    this.samples.push({ t, m: this.messages });
    while (this.samples.length > 2 && t - this.samples[0].t > 2000) this.samples.shift();
    const a = this.samples[0];
    return t > a.t ? Math.round(((this.messages - a.m) * 1000) / (t - a.t)) : 0;
  }

  snapshot(engine: { stats(): object } | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const cfg = this.config;
    const clearing = this.clearing?.bySymbol();
    const positions = cfg.symbols.map((s, i) => {
      const p = this.pnl.bySymbol.get(i);
      const pos = this.positions[i];
      const mark = this.mark[i];
      const avg = p?.avgPrice.toNumber() ?? 0;
      const unrealised = pos !== 0 && mark > 0 && avg > 0 ? pos * (mark / 1e4 - avg) : 0;
      const c = clearing?.get(s.symbol);
      return {
        symbol: s.symbol,
        account: cfg.accounts[s.account]?.name,
        position: pos,
        avgPrice: p ? p.avgPrice.toFixed(4) : '0.0000',
        mark: (mark / 1e4).toFixed(4),
        realisedPnl: p ? p.realised.toFixed(2) : '0.00',
        unrealisedPnl: unrealised.toFixed(2),
        fills: p?.fills ?? 0,
        fees: c?.fees ?? '0.00',
        netCash: c?.netCash ?? '0.00',
      };
    });
    const rejections: Record<string, number> = {};
    const firstReason: Record<string, number> = {};
    REASON_NAMES.forEach((r, i) => {
      rejections[r] = this.reasonBits[i];
      firstReason[r] = this.firstReason[i];
    });
    let stats: Record<string, unknown> | undefined;
    try {
      stats = engine?.stats() as Record<string, unknown> | undefined;
    } catch {
      stats = undefined;
    }
    return {
      run: { id: this.info.run, status: this.status, error: this.error, file: this.info.file, backend: this.info.backend, standby: this.info.standby, speed: this.info.speed, startedAt: this.startedAt, endedAt: this.endedAt },
      counters: {
        messages: this.messages, lastSeq: this.lastSeq, records: this.records, decisions: this.decisions, accepted: this.accepted,
        rejected: this.rejected, fills: this.fills, controls: this.controls, problems: this.problems, throughput: this.throughput(),
        engine: stats ? { messages: stats.messages, decisions: stats.decisions, accepted: stats.accepted, rejected: stats.rejected, fills: stats.fills, controls: stats.controls, tob: stats.tob, flagged: stats.flagged } : undefined,
      },
      rejections,
      decisionsByFirstReason: { accepted: this.firstReason[NREASONS], ...firstReason },
      positions,
      limits: this.limits.toJson(),
      kill: { global: this.limits.globalKill, symbols: Object.fromEntries(this.limits.symbols.map((s) => [s.symbol, s.kill])) },
      latency: { unit: 'ns per message (engine call time / messages in the batch)', bounds: LATENCY_BUCKETS_NS, counts: this.latencyBuckets },
      recordsBySource: Object.fromEntries(this.recordsBySource),
      failover: { events: this.failovers, divergences: this.divergences, standbyLost: this.standbyLost },
      clearing: this.clearing?.view() ?? [],
      controls: this.recentControls,
      authFailures: this.authFailures,
      ...this.extraState?.(),
      ...extra,
    };
  }
}

export { formatDollars };
