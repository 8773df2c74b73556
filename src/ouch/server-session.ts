/**
 * The server side of one SoupBinTCP 4.0 connection (spec §16.2), as a state machine that
 * owns no socket and no timer: the gateway feeds it bytes (`receive`) and clock ticks
 * (`tick`), and it answers through `send` / `close`. The login decision, the sequenced
 * stream and the OUCH messages belong to the gateway (hooks).
 *
 * awaiting-login ──Login Request──► logged-in ──Logout / timeout / end──► closed
 *        └─ anything else, bad length, login refused, login timeout ──► closed
 */
import { SoupLoginReject, SoupPacket } from '../contract.ts';
import { OuchError } from './errors.ts';
import { SoupDecoder, type SoupFrame } from './soup-framing.ts';
import { checkFixedLength, decodeLoginRequest, encodeDebug, encodeEmpty, encodeLoginAccepted, encodeLoginRejected, type LoginRequest } from './soup-packets.ts';
import type { Clock, SessionTiming } from './timing.ts';
import { soupPacket } from './soup-framing.ts';

/** Session-level problems: each is counted and logged; `fatal` ones close the connection. */
export const SESSION_PROBLEMS = Object.freeze({
  FRAME_LENGTH: { fatal: true, meaning: 'a packet length of 0 or above the maximum (the stream cannot be resynchronised)' },
  BEFORE_LOGIN: { fatal: true, meaning: 'a packet other than Login Request before login' },
  LOGIN_LENGTH: { fatal: true, meaning: 'a Login Request of the wrong length or with a malformed field' },
  LOGIN_REFUSED: { fatal: true, meaning: 'a Login Request refused (Login Rejected sent)' },
  LOGIN_TIMEOUT: { fatal: true, meaning: 'no Login Request within loginTimeoutMs' },
  TIMEOUT: { fatal: true, meaning: 'nothing received within timeoutMs' },
  PACKET_LENGTH: { fatal: false, meaning: 'a fixed-size packet (heartbeat, logout) with a payload' },
  UNKNOWN_PACKET: { fatal: false, meaning: 'a packet type a client does not send' },
  SECOND_LOGIN: { fatal: false, meaning: 'a Login Request on a connection already logged in' },
  SLOW_CONSUMER: { fatal: true, meaning: 'the client does not read: more than the gateway buffers is waiting to be sent' },
  INTERNAL_ERROR: { fatal: true, meaning: 'an unexpected error while handling the connection (a bug): the connection is closed, the gateway goes on' },
} as const);
export type SessionProblem = keyof typeof SESSION_PROBLEMS;

export type LoginDecision =
  | { accepted: true; session: string; /** first sequence number sent (replay start) */ firstSeq: bigint }
  | { accepted: false; code: (typeof SoupLoginReject)[keyof typeof SoupLoginReject]; why: string };

export interface ServerSessionHooks {
  /** Decides a login; on acceptance the gateway replays with `sendSequenced` after `loggedIn`. */
  login(req: LoginRequest): LoginDecision;
  /** Called once the Login Accepted is sent. */
  loggedIn(): void;
  /** One inbound OUCH message (payload of an Unsequenced Data packet). */
  data(payload: Buffer): void;
  /**
   * Optional (the gateway's native read path, issue 13): offered each read of a logged-in
   * session whose packets start at the read's first byte (nothing held from the last one). It
   * handles the packets it can from the start of `chunk` and returns how many bytes it took
   * (whole packets); the session goes on from there as usual, so every packet it leaves is
   * handled exactly as without it.
   */
  read?(chunk: Buffer): number;
  /** A session-level problem (counted and logged by the gateway). */
  problem(kind: SessionProblem, detail: string): void;
  /** The connection is closed (for any reason); called once. */
  closed(reason: string): void;
}

export interface ServerSessionOptions {
  timing: SessionTiming;
  now: Clock;
  maxPacket: number;
  send(bytes: Buffer): void;
  /**
   * Optional: a data packet (length, type byte, payload) built by the transport itself (the
   * coalesced writer's turn buffer, src/ouch/coalesce.ts: no buffer per packet). Without it
   * the packet is built here and goes through `send`.
   */
  packet?(typeByte: number, payload: Buffer): void;
  /** Optional: `packet` with the payload at `src[at, at + len)` (no view made per message). */
  packetAt?(typeByte: number, src: Buffer, at: number, len: number): void;
  /** Ends the transport (after any bytes already sent). */
  close(): void;
  hooks: ServerSessionHooks;
}

export type ServerState = 'awaiting-login' | 'logged-in' | 'closed';

export class ServerSession {
  state: ServerState = 'awaiting-login';
  private readonly decoder: SoupDecoder;
  private readonly opened: number;
  private lastReceived: number;
  private lastSent: number;

  /** Each packet of a chunk as it is cut; false once the session closed (the rest is dropped). */
  private readonly onFrame = (f: SoupFrame): boolean => {
    this.frame(f);
    return (this.state as ServerState) !== 'closed';
  };

