/**
 * Session timing (spec §16.2): SoupBinTCP's 1 s heartbeat and 15 s silence timeout, made
 * configurable, and the clock the state machines read (injectable for tests).
 */
export interface SessionTiming {
  /** Send a heartbeat after this long without sending anything, ms (standard: 1000). */
  heartbeatMs: number;
  /** Close the connection after this long without receiving anything, ms (standard: 15000). */
  timeoutMs: number;
  /** Server: close a connection that has not sent its Login Request within this long, ms. */
  loginTimeoutMs: number;
}

export const DEFAULT_TIMING: SessionTiming = Object.freeze({ heartbeatMs: 1000, timeoutMs: 15000, loginTimeoutMs: 15000 });

/** Monotonic milliseconds. */
export type Clock = () => number;
export const systemClock: Clock = () => performance.now();
