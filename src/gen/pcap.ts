/**
 * A capture of a session as a NIC-attached card would receive it (spec §17): the session's
 * MoldUDP64 packets (packed as `publish` packs them, §14.4, end-of-session packet included)
 * in Ethernet/IPv4/UDP frames, plus hand-made bad frames of every drop reason, so that a
 * replay of the capture exercises each rule of the front end.
 *
 * A merged session (client orders `{` and venue answers `}` among the market data, §18) has
 * each of those frames sent alone in a datagram to the order-entry port (§18.7), where it
 * stands in the merged stream: the market data before it is sent first (the open packet
 * ends there, and the controls held for the next message go in a packet of count 0), so the
 * engines place it exactly where the recording did.
 *
 * Every bad frame carries a MoldUDP64 packet claiming the *next* seq, with one bogus 4-byte
 * message: a front end that let it through would hand a bad message that seq and make the
 * real packet after it a duplicate, so the records would change — a leak cannot go unseen.
 */
import { ETH_DROP_NAMES } from '../contract.ts';
import { FrameCursor, FrameKind } from '../itch/framing.ts';
import { isOrderEntryFrame } from '../itch/layout.ts';
import { MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_MAX_PAYLOAD, MOLD_SEQ_AT, MoldPacker, moldPacket } from '../itch/moldudp64.ts';
import { readBatches } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';
import { DEFAULT_ENDPOINT, ethernetFrame, fixIpv4Checksum, orderPortOf, parseIpv4, type Endpoint } from '../ethernet/frame.ts';
import { PcapWriter } from '../ethernet/pcap-writer.ts';

/** Names of the bad-frame kinds: the drop reasons in lower case with dashes (`ip-checksum`). */
export const BAD_KINDS = ETH_DROP_NAMES.map((n) => n.toLowerCase().replace(/_/g, '-'));

export interface CaptureOptions {
  input: string;
  out: string;
  to?: Endpoint;
  /** Bad frame kinds to inject, cycling (BAD_KINDS names). */
  bad?: readonly string[];
  /** One bad frame after every N good packets (default 5). */
  badEvery?: number;
  /** Tag every second good frame with this VLAN id. */
  vlan?: number;
  /** Give every third good frame a 4-byte IPv4 option (IHL 6). */
  ipOptions?: boolean;
  nanoseconds?: boolean;
  bigEndian?: boolean;
  perPacket?: number;
  session?: string;
}

export interface CaptureReport {
  out: string;
  frames: number;
  good: number;
  vlanTagged: number;
  withIpOptions: number;
  bad: Record<string, number>;
  /** Client order and venue frames, each in its own datagram to the order-entry port. */
  orderFrames: number;
  packets: number;
  messages: number;
  bytes: number;
}

/** The hand-made bad frame of `kind` around `payload` (a bogus packet). */
export function badFrame(kind: string, payload: Buffer, to: Endpoint): Buffer {
  const frame = (o = {}) => ethernetFrame(payload, to, o);
  switch (kind) {
    case 'runt':
      return frame().subarray(0, 50);
    case 'oversize':
      // 18 + 1501 = 1519 bytes: one above the largest tagged frame
      return ethernetFrame(Buffer.concat([payload, Buffer.alloc(1501 - 28 - payload.length)]), to, { vlan: 5 });
    case 'not-ipv4': {
      const f = Buffer.from(frame());
      f.writeUInt16BE(0x86dd, 12); // IPv6
      return f;
    }
    case 'ip-header': {
      const f = Buffer.from(frame());
      f.writeUInt16BE(f.readUInt16BE(16) + 200, 16); // total length past the frame
      fixIpv4Checksum(f);
      return f;
    }
    case 'ip-checksum': {
      const f = Buffer.from(frame());
      f[24] ^= 0x5a; // checksum bytes 24..25
      return f;
    }
    case 'fragment':
      return frame({ fragment: 0x2000 }); // MF
    case 'not-udp':
      return frame({ protocol: 6 });
    case 'udp-length': {
      const f = Buffer.from(frame());
      f.writeUInt16BE(f.readUInt16BE(38) - 1, 38);
      return f;
    }
    case 'other-group':
      return ethernetFrame(payload, { group: (to.group + 1) >>> 0, port: to.port });
    case 'other-port': {
      // neither the market-data port nor the order-entry port
      let port = (to.port + 1) & 0xffff;
      while (port === to.port || port === orderPortOf(to)) port = (port + 1) & 0xffff;
      return ethernetFrame(payload, { group: to.group, port });
    }
    case 'order-frame':
      // a datagram to the order-entry port that is not one `{`/`}` frame (here a MoldUDP64 packet)
      return ethernetFrame(payload, { group: to.group, port: orderPortOf(to) });
    default:
      throw new Error(`unknown bad frame kind ${JSON.stringify(kind)} (kinds: ${BAD_KINDS.join(', ')})`);
  }
}

