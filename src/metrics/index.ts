/**
 * Prometheus metrics of a run (prom-client, one registry per run). Record-derived counters
 * are aggregated per batch before they reach prom-client, so the per-record cost stays a few
 * array increments.
 *
 * - riskgate_messages_total                     framed messages handed to the engine (seq count)
 * - riskgate_decisions_total{verdict,reason}    decisions; reason = the lowest failing check
 *                                               (KILL is bit 0, so a killed order always counts
 *                                               as KILL), "none" when accepted
 * - riskgate_rejections_total{reason}           failing checks, one per bit (an order can fail several)
 * - riskgate_records_total{source,role}         records in use, by the engine that produced them
 *                                               (source = backend, role = primary | standby)
 * - riskgate_latency_ns                         engine time per message (batch call time / messages)
 * - riskgate_batch_latency_ns                   engine time per batch call
 * - riskgate_hw_latency_cycles                  hardware tick-to-trade cycles (FPGA side channel)
 * - riskgate_clearing_lag{worker}               executions not yet cleared, per clearing worker
 * - riskgate_failovers_total                    primary → standby switches
 * - riskgate_failover_outage_ns                 time without decisions of the last failover
 * - riskgate_controls_total{op}                 in-band control messages applied
 * - riskgate_kill_switch{scope}                 1 while a kill switch is on (global or symbol)
 * - riskgate_auth_failures_total{reason}        refused state-changing calls (401/403)
 * - riskgate_last_seq                           last seq handed to the engine
 * - riskgate_tob_records_total{flagged}         top-of-book records, with a book flag or not
 * - riskgate_order_table{stat}                  the engine's order-table counters (spec §5/§12):
 *                                               drops, stash_inserts, ghost_inserts,
 *                                               untracked_drops, collision_clears, live_peak,
 *                                               stash_peak, ghost_peak (read at scrape time)
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineStats } from '../engine/types.ts';
import { REASON_NAMES } from '../records/layout.ts';
import { LATENCY_BUCKETS_NS } from './buckets.ts';

export { LATENCY_BUCKETS_NS };
export const CYCLE_BUCKETS = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512, 1024];

export class Metrics {
  readonly registry = new Registry();
  readonly messages: Counter;
  readonly decisions: Counter<'verdict' | 'reason'>;
  readonly rejections: Counter<'reason'>;
  readonly records: Counter<'source' | 'role'>;
  readonly latencyNs: Histogram;
  readonly batchLatencyNs: Histogram;
  readonly hwLatencyCycles: Histogram;
  readonly clearingLag: Gauge<'worker'>;
  readonly failovers: Counter;
  readonly failoverOutageNs: Gauge;
  readonly controls: Counter<'op'>;
  readonly killSwitch: Gauge<'scope'>;
  readonly authFailures: Counter<'reason'>;
  readonly lastSeq: Gauge;
  readonly tobRecords: Counter<'flagged'>;
  readonly orderTable: Gauge<'stat'>;
  /** Where `riskgate_order_table` reads the engine's stats at scrape time (set by the run). */
  engineStats?: () => EngineStats;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.messages = new Counter({ name: 'riskgate_messages_total', help: 'Framed messages handed to the engine (seq count)', registers });
    this.decisions = new Counter({ name: 'riskgate_decisions_total', help: 'Strategy orders by verdict and first failing check (none when accepted)', labelNames: ['verdict', 'reason'], registers });
    this.rejections = new Counter({ name: 'riskgate_rejections_total', help: 'Failing pre-trade checks, one per reason bit', labelNames: ['reason'], registers });
    this.records = new Counter({ name: 'riskgate_records_total', help: 'Records in use, by the engine that produced them', labelNames: ['source', 'role'], registers });
    this.latencyNs = new Histogram({ name: 'riskgate_latency_ns', help: 'Engine time per message in ns (batch call time / messages in the batch)', buckets: LATENCY_BUCKETS_NS, registers });
    this.batchLatencyNs = new Histogram({ name: 'riskgate_batch_latency_ns', help: 'Engine time per batch call in ns', buckets: LATENCY_BUCKETS_NS, registers });
    this.hwLatencyCycles = new Histogram({ name: 'riskgate_hw_latency_cycles', help: 'Hardware tick-to-trade in clock cycles (FPGA latency side channel)', buckets: CYCLE_BUCKETS, registers });
    this.clearingLag = new Gauge({ name: 'riskgate_clearing_lag', help: 'Executions produced but not yet cleared, per clearing worker', labelNames: ['worker'], registers });
    this.failovers = new Counter({ name: 'riskgate_failovers_total', help: 'Switches from the primary engine to the standby', registers });
    this.failoverOutageNs = new Gauge({ name: 'riskgate_failover_outage_ns', help: 'Time without decisions during the last failover (ns)', registers });
    this.controls = new Counter({ name: 'riskgate_controls_total', help: 'In-band control messages applied', labelNames: ['op'], registers });
    this.killSwitch = new Gauge({ name: 'riskgate_kill_switch', help: '1 while the kill switch of a scope (global or a symbol) is on', labelNames: ['scope'], registers });
    this.authFailures = new Counter({ name: 'riskgate_auth_failures_total', help: 'State-changing calls refused (missing or wrong token, foreign origin)', labelNames: ['reason'], registers });
    this.lastSeq = new Gauge({ name: 'riskgate_last_seq', help: 'Last seq handed to the engine', registers });
    this.tobRecords = new Counter({ name: 'riskgate_tob_records_total', help: 'Top-of-book records, by whether a book flag (BAND, COLLISION) is set', labelNames: ['flagged'], registers });
    const metrics = this;
    this.orderTable = new Gauge({
      name: 'riskgate_order_table', help: 'Order-table counters of the engine (spec §5): drops, stash/ghost inserts, untracked drops, COLLISION self-clears, peaks', labelNames: ['stat'], registers,
      collect() {
        let s: EngineStats | undefined;
        try {
          s = metrics.engineStats?.();
        } catch {
          return; // the engine is closed (run over, --hold): keep the last values read
        }
        if (!s) return;
        const v: Record<string, number> = {
          drops: s.tableFull, stash_inserts: s.stashInserts, ghost_inserts: s.ghostInserts, untracked_drops: s.untrackedDrops,
          collision_clears: s.collisionClears, live_peak: s.livePeak, stash_peak: s.stashPeak, ghost_peak: s.ghostPeak,
        };
        for (const [stat, n] of Object.entries(v)) this.set({ stat }, n ?? 0);
      },
    });
    // Make the labelled series visible from the start (a scrape before the first order shows them at 0).
    this.decisions.inc({ verdict: 'accepted', reason: 'none' }, 0);
    for (const r of REASON_NAMES) {
      this.decisions.inc({ verdict: 'rejected', reason: r }, 0);
      this.rejections.inc({ reason: r }, 0);
    }
    this.failovers.inc(0);
    this.tobRecords.inc({ flagged: 'true' }, 0);
    this.tobRecords.inc({ flagged: 'false' }, 0);
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'riskgate_process_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
