/** Option parsing helpers shared by the Kafka commands (clear, loadgen, settle). */
import { ClearingError } from '../clearing/errors.ts';
import { CodedError } from '../errors.ts';

export function usageError(message: string): ClearingError {
  return new ClearingError('BAD_OPTIONS', message);
}

export function intOpt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw usageError(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function numOpt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || v.trim() === '') throw usageError(`${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Runs a command body; a coded error ends it with its message and exit code. */
export async function withCodedErrors(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof CodedError) {
      process.stderr.write(`riskgate ${name}: ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
