/**
 * The differential proof at scale: generated sessions (src/gen, default config, in-band
 * control messages on) of 1.1M messages in total through the Verilog pipeline and the Rust
 * core, records byte-identical and stats equal; one session fed one message per MoldUDP64
 * packet as fast as accepted, the other packed 10 per packet at a 5-of-8 beat offer rate.
 * A third, smaller random flow (test/helpers/flow.ts) brings every skipped message type.
 * The coverage is counted on the card's own records: every message type, every reject
 * reason at least 100 times, every book flag at least 10 times, at least 10k fills per 1M
 * messages, halts, and kill-switch and limit changes mid-stream.
 */
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { FpgaEngine } from '../../src/fpga/index.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { FrameCursor } from '../../src/itch/framing.ts';
import { CONTROL_OP_NAMES, CONTROL_OPS, ControlOp, MESSAGE_LENGTH } from '../../src/itch/layout.ts';
import { FLAG_NAMES, RECORD_SIZE, RecordKind } from '../../src/records/layout.ts';
// The strategy's reasons: the client-order ones (spec §18) are Rust only for now.
import { STRATEGY_REASON_NAMES as REASON_NAMES } from '../../src/contract.ts';
import { RecordView } from '../../src/records/view.ts';
import { newEngine } from '../helpers/engine.ts';
import { randomFlow } from '../helpers/flow.ts';
import { requireHw, requireRust, firstDiff } from './util.ts';

const cfg = loadConfig();
const blob = configBlob(cfg);
/** Ops that change a limit (they carry a value), as opposed to kill switches and CLEAR_COLLISION. */
const LIMIT_OPS = CONTROL_OPS.filter((o) => o.unit !== 'flag' && o.unit !== 'none').map((o) => o.code);
/** ITCH trading action (H): trading state at 19; 'T' is trading. */
const H_STATE = 19;
const TRADING = 'T'.charCodeAt(0);

interface Cover {
  messages: number;
  byType: number[];
  reasons: number[];
  flags: number[];
  fills: number;
  controlOps: number[];
  halts: number;
}

function tally(rec: Buffer, c: Cover): void {
  for (const r = new RecordView(rec); r.next(); ) {
    if (r.kind === RecordKind.TOB) for (let f = 0; f < FLAG_NAMES.length; f++) if (r.flags & (1 << f)) c.flags[f]++;
    if (r.kind === RecordKind.DECISION) for (let k = 0; k < REASON_NAMES.length; k++) if (r.reasons & (1 << k)) c.reasons[k]++;
    if (r.kind === RecordKind.FILL) c.fills++;
    if (r.kind === RecordKind.CONTROL) c.controlOps[r.op]++;
  }
}


describe('coverage differential: generated sessions, FPGA vs Rust', () => {
  requireHw();
  requireRust();
  const cover: Cover = {
    messages: 0, byType: new Array(256).fill(0), reasons: new Array(REASON_NAMES.length).fill(0), flags: new Array(FLAG_NAMES.length).fill(0),
    fills: 0, controlOps: new Array(CONTROL_OP_NAMES.length).fill(0), halts: 0,
  };
  const sessions = [
    { seed: 101, messages: 600_000, mpp: 1, offer: { num: 1, den: 1 }, gen: true },
    { seed: 102, messages: 500_000, mpp: 10, offer: { num: 5, den: 8 }, gen: true },
    { seed: 103, messages: 50_000, mpp: 4, offer: { num: 1, den: 1 }, gen: false },
  ];
  for (const s of sessions) {
    it(`${s.gen ? 'generated' : 'random-flow'} seed ${s.seed}: ${s.messages} messages, ${s.mpp} per packet, offer ${s.offer.num}/${s.offer.den}`, () => {
      const stream = s.gen
        ? generateSessionBuffer({ seed: s.seed, symbols: 8, messages: s.messages, controlMessages: true })
        : randomFlow({ seed: s.seed, messages: s.messages, subscribed: cfg.symbols.map((x) => x.symbol) });
      const rust = newEngine(blob);
      const want = rust.process(stream, true);
      const hw = new FpgaEngine(blob, { messagesPerPacket: s.mpp, offer: s.offer, stamps: false });
      try {
        hw.clearCounters();
        const t0 = performance.now();
        const got = hw.process(stream, true);
        const ms = performance.now() - t0;
        const c = hw.counters();
        const st = hw.stats();
        console.log(`[hw coverage] seed ${s.seed}: ${st.messages} messages, ${got.length / RECORD_SIZE} records, ` +
          `${c.cycles} cycles (${(c.cycles / st.messages).toFixed(2)}/msg), ${(c.cycles / ms / 1000).toFixed(2)} M simulated cycles/s`);
        if (!got.equals(want)) expect.fail(`seed ${s.seed}: FPGA records differ from the Rust core\n${firstDiff(want, got)}`);
        const rs = rust.stats() as Record<string, unknown>;
        expect(st.messages).toBe(Number(rs.messages));
        expect(st.byType).toEqual((rs.byType as number[]).map(Number));
        expect(st.problems).toEqual((rs.problems as number[]).map(Number));
        for (const k of ['unknownRef', 'tableFull', 'flagged', 'tob', 'decisions', 'accepted', 'rejected', 'fills', 'controls',
          'stashInserts', 'ghostInserts', 'untrackedDrops', 'collisionClears', 'livePeak', 'stashPeak', 'ghostPeak'] as const) {
          expect(st[k], k).toBe(Number(rs[k]));
        }
        cover.messages += st.messages;
        st.byType.forEach((n, t) => (cover.byType[t] += n));
        tally(got, cover);
        // halts: H messages that set a state other than T
        for (const f = new FrameCursor(stream); f.next(); ) {
          if (f.type === 'H'.charCodeAt(0) && f.length === MESSAGE_LENGTH.H && f.body()[H_STATE] !== TRADING) cover.halts++;
        }
      } finally {
        hw.close();
      }
    });
  }

  it('covers every type, reason, flag, fills, halts and mid-stream control changes', () => {
    expect(cover.messages).toBeGreaterThanOrEqual(1_000_000);
    const missingTypes = Object.keys(MESSAGE_LENGTH).filter((t) => t !== '~' && cover.byType[t.charCodeAt(0)] === 0);
    expect(missingTypes, 'message types never seen').toEqual([]);
    REASON_NAMES.forEach((r, k) => expect(cover.reasons[k], r).toBeGreaterThanOrEqual(100));
    FLAG_NAMES.forEach((f, k) => expect(cover.flags[k], f).toBeGreaterThanOrEqual(10));
    expect(cover.fills / (cover.messages / 1e6)).toBeGreaterThanOrEqual(10_000);
    expect(cover.halts).toBeGreaterThan(0);
    expect(cover.controlOps[ControlOp.GLOBAL_KILL] + cover.controlOps[ControlOp.SYMBOL_KILL], 'kill switches').toBeGreaterThan(0);
    expect(LIMIT_OPS.reduce((a, op) => a + cover.controlOps[op], 0), 'limit changes').toBeGreaterThan(0);
    console.log(`[hw coverage] ${cover.messages} messages; reasons ${REASON_NAMES.map((r, k) => `${r} ${cover.reasons[k]}`).join(', ')}; ` +
      `flags ${FLAG_NAMES.map((f, k) => `${f} ${cover.flags[k]}`).join(', ')}; fills ${cover.fills}; halts ${cover.halts}; ` +
      `control ops ${cover.controlOps.map((n, op) => (n ? `${CONTROL_OP_NAMES[op]}:${n}` : '')).filter(Boolean).join(' ')}`);
  });
});
