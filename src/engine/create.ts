/** Builds the engine a command asked for by name. */
import { RiskgateError } from '../errors.ts';
import { FpgaEngine } from '../fpga/engine.ts';
import { RustEngine } from './rust.ts';
import { ShadowEngine, symbolNamesOfBlob } from './shadow.ts';
import type { Engine } from './types.ts';

export const BACKENDS = ['rust', 'fpga', 'shadow'] as const;

/** Messages per MoldUDP64 packet when the control plane drives the hardware model. */
export const FPGA_MESSAGES_PER_PACKET = 8;

export function createEngine(backend: string, configBlob: Buffer): Engine {
  switch (backend) {
    case 'rust':
      return new RustEngine(configBlob);
    case 'fpga':
      return new FpgaEngine(configBlob, { messagesPerPacket: FPGA_MESSAGES_PER_PACKET });
    case 'shadow':
      return new ShadowEngine(
        new RustEngine(configBlob),
        new FpgaEngine(configBlob, { messagesPerPacket: FPGA_MESSAGES_PER_PACKET }),
        symbolNamesOfBlob(configBlob),
      );
    default:
      throw new RiskgateError('USAGE', `unknown backend ${JSON.stringify(backend)} (available: ${BACKENDS.join(', ')})`);
  }
}
