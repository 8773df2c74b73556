/** Shared pieces of the order-entry tests. */
import { connect, type Socket } from 'node:net';
import { Reason } from '../../src/contract.ts';
import type { Decision, OrderToCheck } from '../../src/ouch/gateway.ts';

export const SESSIONS = [
  { username: 'ALPHA1', password: 'alpha-pw', account: 0 },
  { username: 'BRAVO1', password: 'bravo-pw', account: 1 },
  { username: 'CHARL1', password: 'charl-pw', account: 2 },
  { username: 'DELTA1', password: 'delta-pw', account: 0 },
];

/**
 * TEST DOUBLE, not a feature: a stand-in for the engine's risk decision (issue 13's later
 * steps plug the engine in). It rejects more than 1,000 shares (MAX_QTY), the symbol HALT
 * (HALTED), and both at once when both apply; it accepts everything else. It records every
 * order it is asked about, so tests can prove what did (not) reach the risk checks.
 */
export function testDoubleDecider() {
  const seen: OrderToCheck[] = [];
  const decide = (o: OrderToCheck): Decision => {
    seen.push(o);
    let reasons = 0;
    if (o.quantity > 1000) reasons |= Reason.MAX_QTY;
    if (o.symbol === 'HALT') reasons |= Reason.HALTED;
    return reasons ? { accept: false, reasons } : { accept: true };
  };
  return { decide, seen };
}

/** A raw TCP connection collecting what the gateway sends, and when it closes. */
export function rawConnection(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks), closed }));
    socket.once('error', reject);
  });
}
