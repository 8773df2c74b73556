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
});

export type ErrorCode =
  | 'USAGE'
  | 'INPUT_MISSING'
  | 'INPUT_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'ENGINE_FAILED'
  | 'FAIL_CLOSED'
  | 'SERVICE_UNAVAILABLE';

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
