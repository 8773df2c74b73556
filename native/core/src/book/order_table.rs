//! The order table of spec §5: where every live order of a subscribed symbol is found by
//! its reference number.
//!
//! Two banks of `2^SET_BITS` sets × `WAYS` ways, a stash for orders whose two sets are
//! full, and a ghost list for orders that could not be placed at all (not in the book, but
//! remembered so the engine knows when they are gone).
//!
//! Speed comes from bank 0. Its home set is the XOR-fold of the reference, and ITCH
//! references grow through the day, so consecutive inserts walk consecutive sets (the
//! hardware prefetcher follows) and short-lived orders are deleted while their line is
//! still cached. Bank 1, the stash and the ghosts are only ever read when bank 0's set has
//! *spilled*: each bank-0 set counts the live entries of its home that live elsewhere, so
//! a reference that is not in bank 0 (most of a real feed's references belong to
//! unsubscribed symbols) costs a valid-byte read, one way read and one counter read. The
//! counter is exact, so skipping the other places never changes a result.
//!
//! A bank is stored way-major (`Bank`): a way is 16 bytes (ref, packed `info` word with
//! symbol, side, class and level, shares), way 0 of four neighbouring sets shares a cache
//! line, and the valid ways of 64 sets share another. A set rarely holds more than way 0,
//! so neighbouring orders share lines; a lookup, a cancel or a delete reads the valid
//! byte and, in parallel, way 0. Prices, needed only by executions, sit in a parallel
//! way-major array.

use crate::error::EngineError;
use crate::huge::{huge_size, HugeBox, Zeroable};
use crate::params::{GHOST_SLOTS, SETS, SET_BITS, STASH_SLOTS, WAYS};
use crate::snapshot::{invalid, Reader, Writer};

// Packed `info` word of a way (the valid bit stays set in it; the bank's valid bytes are
// what counts).
const IDX_MASK: u32 = 0xFFFF;
const SYM_SHIFT: u32 = 16;
const SIDE_SHIFT: u32 = 22;
const CLASS_SHIFT: u32 = 23;
const VALID: u32 = 1 << 31;
const WAY_MASK: u32 = (1 << WAYS) - 1;

/// Bank 0's home set: XOR-fold of the 64-bit reference in `SET_BITS`-bit slices from bit 0
/// upward.
///
/// `r >> s` keeps slice `s` in its low bits (the higher bits are masked off at the end),
/// so XOR-ing the shifted copies is the same as XOR-ing the zero-extended slices.
#[inline(always)]
pub fn set_index(r: u64) -> usize {
    let mut x = r;
    if SET_BITS.is_power_of_two() {
        // Slices of a power-of-two width: fold halves (64 → 32 → … → SET_BITS bits).
        let mut w = 64;
        while w > SET_BITS {
            w /= 2;
            x ^= x >> w;
        }
    } else {
        x = 0;
        let mut s = 0u32;
        while s < 64 {
            x ^= r >> s;
            s += SET_BITS;
        }
    }
    (x as usize) & (SETS - 1)
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) byte table.
const CRC32C_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0x82F6_3B78 } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// CRC-32C of the 8 bytes of `r`, least significant byte first (initial value and final
/// XOR 0xFFFFFFFF, as iSCSI and SSE4.2's `crc32` define it).
pub fn crc32c_u64(r: u64) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in r.to_le_bytes() {
        c = CRC32C_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Bank 1's home set: the low `SET_BITS` bits of `crc32c_u64(r)`.
#[inline]
pub fn set_index_1(r: u64) -> usize {
    crc32c_u64(r) as usize & (SETS - 1)
}

/// Asks the CPU to start loading the cache line of `p`. Bank 0's sets are walked in ref
/// order by inserts, a stride the hardware prefetcher misses between the lookups of older
/// orders; asking a few sets ahead hides most of that walk's cache misses.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn prefetch<T>(p: &T) {
    // SAFETY: PREFETCHT0 only hints the cache; it reads no memory architecturally and
    // cannot fault, whatever the address. `p` is a valid reference anyway.
    unsafe { core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const T as *const i8) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch<T>(_p: &T) {}

/// A decoded order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub r: u64,
    pub symbol: usize,
    /// 1 = buy (bid side), 0 = sell.
    pub side: usize,
    pub shares: u32,
    pub class: u32,
    pub idx: usize,
    /// A ghost: remembered, but not in the book.
    pub ghost: bool,
}

