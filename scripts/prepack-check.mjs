#!/usr/bin/env node
// `npm pack` / `npm publish` guard (package.json "prepack"): the package ships the prebuilt
// Rust engine for linux-x64 and the Verilator model, which the checkout builds (npm run
// bootstrap); refuse to pack without them rather than produce a package that cannot run.
import { existsSync, statSync } from 'node:fs';
import { buildCli, cliBundleFresh } from './build-cli.mjs';

const NEED = [
  ['native/riskgate-napi.linux-x64-gnu.node', 'the Rust engine for linux-x64 (npm run build:native)'],
  ['native/native.d.ts', "the engine's generated TypeScript declarations (npm run build:native)"],
  ['sim/build/libriskgate_sim.so', 'the Verilator model of the hardware pipeline (npm run build:sim, needs verilator)'],
];
const missing = NEED.filter(([f]) => !existsSync(f) || statSync(f).size === 0);
if (missing.length > 0) {
  for (const [f, what] of missing) console.error(`prepack: missing ${f}: ${what}`);
  console.error('prepack: run `npm run bootstrap` (builds both) and pack again');
  process.exit(1);
}

// The bundled command line the installed `riskgate` runs (dist/, scripts/build-cli.mjs).
if (!cliBundleFresh()) await buildCli();
