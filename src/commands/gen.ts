/**
 * `riskgate gen --seed N --symbols K --messages M --out f.itch[.gz] [--controls] [--config f] [--json]`:
 * writes a seeded, realistic ITCH 5.0 session (src/gen/). Same arguments ⇒ byte-identical
 * session on every machine (the SHA-256 printed is that of the uncompressed stream).
 *
 * `--profile day` writes a real-sized NASDAQ day instead (src/gen/day/, docs/generator.md):
 * thousands of directory symbols, real-day statistics, streamed; `--config-out` writes the
 * config of its 64 busiest symbols.
 */
import { parseArgs } from 'node:util';
import { progressBar } from '../progress.ts';
import { loadConfig } from '../config/index.ts';
import { DAY_DEFAULT_SYMBOLS, DAY_MAX_SYMBOLS, DAY_MIN_SYMBOLS, generateDay, type DaySummary } from '../gen/day/index.ts';
import { generateSession, MAX_GEN_SYMBOLS, type GenSummary } from '../gen/index.ts';
import { usageError } from './usage.ts';
import { OrderFlowGenerator, type OrderFlowSummary } from '../gen/orders.ts';
import { writeChunks } from '../gen/write.ts';
import { writeCapture, type CaptureReport } from '../gen/pcap.ts';
import type { Config } from '../config/index.ts';
import { HELP_OPTION, helpFor } from './help.ts';

const USAGE = `usage: riskgate gen --out <file.itch[.gz]> [--seed N] [--symbols K] [--messages M] [--controls] [--client-orders N] [--config <file>] [--pcap <file.pcap>] [--json]
       riskgate gen --profile day --out <file.itch[.gz]> [--seed N] [--symbols K] [--messages M] [--config-out <file.json>] [--json]

  --out         output file; a name ending in .gz is gzip-compressed (level 1 for the day profile)
  --seed        PRNG seed, an integer in [0, 2^53) (default 1)
  --profile     default: a session shaped for a config's symbols (below);
                day: a real NASDAQ TotalView-ITCH day (docs/generator.md)
  --symbols     default profile: symbols with order flow, 1..${MAX_GEN_SYMBOLS} (default 8): the config's first K
                names, then invented names the config does not subscribe (~20% of the flow);
                day profile: symbols in the stock directory, ${DAY_MIN_SYMBOLS}..${DAY_MAX_SYMBOLS} (default ${DAY_DEFAULT_SYMBOLS})
  --messages    framed ITCH messages in the session; suffixes k and M allowed (200k, 5M)
                (default 1M; 50M for the day profile)
  --controls    default profile: insert in-band control messages (kill switches, limit changes, credit raises,
                duplicate windows, CLEAR_COLLISION)
  --client-orders  default profile: merge N client orders (and the venue's answers, order-entry
                limits, operator episodes, Reg SHO Y messages) into the session: the merged
                stream of spec §18, checked by the Rust engine as it is written (src/gen/orders.ts)
  --config      default profile: config the session is shaped for (default config/default.json)
  --config-out  day profile: write the riskgate config of the day's 64 busiest symbols (JSON)
  --pcap        default profile: also write the session as a pcap capture, as \`riskgate pcap\` does with
                its defaults (spec §17; client orders and venue answers to the order-entry port, §18.7)
  --json        print the summary as JSON`;

/** Parses a positive count: digits with optional _ separators and an optional k / M suffix. */
export function parseCount(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const m = /^(\d[\d_]*)(k|K|m|M)?$/.exec(v.trim());
  if (!m) throw usageError(`--${name} must be a non-negative integer (optionally with a k or M suffix), got ${JSON.stringify(v)}\n\n${USAGE}`);
  const n = Number(m[1].replaceAll('_', '')) * (m[2] === undefined ? 1 : /k/i.test(m[2]) ? 1_000 : 1_000_000);
  if (!Number.isSafeInteger(n)) throw usageError(`--${name} is too large: ${v}`);
  return n;
}

export const GEN_OPTIONS = {
  out: { type: 'string', short: 'o' },
  seed: { type: 'string' },
  symbols: { type: 'string' },
  messages: { type: 'string' },
  controls: { type: 'boolean' },
  'client-orders': { type: 'string' },
  config: { type: 'string' },
  profile: { type: 'string' },
  'config-out': { type: 'string' },
  pcap: { type: 'string' },
  json: { type: 'boolean' },
  ...HELP_OPTION,
} as const;

