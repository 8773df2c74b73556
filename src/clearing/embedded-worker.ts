/**
 * Worker thread of the embedded (in-process) clearing: one Ledger over the accounts sharded
 * to it. Receives batches of 48-byte EXECUTION records; on 'finish' returns its settlement
 * entries and account states.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EXECUTION_SIZE, decodeExecution } from './execution.ts';
import { parseFeeSchedule, type FeeScheduleJson } from './fees.ts';
import { Ledger, accountToJson, type SettlementEntry } from './ledger.ts';

const { fees } = workerData as { fees: FeeScheduleJson };
const ledger = new Ledger(parseFeeSchedule(fees));
const entries: SettlementEntry[] = [];
let duplicates = 0;
let malformed = 0;

parentPort!.on('message', (msg: { type: 'batch'; records: Uint8Array } | { type: 'finish' }) => {
  if (msg.type === 'batch') {
    const b = Buffer.from(msg.records.buffer, msg.records.byteOffset, msg.records.byteLength);
    for (let off = 0; off + EXECUTION_SIZE <= b.length; off += EXECUTION_SIZE) {
      let e;
      try {
        e = decodeExecution(b.subarray(off, off + EXECUTION_SIZE));
      } catch {
        malformed++;
        continue;
      }
      const r = ledger.apply(e);
      if (r.kind === 'cleared') entries.push(r.entry);
      else duplicates++;
    }
  } else {
    parentPort!.postMessage({ entries, accounts: ledger.allAccounts().map(accountToJson), duplicates, malformed });
  }
});
