/**
 * The native gunzip (native/src/session_reader.rs + gzip_stream.rs) that replaces node:zlib on
 * the replay path: the same bytes as node:zlib, replay reports identical to goldens captured
 * from the node:zlib path before the change, and bad gzip input refused with where it broke.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawChunks, readBatches } from '../../src/source/file.ts';
import { ProblemLog } from '../../src/source/problems.ts';
import { loadNative } from '../../src/engine/rust.ts';
import { riskgate, riskgateJson } from '../cli/run-cli.ts';
import { stableReport, stableText } from '../helpers/replay-golden.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEMO = `${ROOT}data/demo.itch.gz`;
const GOLDEN = `${ROOT}test/fixtures/replay-golden/`;
const golden = (name: string) => readFileSync(GOLDEN + name, 'utf8');
let dir: string;

function write(name: string, data: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

async function inflate(path: string, recycle: boolean): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of rawChunks(path, () => {}, recycle)) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function inflateError(path: string): Promise<Error> {
  try {
    await inflate(path, true);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${path} inflated without an error`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-gz-'));
});

describe('native gunzip: the bytes node:zlib gives', () => {
  it('inflates the demo file to exactly what gunzipSync gives, recycled or not', async () => {
    const want = gunzipSync(readFileSync(DEMO));
    expect((await inflate(DEMO, true)).equals(want)).toBe(true);
    expect((await inflate(DEMO, false)).equals(want)).toBe(true);
  });

  it('reads concatenated gzip members as one stream (as node:zlib does)', async () => {
    const raw = gunzipSync(readFileSync(DEMO));
    const cut = 1_234_567;
    const p = write('members.itch.gz', Buffer.concat([gzipSync(raw.subarray(0, cut)), gzipSync(raw.subarray(cut), { level: 1 })]));
    expect((await inflate(p, true)).equals(raw)).toBe(true);
    // and the replay of it is the replay of one member
    const one = riskgateJson(['replay', DEMO]);
    const two = riskgateJson(['replay', p]);
    expect(two.status).toBe(0);
    expect(two.json.recordsSha256).toBe(one.json.recordsSha256);
  });

  it('a reader closed early stops its thread; asking it for more then throws instead of waiting forever', () => {
    const r = new (loadNative().GzipReader)(DEMO, 3, 1 << 16);
    expect(r.next()).toBe(1 << 16);
    r.close();
    expect(() => {
      for (let i = 0; i < 4; i++) r.next();
    }).toThrow(/closed/);
    r.close(); // twice is fine
  });

  it('hands batches whose offsets are those of the decompressed stream', async () => {
    const raw = gunzipSync(readFileSync(DEMO));
    let messages = 0;
    for await (const b of readBatches(DEMO, { problems: new ProblemLog(), recycle: true })) {
      expect(b.frames.equals(raw.subarray(b.offset, b.offset + b.frames.length))).toBe(true);
      messages += b.messages;
    }
    expect(messages).toBe(200_000);
  });
});

describe('replay through the native gunzip matches the node:zlib path (goldens)', () => {
  it('demo.itch.gz: the --json report and the text report', () => {
    const j = riskgateJson(['replay', DEMO]);
    expect(j.status).toBe(0);
    expect(stableReport(j.json)).toEqual(JSON.parse(golden('demo.report.json')));
    const t = riskgate(['replay', DEMO]);
    expect(t.status).toBe(0);
    expect(stableText(t.stdout, DEMO)).toBe(golden('demo.report.txt'));
  });

  it('a generated real-profile day (400k messages, seed 7): same records digest and report; the plain file too', () => {
    const gz = join(dir, 'day-400k-seed7.itch.gz');
    const cfg = join(dir, 'day-400k-seed7.json');
    const gen = riskgate(['gen', '--profile', 'day', '--seed', '7', '--messages', '400k', '--out', gz, '--config-out', cfg, '--json']);
    expect(gen.status).toBe(0);
    // The generator's stream is the one the golden was captured from.
    expect(JSON.parse(gen.stdout).sha256).toBe('171958f07371a257a04314c92d70563a54d843e3c2e12026816c04077ef26d48');
    const want = JSON.parse(golden('day-400k-seed7.report.json'));
    const fromGz = riskgateJson(['replay', gz, '--config', cfg]);
    expect(fromGz.status).toBe(0);
    expect(stableReport(fromGz.json)).toEqual(want);
    const plain = join(dir, 'day-400k-seed7.itch.gz.itch');
    writeFileSync(plain, gunzipSync(readFileSync(gz)));
    const fromPlain = riskgateJson(['replay', plain, '--config', cfg]);
    expect({ ...stableReport(fromPlain.json), file: want.file }).toEqual(want);
  });
});

describe('both inflaters (ISA-L when libisal.so.2 is here, zlib-rs otherwise) give the same replay', () => {
  /** `riskgate replay --json` with the gunzip forced to zlib-rs, or left to choose. */
  function replayWith(file: string, zlibRs: boolean) {
    const env = { ...process.env };
    if (zlibRs) env.RISKGATE_GUNZIP = 'zlib-rs';
    else delete env.RISKGATE_GUNZIP;
    const r = spawnSync(process.execPath, [`${ROOT}bin/riskgate.js`, 'replay', file, '--json'], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
    return { status: r.status, stderr: r.stderr, json: r.status === 0 ? JSON.parse(r.stdout) : undefined };
  }

  it('the demo file, one member and two: the golden report either way', () => {
    const raw = gunzipSync(readFileSync(DEMO));
    const two = write('two-members.itch.gz', Buffer.concat([gzipSync(raw.subarray(0, 3_000_001)), gzipSync(raw.subarray(3_000_001))]));
    const want = JSON.parse(golden('demo.report.json'));
    for (const zlibRs of [false, true]) {
      for (const file of [DEMO, two]) {
        const r = replayWith(file, zlibRs);
        expect(r.status, r.stderr).toBe(0);
        expect({ ...stableReport(r.json), file: want.file }).toEqual(want);
      }
    }
  });

  it('a truncated file: the same error and offset either way', () => {
    const p = write('cut-both.itch.gz', readFileSync(DEMO).subarray(0, 2_000_000));
    const errors = [false, true].map((zlibRs) => replayWith(p, zlibRs));
    for (const e of errors) {
      expect(e.status).toBe(4);
      expect(e.stderr).toMatch(/corrupt gzip stream after \d+ decompressed bytes \(compressed offset 2000000\): unexpected end of file/);
    }
  });
});

