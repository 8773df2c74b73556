/**
 * Spec §17 end to end: a capture the project generates from a session — good frames (some
 * 802.1Q-tagged, some with IPv4 options) and hand-made bad frames of every drop reason, each
 * carrying a packet that would change the records if it leaked — replays byte-identical to
 * the session file on the Rust core, the Verilated card and both in shadow, with the same
 * drop count per reason in both engines; a capture with a gap is refused by every backend.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ETH_DROP_NAMES } from '../../src/contract.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { riskgate, riskgateJson } from '../cli/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rg-capture-'));
const itch = join(dir, 'session.itch');
const pcap = join(dir, 'session.pcap');
let gen: any;
let reference: any;

beforeAll(() => {
  writeFileSync(itch, generateSessionBuffer({ seed: 11, symbols: 8, messages: 20_000, controlMessages: true }));
  const g = riskgateJson(['pcap', itch, '--out', pcap, '--bad', 'all', '--bad-every', '3', '--vlan', '9', '--ip-options']);
  expect(g.status, g.stderr).toBe(0);
  gen = g.json;
  const r = riskgateJson(['replay', itch]);
  expect(r.status, r.stderr).toBe(0);
  reference = r.json;
});

describe('replay of a generated capture', () => {
  it('the generator put in every kind of bad frame, VLAN-tagged and IPv4-option good frames', () => {
    for (const k of ETH_DROP_NAMES) expect(gen.bad[k.toLowerCase().replace(/_/g, '-')], k).toBeGreaterThan(0);
    expect(gen.vlanTagged).toBeGreaterThan(0);
    expect(gen.withIpOptions).toBeGreaterThan(0);
    expect(reference.messages).toBe(20_000);
  });

  const counted: Record<string, any> = {};
  for (const backend of ['rust', 'fpga', 'shadow']) {
    it(`${backend}: byte-identical records to the session file, every bad frame dropped for its own reason`, () => {
      const r = riskgateJson(['replay', pcap, '--backend', backend]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.recordsSha256).toBe(reference.recordsSha256);
      expect(r.json.messages).toBe(reference.messages);
      expect(r.json.decisions).toBe(reference.decisions);
      const c = r.json.capture;
      expect(c.frames).toBe(gen.frames);
      expect(c.accepted).toBe(gen.good);
      for (const k of ETH_DROP_NAMES) expect(c.dropped[k], k).toBe(gen.bad[k.toLowerCase().replace(/_/g, '-')]);
      counted[backend] = c;
    });
  }

  it('the engines report the same counters per drop reason', () => {
    expect(counted.fpga).toEqual(counted.rust);
    expect(counted.shadow).toEqual(counted.rust);
  });

  it('with a group no frame is for, every UDP frame is dropped as OTHER_GROUP, on rust and fpga alike', () => {
    for (const backend of ['rust', 'fpga']) {
      const r = riskgateJson(['replay', pcap, '--backend', backend, '--group', '239.1.1.1:26477']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.messages).toBe(0);
      expect(r.json.capture.accepted).toBe(0);
      expect(r.json.capture.dropped.OTHER_GROUP).toBe(gen.good + gen.bad['other-group'] + gen.bad['other-port'] + gen.bad['order-frame']);
    }
  });

  /** [start, end) of each pcap record of the generated capture. */
  function records(b: Buffer): [number, number][] {
    let off = 24;
    const recs: [number, number][] = [];
    while (off < b.length) {
      const n = b.readUInt32LE(off + 8);
      recs.push([off, off + 16 + n]);
      off += 16 + n;
    }
    return recs;
  }

  it('retransmitted frames (a good frame captured twice, later) change nothing, on rust and fpga alike', () => {
    const b = readFileSync(pcap);
    const recs = records(b);
    // records 1-3 are good, 4 bad, 5-7 good, …: repeat record 5 after record 9 and record 1 after 14
    const part = (i: number) => b.subarray(recs[i][0], recs[i][1]);
    const dup = join(dir, 'dup.pcap');
    writeFileSync(dup, Buffer.concat([b.subarray(0, recs[9][0]), part(4), b.subarray(recs[9][0], recs[14][0]), part(0), b.subarray(recs[14][0])]));
    for (const backend of ['rust', 'fpga']) {
      const r = riskgateJson(['replay', dup, '--backend', backend]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.recordsSha256, backend).toBe(reference.recordsSha256);
      expect(r.json.capture.accepted).toBe(gen.good + 2);
    }
  });

  it('a capture with a lost frame is refused with the gap, on rust and fpga alike (fail closed)', () => {
    // drop the 10th record (a good frame: bad ones come after every 3rd good one)
    const b = readFileSync(pcap);
    const recs = records(b);
    const [s, e] = recs[9];
    const holed = join(dir, 'holed.pcap');
    writeFileSync(holed, Buffer.concat([b.subarray(0, s), b.subarray(e)]));
    for (const backend of ['rust', 'fpga']) {
      const r = riskgate(['replay', holed, '--backend', backend]);
      expect(r.status, `${backend}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/holed\.pcap: capture records 1\.\.\d+ .*gap in the MoldUDP64 sequence/);
    }
  });
});
