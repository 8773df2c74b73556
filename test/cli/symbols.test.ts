/**
 * Issue 10, "unknown symbols are silent": a config or `book --symbols` naming a symbol that is
 * not in the file's stock directory is warned about by name (text and --json) with the nearest
 * names there, and every run says how many messages the file has for the subscribed symbols.
 * `replay FILE --symbols A,B,…` trades given symbols without a config file, and `--symbols
 * top:N` picks the file's N busiest, so any ITCH file can be replayed as it is.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SymbolCounter, parseSymbolsOption, topSymbols } from '../../src/config/subscription.ts';
import { frames, itch } from '../../src/itch/encode.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';
import { decodeRecords } from '../../src/records/decode.ts';
import { riskgate, riskgateJson, ROOT, SAMPLE } from './run-cli.ts';

const DEMO = join(ROOT, 'data/demo.itch.gz');
const DEFAULT = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-symbols-'));
});

/** The default config with MSFT misspelt and GOOG (not in the demo's directory) instead of AMD. */
function typoConfig(): string {
  const j = structuredClone(DEFAULT);
  j.symbols[1].symbol = 'MSFTT';
  j.symbols[6].symbol = 'GOOG';
  const p = join(dir, 'typo.json');
  writeFileSync(p, JSON.stringify(j));
  return p;
}

/** Messages per directory symbol of an uncompressed file, counted independently of src/config/subscription.ts. */
function countByHand(path: string): Map<string, number> {
  const buf = readFileSync(path);
  const locate = new Map<number, string>();
  const count = new Map<string, number>();
  for (const c = new FrameCursor(buf); c.next(); ) {
    if (c.kind !== FrameKind.MESSAGE || c.length < 3) continue;
    const body = c.body();
    const loc = body.readUInt16BE(1);
    if (body[0] === 0x52 /* R */) locate.set(loc, body.toString('latin1', 11, 19).trim());
    const name = locate.get(loc);
    if (loc !== 0 && name !== undefined) count.set(name, (count.get(name) ?? 0) + 1);
  }
  return count;
}

