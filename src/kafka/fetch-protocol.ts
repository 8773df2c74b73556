/**
 * The two Kafka requests the feed run's reader (src/kafka/feed-fetch.ts) sends itself, on its
 * own connection to the partition leader: Fetch v11 of one partition, read_committed, without a
 * fetch session (kafka.apache.org/protocol, "Fetch API"). Request header v1, response header v0
 * (Fetch becomes a flexible version only at v12). Only what the run needs is decoded: the
 * partition's error code, high watermark, aborted transactions and its record set (a view of
 * the response, no copy).
 */
import type { AbortedTransaction } from './record-batches.ts';

export const FETCH_API_KEY = 1;
export const FETCH_VERSION = 11;
const READ_COMMITTED = 1;

export interface FetchParams {
  correlationId: number;
  clientId: string;
  topic: string;
  partition: number;
  offset: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
}

export interface PartitionFetch {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  aborted: AbortedTransaction[];
  records: Buffer;
}

/** A Fetch v11 request, size-prefixed, ready to write to the socket. */
export function encodeFetch(p: FetchParams): Buffer {
  const client = Buffer.from(p.clientId, 'utf8');
  const topic = Buffer.from(p.topic, 'utf8');
  const size = 2 + 2 + 4 + 2 + client.length + 4 + 4 + 4 + 4 + 1 + 4 + 4 + 4 + 2 + topic.length + 4 + 4 + 4 + 8 + 8 + 4 + 4 + 2;
  const b = Buffer.alloc(4 + size);
  let at = b.writeInt32BE(size, 0);
  at = b.writeInt16BE(FETCH_API_KEY, at);
  at = b.writeInt16BE(FETCH_VERSION, at);
  at = b.writeInt32BE(p.correlationId, at);
  at = b.writeInt16BE(client.length, at);
  at += client.copy(b, at);
  at = b.writeInt32BE(-1, at); // replica id: a consumer
  at = b.writeInt32BE(p.maxWaitMs, at);
  at = b.writeInt32BE(p.minBytes, at);
  at = b.writeInt32BE(p.maxBytes, at);
  at = b.writeInt8(READ_COMMITTED, at);
  at = b.writeInt32BE(0, at); // session id: none
  at = b.writeInt32BE(-1, at); // session epoch: a full fetch, no session
  at = b.writeInt32BE(1, at); // one topic
  at = b.writeInt16BE(topic.length, at);
  at += topic.copy(b, at);
  at = b.writeInt32BE(1, at); // one partition
  at = b.writeInt32BE(p.partition, at);
  at = b.writeInt32BE(-1, at); // current leader epoch: not checked
  at = writeInt64(b, p.offset, at);
  at = writeInt64(b, -1, at); // log start offset: a consumer's
  at = b.writeInt32BE(p.partitionMaxBytes, at);
  at = b.writeInt32BE(0, at); // no forgotten topics
  at = b.writeInt16BE(0, at); // rack id ''
  if (at !== b.length) throw new Error(`internal: fetch request of ${at} bytes, sized ${b.length}`);
  return b;
}

function writeInt64(b: Buffer, v: number, at: number): number {
  return b.writeBigInt64BE(BigInt(v), at);
}

const int64 = (b: Buffer, at: number) => b.readInt32BE(at) * 2 ** 32 + b.readUInt32BE(at + 4);

/** A response that does not parse: the run stops rather than guess. */
export class FetchDecodeError extends Error {}

/**
 * Decodes a Fetch v11 response body (after the size prefix, correlation id included) and
 * returns the one partition asked for, or throws FetchDecodeError.
 */
export function decodeFetch(b: Buffer, topic: string, partition: number): { correlationId: number; errorCode: number; part: PartitionFetch | null } {
  let at = 0;
  const need = (n: number) => {
    if (at + n > b.length) throw new FetchDecodeError(`fetch response cut short at byte ${at} of ${b.length}`);
  };
  const i16 = () => (need(2), (at += 2), b.readInt16BE(at - 2));
  const i32 = () => (need(4), (at += 4), b.readInt32BE(at - 4));
  const i64 = () => (need(8), (at += 8), int64(b, at - 8));
  const str = () => {
    const n = i16();
    if (n < 0) return '';
    need(n);
    at += n;
    return b.toString('utf8', at - n, at);
  };
  const correlationId = i32();
  i32(); // throttle time
  const errorCode = i16();
  i32(); // session id
  let found: PartitionFetch | null = null;
  for (let t = i32(); t > 0; t--) {
    const name = str();
    for (let p = i32(); p > 0; p--) {
      const index = i32();
      const partErr = i16();
      const highWatermark = i64();
      const lastStableOffset = i64();
      i64(); // log start offset
      const aborted: AbortedTransaction[] = [];
      for (let a = i32(); a > 0; a--) aborted.push({ producerId: i64(), firstOffset: i64() });
      i32(); // preferred read replica
      const n = i32();
      let records: Buffer = Buffer.alloc(0);
      if (n > 0) {
        need(n);
        records = b.subarray(at, at + n);
        at += n;
      }
      if (name === topic && index === partition) found = { errorCode: partErr, highWatermark, lastStableOffset, aborted, records };
    }
  }
  return { correlationId, errorCode, part: found };
}
