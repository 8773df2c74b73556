/** Seeded generator of realistic ITCH 5.0 sessions (see src/gen/session.ts). */
export { generateSession, type GenFileOptions } from './write.ts';
export { generateSessionBuffer, SessionGenerator, MAX_GEN_SYMBOLS, type GenOptions } from './session.ts';
export type { GenSummary, GenEvents, GenSymbolSummary } from './summary.ts';
export { Prng } from './prng.ts';
export { setIndex, setIndex1, setIndexBig, SET_BITS, WAYS, type TableCounts } from './refs.ts';