export const help = helpFor(USAGE.split('\n\n')[0], GEN_OPTIONS, {
  out: '<file.itch[.gz]> output file; a name ending in .gz is gzip-compressed (required)',
  seed: '<N> PRNG seed, an integer in [0, 2^53) (default 1)',
  symbols: `<K> default profile: symbols with order flow, 1..${MAX_GEN_SYMBOLS} (default 8); day profile: directory symbols, ${DAY_MIN_SYMBOLS}..${DAY_MAX_SYMBOLS} (default ${DAY_DEFAULT_SYMBOLS})`,
  messages: '<M> framed ITCH messages; suffixes k and M allowed, e.g. 200k, 5M (default 1M; 50M for the day profile)',
  controls: 'default profile: insert in-band control messages (kill switches, limit changes, credit raises, …)',
  'client-orders': '<N> default profile: merge N client orders and their venue answers into the session (spec §18; suffixes k and M allowed)',
  config: '<file> default profile: config the session is shaped for (default config/default.json)',
  profile: '<default|day> default: a session for a config\'s symbols; day: a real-sized NASDAQ day (docs/generator.md)',
  'config-out': '<file.json> day profile: write the riskgate config of the day\'s 64 busiest symbols',
  pcap: '<file.pcap> default profile: also write the session as a pcap capture (riskgate pcap\'s defaults; client orders and venue answers to the order-entry port, spec §18.7)',
  json: 'print the summary as JSON',
  help: 'print this help and exit',
});

