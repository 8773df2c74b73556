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
