/**
 * `riskgate gateway <file> [--config f] [--port N] [--venue HOST:PORT] [--venue-user NAME:PASSWORD]
 *                   [--stop-at SEQ] [--record merged.itch] [--json] [--log-level L]`
 *
 * The order-entry gateway with the engine (docs/spec.md §18): clients log in over OUCH 5.0 /
 * SoupBinTCP 4.0 (config `orderEntry`), the session replays through the engine (--backend) up to
 * --stop-at (default: the whole session) and every client order is checked by the engine
 * at the position the replay has reached. Accepted orders go to the venue (`riskgate
 * venue-sim`) when --venue is given; its executions and cancels come back into the engine
 * and to the client. On SIGINT/SIGTERM it writes the merged stream (--record: market data
 * and order-entry frames, which `riskgate replay` re-runs to the same digest) and prints a
 * summary with the record digest. --backend fpga checks orders in the Verilated pipeline,
 * shadow in both engines compared call by call; --standby adds a hot standby (src/failover/).
 */
import { writeFileSync } from 'node:fs';
import { OuchClient } from '../client/index.ts';
import { blobFingerprint, configBlob, loadConfig } from '../config/index.ts';
import { BACKENDS, createEngine } from '../engine/create.ts';
import { FailoverEngine } from '../failover/engine.ts';
import { frame, itch } from '../itch/encode.ts';
import { ControlOp, GLOBAL_TARGET } from '../itch/layout.ts';
import { RiskgateError } from '../errors.ts';
import { splitBatch } from '../control/frames.ts';
import { createLogger, LOG_LEVELS } from '../log/index.ts';
import { gatewayOptions } from '../ouch/from-config.ts';
import { Gateway } from '../ouch/gateway.ts';
import { OrderEntryEngine } from '../order-entry/engine-session.ts';
import { OrderRouter } from '../order-entry/router.ts';
import { nativeReadScanner } from '../order-entry/native-read.ts';
import { checkInput, readBatches } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';
import { checkItch } from '../source/sniff.ts';
import { HELP_OPTION, helpFor } from './help.ts';
import { intOpt, withCodedErrors } from './kafka-options.ts';
import { parseStrict } from './strict-args.ts';
import { usageError } from './usage.ts';
import { DEFAULT_VENUE_USER } from './venue-sim.ts';
import { CLEARING_OPTIONS, startReplayClearing } from '../clearing/replay-clearing.ts';
import { DEFAULT_PORT } from '../control/commands.ts';
import { startControlPlane, type ControlPlane } from '../control/plane.ts';
import { OrderEntryOps } from '../order-entry/operations.ts';
import { LiveClearing } from '../server/clearing.ts';
import { OrderLatency } from '../order-entry/latency.ts';
import { DEFAULT_WARM_UP_ORDERS, warmUp } from '../order-entry/warm-up.ts';

export const GATEWAY_USAGE =
  'usage: riskgate gateway <file.itch[.gz]> [--config f] [--port N] [--venue HOST:PORT] [--venue-user NAME:PASSWORD] ' +
  '[--stop-at SEQ] [--backend rust|fpga|shadow] [--standby rust|fpga] [--record merged.itch] [--serve [--http-port N] [--token-file f] [--public-metrics]] [--audit-out audit.jsonl] ' +
  '[--brokers host:port [--prefix riskgate]] [--latency] [--warm-up N] [--json] [--log-level warn]';

export const GATEWAY_OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  venue: { type: 'string' },
  'venue-user': { type: 'string' },
  'stop-at': { type: 'string' },
  backend: { type: 'string' },
  standby: { type: 'string' },
  record: { type: 'string' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  serve: { type: 'boolean' },
  'http-port': { type: 'string' },
  'token-file': { type: 'string' },
  'public-metrics': { type: 'boolean' },
  'audit-out': { type: 'string' },
  latency: { type: 'boolean' },
  'warm-up': { type: 'string' },
  ...CLEARING_OPTIONS,
  ...HELP_OPTION,
} as const;