/// One way of one set: the ref, the packed `info` word and the shares (16 bytes).
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct Way {
    r: u64,
    info: u32,
    shares: u32,
}

// SAFETY: integers only (`repr(C)`, no padding); all zero is `Way::default()`.
#[allow(unsafe_code)]
unsafe impl Zeroable for Way {}

/// Index of way `w` of set `s` in a bank's way-major arrays. Masked so that every index
/// is provably in range (no bounds check).
#[inline(always)]
fn at(s: usize, w: usize) -> usize {
    (w % WAYS) * SETS + (s & (SETS - 1))
}

/// One bank, stored way-major: way `w` of every set, then way `w + 1`, …, plus the valid
/// ways of each set (one byte a set) and, in the same way-major order, the prices.
///
/// Why way-major and not one cache line per set: ITCH references grow through the day,
/// so consecutive orders land in consecutive bank-0 sets and a set rarely holds more than
/// its first way. With a line per set every live order costs a cache line of its own;
/// way-major packs four neighbouring sets' first ways into one line (and 64 sets' valid
/// bytes into one), so an add writes, and a delete or execution reads, lines that its
/// neighbours already brought in. Which set and which way an order gets is unchanged.
struct Bank {
    ways: HugeBox<[Way; WAYS * SETS]>,
    valid: HugeBox<[u8; SETS]>,
    price: HugeBox<[u32; WAYS * SETS]>,
}

impl Bank {
    fn new() -> Bank {
        Bank { ways: HugeBox::zeroed(), valid: HugeBox::zeroed(), price: HugeBox::zeroed() }
    }

    fn clear(&mut self) {
        self.ways.fill(Way::default());
        self.valid.fill(0);
        self.price.fill(0);
    }

    /// Valid ways of set `s`, as a bit mask.
    #[inline(always)]
    fn valid_mask(&self, s: usize) -> u32 {
        self.valid[s & (SETS - 1)] as u32
    }

    /// The lowest valid way of set `s` holding `r`. The valid byte decides which ways are
    /// read at all: an empty way's line is never touched (most sets use only way 0).
    #[inline(always)]
    fn hit(&self, s: usize, r: u64) -> Option<usize> {
        let valid = self.valid_mask(s);
        // Way 0 first, its ref read without waiting for the valid byte: the two loads
        // overlap instead of one cache miss waiting for the other, and way 0 is where
        // almost every order of a sparsely filled set lives. Same answer as the loop.
        if self.ways[at(s, 0)].r == r && valid & 1 != 0 {
            return Some(0);
        }
        self.hit_above_way0(s, valid, r)
    }

    /// `hit` for ways 1 and up, given the set's valid mask.
    #[inline(always)]
    fn hit_above_way0(&self, s: usize, valid: u32, r: u64) -> Option<usize> {
        let mut left = valid & !1;
        while left != 0 {
            let w = left.trailing_zeros() as usize;
            if self.ways[at(s, w)].r == r {
                return Some(w);
            }
            left &= left - 1;
        }
        None
    }

    /// Way `w` of set `s`.
    #[inline(always)]
    fn way(&self, s: usize, w: usize) -> &Way {
        &self.ways[at(s, w)]
    }

    /// Writes way `w` of set `s` and marks it valid.
    #[inline(always)]
    fn put(&mut self, s: usize, w: usize, r: u64, price: u32, shares: u32, info: u32) {
        let k = at(s, w);
        self.ways[k] = Way { r, info, shares };
        self.price[k] = price;
        self.valid[s & (SETS - 1)] |= 1 << (w % WAYS);
    }

    /// Marks way `w` of set `s` free; returns its ref.
    #[inline(always)]
    fn free(&mut self, s: usize, w: usize) -> u64 {
        self.valid[s & (SETS - 1)] &= !(1u8 << (w % WAYS));
        self.ways[at(s, w)].r
    }
}