  constructor(private readonly o: ServerSessionOptions) {
    this.decoder = new SoupDecoder(o.maxPacket);
    this.opened = this.lastReceived = this.lastSent = o.now();
  }

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.lastReceived = this.o.now();
    const read = this.o.hooks.read;
    if (read && this.state === 'logged-in' && this.decoder.buffered === 0 && !this.decoder.error) {
      const took = read(chunk);
      if (took > 0) {
        if ((this.state as ServerState) === 'closed' || took >= chunk.length) return;
        chunk = chunk.subarray(took);
      }
    }
    this.decoder.each(chunk, this.onFrame);
    if ((this.state as ServerState) === 'closed') return;
    const err = this.decoder.error;
    if (err) this.fail('FRAME_LENGTH', err.message);
  }

  /** Clock tick: heartbeats and timeouts. */
  tick(): void {
    if (this.state === 'closed') return;
    const now = this.o.now();
    if (this.state === 'awaiting-login') {
      if (now - this.opened >= this.o.timing.loginTimeoutMs) this.fail('LOGIN_TIMEOUT', `no Login Request within ${this.o.timing.loginTimeoutMs} ms`);
      return;
    }
    if (now - this.lastReceived >= this.o.timing.timeoutMs) {
      this.fail('TIMEOUT', `nothing received for ${now - this.lastReceived} ms (timeout ${this.o.timing.timeoutMs} ms)`);
      return;
    }
    if (now - this.lastSent >= this.o.timing.heartbeatMs) this.write(encodeEmpty(SoupPacket.SERVER_HEARTBEAT.type));
  }

  /** One outbound OUCH message as Sequenced Data (the gateway numbers and stores it). */
  sendSequenced(payload: Buffer): void {
    if (this.state !== 'logged-in') return;
    if (this.o.packet) {
      this.lastSent = this.o.now();
      this.o.packet(SoupPacket.SEQUENCED_DATA.code, payload);
    } else this.write(soupPacket(SoupPacket.SEQUENCED_DATA.type, payload));
  }

  /** sendSequenced of the message at `src[at, at + len)` (a session stream's chunk). */
  sendSequencedAt(src: Buffer, at: number, len: number): void {
    if (this.state !== 'logged-in') return;
    if (this.o.packetAt) {
      this.lastSent = this.o.now();
      this.o.packetAt(SoupPacket.SEQUENCED_DATA.code, src, at, len);
    } else this.sendSequenced(src.subarray(at, at + len));
  }

  /** A Debug packet (session-level errors the gateway ignores). */
  debug(text: string): void {
    if (this.state !== 'closed') this.write(encodeDebug(text, this.o.maxPacket));
  }

  /** End of Session, then close (the gateway's day is over). */
  end(): void {
    if (this.state === 'logged-in') this.write(encodeEmpty(SoupPacket.END_OF_SESSION.type));
    this.shut('end of session');
  }

  /** Closes for a problem the gateway found (slow consumer, internal error): counted, Debug, close. */
  abort(kind: SessionProblem, detail: string): void {
    if (this.state !== 'closed') this.fail(kind, detail);
  }

  /** Closes without a goodbye (the transport failed or the peer went away). */
  drop(reason: string): void {
    this.shut(reason);
  }

  private frame(f: SoupFrame): void {
    if (this.state === 'awaiting-login') {
      if (f.type === SoupPacket.DEBUG.type) return;
      if (f.type !== SoupPacket.LOGIN_REQUEST.type) {
        this.fail('BEFORE_LOGIN', `packet type ${JSON.stringify(f.type)} before login`);
        return;
      }
      this.login(f);
      return;
    }
    switch (f.type) {
      case SoupPacket.UNSEQUENCED_DATA.type:
        this.o.hooks.data(f.payload);
        return;
      case SoupPacket.CLIENT_HEARTBEAT.type:
        this.fixed(f, SoupPacket.CLIENT_HEARTBEAT.size, 'CLIENT_HEARTBEAT');
        return;
      case SoupPacket.LOGOUT_REQUEST.type:
        if (this.fixed(f, SoupPacket.LOGOUT_REQUEST.size, 'LOGOUT_REQUEST')) this.shut('logout');
        return;
      case SoupPacket.DEBUG.type:
        return;
      case SoupPacket.LOGIN_REQUEST.type:
        this.ignore('SECOND_LOGIN', 'Login Request on a connection already logged in');
        return;
      default:
        this.ignore('UNKNOWN_PACKET', `packet type ${JSON.stringify(f.type)} is not one a client sends`);
    }
  }

  private fixed(f: SoupFrame, size: number, name: string): boolean {
    try {
      checkFixedLength(f, size, name);
      return true;
    } catch (e) {
      this.ignore('PACKET_LENGTH', (e as OuchError).message);
      return false;
    }
  }

  private login(f: SoupFrame): void {
    let req: LoginRequest;
    try {
      req = decodeLoginRequest(f);
    } catch (e) {
      this.fail('LOGIN_LENGTH', (e as OuchError).message);
      return;
    }
    const d = this.o.hooks.login(req);
    if (!d.accepted) {
      this.o.hooks.problem('LOGIN_REFUSED', `user ${JSON.stringify(req.username)}: ${d.why}`);
      this.write(encodeLoginRejected(d.code));
      this.shut(`login refused: ${d.why}`);
      return;
    }
    this.write(encodeLoginAccepted({ session: d.session, sequenceNumber: d.firstSeq }));
    this.state = 'logged-in';
    this.o.hooks.loggedIn();
  }

  private ignore(kind: SessionProblem, detail: string): void {
    this.o.hooks.problem(kind, detail);
    this.debug(`${kind}: ${detail}`);
  }

  private fail(kind: SessionProblem, detail: string): void {
    this.o.hooks.problem(kind, detail);
    this.debug(`${kind}: ${detail}`);
    this.shut(`${kind}: ${detail}`);
  }

  private write(b: Buffer): void {
    this.lastSent = this.o.now();
    this.o.send(b);
  }

  private shut(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.o.close();
    this.o.hooks.closed(reason);
  }
}
