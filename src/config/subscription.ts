/**
 * Which symbols of a session file a run trades, checked against the file itself: the stock
 * directory (R messages: stock locate → symbol, spec §3.2) and how many messages each symbol
 * has. A config or `--symbols` naming a symbol the file's directory does not have is warned
 * about by name with the nearest names that are there; `--symbols top:N` picks the N symbols
 * with the most messages. Counting is one tight loop over each batch's frames, either during
 * the replay (no second read of the file) or in a first pass that streams the file.
 */
import { MESSAGE_LENGTH } from '../contract.ts';
import { isInBand } from '../itch/layout.ts';
import { RiskgateError } from '../errors.ts';
import { loadNative } from '../engine/rust.ts';
import { readBatches } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';
import type { Config } from './index.ts';
import { nearestNames } from './nearest.ts';
import { MAX_SYMBOLS, SYMBOL_PATTERN } from './schema.ts';

const R = 'R'.charCodeAt(0);
const R_LENGTH = MESSAGE_LENGTH.R;
/** Stock symbol in a stock directory message: 8 bytes at 11, space padded (spec §3.2). */
const R_STOCK = 11;
const countLocates = (frames: Buffer, from: number, perLocate: Float64Array, tally: Float64Array): number => loadNative().countLocates(frames, from, perLocate, tally);

/** Messages per symbol of a session, from its frames (stock locate at bytes 1–2 of every message). */
export class SymbolCounter {
  /** Messages per stock locate since the locate was last (re)named. */
  private readonly perLocate = new Float64Array(65536);
  private readonly names: (string | undefined)[] = new Array(65536);
  private readonly byName = new Map<string, number>();
  /** Symbols in the stock directory, in order of their first R message. */
  readonly directory = new Set<string>();
  /** Messages counted by one native walk. */
  private readonly tally = new Float64Array(1);
  /** Messages with a nonzero stock locate that no R message had named (yet). */
  unnamed = 0;
  messages = 0;

  observe(frames: Buffer): void {
    // The walk is native (native/src/locate_count.rs, the rules below); it stops in front of
    // each stock directory message, which names its locate here before it is counted.
    const b = frames;
    const counts = this.perLocate;
    const tally = this.tally;
    tally[0] = 0;
    let off = 0;
    for (;;) {
      const at = countLocates(b, off, counts, tally);
      if (at < 0) break;
      const s = at + 2;
      const loc = (b[s + 1] << 8) | b[s + 2];
      this.name(loc, b.toString('latin1', s + R_STOCK, s + R_STOCK + 8).trimEnd());
      if (loc !== 0) counts[loc]++;
      tally[0]++;
      off = s + R_LENGTH;
    }
    this.messages += tally[0];
  }

  /** The same walk in JavaScript (the rules the native one follows; the tests compare them). */
  observeInJs(frames: Buffer): void {
    const b = frames;
    const end = b.length;
    const counts = this.perLocate;
    let off = 0;
    let messages = 0;
    while (off + 2 <= end) {
      const n = (b[off] << 8) | b[off + 1];
      const s = off + 2;
      if (n === 0 || s + n > end) break; // end marker, or a cut-off frame
      off = s + n;
      const t = b[s];
      if (isInBand(t, n)) continue; // in-band control or order-entry frame: no seq
      messages++;
      if (n < 3) continue;
      const loc = (b[s + 1] << 8) | b[s + 2];
      if (t === R && n === R_LENGTH) this.name(loc, b.toString('latin1', s + R_STOCK, s + R_STOCK + 8).trimEnd());
      if (loc !== 0) counts[loc]++;
    }
    this.messages += messages;
  }

  private name(loc: number, stock: string): void {
    const old = this.names[loc];
    if (old === stock) return;
    this.flush(loc);
    this.names[loc] = stock;
    this.directory.add(stock);
  }

  private flush(loc: number): void {
    const c = this.perLocate[loc];
    if (c === 0) return;
    const name = this.names[loc];
    if (name === undefined) this.unnamed += c;
    else this.byName.set(name, (this.byName.get(name) ?? 0) + c);
    this.perLocate[loc] = 0;
  }

  /** Messages per symbol (the directory's symbols, 0 for those without any other message). */
  counts(): Map<string, number> {
    for (let loc = 0; loc < 65536; loc++) if (this.perLocate[loc] !== 0) this.flush(loc);
    const out = new Map<string, number>();
    for (const s of this.directory) out.set(s, this.byName.get(s) ?? 0);
    return out;
  }
}

/** A first pass over a file (streamed, never loaded whole): its directory and messages per symbol. */
export async function scanSymbols(file: string, onProgress?: (read: number, total: number) => void): Promise<SymbolCounter> {
  const c = new SymbolCounter();
  for await (const b of readBatches(file, { problems: new ProblemLog(), onProgress, batchFrames: 65536 })) c.observe(b.frames);
  return c;
}

/** `--symbols top:N`: the N symbols with most messages (ties by name), from a counter. */
export function topSymbols(counter: SymbolCounter, n: number): string[] {
  return [...counter.counts()]
    .filter(([s]) => new RegExp(SYMBOL_PATTERN, 'u').test(s))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([s]) => s);
}

