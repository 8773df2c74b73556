//! The book flags of spec §6 and the out-of-band counters behind them.
//!
//! Orders the window cannot place on a level (below it, above it, or between ticks) are
//! only counted. The flags say when such an order could be better than the window's best
//! level, i.e. when the top of book might differ from a full-depth book's; the strategy
//! stays out of a flagged symbol.

use super::window::class;
use super::{ASK, BID};
use crate::contract::flag;

/// `n_below`, `n_above`, `n_offtick` per side, indexed `[class][side]` so that an order's
/// class picks its counter directly (class IN has no counter). Wrapping, like the
/// hardware's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutOfBand([[u32; 2]; 4]);

impl OutOfBand {
    /// An order of class BELOW, ABOVE or OFFTICK was inserted on `side`.
    #[inline(always)]
    pub fn insert(&mut self, class: u32, side: usize) {
        let c = &mut self.0[class as usize & 3][side & 1];
        *c = c.wrapping_add(1);
    }

    /// An order of class BELOW, ABOVE or OFFTICK was removed from `side`.
    #[inline(always)]
    pub fn remove(&mut self, class: u32, side: usize) {
        let c = &mut self.0[class as usize & 3][side & 1];
        *c = c.wrapping_sub(1);
    }

    /// Sets the counter of `class` on `side` (snapshot restore).
    pub fn set(&mut self, class: u32, side: usize, n: u32) {
        self.0[class as usize & 3][side & 1] = n;
    }

    /// The counter of `class` on `side`.
    #[inline(always)]
    pub fn count(&self, class: u32, side: usize) -> u32 {
        self.0[class as usize & 3][side & 1]
    }
}

/// The flags byte of §6 (TOB `aux`) for one symbol. BAND is recomputed every time and
/// never sticky; `collision` is the order-table state of §5 (ghosts or untracked drops).
#[inline(always)]
pub fn flags(oob: &OutOfBand, bid_empty: bool, ask_empty: bool, collision: bool) -> u8 {
    let any = |c: u32, side: usize| oob.count(c, side) != 0;
    // A bid above the window or off tick may beat the best in-window bid; one below the
    // window only matters when the window holds no bid at all.
    let band_bid = any(class::OFFTICK, BID) || any(class::ABOVE, BID) || (bid_empty && any(class::BELOW, BID));
    // Mirror image for asks: below the window is better, above only matters when empty.
    let band_ask = any(class::OFFTICK, ASK) || any(class::BELOW, ASK) || (ask_empty && any(class::ABOVE, ASK));
    (band_bid as u8 * flag::BAND_BID) | (band_ask as u8 * flag::BAND_ASK) | (collision as u8 * flag::COLLISION)
}
