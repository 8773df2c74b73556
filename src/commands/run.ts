/**
 * `riskgate run --brokers host:port [--config f] [--out records.bin] [--json] [--topic t]
 *               [--prefix p] [--group g] [--seed-positions] [--stale-ms 5000] [--max-gap 1000000]
 *               [--max-tx-packets N] [--broker-timeout ms] [--events]
 *               [--serve [--port N] [--host h] [--token-file f]] [--audit-out audit.jsonl]`
 *
 * With `--serve` (or `--audit-out`) the runtime controls of `replay --serve` (src/control/plane.ts)
 * run alongside: an operator change over HTTP is injected in band before the next engine call,
 * written to the audit log and journalled for a resume (spec §14.6).
 *
 * The engine behind the Kafka feed (src/kafka/feed-run.ts, docs/spec.md §14.4–14.6). Ends at
 * the end-of-session packet or on SIGINT/SIGTERM (after committing what it has done) and prints
 * the report. Exit: 0 ok, 2 bad options, 5 config, 6 engine, 7 resume refused, 8 broker.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { controlSummary } from '../control/audit.ts';
import type { ControlPlane } from '../control/plane.ts';
import { checkServeOptions, SERVE_OPTIONS, SERVE_USAGE } from '../control/serve-options.ts';
import { RiskgateError } from '../errors.ts';
import { feedNames } from '../kafka/feed-topics.ts';
import { createLogger } from '../log/index.ts';
import { FeedRun } from '../kafka/feed-run.ts';
import { formatReplayReport } from '../report/replay-report.ts';
import { intOpt, usageError, withCodedErrors } from './kafka-options.ts';
import { CONFIG_HELP, FORMAT_HELP, HELP_OPTION, helpFor, JSON_HELP, OUT_HELP, SERVE_HELP } from './help.ts';
import { OUT_USAGE } from '../export/records.ts';
import { parseShard } from '../kafka/shard.ts';

export const RUN_USAGE =
  'usage: riskgate run --brokers host:port [--config f] ' + OUT_USAGE + ' [--json] [--topic riskgate.md.itch] ' +
  '[--prefix riskgate] [--group <prefix>.run] [--shard K/N] [--order-entry [--order-entry-port N] [--venue HOST:PORT] [--venue-user NAME:PASSWORD]] [--record merged.itch] [--seed-positions] [--stale-ms 5000] [--max-gap 1000000] [--max-tx-packets 5000] [--snapshot-every 2] [--broker-timeout 120000] [--events] ' + SERVE_USAGE;

const fmt = (n: number) => n.toLocaleString('en-US');

/** The feed and Kafka part of the text report. */
export function formatFeedReport(r: Record<string, any>): string {
  const f = r.feed;
  const k = r.kafka;
  const lines: string[] = [''];
  lines.push(`feed          ${f.topic}, session ${JSON.stringify(f.session)}: ${fmt(f.packets)} packets (${fmt(f.heartbeats)} heartbeats), ended by ${f.end}`);
  lines.push(`  duplicates  ${fmt(f.duplicates)} messages dropped (${fmt(f.duplicatePackets)} whole packets, ${fmt(f.duplicateControls)} control blocks)`);
  lines.push(`  gaps        ${f.gaps.length === 0 ? 'none' : f.gaps.map((g: any) => `seq ${g.from}..${g.to} (${fmt(g.missing)} missing, offset ${g.offset}${g.filled ? '' : ', not filled'})`).join('; ')}`);
  if (f.inputClosed) lines.push(`  closed      gap of ${fmt(f.inputClosed.missing)} above --max-gap ${fmt(f.maxGap)}: engine input ended before seq ${f.inputClosed.seq}; ${fmt(f.notHanded.messages)} later messages not handed`);
  if (f.outlierCount) lines.push(`  outliers    ${fmt(f.outlierCount)} packets refused (sequence claims contradicted by the stream): ${f.outliers.slice(0, 3).map((o: any) => `seq ${o.seq} at offset ${o.offset}`).join(', ')}${f.outlierCount > 3 ? ', …' : ''}`);
  if (f.held) lines.push(`  held        packet at offset ${f.held.offset} (seq ${f.held.seq}) still waiting for the next packet to confirm its gap`);
  lines.push(`  stale       ${f.staleMs > 0 ? (f.stale.length === 0 ? `none (limit ${fmt(f.staleMs)} ms)` : f.stale.map((s: any) => `before seq ${s.seq} (${fmt(s.idleMs)} ms idle)`).join('; ')) : 'detection off'}`);
  if (f.badPackets) lines.push(`  refused     ${fmt(f.badPackets)} bad packets (${fmt(f.wrongSession)} of another session)`);
  const inj = f.killSwitch.injected as { reason: string; seq: number }[];
  lines.push(`kill switch   ${f.killSwitch.engaged ? 'ENGAGED' : 'off'}${inj.length ? ` — injected before seq ${inj.map((i) => `${i.seq} (${i.reason})`).join(', ')}` : ''}${f.failClosed ? '  [FAIL CLOSED: feed failure]' : ''}`);
  lines.push(`kafka         group ${k.group}, resumed from feed offset ${fmt(k.resumedFromOffset)} (${fmt(k.rebuiltPackets)} packets rebuilt), committed ${fmt(k.committedOffset)}`);
  lines.push(`  published   ${fmt(k.published.executions)} executions → ${k.executionsTopic}, ${fmt(k.published.decisions)} decisions + ${fmt(k.published.controls)} controls → ${k.decisionsTopic}, ${fmt(k.published.transactions)} transactions`);
  if (k.resumedFromOffset > 0) lines.push(`  not again   ${fmt(k.notRepublished.executions)} executions, ${fmt(k.notRepublished.decisions)} decisions committed before the restart`);
  if (k.resumedFrom) lines.push(`  snapshot    resumed from the snapshot at feed offset ${fmt(k.resumedFrom.offset)} (seq ${fmt(k.resumedFrom.seq)}, ${fmt(k.resumedFrom.bytes)} bytes, restored in ${fmt(k.resumedFrom.restoreMs)} ms)`);
  else if (k.snapshotSkipped) lines.push(`  snapshot    not used: ${k.snapshotSkipped}`);
  const oe = r.orderEntry;
  if (oe) lines.push(`order entry   session ${oe.sessionName}: ${fmt(oe.events)} events journalled (${fmt(oe.rebuiltEvents)} rebuilt), ${fmt(oe.openOrders)} open orders, ${fmt(oe.reforwarded)} forwarded again, ${fmt(oe.unmatchedVenueAnswers)} unmatched venue answers; OUCH ${oe.ouch ? `${fmt(oe.ouch.checked)} checked, ${fmt(oe.ouch.accepted)} accepted, ${fmt(oe.ouch.rejected)} rejected, ${fmt(oe.ouch.executed)} executions` : 'not started'}`);
  if (k.seededPositions) lines.push(`  seeded      start positions from ${k.seededPositions.from}: ${JSON.stringify(k.seededPositions.symbols)}`);
  return lines.join('\n');
}

