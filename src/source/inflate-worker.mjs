// Inflates a gzip session file in a worker thread into a ring of shared slots that the replay
// reads in place (src/source/file.ts, `recycle`). Plain JavaScript on purpose: it starts without
// tsx's loader. Its own event loop keeps node:zlib's steps going back to back whatever the
// engine thread is doing, and the 1 MiB buffers zlib allocates per step live and die in this
// thread's small heap instead of pushing the replay's heap into major collections.
//
// Control words (Int32Array over workerData.control):
//   [0] HEAD  slots filled (monotonic)        [1] TAIL  slots released by the reader (monotonic)
//   [2] STATE 0 running, 1 done, 2 failed     [3..3+SLOTS) bytes in each slot
// workerData.progress (Float64Array): [0] compressed bytes read, [1] decompressed bytes produced.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parentPort, workerData } from 'node:worker_threads';

const { path, data, control, progress, slots, slotBytes } = workerData;
const ctl = new Int32Array(control);
const prog = new Float64Array(progress);
const ring = new Uint8Array(data);
const HEAD = 0;
const TAIL = 1;
const STATE = 2;
const LEN = 3;

async function main() {
  // A pending Atomics.waitAsync does not keep the event loop alive: while the ring is full and
  // zlib is paused there would be nothing else, and the thread would exit.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await inflate();
  } finally {
    clearInterval(keepAlive);
  }
}

async function inflate() {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  file.on('data', (c) => {
    prog[0] += c.length;
  });
  const gunzip = createGunzip({ chunkSize: slotBytes, readableHighWaterMark: 4 * slotBytes });
  file.pipe(gunzip);
  file.on('error', (e) => gunzip.destroy(e));
  let head = 0;
  for await (const c of gunzip) {
    for (let off = 0; off < c.length; ) {
      // Wait for a free slot.
      for (;;) {
        const tail = Atomics.load(ctl, TAIL);
        if (head - tail < slots) break;
        const w = Atomics.waitAsync(ctl, TAIL, tail);
        if (w.async) await w.value;
      }
      const n = Math.min(slotBytes, c.length - off);
      const slot = head % slots;
      ring.set(c.subarray(off, off + n), slot * slotBytes);
      off += n;
      prog[1] += n;
      Atomics.store(ctl, LEN + slot, n);
      head++;
      Atomics.store(ctl, HEAD, head);
      Atomics.notify(ctl, HEAD);
    }
  }
}

main().then(
  () => {
    Atomics.store(ctl, STATE, 1);
    Atomics.notify(ctl, HEAD);
  },
  (e) => {
    parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
    Atomics.store(ctl, STATE, 2);
    Atomics.notify(ctl, HEAD);
  },
);
