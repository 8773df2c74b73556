// `publish capture.pcap` (issue 11, spec §14.4/§17): a capture generated from a session,
// with every kind of bad frame, published on the feed topic and consumed by `run` gives the
// digest of `replay` of the session file; the bad frames are dropped and counted by the
// Ethernet front end before anything reaches Kafka.
//
// This file starts its own single-node broker on port 19492 (controller 19493;
// RISKGATE_KAFKA_PCAP_PORT overrides it) and removes it afterwards.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ETH_DROP_NAMES } from '../../src/contract.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { freshClusterPerFile } from './broker.ts';
import { feedHarness } from './feed-helpers.ts';

const { BROKER, tmp, kafkaSh, cli, cliJson } = feedHarness(Number(process.env.RISKGATE_KAFKA_PCAP_PORT ?? 19492), 'riskgate-pcap-');

describe('publish of a pcap capture', () => {
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));

  it('publish capture.pcap then run gives the digest of replay of the .itch; bad frames never reach the topic', () => {
    const itch = join(tmp, 's.itch');
    const pcap = join(tmp, 's.pcap');
    writeFileSync(itch, generateSessionBuffer({ seed: 5, symbols: 8, messages: 30_000, controlMessages: true }));
    const gen = cliJson(['pcap', itch, '--out', pcap, '--bad', 'all', '--bad-every', '4', '--vlan', '3', '--ns', '--big-endian']);
    const pub = cliJson(['publish', pcap, '--brokers', BROKER, '--topic', 'cap.md.itch']);
    expect(pub.packets).toBe(gen.good);
    expect(pub.capture.accepted).toBe(gen.good);
    for (const k of ETH_DROP_NAMES) expect(pub.capture.dropped[k], k).toBe(gen.bad[k.toLowerCase().replace(/_/g, '-')]);
    expect(pub).toMatchObject({ messages: 30_000, firstSeq: 1, lastSeq: 30_000, endOfSession: true });
    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'cap', '--topic', 'cap.md.itch']);
    const rep = cliJson(['replay', itch]);
    expect(run.recordsSha256).toBe(rep.recordsSha256);
    expect(run.feed).toMatchObject({ end: 'end-of-session', packets: gen.good, duplicates: 0, gaps: [], failClosed: false });
  });

  it('refuses the options that shape packets of a session file', () => {
    const r = cli(['publish', join(tmp, 's.pcap'), '--brokers', BROKER, '--per-packet', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--per-packet does not apply to a pcap capture/);
  });
});
