/**
 * The control plane's HTTP server (fastify): health, live state, Prometheus metrics, the
 * dashboard, and the state-changing calls (kill switches, limits) that become in-band
 * control messages. Every state-changing call passes, in this order: the Origin check (403),
 * the bearer token (401), then validation of the change (400) — a refused call changes
 * nothing and is logged.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../log/index.ts';
import { ChangeError, displayUnit, displayValue, type ChangeRequest } from '../control/limits.ts';
import { QueueClosedError, type ControlQueue, type Who } from '../control/queue.ts';
import type { Metrics } from '../metrics/index.ts';
import { OriginPolicy, TokenAuth } from './auth.ts';
import { redactUrl } from './redact.ts';
import type { LiveState } from './live.ts';

export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  // The generated contract (npm run contract) the dashboard imports: reason names and the like.
  '/contract.js': { file: 'contract.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ServerOptions {
  live: LiveState;
  queue: ControlQueue;
  metrics: Metrics;
  token: string;
  host: string;
  log: Logger;
  engine?: { stats(): object };
  extraOrigins?: string[];
  /** How long a POST waits for its change to reach the engine before answering 202. */
  applyTimeoutMs?: number;
  webDir?: string;
  /** `--public-metrics`: `/metrics` and `/health` answer without the token (read-only, no positions or limits). */
  publicMetrics?: boolean;
}

/** Paths anyone may GET: the dashboard's static files (they hold no data and no token). */
const PUBLIC_ASSETS = new Set(['/favicon.ico', ...Object.keys(ASSETS)]);
/** Paths `--public-metrics` opens for reading without the token. */
const PUBLIC_METRICS = new Set(['/metrics', '/health']);

function operator(req: FastifyRequest): string {
  const h = req.headers['x-riskgate-operator'];
  const v = Array.isArray(h) ? h[0] : h;
  return v && /^[\w.@+-]{1,64}$/.test(v) ? v : 'unknown';
}

