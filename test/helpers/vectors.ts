/**
 * Golden-vector format (test/vectors/*.json) and its encoder: human-readable messages →
 * BinaryFILE frames, config overrides → validated config JSON, and 32-byte records →
 * readable objects in the same shape the vectors use for their expectations.
 *
 * Kept free of engine imports so the hardware tests (Verilator) can reuse it: they need
 * `loadVectors`, `vectorConfigJson`, `vectorFrames` and `readableRecords` only.
 *
 * Conventions inside a vector file:
 *  - prices: a string is dollars with up to 4 decimals ("10.0200" = 100200 price units);
 *    a JSON number is raw price units (used for u32 edge cases);
 *  - refs, match numbers, effective seqs and control values: decimal strings or numbers
 *    (strings let u64 values stay exact);
 *  - any object may carry "why" / "note" fields; they are documentation and ignored;
 *  - an input message may carry "seq": the seq the author expects it to take (checked by
 *    the encoder, so a miscounted hand computation fails loudly instead of silently).
 */
import { orderFrame, venueFrame } from '../../src/order-entry/frames.ts';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { itch } from '../../src/itch/encode.ts';
import { FrameCursor } from '../../src/itch/framing.ts';
import { typeName } from '../../src/itch/layout.ts';
import {
  CONTROL_OP_NAMES, ControlOp, FLAG_NAMES, KIND_NAMES, MESSAGE_LENGTH, NO_SYMBOL, PROBLEM_NAMES,
  REASON_NAMES, RECORD_SIZE, RECORD_VERSION, RecordField as F, RecordHeader as H, RecordKind,
} from '../../src/contract.ts';

/** PROBLEM codes of a refused control message (spec §11: the record carries its op and target). */
const CONTROL_PROBLEMS: readonly number[] = [4, 5]; // BAD_CONTROL, FOREIGN_CONTROL

