// MoldUDP64 packing (src/itch/moldudp64.ts) and the feed receiver (src/feed/sequencer.ts):
// the Kafka feed's rules of docs/spec.md §14.4, without a broker. The engine-level checks
// (records through packing and receiving equal the file's, gap fillers) use the Rust engine.
import { describe, expect, it } from 'vitest';
import { blobFingerprint, configBlob, loadConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { gapFillers, globalKillFrame, lastTimestamp } from '../../src/feed/frames.ts';
import { FeedSequencer, type FeedStep } from '../../src/feed/sequencer.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { frame, frames, itch } from '../../src/itch/encode.ts';
import { countSeqFrames, FrameCursor } from '../../src/itch/framing.ts';
import { CONTROL_LENGTH, ControlOp, GLOBAL_TARGET, MESSAGE_LENGTH } from '../../src/itch/layout.ts';
import {
  countControls, MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_HEADER_BYTES, MOLD_SEQ_AT, MoldPacker, moldPacket, moldSession, parseMoldPacket,
} from '../../src/itch/moldudp64.ts';

const config = loadConfig();
const blob = configBlob(config);
const FP = blobFingerprint(blob);
const session = generateSessionBuffer({ seed: 11, symbols: 8, messages: 20_000, controlMessages: true });
const body = session.subarray(0, session.length - 2); // without the end marker

function replayRecords(input: Buffer): Buffer {
  const e = new RustEngine(blob);
  return e.process(input, true);
}

/** Packs `input` (split into random batches between frames), ends the session, returns the packets. */
function packAll(input: Buffer, perPacket: number, seed: number, holdPartial = false): Buffer[] {
  const p = new MoldPacker({ messagesPerPacket: perPacket, controlsWithMessage: true, holdPartial });
  const out: Buffer[] = [];
  let off = 0;
  let x = seed;
  while (off < input.length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    let end = off;
    const c = new FrameCursor(input, 1, off);
    for (let k = 1 + (x % 40); k > 0 && c.next(); k--) end = c.end;
    const r = p.packPackets(input.subarray(off, end), end >= input.length);
    expect(r.consumed).toBe(end - off);
    out.push(...r.packets);
    off = end;
  }
  out.push(...p.endOfSession());
  return out;
}

/** Runs packets through a sequencer into an engine, the way `riskgate run` does (without gaps). */
function receive(packets: Buffer[]): { records: Buffer; steps: FeedStep[]; seq: FeedSequencer } {
  const s = new FeedSequencer();
  const e = new RustEngine(blob);
  const recs: Buffer[] = [];
  const steps: FeedStep[] = [];
  for (const pkt of packets) {
    for (const st of s.packet(pkt)) {
      steps.push(st);
      if (st.kind === 'frames') recs.push(e.process(st.frames, false));
      else if (st.kind === 'truncated') recs.push(e.process(st.frame, true));
    }
  }
  return { records: Buffer.concat(recs), steps, seq: s };
}

describe('MoldUDP64 packing for the Kafka feed', () => {
  it('never ends a packet between a control and its message; count excludes controls', () => {
    for (const per of [1, 2, 3, 7]) {
      const packets = packAll(body, per, per);
      for (const pkt of packets.slice(0, -1)) {
        const p = parseMoldPacket(pkt)!;
        expect(p.blocks.at(-1)!.control).toBe(false);
        expect(p.blocks.filter((b) => !b.control).length).toBe(p.count);
      }
      const last = parseMoldPacket(packets.at(-1)!)!;
      expect(last.count).toBe(MOLD_END_OF_SESSION);
      expect(last.seq).toBe(20_001n);
    }
  });

  it('a message with the controls before it joins the open packet only if the whole group fits 1,472 bytes', () => {
    const p = new MoldPacker({ messagesPerPacket: 0xfffe, controlsWithMessage: true, holdPartial: true });
    const packets = [...p.packPackets(body, true).packets, ...p.endOfSession()];
    expect(packets.some((x) => countControls(x) > 0)).toBe(true);
    // every packet that holds more than one group stays within the MTU's UDP payload
    for (const x of packets) if (x.readUInt16BE(MOLD_COUNT_AT) > 1) expect(x.length).toBeLessThanOrEqual(1472);
  });

  it('with holdPartial the packets do not depend on how the input was split into calls', () => {
    const one = packAll(body, 5, 0, true); // seed 0: one call per up to 40 frames, different split below
    const two = packAll(body, 5, 77, true);
    expect(two.length).toBe(one.length);
    expect(two.every((p, i) => p.equals(one[i]))).toBe(true);
    const whole = new MoldPacker({ messagesPerPacket: 5, controlsWithMessage: true, holdPartial: true });
    const all = [...whole.packPackets(body, false).packets, ...whole.endOfSession()];
    expect(all.every((p, i) => p.equals(one[i]))).toBe(true);
  });

  it('packets received in order give the records of the file, for any packet size and batch split', () => {
    const want = replayRecords(session);
    for (const per of [1, 3, 64, 0xfffe]) {
      const { records, seq } = receive(packAll(body, per, 1000 + per));
      expect(records.equals(want)).toBe(true);
      expect(seq.expected).toBe(20_001);
      expect(seq.stats.controls).toBeGreaterThan(0);
      expect(seq.stats.duplicates + seq.stats.gaps + seq.stats.badPackets + seq.stats.countMismatches).toBe(0);
    }
  });

  it('a cut-off last frame and controls after the last message travel as in the file', () => {
    const tail = Buffer.concat([frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 20_001, 1, FP)), frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 20_001, 0, FP))]);
    const cut = frame(itch.systemEvent({ locate: 0, ts: 5 }, 'C')).subarray(0, 7);
    for (const input of [Buffer.concat([body, tail]), Buffer.concat([body, tail, cut]), Buffer.concat([body, Buffer.from([0])])]) {
      const want = replayRecords(input);
      const { records } = receive(packAll(input, 5, 3));
      expect(records.equals(want)).toBe(true);
    }
  });

  it('hardware packing (controls anywhere, u32-prefixed stream) is unchanged', () => {
    const p = new MoldPacker({ messagesPerPacket: 2 });
    const f = frames([itch.systemEvent({ locate: 0, ts: 1 }, 'O'), itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 2, 1, FP), itch.systemEvent({ locate: 0, ts: 2 }, 'S')]);
    const r = p.pack(f, false);
    expect(r.packets).toBe(2);
    expect(r.sequenced).toBe(2);
    // first packet: S(seq 1) + control, count 1; second: S(seq 2), count 1
    const LEN = 4; // each packet of the stream is prefixed with its length, u32 LE
    const first = MOLD_HEADER_BYTES + (2 + MESSAGE_LENGTH.S) + (2 + CONTROL_LENGTH);
    expect(r.stream.readUInt32LE(0)).toBe(first);
    expect(r.stream.readBigUInt64BE(LEN + MOLD_SEQ_AT)).toBe(1n);
    expect(r.stream.readUInt16BE(LEN + MOLD_COUNT_AT)).toBe(1);
    expect(r.stream.readBigUInt64BE(LEN + first + LEN + MOLD_SEQ_AT)).toBe(2n);
  });
});

