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
    /// Unused: keeps consecutive sides `L × 4 + 512` bytes apart, as when they held the
    /// bitmap, so the levels around different sides' touch do not share L1 sets (with a
    /// 16 KiB stride every side's window centre would fall on the same sets).
    _pad: [u64; WORDS],
}

/// Levels a bit of a side's group word stands for. The group word (kept by the book in
/// the symbol's first cache line, which every level change reads anyway) has bit `g` set
/// by every change of a level in `g × GROUP ..`, cleared only by a search that found
/// those levels all empty: a superset of the groups holding an occupied level. A search
/// skips the groups whose bit is clear, so a side whose last level emptied is known empty
/// at once, and a search reads at most one group in vain per bit set.
pub const GROUP: usize = L / 64;

/// The group word's bit for a level change at `idx`.
#[inline(always)]
pub fn group_bit(idx: usize) -> u64 {
    1 << ((idx & (L - 1)) / GROUP)
}
/// Levels a search step reads: one 64-byte cache line (less when a group is smaller).
const STEP: usize = if GROUP < 16 { GROUP } else { 16 };

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

    /// The group word the levels give exactly (a restore; the searches' tests).
    pub fn groups_of_levels(&self) -> u64 {
        (0..64).filter(|&g| self.levels[g * GROUP..(g + 1) * GROUP].iter().any(|&v| v != 0)).fold(0, |w, g| w | 1 << g)
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

    /// Highest occupied index in `lo..=hi`, `lo` a multiple of `STEP` in `hi`'s group.
    #[inline(always)]
    fn highest_in(&self, lo: usize, hi: usize) -> Option<usize> {
        let first = hi & !(STEP - 1);
        if let Some(x) = (first..=hi).rev().find(|&x| self.levels[x] != 0) {
            return Some(x);
        }
        let mut start = first;
        while start != lo {
            start -= STEP;
            if self.step_occupied(start) {
                return (start..start + STEP).rev().find(|&x| self.levels[x] != 0);
            }
        }
        None
    }

    /// Lowest occupied index in `lo..hi`, `hi` a multiple of `STEP` at or before the end of `lo`'s group.
    #[inline(always)]
    fn lowest_in(&self, lo: usize, hi: usize) -> Option<usize> {
        let mut start = (lo & !(STEP - 1)) + STEP;
        if let Some(x) = (lo..start).find(|&x| self.levels[x] != 0) {
            return Some(x);
        }
        while start != hi {
            if self.step_occupied(start) {
                return (start..start + STEP).find(|&x| self.levels[x] != 0);
            }
            start += STEP;
        }
        None
    }

    /// Highest occupied index (best bid).
    #[inline(always)]
    pub fn highest(&self, groups: &mut u64) -> Option<usize> {
        self.highest_at_or_below(groups, L - 1)
    }

    /// Highest occupied index at or below `idx`: the levels of `idx`'s group from `idx`
    /// down (the next best bid after the best at `idx` emptied is most often in the same
    /// cache line), then the groups below whose bit is set in `groups` (the side's group
    /// word, `GROUP`), from the highest; a group found empty has its bit cleared.
    #[inline(always)]
    pub fn highest_at_or_below(&self, groups: &mut u64, idx: usize) -> Option<usize> {
        let idx = idx & (L - 1);
        let g = idx / GROUP;
        if let Some(x) = self.highest_in(g * GROUP, idx) {
            return Some(x);
        }
        let mut below = *groups & ((1u64 << g) - 1);
        while below != 0 {
            let h = 63 - below.leading_zeros() as usize;
            if let Some(x) = self.highest_in(h * GROUP, h * GROUP + GROUP - 1) {
                return Some(x);
            }
            *groups &= !(1u64 << h);
            below &= !(1u64 << h);
        }
        None
    }

    /// Lowest occupied index (best ask).
    #[inline(always)]
    pub fn lowest(&self, groups: &mut u64) -> Option<usize> {
        self.lowest_at_or_above(groups, 0)
    }

    /// Lowest occupied index at or above `idx` (the next best ask, as `highest_at_or_below`).
    #[inline(always)]
    pub fn lowest_at_or_above(&self, groups: &mut u64, idx: usize) -> Option<usize> {
        let idx = idx & (L - 1);
        let g = idx / GROUP;
        if let Some(x) = self.lowest_in(idx, g * GROUP + GROUP) {
            return Some(x);
        }
        // The groups above `g` (none when `g` is 63: `2 << 63` is 0).
        let mut above = *groups & !((2u64 << g).wrapping_sub(1));
        while above != 0 {
            let h = above.trailing_zeros() as usize;
            if let Some(x) = self.lowest_in(h * GROUP, h * GROUP + GROUP) {
                return Some(x);
            }
            *groups &= !(1u64 << h);
            above &= !(1u64 << h);
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
            let occupied: Vec<bool> = (0..L).map(|i| side.level(i) != 0).collect();
            // Exact, all set, or exact plus stale bits (groups emptied since their bit was set).
            let exact = side.groups_of_levels();
            let mut groups = [exact, u64::MAX, exact | next()][round as usize % 3];
            for idx in 0..L {
                assert_eq!(side.highest_at_or_below(&mut groups, idx), (0..=idx).rev().find(|&i| occupied[i]), "round {round}, highest at or below {idx}");
                assert_eq!(side.lowest_at_or_above(&mut groups, idx), (idx..L).find(|&i| occupied[i]), "round {round}, lowest at or above {idx}");
            }
            assert_eq!(side.highest(&mut groups), (0..L).rev().find(|&i| occupied[i]));
            assert_eq!(side.lowest(&mut groups), (0..L).find(|&i| occupied[i]));
            // The searches cleared only bits of empty groups: every occupied group's is set.
            assert_eq!(groups & exact, exact, "round {round}");
            assert_eq!(side.is_empty(), (0..L).all(|i| !occupied[i]));
        }
    }
}
