/** What a generated session contains: returned by `generateSession` and printed by `riskgate gen`. */
import type { TableCounts } from './refs.ts';

export interface GenSymbolSummary {
  name: string;
  locate: number;
  /** Index in the config's symbol list, or -1 when the config does not subscribe it. */
  configIndex: number;
  /** Opening price in dollars. */
  startPrice: number;
  /** Order-flow messages (A F E C X D U P) that named this symbol's orders. */
  messages: number;
}

export interface GenEvents {
  /** Stub quotes ($0.01 bids, $199,999.99 asks). */
  stubQuotes: number;
  /** Sub-penny (off-tick) orders, by side. */
  offTickBid: number;
  offTickAsk: number;
  /**
   * Engineered order-table collisions (spec §5): episodes, the orders they put in the ghost
   * list, and the orders dropped untracked (the one episode, with control messages, that only
   * CLEAR_COLLISION ends).
   */
  collisions: number;
  ghostOrders: number;
  untrackedOrders: number;
  /** Messages that deliberately reference an order that does not exist. */
  unknownRefs: number;
  /** Trade prints away from the touch (move the collar reference). */
  awayPrints: number;
  /** Quote-flicker bursts (strategy triggers ≥ cooldown apart inside one throttle window). */
  flickers: number;
  /** Stuck quotes: the same order appears and is pulled again a few times (the strategy repeats itself). */
  repeats: number;
  /** Trading-action halts/pauses of single symbols, and market-wide circuit breakers. */
  halts: number;
  circuitBreakers: number;
  /** Sweeps: executions against more than one resting order. */
  sweeps: number;
  /** Large block orders (≥ 5,000 shares). */
  blocks: number;
}

export interface GenSummary {
  seed: number;
  /** Output path, when written to a file. */
  out?: string;
  gzip: boolean;
  /** Framed ITCH messages (= the last seq); control messages are not counted here. */
  messages: number;
  /** Control messages (type `~`), by op name. */
  controls: number;
  controlsByOp: Record<string, number>;
  /** Messages by type character. */
  byType: Record<string, number>;
  /** Uncompressed BinaryFILE bytes, end marker included, and their SHA-256. */
  bytes: number;
  sha256: string;
  /** Bytes written to `out` (compressed size for .gz). */
  fileBytes?: number;
  firstTs: number;
  lastTs: number;
  symbols: GenSymbolSummary[];
  /** Directory-only names (R without flow). */
  fillers: string[];
  events: GenEvents;
  /**
   * Where the engine's order table (spec §5) put the subscribed orders, as the engine counts
   * it: stash, ghost and untracked inserts, COLLISION episodes and self-clears, peaks, and
   * the ordinary (not crafted) orders that did not land in bank 0.
   */
  orderTable: TableCounts;
  /** Share of order-flow messages on symbols the config does not subscribe. */
  unsubscribedShare: number;
  elapsedMs: number;
}
