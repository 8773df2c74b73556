/**
 * `riskgate listen`: MoldUDP64 from UDP (unicast, or a joined multicast group) through the
 * recovery state machine (src/udp/recovery.ts) with real timers, onto the Kafka feed topic
 * (docs/spec.md §14.7), exactly once across restarts:
 *
 * - one transactional producer (transactional id `riskgate.listen.<topic>` unless told
 *   otherwise); its start fences any earlier listener of the topic and aborts its open
 *   transaction;
 * - then the feed topic's last packets are read (read_committed, up to its end): the last one
 *   gives the next seq to publish (one past its last message, or a heartbeat's or end-of-session's sequence
 *   number) and the session; recovery starts there, so what came before is a duplicate and
 *   what was lost while no listener ran is requested from the request server;
 * - recovered packets go out in transactions, in order; a transaction whose commit answer was
 *   lost is resolved by fencing again and re-reading the topic's last packet.
 *
 * An unrecoverable gap is published as it is — the packets after it — so that `riskgate run`
 * sees it and engages the kill switch in band (§14.5). Heartbeats handed on by recovery are
 * published when nothing else was for `heartbeatForwardMs` (the consumer's liveness).
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import type { Admin, Producer } from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { RiskgateError } from '../errors.ts';
import { makeKafka, sleep, waitForBroker, type KafkaClient } from '../kafka/client.ts';
import { errorType, isFenced } from '../kafka/errors.ts';
import { ensureSinglePartitionTopic } from '../kafka/feed-topics.ts';
import { readToEnd } from '../kafka/read-topic.ts';
import { packetHeader, slicePacket } from './packets.ts';
import { MoldRecovery, type GapEpisode, type RecoveryOptions, type RecoveryStats } from './recovery.ts';
import { encodeRequest } from './request.ts';
import { isMulticast, type HostPort } from './feed-sim.ts';

export interface ListenOptions {
  from: HostPort;
  /** The request server; null: never request (every gap past the reorder wait is unrecoverable after the timeout). */
  request: HostPort | null;
  brokers: string;
  topic: string;
  transactionalId?: string;
  recovery?: Omit<RecoveryOptions, 'startSeq' | 'session'>;
  /** Multicast: the interface address to join on (default: the system's choice). */
  multicastInterface?: string;
  /** Most packets in one transaction (default 2,000). */
  txPackets?: number;
  heartbeatForwardMs?: number;
  brokerTimeoutMs?: number;
  /** Stop when nothing arrived for this long (0: never; the end of session always stops it). */
  idleExitMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: string, data: Record<string, unknown>) => void;
}

export interface ListenReport {
  from: string;
  request: string | null;
  topic: string;
  session: string | null;
  /** Where this listener started: the next seq after what the topic already held. */
  resumedAt: number;
  /** The topic already ended with the end-of-session packet: nothing to do. */
  alreadyComplete: boolean;
  end: 'end-of-session' | 'stopped' | 'idle' | 'already-complete';
  nextSeq: number;
  packets: number;
  published: { packets: number; messages: number; heartbeats: number; endOfSession: boolean; transactions: number; resolvedCommits: number };
  gaps: { total: number; reordered: number; recovered: number; unrecoverable: number; lost: number; unrecoverableEpisodes: GapEpisode[] };
  requests: number;
  answers: number;
  recoveredMessages: number;
  duplicates: { packets: number; messages: number };
  outliers: number;
  refused: { bad: number; wrongSession: number; afterEnd: number; ignoredAnswers: number };
  maxHeld: number;
  recovery: RecoveryStats;
  seconds: number;
  messagesPerSecond: number;
}

interface TopicTail {
  packets: number;
  session: Buffer | null;
  /** Next seq after the last packet (1 when empty). */
  next: number;
  ended: boolean;
  /** Offsets read: only the last ones, or the whole topic. */
  read: 'tail' | 'whole' | 'empty';
}

/** Takes a packet of the topic into the tail. */
function see(t: TopicTail, value: Buffer | null): void {
  if (!value) return;
  const h = packetHeader(value);
  if (!h) return;
  t.packets++;
  t.session ??= Buffer.from(h.session);
  if (h.kind === 'end') t.ended = true;
  t.next = Math.max(t.next, h.kind === 'data' ? h.end : h.seq);
}

