/**
 * Operations around `riskgate replay`: runtime controls (queue + audit log), the HTTP server
 * and dashboard, Prometheus metrics, structured logs, and the hot-standby engine pair with
 * fault injection. `replay` calls `startOps` with its parsed options and gets back the engine
 * to use and three hooks for the replay loop; with none of these options it is a thin
 * pass-through (no hooks, the plain engine).
 */
import { once } from 'node:events';
import type { Config } from '../config/index.ts';
import { configBlob } from '../config/index.ts';
import { createEngine } from '../engine/create.ts';
import type { Engine } from '../engine/types.ts';
import { RiskgateError } from '../errors.ts';
import { FailoverEngine } from '../failover/engine.ts';
import type { EngineExtras } from '../failover/fault.ts';
import { FaultInjectingEngine, parseInjection, type Injection } from '../failover/inject.ts';
import { createLogger, type Logger } from '../log/index.ts';
import type { ReplayOptions, ReplayResult } from '../replay/run.ts';
import { LiveClearing } from '../server/clearing.ts';
import { LiveState } from '../server/live.ts';
import type { Batch } from '../source/file.ts';
import { controlSummary, readAuditRun, type AuditRun } from './audit.ts';
import { checkServeOptions, intOption, startControlPlane } from './plane.ts';
import { SERVE_OPTIONS } from './serve-options.ts';
import { splitBatchesAt } from './frames.ts';
import { GLOBAL_TARGET } from './limits.ts';
import type { ControlQueue } from './queue.ts';

/** parseArgs options of the ops features (spread into the replay command's options). */
/** The control-plane subset (server, token, audit log, logs), shared with `riskgate run`. */
export { SERVE_OPTIONS, SERVE_USAGE } from './serve-options.ts';

export const OPS_OPTIONS = {
  ...SERVE_OPTIONS,
  hold: { type: 'boolean' },
  'audit-in': { type: 'string' },
  'audit-run': { type: 'string' },
  standby: { type: 'string' },
  'inject-fault': { type: 'string', multiple: true },
  'inject-hang': { type: 'string', multiple: true },
  'hang-timeout-ms': { type: 'string' },
} as const;

export const OPS_USAGE =
  '[--serve [--port N] [--host 127.0.0.1] [--hold] [--token-file f] [--public-metrics]] [--audit-out audit.jsonl] [--audit-in audit.jsonl [--audit-run ID]] ' +
  '[--standby rust] [--inject-fault B@SEQ] [--inject-hang B@SEQ] [--hang-timeout-ms N] [--log-level info]';


export interface OpsValues {
  serve?: boolean;
  port?: string;
  host?: string;
  hold?: boolean;
  'token-file'?: string;
  'allow-origin'?: string[];
  'public-metrics'?: boolean;
  'audit-out'?: string;
  'audit-in'?: string;
  'audit-run'?: string;
  standby?: string;
  'inject-fault'?: string[];
  'inject-hang'?: string[];
  'hang-timeout-ms'?: string;
  'log-level'?: string;
  config?: string;
  speed?: string;
}

export type ReplayHooks = Pick<ReplayOptions, 'beforeProcess' | 'afterProcess' | 'batches'>;

export interface Ops {
  engine: Engine;
  hooks: ReplayHooks;
  /** Adds the ops sections to the report; writes the audit end line. */
  finish(result: ReplayResult, report: Record<string, unknown>): Promise<void>;
  /** Records a failed run. */
  fail(e: unknown): void;
  /** With --hold, serves until SIGINT/SIGTERM; then stops the server and closes the audit log. */
  close(): Promise<void>;
  url?: string;
}

function engineLastSeq(e: unknown): number | undefined {
  const x = e as { lastSeq?: unknown; native?: { lastSeq?: unknown } };
  const v = x.lastSeq ?? x.native?.lastSeq;
  return typeof v === 'number' ? v : undefined;
}

