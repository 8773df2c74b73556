#!/usr/bin/env node
// Builds the bundled command line, dist/cli.js (+ its lazily loaded chunks): src/cli.ts and
// everything it imports from src/, compiled once by esbuild, so that `riskgate` starts without
// tsx's loader compiling ~150 TypeScript modules at every run (~0.3 s of CPU a start). The npm
// packages stay external (node_modules, as installed), and each module's `import.meta.url` is
// its own source file's URL, so paths resolved relative to a module (config/, native/, web/,
// workers) are those of the unbundled tree. dist/cli-inputs.json lists the source files and
// their SHA-1s; the
// launcher (bin/riskgate.js) runs the bundle only when none of them changed since the build
// (bin/bundle-fresh.js), and tsx otherwise. Run by scripts/bootstrap.sh and `npm pack`
// (`--if-stale`: only when not fresh); `--check` only says whether dist/ is fresh. esbuild is
// tsx's own (a dependency of it).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleFresh } from '../bin/bundle-fresh.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = resolve(ROOT, 'dist');

/** Each source module's own URL where it says `import.meta.url` (the bundle lives in `outDir`). */
const ownUrl = (outDir) => ({
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const fromDist = relative(outDir, args.path).split('\\').join('/');
      const contents = source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`);
      return { contents, loader: 'ts' };
    });
  },
});

/** Builds the bundle into `outDir` (dist/; a test builds one of its own under .cache/). */
export async function buildCli(outDir = DIST) {
  const esbuild = await import('esbuild');
  const builtAtMs = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const r = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
    plugins: [ownUrl(outDir)],
    define: { __RISKGATE_WORKER_BUNDLE__: JSON.stringify(relative(resolve(ROOT, 'src/clearing'), resolve(outDir, 'embedded-worker.cjs')).split('\\').join('/')) },
  });
  // The clearing worker's code (src/clearing/embedded.ts, `workerBundle`), which the replay
  // would otherwise build with esbuild at every start: one CommonJS file beside the bundle.
  const worker = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/clearing/embedded-worker.ts'],
    outfile: resolve(outDir, 'embedded-worker.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
  });
  // Our sources only: installed packages are where npm put them (not under this root once installed).
  const files = [...new Set([...Object.keys(r.metafile.inputs), ...Object.keys(worker.metafile.inputs)])].filter((f) => !f.includes('node_modules/')).sort();
  const inputs = Object.fromEntries(files.map((f) => [f, createHash('sha1').update(readFileSync(resolve(ROOT, f))).digest('hex')]));
  writeFileSync(resolve(outDir, 'cli-inputs.json'), `${JSON.stringify({ builtAtMs, inputs }, null, 1)}\n`);
  console.log(`build-cli: ${relative(ROOT, outDir)}/cli.js from ${files.length} source files`);
}

export const cliBundleFresh = () => bundleFresh(pathToFileURL(`${ROOT}/`));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const fresh = cliBundleFresh();
    console.log(fresh ? 'build-cli: dist/ is fresh' : 'build-cli: dist/ is missing or stale');
    process.exit(fresh ? 0 : 1);
  }
  if (!process.argv.includes('--if-stale') || !cliBundleFresh()) await buildCli();
}
