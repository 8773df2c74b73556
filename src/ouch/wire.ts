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

function bad(code: OuchErrorCode, name: string, f: WireField, why: string, base: number): never {
  throw new OuchError(code, why, { field: name, offset: base + f.offset });
}

/** Reads one field of `buf` at `base + f.offset`. alphaN is returned without its padding. */
export function readField(buf: Buffer, base: number, name: string, f: WireField, code: OuchErrorCode = 'OUCH_BAD_FIELD'): FieldValue {
  const at = base + f.offset;
  switch (f.type) {
    case 'u8':
      return buf.readUInt8(at);
    case 'u16':
      return buf.readUInt16BE(at);
    case 'u32':
      return buf.readUInt32BE(at);
    case 'i32':
    case 'sprice':
      return buf.readInt32BE(at);
    case 'u64':
    case 'price':
    case 'ts':
      return buf.readBigUInt64BE(at);
    default:
      break;
  }
  for (let i = 0; i < f.length; i++) {
    const b = buf[at + i];
    if (b < PRINTABLE_LO || b > PRINTABLE_HI) bad(code, name, f, `byte 0x${b.toString(16).padStart(2, '0')} is not printable ASCII`, base);
  }
  const text = buf.toString('latin1', at, at + f.length);
  if (f.type.startsWith('num')) {
    const t = text.trimStart();
    if (!/^[0-9]+$/.test(t)) bad(code, name, f, `${JSON.stringify(text)} is not a right-justified decimal number`, base);
    return t;
  }
  return text.trimEnd();
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

/** Writes one field. Throws OUCH_ENCODE when the value does not fit (a caller's bug). */
export function writeField(buf: Buffer, base: number, name: string, f: WireField, v: FieldValue): void {
  const at = base + f.offset;
  switch (f.type) {
    case 'u8':
      buf.writeUInt8(fitInt(v, 0, 0xff, name, f, base), at);
      return;
    case 'u16':
      buf.writeUInt16BE(fitInt(v, 0, 0xffff, name, f, base), at);
      return;
    case 'u32':
      buf.writeUInt32BE(fitInt(v, 0, 0xffff_ffff, name, f, base), at);
      return;
    case 'i32':
    case 'sprice':
      buf.writeInt32BE(fitInt(v, -0x8000_0000, 0x7fff_ffff, name, f, base), at);
      return;
    case 'u64':
    case 'price':
    case 'ts':
      buf.writeBigUInt64BE(fitU64(v, name, f, base), at);
      return;
    default:
      break;
  }
  const s = String(v);
  if (s.length > f.length) bad('OUCH_ENCODE', name, f, `${JSON.stringify(s)} is longer than ${f.length} characters`, base);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < PRINTABLE_LO || c > PRINTABLE_HI) bad('OUCH_ENCODE', name, f, `${JSON.stringify(s)} is not printable ASCII`, base);
  }
  if (f.type.startsWith('num')) {
    if (!/^[0-9]+$/.test(s)) bad('OUCH_ENCODE', name, f, `${JSON.stringify(s)} is not a decimal number`, base);
    buf.write(s.padStart(f.length, ' '), at, f.length, 'latin1');
  } else {
    buf.write(s.padEnd(f.length, ' '), at, f.length, 'latin1');
  }
}

/** Reads every field of a layout into an object keyed by field name. */
export function readFields(buf: Buffer, base: number, fields: Fields, code?: OuchErrorCode): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [name, f] of Object.entries(fields)) out[name] = readField(buf, base, name, f, code);
  return out;
}

/** Writes every field of a layout from `values` (a missing value is a caller's bug). */
export function writeFields(buf: Buffer, base: number, fields: Fields, values: Record<string, FieldValue | undefined>): void {
  for (const [name, f] of Object.entries(fields)) {
    const v = values[name];
    if (v === undefined) throw new OuchError('OUCH_ENCODE', 'no value given', { field: name, offset: base + f.offset });
    writeField(buf, base, name, f, v);
  }
}
