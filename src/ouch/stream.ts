/**
 * A session's sequenced stream (spec §16.2: every message it was sent, kept for the day so a
 * login can replay from any sequence number), held as bytes in large off-heap chunks with the
 * offsets in typed arrays — not one Buffer object per message. A Buffer per message put two
 * or three new long-lived objects on the JavaScript heap for every order; each young-generation
 * GC copied them (twice, before promoting them), which at 50k orders/s was most of the
 * gateway's 13% of CPU in GC and its 4–12 ms pauses every 40–60 ms (issue 13).
 */

/** Bytes per chunk; a message never spans two (an OUCH message is far smaller). */
const CHUNK = 1 << 20;

/** What a replay reads: an array of Buffers is one too. */
export interface SequencedMessages {
  readonly length: number;
  at(index: number): Buffer | undefined;
}

export class MessageStream implements SequencedMessages {
  private readonly chunks: Buffer[] = [];
  private chunk: Buffer | null = null;
  private used = CHUNK;
  /** Per message: its chunk, offset in it, and length. */
  private chunkOf = new Uint32Array(1024);
  private offsetOf = new Uint32Array(1024);
  private lengthOf = new Uint32Array(1024);
  private n = 0;

  get length(): number {
    return this.n;
  }

  /**
   * Appends a message of `size` bytes and returns its place in the stream to be written (once,
   * before the next append): the stream holds the bytes written there, no copy.
   */
  append(size: number): Buffer {
    if (size > CHUNK) throw new RangeError(`message of ${size} bytes: larger than a stream chunk (${CHUNK})`);
    if (this.used + size > CHUNK) {
      this.chunk = Buffer.allocUnsafeSlow(CHUNK);
      this.chunks.push(this.chunk);
      this.used = 0;
    }
    if (this.n === this.chunkOf.length) this.grow();
    const at = this.used;
    this.chunkOf[this.n] = this.chunks.length - 1;
    this.offsetOf[this.n] = at;
    this.lengthOf[this.n] = size;
    this.n++;
    this.used += size;
    return this.chunk!.subarray(at, at + size);
  }

  /** Takes back the last append (its message could not be written). */
  dropLast(): void {
    if (this.n === 0) return;
    this.n--;
    this.used = this.offsetOf[this.n];
  }

  /** Appends a copy of `payload`. */
  push(payload: Buffer): void {
    payload.copy(this.append(payload.length));
  }

  /** The message at `index` (0-based): a view of the stream's bytes. */
  at(index: number): Buffer | undefined {
    if (index < 0 || index >= this.n || !Number.isInteger(index)) return undefined;
    const off = this.offsetOf[index];
    return this.chunks[this.chunkOf[index]].subarray(off, off + this.lengthOf[index]);
  }

  private grow(): void {
    const more = (a: Uint32Array) => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.chunkOf = more(this.chunkOf);
    this.offsetOf = more(this.offsetOf);
    this.lengthOf = more(this.lengthOf);
  }
}
