/**
 * Coalesced socket writes: the messages written during one event-loop turn (a burst of orders
 * read in one chunk and their answers) leave in one writev when the turn's I/O is done,
 * instead of one system call per message — the largest cost per order in a profile of the
 * gateway under load. Order is kept; a message waits at most until the turn ends.
 */
import type { Socket } from 'node:net';

/**
 * `maxCorked`: above this many unsent bytes the writes go out at once rather than at the end
 * of the turn (a replay, a big burst); keep it well under any slow-consumer limit.
 */
export function coalescedWrite(socket: Socket, maxCorked = 64 << 10): (b: Buffer) => void {
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  };
  return (b: Buffer) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(flush);
    }
    socket.write(b);
    // Back-pressure and the slow-consumer limit see what the kernel has not taken, not what waits here.
    if (socket.writableLength > maxCorked) flush();
  };
}