/** Offsets read back from the end of the topic on a (re)start: each transaction holds at least one packet. */
const TAIL_OFFSETS = 256n;

/**
 * The last packets of the topic (read_committed, up to its end): the session, the next seq,
 * whether it ended. Reads the last TAIL_OFFSETS offsets (a consumer seeked there), or the
 * whole topic when they hold no packet.
 */
async function readTail(kafka: KafkaClient, admin: Admin, topic: string): Promise<TopicTail> {
  const t: TopicTail = { packets: 0, session: null, next: 1, ended: false, read: 'empty' };
  const o = (await admin.fetchTopicOffsets(topic)).find((x) => x.partition === 0);
  const high = BigInt(o?.high ?? '0');
  const low = BigInt(o?.low ?? '0');
  if (high <= low) return t;
  const from = high - TAIL_OFFSETS > low ? high - TAIL_OFFSETS : low;
  if (from > low) {
    const groupId = `riskgate.listen.tail.${process.pid}.${Date.now().toString(36)}.${Math.floor(Math.random() * 1e9).toString(36)}`;
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100, sessionTimeout: 30000, heartbeatInterval: 3000 });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (e.payload.lastOffset != null && BigInt(e.payload.lastOffset) + 1n >= high) done();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const off = BigInt(m.offset);
            if (off >= from && off < high) see(t, m.value);
          }
        },
      });
      consumer.seek({ topic, partition: 0, offset: String(from) });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 60_000)));
      const r = await Promise.race([finished, timeout]);
      clearTimeout(timer);
      if (r === 'timeout') throw new ClearingError('BROKER_UNAVAILABLE', `reading the last packets of ${topic} timed out after 60 s`);
    } finally {
      await consumer.disconnect().catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
    }
    if (t.packets > 0) {
      t.read = 'tail';
      return t;
    }
  }
  t.read = 'whole';
  await readToEnd(kafka, admin, topic, (_p, m) => see(t, m.value));
  return t;
}

