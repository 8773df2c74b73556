/**
 * A lean reader of Kafka record batches (magic 2, the format of every Kafka ≥ 0.11 log; see
 * kafka.apache.org/protocol, "Record Batch") for the feed run (src/kafka/feed-fetch.ts): the
 * offset and value of each record, the value a view of the fetch response (no copy), nothing
 * else built per record.
 *
 * read_committed is applied here as a Kafka consumer applies it: control batches (transaction
 * markers) are never records; a transactional batch of a producer listed in the fetch's
 * aborted transactions, from that transaction's first offset until its ABORT marker, is
 * skipped. Records below the fetch offset (a batch that starts before it) are skipped. A batch
 * cut off at the end of the response (the fetch size ends inside it) ends the walk: the next
 * fetch starts at it.
 */
import { gunzipSync } from 'node:zlib';
import { RiskgateError } from '../errors.ts';

/** One record of the feed partition. A null value (a tombstone) comes as an empty buffer. */
export interface FeedRecord {
  offset: number;
  value: Buffer;
}

/** An aborted transaction the broker lists with a fetch: its producer and first offset. */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** Bytes of a batch header up to and including its record count. */
export const BATCH_HEADER_BYTES = 61;
/** Bytes in front of a batch's length field that its length does not count (base offset, length). */
const LOG_OVERHEAD = 12;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const PRODUCER_ID_AT = 43;
const RECORD_COUNT_AT = 57;
const COMPRESSION_MASK = 0x07;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
/** Control record type of an ABORT marker (its key: version int16, type int16). */
const ABORT_MARKER = 0;
const EMPTY = Buffer.alloc(0);

const int64 = (b: Buffer, at: number) => b.readInt32BE(at) * 2 ** 32 + b.readUInt32BE(at + 4);

/** What one walk of a fetch response's records found. */
export interface BatchWalk {
  /** The offset the next fetch starts at: past the last whole batch (`from` if there was none). */
  next: number;
  /** Whole batches walked (control and aborted ones included). */
  batches: number;
}

/** A malformed fetch response: the run stops (fail closed) rather than guess. */
function corrupt(what: string, at: number): never {
  throw new RiskgateError('FAIL_CLOSED', `feed fetch response: ${what} at byte ${at} of its records`);
}

/** Reads a zigzag varint at `pos.at` (advancing it); lengths and deltas of records fit in 32 bits. */
function varint(b: Buffer, pos: { at: number }, end: number): number {
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos.at >= end) corrupt('a varint runs past its record', pos.at);
    const byte = b[pos.at++];
    n += (byte & 0x7f) * mul;
    if (byte < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    mul *= 128;
  }
  return corrupt('a varint longer than 5 bytes', pos.at);
}

/** Skips a zigzag varlong (up to 10 bytes) at `pos.at`. */
function skipVarlong(b: Buffer, pos: { at: number }, end: number): void {
  for (let i = 0; i < 10; i++) {
    if (pos.at >= end) corrupt('a varlong runs past its record', pos.at);
    if (b[pos.at++] < 0x80) return;
  }
  corrupt('a varlong longer than 10 bytes', pos.at);
}

/**
 * Walks `records` (the record set of one partition of a fetch response fetched at `from`) and
 * appends each committed data record at or above `from` to `out`, in offset order.
 */
export function walkRecordBatches(records: Buffer, from: number, aborted: readonly AbortedTransaction[], out: FeedRecord[]): BatchWalk {
  const pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  let nextAborted = 0;
  const abortedProducers = new Set<number>();
  let next = from;
  let batches = 0;
  for (let at = 0; at + LOG_OVERHEAD <= records.length; ) {
    const baseOffset = int64(records, at);
    const length = records.readInt32BE(at + 8);
    const end = at + LOG_OVERHEAD + length;
    if (end > records.length) break; // cut off by the fetch size
    if (length < BATCH_HEADER_BYTES - LOG_OVERHEAD) corrupt(`a record batch of ${length} bytes`, at);
    const magic = records.readInt8(at + MAGIC_AT);
    if (magic !== 2) corrupt(`a record batch of magic ${magic} (only 2 is read)`, at);
    const attributes = records.readInt16BE(at + ATTRIBUTES_AT);
    const lastOffset = baseOffset + records.readInt32BE(at + LAST_OFFSET_DELTA_AT);
    const producerId = int64(records, at + PRODUCER_ID_AT);
    const count = records.readInt32BE(at + RECORD_COUNT_AT);
    const batchAt = at;
    at = end;
    batches++;
    next = Math.max(next, lastOffset + 1);
    if (lastOffset < from) continue;
    const control = (attributes & CONTROL) !== 0;
    if (producerId >= 0) {
      while (nextAborted < pending.length && pending[nextAborted].firstOffset <= lastOffset) abortedProducers.add(pending[nextAborted++].producerId);
      if (control) {
        if (abortMarker(records, batchAt + BATCH_HEADER_BYTES, end, count)) abortedProducers.delete(producerId);
        continue;
      }
      if ((attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(producerId)) continue;
    }
    if (control) continue;
    let body = records;
    let bodyAt = batchAt + BATCH_HEADER_BYTES;
    let bodyEnd = end;
    const compression = attributes & COMPRESSION_MASK;
    if (compression !== 0) {
      if (compression !== 1) {
        throw new RiskgateError('FAIL_CLOSED', `feed record batch at offset ${baseOffset} is compressed with codec ${compression} (only none and gzip are read): publish the feed uncompressed or with gzip`);
      }
      body = gunzipSync(records.subarray(bodyAt, end));
      bodyAt = 0;
      bodyEnd = body.length;
    }
    readRecords(body, bodyAt, bodyEnd, count, baseOffset, from, out);
  }
  return { next, batches };
}

/** The records of one batch body: offset = base + offset delta, value a view of `b`. */
function readRecords(b: Buffer, at: number, end: number, count: number, baseOffset: number, from: number, out: FeedRecord[]): void {
  const pos = { at };
  for (let i = 0; i < count; i++) {
    const length = varint(b, pos, end);
    const recordEnd = pos.at + length;
    if (length < 0 || recordEnd > end) corrupt(`a record of ${length} bytes`, pos.at);
    pos.at++; // attributes
    skipVarlong(b, pos, recordEnd); // timestamp delta
    const offset = baseOffset + varint(b, pos, recordEnd);
    const keyLength = varint(b, pos, recordEnd);
    if (keyLength > 0) pos.at += keyLength;
    const valueLength = varint(b, pos, recordEnd);
    if (valueLength > 0 && pos.at + valueLength > recordEnd) corrupt(`a value of ${valueLength} bytes`, pos.at);
    const value = valueLength > 0 ? b.subarray(pos.at, pos.at + valueLength) : EMPTY;
    pos.at = recordEnd; // headers are not read
    if (offset >= from) out.push({ offset, value });
  }
}

/** Whether a control batch's first record is an ABORT marker (its key's type). */
function abortMarker(b: Buffer, at: number, end: number, count: number): boolean {
  if (count < 1) return false;
  const pos = { at };
  const length = varint(b, pos, end);
  const recordEnd = pos.at + length;
  if (recordEnd > end) corrupt('a control record past its batch', pos.at);
  pos.at++;
  skipVarlong(b, pos, recordEnd);
  varint(b, pos, recordEnd);
  const keyLength = varint(b, pos, recordEnd);
  if (keyLength < 4 || pos.at + 4 > recordEnd) corrupt('a control record without a key', pos.at);
  return b.readInt16BE(pos.at + 2) === ABORT_MARKER;
}
