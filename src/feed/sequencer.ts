/**
 * The receiving side of a MoldUDP64 feed (docs/spec.md §14.4), transport-independent and pure:
 * packets in, in order, and out come the steps to hand the engine so that every message keeps
 * its MoldUDP64 sequence number as its seq (spec §2).
 *
 * - Blocks whose position is below the next expected seq are duplicates (retransmissions) and
 *   are dropped and counted; a control block's position is the seq of the message it
 *   precedes, so it is dropped with that message.
 * - A position above the next expected seq is a gap: a `gap` step names the missing seqs, and
 *   the caller decides what the engine sees for them (riskgate: the kill switch, then one
 *   gap filler per missing seq).
 * - Count 0 is a heartbeat (liveness; its sequence number is the next seq, so it can reveal
 *   a gap too). Count 0xFFFF ends the session; its control blocks are the session's trailing
 *   controls. Packets after the end are ignored.
 * - A packet shorter than its header, with sequence number 0, or of another session than the
 *   first packet is refused (counted, ignored).
 */
import { CONTROL_MESSAGE } from '../contract.ts';
import { MOLD_COUNT_AT, MOLD_END_OF_SESSION, MOLD_HEADER_BYTES, MOLD_SEQ_AT, MOLD_SESSION_BYTES, parseMoldPacket } from '../itch/moldudp64.ts';

export type FeedStep =
  /** Whole frames (controls included); `messages` of them take seqs firstSeq, firstSeq+1, … */
  | { kind: 'frames'; frames: Buffer; firstSeq: number; messages: number; controls: number }
  /** A block cut short by the end of its packet: hand it alone as the end of input; it takes `seq`. */
  | { kind: 'truncated'; frame: Buffer; seq: number }
  /** Seqs `from..to` are missing; the next delivered message has seq `to + 1`. */
  | { kind: 'gap'; from: number; to: number }
  /** End of session; `seq` is the next seq. */
  | { kind: 'end'; seq: number };

export interface SequencerStats {
  packets: number;
  heartbeats: number;
  badPackets: number;
  /** Packets of another session than the first one (also counted in badPackets). */
  wrongSession: number;
  /** Messages dropped because their seq was already delivered. */
  duplicates: number;
  /** Control blocks dropped with a duplicate message. */
  duplicateControls: number;
  /** Packets whose every message was a duplicate. */
  duplicatePackets: number;
  gaps: number;
  /** Seqs missing across all gaps. */
  missing: number;
  /** Packets whose header count differs from their message blocks. */
  countMismatches: number;
  /** Non-control blocks in an end-of-session packet (ignored). */
  ignoredBlocks: number;
  packetsAfterEnd: number;
  messages: number;
  controls: number;
}

const SEQ_LIMIT = 2n ** 48n;

export class FeedSequencer {
  /** The seq the next delivered message takes. */
  expected = 1;
  ended = false;
  session: Buffer | null = null;
  readonly stats: SequencerStats = {
    packets: 0, heartbeats: 0, badPackets: 0, wrongSession: 0, duplicates: 0, duplicateControls: 0,
    duplicatePackets: 0, gaps: 0, missing: 0, countMismatches: 0, ignoredBlocks: 0, packetsAfterEnd: 0,
    messages: 0, controls: 0,
  };

