// Embedded clearing (worker threads, no broker) gives the same result as one Ledger, whatever
// the number of threads, and de-duplicates re-sent executions.
import { describe, it, expect } from 'vitest';
import { clearInProcess } from '../../src/clearing/embedded.ts';
import { parseFeeSchedule } from '../../src/clearing/fees.ts';
import { Ledger, positionToJson } from '../../src/clearing/ledger.ts';
import { generateExecutions } from '../../src/kafka/loadgen.ts';

const fees = parseFeeSchedule({ perShare: '0.0030', minPerExecution: '0.35' });

describe('embedded clearing', () => {
  it('matches a single ledger for 1 and 3 threads', async () => {
    const execs = [...generateExecutions({ executions: 20_000, accounts: 50, skew: 1.2, seed: 3, session: 5, firstAccountId: 1001 })];
    const withResends = [...execs, execs[10], execs[500]];
    const ref = new Ledger(fees);
    for (const e of execs) ref.apply(e);
    const refPositions = ref.allAccounts().flatMap((a) => [...a.positions.values()].sort((x, y) => (x.symbol < y.symbol ? -1 : 1)).map(positionToJson));
    for (const threads of [1, 3]) {
      const r = await clearInProcess(withResends, { fees, threads });
      expect(r.entries).toHaveLength(20_000);
      expect(r.duplicates).toBe(2);
      expect(r.positions).toEqual(refPositions);
      expect(r.entries.map((e) => e.seq)).toEqual(execs.map((e) => e.seq));
    }
  }, 60_000);
});
