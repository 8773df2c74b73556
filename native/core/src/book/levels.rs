//! One side of one symbol's price window (spec §6): `L` wrapping u32 levels and a
//! two-level occupancy bitmap.
//!
//! The bitmap turns "best level" into two count-leading/trailing-zeros instructions
//! (summary word, then occupancy word) instead of a scan, which is also exactly what
//! the hardware twin does with its priority encoders.

use crate::error::EngineError;
use crate::params::{SUMMARY_WORDS, WINDOW_TICKS as L, WORDS};
use crate::snapshot::{Reader, Writer};

#[derive(Clone)]
pub struct BookSide {
    levels: [u32; L],
    words: [u64; WORDS],
    summary: [u64; SUMMARY_WORDS],
}

impl BookSide {
    pub const EMPTY: BookSide = BookSide { levels: [0; L], words: [0; WORDS], summary: [0; SUMMARY_WORDS] };

    pub fn clear(&mut self) {
        self.levels.fill(0);
        self.words.fill(0);
        self.summary.fill(0);
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
        let s = w >> 6;
        let sbit = 1u64 << (w & 63);
        self.summary[s] = (self.summary[s] & !sbit) | if word != 0 { sbit } else { 0 };
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.summary.iter().all(|&s| s == 0)
    }

    /// Highest occupied index (best bid).
    #[inline(always)]
    pub fn highest(&self) -> Option<usize> {
        for s in (0..SUMMARY_WORDS).rev() {
            let sw = self.summary[s];
            if sw != 0 {
                let w = (s * 64 + (63 - sw.leading_zeros() as usize)) & (WORDS - 1);
                // A set summary bit implies a non-zero word; the mask keeps a broken
                // invariant from turning into an out-of-range index.
                let b = 63usize.wrapping_sub(self.words[w].leading_zeros() as usize) & 63;
                return Some(w * 64 + b);
            }
        }
        None
    }

    /// Lowest occupied index (best ask).
    #[inline(always)]
    pub fn lowest(&self) -> Option<usize> {
        for s in 0..SUMMARY_WORDS {
            let sw = self.summary[s];
            if sw != 0 {
                let w = (s * 64 + sw.trailing_zeros() as usize) & (WORDS - 1);
                let b = self.words[w].trailing_zeros() as usize & 63;
                return Some(w * 64 + b);
            }
        }
        None
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
