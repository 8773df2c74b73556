import type { SequencedMessages } from './stream.ts';

/**
 * Replay of a session's sequenced stream on login (spec §16.2), with back-pressure: it sends
 * from the requested message to the end of the stream — including messages appended while
 * it runs — and waits for the transport to drain whenever more than `highWater` bytes are
 * unsent, so a long replay never buffers without bound.
 */
export interface ReplayTransport {
  /** Still logged in (a replay stops when the connection ends). */
  open(): boolean;
  send(payload: Buffer): void;
  /** Bytes written but not yet handed to the network. */
  unsent(): number;
  /** Resolves when the unsent bytes have drained, or the connection closed. */
  drained(): Promise<void>;
}

/** Sends `stream[from..]`; returns the index it reached (the stream's length unless closed). */
export async function replayStream(stream: SequencedMessages, from: number, t: ReplayTransport, highWater: number): Promise<number> {
  let i = from;
  for (; i < stream.length; i++) {
    if (!t.open()) return i;
    t.send(stream.at(i)!);
    if (t.unsent() > highWater) await t.drained();
  }
  return i;
}
