// `riskgate feed-sim` without a broker (docs/spec.md §14.7): the faults are seeded (the same
// seed gives the same channel), every packet that is not lost reaches a UDP receiver with the
// session's messages in seq order once reassembled, and a request answered by the request
// server holds exactly the requested positions.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { moldSession } from '../../src/itch/moldudp64.ts';
import { packetHeader } from '../../src/udp/packets.ts';
import { encodeRequest } from '../../src/udp/request.ts';
import { BIN, ROOT } from '../cli/run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'riskgate-feedsim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = join(tmp, 's.itch');
writeFileSync(file, generateSessionBuffer({ seed: 3, symbols: 8, messages: 20_000, controlMessages: true }));

/** A UDP receiver on a free loopback port: every payload, and requests sent from it. */
async function receiver() {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  const answers: Buffer[] = [];
  let requestTo = 0;
  sock.on('message', (m, r) => (r.port === requestTo ? answers : got).push(m));
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  sock.setRecvBufferSize(4 << 20);
  return {
    port: sock.address().port,
    got,
    answers,
    request(port: number, seq: number, count: number) {
      requestTo = port;
      sock.send(encodeRequest(moldSession(), seq, count), port, '127.0.0.1');
    },
    close: () => sock.close(),
  };
}

function feedSim(args: string[], onEvent?: (e: any) => void): Promise<any> {
  const child = spawn(process.execPath, [BIN, 'feed-sim', file, ...args, '--json', '--events'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => {
    err += d;
    let i;
    while ((i = err.indexOf('\n')) >= 0) {
      const line = err.slice(0, i);
      err = err.slice(i + 1);
      try {
        onEvent?.(JSON.parse(line));
      } catch {
        /* not an event */
      }
    }
  });
  return new Promise((res, rej) => child.on('exit', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`feed-sim exited ${code}: ${err}`)))));
}

describe('riskgate feed-sim (loopback UDP, no broker)', () => {
  it('seeded faults: the same seed gives the same channel; what is not lost arrives, and the end of session is repeated', async () => {
    const reps = [];
    for (let i = 0; i < 2; i++) {
      const r = await receiver();
      const rep = await feedSim(['--to', `127.0.0.1:${r.port}`, '--no-request-server', '--loss', '0.02', '--reorder', '0.01', '--duplicate', '0.01', '--seed', '77', '--rate', '50000', '--linger-ms', '1']);
      await new Promise((res) => setTimeout(res, 200));
      r.close();
      const data = r.got.map((p) => packetHeader(p)!).filter((h) => h.kind === 'data');
      const ends = r.got.map((p) => packetHeader(p)!).filter((h) => h.kind === 'end');
      expect(data.length).toBe(rep.packets - rep.channel.lost.packets + rep.channel.duplicated);
      expect(ends.length).toBe(rep.channel.endPackets - rep.channel.endLost);
      expect(ends[0].seq).toBe(20_001);
      const seqs = new Set<number>();
      for (const h of data) for (let s = h.seq; s < h.end; s++) seqs.add(s);
      expect(seqs.size).toBe(20_000 - rep.channel.lost.messages);
      reps.push(rep);
    }
    expect(reps[0].channel).toEqual(reps[1].channel);
    expect(reps[0].channel.lost.packets).toBeGreaterThan(0);
    expect(reps[0].channel.reordered).toBeGreaterThan(0);
    expect(reps[0].channel.duplicated).toBeGreaterThan(0);
  }, 60_000);

  it('the request server answers a request with exactly the requested positions, cut from its packets', async () => {
    const r = await receiver();
    let server = 0;
    const sim = feedSim(['--to', `127.0.0.1:${r.port}`, '--messages-per-packet', '8', '--rate', '100000', '--linger-ms', '500'], (e) => {
      if (e.event === 'ready') server = Number(e.request.split(':')[1]);
      if (e.event === 'end') r.request(server, 1003, 21); // mid-packet to mid-packet
    });
    const rep = await sim;
    r.close();
    const hs = r.answers.map((p) => packetHeader(p)!);
    expect(hs.length).toBeGreaterThan(0);
    expect(hs[0].seq).toBe(1003);
    let next = 1003;
    for (const h of hs) {
      expect(h.seq).toBe(next);
      next = h.end;
    }
    expect(next).toBe(1003 + 21);
    expect(rep.requests).toMatchObject({ received: 1, answered: 1, answerMessages: 21, answersDropped: 0 });
  }, 60_000);
});
