/**
 * The runtime control plane shared by `riskgate replay` (src/control/replay-ops.ts) and
 * `riskgate run` (src/kafka/feed-run.ts): the limits mirror, metrics and live state, the
 * append-only audit log, the control queue and — with `--serve` — the HTTP server. The caller
 * owns the engine loop: it calls `queue.take(nextSeq)` before each engine call, `live.observe`
 * and `queue.confirm` after it.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { configBlob } from '../config/index.ts';
import { RiskgateError } from '../errors.ts';
import type { Logger } from '../log/index.ts';
import type { EngineStats } from '../engine/types.ts';
// Loaded when a plane starts (prom-client, fastify): a plain replay does not pay for them.
import type { Metrics } from '../metrics/index.ts';
import type { buildServer } from '../server/app.ts';
import { resolveToken } from '../server/auth.ts';
import { LiveState } from '../server/live.ts';
import { AuditWriter, newRunId } from './audit.ts';
import { DEFAULT_PORT } from './commands.ts';
import { RiskState } from './limits.ts';
import { ControlQueue } from './queue.ts';

export interface PlaneValues {
  serve?: boolean;
  port?: string;
  host?: string;
  'token-file'?: string;
  'allow-origin'?: string[];
  'audit-out'?: string;
  'public-metrics'?: boolean;
  config?: string;
}

export interface PlaneContext {
  /** What the run reads: a file path, or `kafka:<topic>`. */
  source: string;
  config: Config;
  backend: string;
  standby?: string;
  speed: string;
  log: Logger;
  /** Engine statistics for `/api/state` (may be called before the engine exists). */
  engine: { stats(): object };
  /** The audit run this run replays (`--audit-in`). */
  replayOf?: string;
}

export interface ControlPlane {
  run: string;
  state: RiskState;
  metrics: Metrics;
  live: LiveState;
  queue: ControlQueue;
  audit?: AuditWriter;
  server?: ReturnType<typeof buildServer>;
  url?: string;
  configSha256: string;
  /** Stops the server and closes the audit log. */
  close(): Promise<void>;
}

export function intOption(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new RiskgateError('USAGE', `--${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return n;
}

/** `--port`, `--host`, `--token-file`, `--allow-origin` only make sense with `--serve`. */
export { checkServeOptions } from './serve-options.ts';

export async function startControlPlane(v: PlaneValues, ctx: PlaneContext): Promise<ControlPlane> {
  const { log } = ctx;
  // Everything that can refuse the start (the port, the token) is checked before the audit log
  // is opened: a refused start writes nothing to it.
  const host = v.host ?? '127.0.0.1';
  const port = intOption(v.port, 'port', 0, 65535, DEFAULT_PORT);
  const tok = v.serve ? resolveToken({ tokenFile: v['token-file'], configPath: v.config }) : undefined;
  const [{ Metrics }, { buildServer, listen }] = await Promise.all([import('../metrics/index.ts'), import('../server/app.ts')]);
  const run = newRunId();
  const state = new RiskState(ctx.config);
  const metrics = new Metrics({ defaultMetrics: v.serve === true });
  metrics.engineStats = () => ctx.engine.stats() as EngineStats;
  const live = new LiveState(ctx.config, metrics, state, { file: ctx.source, backend: ctx.backend, standby: ctx.standby, run, speed: ctx.speed });
  const audit = v['audit-out'] ? new AuditWriter(v['audit-out']) : undefined;
  const configSha256 = createHash('sha256').update(configBlob(ctx.config)).digest('hex');
  audit?.write({ type: 'start', run, wallTime: new Date().toISOString(), file: ctx.source, backend: ctx.backend, ...(ctx.standby ? { standby: ctx.standby } : {}), configSha256, ...(ctx.replayOf ? { replayOf: ctx.replayOf } : {}) });
  const queue = new ControlQueue({ state, run, audit, log, onApplied: (e, c) => live.onControl(e, c) });

  let server: ReturnType<typeof buildServer> | undefined;
  let url: string | undefined;
  if (v.serve && tok) {
    server = buildServer({ live, queue, metrics, token: tok.token, host, log, engine: ctx.engine, extraOrigins: v['allow-origin'], publicMetrics: v['public-metrics'] === true });
    try {
      url = await listen(server.app, server.policy, host, port);
    } catch (e) {
      audit?.close();
      throw new RiskgateError('SERVICE_UNAVAILABLE', `cannot serve on ${host}:${port}: ${(e as Error).message}`);
    }
    if (tok.source === 'generated') process.stderr.write(`riskgate: API token: ${tok.token}\n`);
    process.stderr.write(`riskgate: serving ${url}/ (dashboard), ${url}/metrics; the API (reads and changes${v['public-metrics'] ? ', not /metrics and /health' : ', /metrics and /health'}) needs the bearer token (${tok.source === 'generated' ? 'generated, above' : `from ${tok.source}`})\n`);
    log.info({ event: 'serving', url, host, port: server.policy.port, tokenSource: tok.source }, 'control server listening');
  }
  let closed = false;
  return {
    run, state, metrics, live, queue, audit, server, url, configSha256,
    async close() {
      if (closed) return;
      closed = true;
      queue.close();
      await server?.app.close();
      audit?.close();
    },
  };
}
