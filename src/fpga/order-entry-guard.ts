/**
 * Order entry (spec §18) is Rust only until the Verilog side is wired (§18.7): the hardware would read
 * an order or venue frame as an unknown ITCH type and its records would differ from the Rust
 * core's. So the FPGA and shadow backends refuse, before any byte of the batch reaches the
 * model, every input that holds such a frame — a coded error, never a silent divergence.
 */
import { CodedError, ExitCode } from '../errors.ts';
import { ORDER_FRAME, VENUE_FRAME } from '../contract.ts';

export const ORDER_ENTRY_UNSUPPORTED = 'ORDER_ENTRY_UNSUPPORTED';

/** The byte offset of the first order-entry frame (`{` or `}`, any length) in `frames` (§2 framing), or -1. */
export function firstOrderEntryFrame(frames: Buffer): number {
  let at = 0;
  while (at + 2 < frames.length) {
    const n = frames.readUInt16BE(at);
    const t = frames[at + 2];
    if (n > 0 && (t === ORDER_FRAME.typeByte || t === VENUE_FRAME.typeByte)) return at;
    at += 2 + n;
  }
  return -1;
}

/** Throws ORDER_ENTRY_UNSUPPORTED when `frames` holds an order-entry frame. */
export function refuseOrderEntry(frames: Buffer, backend: string): void {
  const at = firstOrderEntryFrame(frames);
  if (at < 0) return;
  const t = String.fromCharCode(frames[at + 2]);
  throw new CodedError(
    ORDER_ENTRY_UNSUPPORTED,
    ExitCode.ENGINE_FAILED,
    `the ${backend} backend does not implement order entry yet (spec §18: Rust only until the Verilog side is wired, §18.7): ` +
      `the input holds a '${t}' frame at byte ${at} of the batch; replay it with --backend rust`,
  );
}
