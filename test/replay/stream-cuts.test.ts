/**
 * The streaming replay (src/replay/stream.ts) hands the engine the reader's bytes cut wherever
 * a gunzip slot or a read ends. Wherever that is — inside a body, between the two bytes of a
 * length prefix, one byte at a time — the report is the batch reader's (whole frames, 4,096 per
 * batch), problems, offsets and digest included; and the demo's is its golden.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { replay } from '../../src/replay/run.ts';
import { replayReport } from '../../src/report/replay-report.ts';
import { stableReport } from '../helpers/replay-golden.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEMO = `${ROOT}data/demo.itch.gz`;
const config = loadConfig();
let dir: string;
let demo: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-stream-'));
  demo = gunzipSync(readFileSync(DEMO));
});

/** The report of a replay, without timings; `readChunkBytes` undefined = the default reads. */
async function report(file: string, how: { batchFrames?: number; readChunkBytes?: number }) {
  const engine = new RustEngine(configBlob(config));
  // The path taken: the streaming call unless batches were asked for.
  let streamed = 0;
  const call = engine.processSessionStream.bind(engine);
  engine.processSessionStream = (...a) => (streamed++, call(...a));
  try {
    const r = await replay({ file, config, engine, ...how });
    expect(streamed > 0, 'streamed').toBe(how.batchFrames === undefined);
    // Problems name the file: the gzip and plain files are the same session.
    const rep = JSON.parse(JSON.stringify(stableReport(replayReport(r, config))).replaceAll(file, 'SESSION'));
    delete rep.file;
    return rep;
  } finally {
    engine.close();
  }
}

/** Offsets of the frames' length prefixes in a session (up to its end marker). */
function frameStarts(s: Buffer): number[] {
  const starts: number[] = [];
  for (let off = 0; off + 2 <= s.length; ) {
    starts.push(off);
    const n = s.readUInt16BE(off);
    if (n === 0) break;
    off += 2 + n;
  }
  return starts;
}

/** The first `n` frames of the demo session, then `tail`. */
function session(n: number, tail: Buffer): Buffer {
  const starts = frameStarts(demo);
  return Buffer.concat([demo.subarray(0, starts[n]), tail]);
}

describe('streaming replay: the bytes cut anywhere give the batch reader\'s report', () => {
  const variants = [
    { name: 'a whole session (end marker)', tail: Buffer.from([0, 0]) },
    { name: 'bytes after the end marker', tail: Buffer.concat([Buffer.from([0, 0]), Buffer.from('junk after the end')]) },
    { name: 'no end marker, a frame cut off at the end', tail: Buffer.from([0, 36, 0x41, 0, 1]) },
  ];

  for (const v of variants) {
    it(`${v.name}: chunks of 1, 2, 3, 5 and 64 bytes, gzip and plain`, async () => {
      const s = session(3000, v.tail);
      const gz = join(dir, 'small.itch.gz');
      const plain = join(dir, 'small.itch');
      writeFileSync(gz, gzipSync(s));
      writeFileSync(plain, s);
      const want = await report(plain, { batchFrames: 4096 });
      expect(want.messages).toBeGreaterThan(2900);
      const starts = frameStarts(s);
      for (const size of [1, 2, 3, 5, 64]) {
        // The cuts split a length prefix in two and fall inside bodies (and on frame boundaries).
        const cuts = new Set(Array.from({ length: Math.floor(s.length / size) }, (_, i) => (i + 1) * size));
        expect(starts.some((o) => cuts.has(o + 1)), `size ${size}: a cut inside a length prefix`).toBe(true);
        expect(starts.some((o) => [...Array(8).keys()].some((k) => cuts.has(o + 3 + k))), `size ${size}: a cut inside a body`).toBe(true);
        expect(await report(gz, { readChunkBytes: size }), `gzip, ${size}-byte slots`).toEqual(want);
        if (size >= 3) expect(await report(plain, { readChunkBytes: size }), `plain, ${size}-byte reads`).toEqual(want);
      }
    }, 120_000);
  }

  it('the demo day: its golden report through slots of odd sizes around a frame, a piece and the default', async () => {
    const golden = JSON.parse(readFileSync(`${ROOT}test/fixtures/replay-golden/demo.report.json`, 'utf8'));
    // The golden is the CLI's report: the replay's own sections of it (no clearing, no symbols).
    const own = (rep: Record<string, unknown>) => {
      for (const k of Object.keys(rep)) expect(golden, `golden has ${k}`).toHaveProperty(k);
      return Object.fromEntries(Object.keys(rep).map((k) => [k, golden[k]]));
    };
    for (const size of [4093, 65537, 65538, 262_147, undefined]) {
      const rep = await report(DEMO, { readChunkBytes: size });
      expect(rep, `${size ?? 'default'}-byte slots`).toEqual(own(rep));
    }
    // and the batch reader, for the record
    const batched = await report(DEMO, { batchFrames: 4096 });
    expect(batched).toEqual(own(batched));
  }, 120_000);
});
