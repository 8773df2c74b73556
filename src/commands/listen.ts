/**
 * `riskgate listen --from host:port|group:port --request host:port --brokers host:port
 *                 [--topic riskgate.md.itch] [--json] [--events] …`
 *
 * Receives a MoldUDP64 feed over UDP, recovers gaps from the request server and publishes the
 * session's packets in order on the Kafka feed topic, exactly once across restarts
 * (docs/spec.md §14.7). Ends at the end-of-session packet, or on SIGINT/SIGTERM after
 * committing what it has. Exit: 0 ok, 2 bad options, 7 fenced by another listener, 8 broker
 * unavailable.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FEED_TOPIC } from '../kafka/feed-topics.ts';
import { listen } from '../udp/listen.ts';
import { hostPort } from './feed-sim.ts';
import { intOpt, usageError, withCodedErrors } from './kafka-options.ts';
import { HELP_OPTION, helpFor } from './help.ts';

export const LISTEN_USAGE =
  'usage: riskgate listen --from host:port|group:port --request host:port --brokers host:port [--topic riskgate.md.itch] ' +
  '[--id riskgate.listen.<topic>] [--reorder-wait-ms 5] [--request-timeout-ms 100] [--recovery-timeout-ms 1000] [--max-gap 1000000] ' +
  '[--idle-exit-ms ms] [--json] [--events]';

export const LISTEN_OPTIONS = {
  from: { type: 'string' },
  request: { type: 'string' },
  brokers: { type: 'string' },
  topic: { type: 'string' },
  id: { type: 'string' },
  'multicast-interface': { type: 'string' },
  'reorder-wait-ms': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
  'recovery-timeout-ms': { type: 'string' },
  'max-gap': { type: 'string' },
  'max-held': { type: 'string' },
  'idle-exit-ms': { type: 'string' },
  json: { type: 'boolean' },
  events: { type: 'boolean' },
  ...HELP_OPTION,
} as const;

export const help = helpFor(LISTEN_USAGE, LISTEN_OPTIONS, {
  from: '<host:port> where the feed arrives: a local address and port, or a multicast group and port to join (required)',
  request: '<host:port> the request server that answers MoldUDP64 retransmission requests (required)',
  brokers: '<host:port> Kafka bootstrap broker(s), comma-separated (required)',
  topic: '<name> feed topic, single partition, created if missing (default riskgate.md.itch)',
  id: '<id> transactional id of the listener (default riskgate.listen.<topic>); a second listener with it fences the first',
  'multicast-interface': '<addr> interface address to join the multicast group on',
  'reorder-wait-ms': '<ms> a gap may be reordering this long before it is requested (default 5)',
  'request-timeout-ms': '<ms> a request not answered within this is sent again (default 100)',
  'recovery-timeout-ms': '<ms> no progress on a gap for this long makes it unrecoverable (default 1000)',
  'max-gap': '<N> largest gap requested; a larger one is unrecoverable at once, a packet claiming more is an outlier until confirmed (default 1000000)',
  'max-held': '<N> most packets held past a gap before it is given up (default 50000)',
  'idle-exit-ms': '<ms> stop when nothing arrived for this long (default: never; the end of session stops it)',
  json: 'print the summary as JSON',
  events: 'print every gap, request, outlier and transaction as a JSON line on stderr',
  help: 'print this help and exit',
});

export async function listenCommand(argv: string[]): Promise<number> {
  return withCodedErrors('listen', async () => {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: LISTEN_OPTIONS });
    if (positionals.length !== 0 || !values.from || !values.request || !values.brokers) throw usageError(LISTEN_USAGE);
    const from = hostPort('--from', values.from);
    const request = hostPort('--request', values.request);
    const ms = (name: string, v: string | undefined) => {
      const n = intOpt(name, v);
      if (n !== undefined && n < 1) throw usageError(`${name} must be ≥ 1`);
      return n;
    };
    const recovery = {
      reorderWaitMs: intOpt('--reorder-wait-ms', values['reorder-wait-ms']),
      requestTimeoutMs: ms('--request-timeout-ms', values['request-timeout-ms']),
      recoveryTimeoutMs: ms('--recovery-timeout-ms', values['recovery-timeout-ms']),
      maxGap: ms('--max-gap', values['max-gap']),
      maxHeld: ms('--max-held', values['max-held']),
    };
    const idleExitMs = ms('--idle-exit-ms', values['idle-exit-ms']);
    const emit = values.events ? (event: string, data: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ event, t: Date.now(), ...data })}\n`) : undefined;
    const ac = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
      emit?.('signal', { signal: sig });
      ac.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const rep = await listen({
        from,
        request,
        brokers: values.brokers,
        topic: values.topic ?? DEFAULT_FEED_TOPIC,
        transactionalId: values.id,
        recovery: Object.fromEntries(Object.entries(recovery).filter(([, v]) => v !== undefined)),
        multicastInterface: values['multicast-interface'],
        idleExitMs,
        signal: ac.signal,
        onEvent: emit,
      });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(rep)}\n`);
      } else {
        const g = rep.gaps;
        const lines = [
          `riskgate listen — udp ${rep.from} → ${rep.topic} (session ${JSON.stringify((rep.session ?? '').trimEnd())})`,
          rep.alreadyComplete
            ? `resume        the topic already holds the whole session (end of session at seq ${rep.resumedAt}): nothing to do`
            : `resume        from seq ${rep.resumedAt}; ended: ${rep.end}, next seq ${rep.nextSeq}`,
          `received      ${rep.packets.toLocaleString('en-US')} packets, ${rep.answers.toLocaleString('en-US')} answers to ${rep.requests} requests (${rep.recoveredMessages} messages recovered)`,
          `published     ${rep.published.packets.toLocaleString('en-US')} packets (${rep.published.messages.toLocaleString('en-US')} messages, ${rep.published.heartbeats} heartbeats) in ${rep.published.transactions} transactions${rep.published.endOfSession ? '; end of session' : ''}`,
          `gaps          ${g.total}: ${g.reordered} reordered, ${g.recovered} recovered, ${g.unrecoverable} unrecoverable (${g.lost} messages lost)`,
          `duplicates    ${rep.duplicates.packets} packets (${rep.duplicates.messages} messages); outliers ${rep.outliers}; refused ${rep.refused.bad + rep.refused.wrongSession}`,
          `throughput    ${rep.messagesPerSecond.toLocaleString('en-US')} msg/s (${rep.seconds.toFixed(2)} s)`,
        ];
        for (const e of g.unrecoverableEpisodes.slice(0, 10)) lines.push(`unrecoverable seq ${e.from}..${e.from + (e.lost ?? 0) - 1} (${e.lost} lost, ${e.reason}, ${e.requests} requests)`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
