// The listener's reassembly and gap recovery (src/udp/recovery.ts), the request packet
// (src/udp/request.ts) and the request server's store (src/udp/retransmit-store.ts), on a
// simulated clock and channel, without sockets or a broker (docs/spec.md §14.7).
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { FeedSequencer } from '../../src/feed/sequencer.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { Prng } from '../../src/gen/prng.ts';
import { frame, itch } from '../../src/itch/encode.ts';
import { MOLD_END_OF_SESSION, MoldPacker, moldPacket, moldSession } from '../../src/itch/moldudp64.ts';
import { packetHeader, slicePacket } from '../../src/udp/packets.ts';
import { MoldRecovery, type RecoveryOptions } from '../../src/udp/recovery.ts';
import { decodeRequest, encodeRequest, MOLD_REQUEST_BYTES } from '../../src/udp/request.ts';
import { RetransmitStore } from '../../src/udp/retransmit-store.ts';

const blob = configBlob(loadConfig());
const file = generateSessionBuffer({ seed: 41, symbols: 8, messages: 30_000, controlMessages: true });
const S = moldSession();

function packets(perPacket = 20): Buffer[] {
  const p = new MoldPacker({ messagesPerPacket: perPacket, controlsWithMessage: true });
  return [...p.packPackets(file.subarray(0, file.length - 2), true).packets, ...p.endOfSession()];
}

/** Records of an engine fed the packets through the §14.5 sequencer (no gaps expected). */
function recordsOf(pkts: Buffer[]): { records: Buffer; gaps: number; duplicates: number } {
  const s = new FeedSequencer();
  const e = new RustEngine(blob);
  const out: Buffer[] = [];
  for (const p of pkts) for (const st of s.packet(p)) if (st.kind === 'frames') out.push(e.process(st.frames, false));
  return { records: Buffer.concat(out), gaps: s.stats.gaps, duplicates: s.stats.duplicates };
}

interface Channel {
  loss: number;
  reorder: number;
  duplicate: number;
  /** The request server answers (false: stopped). */
  answers: boolean;
  answerLoss?: number;
}

/** Sends `pkts` through a lossy channel to a MoldRecovery, 1 packet per ms, with a request server; runs until the end or `limitMs`. */
function simulate(pkts: Buffer[], ch: Channel, opts: RecoveryOptions = {}, seed = 7, limitMs = 60_000) {
  const rng = new Prng(seed);
  const store = new RetransmitStore();
  const r = new MoldRecovery(opts);
  const inflight: { at: number; pkt: Buffer; source: 'feed' | 'answer' }[] = [];
  let dropped = 0;
  let now = 0;
  let i = 0;
  const send = (at: number, pkt: Buffer, source: 'feed' | 'answer') => inflight.push({ at, pkt, source });
  while (!r.ended && now < limitMs) {
    if (i < pkts.length) {
      const p = pkts[i++];
      store.add(p);
      if (rng.chance(ch.loss)) dropped++;
      else {
        send(now + (rng.chance(ch.reorder) ? 2 + rng.int(3) : 0), p, 'feed');
        if (rng.chance(ch.duplicate)) send(now + 1, p, 'feed');
      }
    } else if (i === pkts.length && now % 50 === 0) {
      send(now, pkts[pkts.length - 1], 'feed'); // the end of session is repeated
    }
    inflight.sort((a, b) => a.at - b.at);
    while (inflight.length && inflight[0].at <= now) {
      const m = inflight.shift()!;
      r.receive(m.pkt, now, m.source);
    }
    r.tick(now);
    for (const q of r.requests.splice(0)) {
      const req = decodeRequest(encodeRequest(S, q.seq, q.count))!;
      if (!ch.answers) continue;
      for (const a of store.answer(req.seq, req.count)) if (!rng.chance(ch.answerLoss ?? 0)) send(now + 1, a, 'answer');
    }
    now++;
  }
  return { r, out: r.out.splice(0), dropped, now };
}

