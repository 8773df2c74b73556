/**
 * Parquet tables: apache-arrow builds each row group as an Arrow record batch with the typed
 * schema of src/export/tables.ts, and parquet-wasm (Apache arrow-rs's Parquet writer compiled
 * to WebAssembly) streams the batches to the file (ZSTD). The file's key-value metadata and the
 * Arrow schema metadata carry the export metadata (versions, config fingerprint).
 *
 * Both libraries are loaded on first use, so other commands never load the WebAssembly module.
 */
import type { WriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import type * as ArrowNs from 'apache-arrow';
import type * as ParquetNs from 'parquet-wasm';
import type { Cell, Column, TableDef } from './tables.ts';

/** Rows per Parquet row group. */
export const ROW_GROUP_ROWS = 65_536;

/** DECIMAL precision per column type (scale 4). */
const PRECISION = { price: 10, money: 20 } as const;

let libs: Promise<{ arrow: typeof ArrowNs; pq: typeof ParquetNs }> | undefined;
export function parquetLibs(): Promise<{ arrow: typeof ArrowNs; pq: typeof ParquetNs }> {
  libs ??= Promise.all([import('apache-arrow'), import('parquet-wasm')]).then(([arrow, pq]) => ({ arrow, pq }));
  return libs;
}

function arrowType(arrow: typeof ArrowNs, col: Column): ArrowNs.DataType {
  switch (col.type) {
    case 'int64':
      return new arrow.Int64();
    case 'price':
    case 'money':
      return new arrow.Decimal(4, PRECISION[col.type], 128);
    case 'bool':
      return new arrow.Bool();
    case 'string':
      return new arrow.Utf8();
  }
}

/** Validity bitmap (bit set = value present) and null count, or none when nothing is null. */
function validity(cells: readonly Cell[]): { nullBitmap?: Uint8Array; nullCount: number } {
  let nulls = 0;
  for (const v of cells) if (v === null) nulls++;
  if (nulls === 0) return { nullCount: 0 };
  const bm = new Uint8Array((cells.length + 7) >> 3);
  cells.forEach((v, i) => {
    if (v !== null) bm[i >> 3] |= 1 << (i & 7);
  });
  return { nullBitmap: bm, nullCount: nulls };
}

function columnData(arrow: typeof ArrowNs, col: Column, type: ArrowNs.DataType, cells: readonly Cell[]): ArrowNs.Data {
  const length = cells.length;
  switch (col.type) {
    case 'int64': {
      const data = new BigInt64Array(length);
      cells.forEach((v, i) => {
        if (v !== null) data[i] = BigInt(v as number | bigint);
      });
      return arrow.makeData({ type: type as ArrowNs.Int64, length, data, ...validity(cells) });
    }
    case 'price':
    case 'money': {
      // 128-bit two's complement little-endian words per value, in units of $0.0001 (scale 4).
      const words = new Uint32Array(length * 4);
      cells.forEach((v, i) => {
        if (v === null) return;
        let u = BigInt.asUintN(128, BigInt(v as number | bigint));
        for (let w = 0; w < 4; w++, u >>= 32n) words[i * 4 + w] = Number(u & 0xffffffffn);
      });
      return arrow.makeData({ type: type as ArrowNs.Decimal, length, data: words, ...validity(cells) });
    }
    case 'bool':
    case 'string': {
      const v = arrow.vectorFromArray(cells as (boolean | string | null)[], type as ArrowNs.Bool | ArrowNs.Utf8);
      if (v.data.length !== 1) throw new Error(`export: ${col.name}: expected one Arrow chunk, got ${v.data.length}`);
      return v.data[0] as ArrowNs.Data;
    }
  }
}

/** Streams one table's rows into a Parquet file, a row group at a time. */
export class ParquetTableWriter {
  private rows: Cell[][] = [];
  private written = 0;
  private controller!: ReadableStreamDefaultController<unknown>;
  private wantMore: (() => void) | null = null;
  private failed = false;
  private readonly schema: ArrowNs.Schema;
  private readonly types: ArrowNs.DataType[];
  private readonly done: Promise<void>;

  private constructor(
    private readonly arrow: typeof ArrowNs,
    private readonly pq: typeof ParquetNs,
    private readonly table: TableDef,
    out: WriteStream,
    metadata: Map<string, string>,
    createdBy: string,
  ) {
    this.types = table.columns.map((col) => arrowType(arrow, col));
    const fields = table.columns.map((col, i) => new arrow.Field(col.name, this.types[i], col.nullable, new Map([['description', col.doc]])));
    this.schema = new arrow.Schema(fields, metadata);
    const batches = new ReadableStream<unknown>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: () => {
          this.wantMore?.();
          this.wantMore = null;
        },
      },
      { highWaterMark: 2 },
    );
    const props = new pq.WriterPropertiesBuilder()
      .setCompression(pq.Compression.ZSTD)
      .setMaxRowGroupSize(ROW_GROUP_ROWS)
      .setKeyValueMetadata(metadata)
      .setCreatedBy(createdBy)
      .build();
    this.done = pq.transformParquetStream(batches, props).then((bytes) => bytes.pipeTo(Writable.toWeb(out) as WritableStream<Uint8Array>));
    // A failed write wakes a waiting flush and surfaces at the next add or at close, never as
    // an unhandled rejection.
    this.done.catch(() => {
      this.failed = true;
      this.wantMore?.();
    });
  }

  /** A writer of `table` into `out` (closed when the file is complete). */
  static async open(table: TableDef, out: WriteStream, metadata: Map<string, string>, createdBy: string): Promise<ParquetTableWriter> {
    const { arrow, pq } = await parquetLibs();
    return new ParquetTableWriter(arrow, pq, table, out, metadata, createdBy);
  }

  async add(cells: Cell[]): Promise<void> {
    if (this.failed) await this.done;
    this.rows.push(cells);
    if (this.rows.length >= ROW_GROUP_ROWS) await this.flush();
  }

  get rowCount(): number {
    return this.written + this.rows.length;
  }

  private batch(rows: Cell[][]): unknown {
    const { arrow, pq } = this;
    const children = this.table.columns.map((col, j) => columnData(arrow, col, this.types[j], rows.map((r) => r[j])));
    const data = arrow.makeData({ type: new arrow.Struct(this.schema.fields), length: rows.length, children });
    const ipc = arrow.tableToIPC(new arrow.Table(this.schema, [new arrow.RecordBatch(this.schema, data)]), 'stream');
    const wasmTable = pq.Table.fromIPCStream(ipc);
    const [b] = wasmTable.recordBatches();
    return b;
  }

  private async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    this.written += rows.length;
    this.controller.enqueue(this.batch(rows));
    if ((this.controller.desiredSize ?? 1) <= 0 && !this.failed) await new Promise<void>((resolve) => (this.wantMore = resolve));
    if (this.failed) await this.done;
  }

  async close(): Promise<void> {
    if (this.failed) await this.done;
    // An empty table still gets a file with its schema (one empty batch).
    if (this.rows.length > 0 || this.written === 0) {
      const rows = this.rows;
      this.rows = [];
      this.written += rows.length;
      this.controller.enqueue(this.batch(rows));
    }
    this.controller.close();
    await this.done;
  }
}
