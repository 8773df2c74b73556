/**
 * Coalesced socket writes: the messages written to a socket during one event-loop turn (a
 * burst of orders read in one chunk and their answers) leave in one write when the turn's I/O
 * is done, instead of one system call per message — the largest cost per order in a profile
 * of the gateway under load. Order is kept; a message waits at most until the turn ends.
 *
 * The messages are gathered here and written as one buffer (one `write`, not cork/uncork's
 * `writev` with its per-chunk bookkeeping), and one setImmediate flushes every socket written
 * in the turn. Whoever ends the socket calls `flush` first.
 */
import type { Socket } from 'node:net';

export interface CoalescedWriter {
  (b: Buffer): void;
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

/**
 * `maxCorked`: above this many gathered bytes the writes go out at once rather than at the end
 * of the turn (a replay, a big burst); keep it well under any slow-consumer limit.
 */
export function coalescedWrite(socket: Socket, maxCorked = 64 << 10): CoalescedWriter {
  const parts: Buffer[] = [];
  let bytes = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts, bytes);
    parts.length = 0;
    bytes = 0;
    if (!socket.destroyed) socket.write(out);
  };
  const write = ((b: Buffer) => {
    if (parts.length === 0 && !dirty.has(flush)) {
      dirty.add(flush);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushAll);
      }
    }
    parts.push(b);
    bytes += b.length;
    // Back-pressure and the slow-consumer limit see what the kernel has not taken, not what waits here.
    if (bytes > maxCorked) flush();
  }) as CoalescedWriter;
  write.flush = flush;
  return write;
}
