// Helpers of the Kafka feed tests (test/kafka/feed.test.ts, test/kafka/feed-controls.test.ts):
// each test file starts its own single-node broker on its own port (scripts/kafka.sh with
// KAFKA_PORT), so that they never collide, and talks to it through these.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeExecution, executionId } from '../../src/clearing/execution.ts';
import { loadConfig } from '../../src/config/index.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { makeKafka } from '../../src/kafka/client.ts';
import { readToEnd, topicEnds } from '../../src/kafka/read-topic.ts';
import { topicNames } from '../../src/kafka/topics.ts';
import { RecordKind } from '../../src/records/layout.ts';
import { RecordView } from '../../src/records/view.ts';
import { decodeDecisionBatch } from '../../src/kafka/decision-batch.ts';

export interface Child {
  events: Record<string, any>[];
  exit: Promise<{ code: number | null; signal: string | null; stdout: string }>;
  waitFor(event: string, n?: number, timeoutMs?: number): Promise<Record<string, any>>;
  kill(sig: NodeJS.Signals): void;
}

export interface Rec {
  kind: number;
  seq: number;
  leg: number;
  reasons: number;
  accepted: boolean;
  op: number;
  value: bigint;
}

import { ownBroker } from './broker.ts';

export function feedHarness(PORT: number, tmpPrefix: string, brokerAt: { host?: string; launcher?: string[] } = {}) {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const BIN = join(ROOT, 'bin/riskgate.js');
  const { BROKER, KAFKA_ENV, kafkaSh } = ownBroker(PORT, brokerAt.host, brokerAt.launcher);
  const config = loadConfig();
    const tmp = mkdtempSync(join(tmpdir(), tmpPrefix));

  function cli(args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  function cliJson(args: string[]): any {
    const r = cli([...args, '--json']);
    if (r.status !== 0) throw new Error(`riskgate ${args[0]} exited ${r.status}:\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
    return JSON.parse(r.stdout);
  }


  /** `riskgate run … --events` as a child process, its JSON-line events collected from stderr. */
  function spawnRun(args: string[], env: Record<string, string> = {}, launcher: string[] = []): Child {
    // launcher: a command prefix such as `ip netns exec NS` (test/kafka/netns.ts).
    const argv = [...launcher, process.execPath, BIN, 'run', ...args, '--events'];
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Record<string, any>[] = [];
    let stdout = '';
    let err = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      err += d;
      let i;
      while ((i = err.indexOf('\n')) >= 0) {
        const line = err.slice(0, i);
        err = err.slice(i + 1);
        try {
          events.push(JSON.parse(line));
        } catch {
          events.push({ event: 'stderr', line });
        }
      }
    });
    const exit = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, stdout })),
    );
    return {
      events,
      exit,
      async waitFor(event, n = 1, timeoutMs = 60_000) {
        const t0 = Date.now();
        for (;;) {
          const hits = events.filter((e) => e.event === event);
          if (hits.length >= n) return hits[n - 1];
          if (Date.now() - t0 > timeoutMs) throw new Error(`no ${n}× '${event}' within ${timeoutMs} ms; events: ${JSON.stringify(events.slice(-10))}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      kill: (sig) => child.kill(sig),
    };
  }

  function records(file: string): Rec[] {
    const out: Rec[] = [];
    for (const r = new RecordView(readFileSync(file)); r.next(); ) {
      const control = r.kind === RecordKind.CONTROL;
      out.push({ kind: r.kind, seq: r.seq, leg: r.leg, reasons: r.reasons, accepted: r.accepted, op: control ? r.op : 0, value: control ? r.value : 0n });
    }
    return out;
  }
  const fillIds = (recs: Rec[]) => recs.filter((r) => r.kind === RecordKind.FILL).map((r) => `${config.session}:${r.seq}:${r.leg}`);

  /** Every record of a topic, read_committed (the default) or read_uncommitted. */
  async function readTopic(topic: string, readUncommitted = false): Promise<{ key: string; value: Buffer }[]> {
    const kafka = makeKafka(BROKER, 'riskgate-test-read');
    const admin = kafka.admin();
    await admin.connect();
    const out: { key: string; value: Buffer }[] = [];
    try {
      if (!readUncommitted) {
        await readToEnd(kafka, admin, topic, (_p, m) => out.push({ key: m.key?.toString() ?? '', value: m.value ?? Buffer.alloc(0) }));
        return out;
      }
      // read_uncommitted: aborted records too, up to the high watermark (admin.fetchTopicOffsets answers the last stable offset)
      const ends = new Map((await topicEnds(kafka, admin, topic)).filter((o) => o.high > o.low).map((o) => [o.partition, o.high]));
      if (ends.size === 0) return out;
      const consumer = kafka.consumer({ groupId: `riskgate.test.uncommitted.${Date.now()}`, readUncommitted: true, maxWaitTimeInMs: 100 });
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const left = new Set(ends.keys());
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        if (e.payload.lastOffset != null && BigInt(e.payload.lastOffset) + 1n >= (ends.get(e.payload.partition) ?? 0n)) {
          left.delete(e.payload.partition);
          if (left.size === 0) done();
        }
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) if (BigInt(m.offset) < (ends.get(batch.partition) ?? 0n)) out.push({ key: m.key?.toString() ?? '', value: m.value ?? Buffer.alloc(0) });
        },
      });
      await finished;
      await consumer.disconnect();
      return out;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Executions on a prefix's topic, counted by id. `settleTo`: right after a broker restart a
   * read_committed read saw 0 of 1,521 committed executions once, under load (cause not
   * confirmed: not reproduced in 21 such runs at load 5-14, 13 of them with the broker SIGSTOPped
   * 150 of every 200 ms and 3 with a SIGKILL restart; LSO = high watermark at exit every time). The
   * read was up to the last stable offset then; readToEnd now reads to the high watermark and
   * waits for transactions open at call time (src/kafka/read-topic.ts). The topic is still read
   * again (up to 60 s) while it holds fewer records than that; the counts are returned either
   * way and the caller still asserts them (a loss stays short, a duplicate shows as a count of 2).
   */
  async function executionsOn(prefix: string, readUncommitted = false, settleTo = 0): Promise<Map<string, number>> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const counts = new Map<string, number>();
      let records = 0;
      for (const m of await readTopic(topicNames(prefix).executions, readUncommitted)) {
        const id = executionId(decodeExecution(m.value));
        counts.set(id, (counts.get(id) ?? 0) + 1);
        records++;
      }
      if (records >= settleTo || Date.now() > deadline) return counts;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /**
   * The DECISION and CONTROL records on a decisions topic (spec §14.8), batches decoded and
   * concatenated in topic order. Every value must be a well-formed batch keyed by `group`
   * whose header agrees with its records, and batches must go forward in the feed.
   */
  async function decisionsOn(topic: string, group: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    let lastOffset = -1;
    for (const m of await readTopic(topic)) {
      if (m.key !== group) throw new Error(`${topic}: batch keyed ${JSON.stringify(m.key)}, not the run group ${group}`);
      const b = decodeDecisionBatch(m.value);
      const v = new RecordView(b.records);
      if (b.session !== config.session) throw new Error(`${topic}: batch of session ${b.session}`);
      if (b.firstSeq !== v.at(0).seq || b.lastSeq !== v.at(b.count - 1).seq) throw new Error(`${topic}: header seqs ${b.firstSeq}..${b.lastSeq} disagree with the records`);
      if (b.firstOffset < lastOffset || b.lastOffset < b.firstOffset) throw new Error(`${topic}: feed offsets ${b.firstOffset}..${b.lastOffset} after ${lastOffset}`);
      for (v.off = -32; v.next(); ) if (v.kind !== RecordKind.DECISION && v.kind !== RecordKind.CONTROL) throw new Error(`${topic}: record of kind ${v.kind} in a batch`);
      lastOffset = b.lastOffset;
      parts.push(b.records);
    }
    return Buffer.concat(parts);
  }

  /** The DECISION and CONTROL records of a record file, in order: what the decisions topic must carry. */
  function decisionRecords(file: string): Buffer {
    const parts: Buffer[] = [];
    for (const r = new RecordView(readFileSync(file)); r.next(); ) if (r.kind === RecordKind.DECISION || r.kind === RecordKind.CONTROL) parts.push(r.bytes());
    return Buffer.concat(parts);
  }

  /** A generated session (with control messages unless told otherwise), as a file. */
  function genFile(name: string, messages: number, seed: number, tail?: Buffer, controlMessages = true): string {
    const b = generateSessionBuffer({ seed, symbols: 8, messages, controlMessages });
    const path = join(tmp, name);
    writeFileSync(path, tail ? Buffer.concat([b.subarray(0, b.length - 2), tail]) : b);
    return path;
  }
  return { ROOT, BIN, PORT, BROKER, KAFKA_ENV, config, tmp, kafkaSh, cli, cliJson, spawnRun, records, fillIds, readTopic, executionsOn, decisionsOn, decisionRecords, genFile };
}
