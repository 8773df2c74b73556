/** Option parsing helpers shared by the Kafka commands (clear, loadgen, settle). */
import { CodedError, errorReport, RiskgateError } from '../errors.ts';

/** A usage error (exit 2), reported as `USAGE` like every other command's. */
export function usageError(message: string): RiskgateError {
  return new RiskgateError('USAGE', message);
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
      const r = errorReport(name, e);
      process.stderr.write(r.text);
      return r.exitCode;
    }
    throw e;
  }
}