export async function genCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: GEN_OPTIONS,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${USAGE}`);
  if (!values.out) throw usageError(`--out is required\n\n${USAGE}`);
  const seed = parseCount('seed', values.seed, 1);
  const profile = values.profile ?? 'default';
  if (profile !== 'default' && profile !== 'day') throw usageError(`--profile must be default or day, got ${JSON.stringify(profile)}\n\n${USAGE}`);
  if (profile === 'day' && values['client-orders'] !== undefined) throw usageError(`--client-orders goes with the default profile, not --profile day\n\n${USAGE}`);
  if (profile === 'day' && values.pcap !== undefined) throw usageError(`--pcap goes with the default profile (riskgate pcap writes any session as a capture)\n\n${USAGE}`);
  if (profile === 'day') return genDay(values, seed);
  if (values['config-out'] !== undefined) throw usageError(`--config-out goes with --profile day\n\n${USAGE}`);
  const symbols = parseCount('symbols', values.symbols, 8);
  const messages = parseCount('messages', values.messages, 1_000_000);
  if (symbols < 1 || symbols > MAX_GEN_SYMBOLS) throw usageError(`--symbols must be between 1 and ${MAX_GEN_SYMBOLS}, got ${symbols}`);
  const config = loadConfig(values.config);
  if (values['client-orders'] !== undefined) return genOrderFlow(values, { seed, symbols, messages, config });
  return genSession(values, { seed, symbols, messages, config });
}

/** `--pcap`: the session just written, as `riskgate pcap <out> --out <pcap>` writes it (undefined without --pcap). */
async function genPcap(input: string, out: string | undefined): Promise<CaptureReport | undefined> {
  if (out === undefined) return undefined;
  try {
    return await writeCapture({ input, out });
  } catch (e) {
    throw outputError(e, out);
  }
}

function pcapLine(rep: CaptureReport | undefined): string {
  if (!rep) return '';
  const n = (x: number): string => x.toLocaleString('en-US');
  return `\npcap        ${rep.out}: ${n(rep.frames)} frames, ${n(rep.packets)} MoldUDP64 packets${rep.orderFrames ? `, ${n(rep.orderFrames)} client order and venue frames to the order-entry port` : ''}`;
}

async function genSession(values: { out?: string; json?: boolean; controls?: boolean; pcap?: string }, o: { seed: number; symbols: number; messages: number; config: Config }): Promise<number> {
  const { seed, symbols, messages, config } = o;
  const out = values.out as string;
  let summary: GenSummary;
  try {
    const bar = values.json ? undefined : progressBar(`gen: ${out}`, process.stderr, 'messages');
    summary = await generateSession({ seed, symbols, messages, out, config, controlMessages: values.controls === true, onProgress: bar && ((n) => bar.update(n, messages)) });
    bar?.done();
  } catch (e) {
    throw outputError(e, out);
  }
  const pcap = await genPcap(out, values.pcap);
  process.stdout.write(values.json ? `${JSON.stringify(pcap ? { ...summary, pcap } : summary)}\n` : `${formatSummary(summary)}${pcapLine(pcap)}\n`);
  return 0;
}

/** Maps a failure to write `out` to a usage error (exit code 2); anything else is rethrown. */
function outputError(e: unknown, out: string): unknown {
  if (e instanceof RangeError) return usageError(e.message);
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR' || err.code === 'ENOTDIR' || err.code === 'EROFS') {
    const why = err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 'its directory does not exist' : err.code === 'EISDIR' ? 'it is a directory' : 'permission denied';
    return usageError(`cannot write ${(err.path ?? out).replace(/\.tmp-\d+$/, '')}: ${why} (${err.code})`);
  }
  return e;
}

async function genOrderFlow(values: { out?: string; json?: boolean; controls?: boolean; 'client-orders'?: string; pcap?: string }, o: { seed: number; symbols: number; messages: number; config: Config }): Promise<number> {
  const out = values.out as string;
  const clientOrders = parseCount('client-orders', values['client-orders'], 0);
  if (clientOrders < 1) throw usageError(`--client-orders must be at least 1, got ${clientOrders}`);
  let summary: OrderFlowSummary;
  try {
    const bar = values.json ? undefined : progressBar(`gen: ${out}`, process.stderr, 'messages');
    const gen = new OrderFlowGenerator({ ...o, controlMessages: values.controls === true, clientOrders });
    await writeChunks(gen, out, 6, bar && ((n) => bar.update(n, o.messages)));
    bar?.done();
    summary = gen.summary();
  } catch (e) {
    throw outputError(e, out);
  }
  const pcap = await genPcap(out, values.pcap);
  process.stdout.write(values.json ? `${JSON.stringify(pcap ? { ...summary, pcap } : summary)}\n` : `${formatOrderFlowSummary(summary, out)}${pcapLine(pcap)}\n`);
  return 0;
}

export function formatOrderFlowSummary(s: OrderFlowSummary, out: string): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const c = s.clientOrders;
  return [
    `riskgate gen --client-orders — ${out}`,
    `messages    ${n(s.messages)} (${n(s.regSho)} of them Reg SHO Y), seed ${s.seed}`,
    `orders      ${n(c.enter)} enter + ${n(c.replace)} replace: ${n(c.accepted)} accepted, ${n(c.rejected)} rejected${c.refused ? `, ${n(c.refused)} refused as frames` : ''}`,
    `venue       ${n(s.venue.executions)} executions, ${n(s.venue.cancels)} cancels${s.venue.refused ? `, ${n(s.venue.refused)} refused` : ''}`,
    `reasons     ${Object.entries(s.reasons).map(([k, v]) => `${k} ${n(v)}`).join('  ')}`,
    `controls    (the control plane's) ${Object.entries(s.controlsByOp).map(([k, v]) => `${k} ${n(v)}`).join('  ')}`,
    `size        ${(s.bytes / 1e6).toFixed(1)} MB; sha256 ${s.sha256} (uncompressed stream)`,
    `records     sha256 ${s.recordsSha256} (Rust engine)`,
    `time        ${(s.elapsedMs / 1000).toFixed(2)} s`,
  ].join('\n');
}

