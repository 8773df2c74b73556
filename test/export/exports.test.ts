/**
 * The typed exports of docs/exports.md, end to end through the CLI: one table per record kind,
 * names instead of indexes, dollars instead of engine units, `timestamp_ns` in every format,
 * Parquet with its metadata, and the usage errors that replaced "anything else is raw bytes".
 * Each expected row is computed here from the raw records (decodeRecords) and the config,
 * independently of src/export.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { TABLES } from '../../src/export/tables.ts';
import { formatPrice } from '../../src/itch/decode.ts';
import { frames, itch } from '../../src/itch/encode.ts';
import { CONTROL_OPS } from '../../src/contract.ts';
import { controlOpName, decodeRecords, flagNames, problemName, reasonNames, type EngineRecord } from '../../src/records/decode.ts';
import { riskgate, riskgateJson, ROOT } from '../cli/run-cli.ts';

const DEMO = join(ROOT, 'data/demo.itch.gz');
let dir: string;
let config: Config;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-export-'));
  config = loadConfig();
});

const dollars = (units: number | bigint) => new Decimal(units.toString()).div(10_000).toFixed(4);

/** The rows docs/exports.md promises for each record, from the record and the config alone. */
export function expectedRows(records: EngineRecord[], cfg: Config): Record<string, Record<string, unknown>[]> {
  const t: Record<string, Record<string, unknown>[]> = { decisions: [], fills: [], top_of_book: [], controls: [], problems: [] };
  const sym = (i: number) => cfg.symbols[i].symbol;
  for (const r of records) {
    switch (r.kind) {
      case 'DECISION':
        t.decisions.push({
          seq: r.seq, timestamp_ns: r.ts, symbol: sym(r.symbol), account: cfg.accounts[r.account].name, account_id: r.accountId,
          side: r.side, price: formatPrice(r.price), qty: r.qty, notional: dollars(BigInt(r.price) * BigInt(r.qty)),
          accepted: r.accepted, reject_reasons: r.reasons ? reasonNames(r.reasons).join('|') : null,
        });
        break;
      case 'FILL':
        t.fills.push({
          seq: r.seq, timestamp_ns: r.ts, symbol: sym(r.symbol), account: cfg.accounts[r.account].name, account_id: cfg.accounts[r.account].id,
          side: r.side, price: formatPrice(r.price), qty: r.qty, notional: dollars(BigInt(r.price) * BigInt(r.qty)),
          position_after: r.positionAfter, leg: r.leg,
        });
        break;
      case 'TOB': {
        const f = flagNames(r.flags);
        t.top_of_book.push({
          seq: r.seq, timestamp_ns: r.ts, symbol: sym(r.symbol),
          bid_px: r.bidPx || r.bidSz ? formatPrice(r.bidPx) : null, bid_sz: r.bidSz,
          ask_px: r.askPx || r.askSz ? formatPrice(r.askPx) : null, ask_sz: r.askSz,
          band_bid: f.includes('BAND_BID'), band_ask: f.includes('BAND_ASK'), collision: f.includes('COLLISION'),
        });
        break;
      }
      case 'CONTROL': {
        const op = CONTROL_OPS.find((o) => o.code === r.op)!;
        const unit = ({ flag: 'flag', shares: 'shares', 'notional units': 'dollars', 'basis points': 'bps', orders: 'orders', nanoseconds: 'ns', none: 'none' } as Record<string, string>)[op.unit];
        t.controls.push({
          seq: r.seq, timestamp_ns: r.ts, op: controlOpName(r.op), scope: op.target,
          symbol: op.target === 'symbol' ? sym(r.target) : null,
          account: op.target === 'account' ? cfg.accounts[r.target].name : null,
          value: unit === 'dollars' ? dollars(r.value) : r.value.toString(), unit,
        });
        break;
      }
      case 'PROBLEM':
        t.problems.push({ seq: r.seq, problem: problemName(r.code), type_byte: r.type, frame_length: r.length, expected_length: r.expectedLength || null });
        break;
      default:
        throw new Error(`unexpected record kind ${r.kind}`);
    }
  }
  return t;
}

function csvTable(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { header: head.split(','), rows: lines.filter(Boolean).map((l) => l.split(',')) };
}