describe('symbols checked against the file', () => {
  it('a config symbol missing from the stock directory is warned about by name with the nearest names, in text and --json', () => {
    const cfg = typoConfig();
    const text = riskgate(['replay', DEMO, '--config', cfg]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/WARNING +MSFTT is not in the file's stock directory: no messages, no decisions; nearest there: MSFT\n/);
    expect(text.stdout).toMatch(/WARNING +GOOG is not in the file's stock directory/);
    expect(text.stdout).toMatch(/the directory: AAPL MSFT AMZN NVDA TSLA INTC AMD META QQQ SPY/);
    expect(text.stdout).toMatch(/symbols +8 subscribed \(config .*typo\.json\): [\d,]+ messages for them \([\d.]+% of 200,000\); the file's directory has 17 symbols/);

    const { status, json } = riskgateJson(['replay', DEMO, '--config', cfg]);
    expect(status).toBe(0);
    expect(json.symbols.unknown).toEqual([{ symbol: 'MSFTT', nearest: ['MSFT'] }, { symbol: 'GOOG', nearest: [] }]);
    expect(json.symbols.directorySymbols).toBe(17);
    const hand = countByHandGz(DEMO);
    const want = ['AAPL', 'AMZN', 'NVDA', 'TSLA', 'INTC', 'META'].reduce((a, s) => a + (hand.get(s) ?? 0), 0);
    expect(json.symbols.subscribedMessages).toBe(want);
    expect(json.symbols.subscribed.find((s: any) => s.symbol === 'GOOG')).toEqual({ symbol: 'GOOG', messages: 0, inDirectory: false });
  });

  it('book --symbols with a symbol missing from the directory warns on stderr with the nearest name and counts the messages', () => {
    const out = join(dir, 'bbo.csv');
    const r = riskgate(['book', DEMO, '--symbols', 'AAPL,MSFTT', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("riskgate book: warning: MSFTT is not in the file's stock directory (17 symbols); nearest: MSFT");
    expect(r.stdout).toMatch(/top-of-book rows for AAPL,MSFTT from 200000 messages \(\d+ for these symbols\)/);
  });

  it('replay --symbols A,B trades the given symbols without a config file: listed ones keep their limits, others get symbolDefaults', () => {
    const bin = join(dir, 'qqq.bin');
    const { status, json, stderr } = riskgateJson(['replay', DEMO, '--symbols', 'QQQ,SPY,AAPL', '--out', bin]);
    expect(status, stderr).toBe(0);
    expect(json.symbols.chosenBy).toBe('--symbols');
    expect(json.symbols.unknown).toEqual([]);
    expect(json.symbols.subscribed.map((s: any) => s.symbol)).toEqual(['QQQ', 'SPY', 'AAPL']);
    const decisions = decodeRecords(readFileSync(bin)).filter((r) => r.kind === 'DECISION');
    for (const i of [0, 1, 2]) expect(decisions.filter((d) => d.symbol === i).length, json.symbols.subscribed[i].symbol).toBeGreaterThan(0);
    expect(json.decisions).toBe(decisions.length);
  });

  it('replay --symbols top:8 on a day-profile file from the generator produces decisions for its own eight busiest symbols', () => {
    const file = join(dir, 'day.itch');
    const g = riskgate(['gen', '--profile', 'day', '--messages', '1M', '--out', file]);
    expect(g.status, g.stderr).toBe(0);
    const bin = join(dir, 'day.bin');
    const { status, json, stderr } = riskgateJson(['replay', file, '--symbols', 'top:8', '--out', bin]);
    expect(status, stderr).toBe(0);
    const chosen: string[] = json.symbols.subscribed.map((s: any) => s.symbol);
    expect(chosen).toHaveLength(8);
    expect(json.symbols.chosenBy).toBe('top:8 of the file');
    // the eight busiest by an independent count, in order
    const hand = [...countByHand(file)].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(chosen).toEqual(hand.slice(0, 8).map(([s]) => s));
    expect(json.symbols.subscribed.map((s: any) => s.messages)).toEqual(hand.slice(0, 8).map(([, n]) => n));
    const decisions = decodeRecords(readFileSync(bin)).filter((r) => r.kind === 'DECISION');
    for (let i = 0; i < 8; i++) expect(decisions.filter((d) => d.symbol === i).length, chosen[i]).toBeGreaterThan(0);
    expect(json.decisions).toBeGreaterThan(1000);
  }, 180_000);

  it('--symbols top:N works on real NASDAQ data (the sample: directory and trading actions only)', () => {
    const { status, json } = riskgateJson(['replay', SAMPLE, '--symbols', 'top:3']);
    expect(status).toBe(0);
    expect(json.symbols.subscribed).toHaveLength(3);
    expect(json.symbols.unknown).toEqual([]);
  });

  it('--symbols refuses lowercase (with the uppercase suggestion), duplicates and a bad top:N with exit 2', () => {
    const lower = riskgate(['replay', DEMO, '--symbols', 'aapl,MSFT']);
    expect(lower.status).toBe(2);
    expect(lower.stderr).toContain('did you mean "AAPL"?');
    expect(riskgate(['replay', DEMO, '--symbols', 'AAPL,AAPL']).status).toBe(2);
    expect(riskgate(['replay', DEMO, '--symbols', 'top:0']).status).toBe(2);
    expect(riskgate(['replay', DEMO, '--symbols', 'top:65']).status).toBe(2);
    expect(riskgate(['book', DEMO, '--symbols', 'msft', '--out', join(dir, 'x.csv')]).status).toBe(2);
    expect(() => parseSymbolsOption('AAPL,,MSFT')).not.toThrow();
    expect(parseSymbolsOption(' top:8 ')).toEqual({ top: 8 });
  });

  it('the counter attributes messages to the symbol their locate named at the time, and ignores control messages', () => {
    const c = new SymbolCounter();
    c.observe(frames([
      itch.systemEvent({ locate: 0, ts: 1 }, 'O'),
      itch.stockDirectory({ locate: 1, ts: 2 }, 'AAA'),
      itch.addOrder({ locate: 1, ts: 3 }, { ref: 1n, side: 'B', shares: 1, stock: 'AAA', price: 10000 }),
      itch.control(1, 0xffff, 4, 1, 0n),
      itch.stockDirectory({ locate: 1, ts: 4 }, 'BBB'),
      itch.delete({ locate: 1, ts: 5 }, { ref: 1n }),
      itch.delete({ locate: 1, ts: 6 }, { ref: 2n }),
      itch.delete({ locate: 9, ts: 7 }, { ref: 3n }),
    ], true));
    expect([...c.counts()]).toEqual([['AAA', 2], ['BBB', 3]]);
    expect(c.unnamed).toBe(1);
    expect(c.messages).toBe(7);
    expect(topSymbols(c, 1)).toEqual(['BBB']);
  });
});

/** countByHand on a gzip file. */
function countByHandGz(path: string): Map<string, number> {
  const p = join(dir, 'demo.itch');
  writeFileSync(p, gunzipSync(readFileSync(path)));
  return countByHand(p);
}
