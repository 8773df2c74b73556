/**
 * Record exports (`--out PATH [--format bin|jsonl|csv|parquet]`, docs/exports.md):
 *
 * - `x.bin`: the raw 32-byte records, exactly the bytes the digest covers (`riskgate decode`);
 * - `x.jsonl`: one JSON object per row of the export tables, tagged with its `table`;
 * - `DIR/ --format csv|jsonl|parquet`: one file per table (decisions, fills, top_of_book,
 *   controls, problems) and a manifest.json with the versions, the config fingerprint, the
 *   row counts and the SHA-256 of the records.
 *
 * Anything else (an unknown extension or format, a CSV or Parquet path that names one file)
 * is a usage error, raised with every other output problem before the run starts.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, openSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { extname, join } from 'node:path';
import type { Config } from '../config/index.ts';
import { RiskgateError } from '../errors.ts';
import { RecordView } from '../records/view.ts';
import { exportMeta, packageVersion, type ExportMeta } from './meta.ts';
import { ParquetTableWriter } from './parquet.ts';
import { TABLES, dollars, exportContext, rowOf, type Cell, type Column, type ExportContext, type TableDef, type TableName } from './tables.ts';

export interface RecordSink {
  write(records: Buffer): Promise<void>;
  close(): Promise<void>;
}

export const EXPORT_FORMATS = ['bin', 'jsonl', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportTarget {
  path: string;
  format: ExportFormat;
  /** One file, or a directory with one file per table. */
  layout: 'file' | 'dir';
}

export const OUT_USAGE = '[--out records.bin|records.jsonl|DIR/ [--format bin|jsonl|csv|parquet]]';

const EXT_FORMAT: Record<string, ExportFormat> = { '.bin': 'bin', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.parquet': 'parquet' };
const TABLE_LIST = TABLES.map((t) => t.name).join(', ');

function usage(msg: string): RiskgateError {
  return new RiskgateError('USAGE', msg);
}

/** Decides what `--out PATH [--format F]` writes; a usage error for anything ambiguous or unknown. */
export function resolveExport(out: string, format?: string): ExportTarget {
  if (out === '') throw usage('--out needs a path');
  if (format !== undefined && !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw usage(`unknown --format ${JSON.stringify(format)} (bin, jsonl, csv or parquet)`);
  }
  const isDir = out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory());
  const ext = extname(out.replace(/\/+$/, '')).toLowerCase();
  const extFormat = EXT_FORMAT[ext];
  const perTable = (f: ExportFormat) =>
    `a ${{ csv: 'CSV', parquet: 'Parquet', jsonl: 'JSONL', bin: 'raw' }[f]} export${f === 'jsonl' ? ' into a directory' : ''} is one file per table (${TABLE_LIST}): use --out DIR/ --format ${f}`;
  if (format === undefined) {
    if (isDir) throw usage(`--out ${out} is a directory: say which files to write there with --format csv, jsonl or parquet`);
    if (extFormat === 'bin' || extFormat === 'jsonl') return { path: out, format: extFormat, layout: 'file' };
    if (extFormat === 'csv' || extFormat === 'parquet') throw usage(`--out ${out}: ${perTable(extFormat)}`);
    throw usage(`--out ${out}: unknown extension ${JSON.stringify(ext || '(none)')}: use records.bin (raw records), records.jsonl (JSON lines) or DIR/ with --format csv, jsonl or parquet`);
  }
  const f = format as ExportFormat;
  if (f === 'bin') {
    if (isDir) throw usage(`--out ${out} is a directory; --format bin writes one file (e.g. records.bin)`);
    if (extFormat && extFormat !== 'bin') throw usage(`--out ${out} has the extension of ${extFormat}, not bin`);
    return { path: out, format: f, layout: 'file' };
  }
  if (f === 'jsonl' && !isDir) {
    if (extFormat && extFormat !== 'jsonl') throw usage(`--out ${out} has the extension of ${extFormat}, not jsonl`);
    if (!extFormat) throw usage(`--out ${out}: for --format jsonl name a file records.jsonl or a directory DIR/ (one file per table)`);
    return { path: out, format: f, layout: 'file' };
  }
  // csv, parquet, and jsonl into a directory.
  if (!isDir && extFormat) throw usage(`--out ${out} looks like a file name; ${perTable(f)}`);
  if (!isDir && existsSync(out)) throw usage(`--out ${out} exists and is not a directory`);
  return { path: out, format: f, layout: 'dir' };
}

/** Opens a file for writing now, so that an unwritable output fails before the run starts. */
function openOut(path: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw usage(`cannot write --out ${path}: ${(e as Error).message}`);
  }
  return createWriteStream(path, { fd });
}

async function writeTo(out: WriteStream, data: string | Buffer): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}

