//! One side of one symbol's price window (spec §6): `L` wrapping u32 levels.
//!
//! A level change updates its level only. The best level is kept by the level changes
//! (`Book::level_changed`); only when the best level empties is the next one searched,
//! from the emptied best on (no level lies past it), in the levels themselves: 16 levels
//! (one cache line) a step, most often the first. Spec §6's occupancy bitmap (bit `idx`
//! set iff `level[idx] ≠ 0`, a summary bit per word) is what the hardware twin's priority
//! encoders search; here it would only serve that search, so this side does without it:
//! kept on every level change (~1 a message) it cost a read-modify-write of a second
//! cache line, which missed the L1 about as often as the level's own line, for the ~1%
//! of messages that empty a best level. (The summary bits went first, in the sixth round,
//! for the same reason.) Which level is the best is the same either way.

use crate::error::EngineError;
use crate::params::{WINDOW_TICKS as L, WORDS};
use crate::snapshot::{Reader, Writer};

#[derive(Clone)]
pub struct BookSide {
    levels: [u32; L],
    /// Unused: keeps consecutive sides `L × 4 + 512` bytes apart, as when it held the
    /// bitmap, so the levels around different sides' touch do not share L1 sets (with a
    /// 16 KiB stride every side's window centre would fall on the same sets).
    _pad: [u64; WORDS],
}

/// Levels a search step reads: one 64-byte cache line.
const STEP: usize = 16;

// SAFETY: integer arrays only; all zero is `BookSide::EMPTY`.
#[allow(unsafe_code)]
unsafe impl crate::huge::Zeroable for BookSide {}

impl BookSide {
    pub const EMPTY: BookSide = BookSide { levels: [0; L], _pad: [0; WORDS] };

    pub fn clear(&mut self) {
        self.levels.fill(0);
    }

    /// Shares at `idx` (0 when empty).
    #[inline(always)]
    pub fn level(&self, idx: usize) -> u32 {
        self.levels[idx & (L - 1)]
    }

    /// `level[idx] += d` (wrapping); the new value is returned.
    #[inline(always)]
    pub fn add(&mut self, idx: usize, d: u32) -> u32 {
        let i = idx & (L - 1);
        let v = self.levels[i].wrapping_add(d);
        self.levels[i] = v;
        v
    }

    /// `level[idx] -= d` (wrapping); the new value is returned.
    #[inline(always)]
    pub fn sub(&mut self, idx: usize, d: u32) -> u32 {
        let i = idx & (L - 1);
        let v = self.levels[i].wrapping_sub(d);
        self.levels[i] = v;
        v
    }

    pub fn is_empty(&self) -> bool {
        self.levels.iter().all(|&v| v == 0)
    }

    /// Whether any of the `STEP` levels from `start` (a multiple of `STEP`) is occupied:
    /// their OR, which the compiler does a vector at a time.
    #[inline(always)]
    fn step_occupied(&self, start: usize) -> bool {
        self.levels[start..start + STEP].iter().fold(0, |a, &v| a | v) != 0
    }

    /// Highest occupied index (best bid).
    #[inline(always)]
    pub fn highest(&self) -> Option<usize> {
        self.highest_at_or_below(L - 1)
    }

    /// Highest occupied index at or below `idx`: the levels from `idx` down, so the
    /// next best bid after the best at `idx` emptied is found from there, most often in
    /// the same cache line.
    #[inline(always)]
    pub fn highest_at_or_below(&self, idx: usize) -> Option<usize> {
        let idx = idx & (L - 1);
        let first = idx & !(STEP - 1);
        // The first step: the levels at or below `idx` only.
        if let Some(x) = (first..=idx).rev().find(|&x| self.levels[x] != 0) {
            return Some(x);
        }
        let mut start = first;
        while start != 0 {
            start -= STEP;
            if self.step_occupied(start) {
                return (start..start + STEP).rev().find(|&x| self.levels[x] != 0);
            }
        }
        None
    }

    /// Lowest occupied index (best ask).
    #[inline(always)]
    pub fn lowest(&self) -> Option<usize> {
        self.lowest_at_or_above(0)
    }

    /// Lowest occupied index at or above `idx` (the next best ask, as `highest_at_or_below`).
    #[inline(always)]
    pub fn lowest_at_or_above(&self, idx: usize) -> Option<usize> {
        let idx = idx & (L - 1);
        let mut start = (idx & !(STEP - 1)) + STEP;
        if let Some(x) = (idx..start).find(|&x| self.levels[x] != 0) {
            return Some(x);
        }
        while start != L {
            if self.step_occupied(start) {
                return (start..start + STEP).find(|&x| self.levels[x] != 0);
            }
            start += STEP;
        }
        None
    }

    /// Snapshot: the non-zero levels.
    pub(crate) fn save(&self, w: &mut Writer) {
        let n = self.levels.iter().filter(|&&v| v != 0).count();
        w.u32(n as u32);
        for (i, &v) in self.levels.iter().enumerate().filter(|(_, &v)| v != 0) {
            w.u32(i as u32);
            w.u32(v);
        }
    }

    pub(crate) fn load(&mut self, r: &mut Reader) -> Result<(), EngineError> {
        self.clear();
        for _ in 0..r.count("levels", 8, L)? {
            let i = r.index("level index", L)?;
            let v = r.u32("level")?;
            self.add(i, v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The searches from an index equal a scan of the levels, at every start index, for
    /// random fillings from empty to dense (and the side's own highest and lowest).
    #[test]
    fn searches_from_an_index_equal_a_scan() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut side = Box::new(BookSide::EMPTY);
        for round in 0..40u64 {
            side.clear();
            let n = [0, 1, 2, 5, 50, 500][round as usize % 6];
            for _ in 0..n {
                side.add((next() % L as u64) as usize, 1 + (next() % 9) as u32);
            }
            if round % 3 == 0 {
                // Some levels emptied again: the searches must pass over them.
                for _ in 0..n / 2 {
                    let i = (next() % L as u64) as usize;
                    let v = side.level(i);
                    side.sub(i, v);
                }
            }
            let occupied = |i: usize| side.level(i) != 0;
            for idx in 0..L {
                assert_eq!(side.highest_at_or_below(idx), (0..=idx).rev().find(|&i| occupied(i)), "round {round}, highest at or below {idx}");
                assert_eq!(side.lowest_at_or_above(idx), (idx..L).find(|&i| occupied(i)), "round {round}, lowest at or above {idx}");
            }
            assert_eq!(side.highest(), (0..L).rev().find(|&i| occupied(i)));
            assert_eq!(side.lowest(), (0..L).find(|&i| occupied(i)));
            assert_eq!(side.is_empty(), (0..L).all(|i| !occupied(i)));
        }
    }
}
