/**
 * Coded errors of the control plane. Every error the CLI can end with has a stable `code`
 * and an exit status documented in the README.
 */
export const ExitCode = Object.freeze({
  OK: 0,
  /** Bad command-line usage. */
  USAGE: 2,
  /** The input file does not exist or cannot be read. */
  INPUT_MISSING: 3,
  /** The input cannot be decoded at all (e.g. a corrupt gzip stream). */
  INPUT_UNREADABLE: 4,
  /** The config file is missing or invalid. */
  CONFIG_INVALID: 5,
  /** The engine refused to start or failed. */
  ENGINE_FAILED: 6,
  /** A shadow divergence or another fail-closed stop. */
  FAIL_CLOSED: 7,
  /** A required service (e.g. Kafka) is unreachable. */
  SERVICE_UNAVAILABLE: 8,
  /** `settle` found breaks (lost or duplicated executions). */
  BREAKS: 9,
  /** The control server refused the call: wrong or missing token, foreign origin (401/403). */
  AUTH_REFUSED: 10,
  /** The control server no longer accepts changes: the run has ended (409). */
  CONFLICT: 11,
});

/** Exit status of an internal error (a bug), printed as `INTERNAL`. */
export const INTERNAL_EXIT = 1;

export type ErrorCode =
  | 'USAGE'
  | 'INPUT_MISSING'
  | 'INPUT_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'ENGINE_FAILED'
  | 'FAIL_CLOSED'
  | 'SERVICE_UNAVAILABLE'
  | 'AUTH_REFUSED'
  | 'CONFLICT';

/**
 * Base of every coded error (control plane, clearing): a stable `code` and the exit status
 * the CLI ends with. `src/cli.ts` reports any of them as `<code>: <message>`.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, exitCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export class RiskgateError extends CodedError {
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, ExitCode[code], message, options);
    this.name = 'RiskgateError';
  }
}

/**
 * The one error line of every command: `riskgate <cmd>: CODE: message` and the exit status.
 * Option-parsing failures of node:util parseArgs and any coded error with the usage status
 * are `USAGE`; anything else is `INTERNAL` (a bug), with its stack.
 */
export function errorReport(command: string | undefined, e: unknown): { text: string; exitCode: number } {
  const who = command ? `riskgate ${command}` : 'riskgate';
  if (e instanceof CodedError) {
    const code = e.exitCode === ExitCode.USAGE ? 'USAGE' : e.code;
    return { text: `${who}: ${code}: ${e.message}\n`, exitCode: e.exitCode };
  }
  const err = e as Error & { code?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) {
    return { text: `${who}: USAGE: ${err.message} (see riskgate ${command ?? ''}${command ? ' ' : ''}--help)\n`, exitCode: ExitCode.USAGE };
  }
  return { text: `${who}: INTERNAL: ${err?.message ?? String(e)} (a bug: please report it)\n${err?.stack ?? ''}\n`, exitCode: INTERNAL_EXIT };
}
