/**
 * The OUCH 5.0 optional appendage (spec §16.4): a run of options, each an optionLength byte
 * (the bytes of tag + value), an optionTag byte and the value. An option riskgate cannot
 * check (a peg, a discretion price, a route) makes the order rejected, never forwarded; an
 * unknown tag, a wrong value length, a repeated tag or a truncated option is rejected too.
 */
import { OUCH_OPTIONS, type OuchRejectName } from '../contract.ts';
import { OuchError } from './errors.ts';
import { readField, writeField, type FieldValue } from './wire.ts';

export type OptionName = (typeof OUCH_OPTIONS)[number]['name'];
export interface OuchOption {
  name: OptionName;
  value: FieldValue;
}

const BY_TAG = new Map<number, (typeof OUCH_OPTIONS)[number]>(OUCH_OPTIONS.map((o) => [o.tag, o]));
const BY_NAME = new Map<string, (typeof OUCH_OPTIONS)[number]>(OUCH_OPTIONS.map((o) => [o.name, o]));
/** The only PriceType riskgate can check: a plain limit price. */
const LIMIT_PRICE_TYPE = 'L';
/**
 * Repeated-tag check without a Set per message (issue 13: a `new Set` per Enter Order, even
 * with no appendage, was ~300 B of the gateway's allocation per order): a tag was seen in this
 * call when SEEN[tag] holds this call's generation number. Parsing is synchronous, so one
 * table serves every call.
 */
const SEEN = new Uint32Array(256);
let generation = 0;

function reject(why: string, offset: number, code: OuchRejectName = 'OTHER'): never {
  throw new OuchError('OUCH_APPENDAGE', why, { field: 'appendage', offset, reject: code });
}

/**
 * Parses the appendage at `buf[start, start + length)`; `base` is the message's offset in
 * `buf` (offsets in errors are message offsets). Throws OUCH_APPENDAGE with a reject code.
 */
export function parseAppendage(buf: Buffer, base: number, start: number, length: number): OuchOption[] {
  const out: OuchOption[] = [];
  const end = start + length;
  let at = start;
  if (at >= end) return out;
  if (++generation === 0x1_0000_0000) {
    SEEN.fill(0);
    generation = 1;
  }
  const gen = generation;
  while (at < end) {
    const optLen = buf[at];
    const off = at - base;
    if (optLen < 1) reject(`option at offset ${off} has length 0`, off);
    if (at + 1 + optLen > end) reject(`option at offset ${off} needs ${optLen} bytes, ${end - at - 1} left in the appendage`, off);
    const tag = buf[at + 1];
    const spec = BY_TAG.get(tag);
    if (!spec) reject(`unknown option tag ${tag} at offset ${off}`, off);
    if (SEEN[tag] === gen) reject(`option ${spec.name} (tag ${tag}) appears twice`, off);
    SEEN[tag] = gen;
    if (optLen - 1 !== spec.length) reject(`option ${spec.name} (tag ${tag}) has ${optLen - 1} value bytes, expected ${spec.length}`, off);
    if (!spec.accept) reject(`option ${spec.name} (tag ${tag}) is not accepted: ${spec.reject}`, off, spec.reject ?? 'OTHER');
    let value: FieldValue;
    try {
      value = readField(buf, 0, spec.name, { offset: at + 2, length: spec.length, type: spec.type });
    } catch (e) {
      reject(`option ${spec.name} (tag ${tag}): ${(e as Error).message}`, off);
    }
    if (spec.name === 'PriceType' && value !== LIMIT_PRICE_TYPE) reject(`PriceType ${JSON.stringify(value)}: only a limit price (L) can be checked`, off, 'PEGGING_NOT_ALLOWED');
    out.push({ name: spec.name, value });
    at += 1 + optLen;
  }
  return out;
}

/** Encodes options (any known tag, accepted or not: a client may send what riskgate refuses). */
export function encodeAppendage(options: readonly OuchOption[]): Buffer {
  const parts: Buffer[] = [];
  for (const o of options) {
    const spec = BY_NAME.get(o.name);
    if (!spec) throw new OuchError('OUCH_ENCODE', `unknown option ${o.name}`, { field: 'appendage' });
    const b = Buffer.alloc(2 + spec.length);
    b[0] = 1 + spec.length;
    b[1] = spec.tag;
    writeField(b, 0, o.name, { offset: 2, length: spec.length, type: spec.type }, o.value);
    parts.push(b);
  }
  return Buffer.concat(parts);
}