/** Builds the engine: the backend, wrapped for failover (standby, injected faults) when asked. */
function buildEngine(backend: string, v: OpsValues, blob: Buffer, log: Logger, live: () => LiveState | undefined, onDivergence: (seq: number) => void): { engine: Engine; failover?: FailoverEngine } {
  const injections: Injection[] = [...(v['inject-fault'] ?? []).map((s) => parseInjection('fault', s)), ...(v['inject-hang'] ?? []).map((s) => parseInjection('hang', s))];
  const hangTimeoutMs = intOption(v['hang-timeout-ms'], 'hang-timeout-ms', 1, 600_000, 200);
  if (!v.standby && injections.length === 0) return { engine: createEngine(backend, blob) };
  const wrap = (e: Engine, role: 'primary' | 'standby'): Engine & EngineExtras => {
    let out: Engine & EngineExtras = e;
    for (const inj of injections) {
      const mine = inj.who === role || (inj.who === backend && role === 'primary') || (inj.who === v.standby && role === 'standby' && inj.who !== backend);
      if (mine) out = new FaultInjectingEngine(out, inj, hangTimeoutMs);
    }
    return out;
  };
  for (const inj of injections) {
    if (inj.who !== 'primary' && inj.who !== 'standby' && inj.who !== backend && inj.who !== v.standby) {
      throw new RiskgateError('USAGE', `--inject-${inj.kind} ${inj.who}@${inj.seq}: no engine ${JSON.stringify(inj.who)} in this run (primary ${backend}${v.standby ? `, standby ${v.standby}` : ''})`);
    }
  }
  const primary = wrap(createEngine(backend, blob), 'primary');
  const standby = v.standby ? wrap(createEngine(v.standby, blob), 'standby') : undefined;
  const failover = new FailoverEngine(primary, standby, {
    hangTimeoutMs,
    log,
    onFailover: (e) => live()?.onFailover(e),
    onDivergence,
    onStandbyLost: (msg) => {
      const l = live();
      if (l) l.standbyLost = msg;
    },
  });
  return { engine: failover, failover };
}

