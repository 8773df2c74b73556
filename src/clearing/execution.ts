/**
 * The execution record that travels on the `<prefix>.executions` topic (docs/spec.md §14.1):
 * 48 bytes, little-endian, magic `RGX1`, at the offsets of the contract (EXECUTION in
 * src/contract.ts): magic, version, side `B`/`S`, leg, account index (0xFF when none),
 * session, external account id, seq (< 2^48), symbol (ASCII, space padded), price (> 0),
 * qty (> 0), ts (ITCH ns since midnight).
 */
import { EXECUTION as X, RecordKind, VERSIONS } from '../contract.ts';
import { RecordView } from '../records/view.ts';
import { ClearingError } from './errors.ts';

export const EXECUTION_SIZE = X.size;
export const EXECUTION_VERSION = VERSIONS.execution;
const MAGIC = Buffer.from(VERSIONS.executionMagic, 'latin1');
const SEQ_LIMIT = 2n ** 48n;
const SYMBOL_BYTES = X.price - X.symbol;

export type Side = 'B' | 'S';

export interface Execution {
  session: number;
  seq: number;
  leg: number;
  side: Side;
  accountId: number;
  accountIndex: number; // 0xFF when the producer has no engine account index
  symbol: string; // trimmed
  price: number; // price units (u32, 4 implied decimals)
  qty: number;
  ts: bigint;
}

/** The execution id `(session, seq, leg)` as text: `session:seq:leg`. */
export function executionId(e: Pick<Execution, 'session' | 'seq' | 'leg'>): string {
  return `${e.session}:${e.seq}:${e.leg}`;
}

/** Orders execution ids of one session: by seq, then leg. Negative when a < b. */
export function compareSeqLeg(aSeq: number, aLeg: number, bSeq: number, bLeg: number): number {
  return aSeq !== bSeq ? aSeq - bSeq : aLeg - bLeg;
}

/** The Kafka key of an execution: the external account id in decimal ASCII. */
export function executionKey(accountId: number): string {
  return String(accountId);
}

function bad(reason: string): never {
  throw new ClearingError('BAD_EXECUTION', reason);
}

export function encodeExecution(e: Execution): Buffer {
  validate(e);
  const b = Buffer.alloc(EXECUTION_SIZE);
  MAGIC.copy(b, X.magic);
  b.writeUInt8(EXECUTION_VERSION, X.version);
  b.write(e.side, X.side, 'latin1');
  b.writeUInt8(e.leg, X.leg);
  b.writeUInt8(e.accountIndex, X.account_index);
  b.writeUInt32LE(e.session, X.session);
  b.writeUInt32LE(e.accountId, X.account_id);
  b.writeBigUInt64LE(BigInt(e.seq), X.seq);
  b.write(e.symbol.padEnd(SYMBOL_BYTES, ' '), X.symbol, SYMBOL_BYTES, 'latin1');
  b.writeUInt32LE(e.price, X.price);
  b.writeUInt32LE(e.qty, X.qty);
  b.writeBigUInt64LE(e.ts, X.ts);
  return b;
}

/** Decodes and validates; throws ClearingError('BAD_EXECUTION') with the reason. */
export function decodeExecution(b: Buffer | null | undefined): Execution {
  if (!b) bad('empty value');
  if (b.length !== EXECUTION_SIZE) bad(`length ${b.length}, expected ${EXECUTION_SIZE}`);
  if (!b.subarray(X.magic, X.magic + MAGIC.length).equals(MAGIC)) bad(`bad magic (expected ${VERSIONS.executionMagic})`);
  const version = b.readUInt8(X.version);
  if (version !== EXECUTION_VERSION) bad(`unsupported version ${version}`);
  const sideByte = String.fromCharCode(b[X.side]);
  if (sideByte !== 'B' && sideByte !== 'S') bad(`bad side byte 0x${b[X.side].toString(16)}`);
  const seq = b.readBigUInt64LE(X.seq);
  if (seq === 0n || seq >= SEQ_LIMIT) bad(`seq ${seq} out of range`);
  const rawSymbol = b.toString('latin1', X.symbol, X.symbol + SYMBOL_BYTES);
  if (!/^[\x21-\x7e]+ *$/.test(rawSymbol)) bad('symbol is not printable ASCII right-padded with spaces');
  const e: Execution = {
    session: b.readUInt32LE(X.session),
    seq: Number(seq),
    leg: b.readUInt8(X.leg),
    side: sideByte,
    accountId: b.readUInt32LE(X.account_id),
    accountIndex: b.readUInt8(X.account_index),
    symbol: rawSymbol.trimEnd(),
    price: b.readUInt32LE(X.price),
    qty: b.readUInt32LE(X.qty),
    ts: b.readBigUInt64LE(X.ts),
  };
  validate(e);
  return e;
}

