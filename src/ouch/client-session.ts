/**
 * The client side of a SoupBinTCP 4.0 connection (spec §16.2) as a state machine with no
 * socket and no timer: `start` sends the Login Request, `receive` takes the server's bytes,
 * `tick` sends Client Heartbeats and detects a silent server. It tracks the sequence number
 * of the next Sequenced Data packet, so a reconnect can ask for exactly what it missed.
 */
import { SoupPacket } from '../contract.ts';
import type { OuchError } from './errors.ts';
import { SoupDecoder, soupPacket, type SoupFrame } from './soup-framing.ts';
import { decodeLoginAccepted, decodeLoginRejected, encodeEmpty, encodeLoginRequest, type LoginAccepted } from './soup-packets.ts';
import type { Clock, SessionTiming } from './timing.ts';

export interface ClientSessionHooks {
  accepted(a: LoginAccepted): void;
  rejected(code: string): void;
  /** One outbound OUCH message and its sequence number; `payload` is a view of the read's bytes, valid during the call only (copy it to keep it). */
  sequenced(payload: Buffer, seq: bigint): void;
  debug?(text: string): void;
  endOfSession?(): void;
  /** The connection is over (logout, end of session, timeout, protocol error); called once. */
  closed(reason: string): void;
}

export interface ClientSessionOptions {
  username: string;
  password: string;
  /** '' = the current session. */
  session?: string;
  /** Next sequence number wanted; 0 = only new messages, 1 = everything. */
  requestedSequenceNumber?: bigint;
  timing: Pick<SessionTiming, 'heartbeatMs' | 'timeoutMs'>;
  now: Clock;
  maxPacket: number;
  send(bytes: Buffer): void;
  /**
   * Optional: a data packet (length, type byte, payload) built by the transport itself (the
   * coalesced writer's turn buffer, src/ouch/coalesce.ts: no buffer per packet). Without it
   * the packet is built here and goes through `send`.
   */
  packet?(typeByte: number, payload: Buffer): void;
  close(): void;
  hooks: ClientSessionHooks;
}

export type ClientState = 'idle' | 'logging-in' | 'logged-in' | 'closed';

export class ClientSession {
  state: ClientState = 'idle';
  /** Sequence number of the next Sequenced Data packet expected. */
  nextSeq = 0n;
  private readonly decoder: SoupDecoder;
  private lastReceived: number;
  private lastSent: number;

  /** Each packet of a chunk as it is cut; false once the session closed (the rest is dropped). */
  private readonly onFrame = (f: SoupFrame): boolean => {
    try {
      this.frame(f);
    } catch (e) {
      this.shut(`protocol error: ${(e as OuchError).message}`);
    }
    return (this.state as ClientState) !== 'closed';
  };

  constructor(private readonly o: ClientSessionOptions) {
    this.decoder = new SoupDecoder(o.maxPacket);
    this.lastReceived = this.lastSent = o.now();
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'logging-in';
    this.lastReceived = this.o.now();
    this.write(encodeLoginRequest({
      username: this.o.username,
      password: this.o.password,
      requestedSession: this.o.session ?? '',
      requestedSequenceNumber: this.o.requestedSequenceNumber ?? 0n,
    }));
  }

  /** One inbound OUCH message as Unsequenced Data. */
  sendUnsequenced(payload: Buffer): void {
    if (this.state !== 'logged-in') throw new Error(`NOT_LOGGED_IN: cannot send, the session is ${this.state}`);
    if (this.o.packet) {
      this.lastSent = this.o.now();
      this.o.packet(SoupPacket.UNSEQUENCED_DATA.code, payload);
    } else this.write(soupPacket(SoupPacket.UNSEQUENCED_DATA.type, payload));
  }

  /** Raw bytes (tests and fuzzing send malformed packets through this). */
  sendRaw(bytes: Buffer): void {
    if (this.state !== 'closed') this.write(bytes);
  }

  logout(): void {
    if (this.state === 'logged-in') this.write(encodeEmpty(SoupPacket.LOGOUT_REQUEST.type));
    this.shut('logout');
  }

  receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.lastReceived = this.o.now();
    this.decoder.each(chunk, this.onFrame);
    if ((this.state as ClientState) === 'closed') return;
    if (this.decoder.error) this.shut(`protocol error: ${this.decoder.error.message}`);
  }

  tick(): void {
    if (this.state !== 'logged-in' && this.state !== 'logging-in') return;
    const now = this.o.now();
    if (now - this.lastReceived >= this.o.timing.timeoutMs) {
      this.shut(`server silent for ${now - this.lastReceived} ms (timeout ${this.o.timing.timeoutMs} ms)`);
      return;
    }
    if (this.state === 'logged-in' && now - this.lastSent >= this.o.timing.heartbeatMs) this.write(encodeEmpty(SoupPacket.CLIENT_HEARTBEAT.type));
  }

  /** The transport is gone. */
  drop(reason: string): void {
    this.shut(reason);
  }

  private frame(f: SoupFrame): void {
    switch (f.type) {
      case SoupPacket.LOGIN_ACCEPTED.type: {
        if (this.state !== 'logging-in') throw new Error('Login Accepted while not logging in');
        const a = decodeLoginAccepted(f);
        this.nextSeq = a.sequenceNumber;
        this.state = 'logged-in';
        this.o.hooks.accepted(a);
        return;
      }
      case SoupPacket.LOGIN_REJECTED.type:
        this.o.hooks.rejected(decodeLoginRejected(f));
        this.shut('login rejected');
        return;
      case SoupPacket.SEQUENCED_DATA.type:
        if (this.state !== 'logged-in') throw new Error('Sequenced Data before login');
        this.o.hooks.sequenced(f.payload, this.nextSeq++);
        return;
      case SoupPacket.SERVER_HEARTBEAT.type:
        return;
      case SoupPacket.DEBUG.type:
        this.o.hooks.debug?.(f.payload.toString('latin1'));
        return;
      case SoupPacket.END_OF_SESSION.type:
        this.o.hooks.endOfSession?.();
        this.shut('end of session');
        return;
      default:
        throw new Error(`packet type ${JSON.stringify(f.type)} is not one a server sends`);
    }
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