describe('feed receiver: duplicates, gaps, heartbeats, end of session', () => {
  const S = moldSession();
  const msg = (ts: number) => frame(itch.systemEvent({ locate: 0, ts }, 'O'));
  const ctl = (seq: number) => frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, seq, 1, FP));
  const pkt = (seq: number, blocks: Buffer[]) => moldPacket(S, BigInt(seq), countSeqFrames(Buffer.concat(blocks)), blocks);

  it('drops duplicate messages with their controls, whole packets and overlaps alike', () => {
    const s = new FeedSequencer();
    const a = pkt(1, [msg(1), ctl(3), msg(2), msg(3)]); // the control sits before message 3
    expect(s.packet(a).map((x) => x.kind)).toEqual(['frames']);
    expect(s.packet(a)).toEqual([]); // retransmitted whole
    expect(s.stats.duplicates).toBe(3);
    expect(s.stats.duplicatePackets).toBe(1);
    const overlap = pkt(2, [msg(2), ctl(3), msg(3), msg(4)]);
    const steps = s.packet(overlap);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ kind: 'frames', firstSeq: 4, messages: 1, controls: 0 });
    expect(s.stats.duplicates).toBe(5);
    expect(s.stats.duplicateControls).toBe(2);
    expect(s.expected).toBe(5);
  });

  it('reports a gap before the first new message, also from a heartbeat or the end of session', () => {
    const s = new FeedSequencer();
    s.packet(pkt(1, [msg(1), msg(2)]));
    const steps = s.packet(pkt(5, [ctl(5), msg(5)]));
    expect(steps[0]).toEqual({ kind: 'gap', from: 3, to: 4 });
    expect(steps[1]).toMatchObject({ kind: 'frames', firstSeq: 5, messages: 1, controls: 1 });
    expect(s.packet(moldPacket(S, 9n, 0, []))).toEqual([{ kind: 'gap', from: 6, to: 8 }]);
    expect(s.stats.heartbeats).toBe(1);
    const end = s.packet(moldPacket(S, 10n, MOLD_END_OF_SESSION, [ctl(10)]));
    expect(end.map((x) => x.kind)).toEqual(['gap', 'frames', 'end']);
    expect(s.stats).toMatchObject({ gaps: 3, missing: 2 + 3 + 1 });
    expect(s.packet(pkt(10, [msg(10)]))).toEqual([]);
    expect(s.stats.packetsAfterEnd).toBe(1);
  });

  it('refuses short packets, sequence number 0 and packets of another session', () => {
    const s = new FeedSequencer();
    expect(s.packet(Buffer.alloc(10))).toEqual([]);
    s.packet(pkt(1, [msg(1)]));
    expect(s.packet(moldPacket(moldSession('OTHER'), 2n, 1, [msg(2)]))).toEqual([]);
    expect(s.packet(moldPacket(S, 0n, 1, [msg(2)]))).toEqual([]);
    expect(s.stats).toMatchObject({ badPackets: 3, wrongSession: 1 });
    expect(s.expected).toBe(2);
  });

  it('a block cut by the end of its packet takes a seq as TRUNCATED; a count mismatch is counted', () => {
    const s = new FeedSequencer();
    const cut = msg(1).subarray(0, 6);
    const steps = s.packet(moldPacket(S, 1n, 3, [msg(1), cut]));
    expect(steps.map((x) => x.kind)).toEqual(['frames', 'truncated']);
    expect(steps[1]).toMatchObject({ seq: 2 });
    expect(s.expected).toBe(3);
    expect(s.stats.countMismatches).toBe(1);
  });
});

describe('gap fillers and the injected kill switch', () => {
  it('fillers take one seq each, emit nothing and keep last_ts; the kill applies before the next seq', () => {
    const e = new RustEngine(blob);
    const head = frames([itch.systemEvent({ locate: 0, ts: 777 }, 'O'), itch.systemEvent({ locate: 0, ts: 888 }, 'Q')]);
    expect(e.process(head, false).length).toBe(0);
    const lastTs = lastTimestamp(head, 0);
    expect(lastTs).toBe(888);
    expect(e.process(globalKillFrame(3, FP), false).readUIntLE(10, 6)).toBe(888); // CONTROL record, ts = last_ts
    expect(e.process(gapFillers(1000, lastTs), false).length).toBe(0);
    expect(e.stats().messages).toBe(1002);
    const rec = e.process(frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 1003, 0, FP)), false);
    expect(rec[1]).toBe(4); // a valid control: the engine's next seq is 1003
    expect(rec.readUIntLE(10, 6)).toBe(888); // fillers did not move last_ts
    expect(lastTimestamp(gapFillers(3, 888), 1)).toBe(888);
  });
});
