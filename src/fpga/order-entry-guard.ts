/**
 * What the hardware still does not take of order entry on its Ethernet input (spec §18.7).
 * Order and venue frames reach the card's Ethernet input on the order-entry port, one frame
 * per datagram (hdl/rg_eth_rx.v routes them to rg_order_rx; both engines do the same). A
 * `{`/`}` frame *inside a MoldUDP64 packet* sent to the market-data port is not order entry
 * the card can take: its MoldUDP64 front end would give the block a seq as a message, while
 * the Rust core's software front end hands it on as an in-band frame, and the records would
 * differ. So the FPGA backend refuses, before any byte of the batch reaches the model, Ethernet
 * frames to the market-data port whose packet carries such a block — a coded error, never a
 * silent divergence.
 */
import { CodedError, ExitCode } from '../errors.ts';
import { ORDER_FRAME, VENUE_FRAME } from '../contract.ts';
import { parseMoldPacket } from '../itch/moldudp64.ts';

export const ORDER_ENTRY_UNSUPPORTED = 'ORDER_ENTRY_UNSUPPORTED';

const ETH_HEADER = 14;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const IP_PROTO_UDP = 17;
const UDP_HEADER = 8;

/** The UDP destination port and payload of an Ethernet frame (IPv4, optionally one 802.1Q tag), or null. */
function udpDatagram(f: Buffer): { port: number; payload: Buffer } | null {
  let l2 = ETH_HEADER;
  if (f.length < l2) return null;
  let type = f.readUInt16BE(12);
  if (type === ETHERTYPE_VLAN) {
    if (f.length < l2 + 4) return null;
    type = f.readUInt16BE(16);
    l2 += 4;
  }
  if (type !== ETHERTYPE_IPV4 || f.length < l2 + 20) return null;
  const ihl = (f[l2] & 0x0f) * 4;
  if (f[l2 + 9] !== IP_PROTO_UDP || f.length < l2 + ihl + UDP_HEADER) return null;
  return { port: f.readUInt16BE(l2 + ihl + 2), payload: f.subarray(l2 + ihl + UDP_HEADER) };
}

/**
 * The index of the first Ethernet frame of `stream` (each prefixed by its u32 LE length) sent to
 * `mdPort` whose MoldUDP64 packet carries an order or venue frame of its own length, or -1.
 */
export function firstOrderEntryEthernetFrame(stream: Buffer, mdPort: number): number {
  let k = 0;
  for (let at = 0; at + 4 <= stream.length; k++) {
    const n = stream.readUInt32LE(at);
    const d = udpDatagram(stream.subarray(at + 4, at + 4 + n));
    at += 4 + n;
    const pkt = d && d.port === mdPort ? parseMoldPacket(d.payload) : null;
    if (!pkt) continue;
    for (const b of pkt.blocks) {
      const t = b.frame.length > 2 ? b.frame[2] : -1;
      if (b.control && (t === ORDER_FRAME.typeByte || t === VENUE_FRAME.typeByte)) return k;
    }
  }
  return -1;
}

/** Throws ORDER_ENTRY_UNSUPPORTED when MoldUDP64 packets to the market-data port carry order flow. */
export function refuseOrderEntryInFrames(stream: Buffer, backend: string, mdPort: number): void {
  const k = firstOrderEntryEthernetFrame(stream, mdPort);
  if (k < 0) return;
  throw new CodedError(
    ORDER_ENTRY_UNSUPPORTED,
    ExitCode.ENGINE_FAILED,
    `the ${backend} backend takes order flow on the Ethernet input only on the order-entry port, one frame per datagram (spec §18.7), ` +
      `not inside MoldUDP64 packets to the market-data port ${mdPort}: Ethernet frame ${k} of the batch carries an order or venue block ` +
      '(riskgate pcap writes order flow to the order-entry port); replay this capture with --backend rust',
  );
}
