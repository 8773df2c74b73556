/**
 * `riskgate kill` / `limit` refused by the control server end with their own exit status
 * (10 AUTH_REFUSED for 401/403, 11 CONFLICT for 409), not 1 "internal error", and say so in
 * the one error line of every command. A stub server answers as `replay --serve` does.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './helpers/cli.ts';

let server: Server;
let url: string;
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => server.close());

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args, '--url', url], { cwd: ROOT, env: { ...process.env, RISKGATE_TOKEN: 'a-wrong-token-0123456789' } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('refusals of the control server', () => {
  const cases: [number, unknown, number, RegExp][] = [
    [401, { error: 'unauthorized', reason: 'wrong token' }, 10, /^riskgate (kill|limit): AUTH_REFUSED: the server refused the call \(401\): wrong token\n$/],
    [403, { error: 'forbidden', reason: 'foreign origin http://x' }, 10, /^riskgate (kill|limit): AUTH_REFUSED: .*\(403\): foreign origin/],
    [409, { error: 'conflict', reason: 'the replay has ended' }, 11, /^riskgate (kill|limit): CONFLICT: .*\(409\): the replay has ended/],
    [400, { error: 'bad_request', reason: 'maxQty must be a whole number' }, 2, /^riskgate (kill|limit): USAGE: .*\(400\)/],
  ];
  for (const [status, body, exit, line] of cases) {
    it(`HTTP ${status} → exit ${exit}`, async () => {
      answer = { status, body };
      for (const args of [['kill'], ['limit', '--symbol', 'AAPL', 'maxQty', '10']]) {
        const r = await cli(args);
        expect(r.status, r.stderr).toBe(exit);
        expect(r.stderr).toMatch(line);
        expect(r.stdout).toBe('');
      }
    });
  }
});
