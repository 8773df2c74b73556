/**
 * The two Ethernet front ends (spec §17) on random frames: good frames of every shape
 * (802.1Q tag or not, IPv4 options, padding) broken by random mutations — bytes flipped in
 * the headers, cut at random lengths, lengths and flags rewritten with or without a fixed
 * checksum, some to the order-entry port — go through the Rust core's EthernetReceiver and the
 * Verilated card; the counters (frames, accepted, each drop reason, order-entry frames kept)
 * are equal, and every reason is hit.
 */
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { CONTROL_MESSAGE, ETH_DROP_NAMES, ORDER_FRAME, VENUE_FRAME } from '../../src/contract.ts';
import { loadNative } from '../../src/engine/rust.ts';
import { DEFAULT_ENDPOINT, ethernetFrame, fixIpv4Checksum } from '../../src/ethernet/frame.ts';
import { FpgaEngine } from '../../src/fpga/index.ts';
import { Rng } from '../helpers/flow.ts';

function randomFrames(seed: number, n: number): Buffer {
  const r = new Rng(seed);
  /** a..b inclusive */
  const int = (a: number, b: number) => a + r.int(b - a + 1);
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    let payload = Buffer.from(Array.from({ length: int(0, 300) }, () => int(0, 255)));
    const u = r.next();
    const toOrders = u >= 0.1 && u < 0.25; // the order-entry port: mostly one `{`/`}` frame (spec §18.7)
    const to = u < 0.1 ? { group: DEFAULT_ENDPOINT.group ^ int(1, 255), port: DEFAULT_ENDPOINT.port } : toOrders ? { ...DEFAULT_ENDPOINT, port: DEFAULT_ENDPOINT.orderPort! } : DEFAULT_ENDPOINT;
    if (toOrders && r.next() < 0.7) {
      const brace = r.next() < 0.5;
      payload = Buffer.from(Array.from({ length: (brace ? 36 : 32) + (r.next() < 0.2 ? int(-2, 2) : 0) }, () => int(0, 255)));
      payload[0] = r.next() < 0.9 ? (brace ? ORDER_FRAME.typeByte : VENUE_FRAME.typeByte) : CONTROL_MESSAGE.typeByte;
    }
    const vlan = r.next() < 0.4 ? int(0, 4095) : undefined;
    const ipOptions = r.next() < 0.3 ? Buffer.alloc(4 * int(1, 10), 1) : undefined;
    let f = Buffer.from(ethernetFrame(payload, to, { vlan, ipOptions, fragment: r.next() < 0.5 ? 0x4000 : 0 }));
    const l3 = vlan === undefined ? 14 : 18;
    const mutations = r.next() < 0.6 ? int(1, 3) : 0;
    for (let m = 0; m < mutations; m++) {
      switch (int(0, 6)) {
        case 0: f = f.subarray(0, int(0, f.length)); break; // cut anywhere
        case 1: if (f.length > 0) f[int(0, Math.min(f.length, l3 + 28) - 1)] ^= 1 << int(0, 7); break; // a header bit
        case 2: if (f.length >= l3 + 4) f.writeUInt16BE(int(0, 1600), l3 + 2); break; // IPv4 total length
        case 3: if (f.length >= l3 + 8) f.writeUInt16BE(int(0, 0xffff), l3 + 6); break; // flags + offset
        case 4: if (f.length >= l3 + 10) f[l3 + 9] = r.next() < 0.5 ? 17 : int(0, 255); break; // protocol
        case 5: f = Buffer.concat([f, Buffer.alloc(int(1, 1600), 0xaa)]); break; // trailing bytes, maybe oversize
        default: if (f.length >= 14) f.writeUInt16BE([0x0800, 0x8100, 0x86dd, 0x0806, 0x88a8][int(0, 4)], r.next() < 0.5 ? 12 : 16 % f.length); break;
      }
      if (f.length >= l3 + 20 && f.readUInt16BE(12) === (vlan === undefined ? 0x0800 : 0x8100) && (f[l3] & 15) >= 5 && r.next() < 0.6) {
        if (f.length >= l3 + (f[l3] & 15) * 4) fixIpv4Checksum(f); // so that the rules after the checksum are reached
      }
    }
    const len = Buffer.alloc(4);
    len.writeUInt32LE(f.length, 0);
    parts.push(len, f);
  }
  return Buffer.concat(parts);
}

describe('Ethernet front end: Rust core and Verilated card on random frames', () => {
  it('count every frame alike: accepted and each drop reason', () => {
    const stream = randomFrames(2024, 4000);
    const rx = new (loadNative().EthernetReceiver)(DEFAULT_ENDPOINT.group, DEFAULT_ENDPOINT.port, DEFAULT_ENDPOINT.orderPort);
    rx.receive(stream);
    const rust = rx.counters();
    const card = new FpgaEngine(configBlob(loadConfig()));
    try {
      card.setEthernetFilter(DEFAULT_ENDPOINT.group, DEFAULT_ENDPOINT.port);
      for (let o = 0; o < stream.length; ) {
        // a few hundred frames per call, as replay hands them
        let end = o;
        for (let i = 0; i < 300 && end < stream.length; i++) end += 4 + stream.readUInt32LE(end);
        card.processFrames(stream.subarray(o, end));
        o = end;
      }
      expect(card.ethernetCounters()).toEqual(rust);
    } finally {
      card.close();
    }
    console.log(`[eth fuzz] rust = card: frames ${rust[0]}, accepted ${rust[1]}, drops ${ETH_DROP_NAMES.map((n, i) => `${n} ${rust[2 + i]}`).join(', ')}`);
    expect(rust[0]).toBe(4000);
    expect(rust[1]).toBeGreaterThan(100);
    ETH_DROP_NAMES.forEach((name, i) => expect(rust[2 + i], name).toBeGreaterThan(0));
    expect(rust[2 + ETH_DROP_NAMES.length]).toBeGreaterThan(50); // order-entry frames kept
  });
});
