/**
 * DECISION BATCH, the value of `<prefix>.decisions` (docs/spec.md §14.8): a 48-byte header
 * (magic RGD1, version, record size, header size, count, session, first/last feed offset,
 * first/last seq; offsets from the contract, DECISION_BATCH in src/contract.ts) followed by
 * the run's DECISION and CONTROL records back to back. One Kafka record per decision cost the
 * run most of its time; a batch carries up to 16,384 of them.
 */
import { DECISION_BATCH as H, RECORD_SIZE, RecordHeader, VERSIONS } from '../contract.ts';

/** Most records in one batch: 512 KiB of records, a value under Kafka's default 1 MiB limit. */
export const MAX_BATCH_RECORDS = 16_384;
export const BATCH_HEADER_SIZE = H.size;
const MAGIC = Buffer.from(VERSIONS.decisionBatchMagic, 'latin1');

export interface DecisionBatch {
  version: number;
  session: number;
  firstOffset: number;
  lastOffset: number;
  firstSeq: number;
  lastSeq: number;
  /** The records, `count` × 32 bytes (a view of the value). */
  records: Buffer;
  count: number;
}

/**
 * Packs the records of one transaction into batches. Records are copied in as they come
 * (the engine's buffers are not kept); `seal()` closes the open batch and hands every batch
 * of the transaction over.
 */
export class DecisionBatcher {
  private buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + MAX_BATCH_RECORDS * RECORD_SIZE);
  private count = 0;
  private firstOffset = 0;
  private lastOffset = 0;
  private sealed: Buffer[] = [];
  /** Records in the open transaction's batches. */
  records = 0;

  constructor(private readonly session: number) {}

  /**
   * Appends the records `src[from..to)` (whole 32-byte records, back to back), emitted by the
   * engine call for the packet at `offset`. A run of them is copied at once.
   */
  add(src: Buffer, from: number, to: number, offset: number): void {
    while (from < to) {
      if (this.count === 0) this.firstOffset = offset;
      const n = Math.min((to - from) / RECORD_SIZE, MAX_BATCH_RECORDS - this.count);
      src.copy(this.buf, BATCH_HEADER_SIZE + this.count * RECORD_SIZE, from, from + n * RECORD_SIZE);
      from += n * RECORD_SIZE;
      this.lastOffset = offset;
      this.count += n;
      this.records += n;
      if (this.count === MAX_BATCH_RECORDS) this.close();
    }
  }

  /** The transaction's batches, in order; the batcher starts empty again. */
  seal(): Buffer[] {
    this.close();
    const out = this.sealed;
    this.sealed = [];
    this.records = 0;
    return out;
  }

  /** Drops the open transaction's records (they were not published). */
  clear(): void {
    this.count = 0;
    this.sealed = [];
    this.records = 0;
  }

  private close(): void {
    if (this.count === 0) return;
    const size = BATCH_HEADER_SIZE + this.count * RECORD_SIZE;
    const b = this.buf.subarray(0, size);
    MAGIC.copy(b, H.magic);
    b.writeUInt8(VERSIONS.decisionBatch, H.version);
    b.writeUInt8(RECORD_SIZE, H.record_size);
    b.writeUInt16LE(BATCH_HEADER_SIZE, H.header_size);
    b.writeUInt32LE(this.count, H.count);
    b.writeUInt32LE(this.session >>> 0, H.session);
    b.writeBigUInt64LE(BigInt(this.firstOffset), H.first_offset);
    b.writeBigUInt64LE(BigInt(this.lastOffset), H.last_offset);
    const seqAt = (i: number) => b.readUIntLE(BATCH_HEADER_SIZE + i * RECORD_SIZE + RecordHeader.seq, 6);
    b.writeBigUInt64LE(BigInt(seqAt(0)), H.first_seq);
    b.writeBigUInt64LE(BigInt(seqAt(this.count - 1)), H.last_seq);
    this.sealed.push(b);
    // The sealed value keeps its bytes: the next batch gets a buffer of its own.
    this.buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + MAX_BATCH_RECORDS * RECORD_SIZE);
    this.count = 0;
  }
}

/** Why `value` is not a decision batch (spec §14.8), or null when it is one. */
export function decisionBatchProblem(value: Buffer | null | undefined): string | null {
  if (!value) return 'no value';
  if (value.length < BATCH_HEADER_SIZE) return `${value.length} bytes, shorter than the ${BATCH_HEADER_SIZE}-byte header`;
  if (!value.subarray(H.magic, H.magic + 4).equals(MAGIC)) return `magic ${JSON.stringify(value.subarray(0, 4).toString('latin1'))}, not ${VERSIONS.decisionBatchMagic}`;
  const version = value[H.version];
  if (version !== VERSIONS.decisionBatch) return `version ${version}, not ${VERSIONS.decisionBatch}`;
  if (value[H.record_size] !== RECORD_SIZE) return `record size ${value[H.record_size]}, not ${RECORD_SIZE}`;
  const headerSize = value.readUInt16LE(H.header_size);
  if (headerSize < BATCH_HEADER_SIZE) return `header size ${headerSize}, below ${BATCH_HEADER_SIZE}`;
  const count = value.readUInt32LE(H.count);
  if (count === 0 || count > MAX_BATCH_RECORDS) return `count ${count}, not 1..${MAX_BATCH_RECORDS}`;
  if (value.length !== headerSize + count * RECORD_SIZE) return `${value.length} bytes, not ${headerSize} + ${count} × ${RECORD_SIZE}`;
  return null;
}

/** Decodes a decision batch; throws with the reason when the value is not one. */
export function decodeDecisionBatch(value: Buffer): DecisionBatch {
  const problem = decisionBatchProblem(value);
  if (problem) throw new Error(`not a decision batch: ${problem}`);
  const headerSize = value.readUInt16LE(H.header_size);
  const count = value.readUInt32LE(H.count);
  return {
    version: value[H.version],
    session: value.readUInt32LE(H.session),
    firstOffset: Number(value.readBigUInt64LE(H.first_offset)),
    lastOffset: Number(value.readBigUInt64LE(H.last_offset)),
    firstSeq: Number(value.readBigUInt64LE(H.first_seq)),
    lastSeq: Number(value.readBigUInt64LE(H.last_seq)),
    records: value.subarray(headerSize, headerSize + count * RECORD_SIZE),
    count,
  };
}
