/**
 * Builds Ethernet II / 802.1Q / IPv4 / UDP frames around a UDP payload (spec §17), as a
 * feed handler's NIC would receive them: no FCS, padded to the 60-byte minimum, a valid
 * IPv4 header checksum and UDP checksum. Used by `riskgate pcap` and the tests; the
 * receiving side is the engines' (native/core/src/ethernet.rs, hdl/rg_eth_rx.v).
 */
import { ETHERNET } from '../contract.ts';

export interface Endpoint {
  /** Destination IPv4 address (the multicast group) as a u32. */
  group: number;
  /** UDP port of the market data (MoldUDP64 packets). */
  port: number;
  /** UDP port of the order-entry stream (one `{`/`}` frame per datagram, spec §18.7); default the contract's. */
  orderPort?: number;
}

export interface FrameOptions {
  /** An 802.1Q tag with this VLAN id (0..4095). */
  vlan?: number;
  /** IPv4 option bytes (a multiple of 4, at most 40). */
  ipOptions?: Buffer;
  /** IPv4 identification. */
  id?: number;
  /** flags+fragment offset word (default DF). */
  fragment?: number;
  protocol?: number;
  source?: number;
  sourcePort?: number;
}

/** a.b.c.d → u32; throws on anything else. */
export function parseIpv4(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new Error(`not an IPv4 address: ${JSON.stringify(s)}`);
  return m.slice(1).reduce((a, x) => a * 256 + Number(x), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export const DEFAULT_ENDPOINT: Endpoint = { group: parseIpv4(ETHERNET.defaultGroup), port: ETHERNET.defaultPort, orderPort: ETHERNET.defaultOrderPort };

/** The order-entry port of an endpoint (the contract's default when it names none). */
export function orderPortOf(to: Endpoint): number {
  return to.orderPort ?? ETHERNET.defaultOrderPort;
}

/** One's-complement sum of big-endian 16-bit words (an odd byte padded with 0), folded. */
export function onesSum(b: Buffer, start = 0, end = b.length, initial = 0): number {
  let s = initial;
  for (let i = start; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if ((end - start) & 1) s += b[end - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The multicast MAC of an IPv4 group (01:00:5E + its low 23 bits). */
function multicastMac(group: number): Buffer {
  return Buffer.from([0x01, 0x00, 0x5e, (group >>> 16) & 0x7f, (group >>> 8) & 0xff, group & 0xff]);
}

export function ethernetFrame(payload: Buffer, to: Endpoint, o: FrameOptions = {}): Buffer {
  const opts = o.ipOptions ?? Buffer.alloc(0);
  if (opts.length % 4 !== 0 || opts.length > 40) throw new Error('IPv4 options must be a multiple of 4 bytes, at most 40');
  const l2 = o.vlan === undefined ? 14 : 18;
  const ihl = 20 + opts.length;
  const total = ihl + 8 + payload.length;
  const f = Buffer.alloc(Math.max(ETHERNET.minFrame, l2 + total));
  multicastMac(to.group).copy(f, 0);
  Buffer.from([0x02, 0x52, 0x47, 0x00, 0x00, 0x01]).copy(f, 6);
  if (o.vlan !== undefined) {
    f.writeUInt16BE(0x8100, 12);
    f.writeUInt16BE(o.vlan & 0x0fff, 14);
  }
  f.writeUInt16BE(0x0800, l2 - 2);
  const ip = l2;
  f[ip] = 0x40 | (ihl / 4);
  f.writeUInt16BE(total, ip + 2);
  f.writeUInt16BE((o.id ?? 0) & 0xffff, ip + 4);
  f.writeUInt16BE(o.fragment ?? 0x4000, ip + 6);
  f[ip + 8] = 32; // TTL
  f[ip + 9] = o.protocol ?? 17;
  f.writeUInt32BE(o.source ?? parseIpv4('10.0.0.1'), ip + 12);
  f.writeUInt32BE(to.group >>> 0, ip + 16);
  opts.copy(f, ip + 20);
  f.writeUInt16BE(~onesSum(f, ip, ip + ihl) & 0xffff, ip + 10);
  const udp = ip + ihl;
  f.writeUInt16BE(o.sourcePort ?? 49152, udp);
  f.writeUInt16BE(to.port, udp + 2);
  f.writeUInt16BE(8 + payload.length, udp + 4);
  payload.copy(f, udp + 8);
  // UDP checksum over the pseudo-header, the header and the payload (0 is sent as 0xFFFF).
  const pseudo = Buffer.alloc(12);
  f.copy(pseudo, 0, ip + 12, ip + 20);
  pseudo[9] = 17;
  pseudo.writeUInt16BE(8 + payload.length, 10);
  const c = ~onesSum(f, udp, udp + 8 + payload.length, onesSum(pseudo)) & 0xffff;
  f.writeUInt16BE(c === 0 ? 0xffff : c, udp + 6);
  return f;
}

/** Recomputes the IPv4 header checksum of a frame after a header field was changed. */
export function fixIpv4Checksum(f: Buffer): void {
  const ip = f.readUInt16BE(12) === 0x8100 ? 18 : 14;
  const ihl = (f[ip] & 15) * 4;
  f.writeUInt16BE(0, ip + 10);
  f.writeUInt16BE(~onesSum(f, ip, ip + ihl) & 0xffff, ip + 10);
}
