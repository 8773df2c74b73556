// Hostile input to clearing against a real broker (issue 11): records forged with kcat — a real
// non-riskgate client — never make `clear` lose or double an execution, never stall a
// partition, and never crash `settle` (docs/spec.md §14.3).
//
// - A well-formed execution with seq 2^47 sent before the real traffic: nothing real is
//   dropped (de-duplication is by execution id, not by a high-water mark); after a restart an
//   unseen execution below the highest id cleared is still cleared, a re-sent one is not.
// - The same executions re-sent with kcat's default partitioner (CRC32 of the key) or under a
//   wrong key land on other partitions: re-routed to their account's partition, cleared once.
// - An 800 KB malformed execution: a capped dead letter (first 1 KiB, length, SHA-256), and
//   `clear --exit-when-idle` ends; a dead-letter topic that refuses even that stops the
//   partition with a clear error and a non-zero exit instead of retrying forever.
// - Non-JSON records in the settlements, positions and state topics: settle counts and lists
//   them (topic, partition, offset) as `foreign` breaks (exit 9), workers skip them on restore.
//
// This file starts its own single-node broker (RISKGATE_KAFKA_CLEARING_HOSTILE_PORT, default
// 19792/19793). It needs kcat (scripts/bootstrap.sh installs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeExecution, executionId, executionKey, type Execution } from '../../src/clearing/execution.ts';
import { makeKafka } from '../../src/kafka/client.ts';
import { generateExecutions, loadgen, partitionOf } from '../../src/kafka/loadgen.ts';
import { readToEnd } from '../../src/kafka/read-topic.ts';
import { settle } from '../../src/kafka/settle.ts';
import { ensureExecutionsTopic, topicNames } from '../../src/kafka/topics.ts';
import { decodeExecution } from '../../src/clearing/execution.ts';
import { freshClusterPerFile, ownBroker, uniqueName } from './broker.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/riskgate.js');
const { BROKER, kafkaSh } = ownBroker(Number(process.env.RISKGATE_KAFKA_CLEARING_HOSTILE_PORT ?? 19792));
const tmp = mkdtempSync(join(tmpdir(), 'riskgate-clear-hostile-'));
const PARTS = 12;

let files = 0;
// RISKGATE_TEST_NO_KCAT=1 exercises the stand-in on a machine that has kcat.
const HAVE_KCAT = !process.env.RISKGATE_TEST_NO_KCAT && !spawnSync('kcat', ['-V']).error;
/**
 * Produces one record with kcat (not riskgate's producer): its default partitioner unless
 * `partition`. Without kcat (CI installs it) a plain kafkajs producer stands in, placing the
 * record where kcat's default partitioner would.
 */
