//! The price window of spec §4: which of a symbol's `L` levels a price lands on, found
//! without a division.
//!
//! A symbol's window is anchored once, by its first on-tick add, and never moves. An
//! order outside it (or between ticks) is not placed on a level but counted out of band
//! (see `flags`): the window stays small and fixed, like the hardware's level memories,
//! and the flags say when that makes the top of book uncertain.

use crate::params::WINDOW_TICKS as L;

/// Order classes of spec §4 (stored in 2 bits of an order-table entry; the codes index
/// the out-of-band counters).
pub mod class {
    pub const IN: u32 = 0;
    pub const BELOW: u32 = 1;
    pub const ABOVE: u32 = 2;
    pub const OFFTICK: u32 = 3;
}

/// `floor(p / tick)` by the reciprocal of spec §4: no division on the hot path. The
/// product needs up to 81 bits; on x86-64 the u128 multiply is a single `mul`.
#[inline(always)]
pub fn tick_quotient(p: u32, recip: u64) -> u64 {
    ((p as u128 * recip as u128) >> 48) as u64
}

/// Where an order sits: its class and, for class IN, its level `idx = q − base_q`
/// (0 otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub class: u32,
    pub idx: usize,
}

/// The window base of §4: tick `base_q` once `set`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub base_q: u64,
    pub set: bool,
}

impl Window {
    /// The §4 rule for one add (A, F, or the new order of a U): anchor the window on the
    /// first on-tick add, then classify the price against it. The window is set by the
    /// add, not by the insert, so this runs even if the order table then drops the order.
    #[inline(always)]
    pub fn place(&mut self, price: u32, tick: u64, recip: u64) -> Placement {
        let q = tick_quotient(price, recip);
        let on_tick = q * tick == price as u64;
        if on_tick && !self.set {
            self.base_q = anchor(q);
            self.set = true;
        }
        classify(on_tick, q, self.base_q)
    }

    /// Price of level `idx`: `(base_q + idx) × TICK`.
    #[inline(always)]
    pub fn price(&self, idx: usize, tick: u64) -> u32 {
        ((self.base_q + idx as u64) * tick) as u32
    }
}

/// `base_q` of a window anchored at tick `q`: centred on it, `q − L/2`, or 0 near zero.
#[inline(always)]
pub const fn anchor(q: u64) -> u64 {
    q.saturating_sub(L as u64 / 2)
}

/// The class table of §4 for quotient `q` (`on_tick` = `q × TICK == p`). An on-tick
/// price always finds its window set (`place` anchors it first), so the "window not
/// set" case of OFFTICK needs no input here.
#[inline(always)]
pub fn classify(on_tick: bool, q: u64, base_q: u64) -> Placement {
    if !on_tick {
        Placement { class: class::OFFTICK, idx: 0 }
    } else if q < base_q {
        Placement { class: class::BELOW, idx: 0 }
    } else if q - base_q >= L as u64 {
        Placement { class: class::ABOVE, idx: 0 }
    } else {
        Placement { class: class::IN, idx: (q - base_q) as usize }
    }
}
