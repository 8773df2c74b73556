/**
 * Reading and writing order-entry fields at the contract's offsets (spec §16): big-endian
 * integers, prices (u64, 4 implied decimals), alphaN (ASCII, left-justified, space-padded)
 * and numN (ASCII digits, right-justified, space-padded). Every read checks its bytes: a
 * byte outside printable ASCII in a text field is an error naming the field and offset.
 */
import { OuchError, type OuchErrorCode } from './errors.ts';

export interface WireField {
  readonly offset: number;
  readonly length: number;
  readonly type: string;
}
export type FieldValue = number | bigint | string;
export type Fields = Record<string, WireField>;

const PRINTABLE_LO = 0x20;
const PRINTABLE_HI = 126; // '~'
const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

function bad(code: OuchErrorCode, name: string, f: WireField, why: string, base: number): never {
  throw new OuchError(code, why, { field: name, offset: base + f.offset });
}

/** How a field is read and written, decided once per layout (see `planOf`). */
const enum Kind {
  U8,
  U16,
  U32,
  I32,
  U64,
  ALPHA,
  NUM,
}

interface Step {
  readonly name: string;
  readonly f: WireField;
  readonly kind: Kind;
}

function kindOf(type: string): Kind {
  switch (type) {
    case 'u8':
      return Kind.U8;
    case 'u16':
      return Kind.U16;
    case 'u32':
      return Kind.U32;
    case 'i32':
    case 'sprice':
      return Kind.I32;
    case 'u64':
    case 'price':
    case 'ts':
      return Kind.U64;
    default:
      return type.startsWith('num') ? Kind.NUM : Kind.ALPHA;
  }
}

// Every message passes through readFields or writeFields: its layout's steps are made once
// (no Object.entries, no type-string dispatch per field and message).
const plans = new WeakMap<Fields, Step[]>();

function planOf(fields: Fields): Step[] {
  let plan = plans.get(fields);
  if (!plan) {
    plan = Object.entries(fields).map(([name, f]) => ({ name, f, kind: kindOf(f.type) }));
    plans.set(fields, plan);
  }
  return plan;
}

/** Reads one field of `buf` at `base + f.offset`. alphaN is returned without its padding. */
export function readField(buf: Buffer, base: number, name: string, f: WireField, code: OuchErrorCode = 'OUCH_BAD_FIELD'): FieldValue {
  return readKind(buf, base, name, f, kindOf(f.type), code);
}

function readKind(buf: Buffer, base: number, name: string, f: WireField, kind: Kind, code: OuchErrorCode): FieldValue {
  const at = base + f.offset;
  switch (kind) {
    case Kind.U8:
      return buf.readUInt8(at);
    case Kind.U16:
      return buf.readUInt16BE(at);
    case Kind.U32:
      return buf.readUInt32BE(at);
    case Kind.I32:
      return buf.readInt32BE(at);
    case Kind.U64:
      return buf.readBigUInt64BE(at);
    default:
      break;
  }
  // A field cut off by the end of `buf` reads as far as there are bytes.
  const end = Math.min(at + f.length, buf.length);
  for (let i = at; i < end; i++) {
    const b = buf[i];
    if (b < PRINTABLE_LO || b > PRINTABLE_HI) bad(code, name, f, `byte 0x${b.toString(16).padStart(2, '0')} is not printable ASCII`, base);
  }
  if (kind === Kind.NUM) {
    // Right-justified: leading spaces, then one or more digits to the end.
    let i = at;
    while (i < end && buf[i] === SPACE) i++;
    let digits = i < end;
    for (let j = i; j < end; j++) if (buf[j] < DIGIT_0 || buf[j] > DIGIT_9) digits = false;
    if (!digits) bad(code, name, f, `${JSON.stringify(buf.toString('latin1', at, end))} is not a right-justified decimal number`, base);
    return text(buf, i, end);
  }
  // Printable ASCII has no whitespace but the space: this is trimEnd.
  let e = end;
  while (e > at && buf[e - 1] === SPACE) e--;
  return text(buf, at, e);
}

