/**
 * Coalesced socket writes: the messages written to a socket during one event-loop turn (a
 * burst of orders read in one chunk and their answers) leave in one write when the turn's I/O
 * is done, instead of one system call per message — the largest cost per order in a profile
 * of the gateway under load. Order is kept; a message waits at most until the turn ends.
 *
 * The bytes are copied into one buffer per socket as they come (a SoupBinTCP packet's header
 * is written there in front of its payload by `packet`: no buffer per packet, no concat;
 * issue 13), written with one `write`, and one setImmediate flushes every socket written in
 * the turn. The buffer is reused by the next turn when the kernel took the whole write at once
 * (nothing left queued on the socket, so nothing refers to it); otherwise the queued write
 * keeps it and the next turn starts a new one. Whoever ends the socket calls `flush` first.
 */
import type { Socket } from 'node:net';
import { SOUPBINTCP } from '../contract.ts';
import { OuchError } from './errors.ts';

export interface CoalescedWriter {
  (b: Buffer): void;
  /**
   * A SoupBinTCP packet (length, type byte, payload) built in the turn's buffer. Throws
   * OUCH_ENCODE, writing nothing, when it is above the protocol's maximum packet length.
   */
  packet(typeByte: number, payload: Buffer): void;
  /** `packet` with the payload at `src[at, at + len)` (no view of it made: issue 13). */
  packetAt(typeByte: number, src: Buffer, at: number, len: number): void;
  /** Writes what is gathered now (before `end`, or to let a replay see its bytes unsent). */
  flush(): void;
}

/** Writers with bytes gathered this turn; one setImmediate flushes them all. */
const dirty = new Set<() => void>();
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  for (const f of dirty) f();
  dirty.clear();
}

const HEADER = SOUPBINTCP.lengthField;
/** The turn buffer's first size; it doubles for a bigger turn (up to about maxCorked + a packet). */
const FIRST_BYTES = 4096;

/**
 * `maxCorked`: above this many gathered bytes the writes go out at once rather than at the end
 * of the turn (a replay, a big burst); keep it well under any slow-consumer limit.
 */
export function coalescedWrite(socket: Socket, maxCorked = 64 << 10): CoalescedWriter {
  let buf = Buffer.allocUnsafeSlow(FIRST_BYTES);
  let bytes = 0;
  const flush = () => {
    if (bytes === 0) return;
    const out = buf.subarray(0, bytes);
    bytes = 0;
    if (socket.destroyed) return;
    socket.write(out);
    // Still queued (the kernel did not take it all): the write holds this buffer; use a new one.
    if (socket.writableLength > 0) buf = Buffer.allocUnsafeSlow(buf.length);
  };
  const room = (n: number) => {
    if (bytes === 0 && !dirty.has(flush)) {
      dirty.add(flush);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushAll);
      }
    }
    if (bytes + n > buf.length) {
      let size = buf.length * 2;
      while (size < bytes + n) size *= 2;
      const bigger = Buffer.allocUnsafeSlow(size);
      buf.copy(bigger, 0, 0, bytes);
      buf = bigger;
    }
  };
  const write = ((b: Buffer) => {
    room(b.length);
    b.copy(buf, bytes);
    bytes += b.length;
    // Back-pressure and the slow-consumer limit see what the kernel has not taken, not what waits here.
    if (bytes > maxCorked) flush();
  }) as CoalescedWriter;
  /** Room for a packet of `len` payload bytes and its header written: where the payload goes. */
  const packetHeader = (typeByte: number, len: number): number => {
    const n = 1 + len;
    if (n > SOUPBINTCP.maxPacket) throw new OuchError('OUCH_ENCODE', `packet of ${n} bytes is above the maximum ${SOUPBINTCP.maxPacket}`, { field: 'packetLength', offset: 0 });
    room(HEADER + n);
    buf.writeUInt16BE(n, bytes);
    buf[bytes + HEADER] = typeByte;
    const to = bytes + HEADER + 1;
    bytes += HEADER + n;
    return to;
  };
  write.packet = (typeByte: number, payload: Buffer) => {
    // The header first: it may grow `buf` (read it after).
    const to = packetHeader(typeByte, payload.length);
    payload.copy(buf, to);
    if (bytes > maxCorked) flush();
  };
  write.packetAt = (typeByte: number, src: Buffer, at: number, len: number) => {
    // A byte loop: Buffer#copy with a source range makes a Uint8Array view per call, and an
    // OUCH message is tens of bytes.
    const to = packetHeader(typeByte, len) - at;
    for (let i = at, end = at + len; i < end; i++) buf[to + i] = src[i];
    if (bytes > maxCorked) flush();
  };
  write.flush = flush;
  return write;
}
