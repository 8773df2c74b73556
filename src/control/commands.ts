/**
 * `riskgate kill` and `riskgate limit`: operator commands that call the control API of a
 * running `riskgate replay --serve`. The token comes from RISKGATE_TOKEN or --token-file (never
 * from the command line, where other users could read it in the process list).
 *
 *   riskgate kill [--symbol S] [--off] [--url URL] [--token-file f] [--operator NAME] [--json]
 *   riskgate limit (--symbol S | --account A) <limit> <value> [--url URL] [--token-file f] [--operator NAME] [--json]
 *
 * Values are shown in dollars (money limits), shares, orders, basis points or nanoseconds;
 * `--json` prints the server's answer, where engine units appear only in fields named so
 * (`oldEngineUnits`, `newEngineUnits`, `valueEngineUnits`).
 *
 * Exit status: 0 applied (or queued), 2 bad usage or a change the server refused as malformed
 * (400), 10 refused (401, 403: token or origin), 11 the run no longer accepts changes (409),
 * 8 server unreachable, 1 a server error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RiskgateError, ExitCode } from '../errors.ts';
import { formatDisplay, LIMITS } from './limits.ts';
import { helpFor } from '../commands/help.ts';
import { redactUrl } from '../server/redact.ts';

const EXIT_NOTES = 'exit 0 applied or queued, 2 malformed (400), 10 refused by the server (401/403: token or origin), 11 conflict (409: the run has ended), 8 server unreachable';

/** Default port of `replay --serve` and of these commands' --url. */
export const DEFAULT_PORT = 8787;

export const KILL_USAGE = 'usage: riskgate kill [--symbol S] [--off] [--url http://127.0.0.1:8787] [--token-file f] [--operator NAME] [--json]   (token: RISKGATE_TOKEN or --token-file)';
export const LIMIT_USAGE = `usage: riskgate limit (--symbol S | --account A) <${Object.keys(LIMITS).join('|')}> <value> [--url URL] [--token-file f] [--operator NAME] [--json]   (money limits in dollars, e.g. 250000.00)`;

const COMMON = {
  url: { type: 'string' },
  'token-file': { type: 'string' },
  operator: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function token(file: string | undefined): string {
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new RiskgateError('USAGE', `cannot read token file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const t = process.env.RISKGATE_TOKEN;
  if (!t) throw new RiskgateError('USAGE', 'no API token: set RISKGATE_TOKEN or pass --token-file (the server prints a generated token to its stderr at start)');
  return t;
}

export async function callApi(opts: { url?: string; path: string; body: unknown; token: string; operator?: string }): Promise<{ status: number; json: Record<string, unknown> }> {
  const base = (opts.url ?? process.env.RISKGATE_URL ?? `http://127.0.0.1:${DEFAULT_PORT}`).replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` };
  const op = opts.operator ?? process.env.USER;
  if (op && /^[\w.@+-]{1,64}$/.test(op)) headers['x-riskgate-operator'] = op;
  let r: Response;
  try {
    r = await fetch(`${base}${opts.path}`, { method: 'POST', headers, body: JSON.stringify(opts.body), signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    const c = (e as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (e as Error).message;
    throw new RiskgateError('SERVICE_UNAVAILABLE', `cannot reach the riskgate server at ${redactUrl(base)}: ${cause}`);
  }
  const json = (await r.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: r.status, json };
}

function finish(command: string, status: number, json: Record<string, unknown>, asJson: boolean | undefined): number {
  if (asJson) process.stdout.write(`${JSON.stringify({ httpStatus: status, ...json })}\n`);
  if (status === 200) {
    const c = json.control as Record<string, unknown>;
    const v = (x: unknown) => formatDisplay(c.unit as string | undefined, String(x));
    if (!asJson) process.stdout.write(`applied: ${c.what} ${c.targetName} ${v(c.old)} → ${v(c.new)} before seq ${c.seq} (run ${c.run}, change #${c.n})\n`);
    return ExitCode.OK;
  }
  if (status === 202) {
    if (!asJson) process.stdout.write(`queued: ${json.what} ${json.target} → ${formatDisplay(json.unit as string | undefined, String(json.value))} (not applied yet: the replay has not handed over another batch)\n`);
    return ExitCode.OK;
  }
  const reason = String(json.reason ?? json.error ?? 'no reason given');
  const [code, exit] =
    status === 400 ? ['USAGE', ExitCode.USAGE]
    : status === 401 || status === 403 ? ['AUTH_REFUSED', ExitCode.AUTH_REFUSED]
    : status === 409 ? ['CONFLICT', ExitCode.CONFLICT]
    : ['INTERNAL', 1];
  process.stderr.write(`riskgate ${command}: ${code}: the server refused the call (${status}): ${reason}\n`);
  return exit as number;
}

export const KILL_OPTIONS = { ...COMMON, symbol: { type: 'string' }, off: { type: 'boolean' } } as const;
export const LIMIT_OPTIONS = { ...COMMON, symbol: { type: 'string' }, account: { type: 'string' } } as const;

const COMMON_HELP = {
  url: `<URL> the server of replay --serve (default RISKGATE_URL or http://127.0.0.1:${DEFAULT_PORT})`,
  'token-file': '<file> file holding the API token (else RISKGATE_TOKEN; never on the command line)',
  operator: '<NAME> who is asking, written to the audit log (default $USER)',
  json: "print the server's answer as JSON",
  help: 'print this help and exit',
};

export const killHelp = helpFor(KILL_USAGE, KILL_OPTIONS, {
  ...COMMON_HELP,
  symbol: '<S> the kill switch of this symbol (default: the global one)',
  off: 'release the switch instead of engaging it',
}, EXIT_NOTES);

export const limitHelp = helpFor(LIMIT_USAGE, LIMIT_OPTIONS, {
  ...COMMON_HELP,
  symbol: '<S> change a limit of this symbol',
  account: '<A> change a limit of this account (name or id)',
}, `limits: ${Object.keys(LIMITS).join(', ')}\n${EXIT_NOTES}`);

export async function killCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: KILL_OPTIONS });
  if (values.help) {
    process.stdout.write(`${KILL_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new RiskgateError('USAGE', KILL_USAGE);
  const body: Record<string, unknown> = { on: values.off !== true };
  if (values.symbol !== undefined) body.symbol = values.symbol;
  const r = await callApi({ url: values.url, path: '/api/kill', body, token: token(values['token-file']), operator: values.operator });
  return finish('kill', r.status, r.json, values.json);
}

export async function limitCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: LIMIT_OPTIONS });
  if (values.help) {
    process.stdout.write(`${LIMIT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 2 || (values.symbol === undefined) === (values.account === undefined)) throw new RiskgateError('USAGE', LIMIT_USAGE);
  const [limit, raw] = positionals;
  const l = LIMITS[limit];
  // Whole numbers go as JSON numbers when exact, money (and anything else) as the string typed.
  const value = l && !l.money && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  const body: Record<string, unknown> = { limit, value };
  if (values.symbol !== undefined) body.symbol = values.symbol;
  else body.account = values.account;
  const r = await callApi({ url: values.url, path: '/api/limit', body, token: token(values['token-file']), operator: values.operator });
  return finish('limit', r.status, r.json, values.json);
}