export function buildServer(o: ServerOptions): { app: FastifyInstance; policy: OriginPolicy } {
  // Fastify's own request logs show the URL redacted too.
  const serializers = { req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }) };
  const app = Fastify({ loggerInstance: o.log.child({ component: 'http' }, { level: 'warn', serializers }) as unknown as FastifyBaseLogger, bodyLimit: 4096 });
  const auth = new TokenAuth(o.token);
  const policy = new OriginPolicy(o.host, o.extraOrigins ?? []);
  const webDir = o.webDir ?? WEB_DIR;
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const [path, a] of Object.entries(ASSETS)) assets.set(path, { body: readFileSync(webDir + a.file), type: a.type });

  const refuse = (req: FastifyRequest, reply: FastifyReply, code: 401 | 403, reason: string, event: string) => {
    o.live.authFailures++;
    o.metrics.authFailures.inc({ reason: event });
    const url = redactUrl(req.url);
    o.log.warn({ event: 'control_refused', status: code, reason, ip: req.ip, method: req.method, url, operator: operator(req) }, `refused ${req.method} ${url}: ${reason}`);
    if (code === 401) reply.header('www-authenticate', 'Bearer realm="riskgate"');
    return reply.code(code).send({ error: code === 401 ? 'unauthorized' : 'forbidden', reason });
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!policy.hostOk(req.headers.host)) {
      o.log.warn({ event: 'bad_host', host: req.headers.host, ip: req.ip, url: redactUrl(req.url) }, 'request with an unexpected Host header refused');
      return reply.code(403).send({ error: 'forbidden', reason: 'unexpected Host header' });
    }
    if (!STATE_CHANGING.has(req.method)) {
      // Reads: the dashboard's files are public; state, audit (and by default metrics, health) need the token.
      const path = req.url.split('?')[0];
      if (PUBLIC_ASSETS.has(path) || (o.publicMetrics && PUBLIC_METRICS.has(path))) return;
      const r = auth.check(req.headers.authorization);
      if (r !== 'ok') return refuse(req, reply, 401, r === 'missing' ? 'missing bearer token' : 'wrong token', r === 'missing' ? 'missing_token' : 'wrong_token');
      return;
    }
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    const why = policy.originRefusal(origin, Array.isArray(site) ? site[0] : site);
    if (why) return refuse(req, reply, 403, why, 'origin');
    const a = auth.check(req.headers.authorization);
    if (a !== 'ok') return refuse(req, reply, 401, a === 'missing' ? 'missing bearer token' : 'wrong token', a === 'missing' ? 'missing_token' : 'wrong_token');
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const url = redactUrl(req.url);
    if (status >= 500) o.log.error({ event: 'http_error', err, url }, 'request failed');
    else o.log.warn({ event: 'bad_request', status, reason: err.message, url, ip: req.ip }, `refused ${req.method} ${url}: ${err.message}`);
    return reply.code(status).send({ error: status === 400 ? 'bad_request' : status >= 500 ? 'internal' : 'refused', reason: status >= 500 ? 'internal error' : err.message });
  });

  for (const [path, a] of assets) {
    app.get(path, async (_req, reply) => reply.type(a.type).header('content-security-policy', CSP).send(a.body));
  }
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  app.get('/health', async () => ({ status: 'ok', run: o.live.status, lastSeq: o.live.lastSeq, accepting: o.queue.isOpen }));
  app.get('/api/state', async () => o.live.snapshot(o.engine, { pendingControls: o.queue.pendingCount, accepting: o.queue.isOpen }));
  app.get('/api/audit', async () => ({ run: o.queue.run, controls: o.queue.history }));
  app.get('/metrics', async (_req, reply) => reply.type(o.metrics.contentType).send(await o.metrics.text()));

  const change = (build: (b: Record<string, unknown>) => ChangeRequest, allowed: string[]) => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body;
    const bad = (reason: string) => {
      const url = redactUrl(req.url);
      o.log.warn({ event: 'control_refused', status: 400, reason, ip: req.ip, url, operator: operator(req) }, `refused ${url}: ${reason}`);
      return reply.code(400).send({ error: 'bad_request', reason });
    };
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return bad('expected a JSON object');
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) return bad(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`);
    const who: Who = { who: operator(req), via: 'http', addr: req.ip };
    let sub;
    try {
      sub = o.queue.submit(build(b), who);
    } catch (e) {
      if (e instanceof ChangeError) return bad(e.reason);
      if (e instanceof QueueClosedError) return reply.code(409).send({ error: 'conflict', reason: e.message });
      throw e;
    }
    const q = req.query as Record<string, string | undefined>;
    const wait = q.wait !== '0';
    const c = sub.change;
    const queued = { status: 'queued', what: c.what, target: c.targetName, value: displayValue(c.op, c.value), unit: displayUnit(c.op), valueEngineUnits: c.value.toString() };
    if (!wait) return reply.code(202).send(queued);
    let timer: NodeJS.Timeout | undefined;
    try {
      const entry = await Promise.race([
        sub.applied,
        new Promise<null>((r) => {
          timer = setTimeout(() => r(null), o.applyTimeoutMs ?? 10_000);
        }),
      ]);
      if (entry === null) return reply.code(202).send(queued);
      return reply.code(200).send({ status: 'applied', control: entry });
    } catch (e) {
      return reply.code(e instanceof QueueClosedError ? 409 : 500).send({ error: e instanceof QueueClosedError ? 'conflict' : 'refused_by_engine', reason: (e as Error).message });
    } finally {
      clearTimeout(timer);
    }
  };

  app.post('/api/kill', change((b) => ({ kind: 'kill', symbol: b.symbol, account: b.account, on: b.on }), ['on', 'symbol', 'account']));
  app.post('/api/limit', change((b) => ({ kind: 'limit', symbol: b.symbol, account: b.account, limit: b.limit, value: b.value }), ['symbol', 'account', 'limit', 'value']));
  app.post('/api/clear-collision', change((b) => ({ kind: 'clearCollision', symbol: b.symbol }), ['symbol']));

  return { app, policy };
}

/** Starts the server; returns its base URL. */
export async function listen(app: FastifyInstance, policy: OriginPolicy, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const addr = app.server.address();
  const p = typeof addr === 'object' && addr ? addr.port : port;
  policy.port = p;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${p}`;
}
