/**
 * OUCH 5.0 codec (spec §16.3): inbound messages (Enter, Replace, Cancel, Modify) decoded with
 * full validation, outbound messages encoded; and the reverse for the client library.
 *
 * Decoding sorts bad input into two kinds (spec §16.6):
 * - a message that cannot be read (empty, unknown type, wrong length for its type and
 *   appendage): OUCH_UNKNOWN_TYPE / OUCH_LENGTH, no reject code; the gateway ignores it;
 * - a readable message with a value riskgate does not accept: OUCH_BAD_FIELD /
 *   OUCH_APPENDAGE carrying the OUCH reject code; the gateway answers Order Rejected.
 * Either way the order never reaches the risk checks.
 */
import { OuchInbound, OuchOutbound, type OuchInboundName, type OuchOutboundName, type OuchRejectName } from '../contract.ts';
import { encodeAppendage, parseAppendage, type OuchOption } from './appendage.ts';
import { OuchError } from './errors.ts';
import { coversEveryByte, readField, readFields, writeFields, type FieldValue, type Fields } from './wire.ts';

export type Side = 'B' | 'S' | 'T' | 'E';
export const SIDES: readonly Side[] = ['B', 'S', 'T', 'E'];
const TIME_IN_FORCE = ['0', '3', '5', '6', 'E'];
const DISPLAY = ['Y', 'N', 'A'];
const CAPACITY = ['A', 'P', 'R', 'O'];
const YES_NO = ['Y', 'N'];
/** Continuous market: riskgate does not check auction (cross) orders. */
const CONTINUOUS = 'N';
const CROSS_TYPES = [CONTINUOUS];
const EMPTY = Buffer.alloc(0);
/** OUCH quantity limit: 1..999,999 shares. */
export const MAX_QUANTITY = 999_999;
/** Highest limit price OUCH takes, $199,999.9900 (higher values are market-order sentinels). */
export const MAX_PRICE = 1_999_999_900n;
/** Symbols as the config and ITCH spell them: 1–8 printable characters, no space or lowercase. */
const SYMBOL = /^[\x21-\x60\x7b-\x7e]{1,8}$/;

export interface EnterOrder {
  kind: 'ENTER_ORDER';
  userRefNum: number;
  side: Side;
  quantity: number;
  symbol: string;
  /** Price units (dollars × 10,000). */
  price: bigint;
  timeInForce: string;
  display: string;
  capacity: string;
  interMarketSweepEligibility: string;
  crossType: string;
  clOrdId: string;
  options: OuchOption[];
}
export interface ReplaceOrder {
  kind: 'REPLACE_ORDER';
  origUserRefNum: number;
  userRefNum: number;
  quantity: number;
  price: bigint;
  timeInForce: string;
  display: string;
  interMarketSweepEligibility: string;
  clOrdId: string;
  options: OuchOption[];
}
export interface CancelOrder {
  kind: 'CANCEL_ORDER';
  userRefNum: number;
  quantity: number;
}
export interface ModifyOrder {
  kind: 'MODIFY_ORDER';
  userRefNum: number;
  side: Side;
  quantity: number;
}
/** Asks for the session's next UserRefNum (a restarted client continues its numbering, §16.2). */
export interface AccountQuery {
  kind: 'ACCOUNT_QUERY';
}
export type InboundMessage = EnterOrder | ReplaceOrder | CancelOrder | ModifyOrder | AccountQuery;

/**
 * The result of decoding an inbound message: the message, or the error. A rejected message
 * (`error.reject` set) also carries the userRefNum and clOrdId it was sent with, so that the
 * rejection can name it.
 */
export type Decoded =
  | { ok: true; msg: InboundMessage }
  | { ok: false; error: OuchError; kind?: OuchInboundName; userRefNum?: number; clOrdId?: string };

const INBOUND_BY_CODE = new Map<number, OuchInboundName>(
  (Object.keys(OuchInbound) as OuchInboundName[]).map((n) => [OuchInbound[n].code, n]),
);
const OUTBOUND_BY_CODE = new Map<number, OuchOutboundName>(
  (Object.keys(OuchOutbound) as OuchOutboundName[]).map((n) => [OuchOutbound[n].code, n]),
);

