/**
 * How the control plane reads a Kafka client error, for the transactional producers of the
 * feed run (src/kafka/feed-run.ts) and the clearing workers (src/kafka/worker.ts): fenced
 * (another instance owns the transactional id: stop), transient (redo with the same producer),
 * or broker trouble (wait, then a new producer).
 */
import { ClearingError } from '../clearing/errors.ts';
import { CodedError } from '../errors.ts';

/**
 * Broker answers that mean this producer lost its transactional id for good. Exact codes
 * only: FENCED_LEADER_EPOCH (a partition leader change, retriable), FENCED_INSTANCE_ID
 * (consumer static membership) and TRANSACTION_COORDINATOR_FENCED (between brokers) are not
 * a producer fencing.
 */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

/** Transient answers the same producer can retry (kafkajs marks some of them non-retriable). */
const RETRIABLE = new Set([
  'CONCURRENT_TRANSACTIONS', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'REQUEST_TIMED_OUT',
  'NOT_ENOUGH_REPLICAS', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION',
]);

interface KafkaLike {
  name?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and what it wraps (kafkajs wraps the broker's answer in `cause` when it gives up retrying). */
function* chain(e: unknown): Generator<KafkaLike> {
  for (let x = e as KafkaLike | undefined, depth = 0; x && typeof x === 'object' && depth < 8; depth++) {
    yield x;
    x = (x.cause ?? x.originalError) as KafkaLike | undefined;
  }
}

/** The broker's error type (e.g. CONCURRENT_TRANSACTIONS), else the error's name. */
export function errorType(e: unknown): string {
  for (const x of chain(e)) if (x.type) return x.type;
  return (e as KafkaLike)?.name ?? 'Error';
}

export function isKafkaError(e: unknown): boolean {
  return /^KafkaJS/.test((e as KafkaLike)?.name ?? '');
}

/** Another producer with the same transactional id took over (or this one's epoch expired). */
export function isFenced(e: unknown): boolean {
  for (const x of chain(e)) if (x.type && FENCED.has(x.type)) return true;
  return false;
}

/**
 * Broker answers that no retry can change: the outputs themselves are refused (too large,
 * invalid, not allowed). A transaction that fails with one of them goes to the caller's
 * error path (src/kafka/worker.ts: one record per transaction, then the partition stops).
 */
const REFUSED = new Set([
  'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'POLICY_VIOLATION', 'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT', 'INVALID_TIMESTAMP', 'INVALID_CONFIG',
]);

/** The broker refused what was sent for good (see REFUSED); never a fencing or a transient answer. */
export function isRefused(e: unknown): boolean {
  if (isFenced(e)) return false;
  for (const x of chain(e)) if (x.type && REFUSED.has(x.type)) return true;
  return false;
}

/** A transient broker answer (never a fencing): the same producer can redo the transaction. */
export function isRetriable(e: unknown): boolean {
  if (isFenced(e)) return false;
  for (const x of chain(e)) if ((x.type && RETRIABLE.has(x.type)) || x.retriable === true) return true;
  return false;
}

/** Kafka client errors end a run as BROKER_UNAVAILABLE (exit 8), not as internal errors. */
export function asCoded(e: unknown): unknown {
  if (e instanceof CodedError || !isKafkaError(e)) return e;
  return new ClearingError('BROKER_UNAVAILABLE', `Kafka: ${(e as Error).message}; restart run to resume`, { cause: e });
}
