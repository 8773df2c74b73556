/**
 * The engine's top of book against an independent full-depth reference book (test/refbook)
 * over generated sessions totalling more than one million messages.
 *
 * For every message that touches a subscribed book, the engine's current top (tracked from
 * its TOB records) must equal the reference's whenever the engine's flags are 0 (spec §6);
 * the share of touching messages that leave a flag set must stay ≤ 1% on realistic flow
 * (src/gen). A second, deliberately nastier flow (test/helpers/flow.ts: off-tick and
 * far-away orders, cross-class replaces) checks the same equality without a share bound.
 */
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../src/config/index.ts';
import { generateSessionBuffer } from '../src/gen/index.ts';
import { engineAvailable, newEngine } from './helpers/engine.ts';
import { randomFlow } from './helpers/flow.ts';
import { RECORD_SIZE, RecordField, RecordKind } from '../src/records/layout.ts';
import { RecordView } from '../src/records/view.ts';
import { compareWithReference, formatMismatches, type CompareResult } from './refbook/compare.ts';

const cfg = loadConfig();
const blob = configBlob(cfg);
const names = cfg.symbols.map((s) => s.symbol);

interface Case {
  name: string;
  seed: number;
  symbols: number;
  messages: number;
  controlMessages?: boolean;
}

// 1,050,000 generated messages in all.
const GENERATED: Case[] = [
  { name: 'default universe', seed: 101, symbols: 8, messages: 350_000 },
  { name: 'with unsubscribed symbols', seed: 202, symbols: 40, messages: 300_000 },
  { name: 'with control messages', seed: 303, symbols: 12, messages: 250_000, controlMessages: true },
  { name: 'wide universe', seed: 404, symbols: 200, messages: 150_000 },
];

function summary(r: CompareResult): string {
  const f = Number(r.stats.flagged);
  return `messages ${r.messages}, touching ${r.touching}, compared clean ${r.comparedClean}, excused (flags ≠ 0) ${r.excusedFlagged}, ` +
    `engine-untouched ${r.engineUntouched}, candidates ${r.candidates}, flagged ${f} (${((100 * f) / Math.max(1, r.touching)).toFixed(3)}%), ` +
    `table_full ${String(r.stats.tableFull)}, mismatches ${r.mismatches.length}`;
}

function check(r: CompareResult, maxFlaggedShare: number | null): void {
  if (r.mismatches.length > 0) expect.fail(`${r.mismatches.length} top-of-book mismatches (${summary(r)}):\n${formatMismatches(r)}`);
  expect(r.duplicateRefs, 'the flow reused a live ref').toBe(0);
  expect(r.touching).toBeGreaterThan(r.messages / 2);
  // Untouched-by-engine messages only come from orders it dropped on a collision.
  if (Number(r.stats.tableFull) === 0) expect(r.engineUntouched).toBe(0);
  if (maxFlaggedShare !== null) {
    expect(Number(r.stats.flagged) / r.touching, summary(r)).toBeLessThanOrEqual(maxFlaggedShare);
    expect(r.comparedClean / r.touching, summary(r)).toBeGreaterThanOrEqual(1 - maxFlaggedShare);
  }
}

describe('reference book vs Rust engine', () => {
  let total = 0;
  for (const c of GENERATED) {
    it(`src/gen session: ${c.name} (seed ${c.seed}, ${c.symbols} symbols, ${c.messages} messages)`, () => {
      const stream = generateSessionBuffer({ seed: c.seed, symbols: c.symbols, messages: c.messages, config: cfg, controlMessages: c.controlMessages ?? false });
      const r = compareWithReference(() => newEngine(blob), stream, names);
      console.log(`[refbook] ${c.name}: ${summary(r)}`);
      expect(r.messages).toBe(c.messages);
      total += r.messages;
      check(r, 0.01);
    }, 120_000);
  }

  it('generated sessions total at least one million messages', () => {
    expect(total).toBeGreaterThanOrEqual(1_000_000);
  });

  for (const seed of [7, 8]) {
    it(`own random flow (off-tick, far, cross-class replaces), seed ${seed}`, () => {
      const stream = randomFlow({ seed, messages: 100_000, subscribed: names, unsubscribed: 3, offTickRate: 0.004, farRate: 0.003 });
      const r = compareWithReference(() => newEngine(blob), stream, names);
      console.log(`[refbook] own flow ${seed}: ${summary(r)}`);
      check(r, null);
      // The flow flags often, but most messages must still be compared with flags 0.
      expect(r.comparedClean / r.touching, summary(r)).toBeGreaterThan(0.5);
      expect(r.excusedFlagged, 'the flow should exercise the flags').toBeGreaterThan(100);
    }, 120_000);
  }
});

describe('the reference comparison has teeth', () => {
  const stream = randomFlow({ seed: 9, messages: 30_000, subscribed: names, unsubscribed: 1 });
  /** An engine whose k-th clean TOB record (flags 0, both sides present) is altered by `mutate`. */
  function faulty(k: number, mutate: (out: Buffer, off: number) => Buffer) {
    return () => {
      const e = newEngine(blob);
      return {
        process(b: Buffer, eoi?: boolean): Buffer {
          let out = e.process(b, eoi);
          let seen = 0;
          for (const r = new RecordView(out); r.next(); ) {
            if (r.kind === RecordKind.TOB && r.flags === 0 && r.bidSz > 0 && r.askSz > 0 && ++seen === k) {
              out = mutate(Buffer.from(out), r.off);
              break;
            }
          }
          return out;
        },
        stats: () => e.stats(),
      };
    };
  }

  it('the unmodified engine passes on this flow', () => {
    expect(compareWithReference(() => newEngine(blob), stream, names).mismatches.length).toBe(0);
  });

  it('catches a wrong size in a TOB record', () => {
    const bidSz = (off: number) => off + RecordField.TOB.bid_sz;
    const r = compareWithReference(faulty(500, (out, off) => (out.writeUInt32LE(out.readUInt32LE(bidSz(off)) + 1, bidSz(off)), out)), stream, names);
    expect(r.mismatches.length).toBeGreaterThan(0);
    expect(r.mismatches[0].why).toBe('top of book differs with flags 0');
  });

  it('catches a missing TOB record (through the per-message flags pass)', () => {
    const r = compareWithReference(faulty(500, (out, off) => Buffer.concat([out.subarray(0, off), out.subarray(off + RECORD_SIZE)])), stream, names);
    expect(r.mismatches.length).toBeGreaterThan(0);
    expect(r.mismatches[0].why).toMatch(/no TOB emitted/);
  });

  it('a spurious flag on a correct TOB is not reported as a book error', () => {
    // Setting a flag on a correct record is not a top-of-book error; it must not be reported.
    const r = compareWithReference(faulty(500, (out, off) => ((out[off + 3] = 1), out)), stream, names);
    expect(r.mismatches.length).toBe(0);
  });
});
