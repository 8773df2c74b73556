// An exchange feed in front of Kafka (issue 11, docs/spec.md §14.7), against a real broker:
// `riskgate feed-sim` serves a generated session as MoldUDP64 over loopback UDP with seeded
// loss, reordering and duplicates; `riskgate listen` recovers it from the request server and
// publishes it on the feed topic; `riskgate run` consumes it.
//
// - 1% loss, 0.5% reordering, 0.5% duplicates: nothing missing, no gap in `run`, and its record
//   digest equals `riskgate replay` of the same file.
// - No request server: a loss is an unrecoverable gap, published as one; `run` engages the
//   kill switch in band.
// - Multicast: feed-sim sends to a group (loopback), listen joins it.
// - A listener SIGKILLed mid-session and restarted resumes from the topic's last packet; the
//   restarted one, SIGTERMed, commits what it has and exits 0; a third finishes: every seq is
//   on the topic exactly once, the rest recovered from the request server.
//
// This file starts its own single-node broker (scripts/kafka.sh with KAFKA_PORT, default
// 19892/19893); UDP ports are picked free at run time.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packetHeader } from '../../src/udp/packets.ts';
import { freshClusterPerFile } from '../kafka/broker.ts';
import { feedHarness } from '../kafka/feed-helpers.ts';

const { ROOT, BIN, BROKER, tmp, kafkaSh, cliJson, readTopic } = feedHarness(Number(process.env.RISKGATE_KAFKA_LISTEN_PORT ?? 19892), 'riskgate-listen-');

/** Free loopback UDP ports: bound to 0, read, released. */
async function freePorts(n: number): Promise<number[]> {
  const socks = await Promise.all(
    Array.from({ length: n }, () => new Promise<dgram.Socket>((res) => {
      const s = dgram.createSocket('udp4');
      s.bind(0, '127.0.0.1', () => res(s));
    })),
  );
  const ports = socks.map((s) => s.address().port);
  for (const s of socks) s.close();
  return ports;
}

interface Proc {
  events: Record<string, any>[];
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, any>>;
  kill(sig: NodeJS.Signals): void;
}

