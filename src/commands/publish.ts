/**
 * `riskgate publish <file> --brokers host:port [--topic riskgate.md.itch] [--per-packet N]
 *                  [--session NAME] [--from-seq N] [--to-seq N] [--no-end]
 *                  [--drop-seq S,…] [--duplicate-seq S,…] [--json]`
 *
 * Publishes a recorded session on the feed topic as MoldUDP64 packets (docs/spec.md §14.4).
 * Exit: 0 ok, 2 bad options, 3/4 bad input file, 8 broker unavailable.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FEED_TOPIC } from '../kafka/feed-topics.ts';
import { publishFeed } from '../kafka/publish.ts';
import { checkInput } from '../source/file.ts';
import { intOpt, usageError, withCodedErrors } from './kafka-options.ts';
import { HELP_OPTION, helpFor } from './help.ts';
import { isPcap } from '../source/pcap.ts';
import { publishCapture } from '../kafka/publish-capture.ts';
import { ENDPOINT_HELP, ENDPOINT_OPTIONS, ORDER_PORT_HELP, parseEndpoint } from '../ethernet/endpoint-options.ts';

export const PUBLISH_USAGE =
  'usage: riskgate publish <file.itch[.gz]|capture.pcap> --brokers host:port [--topic riskgate.md.itch] [--group A.B.C.D[:PORT]] [--per-packet N] [--session NAME] ' +
  '[--from-seq N] [--to-seq N] [--no-end] [--drop-seq S,…] [--duplicate-seq S,…] [--json]';

function seqList(name: string, v: string[] | undefined): number[] {
  const out: number[] = [];
  for (const part of (v ?? []).flatMap((x) => x.split(','))) {
    const n = intOpt(name, part.trim());
    if (n === undefined || n < 1) throw usageError(`${name} takes seqs ≥ 1`);
    out.push(n);
  }
  return out;
}

export const PUBLISH_OPTIONS = {
  brokers: { type: 'string' },
  topic: { type: 'string' },
  'per-packet': { type: 'string' },
  session: { type: 'string' },
  'from-seq': { type: 'string' },
  'to-seq': { type: 'string' },
  'no-end': { type: 'boolean' },
  'drop-seq': { type: 'string', multiple: true },
  'duplicate-seq': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  ...ENDPOINT_OPTIONS,
  ...HELP_OPTION,
} as const;

export const help = helpFor(PUBLISH_USAGE, PUBLISH_OPTIONS, {
  brokers: '<host:port> Kafka bootstrap broker(s), comma-separated (required)',
  topic: '<name> feed topic, single partition, created if missing (default riskgate.md.itch)',
  'per-packet': '<N> ITCH messages per MoldUDP64 packet, 1..65534',
  session: '<NAME> MoldUDP64 session name (10 characters)',
  'from-seq': '<N> first seq to publish (default 1)',
  'to-seq': '<N> last seq to publish (default: the end of the file)',
  'no-end': 'do not send the end-of-session packet',
  'drop-seq': '<S,…> leave out the packets of these seqs (gap drills)',
  'duplicate-seq': '<S,…> send the packets of these seqs twice (duplicate drills)',
  json: 'print the summary as JSON',
  group: ENDPOINT_HELP,
  'order-port': ORDER_PORT_HELP,
  help: 'print this help and exit',
});

/** Options that shape packets made from a session file; a capture's packets go as captured. */
const SESSION_ONLY = ['per-packet', 'session', 'from-seq', 'to-seq', 'no-end', 'drop-seq', 'duplicate-seq'] as const;