export async function writeCapture(o: CaptureOptions): Promise<CaptureReport> {
  const to = o.to ?? DEFAULT_ENDPOINT;
  const bad = o.bad ?? [];
  for (const k of bad) if (!BAD_KINDS.includes(k)) throw new Error(`unknown bad frame kind ${JSON.stringify(k)} (kinds: ${BAD_KINDS.join(', ')}, or all)`);
  const every = o.badEvery ?? 5;
  // A 4-byte IPv4 option takes 4 bytes of the 1,500-byte MTU from the payload.
  const maxPayload = MOLD_MAX_PAYLOAD - (o.ipOptions ? 4 : 0);
  const packer = new MoldPacker({ messagesPerPacket: Math.min(0xfffe, o.perPacket ?? 0xfffe), maxPayload, session: o.session, controlsWithMessage: true, holdPartial: true });
  const w = new PcapWriter(o.out, { nanoseconds: o.nanoseconds, bigEndian: o.bigEndian });
  const rep: CaptureReport = { out: o.out, frames: 0, good: 0, vlanTagged: 0, withIpOptions: 0, bad: {}, orderFrames: 0, packets: 0, messages: 0, bytes: 0 };
  const orderTo: Endpoint = { group: to.group, port: orderPortOf(to) };
  let t = 34_200_000_000_000n; // 09:30, one frame per µs
  let badNext = 0;
  const emit = async (f: Buffer) => {
    rep.frames++;
    await w.frame(f, (t += 1000n));
  };
  const sendPackets = async (packets: Buffer[]) => {
    for (const pkt of packets) {
      const count = pkt.readUInt16BE(MOLD_COUNT_AT);
      const n = rep.good;
      const vlan = o.vlan !== undefined && n % 2 === 1 ? o.vlan : undefined;
      const ipOptions = o.ipOptions && n % 3 === 2 ? Buffer.from([1, 1, 1, 0]) : undefined; // NOP NOP NOP EOL
      await emit(ethernetFrame(pkt, to, { vlan, ipOptions, id: n & 0xffff }));
      rep.good++;
      rep.packets++;
      if (vlan !== undefined) rep.vlanTagged++;
      if (ipOptions) rep.withIpOptions++;
      if (count === MOLD_END_OF_SESSION) continue;
      rep.messages += count;
      if (bad.length > 0 && rep.good % every === 0) {
        const next = pkt.readBigUInt64BE(MOLD_SEQ_AT) + BigInt(count);
        const bogus = moldPacket(packer.session, next, 1, [Buffer.from([0, 4, 0x5a, 0x5a, 0x5a, 0x5a])]);
        const kind = bad[badNext++ % bad.length];
        await emit(badFrame(kind, bogus, to));
        rep.bad[kind] = (rep.bad[kind] ?? 0) + 1;
      }
    }
  };
  try {
    const problems = new ProblemLog();
    for await (const batch of readBatches(o.input, { batchFrames: 4096, problems })) {
      // market data up to each order-entry frame, then the frame in its own datagram
      let from = 0;
      for (const c = new FrameCursor(batch.frames); c.next(); ) {
        if (c.kind !== FrameKind.CONTROL || !isOrderEntryFrame(c.type, c.length)) continue;
        await sendPackets(packer.packPackets(batch.frames.subarray(from, c.offset), false).packets);
        await sendPackets([...packer.flush(), ...packer.releaseHeld()]);
        await emit(ethernetFrame(c.body(), orderTo, { id: rep.orderFrames & 0xffff }));
        rep.orderFrames++;
        from = c.end;
      }
      await sendPackets(packer.packPackets(batch.frames.subarray(from), batch.final).packets);
    }
    await sendPackets(packer.endOfSession());
  } finally {
    await w.close();
  }
  rep.bytes = w.bytes;
  return rep;
}

export { parseIpv4 };
