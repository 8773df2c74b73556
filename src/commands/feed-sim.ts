/**
 * `riskgate feed-sim <file> --to host:port [--request-port N] [--session S] [--messages-per-packet 8]
 *                   [--rate msgs/s|max] [--loss p] [--reorder p] [--duplicate p] [--answer-loss p]
 *                   [--seed n] [--no-request-server] [--json] [--events]`
 *
 * Serves a recorded session as a MoldUDP64 feed over UDP with seeded faults, and a request
 * server answering retransmission requests (docs/spec.md §14.7).
 * Exit: 0 ok, 2 bad options, 3/4 bad input file.
 */
import { parseArgs } from 'node:util';
import { feedSim, type HostPort } from '../udp/feed-sim.ts';
import { checkInput } from '../source/file.ts';
import { intOpt, numOpt, usageError, withCodedErrors } from './kafka-options.ts';
import { HELP_OPTION, helpFor } from './help.ts';

export const FEED_SIM_USAGE =
  'usage: riskgate feed-sim <file> --to host:port [--request-port N] [--session S] [--messages-per-packet 8] [--rate msgs/s|max] ' +
  '[--loss 0.01] [--reorder 0.005] [--duplicate 0.005] [--answer-loss p] [--seed n] [--no-request-server] [--json] [--events]';

export const FEED_SIM_OPTIONS = {
  to: { type: 'string' },
  'request-port': { type: 'string' },
  'request-host': { type: 'string' },
  session: { type: 'string' },
  'messages-per-packet': { type: 'string' },
  rate: { type: 'string' },
  loss: { type: 'string' },
  reorder: { type: 'string' },
  duplicate: { type: 'string' },
  'answer-loss': { type: 'string' },
  seed: { type: 'string' },
  'no-request-server': { type: 'boolean' },
  'heartbeat-ms': { type: 'string' },
  'end-repeats': { type: 'string' },
  'linger-ms': { type: 'string' },
  'multicast-interface': { type: 'string' },
  json: { type: 'boolean' },
  events: { type: 'boolean' },
  ...HELP_OPTION,
} as const;

export const help = helpFor(FEED_SIM_USAGE, FEED_SIM_OPTIONS, {
  to: '<host:port> where the feed goes: a unicast address (e.g. 127.0.0.1:30001) or a multicast group (239.x.x.x:port) (required)',
  'request-port': '<N> UDP port of the request server (default 0: a free one, printed in the ready event and the report)',
  'request-host': '<addr> address the request server binds to (default 127.0.0.1)',
  session: '<S> MoldUDP64 session name (1..10 characters, default RISKGATE)',
  'messages-per-packet': '<N> message blocks per packet, controls included, 1..65534 (default 8)',
  rate: '<msgs/s|max> messages per second (default 100000), or max',
  loss: '<p> probability that a feed packet is lost (default 0)',
  reorder: '<p> probability that a feed packet goes out 1-3 packets late (default 0)',
  duplicate: '<p> probability that a feed packet is sent twice (default 0)',
  'answer-loss': '<p> probability that a request server answer is lost (default 0: answers are never dropped)',
  seed: '<n> seed of the faults (default 1)',
  'no-request-server': 'run no request server: every loss is unrecoverable',
  'heartbeat-ms': '<ms> a heartbeat goes out after this long without a packet (default 1000)',
  'end-repeats': '<N> times the end-of-session packet is sent (default 3)',
  'linger-ms': '<ms> after the end, the request server stays up until no request came for this long (default 2000)',
  'multicast-interface': '<addr> interface address multicast goes out on',
  json: 'print the summary as JSON',
  events: 'print ready and end events as JSON lines on stderr',
  help: 'print this help and exit',
});

