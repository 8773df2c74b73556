import { RiskgateError } from '../errors.ts';

export function usageError(message: string): RiskgateError {
  return new RiskgateError('USAGE', message);
}