// Short text fields (side, time in force, symbol, ...) repeat from message to message: they
// are looked up by their bytes instead of decoded into a new string each time (a buffer's
// toString was the largest cost of decoding an order). A direct-mapped cache of 4,096 strings
// indexed by a hash of the bytes, each hit confirmed byte by byte against the string (so a
// collision only costs a decode, never a wrong value): no Map lookup, no key number
// allocated per field (a Map keyed by a base-96 number was 6% of the gateway's CPU at
// 50k orders/s, issue 13). A flood of distinct values just overwrites entries.
const INTERN_MAX_LENGTH = 8;
const INTERN_SLOTS = 4096;
const interned: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);
/** One-character strings by byte. */
const CHAR: string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

function text(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n === 1) return CHAR[buf[start]];
  if (n > INTERN_MAX_LENGTH) return buf.toString('latin1', start, end);
  let h = n;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x9e3779b1);
  const slot = (h >>> 20) & (INTERN_SLOTS - 1);
  const s = interned[slot];
  if (s !== undefined && s.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return s;
  }
  const d = buf.toString('latin1', start, end);
  interned[slot] = d;
  return d;
}

/**
 * alpha1 (one byte): the byte's string, '' for the space (padding). False for a byte that
 * is not printable ASCII: the caller reads it the general way, which throws the field's error.
 */
function alpha1(buf: Buffer, at: number): string | false {
  const b = buf[at];
  return b === SPACE ? '' : b > PRINTABLE_LO && b <= PRINTABLE_HI ? CHAR[b] : false;
}

// Range checks of the integer fields, kept out of writeField so a call allocates no closure
// (and a number needs no BigInt): every outbound message passes here, per field.
function fitInt(n: FieldValue, min: number, max: number, name: string, f: WireField, base: number): number {
  const x = typeof n === 'bigint' && n >= BigInt(min) && n <= BigInt(max) ? Number(n) : n;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) bad('OUCH_ENCODE', name, f, `${String(n)} does not fit ${f.type}`, base);
  return x as number;
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

function fitU64(n: FieldValue, name: string, f: WireField, base: number): bigint {
  const b = typeof n === 'bigint' ? n : typeof n === 'number' && Number.isInteger(n) ? BigInt(n) : null;
  if (b === null || b < 0n || b > U64_MAX) bad('OUCH_ENCODE', name, f, `${String(n)} does not fit ${f.type}`, base);
  return b as bigint;
}

// A u64 is stored through a BigUint64Array and its bytes copied in big-endian order: the
// range is checked by fitU64 already, and writeBigUInt64BE's own checks were most of its cost.
const u64 = new BigUint64Array(1);
const u64Bytes = new Uint8Array(u64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A u64 big-endian at `at` (v below 2^64): without writeBigUInt64BE's per-call checks. */
export function writeU64(buf: Buffer, at: number, v: bigint): void {
  if (at < 0 || at + 8 > buf.length) throw new RangeError(`u64 at ${at} is out of range of a ${buf.length}-byte buffer`);
  u64[0] = v;
  if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) buf[at + i] = u64Bytes[7 - i];
  else for (let i = 0; i < 8; i++) buf[at + i] = u64Bytes[i];
}

/**
 * An alpha field's text whose bytes are known to be printable ASCII (the native read path
 * checked them, native/core/src/ouch_read.rs): trailing spaces trimmed, the same string
 * `readField` returns for those bytes (the same cache of short texts).
 */
export function alphaText(buf: Buffer, at: number, length: number): string {
  let e = at + length;
  while (e > at && buf[e - 1] === SPACE) e--;
  return text(buf, at, e);
}

/** Writes one field. Throws OUCH_ENCODE when the value does not fit (a caller's bug). */
export function writeField(buf: Buffer, base: number, name: string, f: WireField, v: FieldValue): void {
  writeKind(buf, base, name, f, kindOf(f.type), v);
}