/** The message's expected total length, or an OUCH_LENGTH error. */
function checkLength(buf: Buffer, layout: { size: number; appendage: boolean; fields: Fields }, name: string): number {
  if (buf.length < layout.size) throw new OuchError('OUCH_LENGTH', `${name} has ${buf.length} bytes, at least ${layout.size} expected`);
  if (!layout.appendage) {
    if (buf.length !== layout.size) throw new OuchError('OUCH_LENGTH', `${name} has ${buf.length} bytes, expected ${layout.size}`);
    return 0;
  }
  const f = layout.fields.appendageLength;
  const n = buf.readUInt16BE(f.offset);
  if (buf.length !== layout.size + n) {
    throw new OuchError('OUCH_LENGTH', `${name} has ${buf.length} bytes, its appendageLength ${n} says ${layout.size + n}`, { field: 'appendageLength', offset: f.offset });
  }
  return n;
}

function field(name: string, fields: Fields, why: string, reject: OuchRejectName): never {
  throw new OuchError('OUCH_BAD_FIELD', why, { field: name, offset: fields[name].offset, reject });
}

// The value itself is passed (not the decoded object and a field name: a keyed load with a
// different name at each call was a megamorphic lookup per field, issue 13).
function oneOf(value: FieldValue, fields: Fields, name: string, allowed: readonly string[], reject: OuchRejectName = 'OTHER'): string {
  const s = String(value);
  if (!allowed.includes(s)) field(name, fields, `${JSON.stringify(s)} is not one of ${allowed.join(' ')}`, reject);
  return s;
}

function quantity(value: FieldValue, fields: Fields, min: number): number {
  const q = Number(value);
  if (q < min || q > MAX_QUANTITY) field('quantity', fields, `${q} is outside ${min}..${MAX_QUANTITY}`, 'INVALID_QUANTITY');
  return q;
}

function price(value: FieldValue, fields: Fields): bigint {
  const p = value as bigint;
  if (p < 1n || p > MAX_PRICE) field('price', fields, `${p} is outside 1..${MAX_PRICE} (limit orders only; $0.0001 to $199,999.9900)`, 'INVALID_PRICE');
  return p;
}

/** Decodes one inbound OUCH message (the payload of an Unsequenced Data packet). Never throws. */
export function decodeInbound(buf: Buffer): Decoded {
  if (buf.length === 0) return { ok: false, error: new OuchError('OUCH_UNKNOWN_TYPE', 'empty message') };
  const kind = INBOUND_BY_CODE.get(buf[0]);
  if (!kind) return { ok: false, error: new OuchError('OUCH_UNKNOWN_TYPE', `unknown inbound message type 0x${buf[0].toString(16).padStart(2, '0')}`, { field: 'type', offset: 0 }) };
  const layout = OuchInbound[kind];
  const fields = layout.fields as Fields;
  let appendageLength: number;
  try {
    appendageLength = checkLength(buf, layout, kind);
  } catch (e) {
    return { ok: false, error: e as OuchError, kind };
  }
  // From here the message is readable: its userRefNum (and clOrdId) can be named in a reject.
  if (kind === 'ACCOUNT_QUERY') return { ok: true, msg: { kind } };
  const userRefNum = readField(buf, 0, 'userRefNum', fields.userRefNum) as number;
  let clOrdId: string | undefined;
  try {
    const v = readFields(buf, 0, fields);
    if (fields.clOrdId) clOrdId = v.clOrdId as string;
    const options = layout.appendage ? parseAppendage(buf, 0, layout.size, appendageLength) : [];
    switch (kind) {
      case 'ENTER_ORDER': {
        const symbol = String(v.symbol);
        if (!SYMBOL.test(symbol)) field('symbol', fields, `${JSON.stringify(symbol)} is not a stock symbol`, 'INVALID_SYMBOL');
        return {
          ok: true,
          msg: {
            kind,
            userRefNum,
            side: oneOf(v.side, fields, 'side', SIDES, 'INVALID_SIDE') as Side,
            quantity: quantity(v.quantity, fields, 1),
            symbol,
            price: price(v.price, fields),
            timeInForce: oneOf(v.timeInForce, fields, 'timeInForce', TIME_IN_FORCE),
            display: oneOf(v.display, fields, 'display', DISPLAY, 'INVALID_DISPLAY'),
            capacity: oneOf(v.capacity, fields, 'capacity', CAPACITY),
            interMarketSweepEligibility: oneOf(v.interMarketSweepEligibility, fields, 'interMarketSweepEligibility', YES_NO),
            crossType: oneOf(v.crossType, fields, 'crossType', CROSS_TYPES, 'INVALID_CROSS_ORDER'),
            clOrdId: clOrdId ?? '',
            options,
          },
        };
      }
      case 'REPLACE_ORDER':
        return {
          ok: true,
          msg: {
            kind,
            origUserRefNum: Number(v.origUserRefNum),
            userRefNum,
            quantity: quantity(v.quantity, fields, 1),
            price: price(v.price, fields),
            timeInForce: oneOf(v.timeInForce, fields, 'timeInForce', TIME_IN_FORCE),
            display: oneOf(v.display, fields, 'display', DISPLAY, 'INVALID_DISPLAY'),
            interMarketSweepEligibility: oneOf(v.interMarketSweepEligibility, fields, 'interMarketSweepEligibility', YES_NO),
            clOrdId: clOrdId ?? '',
            options,
          },
        };
      case 'CANCEL_ORDER':
        return { ok: true, msg: { kind, userRefNum, quantity: quantity(v.quantity, fields, 0) } };
      case 'MODIFY_ORDER':
        return { ok: true, msg: { kind, userRefNum, side: oneOf(v.side, fields, 'side', SIDES, 'INVALID_SIDE') as Side, quantity: quantity(v.quantity, fields, 0) } };
    }
  } catch (e) {
    // The reject names the clOrdId when it is readable (the bad value may be elsewhere).
    if (clOrdId === undefined && fields.clOrdId) {
      try {
        clOrdId = readField(buf, 0, 'clOrdId', fields.clOrdId) as string;
      } catch {
        // unreadable itself: the reject carries no clOrdId
      }
    }
    const err = !(e instanceof OuchError) ? new OuchError('OUCH_BAD_FIELD', (e as Error).message, { reject: 'OTHER' }) : e.reject ? e : e.rejecting('OTHER');
    // Cancel and Modify have no reject: their bad values are ignored like unreadable input.
    return { ok: false, error: err, kind, userRefNum, clOrdId };
  }
  return { ok: false, error: new OuchError('OUCH_UNKNOWN_TYPE', `unhandled ${kind}`), kind };
}

