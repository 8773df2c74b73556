/**
 * One error format for every command: a single line `riskgate <cmd>: CODE: message` on
 * stderr, one code per condition, and the exit status of the README's table.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { riskgate, SAMPLE } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rg-errfmt-'));
const odd = join(dir, 'odd.bin');
writeFileSync(odd, Buffer.alloc(33));

const CASES: [string[], number, string][] = [
  [['replay'], 2, 'USAGE'],
  [['replay', SAMPLE, '--bogus'], 2, 'USAGE'],
  [['replay', SAMPLE, '--batch', '0'], 2, 'USAGE'],
  [['inspect', SAMPLE, 'extra'], 2, 'USAGE'],
  [['settle'], 2, 'USAGE'],
  [['loadgen', '--brokers', '127.0.0.1:1'], 2, 'USAGE'],
  [['clear', '--brokers', '127.0.0.1:1', '--workers', 'x'], 2, 'USAGE'],
  [['publish', SAMPLE], 2, 'USAGE'],
  [['gen'], 2, 'USAGE'],
  [['kill', 'extra'], 2, 'USAGE'],
  [['replay', join(dir, 'missing.itch')], 3, 'INPUT_MISSING'],
  [['hwreport', join(dir, 'missing.itch')], 3, 'INPUT_MISSING'],
  [['decode', odd], 4, 'INPUT_UNREADABLE'],
  [['replay', SAMPLE, '--config', join(dir, 'none.json')], 5, 'CONFIG_INVALID'],
];

describe('riskgate <cmd>: CODE: message', () => {
  for (const [args, exit, code] of CASES) {
    it(`${args.map((a) => a.replace(dir, '…')).join(' ')} → exit ${exit}, ${code}`, () => {
      const r = riskgate(args);
      expect(r.status, r.stderr).toBe(exit);
      const first = r.stderr.split('\n')[0];
      expect(first).toMatch(new RegExp(`^riskgate ${args[0]}: ${code}: \\S`));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe('');
    });
  }

  it('no command at all: the usage error line, then the command list, on stderr', () => {
    const r = riskgate([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('riskgate: USAGE: no command given');
    expect(r.stderr).toContain('commands:');
  });

  it('an unknown command is a usage error too', () => {
    const r = riskgate(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('riskgate: USAGE: unknown command "frobnicate"');
  });
});
