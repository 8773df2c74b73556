/**
 * A cursor over a buffer of 32-byte records (spec §11) with one accessor per field, at the
 * generated offsets (src/contract.ts). Reads on demand, allocates nothing per record: the
 * report, the live state and the exports walk record streams with it.
 */
import { RECORD_SIZE, RecordField, RecordHeader, RecordKind } from '../contract.ts';

const H = RecordHeader;
const TOB = RecordField.TOB;
const DEC = RecordField.DECISION;
const FILL = RecordField.FILL;
const CTL = RecordField.CONTROL;
const PRB = RecordField.PROBLEM;
const U48 = 6;
/** Side byte of DECISION and FILL (`aux`). */
const BUY = 0x42;
/** DECISION `verdict` of an accepted order. */
const ACCEPTED = 1;

export class RecordView {
  /** Offset of the current record. */
  off = -RECORD_SIZE;
  /** Whole records in the buffer. */
  readonly count: number;

  constructor(readonly buf: Buffer) {
    this.count = Math.floor(buf.length / RECORD_SIZE);
  }

  /** Moves to the next record; false after the last. */
  next(): boolean {
    this.off += RECORD_SIZE;
    return this.off + RECORD_SIZE <= this.buf.length;
  }

  /** Moves to record `i`. */
  at(i: number): this {
    this.off = i * RECORD_SIZE;
    return this;
  }

  /** The current record's 32 bytes (a view). */
  bytes(): Buffer {
    return this.buf.subarray(this.off, this.off + RECORD_SIZE);
  }

  // ---- header -------------------------------------------------------------------------
  get version(): number {
    return this.buf[this.off + H.version];
  }
  get kind(): number {
    return this.buf[this.off + H.kind];
  }
  /** Symbol index, NO_SYMBOL when none. */
  get symbol(): number {
    return this.buf[this.off + H.symbol];
  }
  get aux(): number {
    return this.buf[this.off + H.aux];
  }
  get seq(): number {
    return this.buf.readUIntLE(this.off + H.seq, U48);
  }
  get ts(): number {
    return this.buf.readUIntLE(this.off + H.ts, U48);
  }

  // ---- TOB (aux = book flags) ---------------------------------------------------------
  get flags(): number {
    return this.aux;
  }
  get bidPx(): number {
    return this.buf.readUInt32LE(this.off + TOB.bid_px);
  }
  get bidSz(): number {
    return this.buf.readUInt32LE(this.off + TOB.bid_sz);
  }
  get askPx(): number {
    return this.buf.readUInt32LE(this.off + TOB.ask_px);
  }
  get askSz(): number {
    return this.buf.readUInt32LE(this.off + TOB.ask_sz);
  }

  // ---- DECISION and FILL (aux = side) -------------------------------------------------
  get side(): 'B' | 'S' {
    return this.aux === BUY ? 'B' : 'S';
  }
  /** Order price (DECISION) or fill price (FILL), price units. */
  get price(): number {
    return this.buf.readUInt32LE(this.off + (this.kind === RecordKind.FILL ? FILL.price : DEC.price));
  }
  /** Order quantity (DECISION) or filled shares (FILL). */
  get qty(): number {
    return this.buf.readUInt32LE(this.off + (this.kind === RecordKind.FILL ? FILL.qty : DEC.qty));
  }
  /** DECISION: reject reason mask, 0 = accepted. */
  get reasons(): number {
    return this.buf.readUInt16LE(this.off + DEC.reasons);
  }
  get accepted(): boolean {
    return this.buf[this.off + DEC.verdict] === ACCEPTED;
  }
  /** Account index in the config (DECISION or FILL). */
  get accountIndex(): number {
    return this.buf[this.off + (this.kind === RecordKind.FILL ? FILL.account_index : DEC.account_index)];
  }
  /** DECISION: the external account id. */
  get accountId(): number {
    return this.buf.readUInt32LE(this.off + DEC.account_id);
  }
  /** FILL: the symbol position after the fill. */
  get positionAfter(): number {
    return this.buf.readInt32LE(this.off + FILL.position_after);
  }
  get leg(): number {
    return this.buf[this.off + FILL.leg];
  }

  // ---- CONTROL (aux = op); PROBLEM of a refused control message (op, target fields) ----
  get op(): number {
    return this.kind === RecordKind.PROBLEM ? this.buf[this.off + PRB.op] : this.aux;
  }
  get value(): bigint {
    return this.buf.readBigUInt64LE(this.off + CTL.value);
  }
  get target(): number {
    return this.buf.readUInt16LE(this.off + (this.kind === RecordKind.PROBLEM ? PRB.target : CTL.target));
  }

  // ---- PROBLEM (aux = problem code) ---------------------------------------------------
  get problem(): number {
    return this.aux;
  }
  get typeByte(): number {
    return this.buf[this.off + PRB.type_byte];
  }
  get frameLength(): number {
    return this.buf.readUInt16LE(this.off + PRB.frame_len);
  }
  get expectedLength(): number {
    return this.buf.readUInt16LE(this.off + PRB.expected_len);
  }
}