/// What a lookup or insert of `r` reads first from bank 0 (`OrderTable::probe`).
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    r: u64,
    s0: usize,
    valid: u32,
    way0: u64,
}

impl Probe {
    /// The reference the probe was taken for.
    pub fn r(&self) -> u64 {
        self.r
    }
}

/// A stash or ghost entry (ghosts leave `class` and `idx` unused).
#[derive(Clone, Copy, Default)]
struct Loose {
    valid: bool,
    r: u64,
    price: u32,
    shares: u32,
    info: u32,
}

/// Where an order lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Bank 0 or 1, set, way.
    Table { bank: u8, set: u32, way: u8 },
    Stash(u8),
    Ghost(u8),
}

/// Where an insert put the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placed {
    /// In bank 0 or 1: a book order.
    Table,
    /// In the stash: a book order.
    Stash,
    /// Dropped from the book and remembered as a ghost.
    Ghost,
    /// Dropped with no ghost slot free: untracked.
    Lost,
}

/// Occupancy counters of the table (spec §12 peaks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Occupancy {
    /// Book orders (table and stash) now, and their peak.
    pub live: u64,
    pub live_peak: u64,
    pub stash: u64,
    pub stash_peak: u64,
    pub ghosts: u64,
    pub ghost_peak: u64,
}

/// The two banks, the spill counters, the stash and the ghosts, allocated once.
pub struct OrderTable {
    banks: [Bank; 2],
    /// Per bank-0 set: live entries (bank 1, stash, ghosts) whose bank-0 home it is.
    spill: HugeBox<[u32; SETS]>,
    stash: [Loose; STASH_SLOTS],
    ghosts: [Loose; GHOST_SLOTS],
    occ: Occupancy,
}

impl Default for OrderTable {
    fn default() -> Self {
        Self::new()
    }
}

fn pack(symbol: usize, side: usize, class: u32, idx: usize) -> u32 {
    VALID | (class & 3) << CLASS_SHIFT | ((side & 1) as u32) << SIDE_SHIFT | ((symbol & 63) as u32) << SYM_SHIFT | (idx as u32 & IDX_MASK)
}

fn unpack(r: u64, shares: u32, info: u32, ghost: bool) -> Entry {
    Entry {
        r,
        symbol: ((info >> SYM_SHIFT) & 63) as usize,
        side: ((info >> SIDE_SHIFT) & 1) as usize,
        shares,
        class: (info >> CLASS_SHIFT) & 3,
        idx: (info & IDX_MASK) as usize,
        ghost,
    }
}

/// The lowest valid loose entry holding `r`.
fn find_loose(list: &[Loose], r: u64) -> Option<usize> {
    list.iter().position(|e| e.valid && e.r == r)
}

impl OrderTable {
    pub fn new() -> Self {
        OrderTable {
            banks: [Bank::new(), Bank::new()],
            spill: HugeBox::zeroed(),
            stash: [Loose::default(); STASH_SLOTS],
            ghosts: [Loose::default(); GHOST_SLOTS],
            occ: Occupancy::default(),
        }
    }

    /// Invalidates every entry.
    pub fn clear(&mut self) {
        for b in self.banks.iter_mut() {
            b.clear();
        }
        self.spill.fill(0);
        self.stash = [Loose::default(); STASH_SLOTS];
        self.ghosts = [Loose::default(); GHOST_SLOTS];
        self.occ = Occupancy::default();
    }

    /// Occupancy now and its peaks.
    pub fn occupancy(&self) -> Occupancy {
        self.occ
    }

    /// Reads what a lookup or insert of `r` reads first (bank 0's valid byte and way 0
    /// of `r`'s home set), so the engine can issue these loads before it knows which
    /// message type it has: they then run while the type dispatch resolves.
    #[inline(always)]
    pub fn probe(&self, r: u64) -> Probe {
        let s0 = set_index(r);
        Probe { r, s0, valid: self.banks[0].valid_mask(s0), way0: self.banks[0].way(s0, 0).r }
    }

    /// The first place holding `r`: bank 0, bank 1, stash, ghosts (§5).
    #[inline(always)]
    pub fn lookup(&self, r: u64) -> Option<Slot> {
        self.lookup_probed(self.probe(r))
    }

