/**
 * Input that is not BinaryFILE ITCH 5.0 (a text file, random bytes, a gzip of either) is
 * refused early with exit 4 and a message naming the file, the offset and what was found —
 * by replay, book, inspect and hwreport — instead of "1 message, TRUNCATED" and exit 0. A real
 * session with a few bad frames later (or a bad frame among good ones at the start) still
 * replays and reports them as input problems.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { frames, itch } from '../../src/itch/encode.ts';
import { sniffFrames } from '../../src/source/sniff.ts';
import { riskgate, riskgateJson, SAMPLE } from './run-cli.ts';
import { noise } from '../helpers/noise.ts';

let dir: string;
const p = (name: string) => join(dir, name);

const TEXT = 'Symbol,Price,Size\nAAPL,190.00,100\nMSFT,410.25,200\n'.repeat(200);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-notitch-'));
  writeFileSync(p('notes.txt'), TEXT);
  writeFileSync(p('random.bin'), noise(300_000, 7));
  writeFileSync(p('notes.txt.gz'), gzipSync(TEXT));
  writeFileSync(p('random.gz'), gzipSync(noise(300_000, 11)));
});

describe('not ITCH: refused with exit 4', () => {
  const cases: [string, RegExp][] = [
    ['notes.txt', /notes\.txt: not BinaryFILE-framed ITCH 5\.0: at offset 0: a frame of length \d+ but only \d+ bytes follow.*text file/],
    ['random.bin', /random\.bin: not BinaryFILE-framed ITCH 5\.0: \d+ of the first \d+ frames do not have the ITCH 5\.0 length of their type; the first at offset 0: /],
    ['notes.txt.gz', /notes\.txt\.gz: not BinaryFILE-framed ITCH 5\.0 \(after gunzip\): at offset 0/],
    ['random.gz', /random\.gz: not BinaryFILE-framed ITCH 5\.0 \(after gunzip\): /],
  ];
  for (const [name, why] of cases) {
    it(`${name}: replay, inspect, book and hwreport refuse it`, () => {
      const out = p(`${name}.csv`);
      for (const args of [['replay', p(name)], ['inspect', p(name)], ['book', p(name), '--symbols', 'AAPL', '--out', out], ['hwreport', p(name)]]) {
        const r = riskgate(args);
        expect(r.status, `${args[0]}: ${r.stderr}`).toBe(4);
        expect(r.stderr).toMatch(new RegExp(`^riskgate ${args[0]}: INPUT_UNREADABLE: `));
        expect(r.stderr).toMatch(why);
        expect(r.stdout).toBe('');
      }
    });
  }
});

describe('real ITCH with bad frames is still replayed', () => {
  it('bad frames after the first 64: exit 0, counted as input problems', () => {
    const sample = readFileSync(SAMPLE);
    // Keep the first 100 frames, then 40 frames of an unknown type, then the rest.
    let off = 0;
    for (let i = 0; i < 100; i++) off += 2 + sample.readUInt16BE(off);
    const junk = frames(Array.from({ length: 40 }, () => itch.raw('z', 30)), false);
    const f = p('late-junk.itch');
    writeFileSync(f, Buffer.concat([sample.subarray(0, off), junk, sample.subarray(off)]));
    const { status, json } = riskgateJson(['replay', f]);
    expect(status).toBe(0);
    expect(json.errors.find((e: any) => e.kind === 'UNKNOWN_TYPE').count).toBe(40);
  });

  it('a minority of bad frames among the first ones: exit 0', () => {
    const sample = readFileSync(SAMPLE);
    const f = p('early-junk.itch');
    writeFileSync(f, Buffer.concat([frames([itch.raw('z', 30), itch.raw(0x01, 5)], false), sample]));
    const { status, json } = riskgateJson(['replay', f]);
    expect(status).toBe(0);
    expect(json.errors.find((e: any) => e.kind === 'UNKNOWN_TYPE').count).toBe(2);
  });

  it('the judge looks at most 64 frames of the first 64 KiB', () => {
    const bad = frames(Array.from({ length: 200 }, () => itch.raw('z', 30)), false);
    expect(sniffFrames(bad, true)).toMatchObject({ frames: 64, valid: 0 });
    expect(sniffFrames(readFileSync(SAMPLE), true)).toMatchObject({ frames: 64, valid: 64, refusal: undefined });
  });
});
