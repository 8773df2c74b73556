/**
 * Input problems found by the control plane or reported by an engine, with the context a
 * user needs to find them: file, byte offset, message type, seq.
 */
import { Problem } from '../contract.ts';
import { CONTROL_OP_NAMES, typeName } from '../itch/layout.ts';
import { problemName } from '../records/decode.ts';

export type Severity = 'error' | 'warning';

export interface InputProblem {
  severity: Severity;
  kind: string;
  file: string;
  offset: number;
  seq?: number;
  type?: string;
  message: string;
}

/** Counts problems by kind and keeps the first few of each kind in full. */
export class ProblemLog {
  readonly counts = new Map<string, { severity: Severity; count: number; first: InputProblem }>();
  readonly samples: InputProblem[] = [];
  constructor(private readonly maxSamples = 20) {}

  add(p: InputProblem): void {
    const c = this.counts.get(p.kind);
    if (c) c.count++;
    else this.counts.set(p.kind, { severity: p.severity, count: 1, first: p });
    if (this.samples.length < this.maxSamples) this.samples.push(p);
  }

  total(severity: Severity): number {
    let n = 0;
    for (const c of this.counts.values()) if (c.severity === severity) n += c.count;
    return n;
  }

  /** `{ kind: { count, firstOffset, firstSeq, message } }` for one severity, for JSON reports. */
  summary(severity: Severity): Record<string, { count: number; firstOffset: number; firstSeq?: number; message: string }> {
    const out: Record<string, { count: number; firstOffset: number; firstSeq?: number; message: string }> = {};
    for (const [kind, c] of this.counts) {
      if (c.severity !== severity) continue;
      out[kind] = { count: c.count, firstOffset: c.first.offset, firstSeq: c.first.seq, message: c.first.message };
    }
    return out;
  }
}

/** A frame problem (spec §11 PROBLEM codes) as the control plane reports it. */
export interface FrameProblem {
  code: number;
  seq: number;
  /** Byte offset of the frame's length prefix in the stream (or a Kafka offset). */
  offset: number;
  /** The frame's type byte (0 when it has none). */
  type: number;
  /** Declared frame length. */
  length: number;
  /** Length spec §3.1 gives the type, 0 if unknown. */
  expected: number;
  /** A refused control message (BAD_CONTROL, FOREIGN_CONTROL): its op and target. */
  op?: number;
  target?: number;
}

/** ` GLOBAL_KILL target 65535`: the op (by name when known) and target of a refused control message. */
function controlName(p: FrameProblem): string {
  if (p.op === undefined) return '';
  return ` ${CONTROL_OP_NAMES[p.op] || `op ${p.op}`} target ${p.target ?? 0}`;
}

/**
 * The error a frame problem is reported as — the same words whether the engine found it (a
 * PROBLEM record in `replay` and `run`) or the control plane did (`inspect`).
 */
export function frameProblem(source: string, p: FrameProblem): InputProblem {
  const t = typeName(p.type);
  const detail =
    p.code === Problem.BAD_LENGTH ? `type ${t} has length ${p.length}, expected ${p.expected}`
    : p.code === Problem.UNKNOWN_TYPE ? `unknown message type ${t} (length ${p.length}) skipped`
    : p.code === Problem.TRUNCATED
      ? p.length === 0 && p.type === 0 ? 'a stray byte (half a length prefix) ends the input'
      : `last message (type ${t}) declares ${p.length} bytes but the input ends first`
    : p.code === Problem.BAD_CONTROL ? `control message${controlName(p)} refused (wrong seq, op, target or value) before seq ${p.seq}`
    : p.code === Problem.FOREIGN_CONTROL
      ? `control message${controlName(p)} made for another config (its fingerprint differs) refused before seq ${p.seq}; the global kill switch is engaged`
    : `problem code ${p.code}`;
  return { severity: 'error', kind: problemName(p.code), file: source, offset: p.offset, seq: p.seq, type: t, message: `${source}: offset ${p.offset}, seq ${p.seq}: ${detail}` };
}
