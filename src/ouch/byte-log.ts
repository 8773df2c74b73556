/**
 * An append-only log of byte entries kept for the day — a session's sequenced stream
 * (`MessageStream`) and the order-entry engine's merged input and records: the bytes in large
 * off-heap chunks, each entry's place in typed arrays, not a Buffer object per entry kept
 * alive for the day. At 20k–50k orders/s there were several such long-lived objects per order,
 * which each young-generation GC copied and the old-generation GC kept marking (issue 13).
 * Entries are views of the log's bytes, which are never written again once appended.
 */

/** Bytes per chunk; an entry larger than this gets a chunk of its own. */
const CHUNK = 1 << 20;

/** Copies up to this many bytes go byte by byte (push). */
const SMALL_COPY = 512;

export class ByteLog {
  private readonly chunks: Buffer[] = [];
  /** Bytes used in each chunk. */
  private readonly used: number[] = [];
  /** Per entry: its chunk, offset in it, and length. */
  private chunkOf = new Uint32Array(1024);
  private offsetOf = new Uint32Array(1024);
  private lengthOf = new Uint32Array(1024);
  private n = 0;
  private bytes = 0;
  /** The chunk the last entry went into (see appendAt). */
  last: Buffer = Buffer.alloc(0);

  /** Entries appended. */
  get length(): number {
    return this.n;
  }

  /** Bytes appended. */
  get byteLength(): number {
    return this.bytes;
  }

  /**
   * Appends an entry of `size` bytes and returns its place to be written (once, before the
   * bytes are read back): the log holds the bytes written there, no copy.
   */
  append(size: number): Buffer {
    const at = this.appendAt(size);
    return this.last.subarray(at, at + size);
  }

  /**
   * `append` without a view: the entry's offset in `last` (the chunk it is in), to be written
   * there before the next append — no Buffer object per entry (issue 13).
   */
  appendAt(size: number): number {
    let c = this.chunks.length - 1;
    if (c < 0 || this.used[c] + size > this.chunks[c].length) {
      // Bytes stay in append order: a big entry's own chunk is full, the next entry opens a new one.
      this.chunks.push(Buffer.allocUnsafeSlow(Math.max(CHUNK, size)));
      this.used.push(0);
      c++;
      this.last = this.chunks[c];
    }
    if (this.n === this.chunkOf.length) this.grow();
    const at = this.used[c];
    this.chunkOf[this.n] = c;
    this.offsetOf[this.n] = at;
    this.lengthOf[this.n] = size;
    this.n++;
    this.used[c] = at + size;
    this.bytes += size;
    return at;
  }

  /**
   * Takes back the last entry (its bytes could not be written: a frame whose field does not
   * fit), so that nothing unwritten stays in the log. Its chunk's bytes are reused.
   */
  dropLast(): void {
    if (this.n === 0) return;
    this.n--;
    const c = this.chunkOf[this.n];
    this.used[c] = this.offsetOf[this.n];
    this.bytes -= this.lengthOf[this.n];
  }

  /** Appends a copy of `bytes`; returns the log's copy. */
  push(bytes: Buffer): Buffer {
    const to = this.append(bytes.length);
    // A few records (an order batch's): a byte loop; Buffer#copy's JavaScript wrapper costs more (issue 13 profile).
    if (bytes.length <= SMALL_COPY) for (let i = 0; i < bytes.length; i++) to[i] = bytes[i];
    else bytes.copy(to);
    return to;
  }

  /** The entry at `index` (0-based): a view of the log's bytes. */
  at(index: number): Buffer {
    if (index < 0 || index >= this.n || !Number.isInteger(index)) throw new RangeError(`entry ${index} of ${this.n}`);
    const off = this.offsetOf[index];
    return this.chunks[this.chunkOf[index]].subarray(off, off + this.lengthOf[index]);
  }

  /** Every entry's bytes, in order, as one buffer. */
  concat(): Buffer {
    const out = Buffer.allocUnsafe(this.bytes);
    let at = 0;
    for (let c = 0; c < this.chunks.length; c++) at += this.chunks[c].copy(out, at, 0, this.used[c]);
    return out;
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