export const RUN_OPTIONS = {
  brokers: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
  topic: { type: 'string' },
  prefix: { type: 'string' },
  group: { type: 'string' },
  shard: { type: 'string' },
  'seed-positions': { type: 'boolean' },
  'stale-ms': { type: 'string' },
  'max-gap': { type: 'string' },
  'max-tx-packets': { type: 'string' },
  'snapshot-every': { type: 'string' },
  'hold-tx-ms': { type: 'string' },
  'broker-timeout': { type: 'string' },
  events: { type: 'boolean' },
  'order-entry': { type: 'boolean' },
  'order-entry-port': { type: 'string' },
  venue: { type: 'string' },
  'venue-user': { type: 'string' },
  record: { type: 'string' },
  ...HELP_OPTION,
  ...SERVE_OPTIONS,
} as const;

export const help = helpFor(RUN_USAGE, RUN_OPTIONS, {
  brokers: '<host:port> Kafka bootstrap broker(s), comma-separated (required)',
  config: CONFIG_HELP,
  out: OUT_HELP,
  format: FORMAT_HELP,
  json: JSON_HELP,
  topic: '<name> feed topic (default <prefix>.md.itch)',
  prefix: '<name> prefix of the Kafka topics (default riskgate)',
  group: '<id> consumer group of the feed (default <prefix>.run; with --shard <prefix>.run.shard-K-of-N)',
  shard: '<K/N> run as shard K of N: publish only the executions and decisions of the accounts this shard owns (account j of the config → shard j mod N + 1)',
  'seed-positions': 'start from the positions of the compacted positions topic (ignored on a resume)',
  'stale-ms': '<ms> no packet for this long while the session is open engages the kill switch (default 5000; 0 = off)',
  'max-gap': '<N> largest gap filled with gap fillers; a larger one ends the engine input after the kill (default 1000000)',
  'max-tx-packets': '<N> most feed packets per Kafka transaction (default 5000)',
  'snapshot-every': '<K> engine snapshot with every K-th transaction, for a fast resume (default 2; 0 = none)',
  'hold-tx-ms': '<ms> fault injection (tests): hold every transaction open this long after its sends (default 0)',
  'broker-timeout': '<ms> how long the broker may stay unreachable before the run stops with exit 8 (default 120000)',
  events: 'print every feed and transaction event as a JSON line on stderr',
  'order-entry': 'take client orders over OUCH 5.0 (config orderEntry): each is checked at the engine\'s position in the live feed, journalled with its records and answered once that transaction is committed (docs/spec.md §14.10)',
  'order-entry-port': '<N> TCP port of the order-entry gateway (default: the config\'s orderEntry.port; 0 picks a free one, in the order-entry event)',
  venue: '<HOST:PORT> forward accepted orders to this OUCH venue (riskgate venue-sim); its executions come back into the engine and to Kafka, exactly once across restarts',
  'venue-user': '<NAME:PASSWORD> the venue login (default VENUE:venue)',
  record: '<file> write the merged stream handed to the engine (feed, controls, order entry) at the end; riskgate replay <file> gives the run\'s digest',
  help: 'print this help and exit',
  ...SERVE_HELP,
});

