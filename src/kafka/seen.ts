/**
 * The execution ids a clearing worker has cleared on one partition (docs/spec.md §14.3): the
 * de-duplication set. An execution is a duplicate only if its own id `(session, seq, leg)` is
 * in the set — never because a higher id was cleared before it — so a forged execution with a
 * huge seq cannot hide real ones.
 *
 * Persistence: none of its own. The set is rebuilt from partition p of `P.settlements` (every
 * cleared execution has exactly one settlement entry there, committed in the transaction that
 * cleared it), so it survives restarts and is as old as that topic's retention.
 *
 * Memory: ids are held per session as numbers `seq × 256 + leg` when that is an exact double
 * (seq < 2^45), else as text; about 30 bytes an id. `limit` bounds the ids per partition: an
 * execution that would go over it is not cleared but dead-lettered (`DEDUP_FULL`), so settle
 * reports it lost — never cleared twice, never dropped unreported.
 */
import type { Execution } from '../clearing/execution.ts';

/** Default bound of ids per partition: ~300 MB at most for one partition. */
export const DEFAULT_SEEN_LIMIT = 10_000_000;
const EXACT = 2 ** 45;

export class SeenIds {
  private readonly bySession = new Map<number, Set<number>>();
  private readonly wide = new Set<string>();
  private n = 0;

  constructor(readonly limit = DEFAULT_SEEN_LIMIT) {}

  get size(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n >= this.limit;
  }

  has(e: Pick<Execution, 'session' | 'seq' | 'leg'>): boolean {
    if (e.seq < EXACT) return this.bySession.get(e.session)?.has(e.seq * 256 + e.leg) ?? false;
    return this.wide.has(`${e.session}:${e.seq}:${e.leg}`);
  }

  /** Adds the id; false when it was there already. */
  add(e: Pick<Execution, 'session' | 'seq' | 'leg'>): boolean {
    if (e.seq < EXACT) {
      let s = this.bySession.get(e.session);
      if (!s) this.bySession.set(e.session, (s = new Set()));
      const k = e.seq * 256 + e.leg;
      if (s.has(k)) return false;
      s.add(k);
    } else {
      const k = `${e.session}:${e.seq}:${e.leg}`;
      if (this.wide.has(k)) return false;
      this.wide.add(k);
    }
    this.n++;
    return true;
  }

  delete(e: Pick<Execution, 'session' | 'seq' | 'leg'>): void {
    const gone = e.seq < EXACT ? (this.bySession.get(e.session)?.delete(e.seq * 256 + e.leg) ?? false) : this.wide.delete(`${e.session}:${e.seq}:${e.leg}`);
    if (gone) this.n--;
  }

  /** Adds an id written `session:seq:leg` (a settlement entry's execId); false when it is not one. */
  addText(execId: string): boolean {
    const m = /^(\d{1,10}):(\d{1,15}):(\d{1,3})$/.exec(execId);
    if (!m) return false;
    const session = Number(m[1]);
    const seq = Number(m[2]);
    const leg = Number(m[3]);
    if (session > 0xffffffff || seq < 1 || seq >= 2 ** 48 || leg > 255) return false;
    this.add({ session, seq, leg });
    return true;
  }

  clear(): void {
    this.bySession.clear();
    this.wide.clear();
    this.n = 0;
  }
}

const PREFIX = Buffer.from('{"execId":"');

/**
 * The execId of a settlement entry value, read without parsing the whole JSON when it starts
 * as the workers write it; null for anything that is not a settlement entry.
 */
export function settlementExecId(value: Buffer | null): string | null {
  if (!value) return null;
  if (value.subarray(0, PREFIX.length).equals(PREFIX)) {
    const end = value.indexOf(0x22, PREFIX.length);
    if (end > 0) return value.toString('latin1', PREFIX.length, end);
  }
  try {
    const j = JSON.parse(value.toString('utf8')) as { execId?: unknown };
    return typeof j?.execId === 'string' ? j.execId : null;
  } catch {
    return null;
  }
}
