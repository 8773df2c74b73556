/**
 * Engine snapshots of `riskgate run` (docs/spec.md §14.6): every `--snapshot-every` committed
 * transactions the run puts, inside the transaction itself, one message on the compacted topic
 * `P.run.snapshots` (key = run group): the engine's `snapshot()` bytes and, as JSON, the feed
 * offset they stand at (the next packet after the transaction) with the rest of the run's
 * resumable state — sequencer, held packet, gap/latch/stale state, record digest, report
 * counters, P&L. A resume restores the newest one and reads the feed from its offset instead of
 * rebuilding from offset 0.
 *
 * Value layout: `RGRS` (4 bytes), u32 BE length of the JSON header, the header (UTF-8), then
 * the engine snapshot (RGS1, native/core/src/snapshot.rs). One message, not chunked: the topic
 * is created with max.message.bytes = SNAPSHOT_MAX_BYTES (a busy day's engine snapshot is
 * under 1 MB; the state JSON is a few KB).
 */
import type { Admin, KafkaMessage, Message } from 'kafkajs';
import { Dx } from '../clearing/exact.ts';
import { SymbolPnl } from '../report/pnl.ts';
import type { KafkaClient } from './client.ts';
import type { FeedNames } from './feed-topics.ts';
import { readToEnd } from './read-topic.ts';

const MAGIC = Buffer.from('RGRS');
/** Largest snapshot message: the topic's max.message.bytes. */
export const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;
export const SNAPSHOT_VERSION = 1;

export interface SnapshotHeader {
  version: number;
  group: string;
  feed: string;
  /** The journal start record of the incarnation chain it belongs to (`at`, first packet). */
  startAt: number;
  firstPacketSha256: string;
  /** SHA-256 of the §10 config blob (with the journal's start positions) the engine runs. */
  configSha256: string;
  backend: string;
  /** The next feed offset after the transaction: where a resume reads on. */
  offset: number;
  /** The engine's next seq there. */
  seq: number;
  /** Journal injections (after the start record) already in this state. */
  journalApplied: number;
  at: number;
  /** The run's resumable state (tagged JSON, see `encodeState`). */
  state: unknown;
}

export interface Snapshot {
  header: SnapshotHeader;
  engine: Buffer;
  bytes: number;
}

export function snapshotMessage(names: FeedNames, header: SnapshotHeader, engine: Buffer): Message {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return { key: names.runGroup, value: Buffer.concat([MAGIC, len, json, engine]), partition: 0 };
}

export function parseSnapshot(value: Buffer): Snapshot | null {
  if (value.length < 8 || !value.subarray(0, 4).equals(MAGIC)) return null;
  const n = value.readUInt32BE(4);
  if (8 + n > value.length) return null;
  try {
    const header = JSON.parse(value.subarray(8, 8 + n).toString()) as SnapshotHeader;
    if (header.version !== SNAPSHOT_VERSION) return null;
    return { header, engine: value.subarray(8 + n), bytes: value.length };
  } catch {
    return null;
  }
}

/**
 * Offsets before the end of the snapshot topic where the newest snapshot is looked for first:
 * one run group's newest snapshot is its last record (each is followed by its transaction's
 * commit marker); only a topic shared by several run groups, or aborted transactions after it,
 * need a wider look, and the whole topic (megabytes per snapshot on a busy day, until compaction
 * removes the older ones) is read only when that finds none.
 */
const SNAPSHOT_TAIL = [8, 256] as const;

/** The newest committed snapshot of the run group (the last one on the topic with its key). */
export async function readLatestSnapshot(kafka: KafkaClient, admin: Admin, names: FeedNames): Promise<Snapshot | null> {
  for (const lastOffsets of [...SNAPSHOT_TAIL, undefined]) {
    let last: Buffer | null = null;
    await readToEnd(kafka, admin, names.snapshots, (_p, m: KafkaMessage) => {
      if (m.key?.toString() === names.runGroup && m.value) last = m.value;
    }, { lastOffsets });
    if (last) return parseSnapshot(last);
  }
  return null;
}

/** JSON with Buffers, bigints, Maps, exact decimals and P&L entries tagged. */
export function encodeState(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === 'bigint') return { $n: v.toString() };
  if (Buffer.isBuffer(v)) return { $b: v.toString('hex') };
  if (v instanceof Map) return { $m: [...v].map(([k, x]) => [encodeState(k), encodeState(x)]) };
  if (v instanceof Dx) return { $dx: [v.l, v.neg, v.e] };
  if (v instanceof SymbolPnl) return { $pnl: encodeState({ ...v }) };
  if (Array.isArray(v)) return v.map(encodeState);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeState(x)]));
  return v;
}

export function decodeState(v: unknown): any {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeState);
  const o = v as Record<string, any>;
  if ('$n' in o) return BigInt(o.$n);
  if ('$b' in o) return Buffer.from(o.$b, 'hex');
  if ('$m' in o) return new Map(o.$m.map(([k, x]: [unknown, unknown]) => [decodeState(k), decodeState(x)]));
  if ('$dx' in o) return new Dx(null, o.$dx[2], o.$dx[1], o.$dx[0]);
  if ('$pnl' in o) return Object.assign(new SymbolPnl(), decodeState(o.$pnl));
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeState(x)]));
}
