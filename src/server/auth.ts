/**
 * Protection of the control surface: a bearer token on every state-changing call (compared in
 * constant time), a check of the Origin header (a page from another origin must not drive the
 * API with the operator's browser), and a Host check while bound to loopback (so a DNS
 * rebinding page cannot reach it under a name of its own).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RiskgateError } from '../errors.ts';

export type AuthResult = 'ok' | 'missing' | 'wrong';

export class TokenAuth {
  private readonly digest: Buffer;
  constructor(token: string) {
    this.digest = createHash('sha256').update(token).digest();
  }

  /** Checks an Authorization header value: `Bearer <token>`. */
  check(header: string | undefined): AuthResult {
    if (!header) return 'missing';
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m) return 'missing';
    const given = createHash('sha256').update(m[1]).digest();
    return timingSafeEqual(given, this.digest) ? 'ok' : 'wrong';
  }
}

export interface TokenSource {
  token: string;
  source: 'env' | 'file' | 'config' | 'generated';
}

/**
 * The API token: `--token-file`, else RISKGATE_TOKEN, else the config's `server.token`, else a
 * fresh random one (the caller prints it to stderr).
 */
export function resolveToken(opts: { tokenFile?: string; configPath?: string }): TokenSource {
  if (opts.tokenFile) {
    let t: string;
    try {
      t = readFileSync(opts.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new RiskgateError('USAGE', `cannot read token file ${opts.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return { token: checkToken(t, opts.tokenFile), source: 'file' };
  }
  const env = process.env.RISKGATE_TOKEN;
  if (env !== undefined && env !== '') return { token: checkToken(env, 'RISKGATE_TOKEN'), source: 'env' };
  if (opts.configPath) {
    try {
      const j = JSON.parse(readFileSync(opts.configPath, 'utf8')) as { server?: { token?: unknown } };
      const t = j.server?.token;
      if (typeof t === 'string' && t !== '') return { token: checkToken(t, `${opts.configPath} server.token`), source: 'config' };
    } catch {
      /* the config loader reports unreadable configs */
    }
  }
  return { token: randomBytes(24).toString('base64url'), source: 'generated' };
}

function checkToken(t: string, where: string): string {
  if (t.length < 16 || /\s/.test(t)) throw new RiskgateError('USAGE', `the API token from ${where} must be at least 16 characters without spaces`);
  return t;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Host part of a Host header (`name:port`, `[v6]:port`). */
function hostName(h: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (m) return m[1];
  const i = h.lastIndexOf(':');
  return (i >= 0 && h.indexOf(':') === i ? h.slice(0, i) : h).toLowerCase();
}

export class OriginPolicy {
  port = 0;
  constructor(
    readonly bindHost: string,
    /** Extra allowed origins (e.g. a reverse proxy's), exact `scheme://host[:port]`. */
    readonly extraOrigins: readonly string[] = [],
  ) {}

  private names(): Set<string> {
    const s = new Set(['127.0.0.1', 'localhost', '::1']);
    if (!isLoopback(this.bindHost) && this.bindHost !== '0.0.0.0' && this.bindHost !== '::') s.add(this.bindHost.toLowerCase());
    return s;
  }

  /** True when a request's Host header is acceptable (always, unless bound to loopback). */
  hostOk(host: string | undefined): boolean {
    if (!isLoopback(this.bindHost)) return true;
    if (!host) return false;
    const n = hostName(host);
    return LOOPBACK_NAMES.has(n) || /^127\.\d+\.\d+\.\d+$/.test(n);
  }

  /**
   * Origin check of a state-changing call: no Origin (curl, the CLI) is fine; otherwise it
   * must be this server's own origin. Returns the reason when refused.
   */
  originRefusal(origin: string | undefined, secFetchSite: string | undefined): string | null {
    if (secFetchSite === 'cross-site') return 'cross-site request';
    if (origin === undefined) return null;
    if (this.extraOrigins.includes(origin)) return null;
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return `foreign origin ${origin}`;
    }
    const name = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
    if (u.protocol !== 'http:' || port !== this.port) return `foreign origin ${origin}`;
    if (this.names().has(name) || (isLoopback(name) && isLoopback(this.bindHost))) return null;
    if (!isLoopback(this.bindHost) && (this.bindHost === '0.0.0.0' || this.bindHost === '::')) return `foreign origin ${origin} (set --allow-origin when serving on all interfaces)`;
    return `foreign origin ${origin}`;
  }
}
