/**
 * One reading of Kafka client errors for the feed run and the clearing workers
 * (src/kafka/errors.ts): only a producer fencing stops them, a transient answer is redone with
 * the same producer, and a broker answer wrapped by kafkajs's retrier is still recognised.
 */
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../src/errors.ts';
import { asCoded, errorType, isFenced, isRetriable } from '../../src/kafka/errors.ts';

const { KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError } = kafkajs;

/** A broker answer as kafkajs builds it from an entry of its protocol error table. */
const answer = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ type, code: 0, retriable, message: `broker says ${type}` } as unknown as Error);

describe('Kafka producer errors', () => {
  it('a producer fencing is fenced and not retriable, also when wrapped after retries', () => {
    for (const type of ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']) {
      expect(isFenced(answer(type, false)), type).toBe(true);
      expect(isRetriable(answer(type, false)), type).toBe(false);
      const wrapped = new KafkaJSNumberOfRetriesExceeded(answer(type, false), { retryCount: 5, retryTime: 100 });
      expect(isFenced(wrapped), `${type} wrapped`).toBe(true);
    }
  });

  it('errors that merely have FENCED in their name are not a producer fencing', () => {
    // A partition leader change (retriable), consumer static membership, coordinator hand-over.
    expect(isFenced(answer('FENCED_LEADER_EPOCH', true))).toBe(false);
    expect(isRetriable(answer('FENCED_LEADER_EPOCH', true))).toBe(true);
    expect(isFenced(answer('FENCED_INSTANCE_ID', false))).toBe(false);
    expect(isFenced(answer('TRANSACTION_COORDINATOR_FENCED', false))).toBe(false);
    expect(isFenced(new Error('the word fenced in a message is not an answer from the broker'))).toBe(false);
  });

  it('transient answers are retriable, including the ones kafkajs marks non-retriable', () => {
    expect(isRetriable(answer('CONCURRENT_TRANSACTIONS', true))).toBe(true);
    expect(isRetriable(answer('NOT_ENOUGH_REPLICAS', false))).toBe(true);
    expect(isRetriable(new KafkaJSNumberOfRetriesExceeded(answer('REQUEST_TIMED_OUT', true), { retryCount: 5, retryTime: 100 }))).toBe(true);
    expect(isRetriable(answer('INVALID_TXN_STATE', false))).toBe(false);
  });

  it('errorType names the broker answer, else the error', () => {
    expect(errorType(answer('CONCURRENT_TRANSACTIONS', true))).toBe('CONCURRENT_TRANSACTIONS');
    expect(errorType(new KafkaJSNumberOfRetriesExceeded(answer('NOT_COORDINATOR', true), { retryCount: 1, retryTime: 1 }))).toBe('NOT_COORDINATOR');
    expect(errorType(new KafkaJSConnectionError('connection refused'))).toBe('KafkaJSConnectionError');
  });

  it('a Kafka client error becomes BROKER_UNAVAILABLE; other errors pass through', () => {
    const coded = asCoded(new KafkaJSConnectionError('connection refused'));
    expect(coded).toBeInstanceOf(CodedError);
    expect((coded as CodedError).code).toBe('BROKER_UNAVAILABLE');
    const plain = new Error('a bug');
    expect(asCoded(plain)).toBe(plain);
  });
});