export const VECTOR_DIR = fileURLToPath(new URL('../vectors/', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------------------------------
// Types

export type Num = number | string;

export interface InputMessage {
  type?: string;
  raw?: string; // message bytes (hex, spaces allowed); framed with its own length
  rawFrame?: string; // verbatim bytes appended to the stream (length prefix included)
  seq?: number;
  [k: string]: unknown;
}

export interface Vector {
  name: string;
  file: string;
  description: string;
  /** Base config: a path relative to test/vectors/ or "default" (config/default.json). */
  configBase?: string;
  /** Deep-merged onto the base; arrays replaced, or patched by index with {"0": {...}}. */
  configOverrides?: Record<string, unknown>;
  input: InputMessage[];
  /** Append the zero-length end-of-session frame (default false). */
  endMarker?: boolean;
  expected: Record<string, unknown>[];
  /** Optional expected stats, spec §12 names; only listed fields are compared. */
  stats?: Record<string, unknown>;
  /** Set to skip the batch-split variant (e.g. vectors ending in a truncated frame). */
  noSplit?: boolean;
  /** Outside the JS spec model (order entry, spec §18): pinned on the Rust core and the hardware only. */
  unmodelled?: boolean;
}

// ---------------------------------------------------------------------------------------
// Loading and config

export function loadVectors(dir = VECTOR_DIR): Vector[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const v = JSON.parse(readFileSync(dir + f, 'utf8')) as Omit<Vector, 'file'>;
      return { ...v, file: f } as Vector;
    });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects recursively, arrays replaced, or patched when the override is {"i": …}. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (Array.isArray(base) && isObj(over) && Object.keys(over).every((k) => /^\d+$/.test(k))) {
    const out = base.slice();
    for (const [k, v] of Object.entries(over)) out[Number(k)] = deepMerge(out[Number(k)], v);
    return out;
  }
  if (isObj(base) && isObj(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

export function vectorConfigJson(v: Pick<Vector, 'configBase' | 'configOverrides'>): Record<string, unknown> {
  const basePath = !v.configBase || v.configBase === 'default' ? `${REPO_DIR}config/default.json` : VECTOR_DIR + v.configBase;
  const base = JSON.parse(readFileSync(basePath, 'utf8')) as Record<string, unknown>;
  return deepMerge(base, v.configOverrides ?? {}) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------
// Prices and numbers

/** "10.0200" → 100200; a number is already price units. */
export function parsePrice(p: unknown): number {
  if (typeof p === 'number') return p;
  if (typeof p !== 'string') throw new Error(`bad price ${JSON.stringify(p)}`);
  const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(p);
  if (!m) throw new Error(`bad price ${JSON.stringify(p)} (dollars with at most 4 decimals)`);
  const v = Number(m[1]) * 10000 + Number((m[2] ?? '').padEnd(4, '0'));
  if (v > 0xffffffff) throw new Error(`price ${p} does not fit u32`);
  return v;
}

export function formatPx(p: number): string {
  const s = p.toString().padStart(5, '0');
  return `${s.slice(0, -4)}.${s.slice(-4)}`;
}

export function big(v: unknown, what = 'value'): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  throw new Error(`bad ${what} ${JSON.stringify(v)}`);
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`bad ${what} ${JSON.stringify(v)}`);
  return v;
}

export function hexBytes(s: string): Buffer {
  const clean = s.replace(/[\s_]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex ${JSON.stringify(s)}`);
  return Buffer.from(clean, 'hex');
}

// ---------------------------------------------------------------------------------------
// Messages → frames

function hdr(m: InputMessage) {
  return { locate: m.locate === undefined ? 0 : int(m.locate, 'locate'), tracking: m.tracking === undefined ? 0 : int(m.tracking, 'tracking'), ts: big(m.ts ?? 0, 'ts') };
}

function str(m: InputMessage, k: string, dflt?: string): string {
  const v = m[k] ?? dflt;
  if (typeof v !== 'string') throw new Error(`message ${JSON.stringify(m)}: missing string field ${k}`);
  return v;
}

function opCode(op: unknown): number {
  if (typeof op === 'number') return op;
  if (typeof op === 'string' && op in ControlOp) return ControlOp[op as keyof typeof ControlOp];
  throw new Error(`bad control op ${JSON.stringify(op)}`);
}

/**
 * Encodes one input message (without its length prefix). A "len" different from the type's
 * table length truncates the encoded message or pads it with zero bytes (bad-length input).
 */
export function encodeMessage(m: InputMessage, fingerprint: bigint): Buffer {
  const b = encodeBody(m, fingerprint);
  if (m.raw === undefined && m.len !== undefined && typeof m.type === 'string' && MESSAGE_LENGTH[m.type] !== undefined) {
    const len = int(m.len, 'len');
    const out = Buffer.alloc(len);
    b.copy(out, 0, 0, Math.min(len, b.length));
    return out;
  }
  return b;
}

function encodeBody(m: InputMessage, fingerprint: bigint): Buffer {
  if (m.raw !== undefined) return hexBytes(m.raw);
  const t = m.type;
  if (typeof t !== 'string' || t.length !== 1) throw new Error(`message ${JSON.stringify(m)}: missing type`);
  const h = hdr(m);
  switch (t) {
    case 'S':
      return itch.systemEvent(h, str(m, 'event'));
    case 'R':
      return itch.stockDirectory(h, str(m, 'stock'));
    case 'H':
      return itch.tradingAction(h, str(m, 'stock', ''), str(m, 'state'));
    case 'W':
      return itch.mwcbStatus(h, str(m, 'level'));
    case 'A':
    case 'F': {
      const b = itch.addOrder(h, {
        ref: big(m.ref, 'ref'), side: 'B', shares: int(m.shares, 'shares'), stock: str(m, 'stock', ''),
        price: parsePrice(m.price), mpid: t === 'F' ? str(m, 'mpid', 'MPID') : undefined,
      });
      b[19] = str(m, 'side').charCodeAt(0); // any byte: everything but 'B' is a sell
      return b;
    }
    case 'E':
      return itch.executed(h, { ref: big(m.ref, 'ref'), shares: int(m.shares, 'shares'), match: big(m.match ?? 0, 'match') });
    case 'C':
      return itch.executedWithPrice(h, {
        ref: big(m.ref, 'ref'), shares: int(m.shares, 'shares'), match: big(m.match ?? 0, 'match'),
        printable: m.printable === true, price: parsePrice(m.price),
      });
    case 'X':
      return itch.cancel(h, { ref: big(m.ref, 'ref'), shares: int(m.shares, 'shares') });
    case 'D':
      return itch.delete(h, { ref: big(m.ref, 'ref') });
    case 'U':
      return itch.replace(h, { ref: big(m.ref, 'ref'), newRef: big(m.newRef, 'newRef'), shares: int(m.shares, 'shares'), price: parsePrice(m.price) });
    case 'P':
      return itch.trade(h, {
        ref: big(m.ref ?? 0, 'ref'), side: (str(m, 'side', 'B') === 'B' ? 'B' : 'S'), shares: int(m.shares ?? 100, 'shares'),
        stock: str(m, 'stock', ''), price: parsePrice(m.price), match: big(m.match ?? 0, 'match'),
      });
    case '{':
    case '}': {
      // order-entry frames (spec §18), made for the vector's config unless they name another fingerprint
      const fp = m.fingerprint !== undefined ? big(m.fingerprint, 'fingerprint') : fingerprint;
      const framed = t === '{'
        ? orderFrame({
          action: String(m.action) as 'O' | 'U', side: String(m.side), tif: String(m.tif ?? '0'), account: int(m.account, 'account'),
          symbol: int(m.symbol, 'symbol'), orderId: int(m.orderId, 'orderId'), qty: int(m.qty, 'qty'), price: int(m.price, 'price'),
          seq: Number(big(m.effectiveSeq, 'effectiveSeq')), fingerprint: fp,
        })
        : venueFrame({
          event: String(m.event) as 'E' | 'C', orderId: int(m.orderId, 'orderId'), qty: int(m.qty, 'qty'), price: int(m.price ?? 0, 'price'),
          seq: Number(big(m.effectiveSeq, 'effectiveSeq')), fingerprint: fp,
        });
      return framed.subarray(2);
    }
    case '~':
      // made for the vector's config unless the message names another fingerprint
      return itch.control(
        opCode(m.op), int(m.target, 'target'), big(m.effectiveSeq, 'effectiveSeq'), big(m.value, 'value'),
        m.fingerprint !== undefined ? big(m.fingerprint, 'fingerprint') : fingerprint,
      );
    default: {
      // Skipped ITCH types (zero body of the table length) or unknown types (explicit len).
      const len = MESSAGE_LENGTH[t] ?? (m.len !== undefined ? int(m.len, 'len') : 0);
      if (!len) throw new Error(`message type ${t}: no table length; give "len"`);
      return itch.raw(t, len, h);
    }
  }
}

/**
 * Spec §10's fingerprint, computed here independently: the first 8 bytes (big-endian) of the
 * SHA-256 of the blob with bytes 56..63 zeroed.
 */
export function specFingerprint(blob: Buffer): bigint {
  const b = Buffer.from(blob);
  b.fill(0, 56, 64);
  return createHash('sha256').update(b).digest().readBigUInt64BE(0);
}

/** The fingerprint a blob carries (bytes 56..63, little-endian), as the engines read it. */
export function blobFingerprintOf(blob: Buffer): bigint {
  return blob.readBigUInt64LE(56);
}

/**
 * The framed byte stream of a vector, plus the seq each message is expected to take
 * (undefined for control messages). Checks "seq" annotations. Control messages carry
 * `fingerprint` (that of the config the vector runs under) unless they name their own.
 */
export function vectorFrames(v: Pick<Vector, 'input' | 'endMarker' | 'name'>, fingerprint: bigint): { stream: Buffer; frames: Buffer[] } {
  const frames: Buffer[] = [];
  let seq = 0;
  v.input.forEach((m, i) => {
    if (m.rawFrame !== undefined) {
      frames.push(hexBytes(m.rawFrame));
      if (m.seq !== undefined) seq = m.seq; // author-declared (truncated frames take a seq)
      return;
    }
    const msg = encodeMessage(m, fingerprint);
    const f = Buffer.alloc(msg.length + 2);
    f.writeUInt16BE(msg.length, 0);
    msg.copy(f, 2);
    frames.push(f);
    // The seq rule of §2, from the frame cursor: a control message (type '~', 28 bytes) takes
    // no seq; a '~' frame of another length is a BAD_LENGTH message and does take one.
    const c = new FrameCursor(f, seq + 1);
    if (c.next() && c.takesSeq) seq = c.seq;
    if (m.seq !== undefined && m.seq !== seq) {
      throw new Error(`vector ${v.name}: input[${i}] annotated seq ${m.seq} but takes seq ${seq}`);
    }
  });
  if (v.endMarker) frames.push(Buffer.from([0, 0]));
  return { stream: Buffer.concat(frames), frames };
}

// ---------------------------------------------------------------------------------------
// Records → readable objects: independent of src/records (so it can check it), built on
// the generated contract only.

function names(mask: number, table: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) out.push(table[i] ?? `BIT${i}`);
  return out;
}

function side(b: number): string {
  return b === 0x42 ? 'B' : b === 0x53 ? 'S' : `0x${b.toString(16)}`;
}

/** Problems with a record's encoding (version, reserved bytes), independent of its meaning. */
export function recordEncodingErrors(b: Buffer, off: number): string[] {
  const errs: string[] = [];
  const zero = (from: number, to: number, what: string) => {
    for (let i = from; i < to; i++) if (b[off + i] !== 0) { errs.push(`${what} byte ${i} = ${b[off + i]} (must be 0)`); return; }
  };
  if (b[off + H.version] !== RECORD_VERSION) errs.push(`version ${b[off + H.version]} (must be ${RECORD_VERSION})`);
  const kind = b[off + H.kind];
  if (!KIND_NAMES[kind]) errs.push(`unknown kind ${kind}`);
  if (kind === RecordKind.FILL) zero(F.FILL.reserved, RECORD_SIZE, 'FILL reserved');
  if (kind === RecordKind.CONTROL) zero(F.CONTROL.reserved, RECORD_SIZE, 'CONTROL reserved');
  if (kind === RecordKind.PROBLEM) {
    zero(F.PROBLEM.reserved, RECORD_SIZE, 'PROBLEM reserved');
    if (!CONTROL_PROBLEMS.includes(b[off + H.aux])) zero(F.PROBLEM.op, F.PROBLEM.op + 1, 'PROBLEM op (not a control problem)');
    if (!CONTROL_PROBLEMS.includes(b[off + H.aux])) zero(F.PROBLEM.target, F.PROBLEM.target + 2, 'PROBLEM target (not a control problem)');
    if (b[off + H.symbol] !== NO_SYMBOL) errs.push('PROBLEM symbol must be 0xFF');
    if (b.readUIntLE(off + H.ts, 6) !== 0) errs.push('PROBLEM ts must be 0');
  }
  return errs;
}

export function readableRecord(b: Buffer, off = 0): Record<string, unknown> {
  const kind = b[off + H.kind];
  const sym = b[off + H.symbol];
  const aux = b[off + H.aux];
  const seq = b.readUIntLE(off + H.seq, 6);
  const ts = b.readUIntLE(off + H.ts, 6);
  const symbol = sym === NO_SYMBOL ? null : sym;
  const u32 = (o: number) => b.readUInt32LE(off + o);
  switch (kind) {
    case RecordKind.TOB: {
      const f = F.TOB;
      return {
        kind: 'TOB', seq, ts, symbol, flags: names(aux, FLAG_NAMES),
        bidPx: formatPx(u32(f.bid_px)), bidSz: u32(f.bid_sz), askPx: formatPx(u32(f.ask_px)), askSz: u32(f.ask_sz),
      };
    }
    case RecordKind.DECISION: {
      const f = F.DECISION;
      const verdict = b[off + f.verdict];
      return {
        kind: 'DECISION', seq, ts, symbol, side: side(aux), price: formatPx(u32(f.price)), qty: u32(f.qty),
        reasons: names(b.readUInt16LE(off + f.reasons), REASON_NAMES), accepted: verdict === 1 ? true : verdict === 0 ? false : verdict,
        account: b[off + f.account_index], accountId: u32(f.account_id),
      };
    }
    case RecordKind.FILL: {
      const f = F.FILL;
      return {
        kind: 'FILL', seq, ts, symbol, side: side(aux), price: formatPx(u32(f.price)), qty: u32(f.qty),
        position: b.readInt32LE(off + f.position_after), leg: b[off + f.leg], account: b[off + f.account_index],
      };
    }
    case RecordKind.CONTROL: {
      const f = F.CONTROL;
      return {
        kind: 'CONTROL', seq, ts, symbol, op: CONTROL_OP_NAMES[aux] || `OP_${aux}`,
        target: b.readUInt16LE(off + f.target), value: b.readBigUInt64LE(off + f.value).toString(),
      };
    }
    case RecordKind.ORDER: {
      const f = F.ORDER;
      return {
        kind: 'ORDER', seq, ts, symbol, action: String.fromCharCode(aux), side: String.fromCharCode(b[off + f.side]), price: formatPx(u32(f.price)),
        qty: u32(f.qty), reasons: names(b.readUInt16LE(off + f.reasons), REASON_NAMES), account: b[off + f.account_index], orderId: u32(f.order_id),
      };
    }
    case RecordKind.PROBLEM: {
      const f = F.PROBLEM;
      return {
        kind: 'PROBLEM', seq, ts, symbol, code: PROBLEM_NAMES[aux] || `CODE_${aux}`, type: typeName(b[off + f.type_byte]),
        frameLength: b.readUInt16LE(off + f.frame_len), expectedLength: b.readUInt16LE(off + f.expected_len),
        ...(CONTROL_PROBLEMS.includes(aux)
          ? { op: CONTROL_OP_NAMES[b[off + f.op]] || `OP_${b[off + f.op]}`, target: b.readUInt16LE(off + f.target) }
          : {}),
      };
    }
    default:
      return { kind: `KIND_${kind}`, seq, ts, symbol, hex: b.subarray(off, off + RECORD_SIZE).toString('hex') };
  }
}

export function readableRecords(buf: Buffer): Record<string, unknown>[] {
  if (buf.length % RECORD_SIZE !== 0) throw new Error(`record stream of ${buf.length} bytes is not a multiple of ${RECORD_SIZE}`);
  const out: Record<string, unknown>[] = [];
  for (let off = 0; off < buf.length; off += RECORD_SIZE) out.push(readableRecord(buf, off));
  return out;
}

/** Strips documentation keys so an expectation can be compared with a decoded record. */
export function stripDocs(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k !== 'why' && k !== 'note') out[k] = v;
  return out;
}

const KEY_ORDER = ['kind', 'seq', 'ts', 'symbol'];
function canon(r: Record<string, unknown>): string {
  const keys = Object.keys(r).sort((a, b) => {
    const ia = KEY_ORDER.indexOf(a), ib = KEY_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return JSON.stringify(r, keys);
}

/**
 * A readable line-by-line diff of expected vs actual records (LCS alignment), or '' when equal.
 */
export function recordDiff(expected: Record<string, unknown>[], actual: Record<string, unknown>[]): string {
  const e = expected.map((r) => canon(stripDocs(r)));
  const a = actual.map(canon);
  if (e.length === a.length && e.every((x, i) => x === a[i])) return '';
  const n = e.length, m = a.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = e[i] === a[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const lines: string[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && e[i] === a[j]) { lines.push(`    ${e[i]}`); i++; j++; }
    else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) { lines.push(`  + ${a[j]}   (engine)`); j++; }
    else { lines.push(`  - ${e[i]}   (expected)${expected[i].why ? `\n        why: ${String(expected[i].why)}` : ''}`); i++; }
  }
  return lines.join('\n');
}

