/**
 * The SoupBinTCP session state machines on a fake clock: heartbeats both ways at the
 * configured interval, timeouts, login before anything, login refusal, logout, replay of
 * the sequenced stream from the requested sequence number on re-login, and the client's
 * sequence tracking — all without sockets or real time.
 */
import { describe, expect, it } from 'vitest';
import { SOUPBINTCP, SoupLoginReject, SoupPacket } from '../../src/contract.ts';
import { ClientSession } from '../../src/ouch/client-session.ts';
import { ServerSession, type LoginDecision, type SessionProblem } from '../../src/ouch/server-session.ts';
import { SoupDecoder, soupPacket, type SoupFrame } from '../../src/ouch/soup-framing.ts';
import { encodeLoginRequest } from '../../src/ouch/soup-packets.ts';

const TIMING = { heartbeatMs: 1000, timeoutMs: 15000, loginTimeoutMs: 5000 };

function server(login: (u: string, seq: bigint) => LoginDecision = () => ({ accepted: true, session: 'RISKGATE', firstSeq: 1n })) {
  let t = 0;
  const out = new SoupDecoder();
  const sent: SoupFrame[] = [];
  const problems: SessionProblem[] = [];
  const data: Buffer[] = [];
  let closed: string | null = null;
  let transportClosed = false;
  const s = new ServerSession({
    timing: TIMING,
    now: () => t,
    maxPacket: SOUPBINTCP.maxPacket,
    send: (b) => sent.push(...out.push(b).map((f) => ({ type: f.type, payload: Buffer.from(f.payload) }))),
    close: () => (transportClosed = true),
    hooks: {
      login: (r) => login(r.username, r.requestedSequenceNumber),
      loggedIn: () => {},
      data: (p) => data.push(Buffer.from(p)),
      problem: (k) => problems.push(k),
      closed: (r) => (closed = r),
    },
  });
  return {
    s, sent, problems, data,
    advance: (ms: number) => {
      t += ms;
      s.tick();
    },
    closed: () => closed,
    transportClosed: () => transportClosed,
    types: () => sent.map((f) => f.type).join(''),
  };
}
const login = (seq = 1n) => encodeLoginRequest({ username: 'ALPHA1', password: 'pw', requestedSession: '', requestedSequenceNumber: seq });

describe('server session', () => {
  it('accepts a login, then sends a heartbeat after each second of silence', () => {
    const x = server();
    x.s.receive(login());
    expect(x.types()).toBe(SoupPacket.LOGIN_ACCEPTED.type);
    x.advance(999);
    expect(x.sent).toHaveLength(1);
    x.advance(1);
    expect(x.types()).toBe('AH');
    x.s.receive(soupPacket('R')); // client heartbeats keep it alive
    x.advance(1000);
    x.s.receive(soupPacket('R'));
    expect(x.types()).toBe('AHH');
    expect(x.s.state).toBe('logged-in');
  });

  it('closes after timeoutMs without anything from the client, and counts TIMEOUT', () => {
    const x = server();
    x.s.receive(login());
    for (let i = 0; i < 14; i++) x.advance(1000);
    expect(x.s.state).toBe('logged-in');
    x.advance(1000);
    expect(x.s.state).toBe('closed');
    expect(x.problems).toEqual(['TIMEOUT']);
    expect(x.transportClosed()).toBe(true);
  });

  it('closes a connection that does not log in within loginTimeoutMs', () => {
    const x = server();
    x.advance(4999);
    expect(x.s.state).toBe('awaiting-login');
    x.advance(1);
    expect(x.problems).toEqual(['LOGIN_TIMEOUT']);
    expect(x.s.state).toBe('closed');
  });

  it('closes on any packet but Login Request before login (BEFORE_LOGIN), ignoring what follows', () => {
    const x = server();
    x.s.receive(Buffer.concat([soupPacket('U', Buffer.from('O')), login()]));
    expect(x.problems).toEqual(['BEFORE_LOGIN']);
    expect(x.data).toHaveLength(0);
    expect(x.types()).toBe('+'); // a Debug note, then the close
    expect(x.s.state).toBe('closed');
  });

  it('refuses a login with Login Rejected and closes', () => {
    const x = server(() => ({ accepted: false, code: SoupLoginReject.NOT_AUTHORIZED, why: 'wrong password' }));
    x.s.receive(login());
    expect(x.types()).toBe('J');
    expect(x.sent[0].payload.toString('latin1')).toBe(SoupLoginReject.NOT_AUTHORIZED);
    expect(x.problems).toEqual(['LOGIN_REFUSED']);
    expect(x.s.state).toBe('closed');
  });

  it('a login request of the wrong length closes (LOGIN_LENGTH)', () => {
    const x = server();
    x.s.receive(soupPacket('L', Buffer.alloc(10, 0x20)));
    expect(x.problems).toEqual(['LOGIN_LENGTH']);
    expect(x.s.state).toBe('closed');
  });

  it('after login: unknown packet types, heartbeats with a payload and a second login are ignored with a Debug note', () => {
    const x = server();
    x.s.receive(login());
    x.s.receive(Buffer.concat([soupPacket('Q'), soupPacket('R', Buffer.from('x')), login(), soupPacket('U', Buffer.from('X'))]));
    expect(x.problems).toEqual(['UNKNOWN_PACKET', 'PACKET_LENGTH', 'SECOND_LOGIN']);
    expect(x.types()).toBe('A+++');
    expect(x.data.map((d) => d.toString())).toEqual(['X']);
    expect(x.s.state).toBe('logged-in');
  });

  it('a bad packet length closes the connection (FRAME_LENGTH); packets before it are delivered', () => {
    const x = server();
    x.s.receive(login());
    x.s.receive(Buffer.concat([soupPacket('U', Buffer.from('A')), Buffer.from([0, 0])]));
    expect(x.data).toHaveLength(1);
    expect(x.problems).toEqual(['FRAME_LENGTH']);
    expect(x.s.state).toBe('closed');
  });

  it('logout closes the connection without a problem', () => {
    const x = server();
    x.s.receive(login());
    x.s.receive(soupPacket('O'));
    expect(x.closed()).toBe('logout');
    expect(x.problems).toEqual([]);
  });

  it('end() sends End of Session before closing', () => {
    const x = server();
    x.s.receive(login());
    x.s.end();
    expect(x.types()).toBe('AZ');
    expect(x.s.state).toBe('closed');
  });
});

