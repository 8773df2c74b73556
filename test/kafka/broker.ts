// Shared helpers for the Kafka test suite (test/kafka/). The suite expects a broker started by
// `npm run kafka:up` (CI's .ci/run does this); it fails loudly, never skips, when none answers.
import kafkajs from 'kafkajs';

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