async function kcat(topic: string, value: Buffer | string, o: { key?: string; partition?: number } = {}): Promise<void> {
  if (!HAVE_KCAT) {
    const producer = makeKafka(BROKER, 'riskgate-test-forger').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const partition = o.partition ?? (o.key !== undefined ? kcatPartition(o.key) : Math.floor(Math.random() * PARTS));
      await producer.send({ topic, acks: -1, messages: [{ key: o.key ?? null, value: Buffer.from(value), partition }] });
    } finally {
      await producer.disconnect();
    }
    return;
  }
  const path = join(tmp, `rec-${files++}.bin`);
  writeFileSync(path, value);
  const args = ['-P', '-b', BROKER, '-t', topic];
  if (o.key !== undefined) args.push('-k', o.key);
  if (o.partition !== undefined) args.push('-p', String(o.partition));
  execFileSync('kcat', [...args, path], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** librdkafka's default partitioner (consistent_random): CRC32 of the key. */
const kcatPartition = (key: string) => crc32(Buffer.from(key)) % PARTS;

/** `riskgate clear … --exit-when-idle 3000` as a child; SIGTERMed after `timeoutMs`. */
function clear(prefix: string, timeoutMs = 120_000, workers = 2) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'clear', '--brokers', BROKER, '--prefix', prefix, '--workers', String(workers), '--exit-when-idle', '3000'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
    killSignal: 'SIGTERM',
  });
  return { status: r.status, timedOut: r.signal !== null || (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT', stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function clearOk(prefix: string) {
  const r = clear(prefix);
  if (r.timedOut || r.status !== 0) throw new Error(`clear ${r.timedOut ? 'did not end' : `exited ${r.status}`} (${r.ms} ms):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
  return r;
}

async function ensureTopic(prefix: string) {
  const kafka = makeKafka(BROKER, 'riskgate-test-hostile');
  const admin = kafka.admin();
  await admin.connect();
  await ensureExecutionsTopic(admin, topicNames(prefix), PARTS);
  await admin.disconnect();
}

async function readAll(topic: string) {
  const kafka = makeKafka(BROKER, 'riskgate-test-hostile-read');
  const admin = kafka.admin();
  await admin.connect();
  const out: { partition: number; offset: string; key: Buffer | null; value: Buffer | null; size: number }[] = [];
  try {
    await readToEnd(kafka, admin, topic, (partition, m) => out.push({ partition, offset: m.offset, key: m.key, value: m.value, size: (m.value?.length ?? 0) + (m.key?.length ?? 0) }));
  } finally {
    await admin.disconnect();
  }
  return out;
}

const exec = (o: Partial<Execution> & Pick<Execution, 'session' | 'seq' | 'accountId'>): Execution => ({
  leg: 0,
  side: 'B',
  accountIndex: 0xff,
  symbol: 'AAPL',
  price: 1_900_000,
  qty: 100,
  ts: 34_200_000_000_000n,
  ...o,
});

const verdict = (r: Awaited<ReturnType<typeof settle>>) => ({ executions: r.executions, cleared: r.cleared, lost: r.lost, duplicated: r.duplicated, unknown: r.unknown, breaks: r.breaks });

describe('hostile input to clearing (kcat)', () => {
  beforeAll(() => {
    if (!HAVE_KCAT) console.warn('[clear-hostile] kcat is not installed (scripts/bootstrap.sh installs it): forging records with kafkajs instead');
  });
  freshClusterPerFile(kafkaSh, () => rmSync(tmp, { recursive: true, force: true }));

  it('a forged execution with seq 2^47 before the real traffic loses nothing; unseen ids below it clear after a restart, re-sent ones do not', async () => {
    const prefix = uniqueName('rghost.seq');
    const names = topicNames(prefix);
    const session = 4701;
    await ensureTopic(prefix);
    const acct = 10001; // the busiest account of the Zipf load
    await kcat(names.executions, encodeExecution(exec({ session, seq: 2 ** 47, accountId: acct })), { key: executionKey(acct), partition: partitionOf(executionKey(acct), PARTS) });
    const gen = await loadgen({ brokers: BROKER, prefix, executions: 6000, accounts: 40, skew: 1.2, seed: 11, session });
    const first = clearOk(prefix);
    const r = await settle({ brokers: BROKER, prefix });
    expect(verdict(r)).toEqual({ executions: gen.executions + 1, cleared: gen.executions + 1, lost: 0, duplicated: 0, unknown: 0, breaks: [] });

    // Restart: the seen ids come back from what was committed. Re-send five cleared executions
    // of the account and one it has never seen (seq 5, leg 1: below every id it cleared).
    const mine = [...generateExecutions({ executions: 6000, accounts: 40, skew: 1.2, seed: 11, session, firstAccountId: 10001 })].filter((e) => e.accountId === acct);
    expect(mine.length).toBeGreaterThan(500);
    for (const e of mine.slice(100, 105)) await kcat(names.executions, encodeExecution(e), { key: executionKey(acct), partition: partitionOf(executionKey(acct), PARTS) });
    await kcat(names.executions, encodeExecution(exec({ session, seq: 5, leg: 1, accountId: acct, side: 'S' })), { key: executionKey(acct), partition: partitionOf(executionKey(acct), PARTS) });
    const second = clearOk(prefix);
    expect(second.stdout).toMatch(/cleared 1, duplicates dropped 5,/);
    const r2 = await settle({ brokers: BROKER, prefix });
    expect(verdict(r2)).toEqual({ executions: gen.executions + 2, cleared: gen.executions + 2, lost: 0, duplicated: 0, unknown: 0, breaks: [] });
    console.log(`[clear-hostile] forged seq 2^47: ${r.cleared} of ${r.executions} cleared (clear ${first.ms} ms); restart: 5 re-sent dropped, 1 unseen cleared (${second.ms} ms)`);
  });

  it("duplicates re-sent on other partitions (kcat's CRC32 partitioner, a wrong key) are re-routed and cleared once", async () => {
    const prefix = uniqueName('rghost.part');
    const names = topicNames(prefix);
    const session = 4801;
    const gen = await loadgen({ brokers: BROKER, prefix, executions: 4000, accounts: 40, skew: 1.2, seed: 12, session });
    clearOk(prefix);
    const all = [...generateExecutions({ executions: 4000, accounts: 40, skew: 1.2, seed: 12, session, firstAccountId: 10001 })];
    const home = (e: Execution) => partitionOf(executionKey(e.accountId), PARTS);
    // Four under their own key, landing elsewhere by CRC32; four under another account's key.
    const crcMoved = all.filter((e) => kcatPartition(executionKey(e.accountId)) !== home(e)).slice(0, 4);
    const wrongKey = all.filter((e) => e.seq > 2000 && kcatPartition(executionKey(e.accountId + 7)) !== home(e)).slice(0, 4);
    expect(crcMoved).toHaveLength(4);
    expect(wrongKey).toHaveLength(4);
    for (const e of crcMoved) await kcat(names.executions, encodeExecution(e), { key: executionKey(e.accountId) });
    for (const e of wrongKey) await kcat(names.executions, encodeExecution(e), { key: executionKey(e.accountId + 7) });
    // And one new execution on a wrong partition: cleared once, on its account's partition.
    const fresh = exec({ session, seq: 4001, accountId: crcMoved[0].accountId, side: 'S', symbol: 'MSFT', price: 4_150_000 });
    await kcat(names.executions, encodeExecution(fresh), { key: executionKey(fresh.accountId), partition: (home(fresh) + 1) % PARTS });
    // The re-sent copies are on partitions other than their account's.
    const resent = new Set([...crcMoved, ...wrongKey].map(executionId));
    const where = new Map<string, Set<number>>();
    for (const m of await readAll(names.executions)) {
      const e = decodeExecution(m.value);
      if (resent.has(executionId(e))) where.set(executionId(e), (where.get(executionId(e)) ?? new Set()).add(m.partition));
    }
    expect([...where.values()].every((ps) => ps.size === 2)).toBe(true);

    const c = clearOk(prefix);
    expect(c.stdout).toMatch(/cleared 1, duplicates dropped 8,/);
    expect(c.stdout).toMatch(/re-routed 9/);
    const r = await settle({ brokers: BROKER, prefix });
    expect(verdict(r)).toEqual({ executions: gen.executions + 1, cleared: gen.executions + 1, lost: 0, duplicated: 0, unknown: 0, breaks: [] });
    // The new one's settlement entry is on its account's partition.
    const entries = (await readAll(names.settlements)).filter((m) => m.value!.toString().includes(`"execId":"${executionId(fresh)}"`));
    expect(entries.map((m) => m.partition)).toEqual([home(fresh)]);
    console.log(`[clear-hostile] 8 duplicates on foreign partitions re-routed and dropped, 1 misrouted new execution cleared once (clear ${c.ms} ms)`);
  });

  it('an 800 KB malformed execution: a capped dead letter and clear --exit-when-idle ends', async () => {
    const prefix = uniqueName('rghost.big');
    const names = topicNames(prefix);
    await ensureTopic(prefix);
    const gen = await loadgen({ brokers: BROKER, prefix, executions: 2000, accounts: 20, skew: 1.2, seed: 13, session: 4901 });
    const big = Buffer.alloc(800 * 1024, 0x58);
    big.write('RGX1', 0, 'latin1');
    await kcat(names.executions, big, { key: '10001', partition: partitionOf('10001', PARTS) });
    await loadgen({ brokers: BROKER, prefix, executions: 2000, accounts: 20, skew: 1.2, seed: 14, session: 4902 });
    const c = clear(prefix, 90_000);
    expect(c.timedOut, `clear ended by itself (stderr: ${c.stderr.slice(-1500)})`).toBe(false);
    expect(c.status).toBe(0);
    const dlq = await readAll(names.dlq);
    expect(dlq).toHaveLength(1);
    expect(dlq[0].size).toBeLessThan(4096);
    const d = JSON.parse(dlq[0].value!.toString());
    expect(d).toMatchObject({
      code: 'BAD_EXECUTION',
      reason: expect.stringMatching(/length 819200/),
      partition: partitionOf('10001', PARTS),
      valueBytes: 819200,
      valueSha256: createHash('sha256').update(big).digest('hex'),
      valueTruncated: true,
    });
    expect(Buffer.from(d.value, 'base64').equals(big.subarray(0, 1024))).toBe(true);
    const r = await settle({ brokers: BROKER, prefix });
    expect({ ...verdict(r), malformed: r.malformed }).toEqual({ executions: 2 * gen.executions, cleared: 2 * gen.executions, lost: 0, duplicated: 0, unknown: 0, breaks: [], malformed: 1 });
    console.log(`[clear-hostile] 800 KB malformed record: dead letter of ${dlq[0].size} bytes, clear ended in ${c.ms} ms`);
  });

  it('a transaction the broker refuses for good (dead-letter topic max.message.bytes 120) stops the partition with a clear error, not an endless retry', async () => {
    const prefix = uniqueName('rghost.refused');
    const names = topicNames(prefix);
    await ensureTopic(prefix);
    const kafka = makeKafka(BROKER, 'riskgate-test-hostile');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: names.dlq, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '120' }] }], waitForLeaders: true });
    await admin.disconnect();
    const gen = await loadgen({ brokers: BROKER, prefix, executions: 1000, accounts: 20, skew: 1.2, seed: 15, session: 5001 });
    const p = partitionOf('10001', PARTS);
    await kcat(names.executions, 'not an execution', { key: '10001', partition: p });
    await loadgen({ brokers: BROKER, prefix, executions: 1000, accounts: 20, skew: 1.2, seed: 16, session: 5002 });
    const c = clear(prefix, 90_000);
    expect(c.timedOut, 'clear ended by itself').toBe(false);
    expect(c.status).toBe(6);
    expect(c.stderr).toMatch(new RegExp(`partition ${p} stopped.*MESSAGE_TOO_LARGE`));
    const r = await settle({ brokers: BROKER, prefix });
    // Everything before the refused record and on the other partitions is cleared; the rest of
    // partition p is reported lost, never silently dropped.
    expect(r.duplicated).toBe(0);
    expect(r.lost).toBeGreaterThan(0);
    expect(r.lost).toBeLessThan(gen.executions);
    expect(r.cleared + r.lost).toBe(2 * gen.executions);
    console.log(`[clear-hostile] refused dead letter: partition ${p} stopped in ${c.ms} ms, exit 6, settle lost ${r.lost} (flagged)`);
  });

  it('non-JSON and foreign records in the settlements, positions and state topics: settle lists them and carries on; workers skip them', async () => {
    const prefix = uniqueName('rghost.foreign');
    const names = topicNames(prefix);
    const gen = await loadgen({ brokers: BROKER, prefix, executions: 1000, accounts: 20, skew: 1.2, seed: 17, session: 5101 });
    clearOk(prefix);
    await kcat(names.settlements, 'this is not JSON', { key: '10001', partition: 0 });
    await kcat(names.settlements, '{"hello":1}', { key: '10002', partition: 1 });
    await kcat(names.positions, '\x00\x01binary', { key: 'junk:X', partition: 2 });
    await kcat(names.state, 'garbage', { key: 'junk', partition: partitionOf('10001', PARTS) });
    const s = spawnSync(process.execPath, [BIN, 'settle', '--brokers', BROKER, '--prefix', prefix, '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(s.stderr).not.toMatch(/internal/i);
    expect(s.status).toBe(9);
    const j = JSON.parse(s.stdout);
    expect(j).toMatchObject({ executions: gen.executions, cleared: gen.executions, lost: 0, duplicated: 0, unknown: 0, foreign: 3 });
    expect(j.foreignRecords).toEqual([
      { topic: names.settlements, partition: 0, offset: expect.any(String), reason: expect.stringMatching(/not JSON/) },
      { topic: names.settlements, partition: 1, offset: expect.any(String), reason: expect.stringMatching(/not a settlement entry/) },
      { topic: names.positions, partition: 2, offset: expect.any(String), reason: expect.stringMatching(/not JSON/) },
    ]);
    expect(j.breaks.filter((b: { kind: string }) => b.kind === 'foreign')).toHaveLength(3);
    expect(j.breaks.filter((b: { kind: string }) => b.kind !== 'foreign')).toEqual([]);
    const text = spawnSync(process.execPath, [BIN, 'settle', '--brokers', BROKER, '--prefix', prefix], { cwd: ROOT, encoding: 'utf8' });
    expect(text.status).toBe(9);
    expect(text.stdout).toMatch(new RegExp(`break foreign ${names.settlements.replace(/\./g, '\\.')}/0@\\d+`));

    // The workers restore past them and clear new traffic.
    await loadgen({ brokers: BROKER, prefix, executions: 500, accounts: 20, skew: 1.2, seed: 18, session: 5102 });
    const c = clearOk(prefix);
    expect(c.stdout).toMatch(/cleared 500,/);
    const r = await settle({ brokers: BROKER, prefix });
    expect({ executions: r.executions, cleared: r.cleared, lost: r.lost, duplicated: r.duplicated, foreign: r.foreign }).toEqual({ executions: 1500, cleared: 1500, lost: 0, duplicated: 0, foreign: 3 });
    console.log(`[clear-hostile] 3 foreign records: settle exit 9 listing them; clearing went on (${c.ms} ms)`);
  });
});
