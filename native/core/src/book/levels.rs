//! One side of one symbol's price window (spec §6): `L` wrapping u32 levels and an
//! occupancy bitmap (one bit a level).
//!
//! A level change updates its level and one bitmap word. The best level is kept by the
//! level changes (`Book::level_changed`); only when the best level empties is the next
//! one searched, from the emptied best's word on (no level lies past it), which is most
//! often the same word: one count-leading/trailing-zeros instruction. (A summary word
//! with one bit per word, kept on every level change, made that search two instructions
//! whatever the distance, but cost more on the ~1 change a message than it saved on the
//! ~1% of messages that empty a best level. Spec §6's summary bit per word is what the
//! hardware twin's priority encoders use; it changes no result, so this side does without.)

use crate::error::EngineError;
use crate::params::{WINDOW_TICKS as L, WORDS};
use crate::snapshot::{Reader, Writer};

#[derive(Clone)]
pub struct BookSide {
    levels: [u32; L],
    words: [u64; WORDS],
}

// SAFETY: integer arrays only; all zero is `BookSide::EMPTY`.
#[allow(unsafe_code)]
unsafe impl crate::huge::Zeroable for BookSide {}

impl BookSide {
    pub const EMPTY: BookSide = BookSide { levels: [0; L], words: [0; WORDS] };

    pub fn clear(&mut self) {
        self.levels.fill(0);
        self.words.fill(0);
    }

    /// Shares at `idx` (0 when empty).
    #[inline(always)]
    pub fn level(&self, idx: usize) -> u32 {
        self.levels[idx & (L - 1)]
    }

    /// `level[idx] += d` (wrapping), then the occupancy bits follow the new value, which
    /// is returned.
    #[inline(always)]
    pub fn add(&mut self, idx: usize, d: u32) -> u32 {
        let i = idx & (L - 1);
        let v = self.levels[i].wrapping_add(d);
        self.levels[i] = v;
        self.mark(i, v != 0);
        v
    }

    /// `level[idx] -= d` (wrapping), then the occupancy bits follow the new value, which
    /// is returned.
    #[inline(always)]
    pub fn sub(&mut self, idx: usize, d: u32) -> u32 {
        let i = idx & (L - 1);
        let v = self.levels[i].wrapping_sub(d);
        self.levels[i] = v;
        self.mark(i, v != 0);
        v
    }

    #[inline(always)]
    fn mark(&mut self, i: usize, occupied: bool) {
        let w = (i >> 6) & (WORDS - 1);
        let bit = 1u64 << (i & 63);
        let word = (self.words[w] & !bit) | if occupied { bit } else { 0 };
        self.words[w] = word;
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Highest occupied index (best bid).
    #[inline(always)]
    pub fn highest(&self) -> Option<usize> {
        self.highest_at_or_below(L - 1)
    }

    /// Highest occupied index at or below `idx`: the words from `idx`'s down, so the
    /// next best bid after the best at `idx` emptied is found from there, most often in
    /// the same word.
    #[inline(always)]
    pub fn highest_at_or_below(&self, idx: usize) -> Option<usize> {
        let top = (idx & (L - 1)) >> 6;
        // The first word keeps only the bits at or below `idx`.
        let mut word = self.words[top] & (u64::MAX >> (63 - (idx & 63)));
        let mut w = top;
        loop {
            if word != 0 {
                return Some(w * 64 + (63 - word.leading_zeros() as usize));
            }
            if w == 0 {
                return None;
            }
            w -= 1;
            word = self.words[w];
        }
    }

    /// Lowest occupied index (best ask).
    #[inline(always)]
    pub fn lowest(&self) -> Option<usize> {
        self.lowest_at_or_above(0)
    }

    /// Lowest occupied index at or above `idx` (the next best ask, as `highest_at_or_below`).
    #[inline(always)]
    pub fn lowest_at_or_above(&self, idx: usize) -> Option<usize> {
        let first = (idx & (L - 1)) >> 6;
        let mut word = self.words[first] & (u64::MAX << (idx & 63));
        let mut w = first;
        loop {
            if word != 0 {
                return Some(w * 64 + word.trailing_zeros() as usize);
            }
            w += 1;
            if w == WORDS {
                return None;
            }
            word = self.words[w];
        }
    }

    /// Snapshot: the non-zero levels (the bitmap follows from them).
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
                // Some levels emptied again: their bits must clear.
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
