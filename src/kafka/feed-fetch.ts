/**
 * The feed run's reader of its single-partition feed topic (docs/spec.md §14.4): Fetch
 * requests of its own on one connection to the partition's leader, read_committed, from a
 * given offset, with no consumer group (the run's progress is the offset it commits in its
 * transactions). Replaces a kafkajs consumer, whose decoding of every record into objects
 * (offsets as strings through Long, timestamps, headers, a filter pass per batch) cost more
 * CPU than the engine (README, Performance, bench:feed).
 *
 * The leader and its address come from the kafkajs admin client the run already has. Losing
 * the connection or a retriable partition error (a leader change, a broker restart) is waited
 * out with backoff, the leader looked up again, up to `brokerTimeoutMs`; after that, or on any
 * other error, `fetch` throws and the run stops.
 */
import { Socket } from 'node:net';
import type { Admin } from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { RiskgateError } from '../errors.ts';
import { sleep } from './client.ts';
import { decodeFetch, encodeFetch, FetchDecodeError } from './fetch-protocol.ts';
import { walkRecordBatches, type FeedRecord } from './record-batches.ts';

export interface FeedFetchOptions {
  admin: Admin;
  topic: string;
  partition?: number;
  /** Longest the broker holds a fetch when there is nothing new (ms). */
  maxWaitMs: number;
  /** Bytes per fetch (the partition's share and the whole response's). */
  maxBytes: number;
  /** How long the reader keeps trying after the broker went away before `fetch` throws (ms). */
  brokerTimeoutMs: number;
  clientId?: string;
  emit?: (event: string, data?: Record<string, unknown>) => void;
}

/** Partition errors a leader lookup and a retry can cure (kafka.apache.org/protocol, "Error Codes"). */
const RETRIABLE_CODES = new Map<number, string>([
  [3, 'UNKNOWN_TOPIC_OR_PARTITION'], [5, 'LEADER_NOT_AVAILABLE'], [6, 'NOT_LEADER_OR_FOLLOWER'], [7, 'REQUEST_TIMED_OUT'],
  [9, 'REPLICA_NOT_AVAILABLE'], [13, 'NETWORK_EXCEPTION'], [56, 'KAFKA_STORAGE_ERROR'], [74, 'FENCED_LEADER_EPOCH'],
  [75, 'UNKNOWN_LEADER_EPOCH'], [78, 'OFFSET_NOT_AVAILABLE'], [15, 'COORDINATOR_NOT_AVAILABLE'],
]);
const OFFSET_OUT_OF_RANGE = 1;
/** A response that takes this much longer than maxWaitMs means a dead connection. */
const RESPONSE_TIMEOUT_MS = 30_000;
/** Largest fetch size the reader grows to when one record batch does not fit (the broker's default max message is 1 MiB). */
const MAX_FETCH_BYTES = 256 * 1024 * 1024;

/** An error the reader retries: the connection or a leader it has to look up again. */
class Retriable extends Error {}

/**
 * One connection, one request at a time. Reads land in place: the first bytes of a response
 * (its size) in a small reused buffer, the rest straight into a buffer of the response's own
 * size (socket `onread`), so a multi-megabyte fetch response costs no chunk buffers and no
 * copy to reassemble. Each response keeps its buffer: the records handed on are views of it.
 */
class Connection {
  private readonly socket: Socket;
  private readonly small = Buffer.allocUnsafe(64 * 1024);
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** The response being read (after its size prefix) and how much of it has arrived. */
  private resp: Buffer | null = null;
  private filled = 0;
  private waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private failed: Error | null = null;
  readonly ready: Promise<void>;

