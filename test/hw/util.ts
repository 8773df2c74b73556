/** Shared helpers of the hardware tests. */
import { simAvailable, SIM_LIBRARY } from '../../src/fpga/index.ts';
import { PROBLEM_NAMES } from '../../src/records/layout.ts';
import { readableRecords } from '../helpers/vectors.ts';
import { engineAvailable } from '../helpers/engine.ts';

/**
 * The hardware tests never skip: a missing simulated card (or, for the differential, a
 * missing Rust engine) is a failure with the command that builds it.
 */
export function requireHw(): void {
  if (!simAvailable()) throw new Error(`the simulated card is not built: ${SIM_LIBRARY} is missing (run: npm run build:sim)`);
}
export function requireRust(): void {
  if (!engineAvailable()) throw new Error('the Rust engine is not built (run: npm run build:native)');
}

/** Projects engine stats onto the spec-named fields a vector lists (as test/golden.test.ts). */
export function statsView(stats: object, want: Record<string, unknown>): Record<string, unknown> {
  const s = stats as Record<string, unknown>;
  const got: Record<string, unknown> = {};
  for (const [k, w] of Object.entries(want)) {
    if (k === 'why' || k === 'note') continue;
    const v = s[k];
    if (k === 'byType' && w && typeof w === 'object') {
      if (!Array.isArray(v)) { got[k] = v; continue; }
      got[k] = Object.fromEntries(Object.keys(w).filter((t) => t !== 'why' && t !== 'note')
        .map((t) => [t, Number(v[t.startsWith('0x') ? parseInt(t, 16) : t.charCodeAt(0)])]));
    } else if (k === 'problems' && w && typeof w === 'object') {
      if (!Array.isArray(v)) { got[k] = v; continue; }
      got[k] = Object.fromEntries(Object.keys(w).filter((p) => p !== 'why' && p !== 'note')
        .map((p) => [p, Number(v[PROBLEM_NAMES.indexOf(p as (typeof PROBLEM_NAMES)[number])])]));
    } else {
      got[k] = typeof v === 'bigint' ? Number(v) : v;
    }
  }
  return got;
}

/** The engine stats both engines must agree on, compared field by field. */
const STAT_KEYS = ['messages', 'byType', 'problems', 'unknownRef', 'tableFull', 'flagged', 'tob', 'decisions',
  'accepted', 'rejected', 'fills', 'controls', 'stashInserts', 'ghostInserts', 'untrackedDrops', 'collisionClears',
  'livePeak', 'stashPeak', 'ghostPeak'] as const;

/** Projects engine stats onto STAT_KEYS as plain numbers, so Rust and FPGA stats compare with toEqual. */
export function comparableStats(s: object): Record<string, unknown> {
  const o = s as Record<string, unknown>;
  return Object.fromEntries(STAT_KEYS.map((k) => [k, Array.isArray(o[k]) ? (o[k] as unknown[]).map(Number) : Number(o[k])]));
}

/** First differing record, decoded on both sides, for the failure message. */
export function firstDiff(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length) / 32;
  for (let i = 0; i < n; i++) {
    const x = a.subarray(32 * i, 32 * i + 32), y = b.subarray(32 * i, 32 * i + 32);
    if (!x.equals(y)) return `record ${i}:\n  rust ${JSON.stringify(readableRecords(x)[0])}\n  fpga ${JSON.stringify(readableRecords(y)[0])}`;
  }
  return `lengths differ: rust ${a.length / 32} records, fpga ${b.length / 32}`;
}
