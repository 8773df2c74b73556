/**
 * Golden vectors (test/vectors/*.json, hand-computed from docs/spec.md) through the
 * Verilog pipeline: the Verilated card (sim/build/libriskgate_sim.so) via its C ABI and
 * the koffi wrapper, fed one message per MoldUDP64 packet and packed several per packet,
 * as fast as accepted and at a 5-of-8 beat offer rate. Records must equal the hand
 * computation byte for byte (readable diff on failure); listed stats must match.
 */
import { describe, expect, it } from 'vitest';
import { FpgaEngine } from '../../src/fpga/index.ts';
import { configFromJson } from '../helpers/engine.ts';
import {
  blobFingerprintOf, loadVectors, readableRecords, recordDiff, recordEncodingErrors, vectorConfigJson, vectorFrames,
} from '../helpers/vectors.ts';
import { requireHw, statsView } from './util.ts';

const vectors = loadVectors();

describe('golden vectors: FPGA engine (Verilator)', () => {
  requireHw();
  for (const v of vectors) {
    describe(v.file, () => {
      const { blob } = configFromJson(vectorConfigJson(v), v.file);
      const { stream, frames } = vectorFrames(v, blobFingerprintOf(blob));

      for (const mpp of [1, 7]) {
        it(`records match the hand computation, ${mpp} message(s) per packet (${v.name})`, () => {
          const eng = new FpgaEngine(blob, { messagesPerPacket: mpp });
          try {
            const out = eng.process(stream, true);
            const diff = recordDiff(v.expected, readableRecords(out));
            if (diff) expect.fail(`${v.file}: FPGA records differ from the hand computation\n${diff}`);
            const enc: string[] = [];
            for (let off = 0; off < out.length; off += 32) for (const e of recordEncodingErrors(out, off)) enc.push(`record ${off / 32}: ${e}`);
            expect(enc).toEqual([]);
            if (v.stats) expect(statsView(eng.stats(), v.stats)).toEqual(statsView(v.stats, v.stats));
            const st = eng.stats();
            expect(st.byType.reduce((a, b) => a + b, 0)).toBe(st.messages);
          } finally {
            eng.close();
          }
        });
      }

      if (v.noSplit !== true) it('one frame per batch, 5-of-8 offer rate, reset: same bytes', () => {
        const eng = new FpgaEngine(blob, { messagesPerPacket: 3, offer: { num: 5, den: 8 } });
        try {
          const whole = eng.process(stream, true);
          eng.reset();
          const parts = frames.map((f, i) => eng.process(f, i === frames.length - 1));
          expect(Buffer.concat(parts).equals(whole)).toBe(true);
        } finally {
          eng.close();
        }
      });
    });
  }
});
