//! BinaryFILE framing (spec §2): walking a batch of 2-byte length-prefixed frames.
//!
//! The walk is an iterator so that the engine's loop and the pre-scan of `process_into`
//! share one definition of where a frame starts, what an end-of-session marker is and
//! what counts as truncated; they cannot disagree about a batch.

use crate::records::RECORD_SIZE;

/// One step of the walk. End-of-session markers (`n = 0`) are skipped: they take no
/// seq and produce no record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A whole frame body (`n ≥ 1` bytes, so never empty).
    Message(&'a [u8]),
    /// Only at end of input: a frame whose declared length runs past the end (`t` is its
    /// first body byte, if present), or a stray byte that is half a length prefix
    /// (`t = None`, `declared = 0`).
    Truncated { t: Option<u8>, declared: u16 },
}

/// Iterator over the frames of one batch.
///
/// With `end_of_input = false` a cut-off tail ends the walk silently and stays in
/// `remaining()`: `process_stream` hands it back unconsumed, the other callers check
/// `scan(..).whole` first and refuse such a batch, so nothing is lost.
///
/// An end-of-session marker is skipped, unless the walk was made `stopping_at_marker`
/// (a file reader's walk: spec §2, the session ends there): then the walk ends in front
/// of it, `remaining()` starts at it and `at_marker()` says so.
#[derive(Clone)]
pub struct FrameWalk<'a> {
    rest: &'a [u8],
    end_of_input: bool,
    stop_at_marker: bool,
    at_marker: bool,
}

impl<'a> FrameWalk<'a> {
    #[inline(always)]
    pub fn new(frames: &'a [u8], end_of_input: bool) -> Self {
        FrameWalk { rest: frames, end_of_input, stop_at_marker: false, at_marker: false }
    }

    /// A walk that ends in front of the first end-of-session marker.
    #[inline(always)]
    pub fn stopping_at_marker(frames: &'a [u8], end_of_input: bool) -> Self {
        FrameWalk { rest: frames, end_of_input, stop_at_marker: true, at_marker: false }
    }

    /// The walk of a `stopping_at_marker` walk ended in front of an end-of-session marker.
    #[inline(always)]
    pub fn at_marker(&self) -> bool {
        self.at_marker
    }

    /// Bytes not walked: after the walk ends, the cut-off tail left by `end_of_input =
    /// false` (empty otherwise).
    #[inline(always)]
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }
}

/// While at least this many bytes are left, the next frame is whole whatever its
/// declared length (at most 65,535 bytes after its 2-byte prefix) and the first `HEAD`
/// bytes from its body on are in the input whatever its length: `next_fast` needs no
/// check of either.
const FAST_MARGIN: usize = 2 + u16::MAX as usize;

/// Bytes from a body's start that `next_fast` hands out with it (`HEAD` ≥ 19 covers the
/// order reference at offset 11, `itch::ref_of_head`).
pub const HEAD: usize = 19;

impl<'a> FrameWalk<'a> {
    /// `next` for the bulk of a long input: while at least `FAST_MARGIN` bytes are left,
    /// the next frame body and the `HEAD` input bytes from its start (for a body shorter
    /// than `HEAD`, the end of that array is the input that follows the body). `None`
    /// when fewer bytes are left or in front of an end-of-session marker (rare): the
    /// caller then takes `next`, which walks the same frame, skips the marker or stops
    /// there. One walk, one definition of a frame: the step leaves out only the checks
    /// the margin makes redundant (the length left against the declared length, the
    /// body's length against the reference's offset), and with them two branches and
    /// ~15 instructions a message of the engine's loop (callgrind, `npm run
    /// bench:peer`'s all-subscribed file).
    #[inline(always)]
    pub fn next_fast(&mut self) -> Option<(&'a [u8], &'a [u8; HEAD])> {
        let rest = self.rest;
        if rest.len() < FAST_MARGIN {
            return None;
        }
        prefetch_ahead(rest);
        let n = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        if n == 0 {
            return None;
        }
        let head: &[u8; HEAD] = rest[2..2 + HEAD].try_into().expect("within FAST_MARGIN");
        let (msg, next) = rest[2..].split_at(n);
        self.rest = next;
        Some((msg, head))
    }
}

impl<'a> Iterator for FrameWalk<'a> {
    type Item = Frame<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<Frame<'a>> {
        loop {
            let rest = self.rest;
            let [h0, h1, tail @ ..] = rest else {
                // Zero or one byte left. At the end of input, one stray byte is a length
                // prefix cut in half; it takes a seq like any truncated frame so the loss
                // is visible. Otherwise it stays for the next batch.
                if !self.end_of_input {
                    return None;
                }
                self.rest = &[];
                return (!rest.is_empty()).then_some(Frame::Truncated { t: None, declared: 0 });
            };
            prefetch_ahead(rest);
            let n = u16::from_be_bytes([*h0, *h1]) as usize;
            if n == 0 {
                // End-of-session marker: the file reader stops here; the engine walks on.
                if self.stop_at_marker {
                    self.at_marker = true;
                    return None;
                }
                self.rest = tail;
                continue;
            }
            return match tail.split_at_checked(n) {
                Some((msg, next)) => {
                    self.rest = next;
                    Some(Frame::Message(msg))
                }
                // Cut off: a TRUNCATED frame at the end of input, else left for the
                // next batch (`rest` still starts at its length prefix).
                None if self.end_of_input => {
                    self.rest = &[];
                    Some(Frame::Truncated { t: tail.first().copied(), declared: n as u16 })
                }
                None => None,
            };
        }
    }
}