function validate(e: Execution): void {
  if (!Number.isInteger(e.session) || e.session < 0 || e.session > 0xffffffff) bad(`session ${e.session} out of range`);
  if (!Number.isSafeInteger(e.seq) || e.seq < 1 || BigInt(e.seq) >= SEQ_LIMIT) bad(`seq ${e.seq} out of range`);
  if (!Number.isInteger(e.leg) || e.leg < 0 || e.leg > 255) bad(`leg ${e.leg} out of range`);
  if (e.side !== 'B' && e.side !== 'S') bad(`side ${String(e.side)}`);
  if (!Number.isInteger(e.accountId) || e.accountId < 0 || e.accountId > 0xffffffff) bad(`account id ${e.accountId} out of range`);
  if (!Number.isInteger(e.accountIndex) || e.accountIndex < 0 || e.accountIndex > 255) bad(`account index ${e.accountIndex} out of range`);
  if (e.symbol.length < 1 || e.symbol.length > 8) bad(`symbol '${e.symbol}' must be 1..8 characters`);
  if (!Number.isInteger(e.price) || e.price <= 0 || e.price > 0xffffffff) bad(`price ${e.price} out of range`);
  if (!Number.isInteger(e.qty) || e.qty <= 0 || e.qty > 0xffffffff) bad(`qty ${e.qty} out of range`);
  if (e.ts < 0n || e.ts >= 2n ** 64n) bad(`ts ${e.ts} out of range`);
}

/**
 * Maps a 32-byte FILL record (docs/spec.md §11, kind 3) to an execution. `session` comes
 * from the config (§8.3); `accounts[i]` / `symbols[i]` give the external account id and the
 * symbol name for the record's account and symbol indices.
 */
export function executionFromFill(
  rec: Buffer,
  session: number,
  accounts: readonly number[],
  symbols: readonly string[],
): Execution {
  const r = new RecordView(rec);
  if (r.count < 1) bad(`FILL record of ${rec.length} bytes`);
  r.at(0);
  if (r.kind !== RecordKind.FILL) bad(`record kind ${r.kind} is not FILL (${RecordKind.FILL})`);
  const symbolIndex = r.symbol;
  const accountIndex = r.accountIndex;
  const symbol = symbols[symbolIndex];
  const accountId = accounts[accountIndex];
  if (symbol === undefined) bad(`FILL symbol index ${symbolIndex} not in config`);
  if (accountId === undefined) bad(`FILL account index ${accountIndex} not in config`);
  return {
    session,
    seq: r.seq,
    leg: r.leg,
    side: String.fromCharCode(r.aux) as Side, // checked by encodeExecution: a bad side byte is not made good
    accountId,
    accountIndex,
    symbol: symbol.trimEnd(),
    price: r.price,
    qty: r.qty,
    ts: BigInt(r.ts),
  };
}

const FILL_KIND = RecordKind.FILL;
const REC_KIND = 1; // record header: kind byte
const REC_SYMBOL = 2;
const REC_AUX = 3;
const REC_SEQ = 4;
const REC_TS = 10;
const FILL_PRICE = 16;
const FILL_QTY = 20;
const FILL_LEG = 28;
const FILL_ACCOUNT_INDEX = 29;
const RECORD_BYTES = 32;
const SIDE_B = 0x42;
const SIDE_S = 0x53;

/**
 * Writes the executions of FILL records straight from the record bytes into EXECUTION
 * records (the bytes `encodeExecution(executionFromFill(...))` writes, without the objects):
 * for handing a batch of fills to clearing threads as one binary buffer. A record the fast
 * path cannot take as it is (unknown symbol or account index, bad side, zero price or qty,
 * seq 0) goes through `executionFromFill` + `encodeExecution`, which throw the usual
 * BAD_EXECUTION error for it.
 */
