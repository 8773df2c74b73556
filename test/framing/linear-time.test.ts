/**
 * Bad frames cost what good ones cost: reporting a problem record locates its input by walking
 * on from the previous one, never from the batch start again (which made 2M one-byte frames
 * take 66.8 s in `replay` against 2.1 s in `inspect`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/commands/inspect.ts';
import { blobFingerprint, configBlob, loadConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { frames, itch } from '../../src/itch/encode.ts';
import { countSeqFrames, FrameLocator } from '../../src/itch/framing.ts';
import { ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';
import { RecordAccumulator } from '../../src/report/accumulator.ts';
import { replay } from '../../src/replay/run.ts';

/** `n` frames of one byte each, of an unknown type: every one is a PROBLEM record. */
function oneByteFrames(n: number): Buffer {
  const b = Buffer.alloc(3 * n);
  for (let i = 0; i < n; i++) {
    b[3 * i + 1] = 1;
    b[3 * i + 2] = 'z'.charCodeAt(0);
  }
  return b;
}

describe('bad frames are processed in linear time', () => {
  it('locating the input of every record of a batch visits each frame once, controls included', () => {
    const config = loadConfig();
    const fp = blobFingerprint(configBlob(config));
    // 4096 bad frames; before every 8th message a valid kill switch and a refused control (wrong seq).
    const msgs: Buffer[] = [];
    for (let seq = 1; seq <= 4096; seq++) {
      if (seq % 8 === 0) msgs.push(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, seq, seq % 16 === 0 ? 1 : 0, fp), itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, seq + 5, 1, fp));
      msgs.push(itch.raw('z', 1));
    }
    const batch = frames(msgs);
    const records = new RustEngine(configBlob(config)).process(batch, true);
    const acc = new RecordAccumulator('batch', config);
    const locator = new FrameLocator(batch, 1);
    acc.add(records, 0, countSeqFrames(batch), locator);

    expect(acc.problems.counts.get('UNKNOWN_TYPE')?.count).toBe(4096);
    expect(acc.problems.counts.get('BAD_CONTROL')?.count).toBe(512);
    expect(locator.steps).toBe(msgs.length);
    // The refused control is found, not the valid one before the same message: seq 8 is frame 10.
    const firstBad = acc.problems.counts.get('BAD_CONTROL')!.first;
    expect(firstBad.seq).toBe(8);
    expect(firstBad.offset).toBe(7 * 3 + 30); // 7 one-byte frames, then the valid control (2 + 28 bytes)
  });

  it('replay of 2M one-byte frames counts what inspect counts, in time of the same order', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'riskgate-linear-')), 'one-byte-frames.itch');
    const n = 2_000_000;
    writeFileSync(file, oneByteFrames(n));
    const config = loadConfig();

    let t = process.hrtime.bigint();
    const ins = await inspectFile(file);
    const inspectNs = Number(process.hrtime.bigint() - t);
    t = process.hrtime.bigint();
    const rep = await replay({ file, config, engine: new RustEngine(configBlob(config)) });
    const replayNs = Number(process.hrtime.bigint() - t);

    expect(ins.messages).toBe(n);
    expect(rep.stats.messages).toBe(n);
    expect(ins.errors.map((e) => [e.kind, e.count])).toEqual([['UNKNOWN_TYPE', n]]);
    expect(rep.problems.counts.get('UNKNOWN_TYPE')?.count).toBe(n);
    // A walk from the batch start per problem was ~30x inspect; one pass is ~1-2x.
    expect(replayNs / inspectNs, `replay ${(replayNs / 1e9).toFixed(2)} s, inspect ${(inspectNs / 1e9).toFixed(2)} s`).toBeLessThan(8);
  }, 300_000);
});
