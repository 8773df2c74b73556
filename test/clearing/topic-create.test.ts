// Topic creation by processes that start together (src/kafka/topics.ts, `createdOrComing`):
// which createTopics answers mean "the topic is there or coming" (then wait for its leaders)
// and which are real failures. No broker: the answers are kafkajs's error shapes.
import { describe, expect, it } from 'vitest';
import { createdOrComing } from '../../src/kafka/topics.ts';

describe('createTopics answers', () => {
  it('already there, or just created and not served yet: go on and wait for the leaders', () => {
    expect(createdOrComing({ type: 'TOPIC_ALREADY_EXISTS' })).toBe(true);
    // kafkajs's waitForLeaders reads this for a topic just created (a clearing worker died of it on a fresh cluster).
    expect(createdOrComing({ type: 'UNKNOWN_TOPIC_OR_PARTITION' })).toBe(true);
    expect(createdOrComing({ type: 'LEADER_NOT_AVAILABLE' })).toBe(true);
    expect(createdOrComing({ errors: [{ type: 'TOPIC_ALREADY_EXISTS' }, { type: 'TOPIC_ALREADY_EXISTS' }] })).toBe(true);
  });

  it('anything else is a failure to report', () => {
    expect(createdOrComing({ type: 'POLICY_VIOLATION' })).toBe(false);
    expect(createdOrComing({ type: 'INVALID_CONFIG' })).toBe(false);
    expect(createdOrComing({ errors: [{ type: 'TOPIC_ALREADY_EXISTS' }, { type: 'TOPIC_AUTHORIZATION_FAILED' }] })).toBe(false);
    expect(createdOrComing({ errors: [] })).toBe(false);
    expect(createdOrComing(new Error('Connection timeout'))).toBe(false);
  });
});
