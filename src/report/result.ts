/** What a run of the engine over a record stream leaves for its report (file replay and Kafka feed run). */
import type { EngineStats } from '../engine/types.ts';
import type { ProblemLog } from '../source/problems.ts';
import type { PnlBook } from './pnl.ts';

export interface ReplayResult {
  file: string;
  backend: string;
  stats: EngineStats;
  problems: ProblemLog;
  rejectReasons: Record<string, number>;
  /** Client orders (ORDER records, spec §18); absent when the input has none. */
  clientOrders?: ClientOrderCounts;
  recordsSha256: string;
  recordBytes: number;
  pnl: PnlBook;
  wallNs: number;
  engineNs: number;
  batchNs: number[];
  batchMessages: number[];
  firstTs: number;
  lastTs: number;
  /** TOB records, and those with a book flag set. */
  tobRows: number;
  flaggedTobRows: number;
  /** Set when SIGINT/SIGTERM stopped the replay before the end: the first seq not processed. */
  interrupted?: { beforeSeq: number; offset: number };
}

/** What the ORDER records and venue FILLs of a run say (spec §18). */
export interface ClientOrderCounts {
  enter: number;
  replace: number;
  accepted: number;
  rejected: number;
  /** Venue cancels (ORDER records with aux `C`). */
  venueCancels: number;
  /** Venue executions (FILL records with leg ≥ 1). */
  venueExecutions: number;
  /** Client orders carrying each reason bit. */
  reasons: Record<string, number>;
}