export async function startOps(v: OpsValues, ctx: { file: string; config: Config; backend: string; json: boolean; signal?: AbortSignal }): Promise<Ops> {
  const active = v.serve || v['audit-out'] || v['audit-in'] || v.standby || (v['inject-fault']?.length ?? 0) > 0 || (v['inject-hang']?.length ?? 0) > 0;
  checkServeOptions(v);
  if (v['audit-run'] !== undefined && !v['audit-in']) throw new RiskgateError('USAGE', '--audit-run needs --audit-in');
  let log: Logger;
  try {
    log = createLogger({ level: v['log-level'] });
  } catch (e) {
    throw new RiskgateError('USAGE', (e as Error).message);
  }
  const blob = configBlob(ctx.config);
  let live: LiveState | undefined;
  let queue: ControlQueue | undefined;
  const onDivergence = (seq: number) => {
    if (live) live.divergences++;
    // Fail closed: stop trading at the next boundary until an operator releases the switch.
    queue?.submit({ kind: 'kill', on: true }, { who: 'failover', via: 'failover' });
    log.error({ event: 'fail_closed', seq }, 'shadow divergence: global kill switch engaged');
  };
  const { engine, failover } = buildEngine(ctx.backend, v, blob, log, () => live, onDivergence);
  if (!active) {
    return { engine, hooks: {}, finish: async () => {}, fail: () => {}, close: async () => {} };
  }

  let auditIn: AuditRun | undefined;
  if (v['audit-in']) auditIn = readAuditRun(v['audit-in'], v['audit-run']);
  const plane = await startControlPlane(v, {
    source: ctx.file, config: ctx.config, backend: ctx.backend, standby: v.standby, speed: v.speed ?? 'max', log,
    engine, replayOf: auditIn?.run,
  });
  const { run, metrics, audit, server, url } = plane;
  live = plane.live;
  const l = live;
  if (v.serve) l.clearing = new LiveClearing(ctx.config, 2, 256, (w, lag) => metrics.clearingLag.set({ worker: w }, lag));
  if (auditIn?.start && auditIn.start.configSha256 !== plane.configSha256) {
    log.warn({ event: 'audit_config_differs', run: auditIn.run }, 'the audit run was recorded with another config; the records will differ');
  }
  queue = plane.queue;
  const q = queue;
  if (auditIn) q.schedule(auditIn);

  let lastYield = Date.now();
  const hooks: ReplayHooks = {
    batches: auditIn && auditIn.controls.length > 0 ? (src: AsyncIterable<Batch>) => splitBatchesAt(src, q.scheduledSeqs()) : undefined,
    beforeProcess: async (batch: Batch): Promise<Batch> => {
      if (l.status === 'starting') l.status = 'running';
      // Keep the server responsive when replaying at full speed.
      if (server && Date.now() - lastYield > 20) {
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
      let next = batch.firstSeq;
      const eng = engineLastSeq(failover ?? engine);
      if (eng !== undefined && eng + 1 !== next) {
        log.warn({ event: 'seq_mismatch', batchFirstSeq: next, engineNextSeq: eng + 1 }, 'the reader and the engine disagree on the next seq; using the engine\'s');
        next = eng + 1;
      }
      const ctl = q.take(next);
      return ctl ? { ...batch, frames: Buffer.concat([ctl, batch.frames]) } : batch;
    },
    afterProcess: (records: Buffer, batch: Batch, engineNs: number) => {
      const sources = failover ? failover.lastSources : [{ source: engine.backend, role: 'primary' as const, records: records.length / 32 }];
      l.observe(records, batch, engineNs, sources);
      q.confirm(records);
      const cycles = (failover ?? (engine as Engine & EngineExtras)).drainLatencyCycles?.();
      if (cycles) for (let i = 0; i < cycles.length; i++) metrics.hwLatencyCycles.observe(cycles[i]);
    },
  };

  let closed = false;
  const ops: Ops = {
    engine,
    hooks,
    url,
    async finish(result, report) {
      // What is still queued is refused explicitly (its caller gets 409), never dropped silently.
      const refused = q.pendingCount;
      q.close(result.interrupted ? `the replay was interrupted (${String(ctx.signal?.reason ?? 'signal')}) before seq ${result.interrupted.beforeSeq}` : 'the replay has ended');
      if (refused > 0) {
        report.controlsRefused = refused;
        log.warn({ event: 'controls_refused_at_end', count: refused }, 'queued controls refused: the replay ended before they could be applied');
      }
      // The engine closes after the run; /metrics (e.g. with --hold) keeps its final counters.
      plane.metrics.engineStats = () => result.stats;
      l.status = 'done';
      l.endedAt = new Date().toISOString();
      await l.clearing?.idle();
      audit?.write({ type: 'end', run, wallTime: l.endedAt, messages: result.stats.messages, controls: q.history.length, recordsSha256: result.recordsSha256, status: result.interrupted ? 'interrupted' : 'ok', ...(result.interrupted ? { beforeSeq: result.interrupted.beforeSeq } : {}) });
      report.run = run;
      report.controlsApplied = q.history.map(controlSummary);
      if (auditIn) {
        report.auditIn = {
          run: auditIn.run,
          controls: auditIn.controls.length,
          unapplied: q.unapplied,
          recordedSha256: auditIn.end?.recordsSha256,
          matches: auditIn.end ? auditIn.end.recordsSha256 === result.recordsSha256 : undefined,
        };
      }
      if (audit) report.auditOut = audit.path;
      if (failover) {
        report.failover = {
          primary: ctx.backend,
          standby: v.standby,
          active: failover.activeRole,
          events: failover.events,
          divergences: failover.divergences,
          recordsBySource: Object.fromEntries(l.recordsBySource),
        };
      }
      if (url) report.served = url;
      log.info({ event: 'run_end', run, messages: result.stats.messages, recordsSha256: result.recordsSha256, controls: q.history.length, failovers: failover?.events.length ?? 0 }, 'replay finished');
    },
    fail(e) {
      q.close('the replay failed');
      l.status = 'failed';
      l.error = (e as Error)?.message ?? String(e);
      l.endedAt = new Date().toISOString();
      audit?.write({ type: 'end', run, wallTime: l.endedAt, messages: l.messages, controls: q.history.length, recordsSha256: '', status: 'failed' });
    },
    async close() {
      if (closed) return;
      closed = true;
      q.close();
      // The replay command handles SIGINT/SIGTERM from its start (ctx.signal): a signal during
      // the run ends the hold too, and one during the hold can never find no handler.
      const signal = ctx.signal;
      if (server && v.hold && !signal?.aborted) {
        process.stderr.write(`riskgate: run finished; still serving ${url}/ — Ctrl-C to stop\n`);
        if (signal) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        else await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      }
      await plane.close();
    },
  };
  return ops;
}

/** The ops part of the text report: the run, its controls, and whether an audit replay matched. */
export function opsText(report: Record<string, unknown>): string {
  const lines: string[] = [];
  const pad = (s: string) => s.padEnd(14);
  if (report.run) {
    const applied = (report.controlsApplied as unknown[] | undefined)?.length ?? 0;
    const refused = Number(report.controlsRefused ?? 0);
    lines.push(`${pad('run')}${String(report.run)}: ${applied} control${applied === 1 ? '' : 's'} applied${refused ? `, ${refused} refused (queued when the run ended)` : ''}${report.auditOut ? `; audit log ${String(report.auditOut)}` : ''}`);
  }
  const a = report.auditIn as { run: string; controls: number; unapplied: number; recordedSha256?: string; matches?: boolean } | undefined;
  if (a) {
    const verdict =
      a.matches === true ? 'the records digest MATCHES the recorded run'
      : a.matches === false ? `the records digest DIFFERS from the recorded run (recorded ${a.recordedSha256}, now ${String(report.recordsSha256)})`
      : 'the digest cannot be compared: the recorded run has no end line';
    lines.push(`${pad('audit replay')}run ${a.run}, ${a.controls} recorded control${a.controls === 1 ? '' : 's'}${a.unapplied ? ` (${a.unapplied} beyond the input, not applied)` : ''}: ${verdict}`);
  }
  return lines.length ? `\n${lines.join('\n')}\n` : '';
}

export { GLOBAL_TARGET };
