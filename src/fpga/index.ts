export { FpgaEngine, type FpgaOptions, type HwCounters, type LatencyStamp } from './engine.ts';
export { MoldPacker, MOLD_HEADER_BYTES, MOLD_MAX_PAYLOAD } from '../itch/moldudp64.ts';
export { simAvailable, simInfo, SIM_LIBRARY, CONFIG_ERRORS } from './lib.ts';
export { hwReport, percentiles, type HwReport, type HwReportOptions, type Percentiles } from './report.ts';
