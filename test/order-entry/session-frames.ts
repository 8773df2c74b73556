/** A recorded session (§2 framing: u16 length + message, ended by a 0 length) cut into its frames, each with its length prefix. */
import { readFileSync } from 'node:fs';

export function sessionFrames(file: string): Buffer[] {
  const buf = readFileSync(file);
  const frames: Buffer[] = [];
  for (let off = 0; off + 2 <= buf.length; ) {
    const n = buf.readUInt16BE(off);
    if (n === 0) break;
    frames.push(buf.subarray(off, off + 2 + n));
    off += 2 + n;
  }
  return frames;
}
