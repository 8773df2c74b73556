/**
 * Captured Ethernet frames into an engine (spec §17). The Rust core parses the frames with
 * its front end (native EthernetReceiver) and the card's MoldUDP64 rules in software
 * (mold-receiver.ts) before its engine call, and puts each order-entry frame (spec §18.7:
 * a datagram to the order port) into the engine's stream where it arrived among them; the
 * card takes the frames themselves through the sim's frame input (hdl/rg_eth_rx.v routes
 * the order-entry ones to rg_order_rx); shadow does both and compares records and the
 * front-end counters on every batch (fail closed on a difference).
 */
import { RiskgateError } from '../errors.ts';
import type { Engine } from '../engine/types.ts';
import { RustEngine, loadNative } from '../engine/rust.ts';
import { ShadowEngine, firstDivergence } from '../engine/shadow.ts';
import { FpgaEngine } from '../fpga/engine.ts';
import { ETH_DROP_NAMES } from '../contract.ts';
import type { FrameBatch } from '../source/capture.ts';
import { orderPortOf, type Endpoint } from './frame.ts';
import { MoldReceiver } from './mold-receiver.ts';

/** frames, accepted, drops by code (index code + 1), then order-entry frames kept: the card's ETH_* registers. */
export type EthCounters = number[];

/** Bit 31 of a kept payload's length (native EthernetReceiver.receive): an order-entry frame. */
const ORDER_ENTRY_FLAG = 0x8000_0000;

export interface FrameEngine {
  readonly engine: Engine;
  /** The records of a batch of frames; throws on a gap (a capture must be gap-free). */
  process(batch: FrameBatch, path: string): Buffer;
  counters(): EthCounters;
}

export function counterReport(c: EthCounters): { frames: number; accepted: number; orderFrames: number; dropped: Record<string, number> } {
  const dropped: Record<string, number> = {};
  ETH_DROP_NAMES.forEach((n, i) => (dropped[n] = c[2 + i]));
  return { frames: c[0], accepted: c[1], orderFrames: c[2 + ETH_DROP_NAMES.length], dropped };
}

const where = (path: string, b: FrameBatch) => `${path}: capture records ${b.firstRecord}..${b.lastRecord} (from offset ${b.offset})`;

class RustFrameEngine implements FrameEngine {
  private readonly rx: InstanceType<ReturnType<typeof loadNative>['EthernetReceiver']>;
  private readonly mold = new MoldReceiver();
  constructor(readonly engine: Engine, to: Endpoint) {
    this.rx = new (loadNative().EthernetReceiver)(to.group, to.port, orderPortOf(to));
  }
  process(batch: FrameBatch, path: string): Buffer {
    const payloads = this.rx.receive(batch.stream);
    const out: Buffer[] = [];
    for (let o = 0; o < payloads.length; ) {
      const word = payloads.readUInt32LE(o);
      const n = (word & ~ORDER_ENTRY_FLAG) >>> 0;
      if (word & ORDER_ENTRY_FLAG) {
        // an order-entry frame: into the stream here, after the market data before it (§18.7)
        const framed = Buffer.allocUnsafe(2 + n);
        framed.writeUInt16BE(n, 0);
        payloads.copy(framed, 2, o + 4, o + 4 + n);
        o += 4 + n;
        out.push(this.engine.process(framed, false));
        continue;
      }
      const step = this.mold.receive(payloads.subarray(o + 4, o + 4 + n), () => where(path, batch));
      o += 4 + n;
      if (step.frames.length > 0) out.push(this.engine.process(step.frames, false));
      if (step.truncated) out.push(this.engine.process(step.truncated, true));
    }
    if (batch.final) out.push(this.engine.process(Buffer.alloc(0), true));
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }
  counters(): EthCounters {
    return this.rx.counters();
  }
}

class FpgaFrameEngine implements FrameEngine {
  constructor(readonly engine: FpgaEngine, to: Endpoint) {
    engine.setEthernetFilter(to.group, to.port, orderPortOf(to));
  }
  process(batch: FrameBatch, path: string): Buffer {
    const records = this.engine.processFrames(batch.stream);
    const feed = this.engine.feedStatus();
    if (feed.gaps > 0) {
      throw new RiskgateError(
        'INPUT_UNREADABLE',
        `${where(path, batch)}: gap in the MoldUDP64 sequence seen by the card (next expected seq ${feed.nextSeq}) ` +
          `(a capture must be gap-free to replay, spec §17; recover gaps with riskgate listen)`,
      );
    }
    return records;
  }
  counters(): EthCounters {
    return this.engine.ethernetCounters();
  }
}

class ShadowFrameEngine implements FrameEngine {
  constructor(readonly engine: ShadowEngine, private readonly a: FrameEngine, private readonly b: FrameEngine) {}
  process(batch: FrameBatch, path: string): Buffer {
    if (this.engine.divergence) throw new RiskgateError('FAIL_CLOSED', `shadow mode stopped trading earlier: ${this.engine.divergence}`);
    const ra = this.a.process(batch, path);
    const rb = this.b.process(batch, path);
    const d = firstDivergence(ra, rb, this.engine.symbols);
    const ca = this.a.counters();
    const cb = this.b.counters();
    let why: string | null = null;
    if (d) why = `engines diverged at seq ${d.seq} (record ${d.index} of the batch)\n  rust  : ${d.left}\n  fpga  : ${d.right}`;
    else if (ca.join() !== cb.join()) why = `Ethernet front-end counters differ: rust ${JSON.stringify(counterReport(ca))}, fpga ${JSON.stringify(counterReport(cb))}`;
    if (why) {
      this.engine.divergence = `${why}\n  input : ${where(path, batch)}`;
      throw new RiskgateError('FAIL_CLOSED', `shadow divergence — trading stopped (fail closed): ${this.engine.divergence}`);
    }
    return ra;
  }
  counters(): EthCounters {
    return this.a.counters();
  }
}

/** The frame input of an engine made by createEngine (rust, fpga or shadow). */
export function frameEngine(engine: Engine, to: Endpoint): FrameEngine {
  if (engine instanceof RustEngine) return new RustFrameEngine(engine, to);
  if (engine instanceof FpgaEngine) return new FpgaFrameEngine(engine, to);
  if (engine instanceof ShadowEngine) return new ShadowFrameEngine(engine, frameEngine(engine.primary, to), frameEngine(engine.shadow, to));
  throw new RiskgateError('USAGE', `the ${engine.backend} engine has no Ethernet input`);
}
