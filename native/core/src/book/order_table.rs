//! The set-associative order table of spec §5: where every live order of a subscribed
//! symbol is found by its reference number.
//!
//! A set keeps its ways in struct-of-arrays form so that the lookup compares the four
//! refs of one set (32 contiguous bytes) and builds a way mask without branching; the
//! payload of the matching way sits in the same or the next cache line.

use crate::params::{SETS, SET_BITS, WAYS};

// Packed `info` word of a way. The valid bit lives here rather than in a separate mask so
// a set is one self-contained 80-byte block.
const IDX_MASK: u32 = 0xFFFF;
const SYM_SHIFT: u32 = 16;
const SIDE_SHIFT: u32 = 22;
const CLASS_SHIFT: u32 = 23;
const VALID: u32 = 1 << 31;
const WAY_MASK: u32 = (1 << WAYS) - 1;

/// XOR-fold of the 64-bit reference in `SET_BITS`-bit slices from bit 0 upward.
///
/// `r >> s` keeps slice `s` in its low bits (the higher bits are masked off at the end),
/// so XOR-ing the shifted copies is the same as XOR-ing the zero-extended slices.
#[inline(always)]
pub fn set_index(r: u64) -> usize {
    let mut x = 0u64;
    let mut s = 0u32;
    while s < 64 {
        x ^= r >> s;
        s += SET_BITS;
    }
    (x as usize) & (SETS - 1)
}

/// A decoded table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub r: u64,
    pub symbol: usize,
    /// 1 = buy (bid side), 0 = sell.
    pub side: usize,
    pub price: u32,
    pub shares: u32,
    pub class: u32,
    pub idx: usize,
}

#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
struct Set {
    refs: [u64; WAYS],
    price: [u32; WAYS],
    shares: [u32; WAYS],
    info: [u32; WAYS],
}

impl Set {
    #[inline(always)]
    fn valid_mask(&self) -> u32 {
        let mut m = 0;
        for w in 0..WAYS {
            m |= (self.info[w] >> 31) << w;
        }
        m
    }
}

/// Location of an entry: set and way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    set: usize,
    way: usize,
}

impl Slot {
    pub fn set(&self) -> usize {
        self.set
    }
    pub fn way(&self) -> usize {
        self.way
    }
}

/// `2^SET_BITS × WAYS` order entries, allocated once.
pub struct OrderTable {
    sets: Box<[Set; SETS]>,
}

impl Default for OrderTable {
    fn default() -> Self {
        Self::new()
    }
}

impl OrderTable {
    pub fn new() -> Self {
        OrderTable { sets: crate::boxed_array(Set::default()) }
    }

    /// Invalidates every entry.
    pub fn clear(&mut self) {
        self.sets.fill(Set::default());
    }

    /// The lowest-numbered valid way holding `r` (duplicates can exist, see `insert`).
    #[inline(always)]
    pub fn lookup(&self, r: u64) -> Option<Slot> {
        let set = set_index(r);
        let s = &self.sets[set];
        let mut m = 0u32;
        for w in 0..WAYS {
            m |= ((s.refs[w] == r) as u32) << w;
        }
        m &= s.valid_mask();
        if m == 0 {
            None
        } else {
            Some(Slot { set, way: m.trailing_zeros() as usize })
        }
    }

    /// Inserts into the lowest-numbered free way; `None` when the set is full (the
    /// resident orders win and the caller drops the new one).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn insert(&mut self, r: u64, symbol: usize, side: usize, price: u32, shares: u32, class: u32, idx: usize) -> Option<Slot> {
        let set = set_index(r);
        let s = &mut self.sets[set];
        let free = !s.valid_mask() & WAY_MASK;
        if free == 0 {
            return None;
        }
        let way = free.trailing_zeros() as usize;
        let e = s.refs.get_mut(way)?;
        *e = r;
        s.price[way] = price;
        s.shares[way] = shares;
        s.info[way] = VALID
            | (class & 3) << CLASS_SHIFT
            | ((side & 1) as u32) << SIDE_SHIFT
            | ((symbol & 63) as u32) << SYM_SHIFT
            | (idx as u32 & IDX_MASK);
        Some(Slot { set, way })
    }

    /// Reads an entry (the slot came from `lookup`/`insert`, so it is in range).
    #[inline(always)]
    pub fn get(&self, slot: Slot) -> Entry {
        let s = &self.sets[slot.set & (SETS - 1)];
        let w = slot.way % WAYS;
        let info = s.info[w];
        Entry {
            r: s.refs[w],
            symbol: ((info >> SYM_SHIFT) & 63) as usize,
            side: ((info >> SIDE_SHIFT) & 1) as usize,
            price: s.price[w],
            shares: s.shares[w],
            class: (info >> CLASS_SHIFT) & 3,
            idx: (info & IDX_MASK) as usize,
        }
    }

    #[inline(always)]
    pub fn set_shares(&mut self, slot: Slot, shares: u32) {
        self.sets[slot.set & (SETS - 1)].shares[slot.way % WAYS] = shares;
    }

    #[inline(always)]
    pub fn invalidate(&mut self, slot: Slot) {
        self.sets[slot.set & (SETS - 1)].info[slot.way % WAYS] = 0;
    }

    /// Number of valid entries (tests and diagnostics; walks the whole table).
    pub fn len(&self) -> usize {
        self.sets.iter().map(|s| s.valid_mask().count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
