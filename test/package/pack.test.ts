/**
 * `npm pack` makes a package that installs and runs on a fresh machine of this kind: it ships the
 * prebuilt engine, the Verilator model and everything the CLI reads at run time, declares the
 * Node versions it supports, and `npm i -g` of it runs `riskgate replay` from outside the
 * checkout (scripts/pack-install.sh, also a CI step).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';

interface PackFile {
  path: string;
  size: number;
}

function dryRun(): { size: number; files: PackFile[] } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--silent'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out)[0];
}

describe('the npm package', () => {
  it('ships the prebuilt linux-x64 engine, its generated types, the Verilator model and what the CLI reads at run time, and no sources of the engines or tests', () => {
    const { size, files } = dryRun();
    const paths = new Set(files.map((f) => f.path));
    for (const p of [
      'bin/riskgate.js', 'dist/cli.js', 'dist/cli-inputs.json', 'src/cli.ts', 'src/export/parquet.ts', 'config/default.json', 'web/index.html', 'data/demo.itch.gz',
      'native/riskgate-napi.linux-x64-gnu.node', 'native/native.d.ts', 'sim/build/libriskgate_sim.so', 'docs/exports.md', 'README.md', 'package.json',
    ]) expect(paths.has(p), p).toBe(true);
    for (const p of paths) expect(p, p).not.toMatch(/^(test|bench|hdl|target|contract|native\/(core|src|testkit)|sim\/(tb|build\/(?!libriskgate_sim\.so$)))\//);
    // Every run-time file reference of src/ resolves inside the package.
    for (const f of files.filter((x) => x.path.startsWith('src/'))) {
      const text = readFileSync(join(ROOT, f.path), 'utf8');
      for (const m of text.matchAll(/new URL\('(\.\.\/\.\.\/[^']+)', import\.meta\.url\)/g)) {
        const target = join(f.path, '..', m[1]).replace(/\/$/, '');
        expect([...paths].some((p) => p === target || p.startsWith(`${target}/`)), `${f.path} → ${target}`).toBe(true);
      }
    }
    expect(size).toBeLessThan(8 << 20);
  });

  it('declares the Node versions it is tested on (20 and 22) and is runnable as a bin', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.12.0');
    expect(pkg.bin.riskgate).toBe('bin/riskgate.js');
    expect(readFileSync(join(ROOT, 'bin/riskgate.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    // tsx runs the TypeScript sources at run time, so it is a dependency, not a dev dependency.
    expect(pkg.dependencies).toHaveProperty('tsx');
    expect(pkg.scripts.prepack).toBe('node scripts/prepack-check.mjs');
  });

  it('installs globally from the tarball and runs riskgate replay from outside the checkout with the checkout\u2019s digest', () => {
    const r = spawnSync('bash', [join(ROOT, 'scripts/pack-install.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^pack-install: ok: riskgate-0\.1\.0\.tgz \d+ bytes, \d+ files, npm i -g \d+ ms$/m);
    expect(r.stderr).toContain('riskgate replay --backend shadow (Rust + Verilator model): same digest');
  }, 600_000);
});
