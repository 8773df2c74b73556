/**
 * `--group A.B.C.D[:PORT]` and `--order-port N`: the destination filter of the Ethernet front
 * end (spec §17, §18.7) (replay's `--port` is the control server's).
 */
import { ETHERNET } from '../contract.ts';
import { usageError } from '../commands/usage.ts';
import { DEFAULT_ENDPOINT, parseIpv4, type Endpoint } from './frame.ts';

export const ENDPOINT_OPTIONS = {
  group: { type: 'string' },
  'order-port': { type: 'string' },
} as const;

export const ENDPOINT_HELP = `<A.B.C.D[:PORT]> pcap input: the destination IPv4 group and UDP port the Ethernet front end keeps (default ${ETHERNET.defaultGroup}:${ETHERNET.defaultPort})`;

export const ORDER_PORT_HELP = `<N> pcap input: the UDP port of the order-entry stream, one client order or venue frame per datagram (spec §18.7; default ${ETHERNET.defaultOrderPort})`;

export function parseEndpoint(v: string | undefined, orderPort?: string): Endpoint {
  let op = DEFAULT_ENDPOINT.orderPort;
  if (orderPort !== undefined) {
    if (!/^\d{1,5}$/.test(orderPort) || Number(orderPort) > 65535) throw usageError(`--order-port must be 0..65535, got ${JSON.stringify(orderPort)}`);
    op = Number(orderPort);
  }
  if (v === undefined) return { ...DEFAULT_ENDPOINT, orderPort: op };
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
  return { group, port, orderPort: op };
}
