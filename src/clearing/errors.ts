/**
 * Coded errors of the clearing side (src/clearing, src/kafka). `code` is stable and is what
 * the dead-letter topic, logs and tests match on; `exitCode` follows the CLI's exit statuses
 * (2 usage, 5 config, 8 service unavailable, 9 reconciliation breaks).
 */
import { CodedError } from '../errors.ts';

export type ClearingErrorCode =
  | 'BAD_EXECUTION' // an execution record that cannot be decoded or is out of range
  | 'BAD_FEES' // fee schedule missing or invalid in the config
  | 'BAD_OPTIONS' // invalid command options
  | 'BROKER_UNAVAILABLE' // no broker answered within the retry budget
  | 'STATE_RESTORE' // clearing state could not be restored from its changelog
  | 'WORKER_FAILED'; // a worker process or thread ended abnormally

const EXIT: Record<ClearingErrorCode, number> = {
  BAD_EXECUTION: 4,
  BAD_FEES: 5,
  BAD_OPTIONS: 2,
  BROKER_UNAVAILABLE: 8,
  STATE_RESTORE: 8,
  WORKER_FAILED: 6,
};

export class ClearingError extends CodedError {
  declare readonly code: ClearingErrorCode;
  constructor(code: ClearingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, EXIT[code], message, options);
    this.name = 'ClearingError';
  }
}
