/**
 * The execution record that travels on the `<prefix>.executions` topic (docs/spec.md,
 * "Kafka topics and formats"): 48 bytes, little-endian, magic `RGX1`.
 *
 * | off | type | field |
 * |  0  | 4    | magic `RGX1` |
 * |  4  | u8   | version = 1 |
 * |  5  | u8   | side `B` / `S` |
 * |  6  | u8   | leg |
 * |  7  | u8   | account index (0xFF when none) |
 * |  8  | u32  | session |
 * | 12  | u32  | account id (external) |
 * | 16  | u64  | seq (< 2^48) |
 * | 24  | 8    | symbol, ASCII, right-padded with spaces |
 * | 32  | u32  | price (price units, 4 implied decimals), > 0 |
 * | 36  | u32  | qty, > 0 |
 * | 40  | u64  | ts (ITCH ns since midnight) |
 */
import { ClearingError } from './errors.ts';

export const EXECUTION_SIZE = 48;
export const EXECUTION_VERSION = 1;
const MAGIC = 0x31584752; // 'RGX1' read as u32 LE
const SEQ_LIMIT = 2n ** 48n;

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
  b.writeUInt32LE(MAGIC, 0);
  b.writeUInt8(EXECUTION_VERSION, 4);
  b.write(e.side, 5, 'latin1');
  b.writeUInt8(e.leg, 6);
  b.writeUInt8(e.accountIndex, 7);
  b.writeUInt32LE(e.session, 8);
  b.writeUInt32LE(e.accountId, 12);
  b.writeBigUInt64LE(BigInt(e.seq), 16);
  b.write(e.symbol.padEnd(8, ' '), 24, 8, 'latin1');
  b.writeUInt32LE(e.price, 32);
  b.writeUInt32LE(e.qty, 36);
  b.writeBigUInt64LE(e.ts, 40);
  return b;
}

/** Decodes and validates; throws ClearingError('BAD_EXECUTION') with the reason. */
export function decodeExecution(b: Buffer | null | undefined): Execution {
  if (!b) bad('empty value');
  if (b.length !== EXECUTION_SIZE) bad(`length ${b.length}, expected ${EXECUTION_SIZE}`);
  if (b.readUInt32LE(0) !== MAGIC) bad('bad magic (expected RGX1)');
  const version = b.readUInt8(4);
  if (version !== EXECUTION_VERSION) bad(`unsupported version ${version}`);
  const sideByte = String.fromCharCode(b[5]);
  if (sideByte !== 'B' && sideByte !== 'S') bad(`bad side byte 0x${b[5].toString(16)}`);
  const seq = b.readBigUInt64LE(16);
  if (seq === 0n || seq >= SEQ_LIMIT) bad(`seq ${seq} out of range`);
  const rawSymbol = b.toString('latin1', 24, 32);
  if (!/^[\x21-\x7e]+ *$/.test(rawSymbol)) bad('symbol is not printable ASCII right-padded with spaces');
  const e: Execution = {
    session: b.readUInt32LE(8),
    seq: Number(seq),
    leg: b.readUInt8(6),
    side: sideByte,
    accountId: b.readUInt32LE(12),
    accountIndex: b.readUInt8(7),
    symbol: rawSymbol.trimEnd(),
    price: b.readUInt32LE(32),
    qty: b.readUInt32LE(36),
    ts: b.readBigUInt64LE(40),
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
  if (rec.length < 32) bad(`FILL record of ${rec.length} bytes`);
  if (rec[1] !== 3) bad(`record kind ${rec[1]} is not FILL (3)`);
  const symbolIndex = rec[2];
  const accountIndex = rec[29];
  const symbol = symbols[symbolIndex];
  const accountId = accounts[accountIndex];
  if (symbol === undefined) bad(`FILL symbol index ${symbolIndex} not in config`);
  if (accountId === undefined) bad(`FILL account index ${accountIndex} not in config`);
  const seq = rec.readUIntLE(4, 6);
  const ts = BigInt(rec.readUIntLE(10, 6));
  return {
    session,
    seq,
    leg: rec[28],
    side: String.fromCharCode(rec[3]) as Side,
    accountId,
    accountIndex,
    symbol: symbol.trimEnd(),
    price: rec.readUInt32LE(16),
    qty: rec.readUInt32LE(20),
    ts,
  };
}