export function hostPort(name: string, v: string | undefined): HostPort {
  const m = v === undefined ? null : /^([^:\s]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw usageError(`${name} must be host:port, got ${JSON.stringify(v ?? '')}`);
  return { host: m[1], port: Number(m[2]) };
}

export function probability(name: string, v: string | undefined): number | undefined {
  const p = numOpt(name, v);
  if (p !== undefined && (p < 0 || p > 1)) throw usageError(`${name} must be a probability in [0, 1], got ${v}`);
  return p;
}

export async function feedSimCommand(argv: string[]): Promise<number> {
  return withCodedErrors('feed-sim', async () => {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: FEED_SIM_OPTIONS });
    if (positionals.length !== 1 || !values.to) throw usageError(FEED_SIM_USAGE);
    const file = positionals[0];
    const to = hostPort('--to', values.to);
    const perPacket = intOpt('--messages-per-packet', values['messages-per-packet']);
    if (perPacket !== undefined && (perPacket < 1 || perPacket > 0xfffe)) throw usageError('--messages-per-packet must be 1..65534');
    let rate: number | 'max' = 100_000;
    if (values.rate === 'max') rate = 'max';
    else if (values.rate !== undefined) {
      const r = numOpt('--rate', values.rate)!;
      if (!(r > 0)) throw usageError('--rate must be a positive number of messages per second, or max');
      rate = r;
    }
    if (values.session !== undefined && !/^[\x20-\x7e]{1,10}$/.test(values.session)) throw usageError('--session must be 1..10 printable ASCII characters');
    const requestPort = intOpt('--request-port', values['request-port']);
    if (requestPort !== undefined && requestPort > 65535) throw usageError('--request-port must be 0..65535');
    if (values['no-request-server'] && requestPort !== undefined) throw usageError('--request-port and --no-request-server exclude each other');
    const seed = intOpt('--seed', values.seed);
    const heartbeatMs = intOpt('--heartbeat-ms', values['heartbeat-ms']);
    if (heartbeatMs !== undefined && heartbeatMs < 1) throw usageError('--heartbeat-ms must be ≥ 1');
    checkInput(file);
    const emit = values.events ? (event: string, data: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ event, t: Date.now(), ...data })}\n`) : undefined;
    const rep = await feedSim({
      file,
      to,
      requestPort: values['no-request-server'] ? null : (requestPort ?? 0),
      requestHost: values['request-host'],
      session: values.session,
      perPacket,
      rate,
      loss: probability('--loss', values.loss),
      reorder: probability('--reorder', values.reorder),
      duplicate: probability('--duplicate', values.duplicate),
      answerLoss: probability('--answer-loss', values['answer-loss']),
      seed,
      heartbeatMs,
      endRepeats: intOpt('--end-repeats', values['end-repeats']),
      lingerMs: intOpt('--linger-ms', values['linger-ms']),
      multicastInterface: values['multicast-interface'],
      onEvent: emit,
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(rep)}\n`);
    } else {
      const c = rep.channel;
      const q = rep.requests;
      const lines = [
        `riskgate feed-sim — ${rep.file} → udp ${rep.to} (session ${JSON.stringify(rep.session.trimEnd())})`,
        `packets       ${rep.packets.toLocaleString('en-US')}; messages ${rep.messages.toLocaleString('en-US')}, seq ${rep.firstSeq}..${rep.lastSeq}; control messages ${rep.controls}`,
        `channel       lost ${c.lost.packets} packets (${c.lost.messages} messages), reordered ${c.reordered}, duplicated ${c.duplicated}, heartbeats ${c.heartbeats}, end-of-session ×${c.endPackets} (${c.endLost} lost)`,
        rep.request
          ? `requests      ${q.received} on ${rep.request}: ${q.answered} answered (${q.answerPackets} packets, ${q.answerMessages} messages, ${q.answersDropped} dropped), ${q.unanswered} not held, ${q.bad} bad`
          : 'requests      no request server',
      ];
      for (const w of rep.warnings) lines.push(`warning       ${w}`);
      lines.push(`throughput    ${rep.messagesPerSecond.toLocaleString('en-US')} msg/s (${rep.seconds.toFixed(2)} s)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  });
}
