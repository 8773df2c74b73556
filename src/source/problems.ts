/**
 * Input problems found by the control plane or reported by an engine, with the context a
 * user needs to find them: file, byte offset, message type, seq.
 */
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
