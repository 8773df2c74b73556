/**
 * The gateway's options from a validated config (`orderEntry`, docs/config.md): sessions,
 * listening address, timing, and the config's symbols as the ones orders may name.
 */
import type { Config } from '../config/index.ts';
import type { Decider, GatewayOptions } from './gateway.ts';

export function gatewayOptions(cfg: Config, decide: Decider): GatewayOptions {
  const oe = cfg.orderEntry;
  if (!oe) throw new Error(`config ${cfg.source} has no orderEntry section (docs/config.md)`);
  return {
    sessions: oe.sessions,
    decide,
    host: oe.host,
    port: oe.port,
    sessionName: oe.sessionName,
    timing: { heartbeatMs: oe.heartbeatMs, timeoutMs: oe.timeoutMs, loginTimeoutMs: oe.loginTimeoutMs },
    symbols: cfg.symbols.map((s) => s.symbol),
  };
}