    /// `lookup(p.r)` from its probe (taken with the table as it is now).
    #[inline(always)]
    pub fn lookup_probed(&self, p: Probe) -> Option<Slot> {
        let Probe { r, s0, valid, way0 } = p;
        if way0 == r && valid & 1 != 0 {
            return Some(Slot::Table { bank: 0, set: s0 as u32, way: 0 });
        }
        if let Some(w) = self.banks[0].hit_above_way0(s0, valid, r) {
            return Some(Slot::Table { bank: 0, set: s0 as u32, way: w as u8 });
        }
        if self.spill[s0 & (SETS - 1)] == 0 {
            return None;
        }
        self.lookup_spilled(r)
    }

    /// The order of probe `p` when `lookup_probed(p)` finds it in way 0 of bank 0 (most
    /// lookups), else `None`: `lookup_probed` and `get` in the instructions that case
    /// needs (the way's address is the probe's; no `Slot` is built and taken apart again
    /// by each later step). The `*_way0` methods below act on that order, as the general
    /// ones on `Slot::Table { bank: 0, set: p.s0, way: 0 }`.
    #[inline(always)]
    pub fn way0_entry(&self, p: Probe) -> Option<Entry> {
        if p.way0 != p.r || p.valid & 1 == 0 {
            return None;
        }
        let w = &self.banks[0].ways[at(p.s0, 0)];
        Some(unpack(p.r, w.shares, w.info, false))
    }

    /// `price` of the order `way0_entry(p)` found.
    #[inline(always)]
    pub fn way0_price(&self, p: Probe) -> u32 {
        self.banks[0].price[at(p.s0, 0)]
    }

    /// `set_shares` of the order `way0_entry(p)` found.
    #[inline(always)]
    pub fn set_way0_shares(&mut self, p: Probe, shares: u32) {
        self.banks[0].ways[at(p.s0, 0)].shares = shares;
    }

    /// `invalidate` of the order `way0_entry(p)` found.
    #[inline(always)]
    pub fn free_way0(&mut self, p: Probe) {
        self.banks[0].free(p.s0, 0);
        self.occ.live -= 1;
    }

    /// Whether way 0 of probe `p`'s home set in bank 0 is free (where `insert_probed`
    /// puts the order when it is: the lowest free way).
    #[inline(always)]
    pub fn way0_free(&self, p: Probe) -> bool {
        p.valid & 1 == 0
    }

    /// `insert_probed(p, symbol, side, price, shares, class::IN, idx)` when `way0_free(p)`:
    /// the same writes (way 0 of the home set, the live count, the prefetch ahead) without
    /// finding the free way and without a `Placed` for the caller to match.
    #[inline(always)]
    pub fn insert_way0_in(&mut self, p: Probe, symbol: usize, side: usize, price: u32, shares: u32, idx: usize) {
        debug_assert!(self.way0_free(p));
        prefetch(&self.banks[0].ways[at(p.s0 + 32, 0)]);
        self.banks[0].put(p.s0, 0, p.r, price, shares, pack(symbol, side, super::class::IN, idx));
        self.count_live();
    }

    /// The rest of the lookup, for a bank-0 set that has spilled.
    #[inline(never)]
    fn lookup_spilled(&self, r: u64) -> Option<Slot> {
        let s1 = set_index_1(r);
        if let Some(w) = self.banks[1].hit(s1, r) {
            return Some(Slot::Table { bank: 1, set: s1 as u32, way: w as u8 });
        }
        if let Some(k) = find_loose(&self.stash, r) {
            return Some(Slot::Stash(k as u8));
        }
        find_loose(&self.ghosts, r).map(|k| Slot::Ghost(k as u8))
    }

