// Shared helpers for the Kafka test suite (test/kafka/). The suite expects a broker started by
// `npm run kafka:up` (CI's .ci/run does this); it fails loudly, never skips, when none answers.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';

const { Kafka, logLevel } = kafkajs;

export const BROKER = process.env.RISKGATE_KAFKA_BROKERS ?? '127.0.0.1:9092';

export function testKafka(clientId: string): InstanceType<typeof Kafka> {
  return new Kafka({
    clientId,
    brokers: BROKER.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 5, initialRetryTime: 200 },
  });
}

/** Throws a clear error when no broker answers at BROKER. */
export async function requireBroker(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'riskgate-test-probe',
    brokers: BROKER.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 2, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (e) {
    throw new Error(
      `No Kafka broker answers at ${BROKER}: the Kafka tests need one. ` +
        `Start it with \`npm run kafka:up\` (scripts/kafka.sh up). Cause: ${(e as Error).message}`,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${Math.floor(Math.random() * 1e6).toString(36)}`;
}

const KAFKA_SH = fileURLToPath(new URL('../../scripts/kafka.sh', import.meta.url));

/**
 * A broker of a test file's own on `port` (controller on port + 1), so that restarts and
 * SIGKILLs never disturb other files: `kafkaSh('up' | 'reset' | 'restart' | …)` drives it.
 */
export function ownBroker(port: number, host = '127.0.0.1', launcher: string[] = []) {
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), KAFKA_HOST: host };
  // launcher: a command prefix such as `ip netns exec NS` (test/kafka/netns.ts) to start the broker elsewhere.
  const kafkaSh = (cmd: string): void => {
    const argv = [...launcher, 'bash', KAFKA_SH, cmd];
    execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env });
  };
  return { BROKER: `${host}:${port}`, KAFKA_ENV: env, kafkaSh };
}

/** Starts the file's broker on a fresh cluster before its tests and wipes it after them. */
export function freshClusterPerFile(kafkaSh: (cmd: string) => void, cleanup?: () => void): void {
  beforeAll(() => {
    kafkaSh('reset'); // a fresh cluster: no state left from an earlier run
    kafkaSh('up');
  }, 300_000);
  afterAll(() => {
    kafkaSh('reset');
    cleanup?.();
  }, 120_000);
}
