/** `riskgate decode <records.bin> [--config f] [--json]`: prints raw records as text. */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { decodeRecord, formatRecord, recordToJson } from '../records/decode.ts';
import { RECORD_SIZE } from '../records/layout.ts';
import { checkInput } from '../source/file.ts';
import { RiskgateError } from '../errors.ts';
import { usageError } from './usage.ts';
import { helpFor } from './help.ts';

export const DECODE_OPTIONS = { config: { type: 'string' }, json: { type: 'boolean' } } as const;

export const help = helpFor('usage: riskgate decode <records.bin> [--config f] [--json]', DECODE_OPTIONS, {
  config: '<file> config of the run that wrote the records (for the symbol names; default config/default.json)',
  json: 'print one JSON object per record instead of text lines',
});

export async function decodeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DECODE_OPTIONS });
  if (positionals.length !== 1) throw usageError(help.usage);
  const file = positionals[0];
  const size = checkInput(file);
  if (size % RECORD_SIZE !== 0) {
    throw new RiskgateError('INPUT_UNREADABLE', `${file}: ${size} bytes is not a whole number of ${RECORD_SIZE}-byte records (is it a raw .bin record file from replay --out?)`);
  }
  const symbols = loadConfig(values.config).symbols.map((s) => s.symbol);
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const whole = buf.length - (buf.length % RECORD_SIZE);
    let s = '';
    for (let off = 0; off < whole; off += RECORD_SIZE) {
      const r = decodeRecord(buf, off);
      s += values.json ? `${JSON.stringify(recordToJson(r, symbols))}\n` : `${formatRecord(r, symbols)}\n`;
    }
    if (!process.stdout.write(s)) await new Promise((r) => process.stdout.once('drain', r));
    carry = buf.subarray(whole);
  }
  return 0;
}
