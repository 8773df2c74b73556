/** Builds the engine a command asked for by name. */
import { RiskgateError } from '../errors.ts';
import { RustEngine } from './rust.ts';
import type { Engine } from './types.ts';

export const BACKENDS = ['rust'] as const;

export function createEngine(backend: string, configBlob: Buffer): Engine {
  switch (backend) {
    case 'rust':
      return new RustEngine(configBlob);
    default:
      throw new RiskgateError('USAGE', `unknown backend ${JSON.stringify(backend)} (available: ${BACKENDS.join(', ')})`);
  }
}
