/**
 * What generated sessions make the engine do under the DEFAULT config, measured with an
 * independent spec model (test/gen/engine-model.ts) — itself checked here against the
 * hand-computed golden vectors — and, when the native engine is built, with the real Rust
 * engine, whose records must equal the model's byte for byte.
 *
 * Targets (per 1M messages, controls on): every reject reason ≥ 100, fills ≥ 10k, BAND_BID
 * and BAND_ASK ≥ 10 episodes each, COLLISION engineered (ghosts that leave again, so it clears
 * by itself; one untracked drop that CLEAR_COLLISION ends), ≤ 1% of messages leave a flag set.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { configBlob, loadConfig, parseConfig } from '../../src/config/index.ts';
import { SessionGenerator, type GenOptions, type GenSummary } from '../../src/gen/index.ts';
import { engineAvailable, newEngine } from '../helpers/engine.ts';
import { blobFingerprintOf, loadVectors, readableRecords, recordDiff, vectorConfigJson, vectorFrames } from '../helpers/vectors.ts';
import { EngineModel } from './engine-model.ts';
import { FLAG_NAMES, PROBLEM_NAMES, RecordKind } from '../../src/records/layout.ts';
// The generator drives the strategy: its DECISIONs carry the strategy's reasons (client orders, spec §18, are not generated).
import { STRATEGY_REASON_NAMES as REASONS } from '../../src/contract.ts';
import { RecordView } from '../../src/records/view.ts';
import { GHOST_SLOTS, STASH_SLOTS } from '../../src/gen/refs.ts';

const cfg = loadConfig();

function run(opts: GenOptions, records = false): { buf: Buffer; summary: GenSummary; model: EngineModel } {
  const g = new SessionGenerator(opts);
  const parts: Buffer[] = [];
  for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
  const buf = Buffer.concat(parts);
  const model = new EngineModel(cfg, { records });
  model.processStream(buf);
  return { buf, summary: g.summary(), model };
}

/** The model's stats under the golden vectors' stat names (the listed fields only). */
function modelStatsView(st: EngineModel['stats'], want: Record<string, unknown>): Record<string, unknown> {
  const got: Record<string, unknown> = {};
  for (const [k, w] of Object.entries(want)) {
    if (k === 'why' || k === 'note') continue;
    if (k === 'byType') got[k] = Object.fromEntries(Object.keys(w as object).map((t) => [t, st.byType[t.startsWith('0x') ? String.fromCharCode(parseInt(t, 16)) : t] ?? 0]));
    else if (k === 'problems') got[k] = Object.fromEntries(Object.keys(w as object).map((p) => [p, st.problems[PROBLEM_NAMES.indexOf(p as (typeof PROBLEM_NAMES)[number])]]));
    else got[k] = ({ ...st } as Record<string, unknown>)[k];
  }
  return got;
}

describe('the spec model itself', () => {
  it('reproduces every golden vector record for record, and its listed stats', () => {
    const vectors = loadVectors();
    expect(vectors.length).toBeGreaterThan(20);
    let withStats = 0;
    // The model is of the market-data engine; order entry (spec §18) is pinned by its vectors
    // on the Rust engine (test/golden.test.ts) and the hardware (test/hw/golden.test.ts), not here.
    const modelled = vectors.filter((v) => !v.unmodelled);
    expect(vectors.length - modelled.length).toBe(vectors.filter((v) => v.input.some((m) => m.type === '{' || m.type === '}')).length);
    for (const v of modelled) {
      const cfg = parseConfig(vectorConfigJson(v), v.name);
      const m = new EngineModel(cfg, { records: true });
      m.processStream(vectorFrames(v, blobFingerprintOf(configBlob(cfg))).stream);
      expect(recordDiff(v.expected, readableRecords(m.recordBytes())), v.name).toBe('');
      if (v.stats) {
        const want = Object.fromEntries(Object.entries(v.stats).filter(([k]) => k !== 'why' && k !== 'note'));
        expect(modelStatsView(m.stats, want), v.name).toEqual(want);
        withStats++;
      }
    }
    expect(withStats).toBeGreaterThan(5);
  });
});

