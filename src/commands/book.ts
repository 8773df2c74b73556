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
import { configBlob, loadConfig, parseConfig, DEFAULT_CONFIG_PATH } from '../config/index.ts';
import { readFileSync } from 'node:fs';
import { createEngine } from '../engine/create.ts';
import { formatPrice } from '../itch/decode.ts';
import { progressBar } from '../progress.ts';
import { replay } from '../replay/run.ts';
import { flagNames } from '../records/decode.ts';
import { RecordKind } from '../records/layout.ts';
import { RecordView } from '../records/view.ts';
import { checkInput } from '../source/file.ts';
import { usageError } from './usage.ts';

export const BOOK_CSV_HEADER = 'seq,timestamp_ns,symbol,bid_px,bid_sz,ask_px,ask_sz,flags';
const USAGE = `usage: riskgate book <file> --symbols A,B,… --out bbo.csv [--config f]

  writes ${BOOK_CSV_HEADER}: one row per change of a symbol's top of book or of its flags
  (a row may repeat the previous prices and sizes with other flags); an empty side is blank`;

/** The default config with its symbol list replaced (limits copied from the first symbol). */
function configForSymbols(symbols: string[]) {
  const json = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  const template = json.symbols[0];
  json.symbols = symbols.map((symbol) => ({ ...template, symbol }));
  return parseConfig(json, `${DEFAULT_CONFIG_PATH} (symbols ${symbols.join(',')})`);
}

export async function bookCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { symbols: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.out || (!values.symbols && !values.config)) throw usageError(USAGE);
  const file = positionals[0];
  checkInput(file);
  const config = values.symbols
    ? configForSymbols(values.symbols.split(',').map((s) => s.trim()).filter(Boolean))
    : loadConfig(values.config);
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
    process.stdout.write(`${rows} top-of-book rows for ${names.join(',')} from ${result.stats.messages} messages → ${values.out}\n`);
    return 0;
  } finally {
    bar?.done();
    engine.close();
  }
}