export const help = helpFor(GATEWAY_USAGE, GATEWAY_OPTIONS, {
  config: '<f> config file with an orderEntry section (default config/default.json)',
  port: '<N> TCP port of the gateway (default: the config\'s orderEntry.port; 0 picks a free one, printed when listening)',
  venue: '<HOST:PORT> forward accepted orders to this OUCH venue (riskgate venue-sim); without it orders rest in the gateway',
  'venue-user': `<NAME:PASSWORD> the venue login (default ${DEFAULT_VENUE_USER.username}:${DEFAULT_VENUE_USER.password})`,
  'stop-at': '<SEQ> replay up to message SEQ and check orders at that position (default: the whole session)',
  backend: '<rust|fpga|shadow> the engine that checks every order: the Rust core (default), the Verilated pipeline, or both compared on every engine call (the first divergence stops the gateway, exit 6)',
  standby: '<rust|fpga> a hot standby fed the same merged stream: it takes over when the primary fails; a divergence between the two engages the global kill switch',
  record: '<file> write the merged stream (market data + order-entry frames) here at the end; riskgate replay re-runs it to the same digest',
  json: 'print the listening, feed and summary lines as JSON objects',
  'log-level': '<level> log level on stderr: fatal, error, warn (default), info, debug, trace or silent',
  serve: 'serve the dashboard, /metrics and the control API (kill switches: global, symbol, account; limits) on 127.0.0.1',
  'http-port': `<N> port of --serve (default ${DEFAULT_PORT}; 0 picks a free one)`,
  'token-file': '<f> the API bearer token (default: generated and printed on stderr)',
  'public-metrics': '/metrics and /health without the token',
  'audit-out': '<f> append the audit log here: controls, session events (login, logout, reject, bad message, disconnect), mass cancels',
  latency: 'measure each order in the gateway (socket read → answer, → forwarded to the venue) and print p50/p99/p99.9 and the CPU time in the summary',
  'warm-up': `<N> before listening, send N orders through the order path of throwaway instances (own engine stand-in, venue simulator and ports; the real engine never sees them) so the first client orders find it compiled (default ${DEFAULT_WARM_UP_ORDERS}; 0: none)`,
  brokers: '<host:port> clear the executions over Kafka (as replay --brokers); default: in process, in the summary',
  prefix: '<name> Kafka topic prefix (default riskgate)',
  help: 'print this help and exit',
}, 'Every order is checked by the engine (--backend; docs/spec.md §18) at the replay\'s position: Order Accepted, or Order Rejected with the\n' +
  'OUCH code of the lowest reason bit (§16.5). Serves until SIGINT/SIGTERM. Exit: 0 ok, 2 bad options, 3/4 bad input, 5 bad config, 8 cannot listen or reach the venue.');

function hostPort(s: string): { host: string; port: number } {
  const m = /^([^:]+):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) > 65535) throw usageError(`--venue must be HOST:PORT, got ${JSON.stringify(s)}`);
  return { host: m[1], port: Number(m[2]) };
}

