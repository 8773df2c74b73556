/**
 * `riskgate book <file> --symbols A,B,… --out bbo.csv`: the top-of-book time series, one row
 * per TOB record of a subscribed symbol: per change of (bid price, bid size, ask price, ask
 * size) or of its flags (spec §7, record version 2), so consecutive rows of a symbol may show
 * the same prices and sizes with different flags — the row where the engine starts (or stops)
 * doubting its book.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { configBlob, loadConfig } from '../config/index.ts';
import { subscriptionReport, unknownSymbolWarnings } from '../config/subscription.ts';
import { chooseSymbols } from '../config/choose-symbols.ts';
import { createEngine } from '../engine/create.ts';
import { formatPrice } from '../itch/decode.ts';
import { progressBar } from '../progress.ts';
import { replay } from '../replay/run.ts';
import { flagNames } from '../records/decode.ts';
import { RecordKind } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';
import { checkInput } from '../source/file.ts';
import { usageError } from './usage.ts';
import { checkItch } from '../source/sniff.ts';
import { CONFIG_HELP, helpFor } from './help.ts';

export const BOOK_CSV_HEADER = 'seq,timestamp_ns,symbol,bid_px,bid_sz,ask_px,ask_sz,flags';
const USAGE = `usage: riskgate book <file> (--symbols A,B,…|top:N | --config f) --out bbo.csv

  writes ${BOOK_CSV_HEADER}: one row per change of a symbol's top of book or of its flags
  (a row may repeat the previous prices and sizes with other flags); an empty side is blank.
  --symbols top:N takes the file's N busiest symbols (a first pass over the file); a symbol
  that is not in the file's stock directory is warned about with the nearest names there`;


export const BOOK_OPTIONS = { symbols: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' } } as const;

export const help = helpFor(USAGE, BOOK_OPTIONS, {
  symbols: '<A,B,…|top:N> symbols to follow (or the file\'s N busiest); needed unless --config lists them',
  out: '<file.csv> where to write the CSV (required)',
  config: CONFIG_HELP,
});

export async function bookCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: BOOK_OPTIONS });
  if (positionals.length !== 1 || !values.out || (!values.symbols && !values.config)) throw usageError(USAGE);
  const file = positionals[0];
  checkInput(file);
  await checkItch(file);
  let config = loadConfig(values.config);
  const chosen = await chooseSymbols(config, values.config, file, values.symbols, true);
  config = chosen.config;
  const { chosenBy, seen } = chosen;
  const names = config.symbols.map((s) => s.symbol);
  const engine = createEngine('rust', configBlob(config));
  const out = createWriteStream(values.out);
  out.write(`${BOOK_CSV_HEADER}\n`);
  let rows = 0;
  const side = (px: number, sz: number) => (px === 0 && sz === 0 ? ',' : `${formatPrice(px)},${sz}`);
  const bar = progressBar(`book ${file}`);
  try {
    const result = await replay({
      file, config, engine, onProgress: bar?.update,
      observe: chosen.scanned ? undefined : (frames) => seen.observe(frames),
      onRecords: async (records) => {
        let s = '';
        for (const r = new RecordView(records); r.next(); ) {
          if (r.kind !== RecordKind.TOB) continue;
          s += `${r.seq},${r.ts},${names[r.symbol]},${side(r.bidPx, r.bidSz)},${side(r.askPx, r.askSz)},${flagNames(r.flags).join('|')}\n`;
          rows++;
        }
        if (s && !out.write(s)) await once(out, 'drain');
      },
    });
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    bar?.done();
    const sub = subscriptionReport(config, seen, chosenBy);
    for (const w of unknownSymbolWarnings(sub)) process.stderr.write(`riskgate book: ${w}\n`);
    process.stdout.write(`${rows} top-of-book rows for ${names.join(',')} from ${result.stats.messages} messages (${sub.subscribedMessages} for these symbols) → ${values.out}\n`);
    return 0;
  } finally {
    bar?.done();
    engine.close();
  }
}
