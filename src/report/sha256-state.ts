/**
 * SHA-256 whose running state can be saved and restored (FIPS 180-4). node:crypto's Hash
 * cannot export its state, and `riskgate run` resumed from an engine snapshot (spec §14.6)
 * must go on with the digest of the whole session's record stream, so the feed run digests
 * with this one: the Rust module's `Sha256Stream` (native/src/sha256_state.rs — the `sha2`
 * crate's block function, SHA-NI where the CPU has it). Its output equals node:crypto's for the
 * same bytes, and its saved state is the one snapshots have always carried.
 */
import { loadNative } from '../engine/rust.ts';
import type { Sha256Saved, Sha256Stream } from '../../native/native.d.ts';

/** The saved state: chaining value, bytes digested, the partial block (hex). */
export type Sha256State = Sha256Saved;

export class ResumableSha256 {
  private readonly stream: Sha256Stream;

  /** A new digest, or (`from`) one going on from a saved state. */
  constructor(stream?: Sha256Stream) {
    this.stream = stream ?? new (loadNative().Sha256Stream)();
  }

  update(data: Buffer): this {
    this.stream.update(data);
    return this;
  }

  /** The digest of what was updated so far, hex; the running state is left as it is. */
  hex(): string {
    return this.stream.hex();
  }

  save(): Sha256State {
    return this.stream.save();
  }

  /** Throws INVALID_ARG naming what is wrong for a state that cannot be a saved one. */
  static from(s: Sha256State): ResumableSha256 {
    return new ResumableSha256(loadNative().Sha256Stream.restore(s));
  }
}
