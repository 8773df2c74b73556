/**
 * Writes messages as BinaryFILE frames (2-byte big-endian length + message) into fixed-size
 * chunks, counts them (seq, types, control ops) and hashes the byte stream. Completed chunks
 * are queued for the caller, so a session of any length is written in bounded memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { CONTROL_TYPE } from '../itch/layout.ts';

export const CHUNK_BYTES = 1 << 20;

export class FrameSink {
  /** Framed messages written (the engine's seq of the last one); control messages excluded. */
  seq = 0;
  controls = 0;
  bytes = 0;
  readonly byType = new Float64Array(256);
  readonly byControlOp = new Float64Array(16);
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly ready: Buffer[] = [];
  private readonly hash: Hash = createHash('sha256');
  private ended = false;

  put(msg: Buffer): void {
    const n = msg.length;
    if (n === 0 || n > 0xffff) throw new Error(`generator bug: message of ${n} bytes`);
    if (this.ended) throw new Error('generator bug: message after the end marker');
    if (this.pos + n + 2 > CHUNK_BYTES) this.flush();
    const c = this.chunk;
    c[this.pos] = n >>> 8;
    c[this.pos + 1] = n & 0xff;
    msg.copy(c, this.pos + 2);
    this.pos += n + 2;
    const t = msg[0];
    if (t === CONTROL_TYPE) {
      this.controls++;
      this.byControlOp[msg[1] & 15]++;
    } else {
      this.seq++;
      this.byType[t]++;
    }
  }

  /**
   * Starts a message of `n` bytes whose type byte is `type` (not a control message), to be
   * written in place: writes the length prefix and the type byte, counts the message, and
   * returns the offset of its first byte in `buf`. The caller writes bytes 1..n-1 before the
   * next call (the chunk is not zeroed).
   */
  open(n: number, type: number): number {
    if (n === 0 || n > 0xffff || type === CONTROL_TYPE) throw new Error(`generator bug: in-place message of ${n} bytes, type ${type}`);
    if (this.ended) throw new Error('generator bug: message after the end marker');
    if (this.pos + n + 2 > CHUNK_BYTES) this.flush();
    const c = this.chunk;
    const at = this.pos + 2;
    c[this.pos] = n >>> 8;
    c[this.pos + 1] = n & 0xff;
    c[at] = type;
    this.pos = at + n;
    this.seq++;
    this.byType[type]++;
    return at;
  }

  /** The chunk `open` writes into (valid until the next `open`, `put` or `end`). */
  get buf(): Buffer {
    return this.chunk;
  }

  /** Appends the zero-length end-of-session marker and flushes. */
  end(): void {
    if (this.pos + 2 > CHUNK_BYTES) this.flush();
    this.chunk[this.pos] = 0;
    this.chunk[this.pos + 1] = 0;
    this.pos += 2;
    this.ended = true;
    this.flush();
  }

  private flush(): void {
    if (this.pos === 0) return;
    const out = this.chunk.subarray(0, this.pos);
    this.hash.update(out);
    this.bytes += this.pos;
    this.ready.push(out);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
  }

  /** Takes the next completed chunk, if any. */
  take(): Buffer | undefined {
    return this.ready.shift();
  }
  get hasChunk(): boolean {
    return this.ready.length > 0;
  }
  /** SHA-256 of the whole stream; only after `end()`. */
  digest(): string {
    if (!this.ended) throw new Error('digest before end');
    return this.hash.digest('hex');
  }
}
