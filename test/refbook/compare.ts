/**
 * Runs a session through an engine and checks its top of book against the reference book.
 *
 * The engine's current top per symbol is tracked from its TOB records (§7: a TOB is emitted
 * whenever the tuple changes, so the last one is the current tuple). Its flags, however, are
 * only visible when a TOB is emitted (a flags change alone emits nothing). So:
 *
 *  pass 1 — the whole session in one batch. For every message that touches a subscribed
 *    book (per the reference): with a TOB at that seq, flags 0 ⇒ tuple must equal the
 *    reference, flags ≠ 0 ⇒ excused; without a TOB, an equal tuple passes and an unequal
 *    one becomes a candidate whose flags are unknown;
 *  pass 2 — only if there are candidates: a fresh engine, batches split so that each
 *    candidate is processed alone, with `stats()` before and after it. `unknownRef` +1 ⇒
 *    the engine did not find the order (an order it dropped on a collision): not touched;
 *    `flagged` +1 ⇒ the message left flags ≠ 0: excused; otherwise a mismatch.
 *
 * Batch boundaries never change results (§2), so pass 2 sees the same states as pass 1.
 */
import { decodeMessage } from '../../src/itch/decode.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';
import { RecordKind } from '../../src/records/layout.ts';
import { RecordView } from '../../src/records/view.ts';
import { FullDepthBook as ReferenceBook, sameTop, EMPTY_TOP, type Top } from '../../src/book/full-depth.ts';

export interface CompareEngine {
  process(frames: Buffer, endOfInput?: boolean): Buffer;
  stats(): Record<string, unknown>;
}

export interface Mismatch {
  seq: number;
  why: string;
  message: string;
  symbol: number;
  reference: Top;
  engine: Top;
  flags: number | 'unknown';
}

export interface CompareResult {
  messages: number;
  /** Messages that touched a subscribed book according to the reference. */
  touching: number;
  /** Touching messages where the engine tuple was compared with flags known to be 0 or equal. */
  comparedClean: number;
  /** Touching messages excused because the engine's flags were ≠ 0. */
  excusedFlagged: number;
  /** Touching (per reference) messages the engine did not touch (order it never had). */
  engineUntouched: number;
  candidates: number;
  mismatches: Mismatch[];
  stats: Record<string, unknown>;
  duplicateRefs: number;
}

interface Frame {
  off: number;
  len: number;
  seq: number; // 0 for the control message
}

/** Walks BinaryFILE frames (stops at the end marker or a cut-off frame). */
export function indexFrames(stream: Buffer): Frame[] {
  const out: Frame[] = [];
  for (const c = new FrameCursor(stream); c.next(); ) {
    if (c.kind === FrameKind.END || c.kind === FrameKind.TRUNCATED) break;
    out.push({ off: c.offset, len: c.length, seq: c.kind === FrameKind.CONTROL ? 0 : c.seq });
  }
  return out;
}

