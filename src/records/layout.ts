/**
 * Record layout of spec §11 (32-byte little-endian records): the generated contract
 * (src/contract.ts) re-exported for the control plane, plus name lookups by bit.
 */
export {
  FLAG_NAMES, Flag, KIND_NAMES, NO_SYMBOL, PROBLEM_NAMES, Problem, REASONS, REASON_NAMES, RECORD_SIZE, RECORD_VERSION,
  Reason, RecordField, RecordHeader, RecordKind,
  type FlagName, type KindName, type ProblemName, type ReasonName,
} from '../contract.ts';

/** Names of the bits set in `mask`, `names` being in bit order. */
export function bitNames<T extends string>(mask: number, names: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < names.length; i++) if (mask & (1 << i)) out.push(names[i]);
  return out;
}