/** Encodes an inbound message (client side). `options` may hold any known option. */
export function encodeInbound(msg: InboundMessage): Buffer {
  const layout = OuchInbound[msg.kind];
  const fields = layout.fields as Fields;
  // No options (an order's usual case): no appendage to build, and no zero fill when the fields cover every byte.
  const app = 'options' in msg && msg.options.length > 0 ? encodeAppendage(msg.options) : EMPTY;
  const b = app.length === 0 && coversEveryByte(fields, layout.size) ? Buffer.allocUnsafe(layout.size) : Buffer.alloc(layout.size + app.length);
  const over = app.length === 0 ? INBOUND_OVERRIDES[msg.kind] : { type: layout.type, appendageLength: app.length };
  writeFields(b, 0, fields, msg as unknown as Record<string, FieldValue>, over);
  app.copy(b, layout.size);
  return b;
}

/**
 * encodeInbound of a message without options into `buf`, which must be exactly the kind's
 * size (`inboundSize`): a client's reused buffer, copied into its socket's turn buffer at once
 * (no Buffer per order sent, issue 13). Throws as encodeInbound does.
 */
export function encodeInboundInto(msg: InboundMessage, buf: Buffer): void {
  const layout = OuchInbound[msg.kind];
  if (buf.length !== layout.size || ('options' in msg && msg.options.length > 0)) throw new RangeError(`encodeInboundInto: ${msg.kind} needs ${layout.size} bytes and no options`);
  const fields = layout.fields as Fields;
  if (!coversEveryByte(fields, layout.size)) buf.fill(0);
  writeFields(buf, 0, fields, msg as unknown as Record<string, FieldValue>, INBOUND_OVERRIDES[msg.kind]);
}

/** Bytes of an inbound message of this kind without an appendage. */
export function inboundSize(kind: OuchInboundName): number {
  return OuchInbound[kind].size;
}

/** encodeInbound's own fields without an appendage (type, appendageLength 0): one frozen object per kind, not one per message. */
const INBOUND_OVERRIDES = {} as Record<OuchInboundName, Record<string, FieldValue>>;
for (const n of Object.keys(OuchInbound) as OuchInboundName[]) {
  const l = OuchInbound[n];
  const o: Record<string, FieldValue> = l.appendage ? { type: l.type, appendageLength: 0 } : { type: l.type };
  INBOUND_OVERRIDES[n] = Object.freeze(o);
}