function describe(msg: Buffer): string {
  const m = decodeMessage(msg);
  if (!m) return `raw ${msg.subarray(0, 24).toString('hex')}`;
  return JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export function compareWithReference(
  newEngine: () => CompareEngine,
  stream: Buffer,
  symbols: readonly string[],
  maxMismatches = 20,
): CompareResult {
  const frames = indexFrames(stream);
  const eng = newEngine();
  const out = eng.process(stream, true);
  const stats = eng.stats();
  const ref = new ReferenceBook(symbols);
  const engTop: Top[] = symbols.map(() => ({ ...EMPTY_TOP }));
  const res: CompareResult = {
    messages: 0, touching: 0, comparedClean: 0, excusedFlagged: 0, engineUntouched: 0, candidates: 0,
    mismatches: [], stats, duplicateRefs: 0,
  };
  const candidates: { frame: number; sym: number; refTop: Top; engTop: Top }[] = [];
  const rec = new RecordView(out);
  const nrec = rec.count;
  let r = 0;
  const fail = (m: Mismatch) => {
    if (res.mismatches.length < maxMismatches) res.mismatches.push(m);
    else res.mismatches.length++; // keep counting without details
  };

  for (let fi = 0; fi < frames.length; fi++) {
    const f = frames[fi];
    if (f.seq === 0) continue;
    res.messages++;
    const msg = stream.subarray(f.off + 2, f.off + 2 + f.len);
    const sym = ref.apply(msg);
    // The records of this message: skip anything with a smaller seq (CONTROL/PROBLEM of
    // earlier seqs), take the TOB with this seq if there is one.
    let tob: { sym: number; flags: number } | null = null;
    while (r < nrec) {
      rec.at(r);
      const seq = rec.seq;
      if (seq > f.seq) break;
      if (seq === f.seq && rec.kind === RecordKind.TOB) {
        const s = rec.symbol;
        if (tob) fail({ seq: f.seq, why: 'two TOB records for one message', message: describe(msg), symbol: s, reference: EMPTY_TOP, engine: EMPTY_TOP, flags: rec.flags });
        tob = { sym: s, flags: rec.flags };
        engTop[s] = { bidPx: rec.bidPx, bidSz: rec.bidSz, askPx: rec.askPx, askSz: rec.askSz };
      }
      r++;
    }
    if (sym < 0) {
      if (tob) fail({ seq: f.seq, why: 'engine emitted a TOB for a message that touches no subscribed book in the reference', message: describe(msg), symbol: tob.sym, reference: EMPTY_TOP, engine: engTop[tob.sym], flags: tob.flags });
      continue;
    }
    res.touching++;
    const refTop = ref.top(sym);
    if (tob && tob.sym !== sym) {
      fail({ seq: f.seq, why: `engine TOB is for symbol ${tob.sym}, reference touched symbol ${sym}`, message: describe(msg), symbol: sym, reference: refTop, engine: engTop[tob.sym], flags: tob.flags });
      continue;
    }
    if (tob) {
      if (tob.flags !== 0) res.excusedFlagged++;
      else if (sameTop(refTop, engTop[sym])) res.comparedClean++;
      else fail({ seq: f.seq, why: 'top of book differs with flags 0', message: describe(msg), symbol: sym, reference: refTop, engine: { ...engTop[sym] }, flags: 0 });
    } else if (sameTop(refTop, engTop[sym])) {
      res.comparedClean++;
    } else {
      candidates.push({ frame: fi, sym, refTop, engTop: { ...engTop[sym] } });
    }
  }
  res.duplicateRefs = ref.duplicateRefs;
  res.candidates = candidates.length;

  if (candidates.length > 0) {
    const e2 = newEngine();
    let start = 0; // byte offset of the next unprocessed frame
    for (const c of candidates) {
      const f = frames[c.frame];
      if (f.off > start) e2.process(stream.subarray(start, f.off));
      const s0 = e2.stats();
      e2.process(stream.subarray(f.off, f.off + 2 + f.len));
      const s1 = e2.stats();
      start = f.off + 2 + f.len;
      if (Number(s1.unknownRef) > Number(s0.unknownRef)) res.engineUntouched++;
      else if (Number(s1.flagged) > Number(s0.flagged)) res.excusedFlagged++;
      else {
        const msg = stream.subarray(f.off + 2, f.off + 2 + f.len);
        fail({ seq: f.seq, why: 'top of book differs and the message left flags 0 (no TOB emitted)', message: describe(msg), symbol: c.sym, reference: c.refTop, engine: c.engTop, flags: 0 });
      }
    }
  }
  return res;
}

export function formatMismatches(res: CompareResult): string {
  const t = (x: Top) => `bid ${x.bidPx}×${x.bidSz} ask ${x.askPx}×${x.askSz}`;
  return res.mismatches
    .filter(Boolean)
    .map((m) => `seq ${m.seq} sym ${m.symbol}: ${m.why}\n    message   ${m.message}\n    reference ${t(m.reference)}\n    engine    ${t(m.engine)} flags ${m.flags}`)
    .join('\n');
}
