/**
 * The `--serve` family of options (runtime controls, audit log, logs) as parseArgs specs and
 * usage text, and the check that the server's options come with `--serve`. Kept apart from the
 * control plane itself (src/control/plane.ts: HTTP server, metrics, dashboard) so that a
 * command can parse them without loading the plane: `riskgate run` loads it only when asked.
 */
import { RiskgateError } from '../errors.ts';

export const SERVE_OPTIONS = {
  serve: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'token-file': { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'public-metrics': { type: 'boolean' },
  'audit-out': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export const SERVE_USAGE = '[--serve [--port N] [--host 127.0.0.1] [--token-file f] [--allow-origin O] [--public-metrics]] [--audit-out audit.jsonl] [--log-level info]';

/** `--port`, `--host`, … without `--serve` is a usage error. */
export function checkServeOptions(v: { serve?: boolean; port?: string; host?: string; hold?: boolean; 'token-file'?: string; 'allow-origin'?: string[]; 'public-metrics'?: boolean }): void {
  if (v.serve) return;
  for (const k of ['port', 'host', 'hold', 'token-file', 'allow-origin', 'public-metrics'] as const) {
    if (v[k] !== undefined) throw new RiskgateError('USAGE', `--${k} needs --serve`);
  }
}