describe('typed exports (docs/exports.md)', () => {
  let records: EngineRecord[];
  let expected: Record<string, Record<string, unknown>[]>;
  let json: any;

  beforeAll(() => {
    const bin = join(dir, 'demo.bin');
    json = riskgateJson(['replay', DEMO, '--out', bin]).json;
    records = decodeRecords(readFileSync(bin));
    expected = expectedRows(records, config);
    for (const [f, out] of [['csv', 'csv/'], ['jsonl', 'jsonl/'], ['parquet', 'parquet/']]) {
      const r = riskgate(['replay', DEMO, '--out', join(dir, out), '--format', f]);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(riskgate(['replay', DEMO, '--out', join(dir, 'demo.jsonl')]).status).toBe(0);
  });

  it('decision and fill rows name the account the same way: its config name and its id, never an index', () => {
    const d = csvTable(join(dir, 'csv/decisions.csv'));
    const f = csvTable(join(dir, 'csv/fills.csv'));
    const names = new Set(config.accounts.map((a) => a.name));
    for (const t of [d, f]) {
      const ai = t.header.indexOf('account'), ii = t.header.indexOf('account_id');
      expect(ai).toBeGreaterThanOrEqual(0);
      expect(ii).toBeGreaterThanOrEqual(0);
      for (const row of t.rows) {
        expect(names.has(row[ai]), row.join(',')).toBe(true);
        expect(Number(row[ii])).toBe(config.accounts.find((a) => a.name === row[ai])!.id);
      }
    }
    // The same in the one-file JSONL export.
    const lines = readFileSync(join(dir, 'demo.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const dec = lines.find((l) => l.table === 'decisions');
    const fill = lines.find((l) => l.table === 'fills');
    expect(typeof dec.account).toBe('string');
    expect(typeof fill.account).toBe('string');
    expect(fill.account_id).toBe(config.accounts.find((a) => a.name === fill.account)!.id);
  });

  it('the CSV export is one table per record kind whose rows add up to the records, with no empty cell outside nullable columns', () => {
    const files = readdirSync(join(dir, 'csv')).sort();
    expect(files).toEqual([...TABLES.map((t) => `${t.name}.csv`), 'manifest.json'].sort());
    let total = 0;
    for (const t of TABLES) {
      const { header, rows } = csvTable(join(dir, 'csv', `${t.name}.csv`));
      expect(header).toEqual(t.columns.map((c) => c.name));
      expect(rows.length, t.name).toBe(expected[t.name].length);
      total += rows.length;
      // Checked cell by cell; the first few bad cells are reported.
      const bad: string[] = [];
      t.columns.forEach((c, i) => {
        const re = c.type === 'int64' ? /^-?\d+$/ : c.type === 'price' || c.type === 'money' ? /^\d+\.\d{4}$/ : c.type === 'bool' ? /^(true|false)$/ : /./;
        for (const [n, row] of rows.entries()) {
          const v = row[i];
          if (v === '' ? !c.nullable : !re.test(v)) bad.push(`${t.name} row ${n + 1} ${c.name}=${JSON.stringify(v)}`);
          if (bad.length >= 5) break;
        }
      });
      expect(bad).toEqual([]);
    }
    expect(total).toBe(json.recordBytes / 32);
  });

  it('control rows show limits in dollars and shares, never engine units', () => {
    const { header, rows } = csvTable(join(dir, 'csv/controls.csv'));
    expect(rows.length).toBeGreaterThan(0);
    const col = (n: string) => header.indexOf(n);
    const units = new Set(rows.map((r) => r[col('unit')]));
    expect(units.has('dollars')).toBe(true);
    const raw = records.filter((r): r is Extract<EngineRecord, { kind: 'CONTROL' }> => r.kind === 'CONTROL');
    rows.forEach((row, i) => {
      const rec = raw[i];
      if (row[col('unit')] === 'dollars') {
        // Engine notional units are 1/10,000 dollar: the export divides exactly.
        expect(row[col('value')]).toBe(dollars(rec.value));
        expect(row[col('value')]).not.toBe(rec.value.toString());
      } else {
        expect(row[col('value')]).toBe(rec.value.toString());
      }
      if (row[col('scope')] === 'symbol') expect(config.symbols.map((s) => s.symbol)).toContain(row[col('symbol')]);
      if (row[col('scope')] === 'account') expect(config.accounts.map((a) => a.name)).toContain(row[col('account')]);
    });
  });

  it('no table has a column named flags (it shadows pandas DataFrame.flags): the book flags are three boolean columns', () => {
    for (const t of TABLES) expect(t.columns.map((c) => c.name)).not.toContain('flags');
    const { header, rows } = csvTable(join(dir, 'csv/top_of_book.csv'));
    for (const f of ['band_bid', 'band_ask', 'collision']) {
      const i = header.indexOf(f);
      expect(i).toBeGreaterThanOrEqual(0);
      for (const row of rows) expect(['true', 'false']).toContain(row[i]);
    }
  });

  it('timestamps are integer nanoseconds named timestamp_ns in every table that has one and in every format', () => {
    const jsonl = readFileSync(join(dir, 'jsonl/decisions.jsonl'), 'utf8').split('\n')[0];
    expect(Number.isInteger(JSON.parse(jsonl).timestamp_ns)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'parquet/manifest.json'), 'utf8'));
    for (const t of manifest.tables) {
      if (t.name === 'problems') continue; // problems carry no timestamp (spec §11: ts = 0)
      expect(t.columns.find((c: { name: string }) => c.name === 'timestamp_ns')).toEqual({ name: 'timestamp_ns', type: 'int64', nullable: false });
      expect(t.columns.some((c: { name: string }) => /^(ts|timestamp)$/.test(c.name))).toBe(false);
    }
  });

  it('every directory export has a manifest with the versions, the config fingerprint and the records digest', () => {
    const blob = readFileSync(join(dir, 'demo.bin'));
    for (const f of ['csv', 'jsonl', 'parquet']) {
      const m = JSON.parse(readFileSync(join(dir, f, 'manifest.json'), 'utf8'));
      expect(m.format).toBe(f);
      expect(m.riskgate_version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
      expect(m.spec_version).toBe(3);
      expect(m.record_version).toBe(3);
      expect(m.config_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.records).toBe(blob.length / 32);
      expect(m.records_sha256).toBe(createHash('sha256').update(blob).digest('hex'));
      expect(m.records_sha256).toBe(json.recordsSha256);
      expect(m.tables.map((t: { rows: number }) => t.rows)).toEqual(TABLES.map((t) => expected[t.name].length));
    }
  });

  it('Parquet, CSV and JSONL load in pandas with the documented types and the records\u2019 values, Parquet with riskgate\u2019s metadata', () => {
    const py = pythonWithPyarrow();
    // The demo (decisions, fills, book, controls) and a short session with input problems.
    // The demo's exports (decisions, fills, book, controls; written above) and a short session
    // with input problems.
    const p = join(dir, 'py-problems');
    const input = problemSession();
    expect(riskgate(['replay', input, '--out', `${p}.bin`]).status).toBe(0);
    for (const f of ['csv', 'jsonl', 'parquet']) expect(riskgate(['replay', input, '--out', `${p}-${f}/`, '--format', f]).status).toBe(0);
    expect(riskgate(['replay', input, '--out', `${p}.jsonl`]).status).toBe(0);
    const cases = [
      { name: 'demo', exp: expected, parquet: join(dir, 'parquet'), csv: join(dir, 'csv'), jsonl: join(dir, 'jsonl'), file: join(dir, 'demo.jsonl') },
      { name: 'problems', exp: expectedRows(decodeRecords(readFileSync(`${p}.bin`)), config), parquet: `${p}-parquet`, csv: `${p}-csv`, jsonl: `${p}-jsonl`, file: `${p}.jsonl` },
    ];
    expect(cases[1].exp.problems.length).toBeGreaterThanOrEqual(3);
    for (const { name, exp, parquet, csv, jsonl, file } of cases) {
      const expPath = join(dir, `${name}-expected.json`);
      writeFileSync(expPath, JSON.stringify({ tables: exp }));
      const r = spawnPython(py, [join(ROOT, 'test/export/read_exports.py'), expPath, parquet, csv, jsonl, file]);
      const out = JSON.parse(r);
      for (const t of TABLES) {
        const got = out.tables[t.name];
        expect(got.arrow_types_ok, `${name} ${t.name}: ${JSON.stringify(got.arrow_types)}`).toBe(true);
        expect(got.csv_inferred_int_columns_ok, `${name} ${t.name}: ${JSON.stringify(got.csv_inferred_dtypes)}`).toBe(true);
        for (const f of ['parquet', 'csv', 'jsonl', 'jsonl_file']) {
          expect(got[f].mismatches, `${name} ${t.name} ${f}`).toEqual([]);
          expect(got[f].rows, `${name} ${t.name} ${f}`).toBe(exp[t.name].length);
        }
      }
      expect(out.metadata['riskgate.config_sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(out.metadata['riskgate.version']).toBe('0.1.0');
      expect(out.metadata['riskgate.spec_version']).toBe('3');
      expect(out.metadata['riskgate.record_version']).toBe('3');
      expect(out.metadata['riskgate.table']).toBe('decisions');
      expect(out.metadata['riskgate.writer.parquet-wasm']).toMatch(/^\d+\.\d+\.\d+/);
      expect(out.metadata['riskgate.writer.apache-arrow']).toMatch(/^\d+\.\d+\.\d+/);
      expect(out.created_by).toMatch(/^riskgate 0\.1\.0 \(apache-arrow [\d.]+, parquet-wasm [\d.]+\)$/);
    }
  }, 600_000);
});

describe('--out and --format errors', () => {
  it('an unknown --out extension is a usage error and writes nothing (it used to write raw records)', () => {
    const out = join(dir, 'records.txt');
    const r = riskgate(['replay', DEMO, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/riskgate replay: USAGE: .*unknown extension ".txt"/);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown --format is a usage error', () => {
    const r = riskgate(['replay', DEMO, '--out', join(dir, 'x/'), '--format', 'xlsx']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown --format "xlsx" \(bin, jsonl, csv or parquet\)/);
  });

  it('a CSV or Parquet path naming one file explains the one-file-per-table layout', () => {
    for (const [out, f] of [['r.csv', 'csv'], ['r.parquet', 'parquet']]) {
      const r = riskgate(['replay', DEMO, '--out', join(dir, out)]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`is one file per table (decisions, fills, top_of_book, controls, problems): use --out DIR/ --format ${f}`);
      expect(existsSync(join(dir, out))).toBe(false);
    }
  });

  it('an unwritable --out is a usage error before the run starts, not an unhandled stream error', () => {
    const t0 = Date.now();
    const r = riskgate(['replay', DEMO, '--out', '/nonexistent/dir/x.bin']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^riskgate replay: USAGE: cannot write --out \/nonexistent\/dir\/x.bin: ENOENT/);
    expect(r.stderr).not.toMatch(/Unhandled|at .*\.ts:\d+/);
    expect(r.stdout).toBe('');
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});

/** A short session with decisions off-hours and three input problems: unknown type, bad length, truncated. */
function problemSession(): string {
  const h = (ts: number) => ({ locate: 1, ts });
  const msgs = [
    itch.stockDirectory(h(1_000), 'AAPL'),
    itch.addOrder(h(2_000), { ref: 1n, side: 'B', shares: 300, stock: 'AAPL', price: 1_900_000 }),
    itch.addOrder(h(3_000), { ref: 2n, side: 'S', shares: 100, stock: 'AAPL', price: 1_900_300 }),
  ];
  const good = frames(msgs);
  const unknown = Buffer.from([0x00, 0x05, 0x5a, 0x00, 0x01, 0x00, 0x00]); // 'Z', 5 bytes
  const badLength = Buffer.concat([Buffer.from([0x00, 0x10]), itch.addOrder(h(4_000), { ref: 3n, side: 'B', shares: 1, stock: 'AAPL', price: 1 }).subarray(0, 16)]);
  const truncated = Buffer.from([0x00, 0x24, 0x41, 0x00]);
  const p = join(dir, 'problems.itch');
  writeFileSync(p, Buffer.concat([good, unknown, badLength, truncated]));
  return p;
}


/** The .cache/pyenv interpreter with pyarrow and pandas (scripts/python-env.sh installs it if missing). */
function pythonWithPyarrow(): string {
  return execFileSync('bash', [join(ROOT, 'scripts/python-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 540_000 }).trim();
}

function spawnPython(py: string, args: string[]): string {
  return execFileSync(py, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

