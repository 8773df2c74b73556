/**
 * Results never depend on batch size: the same session cut into batches of 1, 7 and 4096
 * frames gives the same record digest and the same stats, through N-API and through the
 * file replay pipeline.
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
});
