/**
 * kafkajs computes the CRC-32C of every record batch it produces byte by byte in JS (~2.8 ns
 * a byte here: ~70 ms per 25 MB of a `run` transaction's decision batches). This swaps in the
 * Rust one (native/src/crc32c.rs, SSE4.2) by taking the place of kafkajs's crc32C module in the
 * CommonJS cache before its record batch encoder loads it. kafkajs has no option for it.
 *
 * Never fails closed on the producer: if the module cannot be swapped (the encoder loaded
 * already, another kafkajs layout, no native module) or the native function disagrees with
 * kafkajs's on a check buffer, kafkajs keeps its own.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadNative } from '../engine/rust.ts';

const require = createRequire(import.meta.url);

export type Crc32cInstall = { installed: true } | { installed: false; why: string };

let result: Crc32cInstall | null = null;

/** Puts the native CRC-32C under kafkajs's record batch encoder; idempotent. */
export function installNativeCrc32c(): Crc32cInstall {
  result ??= install();
  return result;
}

function install(): Crc32cInstall {
  // The A/B switch of bench:feed: kafkajs's own CRC-32C.
  if (process.env.RISKGATE_JS_CRC32C === '1') return { installed: false, why: 'RISKGATE_JS_CRC32C=1' };
  let root: string;
  try {
    root = dirname(require.resolve('kafkajs/package.json'));
  } catch {
    return { installed: false, why: 'kafkajs not found' };
  }
  const recordBatch = join(root, 'src/protocol/recordBatch');
  const crcPath = join(recordBatch, 'crc32C/index.js');
  const encoderPath = join(recordBatch, 'v0/index.js');
  if (require.cache[encoderPath]) return { installed: false, why: 'the record batch encoder is loaded already' };
  let js: (b: Buffer) => number;
  let native: (b: Buffer) => number;
  try {
    js = require(crcPath);
    native = loadNative().crc32c;
  } catch (e) {
    return { installed: false, why: (e as Error).message };
  }
  if (typeof js !== 'function' || typeof native !== 'function') return { installed: false, why: 'unexpected module shape' };
  const check = Buffer.alloc(1031);
  for (let i = 0; i < check.length; i++) check[i] = (i * 131 + 7) & 0xff;
  if (js(check) !== native(check) || js(Buffer.alloc(0)) !== native(Buffer.alloc(0))) {
    return { installed: false, why: 'the native CRC-32C disagrees with kafkajs' };
  }
  require.cache[crcPath]!.exports = native;
  return { installed: true };
}