/** A parsed `--symbols` value: a list of names, or `top:N`. */
export type SymbolsOption = { names: string[] } | { top: number };

/** Parses `--symbols A,B,…` or `--symbols top:N`; throws USAGE on a malformed value. */
export function parseSymbolsOption(v: string): SymbolsOption {
  const top = /^top:(\d+)$/i.exec(v.trim());
  if (top) {
    const n = Number(top[1]);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SYMBOLS) throw new RiskgateError('USAGE', `--symbols top:N needs N in 1..${MAX_SYMBOLS}, got ${JSON.stringify(v)}`);
    return { top: n };
  }
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  const re = new RegExp(SYMBOL_PATTERN, 'u');
  const problems: string[] = [];
  if (names.length === 0) problems.push('no symbol given');
  if (names.length > MAX_SYMBOLS) problems.push(`${names.length} symbols; at most ${MAX_SYMBOLS}`);
  const seen = new Set<string>();
  for (const s of names) {
    if (!re.test(s)) {
      const up = s.toUpperCase();
      problems.push(`${JSON.stringify(s)} is not an ITCH stock symbol (1-8 characters, uppercase letters, digits or punctuation)${up !== s && re.test(up) ? `; symbols are case-sensitive as in ITCH: did you mean ${JSON.stringify(up)}?` : ''}`);
    }
    if (seen.has(s.toUpperCase())) problems.push(`${JSON.stringify(s)} is given twice`);
    seen.add(s.toUpperCase());
  }
  if (problems.length > 0) throw new RiskgateError('USAGE', `--symbols ${JSON.stringify(v)}: ${problems.join('; ')} (give A,B,… or top:N)`);
  return { names };
}

export interface SubscriptionReport {
  /** Messages of the file (those taking a seq), and how many are for the subscribed symbols. */
  messages: number;
  subscribedMessages: number;
  directorySymbols: number;
  subscribed: { symbol: string; messages: number; inDirectory: boolean }[];
  /** Subscribed symbols the file's stock directory does not have, with the nearest that it has. */
  unknown: { symbol: string; nearest: string[] }[];
  /** How the symbols were chosen: the config, a list, or top:N. */
  chosenBy: string;
  /** The directory's symbols when there are few (≤ 32), to show when nothing is near an unknown one. */
  directory: string[];
}

/** The subscription of `config` checked against what `counter` saw in the file. */
export function subscriptionReport(config: Config, counter: SymbolCounter, chosenBy: string): SubscriptionReport {
  const counts = counter.counts();
  const subscribed = config.symbols.map((s) => ({ symbol: s.symbol, messages: counts.get(s.symbol) ?? 0, inDirectory: counts.has(s.symbol) }));
  const names = [...counts.keys()];
  const unknown = subscribed
    .filter((s) => !s.inDirectory)
    .map((s) => ({ symbol: s.symbol, nearest: nearestNames(s.symbol, names, { limit: 3, maxDistance: Math.max(1, Math.min(2, s.symbol.length - 1)) }) }));
  return {
    messages: counter.messages,
    subscribedMessages: subscribed.reduce((a, s) => a + s.messages, 0),
    directorySymbols: counts.size,
    subscribed,
    unknown,
    chosenBy,
    directory: names.length <= 32 ? names : [],
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The text report's lines: the subscription, and a warning per unknown symbol. */
export function formatSubscription(r: SubscriptionReport): string {
  const lines: string[] = [];
  const share = r.messages > 0 ? ` (${((100 * r.subscribedMessages) / r.messages).toFixed(2)}% of ${fmt(r.messages)})` : '';
  lines.push(`symbols       ${r.subscribed.length} subscribed (${r.chosenBy}): ${fmt(r.subscribedMessages)} messages for them${share}; the file's directory has ${fmt(r.directorySymbols)} symbols`);
  const shown = r.subscribed.map((s) => `${s.symbol} ${fmt(s.messages)}`);
  lines.push(`  per symbol  ${shown.length > 16 ? `${shown.slice(0, 16).join('  ')}  … (+${shown.length - 16} more)` : shown.join('  ')}`);
  for (const u of r.unknown) {
    lines.push(`  WARNING     ${u.symbol} is not in the file's stock directory: no messages, no decisions${u.nearest.length > 0 ? `; nearest there: ${u.nearest.join(', ')}` : ''}`);
  }
  if (r.unknown.some((u) => u.nearest.length === 0) && r.directory.length > 0 && r.directory.length <= 32) lines.push(`              the directory: ${r.directory.join(' ')}`);
  if (r.directorySymbols === 0) lines.push("  WARNING     the file has no stock directory (R messages): the engine cannot map any message to a symbol");
  return lines.join('\n');
}

/** One line for stderr per unknown symbol (book, and before a long replay's report). */
export function unknownSymbolWarnings(r: SubscriptionReport): string[] {
  return r.unknown.map((u) => `warning: ${u.symbol} is not in the file's stock directory (${fmt(r.directorySymbols)} symbols)${u.nearest.length > 0 ? `; nearest: ${u.nearest.join(', ')}` : ''}`);
}
