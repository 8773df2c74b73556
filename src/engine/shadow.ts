/**
 * Shadow mode: the Rust core and the Verilog model run on every batch and their records are
 * compared as they go. The first divergence stops trading (fail closed): the run ends with
 * the seq, both records decoded, and the input message that produced them.
 */
import { RiskgateError } from '../errors.ts';
import { frameOffsetOfSeq } from '../itch/framing.ts';
import { CONTROL_LENGTH, CONTROL_TYPE, typeName } from '../itch/layout.ts';
import { decodeRecord, formatRecord } from '../records/decode.ts';
import { RECORD_SIZE } from '../records/layout.ts';
import type { Engine, EngineStats } from './types.ts';

/** Describes the first differing record of two record buffers, or null when equal. */
export function firstDivergence(a: Buffer, b: Buffer, symbols?: readonly string[]): { index: number; seq: number; left: string; right: string } | null {
  if (a.equals(b)) return null;
  const n = Math.max(a.length, b.length) / RECORD_SIZE;
  for (let i = 0; i < n; i++) {
    const off = i * RECORD_SIZE;
    const ra = a.subarray(off, off + RECORD_SIZE);
    const rb = b.subarray(off, off + RECORD_SIZE);
    if (ra.equals(rb)) continue;
    const show = (r: Buffer) => (r.length === RECORD_SIZE ? formatRecord(decodeRecord(r), symbols).trim() : '(no record)');
    const seq = (ra.length === RECORD_SIZE ? ra : rb).readUIntLE(4, 6);
    return { index: i, seq, left: show(ra), right: show(rb) };
  }
  return null;
}

/** Symbol names from a config blob (spec §10: 8-byte names at 64 + 48 i). */
export function symbolNamesOfBlob(blob: Buffer): string[] {
  const n = blob.length >= 8 ? blob[6] : 0;
  const out: string[] = [];
  for (let i = 0; i < n && 64 + 48 * i + 8 <= blob.length; i++) out.push(blob.toString('latin1', 64 + 48 * i, 72 + 48 * i).trimEnd());
  return out;
}

/** Frames of a batch that take a seq (all but well-sized control messages, spec §2). */
function seqFrames(frames: Buffer): number {
  let n = 0;
  let off = 0;
  while (off + 2 <= frames.length) {
    const len = frames.readUInt16BE(off);
    if (!(len === CONTROL_LENGTH && frames[off + 2] === CONTROL_TYPE)) n++;
    off += 2 + len;
  }
  return n + (off < frames.length ? 1 : 0); // a stray trailing byte is a TRUNCATED frame
}

/** The input message that took `seq`, given the seq of the batch's first message. */
function frameOfSeq(frames: Buffer, firstSeq: number, seq: number): Buffer | null {
  const off = frameOffsetOfSeq(frames, firstSeq, seq);
  if (off < 0) return null;
  return frames.subarray(off + 2, Math.min(frames.length, off + 2 + frames.readUInt16BE(off)));
}

export class ShadowEngine implements Engine {
  readonly backend = 'shadow';
  divergence: string | null = null;

  constructor(
    readonly primary: Engine,
    readonly shadow: Engine,
    /** Symbol names by index, for readable divergence reports. */
    readonly symbols?: readonly string[],
  ) {}

  process(frames: Buffer, endOfInput = false): Buffer {
    if (this.divergence) throw new RiskgateError('FAIL_CLOSED', `shadow mode stopped trading earlier: ${this.divergence}`);
    const a = this.primary.process(frames, endOfInput);
    const b = this.shadow.process(frames, endOfInput);
    const d = firstDivergence(a, b, this.symbols);
    if (!d) return a;
    // Only now, off the hot path: the seq of the batch's first message.
    const firstSeq = this.primary.stats().messages - seqFrames(frames) + 1;
    const msg = frameOfSeq(frames, firstSeq, d.seq);
    const input = msg
      ? `type ${typeName(msg[0])}, ${msg.length} bytes: ${msg.toString('hex').replace(/(..)/g, '$1 ').trim()}`
      : '(not in this batch)';
    this.divergence =
      `engines diverged at seq ${d.seq} (record ${d.index} of the batch)\n` +
      `  ${this.primary.backend.padEnd(6)}: ${d.left}\n` +
      `  ${this.shadow.backend.padEnd(6)}: ${d.right}\n` +
      `  input : ${input}`;
    throw new RiskgateError('FAIL_CLOSED', `shadow divergence — trading stopped (fail closed): ${this.divergence}`);
  }

  stats(): EngineStats {
    return this.primary.stats();
  }
  reset(): void {
    this.divergence = null;
    this.primary.reset();
    this.shadow.reset();
  }
  close(): void {
    this.primary.close();
    this.shadow.close();
  }
}
