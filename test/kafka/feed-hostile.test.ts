// Hostile feed input against a real broker (issue 11): packets forged with kcat — a real
// non-riskgate client — never hang `run`, never make it drop real packets and never stop the
// session for good; a real gap above `--max-gap` still fails closed at once (docs/spec.md §14.5).
//
// - A packet with sequence number 2^40 (and one with 2×10^7) in the middle of the feed is
//   refused as an outlier: the run ends in seconds with the record stream of `replay`.
// - A forged packet that is the last one on the topic is held; SIGTERM stops the run at once
//   (it was ignored by the synchronous filler loop before); the resumed run refuses it when
//   the real feed goes on and still gives replay's records.
// - A forged packet a little past E no longer latches the kill switch for the session.
// - A real gap above `--max-gap`: kill in band at once, no fillers, the engine's input ends;
//   reported and counted.
//
// This file starts its own single-node broker (RISKGATE_KAFKA_HOSTILE_PORT, default 19692/19693).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frame, itch } from '../../src/itch/encode.ts';
import { ControlOp } from '../../src/itch/layout.ts';
import { moldPacket, moldSession } from '../../src/itch/moldudp64.ts';
import { RecordKind } from '../../src/records/layout.ts';
import { freshClusterPerFile } from './broker.ts';
import { feedHarness } from './feed-helpers.ts';

const { ROOT, BIN, BROKER, tmp, kafkaSh, cliJson, spawnRun, records, genFile } = feedHarness(Number(process.env.RISKGATE_KAFKA_HOSTILE_PORT ?? 19692), 'riskgate-hostile-');

