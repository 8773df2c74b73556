/**
 * Gives the event loop a turn now and then during a replay that never waits for it otherwise
 * (a gzip file is read from the native ring synchronously): without one, a SIGINT/SIGTERM
 * handler, and with it the abort signal the replay checks between engine calls, would run only
 * after the whole file.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Wall time between two turns: the stop lands within about this long. */
const EVERY_MS = 10;

export class LoopTurns {
  private last = Date.now();

  /** A turn of the event loop when EVERY_MS have passed since the last one (one clock read otherwise). */
  async maybe(): Promise<void> {
    const now = Date.now();
    if (now - this.last < EVERY_MS) return;
    await nextTurn();
    this.last = Date.now();
  }
}
