/**
 * Coded protocol errors of the order-entry layer (spec §16). Each one names what was wrong,
 * the field and its byte offset where there is one, so a log line or a Debug packet says
 * exactly which byte of which message the gateway refused.
 */
import type { OuchRejectName } from '../contract.ts';

export type OuchErrorCode =
  /** A SoupBinTCP packet length of 0 or above the maximum: the stream cannot be resynchronised. */
  | 'SOUP_FRAME_LENGTH'
  /** A SoupBinTCP packet whose length does not match its fixed size. */
  | 'SOUP_PACKET_LENGTH'
  /** A SoupBinTCP packet type the receiver does not take. */
  | 'SOUP_UNKNOWN_TYPE'
  /** A SoupBinTCP field that is not what the protocol allows (e.g. a non-digit sequence number). */
  | 'SOUP_BAD_FIELD'
  /** An OUCH message whose length does not match its type (and appendage length). */
  | 'OUCH_LENGTH'
  /** An empty OUCH message or one of an unknown type. */
  | 'OUCH_UNKNOWN_TYPE'
  /** An OUCH field value outside what the protocol or riskgate accepts: the order is rejected. */
  | 'OUCH_BAD_FIELD'
  /** A malformed, unknown, repeated or refused appendage option: the order is rejected. */
  | 'OUCH_APPENDAGE'
  /** A value that cannot be encoded into its field (a caller's bug, never wire input). */
  | 'OUCH_ENCODE';

export class OuchError extends Error {
  readonly code: OuchErrorCode;
  /** The field at fault, when there is one. */
  readonly field?: string;
  /** Byte offset of that field in its message or packet. */
  readonly offset?: number;
  /** For a message that is rejected (not ignored): the OUCH reject code it gets. */
  readonly reject?: OuchRejectName;
  constructor(code: OuchErrorCode, message: string, at: { field?: string; offset?: number; reject?: OuchRejectName } = {}) {
    super(`${code}: ${message}${at.field !== undefined ? ` (field ${at.field}${at.offset !== undefined ? ` at offset ${at.offset}` : ''})` : ''}`);
    this.name = 'OuchError';
    this.code = code;
    this.field = at.field;
    this.offset = at.offset;
    this.reject = at.reject;
    this.detail = message;
  }
  /** The message without the code prefix. */
  readonly detail: string;
  /** The same error, now carrying a reject code (a readable message with a bad value). */
  rejecting(reject: OuchRejectName): OuchError {
    return new OuchError(this.code === 'OUCH_APPENDAGE' ? this.code : 'OUCH_BAD_FIELD', this.detail, { field: this.field, offset: this.offset, reject });
  }
}