describe('bad gzip input: a clear error with where it broke, exit 4', () => {
  const demo = () => readFileSync(DEMO);

  it('a truncated .gz says so, with the compressed offset where the file ends', async () => {
    const gz = demo();
    const cut = 1_000_000;
    const p = write('cut.itch.gz', gz.subarray(0, cut));
    const e = await inflateError(p);
    expect(e.message).toMatch(new RegExp(`cut\\.itch\\.gz: corrupt gzip stream after \\d+ decompressed bytes \\(compressed offset ${cut}\\): unexpected end of file \\(truncated`));
    const r = riskgate(['replay', p, '--json']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/INPUT_UNREADABLE: .*cut\.itch\.gz: corrupt gzip stream after \d+ decompressed bytes \(compressed offset 1000000\): unexpected end of file/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('corrupt deflate data: the offset is inside the damaged range', async () => {
    const gz = Buffer.from(demo());
    for (let i = 500_000; i < 500_400; i++) gz[i] ^= 0x5a;
    const e = await inflateError(write('corrupt.itch.gz', gz));
    const m = /after (\d+) decompressed bytes \(compressed offset (\d+)\): (invalid deflate data|incorrect data check)/.exec(e.message);
    expect(m, e.message).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(500_000);
    expect(Number(m![1])).toBeGreaterThan(0);
  });

  it('a wrong CRC-32 or length in the trailer is refused', async () => {
    const gz = Buffer.from(demo());
    gz[gz.length - 8] ^= 1;
    expect((await inflateError(write('crc.itch.gz', gz))).message).toMatch(/incorrect data check/);
    const len = Buffer.from(demo());
    len[len.length - 1] ^= 1;
    expect((await inflateError(write('len.itch.gz', len))).message).toMatch(/incorrect length check/);
  });

  it('bytes after the last member that are not gzip are refused (as node:zlib does)', async () => {
    const gz = demo();
    const e = await inflateError(write('junk.itch.gz', Buffer.concat([gz, Buffer.from('junk')])));
    expect(e.message).toMatch(new RegExp(`compressed offset ${gz.length}\\): incorrect header check`));
  });
});
