/**
 * `riskgate gen --seed N --symbols K --messages M --out f.itch[.gz] [--controls] [--config f] [--json]`:
 * writes a seeded, realistic ITCH 5.0 session (src/gen/). Same arguments ⇒ byte-identical
 * session on every machine (the SHA-256 printed is that of the uncompressed stream).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { generateSession, MAX_GEN_SYMBOLS, type GenSummary } from '../gen/index.ts';
import { usageError } from './usage.ts';

const USAGE = `usage: riskgate gen --out <file.itch[.gz]> [--seed N] [--symbols K] [--messages M] [--controls] [--config <file>] [--json]

  --out       output file; a name ending in .gz is gzip-compressed
  --seed      PRNG seed, an integer in [0, 2^53) (default 1)
  --symbols   symbols with order flow, 1..${MAX_GEN_SYMBOLS} (default 8): the config's first K names,
              then invented names the config does not subscribe (~20% of the flow)
  --messages  framed ITCH messages in the session (default 1M); suffixes k and M allowed (200k, 5M)
  --controls  insert in-band control messages: kill switches, limit changes, credit raises
  --config    config the session is shaped for (default config/default.json)
  --json      print the summary as JSON`;

/** Parses a positive count: digits with optional _ separators and an optional k / M suffix. */
export function parseCount(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const m = /^(\d[\d_]*)(k|K|m|M)?$/.exec(v.trim());
  if (!m) throw usageError(`--${name} must be a non-negative integer (optionally with a k or M suffix), got ${JSON.stringify(v)}\n\n${USAGE}`);
  const n = Number(m[1].replaceAll('_', '')) * (m[2] === undefined ? 1 : /k/i.test(m[2]) ? 1_000 : 1_000_000);
  if (!Number.isSafeInteger(n)) throw usageError(`--${name} is too large: ${v}`);
  return n;
}

export async function genCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      seed: { type: 'string' },
      symbols: { type: 'string' },
      messages: { type: 'string' },
      controls: { type: 'boolean' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${USAGE}`);
  if (!values.out) throw usageError(`--out is required\n\n${USAGE}`);
  const seed = parseCount('seed', values.seed, 1);
  const symbols = parseCount('symbols', values.symbols, 8);
  const messages = parseCount('messages', values.messages, 1_000_000);
  if (symbols < 1 || symbols > MAX_GEN_SYMBOLS) throw usageError(`--symbols must be between 1 and ${MAX_GEN_SYMBOLS}, got ${symbols}`);
  const config = loadConfig(values.config);
  let summary: GenSummary;
  try {
    summary = await generateSession({ seed, symbols, messages, out: values.out, config, controlMessages: values.controls === true });
  } catch (e) {
    if (e instanceof RangeError) throw usageError(e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR' || err.code === 'ENOTDIR' || err.code === 'EROFS') {
      const why = err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 'its directory does not exist' : err.code === 'EISDIR' ? 'it is a directory' : 'permission denied';
      throw usageError(`cannot write ${values.out}: ${why} (${err.code})`);
    }
    throw e;
  }
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  return 0;
}

export function formatSummary(s: GenSummary): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  const pct = (x: number): string => `${((100 * x) / s.messages).toFixed(1)}%`;
  const t = s.byType;
  const g = (k: string): number => t[k] ?? 0;
  const rate = s.elapsedMs > 0 ? `${n(Math.round((s.messages / s.elapsedMs) * 1000))} msg/s` : '';
  const e = s.events;
  const lines = [
    `riskgate gen — ${s.out ?? '(memory)'}`,
    `messages    ${n(s.messages)}${s.controls ? ` (+${n(s.controls)} control messages)` : ''}, seed ${s.seed}`,
    `symbols     ${s.symbols.length} with flow (${s.symbols.filter((x) => x.configIndex >= 0).map((x) => x.name).join(' ')}${s.symbols.some((x) => x.configIndex < 0) ? ` + ${s.symbols.filter((x) => x.configIndex < 0).length} unsubscribed, ${(100 * s.unsubscribedShare).toFixed(1)}% of flow` : ''}), ${s.fillers.length} directory-only`,
    `mix         add ${pct(g('A') + g('F'))}  delete ${pct(g('D'))}  exec ${pct(g('E') + g('C'))}  cancel ${pct(g('X'))}  replace ${pct(g('U'))}  trade ${pct(g('P'))}  other ${pct(s.messages - ['A', 'F', 'D', 'E', 'C', 'X', 'U', 'P'].reduce((a, k) => a + g(k), 0))}`,
    `by type     ${Object.entries(t).map(([k, v]) => `${k} ${n(v)}`).join('  ')}`,
    `episodes    stubs ${e.stubQuotes}, sub-penny ${e.offTickBid}+${e.offTickAsk}, halts ${e.halts}, MWCB ${e.circuitBreakers}, away prints ${e.awayPrints}, flickers ${e.flickers}, collisions ${e.collisions}, unknown refs ${e.unknownRefs}, sweeps ${n(e.sweeps)}, blocks ${n(e.blocks)}`,
  ];
  if (s.controls) lines.push(`controls    ${Object.entries(s.controlsByOp).map(([k, v]) => `${k} ${v}`).join('  ')}`);
  lines.push(`size        ${mb(s.bytes)} uncompressed${s.gzip && s.fileBytes !== undefined ? `, ${mb(s.fileBytes)} gzip` : ''}`);
  lines.push(`sha256      ${s.sha256} (uncompressed stream)`);
  lines.push(`time        ${(s.elapsedMs / 1000).toFixed(2)} s${rate ? `, ${rate}` : ''}`);
  return lines.join('\n');
}
