/**
 * Golden vectors (test/vectors/*.json): short sessions whose records were computed by hand
 * from docs/spec.md. Each vector runs through the Rust engine (N-API) and must produce exactly
 * the expected records; a mismatch prints a line diff of readable records.
 *
 * Also checked per vector: the config blob equals an independent spec §10 encoding, records
 * carry version 1 and zero reserved bytes, results do not depend on batch boundaries (one
 * frame per call), `reset()` restores the start-of-day state, and the listed stats.
 */
import { describe, expect, it } from 'vitest';
import { engineAvailable, configFromJson, newEngine, specBlob } from './helpers/engine.ts';
import {
  blobFingerprintOf, loadVectors, readableRecords, recordDiff, recordEncodingErrors, specFingerprint, stripDocs, vectorConfigJson, vectorFrames,
  type Vector,
} from './helpers/vectors.ts';
import { CONTROL_OP_NAMES, MESSAGE_LENGTH, typeName } from '../src/itch/layout.ts';
import { decodeRecords, flagNames, isControlProblem, problemName, reasonNames, controlOpName } from '../src/records/decode.ts';
import { FLAG_NAMES, NO_SYMBOL, PROBLEM_NAMES, REASON_NAMES, RECORD_SIZE } from '../src/records/layout.ts';
import { formatPrice } from '../src/itch/decode.ts';

const vectors = loadVectors();
const haveEngine = engineAvailable();

const FIELDS: Record<string, string[]> = {
  TOB: ['kind', 'seq', 'ts', 'symbol', 'flags', 'bidPx', 'bidSz', 'askPx', 'askSz'],
  DECISION: ['kind', 'seq', 'ts', 'symbol', 'side', 'price', 'qty', 'reasons', 'accepted', 'account', 'accountId'],
  FILL: ['kind', 'seq', 'ts', 'symbol', 'side', 'price', 'qty', 'position', 'leg', 'account'],
  CONTROL: ['kind', 'seq', 'ts', 'symbol', 'op', 'target', 'value'],
  ORDER: ['kind', 'seq', 'ts', 'symbol', 'action', 'side', 'price', 'qty', 'reasons', 'account', 'orderId'],
  PROBLEM: ['kind', 'seq', 'ts', 'symbol', 'code', 'type', 'frameLength', 'expectedLength'],
  // a refused control message's PROBLEM also names its op and target (spec §11)
  CONTROL_PROBLEM: ['kind', 'seq', 'ts', 'symbol', 'code', 'type', 'frameLength', 'expectedLength', 'op', 'target'],
};

/** Runs the whole stream in one call with end-of-input. */
function runWhole(v: Vector, blob: Buffer) {
  const eng = newEngine(blob);
  const { stream } = vectorFrames(v, blobFingerprintOf(blob));
  const out = eng.process(stream, true);
  return { eng, out, stream };
}

/** Maps spec-named expected stats onto the engine's stats object, for the listed fields only. */
function statsView(stats: Record<string, unknown>, want: Record<string, unknown>): Record<string, unknown> {
  const got: Record<string, unknown> = {};
  for (const [k, w] of Object.entries(want)) {
    if (k === 'why' || k === 'note') continue;
    const s = stats[k];
    if (k === 'byType' && w && typeof w === 'object') {
      const arr = s as ArrayLike<number>;
      got[k] = Object.fromEntries(Object.keys(w).map((t) => [t, Number(arr[t.startsWith('0x') ? parseInt(t, 16) : t.charCodeAt(0)])]));
    } else if (k === 'problems' && w && typeof w === 'object') {
      const arr = s as ArrayLike<number>;
      got[k] = Object.fromEntries(Object.keys(w).map((p) => [p, Number(arr[PROBLEM_NAMES.indexOf(p as (typeof PROBLEM_NAMES)[number])])]));
    } else {
      got[k] = typeof s === 'bigint' ? Number(s) : s;
    }
  }
  return got;
}

/** src/records/decode.ts output in the vectors' readable shape (to check that decoder too). */
function viaProjectDecoder(out: Buffer): Record<string, unknown>[] {
  return decodeRecords(out).map((r) => {
    const head = { kind: r.kind, seq: r.seq, ts: r.ts, symbol: r.symbol === NO_SYMBOL ? null : r.symbol };
    switch (r.kind) {
      case 'TOB':
        return { ...head, flags: flagNames(r.flags), bidPx: formatPrice(r.bidPx), bidSz: r.bidSz, askPx: formatPrice(r.askPx), askSz: r.askSz };
      case 'DECISION':
        return { ...head, side: r.side, price: formatPrice(r.price), qty: r.qty, reasons: reasonNames(r.reasons), accepted: r.accepted, account: r.account, accountId: r.accountId };
      case 'FILL':
        return { ...head, side: r.side, price: formatPrice(r.price), qty: r.qty, position: r.positionAfter, leg: r.leg, account: r.account };
      case 'CONTROL':
        return { ...head, op: controlOpName(r.op), target: r.target, value: r.value.toString() };
      case 'ORDER':
        return { ...head, action: r.action, side: r.side, price: formatPrice(r.price), qty: r.qty, reasons: reasonNames(r.reasons), account: r.account, orderId: r.orderId };
      case 'PROBLEM':
        return {
          ...head, code: problemName(r.code), type: typeName(r.type), frameLength: r.length, expectedLength: r.expectedLength,
          ...(isControlProblem(r.code) ? { op: controlOpName(r.op), target: r.target } : {}),
        };
      default:
        return { ...head };
    }
  });
}

