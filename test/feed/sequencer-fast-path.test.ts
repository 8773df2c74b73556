// The feed sequencer's in-order fast path (src/feed/sequencer.ts `inOrder`) must give exactly
// the steps and counters of its general path, on clean and on hostile streams: duplicates,
// overlaps, gaps, heartbeats, wrong sessions, empty and cut-off blocks, count mismatches.
import { describe, expect, it } from 'vitest';
import { FeedSequencer, type FeedStep } from '../../src/feed/sequencer.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { FrameCursor } from '../../src/itch/framing.ts';
import { MOLD_COUNT_AT, MOLD_END_OF_SESSION, MoldPacker, moldPacket, moldSession } from '../../src/itch/moldudp64.ts';

/** The general path only: the fast path switched off on this instance. */
function generalOnly(): FeedSequencer {
  const s = new FeedSequencer();
  (s as unknown as { inOrder: () => null }).inOrder = () => null;
  return s;
}

const plain = (steps: FeedStep[]) => steps.map((s) => ('frames' in s ? { ...s, frames: s.frames.toString('hex') } : 'frame' in s ? { ...s, frame: s.frame.toString('hex') } : s));

function rng(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
}

describe('feed sequencer fast path', () => {
  const session = generateSessionBuffer({ seed: 5, symbols: 8, messages: 6_000, controlMessages: true });
  const body = session.subarray(0, session.length - 2);
  const packer = new MoldPacker({ messagesPerPacket: 12, controlsWithMessage: true });
  const packets = [...packer.packPackets(body, true).packets, ...packer.endOfSession()];

  it('takes in-order packets without parsing them and agrees with the general path on a clean stream', () => {
    const fast = new FeedSequencer();
    const slow = generalOnly();
    for (const p of packets) expect(plain(fast.packet(p))).toEqual(plain(slow.packet(p)));
    expect(fast.stats).toEqual(slow.stats);
    expect(fast.expected).toBe(slow.expected);
    expect(fast.stats.messages).toBe(6_000);
  });

  it('agrees with the general path on a hostile stream (duplicates, gaps, heartbeats, bad sessions, empty and cut blocks, wrong counts)', () => {
    const r = rng(42);
    const sess = moldSession();
    const stream: Buffer[] = [];
    for (const p of packets.slice(0, -1)) {
      const x = r();
      if (x < 0.05) continue; // lost: a gap
      stream.push(p);
      if (x < 0.1) stream.push(p); // duplicate
      else if (x < 0.13) stream.push(Buffer.from(p).fill(0x41, 0, 10)); // another session
      else if (x < 0.16) stream.push(p.subarray(0, p.length - 3)); // last block cut short
      else if (x < 0.19) {
        const q = Buffer.from(p);
        q.writeUInt16BE(q.readUInt16BE(MOLD_COUNT_AT) + 1, MOLD_COUNT_AT); // count says one more
        stream.push(q);
      } else if (x < 0.21) stream.push(moldPacket(sess, BigInt(p.readBigUInt64BE(10)) + 3n, 0, [])); // heartbeat ahead
      else if (x < 0.23) stream.push(Buffer.concat([p, Buffer.from([0, 0])])); // an empty block at the end
      else if (x < 0.25) stream.push(p.subarray(0, 20)); // header only
    }
    stream.push(packets.at(-1)!);
    const fast = new FeedSequencer();
    const slow = generalOnly();
    for (const p of stream) expect(plain(fast.packet(p))).toEqual(plain(slow.packet(p)));
    expect(fast.stats).toEqual(slow.stats);
    expect(fast.stats.gaps).toBeGreaterThan(0);
    expect(fast.stats.duplicates).toBeGreaterThan(0);
    expect(fast.stats.countMismatches).toBeGreaterThan(0);
    expect(fast.ended).toBe(true);
    // End of session is the general path's: its count is not a data count.
    expect(packets.at(-1)!.readUInt16BE(MOLD_COUNT_AT)).toBe(MOLD_END_OF_SESSION);
  });

  it('hands the packet minus its header as the frames, no copy', () => {
    const s = new FeedSequencer();
    s.packet(packets[0]);
    const steps = s.packet(packets[1]);
    expect(steps).toHaveLength(1);
    const f = steps[0] as Extract<FeedStep, { kind: 'frames' }>;
    expect(f.frames.buffer).toBe(packets[1].buffer);
    let n = 0;
    for (const c = new FrameCursor(f.frames); c.next(); ) n++;
    expect(n).toBe(f.messages + f.controls);
  });
});
