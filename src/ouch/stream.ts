/**
 * A session's sequenced stream (spec §16.2: every message it was sent, kept for the day so a
 * login can replay from any sequence number), held in a ByteLog (large off-heap chunks, the offsets
 * in typed arrays) — not one Buffer object per message. A Buffer per message put two
 * or three new long-lived objects on the JavaScript heap for every order; each young-generation
 * GC copied them (twice, before promoting them), which at 50k orders/s was most of the
 * gateway's 13% of CPU in GC and its 4–12 ms pauses every 40–60 ms (issue 13).
 */

import { ByteLog } from './byte-log.ts';

/** What a replay reads: an array of Buffers is one too. */
export interface SequencedMessages {
  readonly length: number;
  at(index: number): Buffer | undefined;
}

export class MessageStream implements SequencedMessages {
  private readonly log = new ByteLog();

  get length(): number {
    return this.log.length;
  }

  /**
   * Appends a message of `size` bytes and returns its place in the stream to be written (once,
   * before the next append): the stream holds the bytes written there, no copy.
   */
  append(size: number): Buffer {
    return this.log.append(size);
  }

  /** `append` without a view: the message's offset in `chunk` (write it there before the next append). */
  appendAt(size: number): number {
    return this.log.appendAt(size);
  }

  /** The bytes the last append went into (see appendAt). */
  get chunk(): Buffer {
    return this.log.last;
  }

  /** Takes back the last append (its message could not be written). */
  dropLast(): void {
    this.log.dropLast();
  }

  /** Appends a copy of `payload`. */
  push(payload: Buffer): void {
    this.log.push(payload);
  }

  /** The message at `index` (0-based): a view of the stream's bytes; undefined past either end. */
  at(index: number): Buffer | undefined {
    return index >= 0 && index < this.log.length && Number.isInteger(index) ? this.log.at(index) : undefined;
  }
}