export async function gatewayCommand(argv: string[]): Promise<number> {
  return withCodedErrors('gateway', async () => {
    const { values, positionals } = parseStrict('gateway', argv, GATEWAY_OPTIONS);
    if (positionals.length !== 1) throw usageError(GATEWAY_USAGE);
    const file = positionals[0];
    const stopAt = intOpt('--stop-at', values['stop-at']);
    if (stopAt !== undefined && stopAt < 1) throw usageError('--stop-at must be a message seq ≥ 1');
    const level = values['log-level'] ?? 'warn';
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const venueAt = values.venue === undefined ? null : hostPort(values.venue);
    const vu = values['venue-user'] ?? `${DEFAULT_VENUE_USER.username}:${DEFAULT_VENUE_USER.password}`;
    const vm = /^([A-Za-z0-9]{1,6}):([\x21-\x7e]{1,10})$/.exec(vu);
    if (!vm) throw usageError('--venue-user must be NAME:PASSWORD');
    const backend = values.backend ?? 'rust';
    if (!(BACKENDS as readonly string[]).includes(backend)) throw usageError(`--backend must be one of ${BACKENDS.join(', ')}`);
    if (values.standby !== undefined && (!['rust', 'fpga'].includes(values.standby) || values.standby === backend || backend === 'shadow')) {
      throw usageError('--standby must be rust or fpga, other than --backend (and not with --backend shadow, which compares both already)');
    }
    const cfg = loadConfig(values.config);
    if (!cfg.orderEntry) throw new RiskgateError('CONFIG_INVALID', `config ${cfg.source} has no orderEntry section (docs/config.md)`);
    checkInput(file);
    await checkItch(file);

    const out = (event: string, text: string, data: Record<string, unknown>) =>
      process.stdout.write(`${values.json ? JSON.stringify({ event, ...data }) : text}\n`);
    const blob = configBlob(cfg);
    // With a standby every engine call is also compared; a divergence fails closed: the global
    // kill switch goes in band before the next engine input, and orders are refused meanwhile.
    let diverged: string | null = null;
    const engine = values.standby
      ? new FailoverEngine(createEngine(backend, blob), createEngine(values.standby, blob), { onDivergence: (seq) => (diverged ??= `the ${backend} and ${values.standby} engines' records differ at seq ${seq}`) })
      : createEngine(backend, blob);
    const oe = new OrderEntryEngine(engine, blobFingerprint(blob), cfg.accounts.length, { ...cfg.orderEntry, maxDailyLoss: cfg.accounts.map((a) => a.maxDailyLoss) });
    let killedForDivergence = false;
    const failClosed = () => {
      if (!diverged || killedForDivergence) return;
      killedForDivergence = true;
      oe.operatorControls(frame(itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, oe.seq + 1, 1n, blobFingerprint(blob))));
    };
    let venue: OuchClient | null = null;
    if (venueAt) {
      try {
        venue = await OuchClient.connect({ ...venueAt, username: vm[1], password: vm[2], keepAnswers: false });
        // The venue's session outlives this process: continue its UserRefNums (a restarted
        // gateway starting at 1 again would have every order refused as a duplicate).
        await venue.continueNumbering();
      } catch (e) {
        throw new RiskgateError('SERVICE_UNAVAILABLE', `cannot log in to the venue at ${values.venue}: ${(e as Error).message}`);
      }
    }
    const router = new OrderRouter(oe, cfg.symbols.map((s) => s.symbol), venue);
    const port = intOpt('--port', values.port);
    const log = createLogger({ level, name: 'gateway' });
    // Operations (spec §18.6): dashboard, /metrics and the control API with --serve, the audit
    // log with --audit-out; the executions are cleared in process or over Kafka (--brokers).
    const plane: ControlPlane | null = values.serve || values['audit-out']
      ? await startControlPlane({
        serve: values.serve, port: values['http-port'], 'token-file': values['token-file'], 'audit-out': values['audit-out'],
        'public-metrics': values['public-metrics'], config: values.config,
      }, { source: file, config: cfg, backend, speed: 'max', log, engine: { stats: () => ({}) } })
      : null;
    const clearing = await startReplayClearing({ brokers: values.brokers, prefix: values.prefix }, cfg);
    let ops: OrderEntryOps | null = null;
    const latency = values.latency ? new OrderLatency() : null;
    const gateway = new Gateway({
      ...gatewayOptions(cfg, (o) => {
        failClosed();
        return diverged ? { accept: false, failed: `fail closed: ${diverged}` } : router.decide(o);
      }),
      // Enter Orders a read at a time, in one engine call (spec §18.6), under the same rule.
      decideBatch: (os) => {
        failClosed();
        const why = diverged;
        return why ? os.map(() => ({ accept: false as const, failed: `fail closed: ${why}` })) : router.decideBatch(os);
      },
      ...(port !== undefined ? { port } : {}), orders: router.listener, log,
      // A read's plain Enter Orders framed and decoded in one native call (issue 13).
      nativeRead: nativeReadScanner(),
      // A read that may carry more Enter Orders than there are free engine ids waits (≤ 20 ms)
      // for the venue's answers that free them, instead of being refused (issue 13).
      ...(venue ? { hasRoom: router.hasRoom } : {}),
      onEvent: (e) => ops?.onEvent(e),
      ...(latency ? { onOrderTiming: latency.record } : {}),
    });
    router.attach(gateway);
    // An account kill the daily loss limit engaged (CONTROL ACCOUNT_KILL 2, spec §18.8) shows in
    // the control state, so the dashboard's account button offers its release.
    const routerControl = oe.onControl;
    oe.onControl = (c) => {
      routerControl?.(c);
      if (plane && c.op === ControlOp.ACCOUNT_KILL && c.value === 2n) plane.queue.state.apply(plane.queue.state.check(c.op, c.target, 1n));
    };
    ops = new OrderEntryOps(cfg, gateway, router, plane ? { writer: plane.audit, run: plane.run, seq: () => oe.seq } : null);
    const clearingDone: Promise<void>[] = [];
    // After the read under way is handled: its venue forwards and answers do not wait for these (issue 13).
    oe.deferRecords = true;
    oe.onRecords = (records, firstSeq, messages, ns) => {
      plane?.live.observe(records, { frames: records, firstSeq, offset: 0, messages, final: false }, ns, []);
      const r = clearing.onRecords(records);
      if (r) clearingDone.push(r);
    };
    // Operator changes go in at the session's current position, between engine calls.
    const pumpControls = () => {
      const ctl = plane?.queue.take(oe.seq + 1);
      if (ctl) plane!.queue.confirm(oe.operatorControls(ctl));
    };
    const pump = plane ? setInterval(pumpControls, 5) : null;
    pump?.unref();
    if (plane) {
      ops.register(plane.metrics.registry);
      plane.live.extraState = () => ({ orderEntry: ops!.snapshot() });
      plane.live.status = 'running';
      plane.live.clearing = new LiveClearing(cfg, 2, 256, (w, lag) => plane.metrics.clearingLag.set({ worker: w }, lag));
      if (plane.url) out('serving', `dashboard    ${plane.url}/ (metrics ${plane.url}/metrics)`, { url: plane.url });
    }
    const warm = intOpt('--warm-up', values['warm-up']) ?? DEFAULT_WARM_UP_ORDERS;
    const warmed = warm > 0 ? await warmUp(warm, cfg.symbols.map((s) => s.symbol)) : null;
    if (warmed) log.info(warmed, 'order entry: warmed up');
    let addr;
    try {
      addr = await gateway.start();
    } catch (e) {
      throw new RiskgateError('SERVICE_UNAVAILABLE', `cannot listen on ${cfg.orderEntry.host}:${port ?? cfg.orderEntry.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    out('listening', `gateway listening on ${addr.address}:${addr.port} (OUCH 5.0; sessions ${cfg.orderEntry.sessions.map((s) => s.username).join(', ')}); engine ${backend}${values.standby ? ` (standby ${values.standby})` : ''}; venue ${values.venue ?? 'none'}`, {
      host: addr.address, port: addr.port, backend, standby: values.standby ?? null, venue: values.venue ?? null, file, warmUp: warmed,
    });

    let signalled = false;
    const stopped = new Promise<void>((resolve) => {
      const on = () => {
        signalled = true;
        resolve();
      };
      process.once('SIGINT', on);
      process.once('SIGTERM', on);
    });
    // Market data in batches; the event loop runs between them, so orders are checked at
    // the position reached.
    const problems = new ProblemLog();
    let ended = true;
    for await (const b of readBatches(file, { problems, batchFrames: 1024 })) {
      const parts = stopAt === undefined ? [b] : splitBatch(b, [stopAt + 1]);
      for (const p of parts) {
        if (stopAt !== undefined && p.firstSeq > stopAt) {
          ended = false;
          break;
        }
        pumpControls();
        failClosed();
        oe.feed(p.frames, p.final && stopAt === undefined);
      }
      if (signalled || (stopAt !== undefined && oe.seq >= stopAt)) {
        ended = ended && stopAt === undefined;
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
    if (!signalled) {
      out('feed', `feed         ${ended ? 'the session ended' : `stopped at --stop-at ${stopAt}`} after message ${oe.seq}; checking orders at this position (Ctrl-C ends)`, { seq: oe.seq, ended });
      await stopped;
    }
    if (pump) clearInterval(pump);
    const latencySummary = latency?.summary();
    await gateway.close();
    await venue?.logout().catch(() => {});
    if (values.record) writeFileSync(values.record, oe.mergedStream());
    const t = gateway.stats().totals;
    const d = oe.recordDigest();
    await Promise.all(clearingDone);
    const report: Record<string, unknown> = {};
    await clearing.finish(report);
    await clearing.close();
    const clearingText = clearing.text(report);
    plane?.audit?.write({ type: 'end', run: plane.run, wallTime: new Date().toISOString(), messages: oe.seq, controls: plane.queue.history.length, recordsSha256: d.sha256, status: signalled ? 'interrupted' : 'ok' });
    if (plane) plane.live.status = 'done';
    await plane?.close();
    out('summary', [
      `orders       ${t.checked} checked, ${t.accepted} accepted, ${t.rejected} rejected, ${t.executed} executions, ${t.canceled} canceled; ${router.massCanceled} mass-canceled by a kill`,
      `engine       ${oe.seq.toLocaleString('en-US')} messages; records ${d.bytes / 32} (sha256 ${d.sha256})`,
      ...(values.record ? [`recorded     ${values.record} (riskgate replay ${values.record} gives this digest)`] : []),
      ...(latencySummary ? [`latency      ${JSON.stringify(latencySummary)}`] : []),
      ...(clearingText ? [clearingText] : []),
    ].join('\n'), {
      ouch: t, messages: oe.seq, records: d.bytes / 32, recordsSha256: d.sha256, record: values.record ?? null, unmatchedVenueAnswers: router.unmatched, roomWaits: gateway.roomWaits,
      massCanceled: router.massCanceled, orderEntry: ops.snapshot(), clearing: report.clearing ?? null,
      ...(latencySummary ? { latency: latencySummary } : {}),
    });
    return 0;
  });
}