describe('MoldUDP64 request protocol', () => {
  it('a request is session, sequence number and count, 20 bytes; anything else is not a request', () => {
    const b = encodeRequest(S, 123_456_789_012, 300);
    expect(b.length).toBe(MOLD_REQUEST_BYTES);
    expect(b.subarray(0, 10).toString('latin1')).toBe('RISKGATE  ');
    expect(b.readBigUInt64BE(10)).toBe(123_456_789_012n);
    expect(b.readUInt16BE(18)).toBe(300);
    expect(decodeRequest(b)).toEqual({ session: S, seq: 123_456_789_012, count: 300 });
    expect(decodeRequest(b.subarray(0, 19))).toBeNull();
    expect(decodeRequest(encodeRequest(S, 1, 1).fill(0, 18))).toBeNull(); // count 0
    expect(() => encodeRequest(S, 0, 1)).toThrow(RangeError);
  });

  it('the store answers a request with the packets holding exactly seq..seq+count−1, controls with their message', () => {
    const pkts = packets(7);
    const store = new RetransmitStore();
    pkts.forEach((p) => store.add(p));
    const from = 1000;
    const ans = store.answer(from, 40);
    expect(packetHeader(ans[0])!.seq).toBe(from);
    expect(ans.reduce((n, p) => n + packetHeader(p)!.messages, 0)).toBe(40);
    expect(packetHeader(ans.at(-1)!)!.end).toBe(from + 40);
    // the answer's frames are the session's frames at those positions
    const all = recordsOf(pkts);
    const before = pkts.map((p) => slicePacket(p, 1, from)).filter((p): p is Buffer => p !== null);
    const cut = recordsOf([...before, ...ans]);
    expect(cut.gaps).toBe(0);
    expect(all.records.subarray(0, cut.records.length).equals(cut.records)).toBe(true);
    const small = new RetransmitStore({ retain: 10 });
    pkts.forEach((p) => small.add(p));
    expect(small.answer(1, 5)).toEqual([]); // the server has nothing that old
  });

  it('slicePacket keeps the blocks in [from, to) and a control with the message it precedes', () => {
    const ctl = frame(itch.control(1, 0xffff, 11, 1, 0n));
    const m = (i: number) => frame(itch.systemEvent({ locate: 0, ts: i }, 'Q'));
    const p = moldPacket(S, 10n, 3, [m(1), ctl, m(2), m(3)]);
    const s = slicePacket(p, 11)!;
    expect(packetHeader(s)).toMatchObject({ seq: 11, messages: 2 });
    expect(s.length).toBe(p.length - m(1).length);
    expect(slicePacket(p, 10, 11)!.length).toBe(20 + m(1).length);
    expect(slicePacket(p, 13)).toBeNull();
    expect(slicePacket(p, 10)).toBe(p);
  });
});