function writeKind(buf: Buffer, base: number, name: string, f: WireField, kind: Kind, v: FieldValue): void {
  const at = base + f.offset;
  switch (kind) {
    case Kind.U8:
      buf.writeUInt8(fitInt(v, 0, 0xff, name, f, base), at);
      return;
    case Kind.U16:
      buf.writeUInt16BE(fitInt(v, 0, 0xffff, name, f, base), at);
      return;
    case Kind.U32:
      buf.writeUInt32BE(fitInt(v, 0, 0xffff_ffff, name, f, base), at);
      return;
    case Kind.I32:
      buf.writeInt32BE(fitInt(v, -0x8000_0000, 0x7fff_ffff, name, f, base), at);
      return;
    case Kind.U64:
      writeU64(buf, at, fitU64(v, name, f, base));
      return;
    default:
      break;
  }
  const s = typeof v === 'string' ? v : String(v);
  const n = s.length;
  if (n > f.length) bad('OUCH_ENCODE', name, f, `${JSON.stringify(s)} is longer than ${f.length} characters`, base);
  if (at < 0 || at + f.length > buf.length) throw new RangeError(`field ${name}: offset ${at}..${at + f.length} is out of range of a ${buf.length}-byte buffer`);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < PRINTABLE_LO || c > PRINTABLE_HI) bad('OUCH_ENCODE', name, f, `${JSON.stringify(s)} is not printable ASCII`, base);
  }
  // Bytes are written one by one: for these short fields cheaper than a padded copy and buf.write.
  if (kind === Kind.NUM) {
    if (n === 0) bad('OUCH_ENCODE', name, f, `${JSON.stringify(s)} is not a decimal number`, base);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < DIGIT_0 || c > DIGIT_9) bad('OUCH_ENCODE', name, f, `${JSON.stringify(s)} is not a decimal number`, base);
    }
    const pad = f.length - n;
    for (let i = 0; i < pad; i++) buf[at + i] = SPACE;
    for (let i = 0; i < n; i++) buf[at + pad + i] = s.charCodeAt(i);
  } else {
    for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
    for (let i = at + n; i < at + f.length; i++) buf[i] = SPACE;
  }
}

type Reader = (buf: Buffer, base: number, code: OuchErrorCode) => Record<string, FieldValue>;
const readers = new WeakMap<Fields, Reader>();

/**
 * A layout's reader builds its object as one literal with the fields in layout order (one
 * shape per layout, set at creation), not by adding keys one by one (a dictionary-mode object
 * and a megamorphic keyed store per field: half the cost of decoding an order). The field
 * names come from the contract; JSON.stringify quotes them.
 */
function readerOf(fields: Fields): Reader {
  let r = readers.get(fields);
  if (!r) {
    const plan = planOf(fields);
    // Each field's read is written out for its kind (issue 13: the shared readKind's switch
    // and checks per field were most of a decode): integers straight from the buffer, alpha1
    // from a table; an alpha1 byte that is not printable, and longer text, go through
    // readKind, which checks every byte and throws the field's error.
    const pre: string[] = [];
    const body = plan.map((st, i) => {
      const at = `base + ${st.f.offset}`;
      const general = `readKind(buf, base, p[${i}].name, p[${i}].f, p[${i}].kind, code)`;
      let v: string;
      if (st.kind === Kind.U8) v = `buf.readUInt8(${at})`;
      else if (st.kind === Kind.U16) v = `buf.readUInt16BE(${at})`;
      else if (st.kind === Kind.U32) v = `buf.readUInt32BE(${at})`;
      else if (st.kind === Kind.I32) v = `buf.readInt32BE(${at})`;
      else if (st.kind === Kind.U64) v = `buf.readBigUInt64BE(${at})`;
      else if (st.kind === Kind.ALPHA && st.f.length === 1) {
        // Looked up first, the general read (and its error) in the literal: errors keep layout order.
        pre.push(`const a${i} = ${at} < buf.length ? alpha1(buf, ${at}) : '';`);
        v = `a${i} !== false ? a${i} : ${general}`;
      } else v = general;
      return `${JSON.stringify(st.name)}: ${v}`;
    }).join(',\n');
    const make = new Function('readKind', 'alpha1', 'p', `return (buf, base, code) => {\n${pre.join('\n')}\nreturn {\n${body}\n};\n};`) as (rk: typeof readKind, a1: typeof alpha1, p: Step[]) => Reader;
    r = make(readKind, alpha1, plan);
    readers.set(fields, r);
  }
  return r;
}

