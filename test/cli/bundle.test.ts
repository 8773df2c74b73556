/**
 * The bundled command line (scripts/build-cli.mjs → dist/cli.js) is the same program as the
 * TypeScript sources run through tsx: the same reports, errors and exit codes, with every path
 * a module resolves from its own location (config, native module, web/, the clearing worker)
 * still found. bin/riskgate.js runs it only while it is fresh (bin/bundle-fresh.js): a source
 * file changed after the build sends the launcher back to tsx.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript modules without declarations
import { bundleFresh } from '../../bin/bundle-fresh.js';
// @ts-expect-error plain JavaScript modules without declarations
import { buildCli } from '../../scripts/build-cli.mjs';
import { BIN, ROOT, SAMPLE } from './run-cli.ts';

/** A bundle of this test's own (dist/ belongs to the checkout's launcher). */
const OUT = join(ROOT, '.cache', 'test-cli-bundle');

function run(entry: string[], args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...entry, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const bundled = (args: string[]) => run([join(OUT, 'cli.js')], args);
const viaTsx = (args: string[]) => run([BIN], args, { RISKGATE_TSX: '1' });

/** A replay report without what depends on the clock. */
function timeless(stdout: string) {
  const j = JSON.parse(stdout);
  delete j.throughput;
  delete j.latency;
  delete j.clearing?.seconds;
  return j;
}

describe('the bundled command line', () => {
  beforeAll(async () => {
    await buildCli(OUT);
  }, 120_000);

  it('replays with the same report as the sources through tsx, clearing worker and config included', () => {
    const args = ['replay', 'data/demo.itch.gz', '--json'];
    const a = bundled(args);
    const b = viaTsx(args);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const ja = timeless(a.stdout);
    expect(ja.clearing.executions).toBeGreaterThan(0);
    expect(ja).toEqual(timeless(b.stdout));
  }, 120_000);

  it('gives the same text, errors and exit codes', () => {
    for (const args of [['--version'], ['inspect', SAMPLE], ['replay', 'no-such-file.itch'], ['replay', SAMPLE, '--speed', 'fast'], ['nope']]) {
      const a = bundled(args);
      const b = viaTsx(args);
      expect([a.status, a.stdout, a.stderr], args.join(' ')).toEqual([b.status, b.stdout, b.stderr]);
    }
  }, 120_000);

  it('is run by the launcher only while no source file changed after the build', () => {
    const root = mkdtempSync(join(tmpdir(), 'rg-bundle-'));
    mkdirSync(join(root, 'dist'));
    mkdirSync(join(root, 'src'));
    const a = join(root, 'src', 'a.ts');
    writeFileSync(a, 'export const a = 1;\n');
    const url = pathToFileURL(`${root}/`);
    expect(bundleFresh(url), 'no bundle').toBe(false);
    const builtAtMs = Date.now();
    const inputs = (files: Record<string, string>) => writeFileSync(join(root, 'dist', 'cli-inputs.json'), JSON.stringify({ builtAtMs, inputs: files }));
    inputs({ 'src/a.ts': createHash('sha1').update('export const a = 1;\n').digest('hex') });
    const at = (ms: number) => utimesSync(a, new Date(ms), new Date(ms));
    at(builtAtMs - 5000);
    expect(bundleFresh(url), 'sources older than the build').toBe(true);
    at(builtAtMs + 5000);
    expect(bundleFresh(url), 'touched after the build (an install), same content').toBe(true);
    writeFileSync(a, 'export const a = 2;\n');
    at(builtAtMs + 5000);
    expect(bundleFresh(url), 'a source edited after the build').toBe(false);
    at(builtAtMs - 5000);
    expect(bundleFresh(url), 'edited, with an older time: taken as built (mtime first)').toBe(true);
    inputs({ 'src/gone.ts': '0' });
    expect(bundleFresh(url), 'a source removed').toBe(false);
  });
});