// ---------------------------------------------------------------------------------------
// Outbound

export type OutboundValues = Record<string, FieldValue>;
export interface OutboundMessage {
  kind: OuchOutboundName;
  /** Field values by name (alpha fields without padding). */
  values: OutboundValues;
}

/** Encodes an outbound message; riskgate sends no appendage options (appendageLength 0). */
export function encodeOutbound(kind: OuchOutboundName, values: OutboundValues): Buffer {
  return encodeOutboundInto(kind, values, Buffer.allocUnsafe);
}

/**
 * The fields encodeOutboundInto sets itself (type, and an empty appendage), one frozen object
 * per message kind made once: not an object per answer sent (issue 13).
 */
const OUTBOUND_OVERRIDES = {} as Record<OuchOutboundName, Record<string, FieldValue>>;
for (const n of Object.keys(OuchOutbound) as OuchOutboundName[]) {
  const l = OuchOutbound[n];
  const o: Record<string, FieldValue> = l.appendage ? { type: l.type, appendageLength: 0 } : { type: l.type };
  OUTBOUND_OVERRIDES[n] = Object.freeze(o);
}

/**
 * Encodes an outbound message into the bytes `place(size)` returns (e.g. a session stream's
 * next message, src/ouch/stream.ts: no buffer of its own per message). Throws as
 * encodeOutbound does, after `place` was called.
 */
export function encodeOutboundInto(kind: OuchOutboundName, values: OutboundValues, place: (size: number) => Buffer, overrides?: OutboundValues): Buffer {
  const layout = OuchOutbound[kind];
  const fields = layout.fields as Fields;
  const b = place(layout.size);
  // Unfilled when every byte is a field's (one message per answer sent: a zero fill is waste).
  if (!coversEveryByte(fields, layout.size)) b.fill(0);
  writeFields(b, 0, fields, values, overrides ?? OUTBOUND_OVERRIDES[kind]);
  return b;
}

/**
 * encodeOutboundInto at `at` in `buf` (a session stream's chunk: no Buffer object per message,
 * issue 13): writes the kind's `outboundSize(kind)` bytes there. Throws as encodeOutbound does.
 */
export function encodeOutboundAt(kind: OuchOutboundName, values: OutboundValues, buf: Buffer, at: number, overrides?: OutboundValues): void {
  const layout = OuchOutbound[kind];
  const fields = layout.fields as Fields;
  if (!coversEveryByte(fields, layout.size)) buf.fill(0, at, at + layout.size);
  writeFields(buf, at, fields, values, overrides ?? OUTBOUND_OVERRIDES[kind]);
}

/** Bytes of an outbound message of this kind (with no appendage, as the gateway sends them). */
export function outboundSize(kind: OuchOutboundName): number {
  return OuchOutbound[kind].size;
}

/**
 * A reusable overrides object for encodeOutboundInto: the kind's own (type, an empty
 * appendage) plus `extra`'s fields, which the caller sets before each encode. Values are
 * taken from the overrides first, then from `values` (e.g. a decoded Enter Order answered
 * by its Order Accepted without a values object per answer, issue 13).
 */
export function outboundOverrides<T extends OutboundValues>(kind: OuchOutboundName, extra: T): T & OutboundValues {
  return { ...OUTBOUND_OVERRIDES[kind], ...extra };
}

/** The kind of an outbound message from its type byte, without decoding it (undefined: unknown type). */
export function outboundKind(buf: Buffer): OuchOutboundName | undefined {
  return buf.length > 0 ? OUTBOUND_BY_CODE.get(buf[0]) : undefined;
}

/** Decodes an outbound message (client side). Throws OuchError on unreadable input. */
export function decodeOutbound(buf: Buffer): OutboundMessage {
  if (buf.length === 0) throw new OuchError('OUCH_UNKNOWN_TYPE', 'empty message');
  const kind = OUTBOUND_BY_CODE.get(buf[0]);
  if (!kind) throw new OuchError('OUCH_UNKNOWN_TYPE', `unknown outbound message type 0x${buf[0].toString(16).padStart(2, '0')}`, { field: 'type', offset: 0 });
  const layout = OuchOutbound[kind];
  checkLength(buf, layout, kind);
  return { kind, values: readFields(buf, 0, layout.fields as Fields) };
}
