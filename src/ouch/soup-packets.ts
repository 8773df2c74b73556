/**
 * The SoupBinTCP 4.0 packets other than data (spec §16.1): encoding and decoding at the
 * contract's layouts. Data packets (`S`, `U`) carry one OUCH message (./codec.ts).
 */
import { SoupPacket } from '../contract.ts';
import { OuchError } from './errors.ts';
import { soupPacket, type SoupFrame } from './soup-framing.ts';
import { readFields, writeFields, type Fields } from './wire.ts';

export interface LoginRequest {
  username: string;
  password: string;
  /** '' = the current session. */
  requestedSession: string;
  /** 0 = no replay: start with the next message generated. */
  requestedSequenceNumber: bigint;
}

export interface LoginAccepted {
  session: string;
  /** Sequence number of the next sequenced message the server sends. */
  sequenceNumber: bigint;
}

const LENGTH_FIELD = SoupPacket.LOGIN_REQUEST.fields.packetType.offset;
/** The fields after the length and type bytes, with offsets into the payload. */
function payloadFields(fields: Fields): Fields {
  const out: Record<string, Fields[string]> = {};
  for (const [name, f] of Object.entries(fields)) {
    if (name === 'packetLength' || name === 'packetType') continue;
    out[name] = { ...f, offset: f.offset - LENGTH_FIELD - 1 };
  }
  return out;
}
const LOGIN_REQUEST = payloadFields(SoupPacket.LOGIN_REQUEST.fields);
const LOGIN_ACCEPTED = payloadFields(SoupPacket.LOGIN_ACCEPTED.fields);
const LOGIN_REJECTED = payloadFields(SoupPacket.LOGIN_REJECTED.fields);
/** Payload bytes of a fixed packet: its size less the length field and the type byte. */
const payloadSize = (size: number) => size - LENGTH_FIELD - 1;

/** Checks that a fixed-size packet has exactly its payload; SOUP_PACKET_LENGTH if not. */
export function checkFixedLength(frame: SoupFrame, size: number, name: string): void {
  const want = payloadSize(size);
  if (frame.payload.length !== want) {
    throw new OuchError('SOUP_PACKET_LENGTH', `${name} has ${frame.payload.length} payload bytes, expected ${want}`, { field: 'packetLength', offset: 0 });
  }
}

export function decodeLoginRequest(frame: SoupFrame): LoginRequest {
  checkFixedLength(frame, SoupPacket.LOGIN_REQUEST.size, 'LOGIN_REQUEST');
  const v = readFields(frame.payload, 0, LOGIN_REQUEST, 'SOUP_BAD_FIELD');
  return {
    username: String(v.username),
    password: String(v.password),
    requestedSession: String(v.requestedSession).trim(),
    requestedSequenceNumber: BigInt(String(v.requestedSequenceNumber)),
  };
}

export function encodeLoginRequest(r: LoginRequest): Buffer {
  const p = Buffer.alloc(payloadSize(SoupPacket.LOGIN_REQUEST.size));
  // Requested session is left-padded (right-justified) per SoupBinTCP.
  const session = r.requestedSession.padStart(LOGIN_REQUEST.requestedSession.length, ' ');
  writeFields(p, 0, LOGIN_REQUEST, { ...r, requestedSession: session, requestedSequenceNumber: r.requestedSequenceNumber.toString() });
  return soupPacket(SoupPacket.LOGIN_REQUEST.type, p);
}

export function encodeLoginAccepted(a: LoginAccepted): Buffer {
  const p = Buffer.alloc(payloadSize(SoupPacket.LOGIN_ACCEPTED.size));
  writeFields(p, 0, LOGIN_ACCEPTED, { session: a.session.padStart(LOGIN_ACCEPTED.session.length, ' '), sequenceNumber: a.sequenceNumber.toString() });
  return soupPacket(SoupPacket.LOGIN_ACCEPTED.type, p);
}

export function decodeLoginAccepted(frame: SoupFrame): LoginAccepted {
  checkFixedLength(frame, SoupPacket.LOGIN_ACCEPTED.size, 'LOGIN_ACCEPTED');
  const v = readFields(frame.payload, 0, LOGIN_ACCEPTED, 'SOUP_BAD_FIELD');
  return { session: String(v.session).trim(), sequenceNumber: BigInt(String(v.sequenceNumber)) };
}

export function encodeLoginRejected(code: string): Buffer {
  const p = Buffer.alloc(payloadSize(SoupPacket.LOGIN_REJECTED.size));
  writeFields(p, 0, LOGIN_REJECTED, { rejectReasonCode: code });
  return soupPacket(SoupPacket.LOGIN_REJECTED.type, p);
}

export function decodeLoginRejected(frame: SoupFrame): string {
  checkFixedLength(frame, SoupPacket.LOGIN_REJECTED.size, 'LOGIN_REJECTED');
  return String(readFields(frame.payload, 0, LOGIN_REJECTED, 'SOUP_BAD_FIELD').rejectReasonCode);
}

/** A packet with no payload (heartbeats, logout, end of session). */
export function encodeEmpty(type: string): Buffer {
  return soupPacket(type);
}

/** A Debug packet: printable ASCII text, cut to fit a packet. */
export function encodeDebug(text: string, maxPacket: number): Buffer {
  const clean = text.replace(/[^\x20-\x7e]/g, '?').slice(0, maxPacket - 1);
  return soupPacket(SoupPacket.DEBUG.type, Buffer.from(clean, 'latin1'));
}
