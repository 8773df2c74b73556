/**
 * Signals that arrive before a command has its own handlers: bin/riskgate.js remembers a
 * SIGINT/SIGTERM from the first moment (while tsx and the command load). `takeEarlySignal`
 * removes that handler and says which signal came, if any.
 */
interface EarlySignals {
  early: { signal?: NodeJS.Signals };
  remember: (sig: NodeJS.Signals) => void;
}

export function takeEarlySignal(): NodeJS.Signals | undefined {
  const g = (globalThis as { __riskgateEarlySignals?: EarlySignals }).__riskgateEarlySignals;
  if (!g) return undefined;
  process.off('SIGINT', g.remember);
  process.off('SIGTERM', g.remember);
  (globalThis as { __riskgateEarlySignals?: EarlySignals }).__riskgateEarlySignals = undefined;
  return g.early.signal;
}
