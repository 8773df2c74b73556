/** Shared helpers of the hardware tests. */
import { simAvailable, SIM_LIBRARY } from '../../src/fpga/index.ts';

const PROBLEM_CODES = ['', 'BAD_LENGTH', 'UNKNOWN_TYPE', 'TRUNCATED', 'BAD_CONTROL'];

/**
 * True when the simulated card is built. In CI (CI=true) a missing library is an error,
 * not a skip: `npm run build:sim` is part of the bootstrap there.
 */
export function hwReady(): boolean {
  if (simAvailable()) return true;
  if (process.env.CI === 'true') throw new Error(`hardware tests need ${SIM_LIBRARY} (npm run build:sim)`);
  console.warn(`hardware tests skipped: ${SIM_LIBRARY} not built (npm run build:sim)`);
  return false;
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
        .map((p) => [p, Number(v[PROBLEM_CODES.indexOf(p)])]));
    } else {
      got[k] = typeof v === 'bigint' ? Number(v) : v;
    }
  }
  return got;
}
