import { setImmediate as turn } from 'node:timers/promises';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SOUPBINTCP } from '../../src/contract.ts';
import { coalescedWrite } from '../../src/ouch/coalesce.ts';

/**
 * A socket that keeps the buffers it is given (as a queued write does) and says whether the
 * "kernel" took each write at once (writableLength 0) or left it queued.
 */
function fakeSocket(takes: (k: number) => boolean) {
  const written: Buffer[] = [];
  const copies: Buffer[] = [];
  let queued = 0;
  const s = {
    destroyed: false,
    get writableLength() {
      return queued;
    },
    write(b: Buffer) {
      written.push(b);
      copies.push(Buffer.from(b));
      queued = takes(written.length - 1) ? 0 : b.length;
      return true;
    },
  };
  return { socket: s as unknown as Socket, written, copies };
}

describe('coalescedWrite', () => {
  it('writes a turn\'s packets as one buffer, and never reuses a buffer a queued write still holds', async () => {
    // Writes 0 and 2 are left queued (the socket holds their buffer), 1 and 3 are taken at once.
    const { socket, written, copies } = fakeSocket((k) => k % 2 === 1);
    const w = coalescedWrite(socket);
    for (let t = 0; t < 4; t++) {
      w.packet(0x53, Buffer.from(`turn${t}-a`));
      w(Buffer.from([0, 2, 0x48, t]));
      w.packet(0x53, Buffer.from(`turn${t}-bb`));
      await turn();
    }
    expect(written.length).toBe(4);
    for (let t = 0; t < 4; t++) {
      const a = Buffer.from(`turn${t}-a`);
      const b = Buffer.from(`turn${t}-bb`);
      const want = Buffer.concat([Buffer.from([0, a.length + 1, 0x53]), a, Buffer.from([0, 2, 0x48, t]), Buffer.from([0, b.length + 1, 0x53]), b]);
      expect(copies[t].equals(want)).toBe(true);
      // A write the socket still holds (queued) keeps what it was given: no later turn wrote over it.
      if (t % 2 === 0) expect(written[t].equals(want)).toBe(true);
    }
  });

  it('grows for a big turn, flushes above maxCorked, and refuses a packet above the maximum without writing it', async () => {
    const { socket, copies } = fakeSocket(() => true);
    const w = coalescedWrite(socket, 10_000);
    const big = Buffer.alloc(900, 0x41);
    for (let k = 0; k < 15; k++) w.packet(0x53, big);
    expect(copies.length).toBe(1); // 11 packets passed 10,000 bytes: written at once
    expect(() => w.packet(0x53, Buffer.alloc(SOUPBINTCP.maxPacket))).toThrow(/above the maximum/);
    await turn();
    expect(copies.length).toBe(2);
    expect(copies[0].length + copies[1].length).toBe(15 * 903);
  });
});
