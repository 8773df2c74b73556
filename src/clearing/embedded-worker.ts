/**
 * Worker thread of the embedded (in-process) clearing: one FastLedger (the Ledger's rules and
 * results, src/clearing/fast-ledger.ts) over the accounts sharded to it. Receives batches of
 * 48-byte EXECUTION records; on 'finish' returns its counts, account states and, when asked
 * for, its settlement entries.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FastLedger } from './fast-ledger.ts';
import { parseFeeSchedule, type FeeScheduleJson } from './fees.ts';

const { fees, entries } = workerData as { fees: FeeScheduleJson; entries?: boolean };
const ledger = new FastLedger(parseFeeSchedule(fees), { entries: entries ?? true });

parentPort!.on('message', (msg: { type: 'batch'; records: Uint8Array } | { type: 'finish' }) => {
  if (msg.type === 'batch') {
    ledger.applyRecords(Buffer.from(msg.records.buffer, msg.records.byteOffset, msg.records.byteLength));
  } else {
    parentPort!.postMessage({ entries: ledger.entries, cleared: ledger.cleared, accounts: ledger.allAccounts(), duplicates: ledger.duplicates, malformed: ledger.malformed });
  }
});
