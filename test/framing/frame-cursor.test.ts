/**
 * The frame cursor gives the seq rule of spec §2 frame by frame: whole messages take the next
 * seq, a well-sized control message takes none (it sits at the seq it precedes), a `~` of
 * another length does, end markers take none and the walk goes on past them as the engine's
 * does, and the rest of the buffer, when cut off, is one TRUNCATED frame that takes a seq.
 * The locator finds the frame a record came from, walking each batch once.
 */
import { describe, expect, it } from 'vitest';
import { frame, frames, itch } from '../../src/itch/encode.ts';
import { countSeqFrames, FrameCursor, FrameKind, FrameLocator, scanFrames, splitFrames } from '../../src/itch/framing.ts';
import { ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';

const S = (ts: number) => itch.systemEvent({ locate: 0, ts }, 'O');
const KILL = (seq: number) => itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, seq, 1, 0n);
const END = Buffer.from([0, 0]);

function walk(buf: Buffer, firstSeq = 1): { kind: number; seq: number; offset: number; length: number; type: number }[] {
  const out = [];
  for (const c = new FrameCursor(buf, firstSeq); c.next(); ) out.push({ kind: c.kind, seq: c.seq, offset: c.offset, length: c.length, type: c.type });
  return out;
}

describe('frame cursor: the seq rule of spec §2', () => {
  it('messages take seqs, a control message takes none and sits at the seq it precedes', () => {
    const buf = frames([S(1), KILL(2), S(2), itch.raw('~', 25)]);
    expect(walk(buf, 7).map((f) => [f.kind, f.seq])).toEqual([
      [FrameKind.MESSAGE, 7],
      [FrameKind.CONTROL, 8],
      [FrameKind.MESSAGE, 8],
      [FrameKind.MESSAGE, 9], // a `~` of 25 bytes is BAD_LENGTH and takes a seq
    ]);
    expect(countSeqFrames(buf)).toBe(3);
  });

  it('an end marker takes no seq and the walk goes on past it, as the engine does', () => {
    const buf = Buffer.concat([frames([S(1)], true), frames([S(2)])]);
    expect(walk(buf).map((f) => [f.kind, f.seq])).toEqual([[FrameKind.MESSAGE, 1], [FrameKind.END, 2], [FrameKind.MESSAGE, 2]]);
    // …while the whole-frame scan of the file reader stops at it
    expect(scanFrames(buf)).toEqual({ end: 14, count: 1, endMarker: 14 });
  });

  it('a cut-off tail is one TRUNCATED frame that takes a seq: stray byte, prefix only, short body, short control', () => {
    const whole = frames([S(1)]);
    for (const [tail, length, type] of [
      [Buffer.from([9]), 0, 0],
      [Buffer.from([0, 36]), 36, 0],
      [frame(S(2)).subarray(0, 5), 12, 'S'.charCodeAt(0)],
      [frame(KILL(2)).subarray(0, 10), 28, '~'.charCodeAt(0)],
    ] as const) {
      const f = walk(Buffer.concat([whole, tail]));
      expect(f).toHaveLength(2);
      expect(f[1]).toEqual({ kind: FrameKind.TRUNCATED, seq: 2, offset: whole.length, length, type });
    }
    // the reader's scan stops before it: more input may complete it
    expect(scanFrames(Buffer.concat([whole, Buffer.from([0, 36])])).end).toBe(whole.length);
  });

  it('splitFrames cuts between whole frames only', () => {
    const buf = frames([S(1), KILL(2), S(2), S(3), S(4)]);
    const parts = splitFrames(buf, 2);
    expect(parts.map((p) => walk(p).length)).toEqual([2, 2, 1]);
    expect(Buffer.concat(parts).equals(buf)).toBe(true);
  });
});

describe('frame locator: the input of a record', () => {
  const buf = frames([S(1), KILL(2), KILL(2), S(2), S(3)]);
  const at = (i: number) => [0, 14, 44, 74, 88][i]; // S 14, control 30 (2 + 28)

  it('finds the message of a seq and the nth control message before it', () => {
    const l = new FrameLocator(buf, 1);
    expect(l.message(1)).toBe(at(0));
    expect(l.control(2, 0)).toBe(at(1));
    expect(l.control(2, 1)).toBe(at(2));
    expect(l.message(2)).toBe(at(3));
    expect(l.message(3)).toBe(at(4));
    expect(l.steps).toBe(5); // in record order: one pass
    expect(l.message(4)).toBe(-1);
  });

  it('answers a seq asked out of order too, by walking again', () => {
    const l = new FrameLocator(buf, 1);
    expect(l.message(3)).toBe(at(4));
    expect(l.message(1)).toBe(at(0));
    expect(l.control(2, 2)).toBe(-1); // only two controls precede message 2
    expect(l.message(2)).toBe(at(3));
  });
});
