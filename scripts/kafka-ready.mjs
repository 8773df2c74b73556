// Readiness probe used by scripts/kafka.sh when kcat is not installed:
// exits 0 when the broker at argv[2] (host:port) answers a metadata request.
import kafkajs from 'kafkajs';
const { Kafka, logLevel } = kafkajs;
const broker = process.argv[2] ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'riskgate-ready', brokers: [broker], logLevel: logLevel.NOTHING,
  connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 0 } });
const admin = kafka.admin();
try {
  await admin.connect();
  const c = await admin.describeCluster();
  await admin.disconnect();
  process.exit(c.brokers.length > 0 ? 0 : 1);
} catch {
  process.exit(1);
}
