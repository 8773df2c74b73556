/**
 * Replay with back-pressure: it stops at the high-water mark until the transport drains,
 * sends what was appended meanwhile, and stops when the connection ends.
 */
import { describe, expect, it } from 'vitest';
import { replayStream } from '../../src/ouch/replay.ts';

function fakeTransport() {
  const sent: string[] = [];
  let unsent = 0;
  let open = true;
  let release: (() => void) | null = null;
  return {
    sent,
    waiting: () => release !== null,
    drain() {
      unsent = 0;
      const r = release;
      release = null;
      r?.();
    },
    close() {
      open = false;
      this.drain();
    },
    t: {
      open: () => open,
      send: (p: Buffer) => {
        sent.push(p.toString());
        unsent += p.length;
      },
      unsent: () => unsent,
      drained: () => new Promise<void>((r) => (release = r)),
    },
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('replayStream', () => {
  it('pauses above the high-water mark, resumes on drain, and sends messages appended meanwhile', async () => {
    const stream = ['aaaa', 'bbbb', 'cccc', 'dddd'].map((s) => Buffer.from(s));
    const f = fakeTransport();
    const done = replayStream(stream, 1, f.t, 6);
    await tick();
    expect(f.sent).toEqual(['bbbb', 'cccc']); // 8 bytes unsent > 6: waiting
    expect(f.waiting()).toBe(true);
    stream.push(Buffer.from('eeee')); // a live message while the replay waits
    f.drain();
    await tick();
    expect(f.sent).toEqual(['bbbb', 'cccc', 'dddd', 'eeee']);
    f.drain();
    expect(await done).toBe(5);
  });

  it('stops when the connection ends', async () => {
    const stream = ['aaaa', 'bbbb', 'cccc'].map((s) => Buffer.from(s));
    const f = fakeTransport();
    const done = replayStream(stream, 0, f.t, 2);
    await tick();
    expect(f.sent).toEqual(['aaaa']);
    f.close();
    expect(await done).toBe(1);
    expect(f.sent).toEqual(['aaaa']);
  });
});
