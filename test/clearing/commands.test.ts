// The Kafka commands without a broker: option errors and "broker down at start" (a clear
// message and retries with backoff, then a coded exit, not a crash loop).
import { describe, it, expect } from 'vitest';
import { createServer } from 'node:net';
import { runClear, clearCommand } from '../../src/commands/clear.ts';
import { settleCommand } from '../../src/commands/settle.ts';
import { loadgenCommand } from '../../src/commands/loadgen.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function capture() {
  const err: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  (process.stderr as { write: unknown }).write = (s: string) => {
    err.push(String(s));
    return true;
  };
  return { err, restore: () => ((process.stderr as { write: unknown }).write = orig) };
}

describe('kafka commands without a broker', () => {
  it('clear: a broker that is down at start is retried with backoff, then exit 8 with a clear message', async () => {
    const port = await freePort();
    const out: string[] = [];
    const c = capture();
    let code: number;
    const t0 = Date.now();
    try {
      code = await runClear({ brokers: `127.0.0.1:${port}`, workers: 1, brokerTimeoutMs: 2500, out: (l) => out.push(l) });
    } finally {
      c.restore();
    }
    expect(code).toBe(8);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    const text = c.err.join('');
    expect(text).toMatch(/broker 127\.0\.0\.1:\d+ unavailable .*retry 1 in 500 ms/);
    expect(text).toMatch(/retry 2 in 1000 ms/);
    expect(text).toMatch(/BROKER_UNAVAILABLE: no Kafka broker answers at 127\.0\.0\.1:\d+ .*npm run kafka:up/);
  }, 30_000);

  it('settle: waits for a broker that is down, saying so on each retry, then exit 8 after --broker-timeout', async () => {
    const port = await freePort();
    const c = capture();
    let code: number;
    const t0 = Date.now();
    try {
      code = await settleCommand(['--brokers', `127.0.0.1:${port}`, '--broker-timeout', '2500']);
    } finally {
      c.restore();
    }
    expect(code).toBe(8);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    const text = c.err.join('');
    expect(text).toMatch(/settle: waiting for the broker at 127\.0\.0\.1:\d+: attempt 1 failed .*next try in 0\.5 s, \d+ s of 3 s \(--broker-timeout\)/);
    expect(text).toMatch(/attempt 2 failed .*next try in 1\.0 s/);
    expect(text).toMatch(/BROKER_UNAVAILABLE: no Kafka broker answers at 127\.0\.0\.1:\d+/);
  }, 30_000);

  it('usage errors exit 2', async () => {
    const c = capture();
    try {
      expect(await clearCommand([])).toBe(2);
      expect(await clearCommand(['--brokers', 'nohostport'])).toBe(2);
      expect(await settleCommand(['--json'])).toBe(2);
      expect(await loadgenCommand(['--brokers', '127.0.0.1:1', '--executions', 'x', '--accounts', '3'])).toBe(2);
      expect(await clearCommand(['--brokers', '127.0.0.1:1', '--workers', '0'])).toBe(2);
    } finally {
      c.restore();
    }
    expect(c.err.join('')).toMatch(/usage: riskgate clear/);
  });
});
