/**
 * Bindings of the simulated card's C ABI (sim/riskgate_sim.h) through koffi. The library
 * is built by `npm run build:sim` into sim/build/libriskgate_sim.so.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import { RiskgateError } from '../errors.ts';

/** RISKGATE_SIM_LIBRARY names another build of the same ABI (the line-coverage model of `npm run cover:hw`). */
export const SIM_LIBRARY = process.env.RISKGATE_SIM_LIBRARY || fileURLToPath(new URL('../../sim/build/libriskgate_sim.so', import.meta.url));

/** Negative error codes of the C ABI; positive config errors come from the hardware. */
export const SIM_ERRORS: Readonly<Record<number, string>> = Object.freeze({
  [-1]: 'bad argument',
  [-2]: 'config blob size does not match its header',
  [-3]: 'no valid config loaded',
  [-4]: 'the model did not finish within its cycle budget',
  [-5]: 'built without FST trace support',
  [-6]: 'trace file could not be opened',
});

/** Hardware config error codes (STATUS[15:8]), records and stats: the contract's. */
export { CONFIG_ERRORS, NSTATS, RECORD_SIZE as RECORD_BYTES } from '../contract.ts';
/** One latency stamp of the simulation harness (sim/riskgate_sim.h; not part of the card's contract). */
export const STAMP_BYTES = 32;

export interface SimInfo {
  max_symbols: number;
  max_accounts: number;
  window_ticks: number;
  set_bits: number;
  ways: number;
  record_bytes: number;
  latency_bytes: number;
  has_fst: number;
}

export interface SimLib {
  open(seed: number, flags: number): unknown;
  close(h: unknown): void;
  info(out: SimInfo): void;
  reset(h: unknown): number;
  config(h: unknown, blob: Buffer, len: number): number;
  setPacing(h: unknown, offerNum: number, offerDen: number, readyNum: number, readyDen: number): void;
  pushPacket(h: unknown, pkt: Buffer, len: number): number;
  pushOrder(h: unknown, frame: Buffer, len: number, tuser: bigint): number;
  pushPackets(h: unknown, buf: Buffer, len: number): number;
  pushFrames(h: unknown, buf: Buffer, len: number): number;
  pushBeats(h: unknown, input: number, buf: Buffer, len: number): number;
  run(h: unknown, maxCycles: number): number;
  step(h: unknown, n: number): void;
  recordsPending(h: unknown): number;
  pullRecords(h: unknown, out: Buffer, cap: number): number;
  latencyPending(h: unknown): number;
  pullLatency(h: unknown, out: Buffer, cap: number): number;
  readReg(h: unknown, addr: number, out: number[]): number;
  writeReg(h: unknown, addr: number, value: number): number;
  cycles(h: unknown): number;
  stats(h: unknown, out: Buffer, n: number): number;
  counters(h: unknown, out: Buffer, n: number): number;
  clearCounters(h: unknown): void;
  trace(h: unknown, path: string | null): number;
}

let cached: SimLib | undefined;

export function simAvailable(): boolean {
  return existsSync(SIM_LIBRARY);
}

export function loadSim(): SimLib {
  if (cached) return cached;
  if (`${process.platform}-${process.arch}` !== 'linux-x64') {
    // The package ships the model built for linux-x64 (glibc); koffi would fail cryptically here.
    throw new RiskgateError(
      'ENGINE_FAILED',
      `the Verilator model of the hardware pipeline (${SIM_LIBRARY}) is built for linux-x64, and this machine is ${process.platform}-${process.arch}: ` +
        'build it from a checkout of riskgate (npm run build:sim, needs verilator), or use --backend rust',
    );
  }
  if (!simAvailable()) {
    throw new RiskgateError(
      'ENGINE_FAILED',
      `the hardware simulation is not built: ${SIM_LIBRARY} is missing (run: npm run build:sim; it needs verilator)`,
    );
  }
  const lib = koffi.load(SIM_LIBRARY);
  koffi.opaque('rg_sim');
  koffi.struct('rg_sim_info_t', {
    max_symbols: 'uint32_t',
    max_accounts: 'uint32_t',
    window_ticks: 'uint32_t',
    set_bits: 'uint32_t',
    ways: 'uint32_t',
    record_bytes: 'uint32_t',
    latency_bytes: 'uint32_t',
    has_fst: 'uint32_t',
  });
  const f = (proto: string) => lib.func(proto) as (...args: any[]) => any;
  cached = {
    open: f('rg_sim *rg_sim_open(uint64_t seed, uint32_t flags)'),
    close: f('void rg_sim_close(rg_sim *s)'),
    info: f('void rg_sim_info(_Out_ rg_sim_info_t *out)'),
    reset: f('int64_t rg_sim_reset(rg_sim *s)'),
    config: f('int rg_sim_config(rg_sim *s, const uint8_t *blob, uint32_t len)'),
    setPacing: f('void rg_sim_set_pacing(rg_sim *s, uint32_t on, uint32_t od, uint32_t rn, uint32_t rd)'),
    pushPacket: f('int rg_sim_push_packet(rg_sim *s, const uint8_t *pkt, uint32_t len)'),
    pushOrder: f('int rg_sim_push_order(rg_sim *s, const uint8_t *frame, uint32_t len, uint64_t tuser)'),
    pushPackets: f('int64_t rg_sim_push_packets(rg_sim *s, const uint8_t *buf, uint64_t len)'),
    pushFrames: f('int64_t rg_sim_push_frames(rg_sim *s, const uint8_t *buf, uint64_t len)'),
    pushBeats: f('int64_t rg_sim_push_beats(rg_sim *s, uint32_t input, const uint8_t *buf, uint64_t len)'),
    run: f('int64_t rg_sim_run(rg_sim *s, uint64_t max_cycles)'),
    step: f('void rg_sim_step(rg_sim *s, uint64_t n)'),
    recordsPending: f('uint64_t rg_sim_records_pending(rg_sim *s)'),
    pullRecords: f('uint64_t rg_sim_pull_records(rg_sim *s, _Out_ uint8_t *out, uint64_t cap)'),
    latencyPending: f('uint64_t rg_sim_latency_pending(rg_sim *s)'),
    pullLatency: f('uint64_t rg_sim_pull_latency(rg_sim *s, _Out_ uint8_t *out, uint64_t cap)'),
    readReg: f('int rg_sim_read_reg(rg_sim *s, uint32_t addr, _Out_ uint32_t *value)'),
    writeReg: f('int rg_sim_write_reg(rg_sim *s, uint32_t addr, uint32_t value)'),
    cycles: f('uint64_t rg_sim_cycles(rg_sim *s)'),
    stats: f('int rg_sim_stats(rg_sim *s, _Out_ uint8_t *out, uint32_t n)'),
    counters: f('int rg_sim_counters(rg_sim *s, _Out_ uint8_t *out, uint32_t n)'),
    clearCounters: f('void rg_sim_clear_counters(rg_sim *s)'),
    trace: f('int rg_sim_trace(rg_sim *s, const char *path)'),
  };
  return cached;
}

export function simInfo(): SimInfo {
  const out = {} as SimInfo;
  loadSim().info(out);
  return out;
}
