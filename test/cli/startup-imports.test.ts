/**
 * A plain `riskgate replay` does not load the packages only a control plane or Kafka clearing
 * needs (fastify, prom-client, kafkajs: ~0.2 s of CPU at every start), and `--serve` still
 * does. A resolve hook reports every package the process imports.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './run-cli.ts';

const HOOKS = `export async function resolve(s, c, next) { const r = await next(s, c); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url); if (m) process.stderr.write('PACKAGE ' + m[1] + '\\n'); return r; }`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

function packagesLoaded(args: string[]): { status: number | null; packages: Set<string>; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const packages = new Set([...r.stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((m) => m[1]));
  return { status: r.status, packages, stderr: r.stderr };
}

const LAZY = ['fastify', 'prom-client', 'kafkajs'];

describe('replay start-up', () => {
  const empty = join(mkdtempSync(join(tmpdir(), 'rg-startup-')), 'empty.itch');
  writeFileSync(empty, Buffer.from([0, 0]));

  it('a plain replay loads none of fastify, prom-client, kafkajs', () => {
    const r = packagesLoaded(['replay', empty, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.packages.has('ajv'), 'the hook sees packages').toBe(true);
    for (const p of LAZY) expect(r.packages.has(p), p).toBe(false);
  }, 60_000);

  it('with --serve the control plane loads fastify and prom-client', () => {
    const r = packagesLoaded(['replay', empty, '--json', '--serve', '--port', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.packages.has('fastify')).toBe(true);
    expect(r.packages.has('prom-client')).toBe(true);
  }, 60_000);
});
