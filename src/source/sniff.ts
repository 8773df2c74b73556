/**
 * Is this BinaryFILE-framed ITCH 5.0 at all? A text file or random bytes would otherwise be
 * "replayed" as one TRUNCATED message with exit 0. Only the start of the (decompressed) stream
 * is judged — the frames that begin in its first 64 KiB, at most 64 — so a real session with a
 * few bad frames later still replays and reports them as input problems (spec §2, §3.1).
 * A frame is valid when its length is the spec's length for its type byte (or it is an in-band
 * control message). The input is refused when no whole frame is valid, or when most are not.
 */
import { open } from 'node:fs/promises';
import { RiskgateError } from '../errors.ts';
import { expectedLength, isInBand, typeName } from '../itch/layout.ts';
import { isGzip, rawChunks } from './file.ts';

/** Frames judged: those starting in the first WINDOW bytes, at most FRAMES of them. */
export const SNIFF_WINDOW = 64 << 10;
export const SNIFF_FRAMES = 64;
/** Bytes read: the window plus room for the longest frame starting in it. */
const READ = SNIFF_WINDOW + 65537;

export interface SniffResult {
  /** Whole frames looked at (end marker excluded), valid ones, and the first invalid one. */
  frames: number;
  valid: number;
  firstInvalid?: { offset: number; what: string };
  /** Why the input is not ITCH, or undefined when it may be. */
  refusal?: string;
  gzip: boolean;
}

async function head(path: string): Promise<{ buf: Buffer; gzip: boolean; eof: boolean }> {
  const gzip = await isGzip(path);
  if (!gzip) {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(READ);
      const { bytesRead } = await fh.read(buf, 0, READ, 0);
      return { buf: buf.subarray(0, bytesRead), gzip, eof: bytesRead < READ };
    } finally {
      await fh.close();
    }
  }
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of rawChunks(path)) {
    parts.push(c);
    n += c.length;
    if (n >= READ) break;
  }
  const buf = Buffer.concat(parts).subarray(0, READ);
  return { buf, gzip, eof: n < READ };
}

const printable = (b: Buffer) => b.length > 0 && b.every((x) => x === 9 || x === 10 || x === 13 || (x >= 0x20 && x < 0x7f));

/** Judges the framing of a buffer that holds the start of a stream. */
export function sniffFrames(buf: Buffer, eof: boolean): Omit<SniffResult, 'gzip'> {
  let off = 0;
  let frames = 0;
  let valid = 0;
  let firstInvalid: SniffResult['firstInvalid'];
  let cut: { offset: number; what: string } | undefined;
  while (frames < SNIFF_FRAMES && off < SNIFF_WINDOW && off + 2 <= buf.length) {
    const n = buf.readUInt16BE(off);
    if (n === 0) break; // end-of-session marker
    if (off + 2 + n > buf.length) {
      if (eof) cut = { offset: off, what: `a frame of length ${n} but only ${buf.length - off - 2} bytes follow` };
      break;
    }
    const type = buf[off + 2];
    const want = expectedLength(type);
    const control = isInBand(type, n);
    frames++;
    if (control || (want !== 0 && want === n)) valid++;
    else firstInvalid ??= { offset: off, what: want === 0 ? `unknown type byte ${typeName(type)} (length ${n})` : `type ${typeName(type)} with length ${n}, expected ${want}` };
    off += 2 + n;
  }
  let refusal: string | undefined;
  if (frames === 0 && cut) {
    refusal = `at offset ${cut.offset}: ${cut.what}; no whole frame`;
  } else if (frames > 0 && (valid === 0 || valid * 2 < frames)) {
    refusal = `${frames - valid} of the first ${frames} frames do not have the ITCH 5.0 length of their type; the first at offset ${firstInvalid!.offset}: ${firstInvalid!.what}`;
  }
  if (refusal && printable(buf.subarray(0, Math.min(buf.length, 256)))) refusal += ' (it looks like a text file)';
  return { frames, valid, firstInvalid, refusal };
}

export async function sniffInput(path: string): Promise<SniffResult> {
  const { buf, gzip, eof } = await head(path);
  return { ...sniffFrames(buf, eof), gzip };
}

/** Refuses (exit 4, INPUT_UNREADABLE) an input that is not BinaryFILE ITCH 5.0, saying why. */
export async function checkItch(path: string): Promise<void> {
  const r = await sniffInput(path);
  if (r.refusal) {
    throw new RiskgateError('INPUT_UNREADABLE', `${path}: not BinaryFILE-framed ITCH 5.0${r.gzip ? ' (after gunzip)' : ''}: ${r.refusal}`);
  }
}