    /// Places an order (§5 insert): bank 0, bank 1, stash, else a ghost, else lost.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn insert(&mut self, r: u64, symbol: usize, side: usize, price: u32, shares: u32, class: u32, idx: usize) -> Placed {
        let p = self.probe(r);
        self.insert_probed(p, symbol, side, price, shares, class, idx)
    }

    /// `insert(p.r, ..)` from its probe (taken with the table as it is now).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn insert_probed(&mut self, p: Probe, symbol: usize, side: usize, price: u32, shares: u32, class: u32, idx: usize) -> Placed {
        let (r, s0) = (p.r, p.s0);
        let info = pack(symbol, side, class, idx);
        // The sets the next inserts will walk into (refs grow).
        prefetch(&self.banks[0].ways[at(s0 + 32, 0)]);
        let free = !p.valid & WAY_MASK;
        if free != 0 {
            self.banks[0].put(s0, free.trailing_zeros() as usize, r, price, shares, info);
            self.count_live();
            return Placed::Table;
        }
        self.insert_spilled(s0, r, price, shares, info)
    }

    #[inline(never)]
    fn insert_spilled(&mut self, s0: usize, r: u64, price: u32, shares: u32, info: u32) -> Placed {
        let s1 = set_index_1(r);
        let free = !self.banks[1].valid_mask(s1) & WAY_MASK;
        let placed = if free != 0 {
            self.banks[1].put(s1, free.trailing_zeros() as usize, r, price, shares, info);
            self.count_live();
            Placed::Table
        } else if let Some(k) = self.stash.iter().position(|e| !e.valid) {
            self.stash[k] = Loose { valid: true, r, price, shares, info };
            self.count_live();
            self.occ.stash += 1;
            self.occ.stash_peak = self.occ.stash_peak.max(self.occ.stash);
            Placed::Stash
        } else if let Some(k) = self.ghosts.iter().position(|e| !e.valid) {
            self.ghosts[k] = Loose { valid: true, r, price, shares, info };
            self.occ.ghosts += 1;
            self.occ.ghost_peak = self.occ.ghost_peak.max(self.occ.ghosts);
            Placed::Ghost
        } else {
            return Placed::Lost;
        };
        self.spill[s0] += 1;
        placed
    }

    #[inline(always)]
    fn count_live(&mut self) {
        self.occ.live += 1;
        self.occ.live_peak = self.occ.live_peak.max(self.occ.live);
    }

    /// Reads an entry (the slot came from `lookup`, so it is in range). The price is
    /// read apart (`price`): only executions need it, and it lives on another line.
    #[inline(always)]
    pub fn get(&self, slot: Slot) -> Entry {
        match slot {
            Slot::Table { bank, set, way } => {
                let e = self.banks[bank as usize & 1].way(set as usize, way as usize);
                unpack(e.r, e.shares, e.info, false)
            }
            Slot::Stash(k) => {
                let e = &self.stash[k as usize % STASH_SLOTS];
                unpack(e.r, e.shares, e.info, false)
            }
            Slot::Ghost(k) => {
                let e = &self.ghosts[k as usize % GHOST_SLOTS];
                unpack(e.r, e.shares, e.info, true)
            }
        }
    }

    /// The price of the order at `slot`.
    #[inline(always)]
    pub fn price(&self, slot: Slot) -> u32 {
        match slot {
            Slot::Table { bank, set, way } => self.banks[bank as usize & 1].price[at(set as usize, way as usize)],
            Slot::Stash(k) => self.stash[k as usize % STASH_SLOTS].price,
            Slot::Ghost(k) => self.ghosts[k as usize % GHOST_SLOTS].price,
        }
    }

    #[inline(always)]
    pub fn set_shares(&mut self, slot: Slot, shares: u32) {
        match slot {
            Slot::Table { bank, set, way } => {
                self.banks[bank as usize & 1].ways[at(set as usize, way as usize)].shares = shares
            }
            Slot::Stash(k) => self.stash[k as usize % STASH_SLOTS].shares = shares,
            Slot::Ghost(k) => self.ghosts[k as usize % GHOST_SLOTS].shares = shares,
        }
    }

    /// Frees a slot.
    #[inline(always)]
    pub fn invalidate(&mut self, slot: Slot) {
        match slot {
            Slot::Table { bank: 0, set, way } => {
                self.banks[0].free(set as usize, way as usize);
                self.occ.live -= 1;
            }
            _ => self.invalidate_spilled(slot),
        }
    }

    #[inline(never)]
    fn invalidate_spilled(&mut self, slot: Slot) {
        let r = match slot {
            Slot::Table { bank, set, way } => {
                self.occ.live -= 1;
                self.banks[bank as usize & 1].free(set as usize, way as usize)
            }
            Slot::Stash(k) => {
                let e = &mut self.stash[k as usize % STASH_SLOTS];
                e.valid = false;
                self.occ.live -= 1;
                self.occ.stash -= 1;
                e.r
            }
            Slot::Ghost(k) => {
                let e = &mut self.ghosts[k as usize % GHOST_SLOTS];
                e.valid = false;
                self.occ.ghosts -= 1;
                e.r
            }
        };
        self.spill[set_index(r)] -= 1;
    }

    /// Frees every ghost of symbol `i` (control op CLEAR_COLLISION); returns how many.
    pub fn free_ghosts_of(&mut self, i: usize) -> u32 {
        let mut n = 0;
        for k in 0..GHOST_SLOTS {
            let e = self.ghosts[k];
            if e.valid && ((e.info >> SYM_SHIFT) & 63) as usize == i {
                self.invalidate_spilled(Slot::Ghost(k as u8));
                n += 1;
            }
        }
        n
    }

    /// Bytes of heap the table holds (its banks and spill counters).
    pub fn heap_bytes(&self) -> usize {
        2 * (huge_size::<[Way; WAYS * SETS]>() + huge_size::<[u8; SETS]>() + huge_size::<[u32; WAYS * SETS]>()) + huge_size::<[u32; SETS]>()
    }

    /// Number of book orders (table and stash).
    pub fn len(&self) -> usize {
        self.occ.live as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Loose {
    fn save(&self, w: &mut Writer) {
        w.bool(self.valid);
        if self.valid {
            w.u64(self.r);
            w.u32(self.price);
            w.u32(self.shares);
            w.u32(self.info);
        }
    }

    fn load(r: &mut Reader, what: &str) -> Result<Loose, EngineError> {
        if !r.bool(what)? {
            return Ok(Loose::default());
        }
        Ok(Loose { valid: true, r: r.u64(what)?, price: r.u32(what)?, shares: r.u32(what)?, info: r.u32(what)? })
    }
}

impl OrderTable {
    /// Snapshot: every valid way with its bank, set and way (placement of later orders
    /// depends on them), the stash and ghost slots, the occupancy counters. The spill
    /// counters are rebuilt on load.
    pub(crate) fn save(&self, w: &mut Writer) {
        for b in &self.banks {
            let used: Vec<usize> = (0..SETS).filter(|&s| b.valid[s] != 0).collect();
            w.u32(used.len() as u32);
            for s in used {
                w.u32(s as u32);
                w.u8(b.valid[s]);
                for way in 0..WAYS {
                    if b.valid[s] & (1 << way) != 0 {
                        let e = b.way(s, way);
                        w.u64(e.r);
                        w.u32(e.info);
                        w.u32(e.shares);
                        w.u32(b.price[at(s, way)]);
                    }
                }
            }
        }
        for e in self.stash.iter().chain(self.ghosts.iter()) {
            e.save(w);
        }
        let o = &self.occ;
        for v in [o.live, o.live_peak, o.stash, o.stash_peak, o.ghosts, o.ghost_peak] {
            w.u64(v);
        }
    }

    pub(crate) fn load(&mut self, r: &mut Reader) -> Result<(), EngineError> {
        self.clear();
        for bank in 0..2 {
            for _ in 0..r.count("order-table sets", 9, SETS)? {
                let s = r.index("set", SETS)?;
                let valid = r.u8("valid ways")?;
                if valid as u32 & !WAY_MASK != 0 || self.banks[bank].valid[s] != 0 {
                    return Err(invalid(format!("bank {bank} set {s}: bad or repeated valid mask {valid:#x}")));
                }
                for way in 0..WAYS {
                    if valid & (1 << way) != 0 {
                        let (rf, info, shares, price) = (r.u64("ref")?, r.u32("info")?, r.u32("shares")?, r.u32("price")?);
                        if bank == 0 && set_index(rf) != s || bank == 1 && set_index_1(rf) != s {
                            return Err(invalid(format!("ref {rf} is not at home in bank {bank} set {s}")));
                        }
                        self.banks[bank].put(s, way, rf, price, shares, info);
                    }
                }
            }
        }
        for k in 0..STASH_SLOTS {
            self.stash[k] = Loose::load(r, "stash slot")?;
        }
        for k in 0..GHOST_SLOTS {
            self.ghosts[k] = Loose::load(r, "ghost slot")?;
        }
        // Spill counters: every entry outside bank 0 counts at its bank-0 home.
        let mut outside: Vec<u64> = Vec::new();
        for s in 0..SETS {
            let b = &self.banks[1];
            for way in 0..WAYS {
                if b.valid[s] & (1 << way) != 0 {
                    outside.push(b.way(s, way).r);
                }
            }
        }
        outside.extend(self.stash.iter().chain(self.ghosts.iter()).filter(|e| e.valid).map(|e| e.r));
        for rf in outside {
            self.spill[set_index(rf)] += 1;
        }
        let mut v = [0u64; 6];
        for x in v.iter_mut() {
            *x = r.u64("occupancy")?;
        }
        self.occ = Occupancy { live: v[0], live_peak: v[1], stash: v[2], stash_peak: v[3], ghosts: v[4], ghost_peak: v[5] };
        let live = self.banks.iter().map(|b| b.valid.iter().map(|m| m.count_ones() as u64).sum::<u64>()).sum::<u64>()
            + self.stash.iter().filter(|e| e.valid).count() as u64;
        let ghosts = self.ghosts.iter().filter(|e| e.valid).count() as u64;
        if live != self.occ.live || ghosts != self.occ.ghosts {
            return Err(invalid(format!("occupancy {}/{} disagrees with the entries {live}/{ghosts}", self.occ.live, self.occ.ghosts)));
        }
        Ok(())
    }

    /// Live ghosts of each symbol (to check a restored book against its table).
    pub(crate) fn ghosts_by_symbol(&self) -> [u32; 64] {
        let mut n = [0u32; 64];
        for e in self.ghosts.iter().filter(|e| e.valid) {
            n[((e.info >> SYM_SHIFT) & 63) as usize] += 1;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_check_value() {
        // The standard check value: CRC-32C("123456789") = 0xE3069283.
        let mut c = 0xFFFF_FFFFu32;
        for b in b"123456789" {
            c = CRC32C_TABLE[((c ^ *b as u32) & 0xFF) as usize] ^ (c >> 8);
        }
        assert_eq!(!c, 0xE306_9283);
        // Eight zero bytes, least significant first (SSE4.2 `crc32 r64` from !0 then !).
        assert_eq!(crc32c_u64(0), 0x8C28_B28A);
    }

    #[test]
    fn spill_counts_follow_the_entries() {
        let mut t = OrderTable::new();
        // Refs with bank-0 home 5: r = 5 + k·2^16·(1 + 2^16) keeps every slice XOR at 5.
        let step = (1u64 << SET_BITS) | (1u64 << (2 * SET_BITS));
        let refs: Vec<u64> = (0..(2 * WAYS + STASH_SLOTS + GHOST_SLOTS + 1) as u64).map(|k| 5 + k * step).collect();
        assert!(refs.iter().all(|&r| set_index(r) == 5));
        let placed: Vec<Placed> = refs.iter().map(|&r| t.insert(r, 1, 1, 100, 10, 0, 7)).collect();
        assert!(placed[..WAYS].iter().all(|&p| p == Placed::Table));
        assert_eq!(t.spill[5] as usize, refs.len() - WAYS - placed.iter().filter(|&&p| p == Placed::Lost).count());
        for (&r, &p) in refs.iter().zip(&placed) {
            let found = t.lookup(r);
            match p {
                Placed::Lost => assert_eq!(found, None),
                Placed::Ghost => assert!(matches!(found, Some(Slot::Ghost(_)))),
                Placed::Stash => assert!(matches!(found, Some(Slot::Stash(_)))),
                Placed::Table => assert!(matches!(found, Some(Slot::Table { .. }))),
            }
        }
        for &r in &refs {
            if let Some(s) = t.lookup(r) {
                t.invalidate(s);
            }
        }
        assert_eq!(t.spill[5], 0);
        assert_eq!((t.occ.live, t.occ.stash, t.occ.ghosts), (0, 0, 0));
    }
}
