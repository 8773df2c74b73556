/**
 * Fault injection for failover tests: wraps any engine and, at a chosen seq, makes it fail
 * (`fault`) or stop answering (`hang`: the call blocks for `hangMs` — the failover watchdog
 * timeout — as a stuck driver call would until its watchdog fires) in the middle of whatever batch holds that seq. The records
 * of the messages before it are delivered with the fault (EngineFault.partial). Afterwards the
 * engine is dead: every call throws.
 *
 * CLI: `--inject-fault <who>@<seq>` and `--inject-hang <who>@<seq>`, who = a backend name
 * (the primary's first, then the standby's), `primary` or `standby`.
 */
import { RiskgateError } from '../errors.ts';
import type { Engine, EngineStats } from '../engine/types.ts';
import { offsetBeforeSeq } from '../control/frames.ts';
import { countSeqFrames } from '../itch/framing.ts';
import { EngineFault, type FaultKind } from './fault.ts';

export interface Injection {
  kind: FaultKind;
  /** Backend name, "primary" or "standby". */
  who: string;
  seq: number;
}

export function parseInjection(kind: FaultKind, s: string): Injection {
  const m = /^([A-Za-z][\w-]*)@(\d+)$/.exec(s.trim());
  const seq = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(seq) || seq < 1) {
    throw new RiskgateError('USAGE', `--inject-${kind} expects <backend>@<seq> (e.g. fpga@5000, primary@5000), got ${JSON.stringify(s)}`);
  }
  return { kind, who: m[1], seq };
}

function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const EMPTY = Buffer.alloc(0);

export class FaultInjectingEngine implements Engine {
  private nextSeq = 1;
  private dead: EngineFault | null = null;

  constructor(
    readonly inner: Engine,
    readonly injection: Injection,
    /** How long a hang blocks the call (should exceed the failover watchdog). */
    readonly hangMs = 250,
  ) {}

  get backend(): string {
    return this.inner.backend;
  }
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  process(frames: Buffer, endOfInput = false): Buffer {
    if (this.dead) throw new EngineFault(`${this.backend} is down since seq ${this.dead.atSeq}`, { kind: 'fault', atSeq: this.nextSeq, cause: this.dead });
    const first = this.nextSeq;
    const messages = countSeqFrames(frames);
    const at = this.injection.seq;
    if (at < first || at >= first + messages) {
      const out = this.inner.process(frames, endOfInput);
      this.nextSeq += messages;
      return out;
    }
    const cut = offsetBeforeSeq(frames, first, at);
    const partial = cut > 0 ? this.inner.process(frames.subarray(0, cut), false) : EMPTY;
    this.nextSeq = at;
    const { kind } = this.injection;
    if (kind === 'hang') sleepSync(this.hangMs);
    this.dead = new EngineFault(`injected ${kind} in ${this.backend} at seq ${at}`, { kind, partial, atSeq: at });
    throw this.dead;
  }

  stats(): EngineStats {
    return this.inner.stats();
  }
  reset(): void {
    this.inner.reset();
    this.nextSeq = 1;
    this.dead = null;
  }
  close(): void {
    this.inner.close();
  }
}