export async function listen(opts: ListenOptions): Promise<ListenReport> {
  const t0 = Date.now();
  const emit = opts.onEvent ?? (() => {});
  const txPackets = opts.txPackets ?? 2000;
  const heartbeatForwardMs = opts.heartbeatForwardMs ?? 1000;
  const brokerTimeoutMs = opts.brokerTimeoutMs ?? 120_000;
  const transactionalId = opts.transactionalId ?? `riskgate.listen.${opts.topic}`;

  await waitForBroker(opts.brokers, { timeoutMs: 60_000 });
  const kafka = makeKafka(opts.brokers, 'riskgate-listen');
  const admin = kafka.admin();
  await admin.connect();
  let producer: Producer | null = null;
  /** A new transactional producer: fences any earlier one of the id (its open transaction is aborted). */
  const fence = async () => {
    const old = producer;
    producer = null;
    await old?.disconnect().catch(() => {});
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId, allowAutoTopicCreation: false, transactionTimeout: 60_000 });
    await p.connect();
    const tx = await p.transaction(); // kafkajs initialises the producer id lazily: do it now
    await tx.abort();
    producer = p;
  };

  const sockets: dgram.Socket[] = [];
  try {
    await ensureSinglePartitionTopic(admin, opts.topic);
    await fence();
    const tail = await readTail(kafka, admin, opts.topic);
    emit('resume', { next: tail.next, packets: tail.packets, read: tail.read, ended: tail.ended, session: tail.session?.toString('latin1') ?? null });

    // requests of at most 2,048 messages: answered whole, so the next one goes out at once (§14.7)
    const r = new MoldRecovery({ maxRequestCount: 2048, ...opts.recovery, startSeq: tail.next, session: tail.session }, (e) => {
      if (e.event === 'gap-closed') emit('gap-closed', { ...e.episode });
      else if (e.event === 'outlier') emit('outlier', { seq: e.outlier.seq, at: e.outlier.at });
      else emit(e.event, e as unknown as Record<string, unknown>);
    });
    const published = { packets: 0, messages: 0, heartbeats: 0, endOfSession: tail.ended, transactions: 0, resolvedCommits: 0 };
    let end: ListenReport['end'] = tail.ended ? 'already-complete' : 'stopped';
    const fromText = `${opts.from.host}:${opts.from.port}`;
    const requestText = opts.request ? `${opts.request.host}:${opts.request.port}` : null;

    if (!tail.ended) {
      /** Packets recovered, not yet published. */
      let pending: Buffer[] = [];
      /** Position after the last published packet (the topic's next seq). */
      let publishedNext = tail.next;
      let lastPublishAt = 0;
      let lastArrival = Date.now();
      let failure: unknown = null;
      let wake: (() => void) | null = null;
      const poke = () => {
        const w = wake;
        wake = null;
        w?.();
      };

      let reqSock: dgram.Socket | null = null;
      /** Stopping (a signal): nothing more is taken; what is pending is committed. */
      let stopping = false;
      const take = () => {
        if (stopping) return;
        for (const q of r.requests.splice(0)) {
          if (!reqSock || !opts.request || !r.session) continue;
          reqSock.send(encodeRequest(r.session, q.seq, q.count), opts.request.port, opts.request.host);
        }
        if (r.out.length) {
          const now = Date.now();
          for (const pkt of r.out.splice(0)) {
            const h = packetHeader(pkt)!;
            if (h.kind === 'heartbeat') {
              // liveness only: forwarded when nothing else went out lately
              if (pending.length === 0 && now - lastPublishAt >= heartbeatForwardMs) {
                pending.push(pkt);
                lastPublishAt = now;
              }
              continue;
            }
            pending.push(pkt);
          }
          poke();
        }
      };

      const feedSock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      sockets.push(feedSock);
      feedSock.on('message', (msg) => {
        if (stopping) return;
        lastArrival = Date.now();
        r.receive(msg, lastArrival, 'feed');
        take();
      });
      const multicast = isMulticast(opts.from.host);
      feedSock.bind(opts.from.port, multicast ? undefined : opts.from.host);
      await once(feedSock, 'listening');
      if (multicast) feedSock.addMembership(opts.from.host, opts.multicastInterface);
      try {
        feedSock.setRecvBufferSize(16 << 20);
      } catch {
        /* the system's limit */
      }
      if (opts.request) {
        reqSock = dgram.createSocket('udp4');
        sockets.push(reqSock);
        reqSock.on('message', (msg) => {
          if (stopping) return;
          r.receive(msg, Date.now(), 'answer');
          take();
        });
        reqSock.bind(0);
        await once(reqSock, 'listening');
        try {
          reqSock.setRecvBufferSize(8 << 20);
        } catch {
          /* the system's limit */
        }
      }
      const timer = setInterval(() => {
        r.tick(Date.now());
        take();
        if (opts.idleExitMs && Date.now() - lastArrival > opts.idleExitMs) poke();
      }, 2);
      const onAbort = () => poke();
      opts.signal?.addEventListener('abort', onAbort);
      emit('ready', { from: fromText, port: feedSock.address().port, request: requestText, next: tail.next });

      /** One transaction of `batch`; an unknown commit outcome is resolved from the topic. */
      const commit = async (batch: Buffer[]): Promise<void> => {
        const tStart = Date.now();
        let delay = 200;
        let unresolved = false;
        for (let attempt = 1; ; attempt++) {
          let ending = false;
          try {
            if (unresolved) {
              await waitForBroker(opts.brokers, { timeoutMs: Math.max(1000, brokerTimeoutMs - (Date.now() - tStart)) });
              await fence();
              const t = await readTail(kafka, admin, opts.topic);
              published.resolvedCommits++;
              emit('tx-resolved', { topicNext: t.next, publishedNext });
              // keep only what the topic does not hold yet
              batch = batch.flatMap((p) => {
                const h = packetHeader(p)!;
                if (h.kind === 'data') {
                  if (h.end <= t.next) return [];
                  const part = h.seq < t.next ? slicePacket(p, t.next) : p;
                  return part ? [part] : [];
                }
                return h.kind === 'end' && t.ended ? [] : h.seq < t.next ? [] : [p];
              });
              unresolved = false;
              if (batch.length === 0) return;
            }
            if (!producer) await fence();
            const tx = await producer!.transaction();
            try {
              await tx.send({ topic: opts.topic, acks: -1, messages: batch.map((value) => ({ partition: 0, value })) });
              ending = true;
              await tx.commit();
            } catch (e) {
              if (!ending && tx.isActive()) await tx.abort().catch(() => {});
              throw e;
            }
            break;
          } catch (e) {
            if (isFenced(e)) {
              throw new RiskgateError('FAIL_CLOSED', `the listener's producer (${transactionalId}) was fenced — another listener of ${opts.topic} took over (${(e as Error).message})`, { cause: e });
            }
            if (Date.now() - tStart > brokerTimeoutMs) {
              throw new ClearingError('BROKER_UNAVAILABLE', `transaction not committed within ${Math.round(brokerTimeoutMs / 1000)} s (${(e as Error).message}); restart listen to resume`, { cause: e });
            }
            if (ending) unresolved = true;
            const wait = !ending && errorType(e) === 'CONCURRENT_TRANSACTIONS' ? 20 : delay;
            emit('tx-retry', { attempt, ending, error: (e as Error).message, delayMs: wait });
            await sleep(wait);
            if (wait === delay) delay = Math.min(delay * 2, 5000);
            if (!ending) {
              try {
                await waitForBroker(opts.brokers, { timeoutMs: Math.max(1000, brokerTimeoutMs - (Date.now() - tStart)) });
                await fence();
              } catch (e2) {
                emit('tx-retry-failed', { error: (e2 as Error).message });
              }
            }
          }
        }
        published.transactions++;
        for (const p of batch) {
          const h = packetHeader(p)!;
          if (h.kind === 'data') {
            published.packets++;
            published.messages += h.messages;
            publishedNext = h.end;
          } else if (h.kind === 'heartbeat') {
            published.heartbeats++;
          } else {
            published.packets++;
            published.endOfSession = true;
          }
        }
        lastPublishAt = Date.now();
        emit('committed', { packets: batch.length, next: publishedNext });
      };

      try {
        for (;;) {
          if (opts.signal?.aborted) stopping = true;
          if (pending.length > 0) {
            const batch = pending.splice(0, txPackets);
            await commit(batch);
            continue;
          }
          if (r.ended && r.out.length === 0) {
            end = 'end-of-session';
            break;
          }
          if (stopping) break;
          if (opts.idleExitMs && Date.now() - lastArrival > opts.idleExitMs) {
            end = 'idle';
            break;
          }
          await new Promise<void>((res) => {
            wake = res;
            setTimeout(poke, 50);
          });
        }
      } catch (e) {
        failure = e;
      } finally {
        clearInterval(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      }
      if (failure) throw failure;
    }

    const s = r.stats;
    const seconds = (Date.now() - t0) / 1000;
    return {
      from: fromText, request: requestText, topic: opts.topic, session: r.session?.toString('latin1') ?? tail.session?.toString('latin1') ?? null,
      resumedAt: tail.next, alreadyComplete: tail.ended, end, nextSeq: r.expected, packets: s.packets, published,
      gaps: {
        total: s.gaps, reordered: s.reorderedGaps, recovered: s.recoveredGaps, unrecoverable: s.unrecoverableGaps, lost: s.lost,
        unrecoverableEpisodes: r.episodes.filter((e) => e.outcome === 'unrecoverable').slice(0, 50),
      },
      requests: s.requests, answers: s.answers, recoveredMessages: s.recovered,
      duplicates: { packets: s.duplicatePackets, messages: s.duplicateMessages }, outliers: s.outliers,
      refused: { bad: s.badPackets, wrongSession: s.wrongSession, afterEnd: s.afterEnd, ignoredAnswers: s.ignoredAnswers },
      maxHeld: s.maxHeldSeen, recovery: { ...s }, seconds, messagesPerSecond: seconds > 0 ? Math.round(published.messages / seconds) : 0,
    };
  } finally {
    for (const sock of sockets) sock.close();
    await (producer as Producer | null)?.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}
