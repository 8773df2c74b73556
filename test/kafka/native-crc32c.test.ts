// The CRC-32C of the record batches `riskgate run` produces comes from the Rust module
// (src/kafka/native-crc32c.ts): the same numbers as kafkajs's own at every length, and kafkajs's
// record batch encoder really writes them once it is installed. No broker needed (the Kafka
// feed tests produce through it to a broker, which refuses a wrong CRC as CORRUPT_MESSAGE).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/engine/rust.ts';
import { installNativeCrc32c } from '../../src/kafka/native-crc32c.ts';
import { noise } from '../helpers/noise.ts';

const require = createRequire(import.meta.url);
const jsCrc32c: (b: Buffer) => number = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js');

describe('native CRC-32C for kafkajs', () => {
  it('matches kafkajs and the check value at every length, aligned or not', () => {
    const native = loadNative().crc32c;
    expect(native(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(native(Buffer.alloc(0))).toBe(0);
    const data = noise(70_000, 7);
    for (let n = 0; n < 300; n++) expect(native(data.subarray(0, n)), `length ${n}`).toBe(jsCrc32c(data.subarray(0, n)));
    for (const off of [1, 3, 5, 7]) expect(native(data.subarray(off, off + 65_537))).toBe(jsCrc32c(data.subarray(off, off + 65_537)));
  });

  it('is what kafkajs record batch encoder writes once installed', async () => {
    expect(installNativeCrc32c()).toEqual({ installed: true });
    expect(installNativeCrc32c()).toEqual({ installed: true }); // idempotent
    expect(require('kafkajs/src/protocol/recordBatch/crc32C/index.js')).toBe(loadNative().crc32c);
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
    const records = Array.from({ length: 50 }, (_, i) => Record({ offsetDelta: i, key: Buffer.from(`k${i}`), value: noise(100 + i * 37, i + 1) }));
    const encoded = (await RecordBatch({ records, transactional: true, lastOffsetDelta: 49 })).buffer as Buffer;
    // firstOffset int64, batch length int32, partitionLeaderEpoch int32, magic int8, then the CRC over the rest
    const crc = encoded.readUInt32BE(17);
    expect(crc).toBe(jsCrc32c(encoded.subarray(21)));
    expect(encoded.readInt32BE(8)).toBe(encoded.length - 12);
  });
});