describe('coverage with control messages (1M messages, default config)', () => {
  const M = 1_000_000;
  let r: ReturnType<typeof run>;
  beforeAll(() => {
    r = run({ seed: 1, symbols: 8, messages: M, controlMessages: true });
  });

  it('every reject reason fires at least ~100 times per 1M messages', () => {
    const st = r.model.stats;
    for (const reason of REASONS) expect(st.reasons[reason], reason).toBeGreaterThanOrEqual(150);
    // and each also alone (the only reason) for most of them
    for (const reason of REASONS.filter((x) => x !== 'MAX_QTY' && x !== 'NO_REF')) {
      expect(st.soleReasons[reason], reason).toBeGreaterThan(50);
    }
  });

  it('at least 10k fills per 1M messages; the strategy fires often', () => {
    const st = r.model.stats;
    expect(st.fills).toBeGreaterThanOrEqual(10_000);
    expect(st.decisions).toBeGreaterThan(40_000);
    for (let i = 0; i < cfg.symbols.length; i++) expect(st.decisionsBySymbol[i]).toBeGreaterThan(1000);
  });

  it('every account runs out of credit (again and again) and hits its throttle', () => {
    const st = r.model.stats;
    for (const a of cfg.accounts) {
      expect(st.creditRejectsByAccount[a.index], a.name).toBeGreaterThan(1000);
      expect(st.maxWindowCount[a.index], a.name).toBe(a.maxOrdersPerWindow);
    }
  });

  it('positions reach their limits', () => {
    const st = r.model.stats;
    for (const s of cfg.symbols) expect(st.maxAbsPosition[s.index], s.symbol).toBeGreaterThan(s.positionLimit * 0.9);
  });

  it('every flag fires, yet at most 1% of messages leave a flag set', () => {
    const st = r.model.stats;
    expect(st.flagged / M).toBeLessThanOrEqual(0.01);
    expect(st.flagEpisodes.BAND_BID).toBeGreaterThanOrEqual(10);
    expect(st.flagEpisodes.BAND_ASK).toBeGreaterThanOrEqual(10);
    expect(st.tobFlags.BAND_BID).toBeGreaterThanOrEqual(10);
    expect(st.tobFlags.BAND_ASK).toBeGreaterThanOrEqual(10);
    const e = r.summary.events;
    expect(st.flagEpisodes.COLLISION).toBe(e.collisions);
    expect(st.tableFull).toBe(e.ghostOrders + e.untrackedOrders);
    expect(e.collisions).toBeGreaterThanOrEqual(3);
  });

  it('the order table (spec §5): engineered collisions fill bank 0, bank 1 and the stash, their ghosts leave and COLLISION clears by itself; ordinary flow stays in bank 0', () => {
    const st = r.model.stats;
    const e = r.summary.events;
    const t = r.summary.orderTable;
    // the generator's mirror of the table agrees with the model's, and with its own plan
    expect({ stash: st.stashInserts, ghosts: st.ghostInserts, untracked: st.untrackedDrops, clears: st.collisionClears, live: st.livePeak, stashPeak: st.stashPeak, ghostPeak: st.ghostPeak })
      .toEqual({ stash: t.stashInserts, ghosts: t.ghostInserts, untracked: t.untrackedDrops, clears: t.collisionClears, live: t.livePeak, stashPeak: t.stashPeak, ghostPeak: t.ghostPeak });
    expect(t.collisions).toBe(e.collisions);
    expect([t.ghostInserts, t.untrackedDrops]).toEqual([e.ghostOrders, e.untrackedOrders]);
    expect(t.ordinarySpills).toBe(0);
    expect(st.stashInserts).toBeGreaterThanOrEqual(3 * STASH_SLOTS);
    expect(st.stashPeak).toBe(STASH_SLOTS);
    // every episode but the one with an untracked drop (ended by CLEAR_COLLISION) clears by itself
    expect(e.untrackedOrders).toBe(1);
    expect(st.collisionClears).toBe(e.collisions - 1);
    expect(st.ghostPeak).toBe(GHOST_SLOTS);
    expect(r.summary.controlsByOp.CLEAR_COLLISION).toBe(1);
  });

  it('every control message is valid (no BAD_CONTROL) and the input has no problems', () => {
    const st = r.model.stats;
    expect(st.controls).toBe(r.summary.controls);
    expect(st.problems).toEqual([0, 0, 0, 0, 0, 0]); // no BAD_CONTROL, no FOREIGN_CONTROL: the controls are made for this config
    expect(st.messages).toBe(M);
  });

  it('unknown refs: the deliberate ones plus the orders of unsubscribed names only', () => {
    // background flow (2.5%) on unsubscribed names: their E/C/X/D/U refs are unknown to the engine
    expect(r.model.stats.unknownRef).toBeGreaterThanOrEqual(r.summary.events.unknownRefs);
    expect(r.model.stats.unknownRef / M).toBeLessThan(0.025);
  });
});

