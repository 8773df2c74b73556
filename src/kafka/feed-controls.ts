/**
 * The control messages `riskgate run` puts in band itself (docs/spec.md §14.5–14.6): the kill
 * switch on a gap, a stale feed, or an operator release after a gap (the switch stays latched
 * for the rest of the session), and the operator's runtime changes (`run --serve`). Those that
 * depend on wall time (stale kills, operator changes) are journalled with the feed offset they
 * preceded, in the transaction of their records, and a rebuild replays them at the same place.
 */
import { countSeqFrames, FrameCursor, FrameKind } from '../itch/framing.ts';
import { decodeControl } from '../itch/decode.ts';
import { ControlOp } from '../itch/layout.ts';
import { globalKillFrame } from '../feed/frames.ts';
import { RiskgateError } from '../errors.ts';
import type { ControlQueue } from '../control/queue.ts';
import type { LiveState } from '../server/live.ts';
import type { FeedEngine } from './feed-engine.ts';
import { injectRecord, journalMessage, type JournalInject } from './feed-journal.ts';
import type { FeedNames } from './feed-topics.ts';
import type { FeedTransactions } from './feed-tx.ts';

export type InjectReason = 'gap' | 'gap-latch' | 'stale';

/** An operator control handed to the engine, live or replayed from the journal. */
export interface OperatorControl {
  op: number;
  target: number;
  value: string;
  seq: number;
  offset: number;
  replayed: boolean;
}

export interface FeedControlsOptions {
  names: FeedNames;
  engine: FeedEngine;
  tx: FeedTransactions;
  /** `run --serve`: the operator's queue and the live state. */
  controls?: { queue: ControlQueue; live: LiveState };
  emit: (event: string, data?: Record<string, unknown>) => void;
  /** The engine config's fingerprint (spec §10), carried by every kill switch put in band. */
  fingerprint: bigint;
}

export class FeedControls {
  /** Kill switches put in band, live or replayed. */
  readonly injected: { reason: string; seq: number; offset: number; replayed: boolean }[] = [];
  readonly operatorControls: OperatorControl[] = [];
  /** After a gap the kill switch stays engaged for the rest of the session. */
  gapLatched = false;

  constructor(private readonly o: FeedControlsOptions) {}

  /**
   * Engages the global kill switch before message `seq`. Gap kills are decided again on a
   * rebuild (the feed and the journalled stale kills make them deterministic); stale kills
   * depend on wall time, so they are journalled and a rebuild replays them.
   */
  inject(seq: number, reason: InjectReason, offset: number): void {
    const { engine, tx, names, emit } = this.o;
    const f = globalKillFrame(seq, this.o.fingerprint);
    engine.call(f, false, 0, offset, false);
    if (!engine.globalKill) throw new RiskgateError('FAIL_CLOSED', `the engine refused the kill switch for seq ${seq}`);
    this.mirror(f);
    if (reason === 'stale') tx.journal.push(journalMessage(names, injectRecord(offset, seq, reason, f)));
    this.injected.push({ reason, seq, offset, replayed: !engine.live });
    if (engine.live) emit('kill-switch', { reason, seq, offset });
  }

  /** Rebuild: a journalled injection, before message `seq` at the packet of feed offset `offset`. */
  replay(j: JournalInject, seq: number, offset: number): void {
    const f = Buffer.from(j.control, 'hex');
    const c = decodeControl(f.subarray(2));
    if (!c || Number(c.effectiveSeq) !== seq) {
      throw new RiskgateError('FAIL_CLOSED', `journal of ${this.o.names.runGroup} does not match the feed: injection for seq ${c?.effectiveSeq ?? '?'} at feed offset ${j.feedOffset}, but the next seq there is ${seq}`);
    }
    this.o.engine.call(f, false, 0, offset, false);
    this.mirror(f);
    if (j.reason === 'operator') this.operatorControls.push({ op: c.op, target: c.target, value: c.value.toString(), seq, offset: Number(j.feedOffset), replayed: true });
    else this.injected.push({ reason: j.reason, seq, offset: Number(j.feedOffset), replayed: true });
  }

  /**
   * `run --serve`: the operator changes queued since the last engine call become control
   * messages with effective seq `seq` (the next seq not yet handed to the engine), in front of
   * the packet at `offset` (or, when the feed is idle, of the next packet). They are
   * journalled with that feed offset in the same transaction as their records.
   */
  applyOperator(seq: number, offset: number): void {
    const c = this.o.controls;
    if (!c) return;
    const frames = c.queue.take(seq);
    if (!frames) return;
    const { engine, tx, names, emit } = this.o;
    c.queue.confirm(engine.call(frames, false, 0, offset, false));
    for (const f = new FrameCursor(frames); f.next(); ) {
      const ctl = decodeControl(f.body());
      if (f.kind !== FrameKind.CONTROL || !ctl) continue;
      tx.journal.push(journalMessage(names, injectRecord(offset, seq, 'operator', f.frame())));
      const value = ctl.value.toString();
      this.operatorControls.push({ op: ctl.op, target: ctl.target, value, seq, offset, replayed: false });
      emit('control', { op: ctl.op, target: ctl.target, value, seq, offset });
    }
    // After a gap the switch stays latched: an operator release is answered by a new kill.
    if (this.gapLatched && !engine.globalKill) this.inject(seq, 'gap-latch', offset);
  }

  /**
   * After a gap: frames are handed over in parts ending at each GLOBAL_KILL control message,
   * and one that released the switch is answered at once by a new GLOBAL_KILL for the same
   * seq, so no message is ever processed with the switch off.
   */
  framesLatched(frames: Buffer, firstSeq: number, offset: number): void {
    const engine = this.o.engine;
    let start = 0;
    let startSeq = firstSeq;
    for (const c = new FrameCursor(frames, firstSeq); c.next(); ) {
      if (c.kind !== FrameKind.CONTROL || decodeControl(c.body())?.op !== ControlOp.GLOBAL_KILL) continue;
      engine.call(frames.subarray(start, c.end), false, c.seq - startSeq, offset, true);
      start = c.end;
      startSeq = c.seq;
      if (!engine.globalKill) this.inject(c.seq, 'gap-latch', offset);
    }
    if (start < frames.length) {
      const part = frames.subarray(start);
      engine.call(part, false, countSeqFrames(part), offset, true);
    }
  }

  /** Keeps the control plane's limits mirror in step with a control frame the run made itself. */
  private mirror(frame: Buffer): void {
    const c = this.o.controls;
    const ctl = decodeControl(frame.subarray(2));
    if (!c || !ctl) return;
    try {
      c.queue.state.apply(c.queue.state.check(ctl.op, ctl.target, ctl.value));
      if (ctl.op === ControlOp.GLOBAL_KILL) c.live.metrics.killSwitch.set({ scope: 'global' }, Number(ctl.value));
    } catch {
      // not representable in the mirror: the engine is the authority
    }
  }
}
