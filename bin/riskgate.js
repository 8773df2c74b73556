#!/usr/bin/env node
// Entry point: runs the bundled CLI (dist/cli.js, scripts/build-cli.mjs) when it is fresh, else
// the TypeScript CLI through tsx's ESM loader (no separate compile step).
// A SIGINT/SIGTERM that arrives while the loader and the command load is remembered, not
// fatal: src/cli.ts hands it to the command (`replay` stops gracefully and reports) or ends
// the process with 130 (src/signals.ts).
const early = { signal: undefined };
const remember = (sig) => {
  early.signal ??= sig;
};
process.on('SIGINT', remember);
process.on('SIGTERM', remember);
globalThis.__riskgateEarlySignals = { early, remember };
const { bundleFresh } = await import('./bundle-fresh.js');
const root = new URL('../', import.meta.url);
if (process.env.RISKGATE_TSX !== '1' && bundleFresh(root)) {
  await import(new URL('dist/cli.js', root).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