describe('the demo-sized session (200k, controls) shows everything too', () => {
  it('every reason, fills, flags', () => {
    const r = run({ seed: 1, symbols: 8, messages: 200_000, controlMessages: true });
    const st = r.model.stats;
    for (const reason of REASONS) expect(st.reasons[reason], reason).toBeGreaterThanOrEqual(20);
    expect(st.fills).toBeGreaterThanOrEqual(2_000);
    expect(st.flagged / 200_000).toBeLessThanOrEqual(0.01);
    for (const f of FLAG_NAMES) expect(st.flagEpisodes[f], f).toBeGreaterThan(0);
  });
});

describe('without control messages (default config)', () => {
  const M = 300_000;
  let r: ReturnType<typeof run>;
  beforeAll(() => {
    r = run({ seed: 2, symbols: 8, messages: M });
  });

  it('every reason but KILL and THROTTLE fires; flags fire; ≤ 1% flagged; COLLISION clears by itself', () => {
    const st = r.model.stats;
    for (const reason of REASONS.filter((x) => x !== 'KILL' && x !== 'THROTTLE')) expect(st.reasons[reason], reason).toBeGreaterThanOrEqual(30);
    expect(st.reasons.KILL).toBe(0);
    expect(st.flagged / M).toBeLessThanOrEqual(0.01);
    expect(st.flagEpisodes.COLLISION).toBeGreaterThan(0);
    expect(st.flagEpisodes.COLLISION).toBe(r.summary.events.collisions);
    expect(st.collisionClears).toBe(r.summary.events.collisions);
    expect(st.untrackedDrops).toBe(0);
    expect(st.ghostInserts).toBe(r.summary.events.ghostOrders);
    expect(st.flagEpisodes.BAND_BID).toBeGreaterThan(0);
    expect(st.flagEpisodes.BAND_ASK).toBeGreaterThan(0);
  });

  it('documents the default limits: the $36M of credit is gone within the first hour of trading, then CREDIT rejects everything', () => {
    const st = r.model.stats;
    for (const a of cfg.accounts) expect(st.creditRejectsByAccount[a.index], a.name).toBeGreaterThan(1000);
    // a few hundred fills in the whole session, whatever its length: no THROTTLE, far from 10k/1M
    expect(st.fills).toBeLessThan(2_000);
    expect(st.reasons.THROTTLE).toBe(0);
    expect(st.reasons.CREDIT / st.rejected).toBeGreaterThan(0.7);
  });
});

describe('on the real engine (native/*.node)', () => {
  it('records are byte-identical to the spec model, stats equal, on a session with every episode', () => {
    const { buf, summary, model } = run({ seed: 3, symbols: 8, messages: 400_000, controlMessages: true }, true);
    const eng = newEngine(configBlob(cfg));
    const rec = eng.process(buf, true);
    const mine = model.recordBytes();
    expect(rec.length).toBe(mine.length);
    expect(rec.equals(mine)).toBe(true);
    const s = eng.stats() as Record<string, unknown>;
    const ms = model.stats;
    const n = (x: unknown) => Number(x);
    expect({
      messages: n(s.messages), unknownRef: n(s.unknownRef), tableFull: n(s.tableFull), flagged: n(s.flagged), tob: n(s.tob),
      decisions: n(s.decisions), accepted: n(s.accepted), rejected: n(s.rejected), fills: n(s.fills), controls: n(s.controls),
      stashInserts: n(s.stashInserts), ghostInserts: n(s.ghostInserts), untrackedDrops: n(s.untrackedDrops), collisionClears: n(s.collisionClears),
      livePeak: n(s.livePeak), stashPeak: n(s.stashPeak), ghostPeak: n(s.ghostPeak),
    }).toEqual({
      messages: ms.messages, unknownRef: ms.unknownRef, tableFull: ms.tableFull, flagged: ms.flagged, tob: ms.tob,
      decisions: ms.decisions, accepted: ms.accepted, rejected: ms.rejected, fills: ms.fills, controls: summary.controls,
      stashInserts: ms.stashInserts, ghostInserts: ms.ghostInserts, untrackedDrops: ms.untrackedDrops, collisionClears: ms.collisionClears,
      livePeak: ms.livePeak, stashPeak: ms.stashPeak, ghostPeak: ms.ghostPeak,
    });
    // coverage seen by the engine itself
    const reasons = new Array(REASONS.length).fill(0);
    for (const r = new RecordView(rec); r.next(); ) {
      if (r.kind !== RecordKind.DECISION) continue;
      for (let b = 0; b < REASONS.length; b++) if (r.reasons & (1 << b)) reasons[b]++;
    }
    for (const [b, name] of REASONS.entries()) expect(reasons[b], name).toBeGreaterThanOrEqual(40);
    expect(n(s.fills)).toBeGreaterThanOrEqual(4_000);
  });
});
