/** The real-day profile of the session generator (`riskgate gen --profile day`): see docs/generator.md. */
export { DayGenerator, MIN_MESSAGES_PER_SYMBOL, type DayOptions } from './generator.ts';
export { generateDay, generateDayBuffer, DAY_GZIP_LEVEL, type DayFileOptions } from './write.ts';
export { buildDayConfig } from './config.ts';
export { buildDayUniverse, topShare, type DayUniverse } from './universe.ts';
export { DEFAULT_SYMBOLS as DAY_DEFAULT_SYMBOLS, MIN_SYMBOLS as DAY_MIN_SYMBOLS, MAX_SYMBOLS as DAY_MAX_SYMBOLS, SUBSCRIBED as DAY_SUBSCRIBED, TIMES as DAY_TIMES, LIFETIMES } from './params.ts';
export type { DaySummary, DaySymbolPeak } from './summary.ts';