/** `--order-entry`, `--venue`, … as FeedRun's option (usage errors for the combinations that cannot work). */
async function orderEntryOptions(values: { 'order-entry'?: boolean; 'order-entry-port'?: string; venue?: string; 'venue-user'?: string; 'log-level'?: string }, sharded: boolean) {
  if (!values['order-entry']) {
    for (const k of ['order-entry-port', 'venue', 'venue-user'] as const) if (values[k] !== undefined) throw usageError(`--${k} needs --order-entry`);
    return undefined;
  }
  // One gateway, one engine: shards would each check a client's order against their own copy.
  if (sharded) throw usageError('--order-entry cannot be combined with --shard: a client order must be checked by one engine');
  const port = intOpt('--order-entry-port', values['order-entry-port']);
  let venue = null;
  if (values.venue !== undefined) {
    const m = /^([^:]+):(\d{1,5})$/.exec(values.venue);
    if (!m || Number(m[2]) > 65535) throw usageError(`--venue must be HOST:PORT, got ${JSON.stringify(values.venue)}`);
    const vu = /^([A-Za-z0-9]{1,6}):([\x21-\x7e]{1,10})$/.exec(values['venue-user'] ?? 'VENUE:venue');
    if (!vu) throw usageError('--venue-user must be NAME:PASSWORD');
    venue = { host: m[1], port: Number(m[2]), username: vu[1], password: vu[2] };
  } else if (values['venue-user'] !== undefined) throw usageError('--venue-user needs --venue');
  let log;
  try {
    log = createLogger({ level: values['log-level'] ?? 'warn', name: 'order-entry' });
  } catch (e) {
    throw new RiskgateError('USAGE', (e as Error).message);
  }
  return { port, venue, log };
}

