/**
 * The Verilog pipeline as an engine backend: the Verilated card (sim/) reached through its
 * driver-like C ABI with koffi. Same shape as the Rust engine (src/engine/types.ts):
 * construct with a config blob, `process(frames, endOfInput)` takes BinaryFILE frames and
 * returns the 32-byte records, plus stats. The frames are packed into MoldUDP64 packets
 * (`messagesPerPacket` blocks each) and streamed into the card's 64-bit AXI-Stream input;
 * client order and venue frames (`{`, `}` of their own length, spec §18) of a merged stream
 * go to the card's order-entry input with their position (§18.7), market data before them
 * in packets of its own (a packet never straddles a frame);
 * the card's cycle-accurate latency stamps and harness counters are available alongside,
 * never inside the records.
 */
import { refuseOrderEntryInFrames } from './order-entry-guard.ts';
import { orderTuser } from './order-split.ts';
import { FrameCursor, FrameKind } from '../itch/framing.ts';
import { RiskgateError } from '../errors.ts';
import type { Engine, EngineStats } from '../engine/types.ts';
import { CONFIG_ERRORS, NSTATS, RECORD_BYTES, SIM_ERRORS, STAMP_BYTES, loadSim, simInfo, type SimLib } from './lib.ts';
import { MoldPacker } from '../itch/moldudp64.ts';
import { CONTROL_MESSAGE, ETHERNET, ETH_DROP_NAMES, ORDER_FRAME, PROBLEM_NAMES, Register, STATS_COUNTERS, STATS_RX, VENUE_FRAME } from '../contract.ts';

/** The card's stats (rg_sim_stats): the counters, problems[1..], by_type[0..255], the front end's counters. */
const PROBLEMS_AT = STATS_COUNTERS.length;
const BY_TYPE_AT = PROBLEMS_AT + PROBLEM_NAMES.length - 1;
const RX_AT = BY_TYPE_AT + 256;

export interface FpgaOptions {
  /** MoldUDP64 message blocks per packet (default 1). */
  messagesPerPacket?: number;
  /** A beat is offered on `num` of every `den` cycles (default 1/1: as fast as accepted). */
  offer?: { num: number; den: number };
  /** m_axis_tready high on `num` of every `den` cycles (default always). */
  ready?: { num: number; den: number };
  /** Seed of the randomised power-up state of the model. */
  seed?: number;
  /** Collect latency stamps (default true). */
  stamps?: boolean;
}

/** One latency stamp of the card (rg_record_fmt side channel). */
export interface LatencyStamp {
  seq: number;
  kind: number;
  /** Cycle the beat holding the message's first byte was first offered. */
  tOffer: bigint;
  /** Cycle the beat holding the message's last byte was accepted. */
  tLast: bigint;
  /** Cycle the record's beat was accepted on the output. */
  tOut: bigint;
}

export interface HwCounters {
  cycles: number;
  beats: number;
  /** Cycles a beat was offered while tready was low. */
  stallCycles: number;
  /** Cycles tready was low (offered or not). */
  treadyLowCycles: number;
  records: number;
  packets: number;
  outputStallCycles: number;
}

export class FpgaEngine implements Engine {
  readonly backend = 'fpga';
  private readonly sim: SimLib;
  private handle: unknown;
  private readonly blob: Buffer;
  private readonly packer: MoldPacker;
  private readonly opts: FpgaOptions;
  private pending: Buffer = Buffer.alloc(0);
  /** Control messages (`~`) since the last message that took a seq: k of the next order frame. */
  private controlsAtPos = 0;
  private stampBuf: Buffer[] = [];
  /** ETH_GROUP / ETH_PORT (spec §17), written again after every reset; undefined: the card's defaults. */
  private ethFilter?: { group: number; port: number; orderPort: number };

