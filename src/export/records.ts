/**
 * Record exports: raw 32-byte records (`.bin`, readable by `riskgate decode`), JSON lines
 * (`.jsonl`) or CSV (`.csv`), chosen by the output file's extension.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { formatPrice } from '../itch/decode.ts';
import { RECORD_SIZE } from '../records/layout.ts';
import { decodeRecord, flagNames, problemName, reasonNames, recordToJson, controlOpName, type EngineRecord } from '../records/decode.ts';

export interface RecordSink {
  write(records: Buffer): Promise<void>;
  close(): Promise<void>;
}

export const CSV_HEADER = 'kind,seq,timestamp_ns,symbol,side,price,qty,accepted,reasons,bid_px,bid_sz,ask_px,ask_sz,flags,position_after,detail';

function csvRow(r: EngineRecord, symbols: readonly string[]): string {
  const sym = r.symbol === 255 ? '' : (symbols[r.symbol] ?? String(r.symbol));
  const cells: (string | number)[] = [r.kind, r.seq, r.ts, sym];
  switch (r.kind) {
    case 'TOB':
      cells.push('', '', '', '', '', r.bidSz || r.bidPx ? formatPrice(r.bidPx) : '', r.bidSz || r.bidPx ? r.bidSz : '',
        r.askSz || r.askPx ? formatPrice(r.askPx) : '', r.askSz || r.askPx ? r.askSz : '', flagNames(r.flags).join('|'), '', '');
      break;
    case 'DECISION':
      cells.push(r.side, formatPrice(r.price), r.qty, r.accepted ? 1 : 0, reasonNames(r.reasons).join('|'), '', '', '', '', '', '', `account ${r.accountId}`);
      break;
    case 'FILL':
      cells.push(r.side, formatPrice(r.price), r.qty, '', '', '', '', '', '', '', r.positionAfter, `leg ${r.leg}`);
      break;
    case 'CONTROL':
      cells.push('', '', '', '', '', '', '', '', '', '', '', `${controlOpName(r.op)} target ${r.target} value ${r.value}`);
      break;
    case 'PROBLEM':
      cells.push('', '', '', '', '', '', '', '', '', '', '', `${problemName(r.code)} type 0x${r.type.toString(16)} length ${r.length}`);
      break;
    default:
      cells.push('', '', '', '', '', '', '', '', '', '', '', `kind ${r.rawKind}`);
  }
  return cells.join(',');
}

class StreamSink implements RecordSink {
  constructor(
    private readonly out: WriteStream,
    private readonly encode: (records: Buffer) => string | Buffer,
  ) {}
  async write(records: Buffer): Promise<void> {
    if (records.length === 0) return;
    if (!this.out.write(this.encode(records))) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

export function openRecordSink(path: string, symbols: readonly string[]): RecordSink {
  const out = createWriteStream(path);
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
    return new StreamSink(out, (buf) => {
      let s = '';
      for (let off = 0; off + RECORD_SIZE <= buf.length; off += RECORD_SIZE) s += `${JSON.stringify(recordToJson(decodeRecord(buf, off), symbols))}\n`;
      return s;
    });
  }
  if (lower.endsWith('.csv')) {
    out.write(`${CSV_HEADER}\n`);
    return new StreamSink(out, (buf) => {
      let s = '';
      for (let off = 0; off + RECORD_SIZE <= buf.length; off += RECORD_SIZE) s += `${csvRow(decodeRecord(buf, off), symbols)}\n`;
      return s;
    });
  }
  // Raw records: exactly the bytes the digest covers.
  return new StreamSink(out, (buf) => Buffer.from(buf));
}