export async function runCommand(argv: string[]): Promise<number> {
  return withCodedErrors('run', async () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: RUN_OPTIONS,
    });
    if (values.help) {
      process.stdout.write(`${RUN_USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 0 || !values.brokers) throw usageError(RUN_USAGE);
    const maxTx = intOpt('--max-tx-packets', values['max-tx-packets']);
    if (maxTx !== undefined && maxTx < 1) throw usageError('--max-tx-packets must be ≥ 1');
    checkServeOptions(values);
    const shard = values.shard !== undefined ? parseShard(values.shard) : undefined;
    if (shard && (values.serve || values['audit-out'])) {
      // An operator change reaches one process at its own wall time: the shards' engines would
      // then differ. Controls for a sharded run travel in the feed, where every shard sees them at the same seq.
      throw usageError('--shard cannot be combined with --serve or --audit-out: runtime controls would reach one shard only; put controls for a sharded run in the feed (control messages, spec §9)');
    }
    const orderEntry = await orderEntryOptions(values, shard !== undefined);
    const config = loadConfig(values.config);
    let feed: FeedRun | undefined;
    let plane: ControlPlane | undefined;
    if (values.serve || values['audit-out']) {
      let log;
      try {
        log = createLogger({ level: values['log-level'] });
      } catch (e) {
        throw new RiskgateError('USAGE', (e as Error).message);
      }
      // Loaded only when asked: the HTTP server, metrics and dashboard cost ~0.5 s of start-up.
      const { startControlPlane } = await import('../control/plane.ts');
      plane = await startControlPlane(values, {
        source: `kafka:${feedNames(values.prefix, values.topic).feed}`, config, backend: 'rust', speed: 'feed', log,
        engine: { stats: () => feed?.engineStats() ?? {} },
      });
    }
    const abort = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
      if (values.events) process.stderr.write(`${JSON.stringify({ event: 'signal', signal: sig })}\n`);
      abort.abort(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const run = (feed = new FeedRun({
        brokers: values.brokers,
        config,
        prefix: values.prefix,
        topic: values.topic,
        group: values.group,
        shard,
        out: values.out,
        format: values.format,
        seedPositions: values['seed-positions'] === true,
        staleMs: intOpt('--stale-ms', values['stale-ms']),
        maxGap: intOpt('--max-gap', values['max-gap']),
        maxTxPackets: maxTx,
        snapshotEvery: intOpt('--snapshot-every', values['snapshot-every']),
        holdTxMs: intOpt('--hold-tx-ms', values['hold-tx-ms']),
        brokerTimeoutMs: intOpt('--broker-timeout', values['broker-timeout']),
        controls: plane ? { queue: plane.queue, live: plane.live } : undefined,
        orderEntry,
        record: values.record,
        signal: abort.signal,
        emit: values.events ? (event, data) => process.stderr.write(`${JSON.stringify({ event, t: Date.now(), ...data })}\n`) : undefined,
      }));
      let out: Awaited<ReturnType<FeedRun['run']>>;
      try {
        out = await run.run();
      } catch (e) {
        if (plane) {
          plane.queue.close('the run failed');
          plane.live.status = 'failed';
          plane.live.error = (e as Error)?.message ?? String(e);
          plane.audit?.write({ type: 'end', run: plane.run, wallTime: new Date().toISOString(), messages: plane.live.messages, controls: plane.queue.history.length, recordsSha256: '', status: 'failed' });
        }
        throw e;
      }
      const { report, end } = out;
      if (plane) {
        plane.queue.close('the run has ended');
        plane.live.status = 'done';
        plane.live.endedAt = new Date().toISOString();
        plane.audit?.write({ type: 'end', run: plane.run, wallTime: plane.live.endedAt, messages: Number(report.messages ?? plane.live.messages), controls: plane.queue.history.length, recordsSha256: String(report.recordsSha256), status: 'ok' });
        report.run = plane.run;
        report.controlsApplied = plane.queue.history.map(controlSummary);
        if (plane.audit) report.auditOut = plane.audit.path;
        if (plane.url) report.served = plane.url;
      }
      if (end === 'signal') (report.feed as Record<string, unknown>).end = String(abort.signal.reason ?? 'signal');
      if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else process.stdout.write(`${formatReplayReport(report).replace(/^riskgate replay/, 'riskgate run')}\n${formatFeedReport(report)}\n`);
      // Every client is disconnected, but kafkajs can keep a socket open for tens of seconds when
      // a broker restart raced the consumer's last heartbeat (a stale coordinator reconnects after
      // the disconnect). The run is over: exit within 2 s whatever kafkajs still holds.
      setTimeout(() => process.exit(), 2000).unref();
      return 0;
    } finally {
      await plane?.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
