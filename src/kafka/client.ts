/**
 * kafkajs client construction and "wait for the broker" with backoff. kafkajs' own logging is
 * off unless RISKGATE_KAFKA_LOG=error|warn|info|debug; riskgate reports through its own events.
 */
import kafkajs from 'kafkajs';
import type { Kafka as KafkaT } from 'kafkajs';
import { ClearingError } from '../clearing/errors.ts';
import { CodedError } from '../errors.ts';
import { isKafkaError, isRetriable } from './errors.ts';

const { Kafka, logLevel } = kafkajs;
export type KafkaClient = KafkaT;

const LEVELS: Record<string, number> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

export function parseBrokers(brokers: string | string[]): string[] {
  const list = (Array.isArray(brokers) ? brokers : brokers.split(',')).map((b) => b.trim()).filter(Boolean);
  if (list.length === 0) throw new ClearingError('BAD_OPTIONS', '--brokers needs host:port');
  for (const b of list) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) throw new ClearingError('BAD_OPTIONS', `--brokers: '${b}' is not host:port`);
  }
  return list;
}

export function makeKafka(brokers: string | string[], clientId: string): KafkaClient {
  return new Kafka({
    clientId,
    brokers: parseBrokers(brokers),
    logLevel: LEVELS[(process.env.RISKGATE_KAFKA_LOG ?? 'nothing').toLowerCase()] ?? logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
  });
}

export interface WaitOptions {
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
  onRetry?: (info: { attempt: number; delayMs: number; error: string }) => void;
}

/**
 * Waits until the broker answers a metadata request, retrying with exponential backoff
 * (0.5 s doubling to 8 s). Throws ClearingError('BROKER_UNAVAILABLE') with a clear message.
 */
export async function waitForBroker(brokers: string, opts: WaitOptions = {}): Promise<void> {
  // A probe client without retries of its own: the backoff is ours.
  const probe = new Kafka({
    clientId: 'riskgate-probe',
    brokers: parseBrokers(brokers),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 0 },
  });
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const t0 = Date.now();
  let delay = 500;
  for (let attempt = 1; ; attempt++) {
    const admin = probe.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (e) {
      const error = (e as Error).message;
      if (Date.now() - t0 + delay > timeoutMs) {
        throw new ClearingError(
          'BROKER_UNAVAILABLE',
          `no Kafka broker answers at ${brokers} after ${Math.round((Date.now() - t0) / 1000)} s (${error}); ` +
            'start one with `npm run kafka:up` or check --brokers',
          { cause: e },
        );
      }
      opts.onRetry?.({ attempt, delayMs: delay, error });
      await sleep(delay);
      delay = Math.min(delay * 2, 8000);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

/**
 * Runs a start-up step again while the broker gives transient answers (a coordinator that is
 * loading or moving, e.g. right after a broker start), backing off, up to `timeoutMs`. Coded
 * errors and errors that do not come from Kafka end it at once.
 */
export async function retrying<T>(
  what: string,
  f: () => Promise<T>,
  opts: { timeoutMs: number; onRetry?: (info: { attempt: number; error: string; delayMs: number }) => void },
): Promise<T> {
  const t0 = Date.now();
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (e instanceof CodedError) throw e;
      if (!isRetriable(e) && !isKafkaError(e)) throw e;
      if (Date.now() - t0 + delay > opts.timeoutMs) {
        throw new ClearingError('BROKER_UNAVAILABLE', `could not ${what} within ${Math.round(opts.timeoutMs / 1000)} s: ${(e as Error).message}`, { cause: e });
      }
      opts.onRetry?.({ attempt, error: (e as Error).message, delayMs: delay });
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
