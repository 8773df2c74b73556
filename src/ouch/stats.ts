/**
 * Gateway counters (spec §16.6): one set per session (username) and one for the whole
 * gateway. Every session-level problem has a counter; a connection that never logged in
 * counts in the totals only.
 */
import { SESSION_PROBLEMS, type SessionProblem } from './server-session.ts';

/** OUCH-level problems: the message is ignored (Debug sent) or, for a readable order, rejected. */
export const OUCH_PROBLEMS = Object.freeze({
  OUCH_LENGTH: 'a message whose length does not match its type and appendage length (ignored)',
  OUCH_UNKNOWN_TYPE: 'an empty message or an unknown message type (ignored)',
  INVALID_ORDER: 'an Enter or Replace with a value riskgate does not accept (Order Rejected, never checked)',
  INVALID_CANCEL: 'a Cancel or Modify with a bad value (ignored)',
  DUPLICATE_USER_REF_NUM: 'an Enter or Replace reusing a UserRefNum of this session (Order Rejected OTHER)',
  USER_REF_NUM_OUT_OF_SEQUENCE: 'an Enter or Replace whose UserRefNum is not above the last one (Order Rejected OTHER)',
  UNKNOWN_ORDER: 'a Cancel or Modify (Cancel Reject sent) or a Replace (ignored) naming no live order',
  BAD_MODIFY: 'a Modify changing the side or raising the quantity (ignored)',
  DECIDE_FAILED: 'the risk decision failed or was malformed (Order Rejected OTHER: fail closed)',
} as const);
export type OuchProblem = keyof typeof OUCH_PROBLEMS;

const FLOW = ['connections', 'logins', 'logouts', 'messages', 'checked', 'accepted', 'rejected', 'replaced', 'canceled', 'modified', 'executed'] as const;
export type FlowCounter = (typeof FLOW)[number];
export type Counter = FlowCounter | SessionProblem | OuchProblem;
export const COUNTERS: readonly Counter[] = [...FLOW, ...(Object.keys(SESSION_PROBLEMS) as SessionProblem[]), ...(Object.keys(OUCH_PROBLEMS) as OuchProblem[])];
export type Counters = Record<Counter, number>;

export function newCounters(): Counters {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
}
