/**
 * `riskgate <command> --help`: every command describes each option its parser accepts, in one
 * line. A command's help is built from the very option object it hands to parseArgs, and the
 * description map is typed on that object's keys, so a new option without a description does
 * not compile (and test/cli/help.test.ts checks the printed text against the parser).
 */
import type { SERVE_OPTIONS, OPS_OPTIONS } from '../control/replay-ops.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export interface CommandHelp {
  usage: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** One line per option; may start with `<ARG> ` to name the option's value. */
  describe: Readonly<Record<string, string>>;
  /** Free text after the options (defaults, exit codes). */
  notes?: string;
}

/** `-h, --help`, accepted by every command (src/cli.ts answers it before the command runs). */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export function helpFor<O extends Readonly<Record<string, OptionSpec>>>(usage: string, options: O, describe: { readonly [K in keyof O]: string }, notes?: string): CommandHelp {
  return { usage, options, describe, notes };
}

/** The help page: usage, then one line per option (`--name <ARG>  text`), then notes. */
export function formatHelp(h: CommandHelp): string {
  const rows: [string, string][] = [];
  const names = Object.keys(h.options).filter((n) => n !== 'help');
  for (const name of [...names, 'help']) {
    const spec = h.options[name] ?? HELP_OPTION.help;
    let text = name === 'help' ? (h.describe.help ?? 'print this help and exit') : (h.describe[name] ?? '');
    let arg = '';
    if (spec.type === 'string') {
      const m = /^<([^>]+)>\s+/.exec(text);
      arg = m ? ` <${m[1]}>` : ' <value>';
      if (m) text = text.slice(m[0].length);
    }
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${arg}${spec.multiple ? ' (repeatable)' : ''}`;
    rows.push([flag, text]);
  }
  const width = Math.min(34, Math.max(...rows.map(([f]) => f.length)));
  const lines = [h.usage, '', 'options:'];
  for (const [f, t] of rows) lines.push(f.length > width ? `  ${f}\n  ${' '.repeat(width)}  ${t}` : `  ${f.padEnd(width)}  ${t}`);
  if (h.notes) lines.push('', h.notes);
  return `${lines.join('\n')}\n`;
}

// Descriptions of option groups shared by several commands.

export const CONFIG_HELP = '<file> risk config (JSON, strict schema; default config/default.json)';
export const JSON_HELP = 'print the result as one JSON object instead of text';
export const OUT_HELP = '<path> records.bin (raw 32-byte records), records.jsonl, or DIR/ for one table per record kind';
export const FORMAT_HELP = '<fmt> format of --out: bin, jsonl, csv or parquet (csv and parquet need --out DIR/)';

export const SERVE_HELP: { readonly [K in keyof typeof SERVE_OPTIONS]: string } = {
  serve: 'serve the dashboard, /metrics and the control API (kill switches, limits) while running',
  port: '<N> port of --serve (default 8787; 0 picks a free one)',
  host: '<addr> address --serve binds to (default 127.0.0.1)',
  'token-file': '<file> bearer token of the control API (else RISKGATE_TOKEN, config server.token, or a generated one)',
  'allow-origin': '<origin> another browser origin allowed to call the API (e.g. a reverse proxy), exact scheme://host[:port]',
  'public-metrics': 'with --serve: /metrics and /health answer without the token (the state and audit API still need it)',
  'audit-out': '<file> append every control change, and the run start/end lines, to this JSON-lines audit log',
  'log-level': '<level> structured log level on stderr: trace, debug, info (default), warn, error, fatal or silent',
};

export const OPS_HELP: { readonly [K in keyof typeof OPS_OPTIONS]: string } = {
  ...SERVE_HELP,
  hold: 'with --serve: keep serving after the run ends until SIGINT/SIGTERM',
  'audit-in': '<file> replay the controls of an audit log at their recorded seqs and say whether the digest matches',
  'audit-run': '<id> the run of --audit-in to replay (default: its last run)',
  standby: '<backend> hot-standby engine (rust|fpga) fed the same batches; takes over if the primary fails',
  'inject-fault': '<who@seq> make engine who (a backend, primary or standby) fail at seq (failover drills)',
  'inject-hang': '<who@seq> make engine who stop answering at seq (failover drills)',
  'hang-timeout-ms': '<ms> an engine call taking longer than this, not counting waits for a CPU, is a hang (default 200)',
};

export const CLEARING_HELP = {
  brokers: '<host:port> send the fills to Kafka as executions instead of clearing them in process',
  prefix: '<name> prefix of the Kafka topics (default riskgate)',
} as const;