/** A riskgate child with --events: its JSON-line events collected from stderr. */
function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args, '--events'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, any>[] = [];
  let stdout = '';
  let stderr = '';
  let buf = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        events.push(JSON.parse(line));
      } catch {
        events.push({ event: 'stderr', line });
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return {
    events,
    done,
    async waitFor(event, timeoutMs = 60_000) {
      const t0 = Date.now();
      for (;;) {
        const hit = events.find((e) => e.event === event);
        if (hit) return hit;
        if (Date.now() - t0 > timeoutMs) throw new Error(`no '${event}' within ${timeoutMs} ms: ${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    kill: (sig) => child.kill(sig),
  };
}

async function json(p: Proc, what: string): Promise<any> {
  const r = await p.done;
  if (r.code !== 0) throw new Error(`${what} exited ${r.code ?? r.signal}:\n${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout);
}

/** feed-sim → listen → topic; returns both reports. */
async function simToTopic(file: string, topic: string, simArgs: string[], listenArgs: string[] = [], host = '127.0.0.1') {
  const [feedPort, reqPort] = await freePorts(2);
  const lis = start(['listen', '--from', `${host}:${feedPort}`, '--request', `127.0.0.1:${reqPort}`, '--brokers', BROKER, '--topic', topic, '--json', ...listenArgs]);
  await lis.waitFor('ready');
  const sim = start(['feed-sim', file, '--to', `${host}:${feedPort}`, ...(simArgs.includes('--no-request-server') ? [] : ['--request-port', String(reqPort)]), '--json', ...simArgs]);
  const simRep = await json(sim, 'feed-sim');
  const lisRep = await json(lis, 'listen');
  return { simRep, lisRep, feedPort, reqPort };
}

describe('feed-sim → listen → Kafka → run (real broker, loopback UDP)', () => {
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));
  const file = join(tmp, 's5.itch');

  it('1% loss, 0.5% reordering, 0.5% duplicates: 0 missing messages, run digest = replay digest', async () => {
    cliJson(['gen', '--seed', '5', '--messages', '200000', '--out', file]);
    const t0 = Date.now();
    const { simRep, lisRep } = await simToTopic(file, 'lossy.md.itch', ['--loss', '0.01', '--reorder', '0.005', '--duplicate', '0.005', '--seed', '5', '--rate', '100000']);
    const ms = Date.now() - t0;
    expect(simRep.channel.lost.packets).toBeGreaterThan(100);
    expect(simRep.channel.reordered).toBeGreaterThan(50);
    expect(simRep.channel.duplicated).toBeGreaterThan(50);
    expect(lisRep).toMatchObject({ end: 'end-of-session', nextSeq: 200_001, published: { messages: 200_000, endOfSession: true } });
    expect(lisRep.gaps.unrecoverable).toBe(0);
    expect(lisRep.gaps.recovered).toBeGreaterThan(0);
    expect(lisRep.recoveredMessages).toBeGreaterThanOrEqual(simRep.channel.lost.messages);
    // (duplicates that arrive while their original is held past a gap are not counted: no assertion on lisRep.duplicates)

    // the topic: every seq once, in order, the end of session last
    const pkts = (await readTopic('lossy.md.itch')).map((m) => packetHeader(m.value)!);
    let next = 1;
    for (const h of pkts.slice(0, -1)) {
      expect(h.kind).not.toBe('end'); // data, or a heartbeat at the next seq
      expect(h.seq).toBe(next);
      next = h.end;
    }
    expect(next).toBe(200_001);
    expect(pkts[pkts.length - 1]).toMatchObject({ kind: 'end', seq: 200_001 });

    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'lossy', '--topic', 'lossy.md.itch']);
    const rep = cliJson(['replay', file]);
    expect(run.messages).toBe(200_000);
    expect(run.feed).toMatchObject({ end: 'end-of-session', duplicates: 0, gaps: [], failClosed: false });
    expect(run.recordsSha256).toBe(rep.recordsSha256);
    console.log(
      `[listen] 200k messages, ${simRep.packets} packets: lost ${simRep.channel.lost.packets}, reordered ${simRep.channel.reordered}, duplicated ${simRep.channel.duplicated}; ` +
        `listen: ${lisRep.gaps.total} gaps (${lisRep.gaps.reordered} reordered, ${lisRep.gaps.recovered} recovered), ${lisRep.requests} requests, ` +
        `${lisRep.recoveredMessages} messages recovered, ${lisRep.duplicates.packets} duplicate packets, ${lisRep.published.transactions} transactions; sim→topic ${ms} ms`,
    );
  }, 120_000);

  it('no request server: a loss is an unrecoverable gap, published as one, and run engages the kill switch', async () => {
    const small = join(tmp, 's6.itch');
    cliJson(['gen', '--seed', '6', '--messages', '20000', '--out', small]);
    const { simRep, lisRep } = await simToTopic(small, 'norq.md.itch', ['--loss', '0.01', '--seed', '11', '--no-request-server'], ['--recovery-timeout-ms', '200']);
    expect(simRep.request).toBeNull();
    expect(simRep.channel.lost.packets).toBeGreaterThan(0);
    expect(lisRep.end).toBe('end-of-session');
    expect(lisRep.gaps.unrecoverable).toBeGreaterThan(0);
    expect(lisRep.gaps.lost).toBe(simRep.channel.lost.messages);
    expect(lisRep.published.messages).toBe(20_000 - simRep.channel.lost.messages);

    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'norq', '--topic', 'norq.md.itch']);
    expect(run.feed.gaps.length).toBe(lisRep.gaps.unrecoverable);
    expect(run.feed.gaps.reduce((n: number, g: any) => n + g.missing, 0)).toBe(simRep.channel.lost.messages);
    expect(run.feed).toMatchObject({ failClosed: true, gapLatched: true, killSwitch: { engaged: true } });
    expect(run.feed.killSwitch.injected[0]).toMatchObject({ reason: 'gap', seq: lisRep.gaps.unrecoverableEpisodes[0].from });
  }, 120_000);

  it('multicast: the simulator sends to a group, the listener joins it; 1% loss recovered, digest = replay', async () => {
    const small = join(tmp, 's7.itch');
    cliJson(['gen', '--seed', '7', '--messages', '30000', '--out', small]);
    const group = `239.255.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    const { simRep, lisRep } = await simToTopic(small, 'mcast.md.itch', ['--loss', '0.01', '--seed', '13'], [], group);
    expect(simRep.to).toBe(lisRep.from);
    expect(simRep.channel.lost.packets).toBeGreaterThan(0);
    expect(lisRep).toMatchObject({ end: 'end-of-session', nextSeq: 30_001, published: { messages: 30_000 } });
    expect(lisRep.gaps.unrecoverable).toBe(0);
    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'mcast', '--topic', 'mcast.md.itch']);
    expect(run.feed).toMatchObject({ gaps: [], failClosed: false });
    expect(run.recordsSha256).toBe(cliJson(['replay', small]).recordsSha256);
  }, 120_000);

  it('a listener SIGKILLed mid-session resumes from the topic, one SIGTERMed commits what it has and exits 0: every seq on the topic exactly once, digest = replay', async () => {
    const [feedPort, reqPort] = await freePorts(2);
    const topic = 'resume.md.itch';
    const listenArgs = ['listen', '--from', `127.0.0.1:${feedPort}`, '--request', `127.0.0.1:${reqPort}`, '--brokers', BROKER, '--topic', topic, '--json'];
    const first = start(listenArgs);
    await first.waitFor('ready');
    const sim = start(['feed-sim', file, '--to', `127.0.0.1:${feedPort}`, '--request-port', String(reqPort), '--rate', '20000', '--loss', '0.005', '--seed', '9', '--linger-ms', '5000', '--json']);
    // kill it once it has committed some transactions
    for (let t0 = Date.now(); first.events.filter((e) => e.event === 'committed').length < 5; ) {
      if (Date.now() - t0 > 30_000) throw new Error('listener committed nothing');
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill('SIGKILL');
    await first.done;
    // the second one is stopped by SIGTERM under the running feed: it commits what it has, exits 0
    const second = start(listenArgs);
    const resume = await second.waitFor('resume');
    expect(resume.next).toBeGreaterThan(1);
    console.log(`[listen] resume: next seq ${resume.next}, ${resume.packets} packets read (${resume.read})`);
    for (let t0 = Date.now(); second.events.filter((e) => e.event === 'committed').length < 3; ) {
      if (Date.now() - t0 > 30_000) throw new Error('restarted listener committed nothing');
      await new Promise((r) => setTimeout(r, 20));
    }
    second.kill('SIGTERM');
    const stopped = await json(second, 'listen (SIGTERM)');
    expect(stopped).toMatchObject({ resumedAt: resume.next, end: 'stopped' });
    expect(stopped.published.messages).toBe(stopped.nextSeq - resume.next);
    const third = start(listenArgs);
    const resume2 = await third.waitFor('resume');
    expect(resume2.next).toBe(stopped.nextSeq);
    const lisRep = await json(third, 'listen (restarted again)');
    const simRep = await json(sim, 'feed-sim');
    expect(lisRep).toMatchObject({ resumedAt: stopped.nextSeq, end: 'end-of-session', nextSeq: 200_001 });
    expect(lisRep.gaps.unrecoverable).toBe(0);
    expect(simRep.requests.answered).toBeGreaterThan(0);

    const pkts = (await readTopic(topic)).map((m) => packetHeader(m.value)!);
    let next = 1;
    for (const h of pkts.slice(0, -1)) {
      expect(h.seq).toBe(next);
      next = h.end;
    }
    expect(next).toBe(200_001);
    const run = cliJson(['run', '--brokers', BROKER, '--prefix', 'resume', '--topic', topic]);
    expect(run.feed).toMatchObject({ duplicates: 0, gaps: [], failClosed: false });
    expect(run.recordsSha256).toBe(cliJson(['replay', file]).recordsSha256);
  }, 120_000);
});