/// Most records one frame body can produce: a message that touches a book can yield
/// TOB, DECISION and FILL; anything else yields at most one record.
/// How far ahead of the frame being walked the input is prefetched, in bytes (~35
/// frames of a typical feed). Measured on `npm run bench:peer`'s all-subscribed file:
/// 1,024 and 2,048 both take ~1.5 ns/msg off; the hardware prefetcher alone left the
/// frame header's loads waiting (~5% of `perf` samples on the load of the reference).
const PREFETCH_AHEAD: usize = 1024;

/// Hints the CPU to load the input `PREFETCH_AHEAD` bytes past `rest`'s start.
/// PREFETCHT0 only hints the cache: it reads nothing architecturally and cannot fault,
/// whatever the address (the pointer is made with `wrapping_add`, never dereferenced,
/// and may point past the input's end).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn prefetch_ahead(rest: &[u8]) {
    let p = rest.as_ptr().wrapping_add(PREFETCH_AHEAD);
    // SAFETY: a prefetch hint, see above.
    unsafe { core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const i8) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch_ahead(_rest: &[u8]) {}

#[inline(always)]
fn records_per_frame(msg: &[u8]) -> usize {
    match msg.first() {
        Some(b'A' | b'F' | b'U' | b'E' | b'C' | b'X' | b'D') => 3 * RECORD_SIZE,
        // A foreign control or order-entry frame: PROBLEM, then the CONTROL of the kill.
        Some(b'~' | b'{' | b'}') => 2 * RECORD_SIZE,
        _ => RECORD_SIZE,
    }
}

/// Result of a pre-scan of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scan {
    /// The batch ends on a frame boundary.
    pub whole: bool,
    /// Record bytes the batch can produce at most (per frame, by type).
    pub bound: usize,
}

/// Pre-scan of a batch: the frame headers only, no state is touched.
pub fn scan(frames: &[u8]) -> Scan {
    let mut s = Scan { whole: true, bound: 0 };
    for f in FrameWalk::new(frames, true) {
        match f {
            Frame::Message(msg) => s.bound += records_per_frame(msg),
            Frame::Truncated { .. } => {
                s.whole = false;
                s.bound += RECORD_SIZE;
            }
        }
    }
    s
}

/// Upper bound of the record bytes `process` can produce for `input_len` bytes of input.
///
/// A frame that yields records is at least 3 bytes (length + type) and yields at most
/// three (TOB, DECISION, FILL); one or two leftover bytes at the end of input can only
/// form one TRUNCATED record.
pub const fn max_record_bytes(input_len: usize) -> usize {
    let whole = (input_len / 3).saturating_mul(3 * RECORD_SIZE);
    let tail = if !input_len.is_multiple_of(3) { RECORD_SIZE } else { 0 };
    whole.saturating_add(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's walk (`next_fast` while it answers, else `next`) gives the frames of
    /// the plain walk, in order, and ends where it ends, on inputs long enough for the
    /// fast step, with markers, 1-byte, short and 65,535-byte bodies anywhere (also in
    /// the last 64 KiB), for both marker modes and a cut-off tail with and without end
    /// of input; each fast step's `HEAD` bytes are the input's from the body on.
    #[test]
    fn fast_steps_walk_the_frames_of_the_plain_walk() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..24u64 {
            let mut input = Vec::new();
            let target = [70_000, 140_000, 300_000][round as usize % 3];
            while input.len() < target {
                let n = match next() % 1000 {
                    0..=29 => 0,                          // end-of-session marker
                    30..=79 => 1 + (next() % 18) as usize, // shorter than HEAD
                    80..=81 => [u16::MAX as usize, 65_534, 40_000][(next() % 3) as usize],
                    _ => 19 + (next() % 30) as usize,
                };
                input.extend_from_slice(&(n as u16).to_be_bytes());
                input.extend((0..n).map(|_| next() as u8));
            }
            // Some inputs end inside a frame (a header or a body).
            let cut = (next() % 4) as usize;
            input.truncate(input.len() - cut);
            for (end_of_input, stop) in [(true, false), (false, false), (true, true), (false, true)] {
                let make = || if stop { FrameWalk::stopping_at_marker(&input, end_of_input) } else { FrameWalk::new(&input, end_of_input) };
                let mut plain = make();
                let expected: Vec<Frame<'_>> = plain.by_ref().collect();
                let mut walk = make();
                let (mut got, mut fast) = (Vec::new(), 0usize);
                loop {
                    if let Some((msg, head)) = walk.next_fast() {
                        let at = msg.as_ptr() as usize - input.as_ptr() as usize;
                        assert_eq!(&head[..], &input[at..at + HEAD], "round {round}");
                        got.push(Frame::Message(msg));
                        fast += 1;
                        continue;
                    }
                    match walk.next() {
                        Some(f) => got.push(f),
                        None => break,
                    }
                }
                assert_eq!(got, expected, "round {round}, end {end_of_input}, stop {stop}");
                assert_eq!((walk.remaining(), walk.at_marker()), (plain.remaining(), plain.at_marker()), "round {round}");
                // A stopping walk ends at the first marker, most often well before the
                // last 64 KiB (the marker then found by the fast step and left to `next`).
                assert!(fast > 0 && (stop || fast < got.len()), "round {round}: both steps used ({fast} of {})", got.len());
                assert!(!stop || walk.at_marker() || walk.remaining() < FAST_MARGIN, "round {round}");
            }
        }
    }
}
