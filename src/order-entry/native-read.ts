/**
 * The gateway's native read path (issue 13): the Rust scanner of a client read's SoupBinTCP
 * packets and plain Enter Orders (native/core/src/ouch_read.rs), for GatewayOptions.nativeRead.
 * Without the native module (a platform without a build) the gateway keeps its TypeScript path:
 * the scanner only ever takes work the ordinary path would do the same way.
 */
import { loadNative } from '../engine/rust.ts';
import type { ReadScanner } from '../ouch/gateway.ts';

export type NativeReadFactory = (symbols: readonly string[], maxPacket: number) => ReadScanner;

/** The factory, or undefined when the native module cannot be loaded. */
export function nativeReadScanner(): NativeReadFactory | undefined {
  let mod;
  try {
    mod = loadNative();
  } catch {
    return undefined;
  }
  const Reader = mod.OuchReader;
  return (symbols, maxPacket) => new Reader([...symbols], maxPacket);
}