describe('listener recovery on a simulated channel', () => {
  it('1% loss, 0.5% reordering and 0.5% duplicates: every message once, in order; the records equal the file\'s', () => {
    const pkts = packets(8);
    const { r, out, dropped } = simulate(pkts, { loss: 0.01, reorder: 0.005, duplicate: 0.005, answers: true, answerLoss: 0.01 });
    expect(r.ended).toBe(true);
    expect(dropped).toBeGreaterThan(20);
    expect(r.stats).toMatchObject({ lost: 0, unrecoverableGaps: 0 });
    expect(r.stats.recovered).toBeGreaterThan(0);
    expect(r.stats.fromFeed + r.stats.recovered).toBe(30_000);
    const got = recordsOf(out);
    expect(got.gaps).toBe(0);
    expect(got.duplicates).toBe(0);
    expect(got.records.equals(recordsOf(pkts).records)).toBe(true);
    expect(packetHeader(out.at(-1)!)!.kind).toBe('end');
  });

  it('the request server stopped: a loss is given up after recoveryTimeoutMs and the packets after it go on (the consumer sees the gap)', () => {
    const pkts = packets();
    const { r, out } = simulate(pkts, { loss: 0.002, reorder: 0, duplicate: 0, answers: false }, { recoveryTimeoutMs: 300 }, 3);
    expect(r.ended).toBe(true);
    expect(r.stats.unrecoverableGaps).toBeGreaterThan(0);
    const lost = r.episodes.filter((e) => e.outcome === 'unrecoverable');
    expect(lost.every((e) => e.reason === 'timeout' && e.closedAt - e.openedAt >= 300 && e.closedAt - e.openedAt < 320)).toBe(true);
    const s = new FeedSequencer();
    for (const p of out) s.packet(p);
    expect(s.stats.missing).toBe(r.stats.lost);
    expect(s.stats.duplicates).toBe(0);
  });

  it('a forged feed packet far ahead (2^40) is refused when the feed goes on below it: nothing lost, no request for it', () => {
    const pkts = packets();
    const forged = moldPacket(S, 2n ** 40n, 1, [frame(itch.systemEvent({ locate: 0, ts: 1 }, 'Q'))]);
    const mixed = [...pkts.slice(0, 100), forged, ...pkts.slice(100)];
    const { r, out } = simulate(mixed, { loss: 0, reorder: 0, duplicate: 0, answers: true });
    expect(r.stats).toMatchObject({ outliers: 1, lost: 0, requests: 0 });
    expect(recordsOf(out).records.equals(recordsOf(pkts).records)).toBe(true);
  });

  it('a forged packet within the bound is held, not believed: the stream goes on, it ends up a duplicate or beyond the end', () => {
    const pkts = packets();
    const forged = moldPacket(S, 1_000_000n, 1, [frame(itch.systemEvent({ locate: 0, ts: 1 }, 'Q'))]);
    const { r, out } = simulate([...pkts.slice(0, 100), forged, ...pkts.slice(100)], { loss: 0, reorder: 0, duplicate: 0, answers: true }, { maxGap: 2_000_000 });
    expect(r.ended).toBe(true);
    expect(r.stats.lost).toBe(0);
    expect(r.stats.afterEnd).toBe(1); // still held when the session ended
    expect(recordsOf(out).records.equals(recordsOf(pkts).records)).toBe(true);
  });

  it('a real gap above maxGap, confirmed by the next feed packet, is unrecoverable at once: never requested', () => {
    const m = (i: number) => frame(itch.systemEvent({ locate: 0, ts: i }, 'Q'));
    const r = new MoldRecovery({ maxGap: 1000 });
    r.receive(moldPacket(S, 1n, 2, [m(1), m(2)]), 0, 'feed');
    r.receive(moldPacket(S, 5000n, 1, [m(3)]), 1, 'feed');
    expect(r.requests).toEqual([]);
    expect(r.expected).toBe(3);
    r.receive(moldPacket(S, 5001n, 1, [m(4)]), 2, 'feed');
    expect(r.requests).toEqual([]);
    expect(r.expected).toBe(5002);
    expect(r.episodes).toEqual([expect.objectContaining({ from: 3, outcome: 'unrecoverable', reason: 'above-bound', lost: 4997 })]);
  });

  it('a heartbeat past E reveals a gap and gets it requested; a heartbeat at E is handed on; the end of session waits for E', () => {
    const m = (i: number) => frame(itch.systemEvent({ locate: 0, ts: i }, 'Q'));
    const r = new MoldRecovery({ reorderWaitMs: 0 });
    r.receive(moldPacket(S, 1n, 1, [m(1)]), 0, 'feed');
    r.receive(moldPacket(S, 2n, 0, []), 1, 'feed');
    expect(r.out.length).toBe(2);
    r.receive(moldPacket(S, 4n, MOLD_END_OF_SESSION, []), 2, 'feed');
    expect(r.requests).toEqual([{ seq: 2, count: 2 }]);
    expect(r.ended).toBe(false);
    r.receive(moldPacket(S, 2n, 2, [m(2), m(3)]), 3, 'answer');
    expect(r.ended).toBe(true);
    expect(r.out.map((p) => packetHeader(p)!.kind)).toEqual(['data', 'heartbeat', 'data', 'end']);
    expect(r.episodes[0]).toMatchObject({ from: 2, to: 3, outcome: 'recovered', recovered: 2 });
  });
});