  constructor(host: string, port: number) {
    this.socket = new Socket({
      onread: {
        buffer: () => (this.resp ? this.resp.subarray(this.filled) : this.small),
        callback: (n: number, buf: Uint8Array) => {
          this.onRead(n, buf);
          return true;
        },
      },
    } as ConstructorParameters<typeof Socket>[0]);
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.close();
        reject(new Retriable(`connecting to ${host}:${port} timed out`));
      }, 3000);
      this.socket.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
      this.socket.once('error', (e) => {
        clearTimeout(t);
        reject(new Retriable(`${host}:${port}: ${e.message}`));
      });
    });
    this.ready.catch(() => {});
    this.socket.on('error', (e) => this.fail(new Retriable(`${host}:${port}: ${e.message}`)));
    this.socket.on('close', () => this.fail(new Retriable(`${host}:${port}: connection closed`)));
    this.socket.connect(port, host);
  }

  /** Sends `request` and resolves with the response body (after the size prefix). */
  request(request: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.waiting) return Promise.reject(new Error('internal: a second request on the feed connection'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Retriable(`no fetch response within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = { resolve, reject, timer };
      this.socket.write(request);
    });
  }

  /** `n` bytes arrived at the start of `buf`: the response's own buffer, or the small one. */
  private onRead(n: number, buf: Uint8Array): void {
    if (this.resp && buf.buffer === this.resp.buffer) {
      this.filled += n;
    } else {
      // Bytes in the small buffer: the size prefix first, then the start of the body.
      let at = 0;
      while (at < n) {
        if (!this.resp) {
          while (this.sizeFilled < 4 && at < n) this.sizeBytes[this.sizeFilled++] = buf[at++];
          if (this.sizeFilled < 4) return;
          const size = this.sizeBytes.readInt32BE(0);
          if (size < 0) return this.fail(new Retriable(`a response of ${size} bytes`));
          this.resp = Buffer.allocUnsafeSlow(size);
          this.filled = 0;
        }
        const take = Math.min(n - at, this.resp.length - this.filled);
        this.resp.set(buf.subarray(at, at + take), this.filled);
        this.filled += take;
        at += take;
        if (this.filled === this.resp.length) this.deliver();
      }
      return;
    }
    if (this.filled === this.resp.length) this.deliver();
  }

  private deliver(): void {
    const body = this.resp!;
    this.resp = null;
    this.sizeFilled = 0;
    this.filled = 0;
    const w = this.waiting;
    this.waiting = null;
    if (!w) return this.fail(new Retriable('a response nobody asked for'));
    clearTimeout(w.timer);
    w.resolve(body);
  }

  private fail(e: Error): void {
    this.failed ??= e;
    const w = this.waiting;
    this.waiting = null;
    if (w) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.socket.destroy();
  }

  close(): void {
    this.fail(new Retriable('closed'));
  }
}

/** Fetches the feed partition in order, from `from`, as arrays of records. */
export class FeedFetch {
  private conn: Connection | null = null;
  private correlationId = 0;
  private closed = false;
  private fetchBytes: number;
  private readonly partition: number;
  private readonly emit: (event: string, data?: Record<string, unknown>) => void;
  /** Fetch responses and records read (report and bench). */
  readonly stats = { fetches: 0, records: 0, bytes: 0, reconnects: 0 };

  constructor(
    private readonly o: FeedFetchOptions,
    /** The offset of the next record to read. */
    public next: number,
  ) {
    this.partition = o.partition ?? 0;
    this.fetchBytes = o.maxBytes;
    this.emit = o.emit ?? (() => {});
  }

  /** The next records (possibly none: nothing new within maxWaitMs), retrying broker trouble. */
  async fetch(): Promise<FeedRecord[]> {
    let t0 = 0;
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return [];
      try {
        return await this.fetchOnce();
      } catch (e) {
        if (this.closed) return [];
        if (!(e instanceof Retriable)) throw e;
        this.conn?.close();
        this.conn = null;
        t0 ||= Date.now();
        if (Date.now() - t0 > this.o.brokerTimeoutMs) {
          throw new ClearingError('BROKER_UNAVAILABLE', `feed ${this.o.topic}: no fetch answered within ${Math.round(this.o.brokerTimeoutMs / 1000)} s (${e.message}); restart run to resume`, { cause: e });
        }
        this.emit('consumer', { what: 'RETRY', attempt, error: e.message, delayMs: delay });
        await sleep(delay);
        delay = Math.min(delay * 2, 3000);
      }
    }
  }

  private async fetchOnce(): Promise<FeedRecord[]> {
    const conn = this.conn ?? (await this.connect());
    const request = encodeFetch({
      correlationId: (this.correlationId = (this.correlationId + 1) | 0),
      clientId: this.o.clientId ?? 'riskgate-run',
      topic: this.o.topic,
      partition: this.partition,
      offset: this.next,
      maxWaitMs: this.o.maxWaitMs,
      minBytes: 1,
      maxBytes: this.fetchBytes,
      partitionMaxBytes: this.fetchBytes,
    });
    const body = await conn.request(request, this.o.maxWaitMs + RESPONSE_TIMEOUT_MS);
    let r;
    try {
      r = decodeFetch(body, this.o.topic, this.partition);
    } catch (e) {
      if (e instanceof FetchDecodeError) throw new RiskgateError('FAIL_CLOSED', `feed ${this.o.topic}: ${e.message}`);
      throw e;
    }
    if (r.correlationId !== this.correlationId) throw new Retriable(`fetch response ${r.correlationId} for request ${this.correlationId}`);
    if (r.errorCode !== 0) throw this.partitionError(r.errorCode);
    const part = r.part;
    if (!part) throw new Retriable(`the fetch response has no partition ${this.o.topic}/${this.partition}`);
    if (part.errorCode !== 0) throw this.partitionError(part.errorCode);
    this.stats.fetches++;
    this.stats.bytes += part.records.length;
    const out: FeedRecord[] = [];
    const walk = walkRecordBatches(part.records, this.next, part.aborted, out);
    if (walk.batches === 0 && part.records.length > 0) {
      // One record batch larger than the fetch size (brokers return a first batch whole, so rare): fetch more.
      if (this.fetchBytes >= MAX_FETCH_BYTES) throw new RiskgateError('FAIL_CLOSED', `feed ${this.o.topic}: a record batch at offset ${this.next} does not fit in ${MAX_FETCH_BYTES} bytes`);
      this.fetchBytes = Math.min(MAX_FETCH_BYTES, this.fetchBytes * 2);
      return out;
    }
    this.next = walk.next;
    this.stats.records += out.length;
    return out;
  }

  private partitionError(code: number): Error {
    if (code === OFFSET_OUT_OF_RANGE) {
      return new RiskgateError('FAIL_CLOSED', `feed ${this.o.topic}: offset ${this.next} is out of range (the topic was truncated or replaced)`);
    }
    const name = RETRIABLE_CODES.get(code);
    if (name) return new Retriable(`fetch: ${name}`);
    return new ClearingError('BROKER_UNAVAILABLE', `feed ${this.o.topic}: the broker refused the fetch (error code ${code}); restart run to resume`);
  }

  /** A connection to the partition's current leader, looked up through the admin client. */
  private async connect(): Promise<Connection> {
    let leader: { host: string; port: number };
    try {
      const [meta] = (await this.o.admin.fetchTopicMetadata({ topics: [this.o.topic] })).topics;
      const p = meta?.partitions.find((x) => x.partitionId === this.partition);
      if (!p || p.leader < 0) throw new Retriable(`no leader for ${this.o.topic}/${this.partition}`);
      const { brokers } = await this.o.admin.describeCluster();
      const b = brokers.find((x) => x.nodeId === p.leader);
      if (!b) throw new Retriable(`leader ${p.leader} of ${this.o.topic}/${this.partition} is not in the cluster`);
      leader = b;
    } catch (e) {
      if (e instanceof Retriable) throw e;
      throw new Retriable(`leader lookup: ${(e as Error).message}`);
    }
    const conn = new Connection(leader.host, leader.port);
    await conn.ready;
    if (this.closed) {
      conn.close();
      throw new Retriable('closed');
    }
    if (this.stats.fetches > 0) this.stats.reconnects++;
    this.emit('consumer', { what: 'CONNECT', leader: `${leader.host}:${leader.port}` });
    this.conn = conn;
    return conn;
  }

  close(): void {
    this.closed = true;
    this.conn?.close();
    this.conn = null;
  }
}
