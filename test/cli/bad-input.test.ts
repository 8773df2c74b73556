/**
 * Every bad-input case of the issue: each gets a clear message with context and is counted;
 * only unusable input ends the run, with its documented exit code.
 */
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { frames, itch } from '../../src/itch/encode.ts';
import { riskgate, riskgateJson, SAMPLE } from './run-cli.ts';

let dir: string;
const h = (ts: number) => ({ locate: 1, ts });
const good = [
  itch.systemEvent(h(1), 'O'),
  itch.stockDirectory(h(2), 'AAPL'),
  itch.addOrder(h(3), { ref: 1n, side: 'B', shares: 100, stock: 'AAPL', price: 1_900_000 }),
  itch.addOrder(h(4), { ref: 2n, side: 'S', shares: 100, stock: 'AAPL', price: 1_900_100 }),
];

function write(name: string, data: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-bad-'));
});

describe('bad input is reported with context and counted, never a crash', () => {
  it('a truncated last message: error with its offset, seq and type; exit 0', () => {
    const whole = frames(good, false);
    const cut = whole.subarray(0, whole.length - 10);
    const p = write('truncated.itch', cut);
    const { status, json } = riskgateJson(['replay', p]);
    expect(status).toBe(0);
    const t = json.errors.find((e: any) => e.kind === 'TRUNCATED');
    expect(t).toBeDefined();
    expect(t.count).toBe(1);
    const lastFrameOffset = whole.length - (good[3].length + 2);
    expect(t.firstOffset).toBe(lastFrameOffset);
    expect(t.firstSeq).toBe(4);
    expect(t.message).toContain('type A');
    expect(json.messages).toBe(4);
  });

  it('a length that does not match its type: BAD_LENGTH with type and offset', () => {
    const bad = Buffer.concat([good[0], Buffer.alloc(3)]); // an S of 15 bytes
    const data = frames([good[1], bad, good[2]], true);
    const p = write('badlen.itch', data);
    const { status, json } = riskgateJson(['replay', p]);
    expect(status).toBe(0);
    const e = json.errors.find((x: any) => x.kind === 'BAD_LENGTH');
    expect(e.count).toBe(1);
    expect(e.firstSeq).toBe(2);
    expect(e.firstOffset).toBe(good[1].length + 2);
    expect(e.message).toMatch(/type S has length 15, expected 12/);
    expect(json.messages).toBe(3);
  });

  it('unknown message types are skipped by length and counted', () => {
    const data = frames([good[1], itch.raw('z', 30), itch.raw(0x01, 5), good[2]], true);
    const p = write('unknown.itch', data);
    const { status, json } = riskgateJson(['replay', p]);
    expect(status).toBe(0);
    const e = json.errors.find((x: any) => x.kind === 'UNKNOWN_TYPE');
    expect(e.count).toBe(2);
    expect(e.firstSeq).toBe(2);
    expect(e.message).toContain('unknown message type z');
    expect(json.byType.z).toBe(1);
  });

  it('unknown order references are counted as a warning', () => {
    const data = frames([good[1], good[2], itch.delete(h(9), { ref: 999n }), itch.executed(h(9), { ref: 998n, shares: 1, match: 1n })], true);
    const p = write('unknownref.itch', data);
    const { status, json } = riskgateJson(['replay', p]);
    expect(status).toBe(0);
    const w = json.warnings.find((x: any) => x.kind === 'UNKNOWN_ORDER_REF');
    expect(w.count).toBe(2);
  });

  it('a missing end marker is a warning, not an error', () => {
    const p = write('nomarker.itch', frames(good, false));
    const { status, json } = riskgateJson(['replay', p]);
    expect(status).toBe(0);
    expect(json.errors).toEqual([]);
    expect(json.warnings.map((w: any) => w.kind)).toContain('MISSING_END_MARKER');
  });

  it('bytes after the end marker are a warning', () => {
    const p = write('after.itch', Buffer.concat([frames(good, true), Buffer.from('junk')]));
    const { status, json } = riskgateJson(['replay', p]);
    expect(status).toBe(0);
    expect(json.warnings.map((w: any) => w.kind)).toContain('DATA_AFTER_END_MARKER');
  });

  it('a corrupt gzip stream ends the run with exit 4 and says where', () => {
    const gz = gzipSync(readFileSync(SAMPLE));
    const broken = Buffer.from(gz);
    for (let i = 200; i < 400; i++) broken[i] ^= 0x5a;
    const p = write('corrupt.itch.gz', broken);
    const r = riskgate(['replay', p, '--json']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/INPUT_UNREADABLE: .*corrupt\.itch\.gz: corrupt gzip stream after \d+ decompressed bytes/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('a missing file ends the run with exit 3', () => {
    const r = riskgate(['replay', join(dir, 'nope.itch')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/INPUT_MISSING: cannot read input .*nope\.itch: ENOENT/);
    const i = riskgate(['inspect', join(dir, 'nope.itch')]);
    expect(i.status).toBe(3);
  });

  it('an invalid config ends the run with exit 5 and lists every problem', () => {
    const cfg = JSON.parse(readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8'));
    cfg.symbols[0].maxQty = -5;
    cfg.symbols[1].account = 'NOBODY';
    cfg.accounts[0].creditLimit = 1e9; // a number, not a decimal string
    const c = write('bad-config.json', Buffer.from(JSON.stringify(cfg)));
    const p = write('ok.itch', frames(good, true));
    const r = riskgate(['replay', p, '--config', c]);
    expect(r.status).toBe(5);
    expect(r.stderr).toContain('config.symbols[0].maxQty: -5 is out of range');
    expect(r.stderr).toContain('config.symbols[1].account: unknown account "NOBODY"');
    expect(r.stderr).toContain('config.accounts[0].creditLimit: expected a non-negative decimal string');
    const notJson = write('not.json', Buffer.from('{ nope'));
    expect(riskgate(['replay', p, '--config', notJson]).status).toBe(5);
    expect(riskgate(['replay', p, '--config', join(dir, 'missing.json')]).status).toBe(5);
  });

  it('bad usage exits 2', () => {
    expect(riskgate(['replay']).status).toBe(2);
    expect(riskgate(['replay', SAMPLE, '--speed', 'warp']).status).toBe(2);
    expect(riskgate(['frobnicate']).status).toBe(2);
  });
});