function stripDocsDeep(o: Record<string, unknown>): Record<string, unknown> {
  const out = stripDocs(o);
  for (const [k, v] of Object.entries(out)) if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = stripDocs(v as Record<string, unknown>);
  return out;
}

describe('golden vectors: well-formed', () => {
  it('there are vectors', () => {
    expect(vectors.length).toBeGreaterThan(10);
  });
  for (const v of vectors) {
    it(`${v.file}: config valid, blob matches spec §10, input encodes, expectations complete`, () => {
      const { cfg, blob } = configFromJson(vectorConfigJson(v), v.file);
      expect(blob.equals(specBlob(cfg)), 'configBlob differs from the spec §10 re-encoding').toBe(true);
      expect(blobFingerprintOf(blob), 'the blob carries the spec §10 fingerprint').toBe(specFingerprint(blob));
      const { frames } = vectorFrames(v, blobFingerprintOf(blob));
      expect(frames.length).toBe(v.input.length + (v.endMarker ? 1 : 0));
      expect(v.input.length).toBeLessThanOrEqual(60);
      for (const r of v.expected) {
        const controlProblem = r.kind === 'PROBLEM' && (r.code === 'BAD_CONTROL' || r.code === 'FOREIGN_CONTROL');
        const fields = FIELDS[controlProblem ? 'CONTROL_PROBLEM' : String(r.kind)];
        expect(fields, `unknown kind in ${JSON.stringify(r)}`).toBeDefined();
        expect(Object.keys(stripDocs(r)).sort(), `fields of ${JSON.stringify(r)}`).toEqual([...fields].sort());
      }
    });
  }
});

describe('golden vectors: coverage of the spec', () => {
  const types = new Set<string>();
  const reasons = new Set<string>();
  const flags = new Set<string>();
  const problems = new Set<string>();
  const ops = new Set<string>();
  for (const v of vectors) {
    for (const m of v.input) if (typeof m.type === 'string') types.add(m.type);
    for (const r of v.expected) {
      if (r.kind === 'DECISION' || r.kind === 'ORDER') for (const x of r.reasons as string[]) reasons.add(x);
      if (r.kind === 'TOB') for (const x of r.flags as string[]) flags.add(x);
      if (r.kind === 'PROBLEM') problems.add(String(r.code));
      if (r.kind === 'CONTROL') ops.add(String(r.op));
    }
  }
  it('every message type (handled and skipped) appears in some input', () => {
    expect(Object.keys(MESSAGE_LENGTH).filter((t) => !types.has(t))).toEqual([]);
  });
  it('every reject reason, flag, problem code and control op appears in some expectation', () => {
    expect(REASON_NAMES.filter((x) => !reasons.has(x))).toEqual([]);
    expect(FLAG_NAMES.filter((x) => !flags.has(x))).toEqual([]);
    expect(PROBLEM_NAMES.slice(1).filter((x) => !problems.has(x))).toEqual([]);
    expect(CONTROL_OP_NAMES.filter((x) => x && !ops.has(x))).toEqual([]);
  });
});

describe('golden vectors: Rust engine', () => {
  it('the native engine is built (npm run build:native)', () => {
    expect(haveEngine).toBe(true);
  });
  for (const v of vectors) {
    describe(v.file, () => {
      const { blob } = configFromJson(vectorConfigJson(v), v.file);

      it(`records match the hand computation (${v.name})`, () => {
        const { out } = runWhole(v, blob);
        const actual = readableRecords(out);
        const diff = recordDiff(v.expected, actual);
        if (diff) expect.fail(`${v.file}: engine records differ from the hand computation\n${diff}`);
        const enc: string[] = [];
        for (let off = 0; off < out.length; off += RECORD_SIZE) for (const e of recordEncodingErrors(out, off)) enc.push(`record ${off / RECORD_SIZE}: ${e}`);
        expect(enc).toEqual([]);
        // The project's record decoder (src/records) reads the same bytes the same way.
        expect(viaProjectDecoder(out)).toEqual(actual);
      });

      if (v.noSplit !== true) it('one frame per batch gives the same bytes', () => {
        const { out } = runWhole(v, blob);
        const eng = newEngine(blob);
        const { frames } = vectorFrames(v, blobFingerprintOf(blob));
        const parts = frames.map((f, i) => eng.process(f, i === frames.length - 1));
        expect(Buffer.concat(parts).equals(out)).toBe(true);
      });

      it('reset() restores the start-of-day state', () => {
        const { eng, out, stream } = runWhole(v, blob);
        eng.reset();
        expect(eng.process(stream, true).equals(out)).toBe(true);
      });

      if (v.stats) it('stats', () => {
        const { eng } = runWhole(v, blob);
        const want = stripDocsDeep(v.stats ?? {});
        expect(statsView(eng.stats(), want)).toEqual(want);
      });
    });
  }
});


