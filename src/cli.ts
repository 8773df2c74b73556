/**
 * The `riskgate` command line. Each command lives in src/commands/<name>.ts (registered in
 * src/commands/index.ts) and returns its exit code; every failure ends with one line
 * `riskgate <command>: CODE: message` on stderr and the exit status listed in the README.
 * `riskgate <command> --help` (or `-h`) prints the command's options, one line each.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VERSIONS, RECORD_VERSION } from './contract.ts';
import { COMMANDS } from './commands/index.ts';
import { formatHelp, HELP_OPTION } from './commands/help.ts';
import { errorReport, ExitCode } from './errors.ts';
import { quietEpipe } from './stdout.ts';
import { takeEarlySignal } from './signals.ts';

function help(): string {
  const lines = ['usage: riskgate <command> [options]', '       riskgate --version', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `riskgate <command> --help` for its options. Exit codes are listed in the README.');
  return lines.join('\n');
}

export function versionText(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `riskgate ${pkg.version} (engine spec ${VERSIONS.spec}, record version ${RECORD_VERSION}, config version ${VERSIONS.config})`;
}

/** True when argv asks for help (`--help`/`-h` as an option, not as an option's value). */
function wantsHelp(argv: string[], options: Record<string, unknown>): boolean {
  if (!argv.includes('--help') && !argv.includes('-h')) return false;
  try {
    const { values } = parseArgs({ args: argv, options: { ...(options as Record<string, { type: 'string' | 'boolean' }>), ...HELP_OPTION }, strict: false, allowPositionals: true });
    return values.help === true;
  } catch {
    return true;
  }
}

export async function main(argv: string[]): Promise<number> {
  quietEpipe();
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(`riskgate: USAGE: no command given\n\n${help()}\n`);
    return ExitCode.USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return ExitCode.OK;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${versionText()}\n`);
    return ExitCode.OK;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`riskgate: USAGE: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return ExitCode.USAGE;
  }
  try {
    const loaded = await cmd.load();
    if (wantsHelp(rest, loaded.help.options)) {
      takeEarlySignal();
      process.stdout.write(formatHelp(loaded.help));
      return ExitCode.OK;
    }
    // replay installs its own SIGINT/SIGTERM handling and takes an early signal over itself;
    // any other command keeps the default behaviour, and a signal already received ends it.
    if (name !== 'replay') {
      const early = takeEarlySignal();
      if (early) return 130;
    }
    return await loaded.run(rest);
  } catch (e) {
    const r = errorReport(name, e);
    process.stderr.write(r.text);
    return r.exitCode;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
