//! The walk of `SymbolCounter.observe` (src/config/subscription.ts) in Rust: messages per stock
//! locate over every frame a replay passes. The rare stock directory messages, which (re)name a
//! locate, stay with the JS side, so the walk stops in front of each one.

use napi::bindgen_prelude::{BufferSlice, Float64ArraySlice};
use napi_derive::napi;
use riskgate_core::contract::itch::MESSAGE_LEN;
use riskgate_core::itch::CONTROL_LEN;

const CONTROL_TYPE: u8 = b'~';
const R: u8 = b'R';

/// Counts the messages of the whole frames of `frames` from byte `from` on: each one adds 1 to
/// `tally[0]`, and to `perLocate[locate]` when its stock locate (bytes 1–2) is not 0; in-band
/// control messages take no seq and are skipped. Stops at the end marker or a cut-off frame
/// (returns -1), or in front of a stock directory message (returns its offset, uncounted: the
/// caller names the locate, counts the message and calls again after it).
#[napi]
pub fn count_locates(frames: BufferSlice, from: u32, mut per_locate: Float64ArraySlice, mut tally: Float64ArraySlice) -> napi::Result<f64> {
    // SAFETY: a synchronous call on the JS thread: nothing else touches the arrays meanwhile.
    let (counts, tally) = unsafe { (per_locate.as_mut(), tally.as_mut()) };
    if counts.len() < 65536 || tally.is_empty() {
        return Err(napi::Error::from_reason("countLocates needs 65536 counters and a tally"));
    }
    let b: &[u8] = &frames;
    let end = b.len();
    let mut off = from as usize;
    let mut messages = 0u64;
    let mut stop = -1.0;
    while off + 2 <= end {
        let n = ((b[off] as usize) << 8) | b[off + 1] as usize;
        let s = off + 2;
        if n == 0 || s + n > end {
            break; // end marker, or a cut-off frame
        }
        let t = b[s];
        if t == CONTROL_TYPE && n == CONTROL_LEN {
            off = s + n;
            continue;
        }
        if n >= 3 {
            if t == R && n == MESSAGE_LEN[R as usize] as usize {
                stop = off as f64;
                break;
            }
            let loc = ((b[s + 1] as usize) << 8) | b[s + 2] as usize;
            if loc != 0 {
                counts[loc] += 1.0;
            }
        }
        messages += 1;
        off = s + n;
    }
    tally[0] += messages as f64;
    Ok(stop)
}
