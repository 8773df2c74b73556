/**
 * Results never depend on batch size: the same session cut into batches of 1, 7 and 4096
 * frames gives the same record digest and the same stats, through N-API and through the
 * file replay pipeline; so does the streaming call fed byte chunks that cut frames anywhere.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { splitFrames } from '../../src/itch/framing.ts';
import { replay } from '../../src/replay/run.ts';

const config = loadConfig();
const session = generateSessionBuffer({ seed: 7, symbols: 8, messages: 60_000, controlMessages: true });

function digestInBatches(perBatch: number): { sha: string; stats: unknown; records: number } {
  const engine = new RustEngine(configBlob(config));
  const h = createHash('sha256');
  let bytes = 0;
  const batches = splitFrames(session, perBatch);
  batches.forEach((b, i) => {
    const r = engine.process(b, i === batches.length - 1);
    bytes += r.length;
    h.update(r);
  });
  return { sha: h.digest('hex'), stats: engine.stats(), records: bytes / 32 };
}

describe('batch-size independence', () => {
  it('batches of 1, 7 and 4096 frames give the same record digest and stats', () => {
    const a = digestInBatches(1);
    const b = digestInBatches(7);
    const c = digestInBatches(4096);
    expect(a.records).toBeGreaterThan(1000);
    expect(b.sha).toBe(a.sha);
    expect(c.sha).toBe(a.sha);
    expect(b.stats).toEqual(a.stats);
    expect(c.stats).toEqual(a.stats);
  });

  it('the file replay pipeline gives the same digest for --batch 1, 7 and 4096', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskgate-batch-'));
    const file = join(dir, 's.itch');
    writeFileSync(file, session);
    const shas = [];
    for (const batchFrames of [1, 7, 4096]) {
      const r = await replay({ file, config, engine: new RustEngine(configBlob(config)), batchFrames });
      shas.push(r.recordsSha256);
    }
    expect(new Set(shas).size).toBe(1);
    expect(shas[0]).toBe(digestInBatches(4096).sha);
  });

  it('processStream fed byte chunks that cut frames anywhere gives the same digest and stats', () => {
    const want = digestInBatches(4096);
    for (const chunk of [61, 1000, 65_536]) {
      const engine = new RustEngine(configBlob(config));
      const out = Buffer.alloc(engine.maxRecordBytes(chunk));
      const h = createHash('sha256');
      let calls = 0;
      let cutFrames = 0;
      for (let at = 0; at < session.length; calls++) {
        const end = Math.min(at + chunk, session.length);
        const step = engine.processStream(session.subarray(at, end), out, end === session.length);
        expect(step.consumed).toBeGreaterThan(0);
        if (step.consumed < end - at) cutFrames++;
        h.update(out.subarray(0, step.written));
        at += step.consumed;
      }
      expect(cutFrames).toBeGreaterThan(calls / 2);
      expect(h.digest('hex')).toBe(want.sha);
      expect(engine.stats()).toEqual(want.stats);
    }
  });

  it('processStream refuses an output buffer that may be too small before touching any state', () => {
    const engine = new RustEngine(configBlob(config));
    const frames = session.subarray(0, 4096);
    expect(() => engine.processStream(frames, Buffer.alloc(31), false)).toThrow(expect.objectContaining({ code: 'OUTPUT_TOO_SMALL' }));
    expect(engine.stats().messages).toBe(0);
    const shared = Buffer.alloc(engine.maxRecordBytes(4096) + 4096);
    expect(() => engine.processStream(shared.subarray(0, 4096), shared.subarray(100), false)).toThrow(/must not overlap/);
    expect(engine.stats().messages).toBe(0);
  });
});