  /**
   * The common case without parsing blocks into objects: a data packet of the session that
   * starts exactly at the next expected seq and whose blocks tile it (none empty, none cut
   * short). Its blocks are then the engine's frames as they stand — the packet minus its
   * header, no copy — and the steps are those the general path below would give. Anything
   * else (returns null) takes the general path.
   */
  private inOrder(pkt: Buffer): FeedStep[] | null {
    const session = this.session;
    if (!session || pkt.length <= MOLD_HEADER_BYTES) return null;
    const count = (pkt[MOLD_COUNT_AT] << 8) | pkt[MOLD_COUNT_AT + 1];
    if (count === 0 || count === MOLD_END_OF_SESSION) return null;
    // u64 BE sequence number: the high 16 bits must be 0 (seq < 2^48) and the rest = expected.
    if (pkt[MOLD_SEQ_AT] !== 0 || pkt[MOLD_SEQ_AT + 1] !== 0 || pkt.readUIntBE(MOLD_SEQ_AT + 2, 6) !== this.expected) return null;
    for (let i = 0; i < MOLD_SESSION_BYTES; i++) if (pkt[i] !== session[i]) return null;
    let messages = 0;
    let controls = 0;
    const end = pkt.length;
    for (let off = MOLD_HEADER_BYTES; off < end; ) {
      if (off + 2 > end) return null;
      const n = (pkt[off] << 8) | pkt[off + 1];
      if (n === 0 || off + 2 + n > end) return null;
      if (n === CONTROL_MESSAGE.length && pkt[off + 2] === CONTROL_MESSAGE.typeByte) controls++;
      else messages++;
      off += 2 + n;
    }
    const st = this.stats;
    st.packets++;
    st.messages += messages;
    st.controls += controls;
    if (messages !== count) st.countMismatches++;
    const firstSeq = this.expected;
    this.expected += messages;
    return [{ kind: 'frames', frames: pkt.subarray(MOLD_HEADER_BYTES), firstSeq, messages, controls }];
  }

  /** Steps for one packet, in order. */
  packet(pkt: Buffer): FeedStep[] {
    if (this.ended) {
      this.stats.packetsAfterEnd++;
      return [];
    }
    const fast = this.inOrder(pkt);
    if (fast) return fast;
    const p = parseMoldPacket(pkt);
    if (!p || p.seq === 0n || p.seq >= SEQ_LIMIT) {
      this.stats.badPackets++;
      return [];
    }
    if (!this.session) this.session = Buffer.from(p.session);
    else if (!this.session.equals(p.session)) {
      this.stats.badPackets++;
      this.stats.wrongSession++;
      return [];
    }
    this.stats.packets++;
    const steps: FeedStep[] = [];
    const seq = Number(p.seq);
    const gapTo = (pos: number) => {
      if (pos <= this.expected) return;
      steps.push({ kind: 'gap', from: this.expected, to: pos - 1 });
      this.stats.gaps++;
      this.stats.missing += pos - this.expected;
      this.expected = pos;
    };

    if (p.count === 0) {
      this.stats.heartbeats++;
      gapTo(seq);
      return steps;
    }
    if (p.count === MOLD_END_OF_SESSION) {
      gapTo(seq);
      const ctl: Buffer[] = [];
      for (const b of p.blocks) {
        if (b.control) ctl.push(b.frame);
        else this.stats.ignoredBlocks++;
      }
      if (ctl.length) {
        this.stats.controls += ctl.length;
        steps.push({ kind: 'frames', frames: Buffer.concat(ctl), firstSeq: this.expected, messages: 0, controls: ctl.length });
      }
      steps.push({ kind: 'end', seq: this.expected });
      this.ended = true;
      return steps;
    }

    let pos = seq;
    let parts: Buffer[] = [];
    let firstSeq = 0;
    let messages = 0;
    let controls = 0;
    let blocksWithSeq = 0;
    let delivered = 0;
    const flush = () => {
      if (parts.length === 0) return;
      steps.push({ kind: 'frames', frames: parts.length === 1 ? parts[0] : Buffer.concat(parts), firstSeq, messages, controls });
      parts = [];
      messages = 0;
      controls = 0;
    };
    for (const b of p.blocks) {
      const at = pos;
      if (!b.control) {
        pos++;
        blocksWithSeq++;
      }
      if (at < this.expected) {
        if (b.control) this.stats.duplicateControls++;
        else this.stats.duplicates++;
        continue;
      }
      if (at > this.expected) {
        flush();
        gapTo(at);
      }
      delivered++;
      if (b.truncated) {
        flush();
        steps.push({ kind: 'truncated', frame: b.frame, seq: at });
        this.stats.messages++;
        this.expected = at + 1;
        continue;
      }
      if (parts.length === 0) firstSeq = at;
      parts.push(b.frame);
      if (b.control) {
        controls++;
        this.stats.controls++;
      } else {
        messages++;
        this.stats.messages++;
        this.expected = at + 1;
      }
    }
    flush();
    if (blocksWithSeq !== p.count) this.stats.countMismatches++;
    if (delivered === 0 && blocksWithSeq > 0) this.stats.duplicatePackets++;
    return steps;
  }
}