/** `riskgate run … --json`, SIGKILLed after `timeoutMs` (a hung run fails the test instead of blocking it). */
function runJson(args: string[], timeoutMs = 60_000): any {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.signal) throw new Error(`riskgate run did not end within ${timeoutMs} ms (${r.signal})`);
  if (r.status !== 0) throw new Error(`riskgate run exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A well-formed MoldUDP64 packet of the default session: one system event at `seq`. */
function forged(name: string, seq: bigint): string {
  const path = join(tmp, `${name}.bin`);
  writeFileSync(path, moldPacket(moldSession(), seq, 1, [frame(itch.systemEvent({ locate: 0, ts: 1 }, 'Q'))]));
  return path;
}

/** Produces a file as one record on partition 0 with kcat (not riskgate's producer). */
function kcat(topic: string, file: string): void {
  execFileSync('kcat', ['-P', '-b', BROKER, '-t', topic, '-p', '0', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** publish → kcat forged packet → publish the rest. */
function feedWithForgery(name: string, messages: number, seed: number, cut: number, seq: bigint): { file: string; topic: string } {
  const file = genFile(`${name}.itch`, messages, seed);
  const topic = `${name}.md.itch`;
  cliJson(['publish', file, '--brokers', BROKER, '--topic', topic, '--to-seq', String(cut)]);
  kcat(topic, forged(name, seq));
  cliJson(['publish', file, '--brokers', BROKER, '--topic', topic, '--from-seq', String(cut + 1)]);
  return { file, topic };
}

describe('hostile feed input: forged sequence numbers (kcat) and gaps above the bound', () => {
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));

  for (const [name, seq] of [['p40', 2n ** 40n], ['p2e7', 20_000_000n]] as const) {
    it(`a forged packet with sequence number ${seq} mid-feed is refused as an outlier: no hang, no dropped message, replay's record stream`, () => {
      const { file, topic } = feedWithForgery(name, 60_000, 31, 30_000, seq);
      const runBin = join(tmp, `${name}-run.bin`);
      const replayBin = join(tmp, `${name}-replay.bin`);
      const t0 = Date.now();
      const run = runJson(['--brokers', BROKER, '--prefix', name, '--topic', topic, '--out', runBin]);
      const ms = Date.now() - t0;
      const rep = cliJson(['replay', file, '--out', replayBin]);
      expect(run.messages).toBe(60_000);
      expect(run.feed).toMatchObject({ end: 'end-of-session', gaps: [], duplicates: 0, gapFillers: 0, outlierCount: 1, failClosed: false, gapLatched: false, killSwitch: { engaged: false, injected: [] } });
      expect(run.feed.outliers[0]).toMatchObject({ seq: Number(seq), expected: 30_001, refutedBy: 30_001 });
      expect(readFileSync(runBin).equals(readFileSync(replayBin))).toBe(true);
      expect(run.recordsSha256).toBe(rep.recordsSha256);
      expect(ms).toBeLessThan(30_000);
      console.log(`[hostile] forged seq ${seq}: refused as an outlier, run ${ms} ms wall, ${run.messages} messages handed, digest = replay`);
    });
  }

  it('a forged last packet (seq 2^40) is held; SIGTERM stops the run at once; the resumed run refuses it when the real feed goes on', async () => {
    const file = genFile('held.itch', 40_000, 33);
    const topic = 'held.md.itch';
    cliJson(['publish', file, '--brokers', BROKER, '--topic', topic, '--to-seq', '20000']);
    kcat(topic, forged('held', 2n ** 40n));
    const child = spawnRun(['--brokers', BROKER, '--prefix', 'held', '--topic', topic, '--stale-ms', '0', '--json']);
    // Wait until the forged packet has been read (held now; before the fix it started the filler loop).
    for (const t = Date.now(); !child.events.some((e) => e.event === 'suspect' || e.event === 'gap'); ) {
      if (Date.now() - t > 60_000) throw new Error(`the forged packet was not read: ${JSON.stringify(child.events.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    child.kill('SIGTERM');
    const ended = await Promise.race([child.exit, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    if (!ended) child.kill('SIGKILL');
    expect(ended, 'SIGTERM honoured within 10 s').not.toBeNull();
    expect(child.events.find((e) => e.event === 'suspect')).toMatchObject({ seq: 2 ** 40, expected: 20_001 });
    const stopMs = Date.now() - t0;
    expect(ended!.code).toBe(0);
    const first = JSON.parse(ended!.stdout);
    expect(first.feed).toMatchObject({ end: 'SIGTERM', held: { seq: 2 ** 40 }, gaps: [], killSwitch: { engaged: false } });

    cliJson(['publish', file, '--brokers', BROKER, '--topic', topic, '--from-seq', '20001']);
    const runBin = join(tmp, 'held-run.bin');
    const replayBin = join(tmp, 'held-replay.bin');
    const run = runJson(['--brokers', BROKER, '--prefix', 'held', '--topic', topic, '--out', runBin]);
    cliJson(['replay', file, '--out', replayBin]);
    expect(run.kafka.resumedFromOffset).toBeGreaterThan(0);
    expect(run.feed).toMatchObject({ outlierCount: 1, held: null, gaps: [], killSwitch: { engaged: false } });
    expect(readFileSync(runBin).equals(readFileSync(replayBin))).toBe(true);
    console.log(`[hostile] forged last packet held; SIGTERM → exit 0 in ${stopMs} ms; resumed at offset ${run.kafka.resumedFromOffset} and refused it when seq 20001 came`);
  });

  it('a forged packet a little past E (seq E+1000) no longer latches the kill switch: refused, the session trades on', () => {
    const { file, topic } = feedWithForgery('near', 30_000, 35, 10_000, 11_000n);
    const runBin = join(tmp, 'near-run.bin');
    const replayBin = join(tmp, 'near-replay.bin');
    const run = runJson(['--brokers', BROKER, '--prefix', 'near', '--topic', topic, '--out', runBin]);
    cliJson(['replay', file, '--out', replayBin]);
    expect(run.feed).toMatchObject({ gaps: [], gapLatched: false, outlierCount: 1, duplicates: 0 });
    expect(readFileSync(runBin).equals(readFileSync(replayBin))).toBe(true);
  });

  it('a real gap above --max-gap fails closed at once: kill in band, no fillers, the engine is handed nothing more; counted and reported', () => {
    const file = genFile('big.itch', 60_000, 37);
    const topic = 'big.md.itch';
    cliJson(['publish', file, '--brokers', BROKER, '--topic', topic, '--to-seq', '20000']);
    cliJson(['publish', file, '--brokers', BROKER, '--topic', topic, '--from-seq', '30001']);
    const runBin = join(tmp, 'big-run.bin');
    const replayBin = join(tmp, 'big-replay.bin');
    const run = runJson(['--brokers', BROKER, '--prefix', 'big', '--topic', topic, '--max-gap', '5000', '--out', runBin]);
    cliJson(['replay', file, '--out', replayBin]);
    expect(run.feed.gaps).toEqual([{ from: 20_001, to: 30_000, missing: 10_000, offset: expect.any(Number), filled: false }]);
    expect(run.feed).toMatchObject({ maxGap: 5000, gapFillers: 0, failClosed: true, gapLatched: true, inputClosed: { seq: 20_001, missing: 10_000 }, end: 'end-of-session' });
    expect(run.feed.killSwitch.injected).toEqual([expect.objectContaining({ reason: 'gap', seq: 20_001 })]);
    expect(run.feed.notHanded.messages).toBe(30_000);
    expect(run.messages).toBe(20_000);
    const recs = records(runBin);
    const last = recs.at(-1)!;
    expect(last).toMatchObject({ kind: RecordKind.CONTROL, op: ControlOp.GLOBAL_KILL, seq: 20_001, value: 1n });
    // Up to the kill the run is the replay, record for record.
    expect(recs.slice(0, -1)).toEqual(records(replayBin).filter((r) => r.seq <= 20_000));
    // The same gap within the bound is filled (every later decision rejected with KILL), as before.
    const filled = runJson(['--brokers', BROKER, '--prefix', 'big2', '--topic', topic, '--max-gap', '10000']);
    expect(filled.feed).toMatchObject({ gapFillers: 10_000, inputClosed: null, notHanded: { messages: 0 } });
    expect(filled.messages).toBe(60_000);
    expect(filled.rejectReasons.KILL).toBeGreaterThan(100);
    expect(filled.fills).toBeLessThan(run.fills + 1); // nothing fills after the kill
  });
});