/** A client and a server wired together in memory, one fake clock, a sequenced stream kept like the gateway keeps it. */
function pair(stream: Buffer[], requested: bigint, timing = { heartbeatMs: 1000, timeoutMs: 15000 }) {
  let t = 0;
  const got: [bigint, string][] = [];
  let c!: ClientSession;
  let first = 0;
  const s: ServerSession = new ServerSession({
    timing: { ...timing, loginTimeoutMs: 5000 },
    now: () => t,
    maxPacket: SOUPBINTCP.maxPacket,
    send: (b) => c.receive(b),
    close: () => c.drop('server closed'),
    hooks: {
      login: (r) => {
        const next = BigInt(stream.length + 1);
        const firstSeq = r.requestedSequenceNumber === 0n || r.requestedSequenceNumber > next ? next : r.requestedSequenceNumber;
        first = Number(firstSeq) - 1;
        return { accepted: true, session: 'RISKGATE', firstSeq };
      },
      loggedIn: () => stream.slice(first).forEach((p) => s.sendSequenced(p)),
      data: () => {},
      problem: () => {},
      closed: () => {},
    },
  });
  const clientSent: string[] = [];
  const dec = new SoupDecoder();
  c = new ClientSession({
    username: 'ALPHA1', password: 'pw', requestedSequenceNumber: requested, timing, now: () => t, maxPacket: SOUPBINTCP.maxPacket,
    send: (b) => {
      clientSent.push(...dec.push(b).map((f) => f.type));
      s.receive(b);
    },
    close: () => s.drop('client closed'),
    hooks: { accepted: () => {}, rejected: () => {}, sequenced: (p, seq) => got.push([seq, p.toString()]), closed: () => {} },
  });
  c.start();
  return {
    c, s, got, clientSent,
    advance(ms: number) {
      t += ms;
      s.tick();
      c.tick();
    },
    /** Time passes for the client only: the server has stalled and sends nothing. */
    advanceClient(ms: number) {
      t += ms;
      c.tick();
    },
    push(text: string) {
      stream.push(Buffer.from(text));
      s.sendSequenced(stream[stream.length - 1]);
    },
  };
}

describe('client and server sessions together', () => {
  it('replays from the requested sequence number on re-login, then continues live', () => {
    const stream: Buffer[] = [];
    const a = pair(stream, 1n);
    ['m1', 'm2', 'm3'].forEach((m) => a.push(m));
    expect(a.got).toEqual([[1n, 'm1'], [2n, 'm2'], [3n, 'm3']]);
    a.c.logout();
    a.push('m4'); // generated while the client is away
    a.push('m5');
    const b = pair(stream, 3n); // the client had seen 1..2 only
    expect(b.got).toEqual([[3n, 'm3'], [4n, 'm4'], [5n, 'm5']]);
    b.push('m6');
    expect(b.got.at(-1)).toEqual([6n, 'm6']);
    expect(b.c.nextSeq).toBe(7n);
  });

  it('sequence number 0 asks for new messages only; past the end starts at the end', () => {
    const stream = [Buffer.from('old1'), Buffer.from('old2')];
    const a = pair(stream, 0n);
    expect(a.got).toEqual([]);
    expect(a.c.nextSeq).toBe(3n);
    a.push('new');
    expect(a.got).toEqual([[3n, 'new']]);
    const b = pair(stream, 99n);
    expect(b.c.nextSeq).toBe(4n);
  });

  it('both sides heartbeat when idle and neither times out while the other is alive', () => {
    const a = pair([], 1n);
    for (let i = 0; i < 60; i++) a.advance(500);
    expect(a.c.state).toBe('logged-in');
    expect(a.s.state).toBe('logged-in');
    expect(a.clientSent.filter((x) => x === 'R').length).toBeGreaterThanOrEqual(25);
  });

  it('the timing is configurable: a 100 ms heartbeat and a 600 ms timeout', () => {
    const a = pair([], 1n, { heartbeatMs: 100, timeoutMs: 600 });
    for (let i = 0; i < 10; i++) a.advance(100);
    expect(a.clientSent.filter((x) => x === 'R')).toHaveLength(10);
    // the server stalls and sends nothing more: the client gives up 600 ms after its last packet
    for (let i = 0; i < 5; i++) a.advanceClient(100);
    expect(a.c.state).toBe('logged-in');
    a.advanceClient(100);
    expect(a.c.state).toBe('closed');
  });
});
