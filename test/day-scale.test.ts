/**
 * Real-day scale (issue 9), on the Rust core against the independent full-depth reference
 * book (test/refbook):
 * - a session of the default generator with 40 subscribed symbols and 2M messages (the load
 *   at which the old 2^14-set table flagged 31.6% of top-of-book rows), and
 * - a generated real-profile day (`gen --profile day`: 8,900 directory symbols, the 64
 *   busiest subscribed),
 * must each have at most 0.1% of their top-of-book rows flagged, and no top of book that
 * differs from the reference wherever the engine says it is exact (flags 0). Since every
 * flags change emits a row (spec §7), a flagged book is visible in the rows themselves.
 *
 * The day profile's bound applies to the regular session (09:30–16:00): before the open a
 * generated day's books are thin, and a side whose only orders are market makers' stub
 * quotes far outside the price window is rightly flagged BAND (2M messages spread over a
 * whole day leave many such pre-market rows: ~0.8% of the day's rows here, all BAND; on the
 * 50M-message day of `npm run bench:replay` the whole day is at ~0.01%). Outside the
 * regular session only BAND flags are allowed: never COLLISION.
 */
import { describe, expect, it } from 'vitest';
import { configBlob, configForSymbols, loadConfig, parseConfig, type Config } from '../src/config/index.ts';
import { generateSessionBuffer } from '../src/gen/index.ts';
import { generateDayBuffer } from '../src/gen/day/write.ts';
import { Flag, RecordKind } from '../src/records/layout.ts';
import { RecordView } from '../src/records/view.ts';
import { newEngine } from './helpers/engine.ts';
import { compareWithReference, formatMismatches, type CompareResult } from './refbook/compare.ts';

const MAX_FLAGGED_ROWS = 0.001;

const OPEN_NS = 34_200e9;
const CLOSE_NS = 57_600e9;

interface Rows { rows: number; flagged: number; collision: number }

/** TOB rows and how many carry any flag (and COLLISION), in the regular session and outside it. */
function tobRows(records: Buffer): { day: Rows; regular: Rows; outside: Rows } {
  const z = (): Rows => ({ rows: 0, flagged: 0, collision: 0 });
  const day = z(), regular = z(), outside = z();
  for (const r = new RecordView(records); r.next(); ) {
    if (r.kind !== RecordKind.TOB) continue;
    const ts = Number(r.ts);
    for (const c of [day, ts >= OPEN_NS && ts < CLOSE_NS ? regular : outside]) {
      c.rows++;
      if (r.flags !== 0) c.flagged++;
      if (r.flags & Flag.COLLISION) c.collision++;
    }
  }
  return { day, regular, outside };
}

const pct = (c: Rows) => `${c.flagged} of ${c.rows} (${((100 * c.flagged) / Math.max(1, c.rows)).toFixed(4)}%)`;

function checkAgainstReference(name: string, cfg: Config, stream: Buffer, scope: 'day' | 'regular'): void {
  const blob = configBlob(cfg);
  const names = cfg.symbols.map((s) => s.symbol);
  const e = newEngine(blob);
  const records = e.process(stream, true);
  const stats = e.stats();
  e.close();
  const t = tobRows(records);
  const r: CompareResult = compareWithReference(() => newEngine(blob), stream, names);
  const bounded = t[scope];
  console.log(`[day-scale] ${name}: ${r.messages} messages; TOB rows flagged: whole day ${pct(t.day)}, 09:30-16:00 ${pct(t.regular)}, ` +
    `outside ${pct(t.outside)} (${t.outside.collision} COLLISION); ` +
    `order table: live peak ${stats.livePeak}, stash inserts ${stats.stashInserts}, ghosts ${stats.ghostInserts}, untracked ${stats.untrackedDrops}; ` +
    `reference: compared clean ${r.comparedClean} of ${r.touching} touching, mismatches ${r.mismatches.length}`);
  if (r.mismatches.length > 0) expect.fail(`${name}: ${r.mismatches.length} top-of-book mismatches with flags 0:\n${formatMismatches(r)}`);
  expect(r.duplicateRefs, 'the generator reused a live ref').toBe(0);
  expect(bounded.rows).toBeGreaterThan(r.messages / 10);
  expect(bounded.flagged / bounded.rows, `${scope}: ${pct(bounded)} TOB rows flagged`).toBeLessThanOrEqual(MAX_FLAGGED_ROWS);
  expect(t.day.collision, 'TOB rows flagged COLLISION').toBeLessThanOrEqual(MAX_FLAGGED_ROWS * t.day.rows);
  expect(Number(stats.untrackedDrops), 'orders dropped by the order table').toBe(0);
}

describe('real-day scale: flagged top-of-book rows ≤ 0.1% and the reference book agrees wherever flags are 0', () => {
  it('default generator, 40 subscribed symbols, 2M messages', () => {
    const base = loadConfig();
    const names = base.symbols.map((s) => s.symbol);
    // 32 more subscribed names (limits from symbolDefaults), none a name the generator invents.
    for (let i = 0; names.length < 40; i++) names.push(`ZQ${String.fromCharCode(65 + (i >> 4))}${String.fromCharCode(65 + (i & 15))}`);
    const cfg = configForSymbols(base, names);
    const stream = generateSessionBuffer({ seed: 4040, symbols: 40, messages: 2_000_000, config: cfg, controlMessages: false });
    checkAgainstReference('src/gen 40 symbols 2M', cfg, stream, 'day');
  }, 600_000);

  it('generated real-profile day: 8,900 directory symbols, the 64 busiest subscribed, 2M messages (bound on 09:30-16:00)', () => {
    const { buf, gen } = generateDayBuffer({ seed: 64, messages: 2_000_000 });
    const cfg = parseConfig(gen.config(), 'gen --profile day (seed 64)');
    expect(cfg.symbols.length).toBe(64);
    checkAgainstReference('day profile 2M', cfg, buf, 'regular');
  }, 600_000);
});
