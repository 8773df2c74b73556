/**
 * Record exports: raw 32-byte records (`.bin`, readable by `riskgate decode`), JSON lines
 * (`.jsonl`) or CSV (`.csv`), chosen by the output file's extension.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { formatPrice } from '../itch/decode.ts';
import { KIND_NAMES, NO_SYMBOL, RecordKind } from '../records/layout.ts';
import { controlOpName, flagNames, problemName, reasonNames, recordOf, recordToJson } from '../records/decode.ts';
import { RecordView } from '../records/view.ts';

export interface RecordSink {
  write(records: Buffer): Promise<void>;
  close(): Promise<void>;
}

export const CSV_HEADER = 'kind,seq,timestamp_ns,symbol,side,price,qty,accepted,reasons,bid_px,bid_sz,ask_px,ask_sz,flags,position_after,detail';

/** One CSV row, read straight off the record view. */
function csvRow(r: RecordView, symbols: readonly string[]): string {
  const sym = r.symbol === NO_SYMBOL ? '' : (symbols[r.symbol] ?? String(r.symbol));
  const cells: (string | number)[] = [KIND_NAMES[r.kind] || 'UNKNOWN', r.seq, r.ts, sym];
  switch (r.kind) {
    case RecordKind.TOB: {
      const bid = r.bidSz || r.bidPx;
      const ask = r.askSz || r.askPx;
      cells.push('', '', '', '', '', bid ? formatPrice(r.bidPx) : '', bid ? r.bidSz : '',
        ask ? formatPrice(r.askPx) : '', ask ? r.askSz : '', flagNames(r.flags).join('|'), '', '');
      break;
    }
    case RecordKind.DECISION:
      cells.push(r.side, formatPrice(r.price), r.qty, r.accepted ? 1 : 0, reasonNames(r.reasons).join('|'), '', '', '', '', '', '', `account ${r.accountId}`);
      break;
    case RecordKind.FILL:
      cells.push(r.side, formatPrice(r.price), r.qty, '', '', '', '', '', '', '', r.positionAfter, `leg ${r.leg}`);
      break;
    case RecordKind.CONTROL:
      cells.push('', '', '', '', '', '', '', '', '', '', '', `${controlOpName(r.op)} target ${r.target} value ${r.value}`);
      break;
    case RecordKind.PROBLEM:
      cells.push('', '', '', '', '', '', '', '', '', '', '', `${problemName(r.problem)} type 0x${r.typeByte.toString(16)} length ${r.frameLength}`);
      break;
    default:
      cells.push('', '', '', '', '', '', '', '', '', '', '', `kind ${r.kind}`);
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
      for (const r = new RecordView(buf); r.next(); ) s += `${JSON.stringify(recordToJson(recordOf(r), symbols))}\n`;
      return s;
    });
  }
  if (lower.endsWith('.csv')) {
    out.write(`${CSV_HEADER}\n`);
    return new StreamSink(out, (buf) => {
      let s = '';
      for (const r = new RecordView(buf); r.next(); ) s += `${csvRow(r, symbols)}\n`;
      return s;
    });
  }
  // Raw records: exactly the bytes the digest covers.
  return new StreamSink(out, (buf) => Buffer.from(buf));
}