async function genDay(values: { out?: string; symbols?: string; messages?: string; controls?: boolean; config?: string; json?: boolean; 'config-out'?: string }, seed: number): Promise<number> {
  const out = values.out as string;
  if (values.controls) throw usageError(`--controls goes with the default profile, not --profile day\n\n${USAGE}`);
  if (values.config !== undefined) throw usageError(`--config goes with the default profile; the day profile writes its own with --config-out\n\n${USAGE}`);
  const symbols = parseCount('symbols', values.symbols, DAY_DEFAULT_SYMBOLS);
  const messages = parseCount('messages', values.messages, 50_000_000);
  if (symbols < DAY_MIN_SYMBOLS || symbols > DAY_MAX_SYMBOLS) throw usageError(`--symbols must be between ${DAY_MIN_SYMBOLS} and ${DAY_MAX_SYMBOLS} for --profile day, got ${symbols}`);
  let summary: DaySummary;
  try {
    const bar = values.json ? undefined : progressBar(`gen: ${out}`, process.stderr, 'messages');
    summary = await generateDay({ seed, symbols, messages, out, configOut: values['config-out'], onProgress: bar && ((n) => bar.update(n, messages)) });
    bar?.done();
  } catch (e) {
    throw outputError(e, out);
  }
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(values.json ? `${JSON.stringify({ ...summary, maxRssBytes: maxRss })}\n` : `${formatDaySummary(summary, maxRss, values['config-out'])}\n`);
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
  const o = s.orderTable;
  const lines = [
    `riskgate gen — ${s.out ?? '(memory)'}`,
    `messages    ${n(s.messages)}${s.controls ? ` (+${n(s.controls)} control messages)` : ''}, seed ${s.seed}`,
    `symbols     ${s.symbols.length} with flow (${s.symbols.filter((x) => x.configIndex >= 0).map((x) => x.name).join(' ')}${s.symbols.some((x) => x.configIndex < 0) ? ` + ${s.symbols.filter((x) => x.configIndex < 0).length} unsubscribed, ${(100 * s.unsubscribedShare).toFixed(1)}% of flow` : ''}), ${s.fillers.length} directory-only`,
    `mix         add ${pct(g('A') + g('F'))}  delete ${pct(g('D'))}  exec ${pct(g('E') + g('C'))}  cancel ${pct(g('X'))}  replace ${pct(g('U'))}  trade ${pct(g('P'))}  other ${pct(s.messages - ['A', 'F', 'D', 'E', 'C', 'X', 'U', 'P'].reduce((a, k) => a + g(k), 0))}`,
    `by type     ${Object.entries(t).map(([k, v]) => `${k} ${n(v)}`).join('  ')}`,
    `episodes    stubs ${e.stubQuotes}, sub-penny ${e.offTickBid}+${e.offTickAsk}, halts ${e.halts}, MWCB ${e.circuitBreakers}, away prints ${e.awayPrints}, flickers ${e.flickers}, stuck quotes ${e.repeats}, collisions ${e.collisions} (${e.ghostOrders} ghosts, ${e.untrackedOrders} untracked), unknown refs ${e.unknownRefs}, sweeps ${n(e.sweeps)}, blocks ${n(e.blocks)}`,
    `order table live peak ${n(o.livePeak)}; stash ${o.stashInserts} inserts (peak ${o.stashPeak}), ghosts ${o.ghostInserts} (peak ${o.ghostPeak}), untracked ${o.untrackedDrops}; COLLISION ${o.collisions} episodes, ${o.collisionClears} cleared by themselves; ordinary orders outside bank 0: ${o.ordinarySpills}`,
  ];
  if (s.controls) lines.push(`controls    ${Object.entries(s.controlsByOp).map(([k, v]) => `${k} ${v}`).join('  ')}`);
  lines.push(`size        ${mb(s.bytes)} uncompressed${s.gzip && s.fileBytes !== undefined ? `, ${mb(s.fileBytes)} gzip` : ''}`);
  lines.push(`sha256      ${s.sha256} (uncompressed stream)`);
  lines.push(`time        ${(s.elapsedMs / 1000).toFixed(2)} s${rate ? `, ${rate}` : ''}`);
  return lines.join('\n');
}