/** Reads every field of a layout into an object keyed by field name. */
export function readFields(buf: Buffer, base: number, fields: Fields, code: OuchErrorCode = 'OUCH_BAD_FIELD'): Record<string, FieldValue> {
  return readerOf(fields)(buf, base, code);
}

type Writer = (buf: Buffer, base: number, values: Record<string, FieldValue | undefined>, overrides: Record<string, FieldValue | undefined> | undefined) => void;
const writers = new WeakMap<Fields, Writer>();

function missing(st: Step, base: number): never {
  throw new OuchError('OUCH_ENCODE', 'no value given', { field: st.name, offset: base + st.f.offset });
}

/**
 * A layout's writer reads each value by its literal name (a named property load per field,
 * not a keyed one with a different key each time, which no inline cache can follow).
 */
function writerOf(fields: Fields): Writer {
  let w = writers.get(fields);
  if (!w) {
    const plan = planOf(fields);
    // Each field's write is written out for its kind (issue 13): a value of the plain type in
    // range is stored at once; anything else (a bigint for a u32, a value out of range, text
    // that is not printable ASCII) goes through writeKind, which converts it or throws.
    const body = plan.map((st, i) => {
      const k = `[${JSON.stringify(st.name)}]`;
      const at = `base + ${st.f.offset}`;
      const general = `writeKind(buf, base, p[${i}].name, p[${i}].f, p[${i}].kind, v);`;
      let fast: string;
      if (st.kind === Kind.U8) fast = `if (typeof v === 'number' && (v & 0xff) === v) buf.writeUInt8(v, ${at});\nelse ${general}`;
      else if (st.kind === Kind.U16) fast = `if (typeof v === 'number' && (v & 0xffff) === v) buf.writeUInt16BE(v, ${at});\nelse ${general}`;
      else if (st.kind === Kind.U32) fast = `if (typeof v === 'number' && v >>> 0 === v) buf.writeUInt32BE(v, ${at});\nelse ${general}`;
      else if (st.kind === Kind.U64) fast = `if (typeof v === 'bigint' && v >= 0n && v <= U64_MAX) writeU64(buf, ${at}, v);\nelse ${general}`;
      else if (st.kind === Kind.ALPHA && st.f.length === 1) {
        // One printable character, or '' (a space): stored as is; anything else the general way.
        fast = `c = typeof v === 'string' ? (v.length === 1 ? v.charCodeAt(0) : v.length === 0 ? 0x20 : -1) : -1;\n` +
          `if (c >= 0x20 && c <= 0x7e && ${at} >= 0 && ${at} < buf.length) buf[${at}] = c;\nelse ${general}`;
      } else fast = general;
      return `v = o !== undefined && o${k} !== undefined ? o${k} : values${k};\nif (v === undefined) missing(p[${i}], base);\n${fast}`;
    }).join('\n');
    const make = new Function('writeKind', 'missing', 'writeU64', 'U64_MAX', 'p', `return (buf, base, values, o) => {\nlet v;\nlet c;\n${body}\n};`) as (wk: typeof writeKind, m: typeof missing, w64: typeof writeU64, max: bigint, p: Step[]) => Writer;
    w = make(writeKind, missing, writeU64, U64_MAX, plan);
    writers.set(fields, w);
  }
  return w;
}

/**
 * Writes every field of a layout from `values`, or from `overrides` where it has the field
 * (the message type, the appendage length: no merged copy of `values` per message). A
 * missing value is a caller's bug.
 */
export function writeFields(buf: Buffer, base: number, fields: Fields, values: Record<string, FieldValue | undefined>, overrides?: Record<string, FieldValue | undefined>): void {
  writerOf(fields)(buf, base, values, overrides);
}

const covering = new WeakMap<Fields, boolean>();

/**
 * True when the layout's fields cover every byte of its `size` bytes (no gap, no overlap):
 * writeFields then writes the whole message, and its buffer needs no zero fill.
 */
export function coversEveryByte(fields: Fields, size: number): boolean {
  let c = covering.get(fields);
  if (c === undefined) {
    const spans = Object.values(fields).map((f) => [f.offset, f.offset + f.length] as const).sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [start, end] of spans) {
      if (start !== at) break;
      at = end;
    }
    c = at === size;
    covering.set(fields, c);
  }
  return c;
}
