// The sequence-outlier guard (src/feed/outlier-guard.ts) with the feed sequencer, without a
// broker: docs/spec.md §14.5 "held until judged". A packet claiming to be ahead of the stream
// is refused when the next packet contradicts it and handled when the next packet confirms it.
import { describe, expect, it } from 'vitest';
import { OutlierGuard, type Verdict } from '../../src/feed/outlier-guard.ts';
import { FeedSequencer, type FeedStep } from '../../src/feed/sequencer.ts';
import { frame, itch } from '../../src/itch/encode.ts';
import { MOLD_END_OF_SESSION, moldPacket, moldSession } from '../../src/itch/moldudp64.ts';

const S = moldSession();
const msg = (i: number) => frame(itch.systemEvent({ locate: 0, ts: i }, 'Q'));
/** A packet of `n` messages starting at `seq`. */
const pkt = (seq: number | bigint, n = 1, session = S) => moldPacket(session, BigInt(seq), n, Array.from({ length: n }, (_, i) => msg(i + 1)));
const heartbeat = (seq: number) => moldPacket(S, BigInt(seq), 0, []);
const eos = (seq: number) => moldPacket(S, BigInt(seq), MOLD_END_OF_SESSION, []);

/** Packets through guard + sequencer the way `riskgate run` drives them; returns the steps and verdicts. */
function drive(packets: Buffer[], holdAbove = 0) {
  const g = new OutlierGuard(holdAbove);
  const s = new FeedSequencer();
  const steps: FeedStep[] = [];
  const verdicts: Verdict['kind'][] = [];
  packets.forEach((p, at) => {
    for (;;) {
      const v = g.judge(p, at, s.expected, s.session, s.ended);
      verdicts.push(v.kind);
      if (v.kind === 'hold') break;
      if (v.kind === 'refute') continue;
      if (v.kind === 'confirm') {
        steps.push(...s.packet(v.held.packet));
        continue;
      }
      steps.push(...s.packet(p));
      break;
    }
  });
  return { g, s, steps, verdicts };
}

describe('outlier guard: a packet claiming a gap is judged by the next packet', () => {
  it('one forged packet with sequence number 2^40 is refused; the real stream after it is handed, nothing dropped', () => {
    const real = [pkt(1, 3), pkt(4, 3), pkt(7, 3), pkt(10, 3)];
    const { g, s, steps } = drive([real[0], real[1], pkt(2n ** 40n), real[2], real[3]]);
    expect(steps.filter((x) => x.kind === 'gap')).toEqual([]);
    expect(s.expected).toBe(13);
    expect(s.stats.duplicates).toBe(0);
    expect(s.stats.messages).toBe(12);
    expect(g.outlierCount).toBe(1);
    expect(g.outliers[0]).toMatchObject({ at: 2, seq: 2 ** 40, expected: 7, refutedAt: 3, refutedBy: 7 });
  });

  it('a forged packet just past E (a small claim) is refused the same way: no gap, no latch', () => {
    const { g, steps, s } = drive([pkt(1, 2), pkt(1003), pkt(3, 2), pkt(5, 2)]);
    expect(steps.some((x) => x.kind === 'gap')).toBe(false);
    expect(s.expected).toBe(7);
    expect(g.outlierCount).toBe(1);
  });

  it('a real gap is confirmed by the packet after it and handed in order: the gap step, then both packets', () => {
    const { g, steps, verdicts } = drive([pkt(1, 2), pkt(10, 2), pkt(12, 2)]);
    expect(verdicts).toEqual(['hand', 'hold', 'confirm', 'hand']);
    expect(steps.map((x) => x.kind)).toEqual(['frames', 'gap', 'frames', 'frames']);
    expect(steps[1]).toEqual({ kind: 'gap', from: 3, to: 9 });
    expect(g.confirmed).toBe(1);
    expect(g.outlierCount).toBe(0);
  });

  it('wholly duplicate packets do not judge: the held packet waits for a decisive one', () => {
    const { verdicts, g, steps } = drive([pkt(1, 4), pkt(100), pkt(1, 2), pkt(3, 2), pkt(101)]);
    expect(verdicts).toEqual(['hand', 'hold', 'hand', 'hand', 'confirm', 'hand']);
    expect(g.outlierCount).toBe(0);
    expect(steps.find((x) => x.kind === 'gap')).toEqual({ kind: 'gap', from: 5, to: 99 });
  });

  it('a heartbeat at E refutes; a heartbeat past the claim confirms; a heartbeat can be held itself', () => {
    expect(drive([pkt(1), pkt(50), heartbeat(2)]).g.outlierCount).toBe(1);
    const c = drive([pkt(1), pkt(50), heartbeat(51)]);
    expect(c.g.confirmed).toBe(1);
    expect(c.steps.find((x) => x.kind === 'gap')).toEqual({ kind: 'gap', from: 2, to: 49 });
    const h = drive([pkt(1), heartbeat(9), pkt(2)]);
    expect(h.verdicts).toEqual(['hand', 'hold', 'refute', 'hand']);
  });

  it('an end-of-session packet with nothing held is handled at once; one that comes after a held packet judges it', () => {
    const at = drive([pkt(1), eos(5)]);
    expect(at.verdicts).toEqual(['hand', 'hand']);
    expect(at.steps.map((x) => x.kind)).toEqual(['frames', 'gap', 'end']);
    const refuted = drive([pkt(1), pkt(2n ** 40n), eos(2)]);
    expect(refuted.g.outlierCount).toBe(1);
    expect(refuted.steps.map((x) => x.kind)).toEqual(['frames', 'end']);
    const confirmed = drive([pkt(1), pkt(7), eos(8)]);
    expect(confirmed.steps.map((x) => x.kind)).toEqual(['frames', 'gap', 'frames', 'end']);
  });

  it('refused packets (short, seq 0 or ≥ 2^48, another session) neither judge nor get held', () => {
    const other = moldSession('OTHER');
    const { verdicts, g, s } = drive([pkt(1), pkt(90), Buffer.alloc(5), pkt(2n ** 48n), pkt(3, 1, other), pkt(2)]);
    expect(verdicts).toEqual(['hand', 'hold', 'hand', 'hand', 'hand', 'refute', 'hand']);
    expect(g.outlierCount).toBe(1);
    expect(s.stats.badPackets).toBe(3);
  });

  it('holdAbove (the listener\'s bound) holds only claims past E + holdAbove', () => {
    const { verdicts } = drive([pkt(1), pkt(5), pkt(2000)], 100);
    expect(verdicts).toEqual(['hand', 'hand', 'hold']);
  });

  it('the first packet of a session can be held (session not settled yet); the real first packet refutes it', () => {
    const { g, s, steps } = drive([pkt(2n ** 40n), pkt(1, 2), pkt(3, 2)]);
    expect(g.outlierCount).toBe(1);
    expect(s.expected).toBe(5);
    expect(steps.some((x) => x.kind === 'gap')).toBe(false);
  });
});
