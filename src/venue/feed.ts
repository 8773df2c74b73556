/**
 * Replays a recorded session (.itch or .itch.gz, src/source/file.ts) into the venue, one
 * message at a time, as fast as possible or at the file's timestamps × speed, and can stop
 * at a given message and go on later (`advance`). Between messages the event loop runs, so
 * the venue answers its clients while the session plays (every 1,024 messages at full speed).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isInBand } from '../itch/layout.ts';
import { readBatches } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';

export interface MessageSink {
  apply(msg: Buffer): void;
}

/** 'max': as fast as possible; a number: the file's timestamps × that speed (1 = real time). */
export type Pace = 'max' | number;

export interface FeedPosition {
  /** seq of the last message applied (0: none yet). */
  seq: number;
  /** True once the whole session is applied. */
  ended: boolean;
}

const YIELD_EVERY = 1024;
/** Paced replay sleeps only when it is this far ahead of the file's clock, ms. */
const SLEEP_MIN_MS = 1;
const TS_OFF = 5;
const TS_LEN = 6;

async function* messages(file: string, problems: ProblemLog): AsyncGenerator<Buffer> {
  for await (const b of readBatches(file, { problems, batchFrames: 4096 })) {
    const f = b.frames;
    let off = 0;
    while (off + 2 <= f.length) {
      const n = f.readUInt16BE(off);
      const msg = f.subarray(off + 2, off + 2 + n);
      off += 2 + n;
      // riskgate's in-band frames (control, order entry) take no seq and mean nothing to a venue.
      if (isInBand(msg[0], n)) continue;
      yield msg;
    }
  }
}

export class FeedReplay {
  readonly problems = new ProblemLog();
  private readonly source: AsyncGenerator<Buffer>;
  private pos: FeedPosition = { seq: 0, ended: false };
  private busy = false;
  private stopped = false;

  constructor(
    file: string,
    private readonly sink: MessageSink,
    private readonly pace: Pace = 'max',
  ) {
    if (pace !== 'max' && !(pace > 0)) throw new RangeError(`pace must be 'max' or a positive speed, got ${pace}`);
    this.source = messages(file, this.problems);
  }

  position(): FeedPosition {
    return { ...this.pos };
  }

  /** Ends an advance under way after its current message (SIGINT). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Applies messages until `toSeq` is applied (omitted: to the end of the session) and
   * returns where it stopped. One advance at a time.
   */
  async advance(toSeq = Infinity): Promise<FeedPosition> {
    if (this.busy) throw new Error('FeedReplay: an advance is already under way');
    this.busy = true;
    this.stopped = false;
    try {
      let startMs = 0;
      let firstTs = -1n;
      let sinceYield = 0;
      while (this.pos.seq < toSeq && !this.pos.ended && !this.stopped) {
        const next = await this.source.next();
        if (next.done) {
          this.pos.ended = true;
          break;
        }
        const msg = next.value;
        if (this.pace !== 'max' && msg.length >= TS_OFF + TS_LEN) {
          const ts = BigInt(msg.readUIntBE(TS_OFF, TS_LEN));
          if (firstTs < 0n) {
            firstTs = ts;
            startMs = performance.now();
          }
          const dueMs = startMs + Number(ts - firstTs) / 1e6 / this.pace;
          const ahead = dueMs - performance.now();
          if (ahead >= SLEEP_MIN_MS) {
            await new Promise((r) => setTimeout(r, ahead));
            sinceYield = 0;
          }
        }
        this.sink.apply(msg);
        this.pos.seq++;
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await yieldToLoop();
        }
      }
      return this.position();
    } finally {
      this.busy = false;
    }
  }
}
