/**
 * What the hardware still does not take of order entry (spec §18.7): order and venue frames
 * inside Ethernet frames (a pcap capture through the card's Ethernet input, §17). Only the
 * MoldUDP64 file/stream input is split onto the card's order-entry input (src/fpga/engine.ts);
 * on the Ethernet input the market-data front end would take a `{`/`}` block for a skipped
 * message and its records would differ from the Rust core's. So the FPGA backend refuses,
 * before any byte of the batch reaches the model, Ethernet frames that carry such a block —
 * a coded error, never a silent divergence.
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

/** The UDP payload of an Ethernet frame (IPv4, optionally one 802.1Q tag), or null. */
function udpPayload(f: Buffer): Buffer | null {
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
  return f.subarray(l2 + ihl + UDP_HEADER);
}

/**
 * The index of the first Ethernet frame of `stream` (each prefixed by its u32 LE length) whose
 * MoldUDP64 packet carries an order or venue frame of its own length, or -1.
 */
export function firstOrderEntryEthernetFrame(stream: Buffer): number {
  let k = 0;
  for (let at = 0; at + 4 <= stream.length; k++) {
    const n = stream.readUInt32LE(at);
    const payload = udpPayload(stream.subarray(at + 4, at + 4 + n));
    at += 4 + n;
    const pkt = payload && parseMoldPacket(payload);
    if (!pkt) continue;
    for (const b of pkt.blocks) {
      const t = b.frame.length > 2 ? b.frame[2] : -1;
      if (b.control && (t === ORDER_FRAME.typeByte || t === VENUE_FRAME.typeByte)) return k;
    }
  }
  return -1;
}

/** Throws ORDER_ENTRY_UNSUPPORTED when the Ethernet frames of `stream` carry order flow. */
export function refuseOrderEntryInFrames(stream: Buffer, backend: string): void {
  const k = firstOrderEntryEthernetFrame(stream);
  if (k < 0) return;
  throw new CodedError(
    ORDER_ENTRY_UNSUPPORTED,
    ExitCode.ENGINE_FAILED,
    `the ${backend} backend takes order flow on its MoldUDP64 input only, not inside Ethernet frames (spec §18.7): ` +
      `Ethernet frame ${k} of the batch carries an order or venue frame; replay the capture with --backend rust`,
  );
}
