/**
 * Every command listed by `riskgate --help` answers `--help` and `-h` on stdout with exit 0,
 * and its help text names (and describes) every option its parser accepts: the option list
 * comes from the very option object the command hands to parseArgs (src/commands/index.ts).
 * `riskgate --version` / `-V` print the package, spec and record versions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.ts';
import { RECORD_VERSION, VERSIONS } from '../../src/contract.ts';
import { riskgate, ROOT } from './run-cli.ts';

const listed = (() => {
  const r = riskgate(['--help']);
  expect(r.status).toBe(0);
  return [...r.stdout.matchAll(/^ {2}([a-z][\w-]*) {2,}/gm)].map((m) => m[1]);
})();

describe('riskgate <command> --help', () => {
  it('riskgate --help lists every registered command', () => {
    expect(listed.sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(listed).toEqual(expect.arrayContaining(['replay', 'book', 'inspect', 'decode', 'hwreport']));
  });

  for (const name of listed) {
    it(`${name} --help explains each option its parser accepts, one line each`, async () => {
      const r = riskgate([name, '--help']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const { help } = await COMMANDS[name].load();
      const options = Object.entries(help.options);
      expect(options.length).toBeGreaterThan(0);
      const lines = r.stdout.split('\n');
      const start = lines.indexOf('options:');
      expect(start).toBeGreaterThan(0);
      for (const [opt, spec] of options) {
        const line = lines.findIndex((l, i) => i > start && new RegExp(`^\\s+(-\\w, )?--${opt}(\\s|$)`).test(l));
        expect(line, `--${opt} missing from ${name} --help`).toBeGreaterThan(start);
        // The description: on the option's line, or on the next one when the flag is long.
        const rest = lines[line].replace(/^.*?--\S+(\s<[^>]+>)?(\s\(repeatable\))?/, '').trim() || lines[line + 1].trim();
        expect(rest.length, `--${opt} of ${name} has no description`).toBeGreaterThan(8);
        if (spec.short) expect(lines[line]).toContain(`-${spec.short},`);
      }
      expect(r.stdout).toMatch(/-h, --help/);
    });
  }

  it('-h works like --help, also after other arguments', () => {
    for (const args of [['replay', '-h'], ['decode', 'x.bin', '-h'], ['hwreport', '--json', '--help'], ['inspect', '-h'], ['book', '-h']]) {
      const r = riskgate(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^usage: riskgate /);
    }
  });

  it('the replay help covers the ops options (--hold, --inject-*, --audit-*, --serve)', () => {
    const r = riskgate(['replay', '--help']);
    for (const o of ['--hold', '--inject-fault', '--inject-hang', '--audit-in', '--audit-out', '--audit-run', '--serve', '--port', '--host', '--token-file']) expect(r.stdout).toContain(o);
  });
});

describe('riskgate --version', () => {
  it('prints the package version, the engine spec version and the record version', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = riskgate([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`riskgate ${pkg.version}`);
      expect(r.stdout).toContain(`engine spec ${VERSIONS.spec}`);
      expect(r.stdout).toContain(`record version ${RECORD_VERSION}`);
    }
  });
});
