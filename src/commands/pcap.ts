/**
 * `riskgate pcap <session.itch[.gz]> --out capture.pcap [--group A.B.C.D[:PORT]]
 *               [--bad all|KIND,…] [--bad-every N] [--vlan ID] [--ip-options] [--ns] [--big-endian]
 *               [--per-packet N] [--session NAME] [--json]`
 *
 * Wraps a session's MoldUDP64 packets in Ethernet/IPv4/UDP frames and writes them as a pcap
 * capture (spec §17), with hand-made bad frames of the chosen drop reasons in between.
 */
import { parseArgs } from 'node:util';
import { checkInput } from '../source/file.ts';
import { checkItch } from '../source/sniff.ts';
import { BAD_KINDS, writeCapture } from '../gen/pcap.ts';
import { ENDPOINT_HELP, ENDPOINT_OPTIONS, ORDER_PORT_HELP, parseEndpoint } from '../ethernet/endpoint-options.ts';
import { formatIpv4, orderPortOf } from '../ethernet/frame.ts';
import { usageError } from './usage.ts';
import { HELP_OPTION, helpFor } from './help.ts';

export const PCAP_USAGE =
  'usage: riskgate pcap <session.itch[.gz]> --out capture.pcap [--group A.B.C.D[:PORT]] [--order-port N] [--bad all|KIND,…] [--bad-every N] ' +
  '[--vlan ID] [--ip-options] [--ns] [--big-endian] [--per-packet N] [--session NAME] [--json]';

export const PCAP_OPTIONS = {
  out: { type: 'string' },
  ...ENDPOINT_OPTIONS,
  bad: { type: 'string' },
  'bad-every': { type: 'string' },
  vlan: { type: 'string' },
  'ip-options': { type: 'boolean' },
  ns: { type: 'boolean' },
  'big-endian': { type: 'boolean' },
  'per-packet': { type: 'string' },
  session: { type: 'string' },
  json: { type: 'boolean' },
  ...HELP_OPTION,
} as const;

export const help = helpFor(PCAP_USAGE, PCAP_OPTIONS, {
  out: '<file> the pcap capture to write (required)',
  group: ENDPOINT_HELP.replace('pcap input: the destination IPv4 group and UDP port the Ethernet front end keeps', 'destination IPv4 group and UDP port of the frames'),
  'order-port': ORDER_PORT_HELP.replace('pcap input: the UDP port of the order-entry stream', 'UDP port the session\'s client order and venue frames go to'),
  bad: `<all|KIND,…> hand-made bad frames to put between the good ones, cycling: ${BAD_KINDS.join(', ')}`,
  'bad-every': '<N> one bad frame after every N good frames (default 5)',
  vlan: '<ID> tag every second good frame with this 802.1Q VLAN id (0..4095)',
  'ip-options': 'give every third good frame a 4-byte IPv4 option (IHL 6)',
  ns: 'nanosecond timestamps (pcap magic A1B23C4D; default microseconds)',
  'big-endian': 'write the capture big-endian (default little-endian)',
  'per-packet': '<N> most ITCH messages per MoldUDP64 packet, 1..65534 (packets also stay within 1472 bytes)',
  session: '<NAME> MoldUDP64 session name (10 characters)',
  json: 'print the summary as JSON',
  help: 'print this help and exit',
});

function positiveInt(name: string, v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw usageError(`${name} must be an integer 1..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function pcapCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: PCAP_OPTIONS });
  if (positionals.length !== 1 || !values.out) throw usageError(PCAP_USAGE);
  const input = positionals[0];
  const to = parseEndpoint(values.group, values['order-port']);
  const bad = values.bad === undefined ? [] : values.bad === 'all' ? [...BAD_KINDS] : values.bad.split(',').map((s) => s.trim());
  for (const k of bad) if (!BAD_KINDS.includes(k)) throw usageError(`--bad: unknown kind ${JSON.stringify(k)} (kinds: ${BAD_KINDS.join(', ')}, or all)`);
  let vlan: number | undefined;
  if (values.vlan !== undefined) {
    if (!/^\d+$/.test(values.vlan) || Number(values.vlan) > 4095) throw usageError(`--vlan must be 0..4095, got ${JSON.stringify(values.vlan)}`);
    vlan = Number(values.vlan);
  }
  if (values.session !== undefined && !/^[\x20-\x7e]{1,10}$/.test(values.session)) throw usageError('--session must be 1..10 printable ASCII characters');
  const badEvery = positiveInt('--bad-every', values['bad-every'], 1_000_000);
  const perPacket = positiveInt('--per-packet', values['per-packet'], 0xfffe);
  checkInput(input);
  await checkItch(input);
  const rep = await writeCapture({
    input, out: values.out, to, bad, badEvery, vlan, ipOptions: values['ip-options'], nanoseconds: values.ns, bigEndian: values['big-endian'], perPacket, session: values.session,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...rep, group: formatIpv4(to.group), port: to.port })}\n`);
  } else {
    const badText = Object.entries(rep.bad).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    process.stdout.write(
      `riskgate pcap — ${input} → ${rep.out} (${formatIpv4(to.group)}:${to.port})\n` +
        `frames        ${rep.frames.toLocaleString('en-US')} (${rep.bytes.toLocaleString('en-US')} bytes)\n` +
        `good          ${rep.good.toLocaleString('en-US')} MoldUDP64 packets, ${rep.messages.toLocaleString('en-US')} messages; VLAN-tagged ${rep.vlanTagged}, with IPv4 options ${rep.withIpOptions}\n` +
        (rep.orderFrames ? `order entry   ${rep.orderFrames.toLocaleString('en-US')} client order and venue frames to port ${orderPortOf(to)}\n` : '') +
        `bad           ${badText}\n`,
    );
  }
  return 0;
}
