/** A `riskgate` server process with `--json` output: wait for its event lines, stop it with SIGINT. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN, ROOT } from '../cli/run-cli.ts';

export interface JsonProcess {
  child: ChildProcess;
  /** The first line whose `event` is `event` (already seen or still to come). */
  next(event: string, timeoutMs?: number): Promise<Record<string, any>>;
  stderr(): string;
  /** SIGINT, then its summary line. */
  stop(): Promise<Record<string, any>>;
  kill(): void;
}

export function startJson(args: string[], nodeArgs: string[] = []): JsonProcess {
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const events: Record<string, any>[] = [];
  const waiters: { event: string; resolve: (e: Record<string, any>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    let e: Record<string, any>;
    try {
      e = JSON.parse(l);
    } catch {
      return; // a multi-line text part (none with --json), ignored
    }
    events.push(e);
    for (const w of waiters.filter((x) => x.event === e.event)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const next = (event: string, timeoutMs = 90_000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const have = events.find((e) => e.event === event);
      if (have) return resolve(have);
      const t = setTimeout(() => reject(new Error(`no ${event} line from riskgate ${args[0]}; stderr: ${err}`)), timeoutMs);
      waiters.push({ event, resolve: (e) => { clearTimeout(t); resolve(e); } });
    });
  return {
    child, next, stderr: () => err,
    stop: () => {
      child.kill('SIGINT');
      return next('summary');
    },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
