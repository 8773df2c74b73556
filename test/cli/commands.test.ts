/** The replay, book, decode and gen commands end to end, as a user runs them. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { frames, itch } from '../../src/itch/encode.ts';
import { FLAG_NAMES } from '../../src/records/layout.ts';
import { riskgate, riskgateJson, ROOT, SAMPLE } from './run-cli.ts';

let dir: string;
const DEMO = join(ROOT, 'data/demo.itch.gz');
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-cmd-'));
});

describe('riskgate replay', () => {
  it('--json prints exactly one JSON object with the documented keys', () => {
    const r = riskgate(['replay', DEMO, '--json']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    for (const k of ['messages', 'byType', 'errors', 'warnings', 'decisions', 'accepted', 'rejected', 'rejectReasons', 'fills', 'flaggedShare', 'recordsSha256']) {
      expect(j).toHaveProperty(k);
    }
    expect(j.messages).toBe(200_000);
    expect(j.accepted + j.rejected).toBe(j.decisions);
    expect(j.fills).toBe(j.accepted);
    expect(j.flaggedShare).toBeLessThan(0.01);
    // Every reject reason fires on the bundled session.
    for (const [reason, n] of Object.entries(j.rejectReasons)) expect(n, reason).toBeGreaterThan(0);
    expect(j.recordsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the raw record export hashes to the reported digest, and decode prints it', () => {
    const out = join(dir, 'records.bin');
    const { json } = riskgateJson(['replay', DEMO, '--out', out]);
    const bytes = readFileSync(out);
    expect(bytes.length).toBe(json.recordBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(json.recordsSha256);
    const d = riskgate(['decode', out]);
    expect(d.status).toBe(0);
    const lines = d.stdout.trim().split('\n');
    expect(lines).toHaveLength(bytes.length / 32);
    expect(d.stdout).toMatch(/DECISION +AAPL +(BUY|SELL) \d+ @ \d+\.\d{4} acct 1001 (ACCEPTED|REJECTED)/);
    expect(d.stdout).toMatch(/FILL +\w+ +(BOUGHT|SOLD) +\d+ @/);
    expect(d.stdout).toMatch(/CONTROL/);
  });

  it('JSONL carries one line per record tagged with its table; CSV is one file per table whose rows add up to the records', () => {
    const jsonl = join(dir, 'r.jsonl');
    const csv = join(dir, 'csv/');
    const a = riskgateJson(['replay', DEMO, '--out', jsonl]).json;
    riskgateJson(['replay', DEMO, '--out', csv, '--format', 'csv']);
    const jl = readFileSync(jsonl, 'utf8').trim().split('\n');
    expect(jl).toHaveLength(a.recordBytes / 32);
    const first = JSON.parse(jl[0]);
    expect(first).toHaveProperty('table');
    let rows = 0;
    for (const t of ['decisions', 'fills', 'top_of_book', 'controls', 'problems']) {
      const cl = readFileSync(join(csv, `${t}.csv`), 'utf8').trim().split('\n');
      expect(cl[0]).toMatch(t === 'problems' ? /^seq,problem,/ : /^seq,timestamp_ns,/);
      rows += cl.length - 1;
    }
    expect(rows).toBe(a.recordBytes / 32);
  });

  it('--speed realtime paces by ITCH timestamps: a 0.29 s session takes at least 0.25 s', () => {
    const msgs = [itch.stockDirectory({ locate: 1, ts: 34_200_000_000_000 }, 'AAPL')];
    for (let i = 0; i < 30; i++) msgs.push(itch.addOrder({ locate: 1, ts: 34_200_000_000_000 + i * 10_000_000 }, { ref: BigInt(i + 1), side: 'B', shares: 100, stock: 'AAPL', price: 1_900_000 - i * 100 }));
    const p = join(dir, 'paced.itch');
    writeFileSync(p, frames(msgs, true));
    const t0 = Date.now();
    const r = riskgate(['replay', p, '--speed', 'realtime', '--json']);
    const elapsed = Date.now() - t0;
    expect(r.status).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(JSON.parse(r.stdout).messages).toBe(31);
  });
});

describe('riskgate book', () => {
  it('writes the top-of-book series with exactly the documented columns', () => {
    const out = join(dir, 'bbo.csv');
    const r = riskgate(['book', DEMO, '--symbols', 'AAPL,MSFT', '--out', out]);
    expect(r.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('seq,timestamp_ns,symbol,bid_px,bid_sz,ask_px,ask_sz,flags');
    expect(lines.length).toBeGreaterThan(1000);
    const syms = new Set<string>();
    const prev = new Map<string, string[]>();
    let flagsOnly = 0;
    for (const line of lines.slice(1)) {
      const c = line.split(',');
      expect(c).toHaveLength(8);
      syms.add(c[2]);
      for (const px of [c[3], c[5]]) if (px !== '') expect(px).toMatch(/^\d+\.\d{4}$/);
      // A row only when (bid px, bid sz, ask px, ask sz) or the flags changed for that symbol
      // (spec §7: every flags change is a record, so a row may repeat the prices).
      const p = prev.get(c[2]);
      expect(p?.join(','), line).not.toBe(c.slice(3, 8).join(','));
      if (p && p.slice(0, 4).join(',') === c.slice(3, 7).join(',')) {
        expect(p[4], line).not.toBe(c[7]);
        flagsOnly++;
      }
      prev.set(c[2], c.slice(3, 8));
      if (c[7] !== '') for (const f of c[7].split('|')) expect(FLAG_NAMES).toContain(f);
    }
    expect([...syms].sort()).toEqual(['AAPL', 'MSFT']);
    // the bundled session has rows where only the flags changed (a sub-penny order behind the touch)
    expect(flagsOnly).toBeGreaterThan(0);
  });

  it('leaves an empty side blank', () => {
    const msgs = [
      itch.stockDirectory({ locate: 1, ts: 1 }, 'ZZZ'),
      itch.addOrder({ locate: 1, ts: 2 }, { ref: 1n, side: 'B', shares: 100, stock: 'ZZZ', price: 100_000 }),
    ];
    const p = join(dir, 'oneside.itch');
    writeFileSync(p, frames(msgs, true));
    const out = join(dir, 'oneside.csv');
    expect(riskgate(['book', p, '--symbols', 'ZZZ', '--out', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')[1]).toBe('2,2,ZZZ,10.0000,100,,,');
  });
});

describe('riskgate gen', () => {
  it('the same seed gives the same bytes; the session is clean', () => {
    const a = join(dir, 'a.itch');
    const b = join(dir, 'b.itch');
    expect(riskgate(['gen', '--seed', '5', '--symbols', '3', '--messages', '20000', '--out', a]).status).toBe(0);
    expect(riskgate(['gen', '--seed', '5', '--symbols', '3', '--messages', '20000', '--out', b]).status).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const { json } = riskgateJson(['inspect', a]);
    expect(json.messages).toBe(20000);
    expect(json.errors).toEqual([]);
    expect(json.warnings).toEqual([]);
  });
});

describe('riskgate replay of the real sample', () => {
  it('processes all 1000 messages with no errors and no decisions (no order flow)', () => {
    const { status, json } = riskgateJson(['replay', SAMPLE]);
    expect(status).toBe(0);
    expect(json.messages).toBe(1000);
    expect(json.byType).toEqual({ S: 1, R: 993, H: 3, Y: 3 });
    expect(json.errors).toEqual([]);
    expect(json.decisions).toBe(0);
  });
});
