/** Runs `riskgate replay --serve …` as a child process and talks to its server. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/riskgate.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TOKEN = 'ops-test-token-4f1d2a9b7c';

export interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process exits. */
  exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first complete stdout line (the --json report). */
  report: Promise<any>;
}

export function serve(args: string[], env: Record<string, string | undefined> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'replay', ...args], { cwd: ROOT, env: { ...process.env, RISKGATE_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onLine: ((l: string) => void) | undefined;
  const report = new Promise<any>((resolve, reject) => {
    onLine = (l) => {
      try {
        resolve(JSON.parse(l));
      } catch (e) {
        reject(new Error(`stdout is not JSON: ${l.slice(0, 500)}`));
      }
    };
  });
  report.catch(() => {});
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    const i = out.indexOf('\n');
    if (i >= 0 && onLine) {
      const f = onLine;
      onLine = undefined;
      f(out.slice(0, i));
    }
  });
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (status, signal) => r({ status, signal })));
  return new Promise((resolve, reject) => {
    // A guard against a child that never serves, not a speed check: at load ~21 on 2 cores a
    // plain start takes ~9.5 s to serving (node, tsx, the command), the FPGA backend more.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 90_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /riskgate: serving (http:\/\/[^/\s]+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stdout: () => out, stderr: () => err, exited, report });
      }
    });
    exited.then(({ status }) => {
      clearTimeout(timer);
      reject(new Error(`riskgate exited (${status}) before serving:\n${err}`));
    });
  });
}

/** GET with the API token (every read but the dashboard's files needs it). */
export function authGet(url: string, token = TOKEN): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${token}` } });
}

export async function getJson(url: string): Promise<any> {
  const r = await authGet(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

/** Polls `/api/state` until `pred` holds. */
export async function waitState(base: string, pred: (s: any) => boolean, timeoutMs = 20_000): Promise<any> {
  const t0 = Date.now();
  for (;;) {
    const s = await getJson(`${base}/api/state`);
    if (pred(s)) return s;
    if (Date.now() - t0 > timeoutMs) throw new Error(`state never matched; last: ${JSON.stringify(s.counters)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json().catch(() => ({})) };
}

/** A plain CLI run (no server); returns the --json report. */
export function replayJson(args: string[], env: Record<string, string | undefined> = {}): { status: number; json: any; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'replay', ...args, '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON object (exit ${r.status}):\n${r.stdout.slice(0, 1000)}\nstderr:\n${r.stderr.slice(0, 3000)}`);
  }
  return { status: r.status ?? -1, json, stderr: r.stderr };
}

export function riskgate(args: string[], env: Record<string, string | undefined> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses the Prometheus text format into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}
