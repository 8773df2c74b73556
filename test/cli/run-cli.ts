/** Runs the real `riskgate` CLI in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/riskgate.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SAMPLE = fileURLToPath(new URL('../data/nasdaq-itch50-sample-1000.itch', import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function riskgate(args: string[], opts: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function riskgateJson(args: string[]): { status: number; json: any; stderr: string } {
  const r = riskgate([...args, '--json']);
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON object (exit ${r.status}):\n${r.stdout.slice(0, 2000)}\nstderr:\n${r.stderr.slice(0, 2000)}`);
  }
  return { status: r.status, json, stderr: r.stderr };
}
