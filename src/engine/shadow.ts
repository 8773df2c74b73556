/**
 * Shadow mode: the Rust core and the Verilog model run on every batch and their records are
 * compared as they go. The first divergence stops trading (fail closed): the run ends with
 * the seq, both records decoded, and the input message that produced them.
 */
import { RiskgateError } from '../errors.ts';
import { CONFIG } from '../contract.ts';
import { countSeqFrames, FrameCursor, FrameKind } from '../itch/framing.ts';
import { typeName } from '../itch/layout.ts';
import { decodeRecord, formatRecord } from '../records/decode.ts';
import { RECORD_SIZE } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';
import type { Engine, EngineStats } from './types.ts';

/** A symbol's `name` field (spec §10, bytes8). */
const SYMBOL_NAME_BYTES = 8;

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
    const seq = new RecordView(ra.length === RECORD_SIZE ? ra : rb).at(0).seq;
    return { index: i, seq, left: show(ra), right: show(rb) };
  }
  return null;
}

/** Symbol names from a config blob (spec §10: the `name` of each symbol entry, space padded). */
export function symbolNamesOfBlob(blob: Buffer): string[] {
  const n = blob.length > CONFIG.header.n_symbols ? blob[CONFIG.header.n_symbols] : 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = CONFIG.headerSize + CONFIG.symbolEntrySize * i + CONFIG.symbol.name;
    if (at + SYMBOL_NAME_BYTES > blob.length) break;
    out.push(blob.toString('latin1', at, at + SYMBOL_NAME_BYTES).trimEnd());
  }
  return out;
}

/** The input frame at `seq` (a control message before it included), given the seq of the batch's first message. */
function frameOfSeq(frames: Buffer, firstSeq: number, seq: number): Buffer | null {
  const c = new FrameCursor(frames, firstSeq);
  while (c.next()) if (c.kind !== FrameKind.END && c.seq === seq) return c.body();
  return null;
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
    const firstSeq = this.primary.stats().messages - countSeqFrames(frames) + 1;
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