async function end(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

// ---- cell formatting ----------------------------------------------------------------------

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A cell as CSV text: integers as digits, prices and money as dollars with 4 decimals, '' for null. */
export function csvCell(col: Column, v: Cell): string {
  if (v === null) return '';
  switch (col.type) {
    case 'price':
    case 'money':
      return dollars(v as number | bigint);
    case 'string':
      return csvField(v as string);
    default:
      return String(v);
  }
}

/** A cell as a JSON value: prices and money as decimal strings, integers as numbers (strings past 2^53). */
export function jsonCell(col: Column, v: Cell): unknown {
  if (v === null) return null;
  switch (col.type) {
    case 'price':
    case 'money':
      return dollars(v as number | bigint);
    case 'int64':
      return typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
    default:
      return v;
  }
}

function jsonRow(table: TableDef, cells: Cell[], tagged: boolean): string {
  const o: Record<string, unknown> = tagged ? { table: table.name } : {};
  table.columns.forEach((col, i) => (o[col.name] = jsonCell(col, cells[i])));
  return JSON.stringify(o);
}

function csvRow(table: TableDef, cells: Cell[]): string {
  return table.columns.map((col, i) => csvCell(col, cells[i])).join(',');
}

export function csvHeader(table: TableDef): string {
  return table.columns.map((c) => c.name).join(',');
}

// ---- sinks --------------------------------------------------------------------------------

/** Raw records: exactly the bytes the digest covers. */
class RawSink implements RecordSink {
  constructor(private readonly out: WriteStream) {}
  async write(records: Buffer): Promise<void> {
    if (records.length > 0) await writeTo(this.out, Buffer.from(records));
  }
  close(): Promise<void> {
    return end(this.out);
  }
}

/** Rows of every table as JSON lines, one file, each tagged with its table. */
class JsonlFileSink implements RecordSink {
  constructor(private readonly out: WriteStream, private readonly ctx: ExportContext) {}
  async write(records: Buffer): Promise<void> {
    let s = '';
    for (const v = new RecordView(records); v.next(); ) {
      const row = rowOf(v, this.ctx);
      if (row) s += `${jsonRow(row.table, row.cells, true)}\n`;
    }
    if (s) await writeTo(this.out, s);
  }
  close(): Promise<void> {
    return end(this.out);
  }
}

interface TableOut {
  table: TableDef;
  file: string;
  rows: number;
}

/** One file per table in a directory (CSV, JSONL or Parquet) and a manifest.json. */
class TableDirSink implements RecordSink {
  private readonly outs = new Map<TableName, TableOut & { stream: WriteStream; pq?: Promise<ParquetTableWriter> }>();
  private readonly hash = createHash('sha256');
  private records = 0;

  constructor(
    private readonly target: ExportTarget,
    private readonly ctx: ExportContext,
    private readonly meta: ExportMeta,
  ) {
    try {
      mkdirSync(target.path, { recursive: true });
    } catch (e) {
      throw usage(`cannot create --out directory ${target.path}: ${(e as Error).message}`);
    }
    for (const table of TABLES) {
      const file = `${table.name}.${target.format}`;
      const stream = openOut(join(target.path, file));
      const entry: TableOut & { stream: WriteStream; pq?: Promise<ParquetTableWriter> } = { table, file, rows: 0, stream };
      if (target.format === 'csv') stream.write(`${csvHeader(table)}\n`);
      if (target.format === 'parquet') {
        entry.pq = ParquetTableWriter.open(table, stream, this.kvMetadata(table), this.createdBy());
        entry.pq.catch(() => {});
      }
      this.outs.set(table.name, entry);
    }
  }

  private libraries(): Record<string, string> {
    return this.target.format === 'parquet' ? { 'apache-arrow': packageVersion('apache-arrow'), 'parquet-wasm': packageVersion('parquet-wasm') } : {};
  }

  private createdBy(): string {
    const libs = Object.entries(this.libraries()).map(([k, v]) => `${k} ${v}`).join(', ');
    return `riskgate ${this.meta.riskgate_version}${libs ? ` (${libs})` : ''}`;
  }

  /** Parquet key-value metadata: `riskgate.<field>` for every export metadata field (`riskgate.version` for riskgate_version). */
  private kvMetadata(table: TableDef): Map<string, string> {
    const m = new Map<string, string>([['riskgate.table', table.name]]);
    for (const [k, v] of Object.entries(this.meta)) if (v !== null) m.set(`riskgate.${k.replace(/^riskgate_/, '')}`, String(v));
    for (const [k, v] of Object.entries(this.libraries())) m.set(`riskgate.writer.${k}`, v);
    return m;
  }

  async write(records: Buffer): Promise<void> {
    if (records.length === 0) return;
    this.hash.update(records);
    const fmt = this.target.format;
    const text = new Map<TableName, string>();
    for (const v = new RecordView(records); v.next(); ) {
      this.records++;
      const row = rowOf(v, this.ctx);
      if (!row) continue;
      const o = this.outs.get(row.table.name)!;
      o.rows++;
      if (fmt === 'parquet') await (await o.pq!).add(row.cells);
      else text.set(row.table.name, (text.get(row.table.name) ?? '') + (fmt === 'csv' ? csvRow(row.table, row.cells) : jsonRow(row.table, row.cells, false)) + '\n');
    }
    for (const [name, s] of text) await writeTo(this.outs.get(name)!.stream, s);
  }

  async close(): Promise<void> {
    for (const o of this.outs.values()) {
      if (o.pq) await (await o.pq).close();
      else await end(o.stream);
    }
    const manifest = {
      format: this.target.format,
      ...this.meta,
      ...(this.target.format === 'parquet' ? { writer: this.libraries() } : {}),
      records: this.records,
      records_sha256: this.hash.digest('hex'),
      tables: [...this.outs.values()].map((o) => ({
        name: o.table.name,
        file: o.file,
        rows: o.rows,
        columns: o.table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
      })),
    };
    writeFileSync(join(this.target.path, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

export interface SinkOptions {
  /** `--format`; otherwise the extension of `out` decides. */
  format?: string;
  config: Config;
  /** The input the records come from (for the metadata). */
  input?: string;
}

/**
 * Opens the export `--out out [--format f]`: every usage problem and every unwritable path is a
 * usage error here, before the run starts.
 */
export function openRecordSink(out: string, opts: SinkOptions): RecordSink {
  const target = resolveExport(out, opts.format);
  const ctx = exportContext(opts.config);
  if (target.layout === 'dir') return new TableDirSink(target, ctx, exportMeta(opts.config, opts.input));
  const stream = openOut(target.path);
  return target.format === 'bin' ? new RawSink(stream) : new JsonlFileSink(stream, ctx);
}