export function formatDaySummary(s: DaySummary, maxRssBytes?: number, configOut?: string): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const pct = (x: number, d = 1): string => `${(100 * x).toFixed(d)}%`;
  const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  const secs = (x: number): string => (x < 1e-3 ? `${(x * 1e6).toFixed(0)} µs` : x < 1 ? `${(x * 1e3).toFixed(1)} ms` : x < 120 ? `${x.toFixed(1)} s` : x < 7200 ? `${(x / 60).toFixed(1)} min` : `${(x / 3600).toFixed(1)} h`);
  const hms = (ts: number): string => new Date(ts / 1e6).toISOString().slice(11, 23);
  const m = s.mix;
  const g = (k: string): number => m[k] ?? 0;
  const l = s.live;
  const lt = s.lifetimes;
  const r = s.rate;
  const rate = s.elapsedMs > 0 ? `, ${n((s.messages / s.elapsedMs) * 1000)} msg/s` : '';
  const lines = [
    `riskgate gen --profile day — ${s.out ?? '(memory)'}`,
    `messages    ${n(s.messages)}, seed ${s.seed}, ${hms(s.firstTs)} → ${hms(s.lastTs)}`,
    `symbols     ${n(s.symbols.directory)} in the directory (${n(s.symbols.nasdaqListed)} NASDAQ-listed, ${n(s.symbols.etps)} ETPs, $${s.symbols.priceMin.toFixed(2)}–$${s.symbols.priceMax.toFixed(2)}, median $${s.symbols.priceMedian.toFixed(2)})`,
    `subscribed  ${s.subscribed.names.length} busiest: ${s.subscribed.names.slice(0, 12).join(' ')} … (${pct(s.subscribed.share)} of the flow)`,
    `activity    Zipf slope ${s.zipf.slope.toFixed(2)}; busiest ${pct(s.zipf.top1Share)}, top 10 ${pct(s.zipf.top10Share)}, top 64 ${pct(s.zipf.top64Share)}`,
    `mix         A ${pct(g('A'))}  D ${pct(g('D'))}  U ${pct(g('U'))}  E ${pct(g('E'), 2)}  X ${pct(g('X'), 2)}  F ${pct(g('F'), 2)}  I ${pct(g('I'), 2)}  P ${pct(g('P'), 2)}  C ${pct(g('C'), 3)}  other ${pct(1 - ['A', 'D', 'U', 'E', 'X', 'F', 'I', 'P', 'C'].reduce((a, k) => a + g(k), 0), 2)}`,
    `by type     ${Object.entries(s.byType).map(([k, v]) => `${k} ${n(v)}`).join('  ')}`,
    `live orders peak ${n(l.peak)} at ${l.peakAt}; subscribed ${n(l.peakSubscribed)} at ${l.peakSubscribedAt} (per symbol: median ${n(l.subscribedMedianPeak)}, smallest ${n(l.subscribedMinPeak)}); ${n(l.atEnd)} at 20:00`,
    `busiest     ${l.top.slice(0, 5).map((t) => `${t.name} ${n(t.peakLive)} (${t.at})`).join(', ')}`,
    `lifetimes   p10 ${secs(lt.p10)}  p25 ${secs(lt.p25)}  p50 ${secs(lt.p50)}  p75 ${secs(lt.p75)}  p90 ${secs(lt.p90)}  p99 ${secs(lt.p99)}; ${pct(lt.within1s)} < 1 s, ${pct(lt.over1h)} > 1 h; ended: ${n(lt.deleted)} deleted, ${n(lt.replaced)} replaced, ${n(lt.executed)} executed`,
    `msg/s       open ${n(r.openPeak)} peak, ${n(r.openFirstMinute)} first minute; midday ${n(r.midday)}; close ${n(r.closeLastMinute)} last minute, ${n(r.closePeak)} peak; pre-market ${pct(r.preMarket)}, regular ${pct(r.regular)}, after-hours ${pct(r.afterHours)}`,
    `events      stub quotes ${n(s.events.stubQuotes)}, marketable orders ${n(s.events.marketable)} (sweeps ${n(s.events.sweeps)}), day orders expired at the close ${n(s.events.dayOrderExpiries)}`,
    `ratios      trade-to-order volume ${pct(s.tradeToOrderVolume, 2)}, cancels per trade ${s.cancelToTrade.toFixed(1)}`,
    `size        ${mb(s.bytes)} uncompressed${s.gzip && s.fileBytes !== undefined ? `, ${mb(s.fileBytes)} gzip` : ''}`,
    `sha256      ${s.sha256} (uncompressed stream)`,
    `time        ${(s.elapsedMs / 1000).toFixed(1)} s${rate}${maxRssBytes !== undefined ? `, max RSS ${mb(maxRssBytes)}` : ''}`,
  ];
  if (configOut !== undefined) lines.push(`config      ${configOut} (${s.subscribed.names.length} symbols)`);
  return lines.join('\n');
}