  constructor(configBlob: Buffer, opts: FpgaOptions = {}) {
    this.sim = loadSim();
    this.opts = opts;
    this.blob = Buffer.from(configBlob);
    this.packer = new MoldPacker({ messagesPerPacket: opts.messagesPerPacket ?? 1 });
    this.handle = this.sim.open(opts.seed ?? 1, 0);
    if (!this.handle) throw new RiskgateError('ENGINE_FAILED', 'rg_sim_open failed');
    try {
      this.load();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  static info() {
    return simInfo();
  }

  private load(): void {
    const rc = this.sim.config(this.handle, this.blob, this.blob.length);
    if (rc !== 0) {
      const what = rc > 0 ? CONFIG_ERRORS[rc] ?? `hardware error ${rc}` : SIM_ERRORS[rc] ?? `error ${rc}`;
      const err = new RiskgateError('ENGINE_FAILED', `FPGA engine refused the config: ${what}`);
      (err as RiskgateError & { configError?: number }).configError = rc;
      throw err;
    }
    if (this.ethFilter) {
      this.sim.writeReg(this.handle, Register.ETH_GROUP, this.ethFilter.group >>> 0);
      this.sim.writeReg(this.handle, Register.ETH_PORT, this.ethFilter.port);
      this.sim.writeReg(this.handle, Register.ETH_ORDER_PORT, this.ethFilter.orderPort);
    }
    const o = this.opts.offer ?? { num: 1, den: 1 };
    const r = this.opts.ready ?? { num: 1, den: 1 };
    this.sim.setPacing(this.handle, o.num, o.den, r.num, r.den);
  }

  private live(): unknown {
    if (!this.handle) throw new RiskgateError('ENGINE_FAILED', 'the FPGA engine is closed');
    return this.handle;
  }

  process(frames: Buffer, endOfInput = false): Buffer {
    const h = this.live();
    const input = this.pending.length ? Buffer.concat([this.pending, frames]) : frames;
    // the merged stream split as the card takes it (§18.7): market data up to each order or
    // venue frame, then the frame at its position (P = the next message's seq, k)
    let runFrom = 0;
    for (const c = new FrameCursor(input); c.next(); ) {
      if (c.kind === FrameKind.TRUNCATED) break; // a cut-off frame: the packer's (pending, or TRUNCATED at the end)
      if (c.kind !== FrameKind.CONTROL) {
        if (c.takesSeq) this.controlsAtPos = 0;
        continue;
      }
      if (c.type === CONTROL_MESSAGE.typeByte) {
        this.controlsAtPos++;
        continue;
      }
      if (c.type !== ORDER_FRAME.typeByte && c.type !== VENUE_FRAME.typeByte) continue;
      this.pushMarketData(h, input.subarray(runFrom, c.offset), false);
      const body = c.body();
      const rc = this.sim.pushOrder(h, body, body.length, orderTuser({ pos: Number(this.packer.seq), k: this.controlsAtPos }));
      if (rc < 0) throw new RiskgateError('ENGINE_FAILED', `rg_sim_push_order failed (${SIM_ERRORS[rc] ?? rc})`);
      runFrom = c.end;
    }
    const consumed = this.pushMarketData(h, input.subarray(runFrom), endOfInput);
    this.pending = Buffer.from(input.subarray(runFrom + consumed));
    return this.runToRecords(h);
  }

  /** Packs market-data frames into MoldUDP64 packets for the card's input; returns the bytes consumed. */
  private pushMarketData(h: unknown, frames: Buffer, endOfInput: boolean): number {
    const packed = this.packer.pack(frames, endOfInput);
    if (packed.stream.length > 0) {
      const n = this.sim.pushPackets(h, packed.stream, packed.stream.length);
      if (n < 0) throw new RiskgateError('ENGINE_FAILED', `rg_sim_push_packets failed (${n})`);
    }
    return packed.consumed;
  }

  /** Runs the card on what was pushed into it; returns the records it produced. */
  private runToRecords(h: unknown): Buffer {
    const rc = this.sim.run(h, 0);
    if (rc < 0) throw new RiskgateError('ENGINE_FAILED', `FPGA engine: ${SIM_ERRORS[rc] ?? rc}`);
    const nrec = Number(this.sim.recordsPending(h));
    const out = Buffer.alloc(nrec);
    if (nrec > 0) this.sim.pullRecords(h, out, nrec);
    this.collectStamps();
    return out;
  }

  /** The destination group and ports the card's Ethernet front end keeps (spec §17, §18.7). */
  setEthernetFilter(group: number, port: number, orderPort: number = ETHERNET.defaultOrderPort): void {
    this.ethFilter = { group, port, orderPort };
    this.sim.writeReg(this.live(), Register.ETH_GROUP, group >>> 0);
    this.sim.writeReg(this.live(), Register.ETH_PORT, port);
    this.sim.writeReg(this.live(), Register.ETH_ORDER_PORT, orderPort);
  }

  /**
   * Whole Ethernet frames (each prefixed by its u32 LE length) into the card's Ethernet input
   * (hdl/rg_eth_rx.v); returns the records they produce.
   */
  processFrames(stream: Buffer): Buffer {
    const h = this.live();
    refuseOrderEntryInFrames(stream, this.backend, this.ethFilter?.port ?? ETHERNET.defaultPort);
    if (stream.length > 0) {
      const n = this.sim.pushFrames(h, stream, stream.length);
      if (n < 0) throw new RiskgateError('ENGINE_FAILED', `rg_sim_push_frames failed (${SIM_ERRORS[n] ?? n})`);
    }
    return this.runToRecords(h);
  }

  /** The Ethernet front end's counters: frames, accepted, the drops by code, order-entry frames kept (ETH_* registers). */
  ethernetCounters(): number[] {
    const v = [this.readReg(Register.ETH_FRAMES), this.readReg(Register.ETH_ACCEPTED)];
    for (let k = 0; k < ETH_DROP_NAMES.length; k++) v.push(this.readReg(Register.ETH_DROPS + 4 * k));
    v.push(this.readReg(Register.ETH_ORDER_FRAMES));
    return v;
  }

  /**
   * Fault injection for tests: raw AXI-Stream beats on one of the card's inputs, tkeep as given
   * (what a faulty MAC or DMA could offer; spec §15, §17, §18.7), then clocks until idle and
   * returns the records. Whole packets only (the last beat has `last`).
   */
  injectBeats(input: 'mold' | 'eth' | 'order', beats: readonly { data: bigint; keep: number; last: boolean }[]): Buffer {
    const h = this.live();
    const b = Buffer.alloc(10 * beats.length);
    beats.forEach((bt, i) => {
      b.writeBigUInt64LE(BigInt.asUintN(64, bt.data), 10 * i);
      b[10 * i + 8] = bt.keep & 0xff;
      b[10 * i + 9] = bt.last ? 1 : 0;
    });
    const n = this.sim.pushBeats(h, { mold: 0, eth: 1, order: 2 }[input], b, b.length);
    if (n < 0) throw new RiskgateError('ENGINE_FAILED', `rg_sim_push_beats failed (${SIM_ERRORS[n] ?? n})`);
    return this.runToRecords(h);
  }

  /**
   * The card-only tkeep fault counters (spec §15, §17, §18.7): MoldUDP64 packets cut, Ethernet
   * frames and order-entry frames refused for a beat's tkeep. The Rust core has no beats.
   */
  tkeepFaults(): { moldPackets: number; ethFrames: number; orderFrames: number } {
    return {
      moldPackets: this.readReg(Register.RX_TKEEP_ERRORS),
      ethFrames: this.readReg(Register.ETH_TKEEP_ERRORS),
      orderFrames: this.readReg(Register.ORDER_TKEEP_ERRORS),
    };
  }

  private collectStamps(): void {
    const h = this.live();
    const n = Number(this.sim.latencyPending(h));
    if (n === 0) return;
    const b = Buffer.alloc(n);
    this.sim.pullLatency(h, b, n);
    if (this.opts.stamps !== false) this.stampBuf.push(b);
  }

  /** Latency stamps collected since the last call (consumed). */
  takeStamps(): LatencyStamp[] {
    this.collectStamps();
    const all = Buffer.concat(this.stampBuf);
    this.stampBuf = [];
    const out: LatencyStamp[] = [];
    for (let o = 0; o + STAMP_BYTES <= all.length; o += STAMP_BYTES) {
      out.push({
        seq: Number(all.readBigUInt64LE(o) & 0xffffffffffffn),
        kind: all[o + 6],
        tOffer: all.readBigUInt64LE(o + 8),
        tLast: all.readBigUInt64LE(o + 16),
        tOut: all.readBigUInt64LE(o + 24),
      });
    }
    return out;
  }

  /** Raw card statistics (rg_sim_stats order, see sim/riskgate_sim.h). */
  rawStats(): bigint[] {
    const b = Buffer.alloc(8 * NSTATS);
    this.sim.stats(this.live(), b, NSTATS);
    const v: bigint[] = [];
    for (let i = 0; i < NSTATS; i++) v.push(b.readBigUInt64LE(8 * i));
    return v;
  }

  stats(): EngineStats {
    const v = this.rawStats().map(Number);
    const c = (name: (typeof STATS_COUNTERS)[number]) => v[STATS_COUNTERS.indexOf(name)];
    return {
      messages: c('messages'),
      byType: v.slice(BY_TYPE_AT, BY_TYPE_AT + 256),
      problems: [0, ...v.slice(PROBLEMS_AT, BY_TYPE_AT)],
      unknownRef: c('unknown_ref'),
      tableFull: c('table_full'),
      flagged: c('flagged'),
      tob: c('tob'),
      decisions: c('decisions'),
      accepted: c('accepted'),
      rejected: c('rejected'),
      fills: c('fills'),
      controls: c('controls'),
      stashInserts: c('stash_inserts'),
      ghostInserts: c('ghost_inserts'),
      untrackedDrops: c('untracked_drops'),
      collisionClears: c('collision_clears'),
      livePeak: c('live_peak'),
      stashPeak: c('stash_peak'),
      ghostPeak: c('ghost_peak'),
    };
  }

  /** Front-end status: packets, bad packets, gaps, duplicates, count mismatches, next seq. */
  feedStatus() {
    const v = this.rawStats().map(Number);
    const rx = (name: (typeof STATS_RX)[number]) => v[RX_AT + STATS_RX.indexOf(name)];
    return {
      packets: rx('rx_packets'), badPackets: rx('rx_bad_packets'), gaps: rx('rx_gaps'),
      duplicates: rx('rx_duplicates'), countMismatches: rx('rx_count_mismatch'), nextSeq: rx('rx_next_seq'),
    };
  }

  counters(): HwCounters {
    const b = Buffer.alloc(8 * 7);
    this.sim.counters(this.live(), b, 7);
    const v = [0, 1, 2, 3, 4, 5, 6].map((i) => Number(b.readBigUInt64LE(8 * i)));
    return {
      cycles: v[0],
      beats: v[1],
      stallCycles: v[2],
      treadyLowCycles: v[3],
      records: v[4],
      packets: v[5],
      outputStallCycles: v[6],
    };
  }

  clearCounters(): void {
    this.sim.clearCounters(this.live());
  }

  /** The card's free-running cycle counter. */
  cycles(): number {
    return Number(this.sim.cycles(this.live()));
  }

  readReg(addr: number): number {
    const out = [0];
    const rc = this.sim.readReg(this.live(), addr, out);
    if (rc !== 0) throw new RiskgateError('ENGINE_FAILED', `register read 0x${addr.toString(16)} failed (${rc})`);
    return out[0] >>> 0;
  }

  setPacing(offer: { num: number; den: number }, ready: { num: number; den: number } = { num: 1, den: 1 }): void {
    this.sim.setPacing(this.live(), offer.num, offer.den, ready.num, ready.den);
  }

  /** Starts an FST waveform trace into `path`, or stops it (null). */
  trace(path: string | null): void {
    const rc = this.sim.trace(this.live(), path);
    if (rc !== 0) throw new RiskgateError('ENGINE_FAILED', `trace: ${SIM_ERRORS[rc] ?? rc}`);
  }

  reset(): void {
    const h = this.live();
    this.sim.reset(h);
    this.pending = Buffer.alloc(0);
    this.controlsAtPos = 0;
    this.stampBuf = [];
    this.packer.reset();
    this.load();
  }

  close(): void {
    if (this.handle) {
      this.sim.close(this.handle);
      this.handle = undefined;
    }
  }

  static readonly RECORD_BYTES = RECORD_BYTES;
}