export async function publishCommand(argv: string[]): Promise<number> {
  return withCodedErrors('publish', async () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: PUBLISH_OPTIONS,
    });
    if (values.help) {
      process.stdout.write(`${PUBLISH_USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1 || !values.brokers) throw usageError(PUBLISH_USAGE);
    const file = positionals[0];
    checkInput(file);
    if (await isPcap(file)) {
      for (const k of SESSION_ONLY) if (values[k] !== undefined) throw usageError(`--${k} does not apply to a pcap capture (its packets go as captured)`);
      const to = parseEndpoint(values.group, values['order-port']);
      const rep = await publishCapture({ brokers: values.brokers, file, topic: values.topic ?? DEFAULT_FEED_TOPIC, to });
      if (values.json) process.stdout.write(`${JSON.stringify(rep)}\n`);
      else {
        const drops = Object.entries(rep.capture.dropped).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
        const lines = [
          `riskgate publish — ${rep.file} → ${rep.topic} (session ${JSON.stringify(rep.session.trimEnd())})`,
          `ethernet      ${rep.capture.frames.toLocaleString('en-US')} frames to ${rep.capture.group}:${rep.capture.port}: ${rep.capture.accepted.toLocaleString('en-US')} accepted; dropped: ${drops}`,
          `packets       ${rep.packets.toLocaleString('en-US')} (${rep.bytes.toLocaleString('en-US')} bytes), as captured`,
          `messages      ${rep.messages.toLocaleString('en-US')}, seq ${rep.firstSeq}..${rep.lastSeq}; control messages ${rep.controls}`,
          `end           ${rep.endOfSession ? 'end-of-session packet sent' : 'no end-of-session packet in the capture'}`,
        ];
        for (const w of rep.warnings) lines.push(`warning       ${w}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return 0;
    }
    if (values.group !== undefined) throw usageError('--group applies to a pcap capture only');
    if (values['order-port'] !== undefined) throw usageError('--order-port applies to a pcap capture only');
    const perPacket = intOpt('--per-packet', values['per-packet']);
    if (perPacket !== undefined && (perPacket < 1 || perPacket > 0xfffe)) throw usageError('--per-packet must be 1..65534');
    const fromSeq = intOpt('--from-seq', values['from-seq']);
    const toSeq = intOpt('--to-seq', values['to-seq']);
    if (fromSeq !== undefined && fromSeq < 1) throw usageError('--from-seq must be ≥ 1');
    if (fromSeq !== undefined && toSeq !== undefined && toSeq < fromSeq) throw usageError('--to-seq must be ≥ --from-seq');
    if (values.session !== undefined && !/^[\x20-\x7e]{1,10}$/.test(values.session)) throw usageError('--session must be 1..10 printable ASCII characters');
    const rep = await publishFeed({
      brokers: values.brokers,
      file,
      topic: values.topic ?? DEFAULT_FEED_TOPIC,
      perPacket,
      session: values.session,
      fromSeq,
      toSeq,
      end: !values['no-end'],
      dropSeqs: seqList('--drop-seq', values['drop-seq']),
      duplicateSeqs: seqList('--duplicate-seq', values['duplicate-seq']),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(rep)}\n`);
    } else {
      const lines = [
        `riskgate publish — ${rep.file} → ${rep.topic} (session ${JSON.stringify(rep.session.trimEnd())})`,
        `packets       ${rep.packets.toLocaleString('en-US')} (${rep.bytes.toLocaleString('en-US')} bytes)`,
        `messages      ${rep.messages.toLocaleString('en-US')}, seq ${rep.firstSeq}..${rep.lastSeq}; control messages ${rep.controls}`,
        `end           ${rep.endOfSession ? 'end-of-session packet sent' : 'no end-of-session packet (more to come)'}`,
      ];
      if (rep.dropped.packets) lines.push(`dropped       ${rep.dropped.packets} packets (${rep.dropped.messages} messages) — fault injection`);
      if (rep.duplicated.packets) lines.push(`duplicated    ${rep.duplicated.packets} packets (${rep.duplicated.messages} messages) — fault injection`);
      for (const w of rep.warnings) lines.push(`warning       ${w}`);
      lines.push(`throughput    ${rep.messagesPerSecond.toLocaleString('en-US')} msg/s (${rep.seconds.toFixed(2)} s)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  });
}
