/**
 * `--group A.B.C.D[:PORT]`: the destination filter of the Ethernet front end (spec §17), one
 * option (replay's `--port` is the control server's).
 */
import { ETHERNET } from '../contract.ts';
import { usageError } from '../commands/usage.ts';
import { DEFAULT_ENDPOINT, parseIpv4, type Endpoint } from './frame.ts';

export const ENDPOINT_OPTIONS = {
  group: { type: 'string' },
} as const;

export const ENDPOINT_HELP = `<A.B.C.D[:PORT]> pcap input: the destination IPv4 group and UDP port the Ethernet front end keeps (default ${ETHERNET.defaultGroup}:${ETHERNET.defaultPort})`;

export function parseEndpoint(v: string | undefined): Endpoint {
  if (v === undefined) return DEFAULT_ENDPOINT;
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(v);
  let group: number;
  try {
    if (!m) throw new Error(`not A.B.C.D[:PORT]: ${JSON.stringify(v)}`);
    group = parseIpv4(m[1]);
  } catch (e) {
    throw usageError(`--group: ${(e as Error).message}`);
  }
  const port = m[2] === undefined ? DEFAULT_ENDPOINT.port : Number(m[2]);
  if (port > 65535) throw usageError(`--group: port must be 0..65535, got ${port}`);
  return { group, port };
}