export class FillExecutionWriter {
  private readonly symbolBytes: (Buffer | null)[];
  private readonly accountIds: readonly number[];

  constructor(
    private readonly session: number,
    accounts: readonly number[],
    private readonly symbols: readonly string[],
  ) {
    this.accountIds = accounts;
    this.symbolBytes = symbols.map((s) => {
      const t = s.trimEnd();
      return t.length >= 1 && t.length <= SYMBOL_BYTES && /^[\x21-\x7e]+$/.test(t) ? Buffer.from(t.padEnd(SYMBOL_BYTES, ' '), 'latin1') : null;
    });
    if (!Number.isInteger(session) || session < 0 || session > 0xffffffff) bad(`session ${session} out of range`);
  }

  /**
   * The symbols as the native hand-off takes them (native/src/fill_executions.rs): 9 bytes a
   * symbol index, 1 when the fast path writes it as it is, then its 8 space-padded bytes.
   */
  symbolTable(): Buffer {
    const t = Buffer.alloc(9 * this.symbolBytes.length);
    this.symbolBytes.forEach((b, i) => {
      if (!b) return;
      t[9 * i] = 1;
      b.copy(t, 9 * i + 1);
    });
    return t;
  }

  /** FILL records in `records` (other kinds are skipped). */
  static countFills(records: Buffer): number {
    let n = 0;
    for (let off = 0; off + RECORD_BYTES <= records.length; off += RECORD_BYTES) if (records[off + REC_KIND] === FILL_KIND) n++;
    return n;
  }

  /** The external account id of the FILL record at `rec[off]` (undefined when not in the config). */
  accountIdAt(rec: Buffer, off: number): number | undefined {
    return this.accountIds[rec[off + FILL_ACCOUNT_INDEX]];
  }

  /**
   * Writes the execution of the FILL record at `rec[off]` into `out[at]` (EXECUTION_SIZE bytes);
   * returns its account id (the shard key).
   */
  write(rec: Buffer, off: number, out: Buffer, at: number): number {
    const sym = this.symbolBytes[rec[off + REC_SYMBOL]];
    const accountIndex = rec[off + FILL_ACCOUNT_INDEX];
    const accountId = this.accountIds[accountIndex];
    const side = rec[off + REC_AUX];
    const price = rec.readUInt32LE(off + FILL_PRICE);
    const qty = rec.readUInt32LE(off + FILL_QTY);
    const seqLo = rec.readUInt32LE(off + REC_SEQ);
    const seqHi = rec.readUInt16LE(off + REC_SEQ + 4);
    if (!sym || accountId === undefined || !Number.isInteger(accountId) || accountId < 0 || accountId > 0xffffffff || (side !== SIDE_B && side !== SIDE_S) || price === 0 || qty === 0 || (seqLo === 0 && seqHi === 0)) {
      const b = encodeExecution(executionFromFill(rec.subarray(off, off + RECORD_BYTES), this.session, this.accountIds, this.symbols));
      b.copy(out, at);
      return b.readUInt32LE(X.account_id);
    }
    out[at + X.magic] = MAGIC[0];
    out[at + X.magic + 1] = MAGIC[1];
    out[at + X.magic + 2] = MAGIC[2];
    out[at + X.magic + 3] = MAGIC[3];
    out[at + X.version] = EXECUTION_VERSION;
    out[at + X.side] = side;
    out[at + X.leg] = rec[off + FILL_LEG];
    out[at + X.account_index] = accountIndex;
    out.writeUInt32LE(this.session, at + X.session);
    out.writeUInt32LE(accountId, at + X.account_id);
    // seq and ts: u48 in the record, u64 in the execution.
    for (let i = 0; i < 6; i++) {
      out[at + X.seq + i] = rec[off + REC_SEQ + i];
      out[at + X.ts + i] = rec[off + REC_TS + i];
    }
    out[at + X.seq + 6] = 0;
    out[at + X.seq + 7] = 0;
    out[at + X.ts + 6] = 0;
    out[at + X.ts + 7] = 0;
    for (let i = 0; i < SYMBOL_BYTES; i++) out[at + X.symbol + i] = sym[i];
    out.writeUInt32LE(price, at + X.price);
    out.writeUInt32LE(qty, at + X.qty);
    return accountId;
  }
}
