/**
 * Strict option parsing with a hint: an unknown option is a usage error that names the
 * nearest valid option (`--sped` → did you mean "--speed"?). Otherwise node:util parseArgs.
 */
import { parseArgs } from 'node:util';
import { didYouMean } from '../config/nearest.ts';
import type { OptionSpec } from './help.ts';
import { usageError } from './usage.ts';

export function parseStrict<O extends Readonly<Record<string, OptionSpec>>>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const m = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '(-{1,2}[^']*)'/.exec(err.message) : null;
    if (m) {
      const names = Object.keys(options).map((n) => `--${n}`);
      throw usageError(`unknown option ${m[1]}${didYouMean(m[1], names) || ` (options: ${names.join(' ')})`} (see riskgate ${command} --help)`);
    }
    throw e;
  }
}
