//! The bounded book of spec §4–§6: per symbol and side a fixed window of price levels,
//! the order table that remembers where each order went, and the flags that say when
//! the window's top of book may be wrong.
//!
//! - `window`: price → tick → class and level (§4), no division;
//! - `order_table`: the set-associative table of live orders (§5);
//! - `levels`: one side's level array (§6; the next best found in the levels);
//! - `flags`: out-of-band counters and the BAND/COLLISION flags (§6).
//!
//! `Book` ties them together with the three order effects of §6 (insert, reduce,
//! remove) and the top-of-book read; it knows nothing about messages, records or risk.

pub mod flags;
pub mod levels;
pub mod order_table;
pub mod window;

pub use levels::BookSide;
pub use order_table::{Entry, Occupancy, OrderTable, Placed, Probe, Slot};
pub use window::{class, tick_quotient};

use crate::error::EngineError;
use crate::huge::{huge_size, HugeBox};
use crate::params::MAX_SYMBOLS;
use crate::snapshot::{invalid, Reader, Writer};
use flags::OutOfBand;
use window::Window;

/// Side index of the bid (buy) side; order-table entries store 1 for buy.
pub const BID: usize = 1;
/// Side index of the ask (sell) side.
pub const ASK: usize = 0;

/// The top-of-book tuple of §7. An empty side has price 0 and size 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Top {
    pub bid_px: u32,
    pub bid_sz: u32,
    pub ask_px: u32,
    pub ask_sz: u32,
}

impl Top {
    /// `self == other` in one comparison instead of one branch per field: the tuple as
    /// one 128-bit word (`words`).
    #[inline(always)]
    pub fn same_as(&self, other: &Top) -> bool {
        self.words() == other.words()
    }

    /// The tuple as one 128-bit word, the fields in their memory order (so the compiler
    /// reads a stored `Top` as one 16-byte load): bid price, bid size, ask price, ask
    /// size from the low bits up; each side's half is its `touch_word`.
    #[inline(always)]
    pub fn words(&self) -> u128 {
        touch_word(self.bid_px, self.bid_sz) as u128 | (touch_word(self.ask_px, self.ask_sz) as u128) << 64
    }
}

/// A level change an order effect leaves for its caller to apply (`Book::apply`):
/// `level[idx] += delta` (wrapping: a reduce adds the negated shares) on side `side` of
/// symbol `i`. The engine applies the level change of every message type at one place,
/// so the level update and the best-level upkeep are one copy of code, not one per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelDelta {
    i: usize,
    side: usize,
    idx: usize,
    delta: u32,
}

/// One side of the top of book as one word: the price in the low half, the size in the
/// high half.
#[inline(always)]
fn touch_word(price: u32, size: u32) -> u64 {
    price as u64 | (size as u64) << 32
}

/// Best level index of an empty side: below every bid index, above every ask index, so
/// "better than the best" is one comparison either way.
const NO_BID: i32 = -1;
const NO_ASK: i32 = i32::MAX;

/// Book state of one symbol besides its levels. What a book message reads and writes
/// (best levels, the top of book they give, the window, the dirty bit, the flag masks)
/// shares the first cache line; the out-of-band counters, changed rarely, come last.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct SymbolBook {
    /// Best level per side (`[ASK, BID]`), kept up to date by every level change so the
    /// top of book needs no search unless the best level empties.
    best: [i32; 2],
    /// Per side (`[ASK, BID]`), the group word of its levels (`levels::GROUP`): set by
    /// every level change (`apply`), next to `best`, which the same change reads.
    groups: [u64; 2],
    /// Price and size of the best ask level (`touch_word`; 0 when empty): with
    /// `touch_bid`, the top of book, kept by the same level changes as `best`, so reading
    /// it costs no level load and no multiply. One 8-byte word a side, written whole, and
    /// the two sides apart (`window` between them), so `top` reads them as two 8-byte
    /// loads: a level change has just written one of them, and an 8-byte load of an
    /// 8-byte store in flight takes its value from the store, where a 16-byte load of both
    /// sides (four 4-byte words before) had to wait until the store reached the cache
    /// (~4% of `perf`'s samples sat right after that load).
    touch_ask: u64,
    window: Window,
    touch_bid: u64,
    /// The top of book or the flags may have changed since the last `top` (§7): set by
    /// level changes at or past the best, out-of-band changes and COLLISION changes.
    dirty: bool,
    /// The flags of §6 as far as they do not depend on which sides are empty, and those
    /// added while the bid side, or the ask side, is empty (`refresh_flags`).
    flags_always: u8,
    flags_bid_empty: u8,
    flags_ask_empty: u8,
    /// Live ghosts of the symbol (§5): orders the table could not place.
    ghosts: u32,
    /// An order of the symbol was dropped with no ghost slot free (§5); until control op
    /// CLEAR_COLLISION.
    lost: bool,
    oob: OutOfBand,
}

impl Default for SymbolBook {
    fn default() -> Self {
        SymbolBook {
            best: [NO_ASK, NO_BID],
            groups: [0; 2],
            touch_ask: 0,
            window: Window::default(),
            touch_bid: 0,
            dirty: false,
            flags_always: 0,
            flags_bid_empty: 0,
            flags_ask_empty: 0,
            ghosts: 0,
            lost: false,
            oob: OutOfBand::default(),
        }
    }
}

impl SymbolBook {
    /// §5: COLLISION while an order of the symbol is not in the book.
    fn collision(&self) -> bool {
        self.ghosts != 0 || self.lost
    }

    /// Recomputes the flag masks after an out-of-band counter or the COLLISION state
    /// changed (both rare next to level changes).
    fn refresh_flags(&mut self) {
        let always = flags::flags(&self.oob, false, false, self.collision());
        self.flags_always = always;
        self.flags_bid_empty = flags::flags(&self.oob, true, false, false) & !always;
        self.flags_ask_empty = flags::flags(&self.oob, false, true, false) & !always;
    }

    /// The touch word of `side` (`touch_ask` or `touch_bid`).
    #[inline(always)]
    fn touch(&mut self, side: usize) -> &mut u64 {
        if side & 1 == BID {
            &mut self.touch_bid
        } else {
            &mut self.touch_ask
        }
    }

    /// The flags byte of §6 now: `flags::flags` of the counters, the empty sides and the
    /// COLLISION state, from the masks.
    #[inline(always)]
    fn flags(&self) -> u8 {
        let bid_empty = (self.best[BID] == NO_BID) as u8;
        let ask_empty = (self.best[ASK] == NO_ASK) as u8;
        self.flags_always | (self.flags_bid_empty & bid_empty.wrapping_neg()) | (self.flags_ask_empty & ask_empty.wrapping_neg())
    }
}

/// What the book did to the order table's overflow path, for the stats of §12.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OverflowStats {
    pub stash_inserts: u64,
    pub ghost_inserts: u64,
    pub untracked_drops: u64,
    pub collision_clears: u64,
}

/// Every subscribed symbol's book plus the order table. Allocated once.
pub struct Book {
    tick: u64,
    recip: u64,
    orders: OrderTable,
    sides: HugeBox<[[BookSide; 2]; MAX_SYMBOLS]>,
    syms: Box<[SymbolBook; MAX_SYMBOLS]>,
    overflow: OverflowStats,
}

impl Book {
    /// An empty book for `TICK` and its reciprocal `TICK_RECIP` (§4).
    pub fn new(tick: u64, recip: u64) -> Book {
        Book {
            tick,
            recip,
            orders: OrderTable::new(),
            sides: HugeBox::zeroed(),
            syms: crate::boxed_array(SymbolBook::default()),
            overflow: OverflowStats::default(),
        }
    }

    /// Back to empty (no reallocation).
    pub fn clear(&mut self) {
        self.orders.clear();
        for sides in self.sides.iter_mut() {
            for side in sides.iter_mut() {
                side.clear();
            }
        }
        self.syms.fill(SymbolBook::default());
        self.overflow = OverflowStats::default();
    }

    /// Book orders in the order table and stash.
    pub fn live_orders(&self) -> usize {
        self.orders.len()
    }

    /// Bytes of heap the book holds (order table, levels, per-symbol state).
    pub fn heap_bytes(&self) -> usize {
        self.orders.heap_bytes()
            + huge_size::<[[BookSide; 2]; MAX_SYMBOLS]>()
            + core::mem::size_of::<[SymbolBook; MAX_SYMBOLS]>()
    }

    /// The order table's occupancy and peaks.
    pub fn occupancy(&self) -> Occupancy {
        self.orders.occupancy()
    }

    /// Counters of the overflow path.
    pub fn overflow(&self) -> OverflowStats {
        self.overflow
    }

    /// The order with reference `r` (§5 lookup).
    #[inline(always)]
    pub fn lookup(&self, r: u64) -> Option<Slot> {
        self.orders.lookup(r)
    }

    /// The order table's first reads for reference `r` (`OrderTable::probe`).
    #[inline(always)]
    pub fn probe(&self, r: u64) -> Probe {
        self.orders.probe(r)
    }

    /// `lookup` from a probe taken since the last change of the book.
    #[inline(always)]
    pub fn lookup_probed(&self, p: Probe) -> Option<Slot> {
        self.orders.lookup_probed(p)
    }

    /// The entry at `slot` (from `lookup`).
    #[inline(always)]
    pub fn order(&self, slot: Slot) -> Entry {
        self.orders.get(slot)
    }

    /// The price of the order at `slot` (from `lookup`).
    #[inline(always)]
    pub fn order_price(&self, slot: Slot) -> u32 {
        self.orders.price(slot)
    }

    /// Adds an order for symbol `i` (§4 window rule and class, §5 insert, §6 effect).
    /// Returns false when the order was dropped from the book (a ghost or lost): the
    /// levels are untouched and the symbol's COLLISION flag is set.
    #[inline(always)]
    #[must_use]
    pub fn insert(&mut self, i: usize, r: u64, side: usize, shares: u32, price: u32) -> bool {
        let p = self.orders.probe(r);
        self.insert_probed(i, p, side, shares, price)
    }

    /// `insert` of the reference of probe `p`, taken since the last change of the book.
    #[inline(always)]
    #[must_use]
    pub fn insert_probed(&mut self, i: usize, p: Probe, side: usize, shares: u32, price: u32) -> bool {
        let (placed, level) = self.insert_probed_deferred(i, p, side, shares, price);
        if let Some(d) = level {
            self.apply(d);
        }
        placed
    }

    /// `insert_probed` without its level change, which it returns for `apply`; the
    /// bool is `insert`'s (false: dropped from the book).
    #[inline(always)]
    pub fn insert_probed_deferred(&mut self, i: usize, p: Probe, side: usize, shares: u32, price: u32) -> (bool, Option<LevelDelta>) {
        let i = i % MAX_SYMBOLS;
        let sym = &mut self.syms[i];
        let at = sym.window.place(price, self.tick, self.recip);
        // Most adds: way 0 of the home set free and the price in the window. That case
        // without the general insert's free-way search and `Placed` (same writes).
        if self.orders.way0_free(p) && at.class == class::IN {
            self.orders.insert_way0_in(p, i, side, price, shares, at.idx);
            return (true, Some(LevelDelta { i, side, idx: at.idx, delta: shares }));
        }
        match self.orders.insert_probed(p, i, side, price, shares, at.class, at.idx) {
            Placed::Table => {}
            Placed::Stash => self.overflow.stash_inserts += 1,
            Placed::Ghost => {
                sym.ghosts += 1;
                sym.refresh_flags();
                sym.dirty = true;
                self.overflow.ghost_inserts += 1;
                return (false, None);
            }
            Placed::Lost => {
                sym.lost = true;
                sym.refresh_flags();
                sym.dirty = true;
                self.overflow.untracked_drops += 1;
                return (false, None);
            }
        }
        if at.class == class::IN {
            return (true, Some(LevelDelta { i, side, idx: at.idx, delta: shares }));
        }
        sym.oob.insert(at.class, side);
        sym.refresh_flags();
        sym.dirty = true;
        (true, None)
    }

    /// Applies a level change an effect left (`*_deferred`): the level, then the best
    /// level and top of book (`level_changed`).
    #[inline(always)]
    pub fn apply(&mut self, d: LevelDelta) {
        let LevelDelta { i, side, idx, delta } = d;
        let i = i % MAX_SYMBOLS;
        self.syms[i].groups[side & 1] |= levels::group_bit(idx);
        let v = self.sides[i][side & 1].add(idx, delta);
        self.level_changed(i, side, idx, v);
    }

    /// Keeps the best level of `side`, the top of book and the dirty bit right after
    /// `level[idx]` became `v`: a non-empty level better than the best is the new best;
    /// an emptied best is found again in the levels; a change at the best changes the
    /// top's size. Changes behind the best leave the top of book alone.
    ///
    /// A change at the best and a new best take one path (best, price and size written
    /// whole; the price of a level never changes once the window is set), so the common
    /// case, a change behind the best, is one test of the distance past the best.
    #[inline(always)]
    fn level_changed(&mut self, i: usize, side: usize, idx: usize, v: u32) {
        let side = side & 1;
        let sym = &mut self.syms[i];
        let best = sym.best[side];
        let idx = idx as i32;
        // Signed distance past the best, toward the touch (≥ 0: at or better).
        let past = if side == BID { idx - best } else { best - idx };
        if past >= 0 && (v != 0 || past == 0) {
            sym.dirty = true;
            if v == 0 {
                self.best_emptied(i, side);
            } else {
                // At the best (same price) or a new best: the same write.
                sym.best[side] = idx;
                *sym.touch(side) = touch_word(sym.window.price(idx as usize, self.tick), v);
            }
        }
    }

    /// The best level of `side` emptied: the next one from the levels, and its price and
    /// size as the top of book.
    #[inline(never)]
    fn best_emptied(&mut self, i: usize, side: usize) {
        let s = &self.sides[i][side];
        let sym = &mut self.syms[i];
        // No level lies past the best that just emptied: search from it on.
        let from = sym.best[side] as usize;
        let groups = &mut sym.groups[side];
        let found = if side == BID { s.highest_at_or_below(groups, from) } else { s.lowest_at_or_above(groups, from) };
        sym.best[side] = match found {
            Some(x) => x as i32,
            None if side == BID => NO_BID,
            None => NO_ASK,
        };
        *sym.touch(side) = match found {
            Some(x) => touch_word(sym.window.price(x, self.tick), s.level(x)),
            None => 0,
        };
    }

    /// Removes an order and takes its remaining shares off the book; a ghost just
    /// leaves, and with the last one of its symbol COLLISION clears (§5).
    #[inline(always)]
    pub fn remove(&mut self, slot: Slot) {
        self.remove_entry(slot, self.orders.get(slot));
    }

    /// `remove` for a caller that already read the entry at `slot` (`order`), so the
    /// table is read once.
    #[inline(always)]
    pub fn remove_entry(&mut self, slot: Slot, e: Entry) {
        if let Some(d) = self.remove_entry_deferred(slot, e) {
            self.apply(d);
        }
    }

    /// `remove_entry` without its level change, which it returns for `apply`.
    #[inline(always)]
    pub fn remove_entry_deferred(&mut self, slot: Slot, e: Entry) -> Option<LevelDelta> {
        self.orders.invalidate(slot);
        self.removed_deferred(e)
    }

    /// D of the order of probe `p` when it sits in way 0 of bank 0 (most deletes): as
    /// `lookup_probed`, `order` and `remove_entry_deferred`; its symbol and level change.
    /// `None` when it is elsewhere or unknown (nothing changed).
    #[inline(always)]
    pub fn delete_way0(&mut self, p: Probe) -> Option<(usize, Option<LevelDelta>)> {
        let e = self.orders.way0_entry(p)?;
        self.orders.free_way0(p);
        Some((e.symbol, self.removed_deferred(e)))
    }

    /// `remove_entry` of the order of probe `p` in way 0 of bank 0 (`e`, from `order_way0(p)`).
    #[inline(always)]
    pub fn remove_way0(&mut self, p: Probe, e: Entry) {
        self.orders.free_way0(p);
        if let Some(d) = self.removed_deferred(e) {
            self.apply(d);
        }
    }

    /// The order of probe `p` when it sits in way 0 of bank 0 (`OrderTable::way0_entry`).
    #[inline(always)]
    pub fn order_way0(&self, p: Probe) -> Option<Entry> {
        self.orders.way0_entry(p)
    }

    /// The price of that order.
    #[inline(always)]
    pub fn order_price_way0(&self, p: Probe) -> u32 {
        self.orders.way0_price(p)
    }

    /// `reduce_entry_deferred` of that order (`e`, from `order_way0(p)`).
    #[inline(always)]
    pub fn reduce_way0_deferred(&mut self, p: Probe, e: Entry, r: u32) -> Option<LevelDelta> {
        let d = r.min(e.shares);
        let left = e.shares - d;
        if left == 0 {
            self.orders.free_way0(p);
            return self.removed_deferred(e);
        }
        self.orders.set_way0_shares(p, left);
        // Never a ghost: ghosts live apart from the banks.
        if e.class == class::IN {
            return Some(LevelDelta { i: e.symbol, side: e.side, idx: e.idx, delta: d.wrapping_neg() });
        }
        None
    }

    /// The book side of a removal whose slot has been freed.
    #[inline(always)]
    fn removed_deferred(&mut self, e: Entry) -> Option<LevelDelta> {
        if e.ghost {
            self.ghost_left(e.symbol);
            None
        } else if e.class == class::IN {
            Some(LevelDelta { i: e.symbol, side: e.side, idx: e.idx, delta: e.shares.wrapping_neg() })
        } else {
            let sym = &mut self.syms[e.symbol % MAX_SYMBOLS];
            sym.oob.remove(e.class, e.side);
            sym.refresh_flags();
            sym.dirty = true;
            None
        }
    }

    #[cold]
    fn ghost_left(&mut self, i: usize) {
        let sym = &mut self.syms[i % MAX_SYMBOLS];
        sym.ghosts -= 1;
        sym.refresh_flags();
        sym.dirty = true;
        if !sym.collision() {
            self.overflow.collision_clears += 1;
        }
    }

    /// Reduces an order by `min(r, shares)`; an order left with 0 shares is removed (even
    /// after a reduce by 0 of a zero-share order).
    #[inline(always)]
    pub fn reduce(&mut self, slot: Slot, r: u32) {
        self.reduce_entry(slot, self.orders.get(slot), r);
    }

    /// `reduce` for a caller that already read the entry at `slot` (`order`).
    #[inline(always)]
    pub fn reduce_entry(&mut self, slot: Slot, e: Entry, r: u32) {
        if let Some(d) = self.reduce_entry_deferred(slot, e, r) {
            self.apply(d);
        }
    }

    /// `reduce_entry` without its level change, which it returns for `apply`.
    #[inline(always)]
    pub fn reduce_entry_deferred(&mut self, slot: Slot, e: Entry, r: u32) -> Option<LevelDelta> {
        let d = r.min(e.shares);
        let left = e.shares - d;
        if left == 0 {
            // Removing with the full remaining count is the same book effect as
            // reducing to zero and then removing 0 shares.
            return self.remove_entry_deferred(slot, e);
        }
        self.orders.set_shares(slot, left);
        if e.class == class::IN && !e.ghost {
            return Some(LevelDelta { i: e.symbol, side: e.side, idx: e.idx, delta: d.wrapping_neg() });
        }
        None
    }

    /// Whether symbol `i`'s top of book or flags may have changed since the last call
    /// (which clears it). When not, both are what `top` returned last time.
    #[inline(always)]
    pub fn take_dirty(&mut self, i: usize) -> bool {
        let sym = &mut self.syms[i % MAX_SYMBOLS];
        core::mem::replace(&mut sym.dirty, false)
    }

    /// Symbol `i`'s top of book (§6 best prices) and its flags, as kept by the level
    /// changes.
    #[inline(always)]
    pub fn top(&self, i: usize) -> (Top, u8) {
        let sym = &self.syms[i % MAX_SYMBOLS];
        let (ask, bid) = (sym.touch_ask, sym.touch_bid);
        (Top { bid_px: bid as u32, bid_sz: (bid >> 32) as u32, ask_px: ask as u32, ask_sz: (ask >> 32) as u32 }, sym.flags())
    }

    /// Symbol `i`'s top of book and flags computed from scratch from its levels and
    /// counters: what `top` must always equal (tests, snapshot restore).
    pub fn computed_top(&self, i: usize) -> (Top, u8) {
        let i = i % MAX_SYMBOLS;
        let sides = &self.sides[i];
        let sym = &self.syms[i];
        let [ask, bid] = sym.best;
        let flags = flags::flags(&sym.oob, bid == NO_BID, ask == NO_ASK, sym.collision());
        let px = |idx: i32| sym.window.price(idx as usize, self.tick);
        let (bid_px, bid_sz) = if bid == NO_BID { (0, 0) } else { (px(bid), sides[BID].level(bid as usize)) };
        let (ask_px, ask_sz) = if ask == NO_ASK { (0, 0) } else { (px(ask), sides[ASK].level(ask as usize)) };
        (Top { bid_px, bid_sz, ask_px, ask_sz }, flags)
    }

    /// Control op CLEAR_COLLISION (§9): the operator's word that the book is exact. Frees
    /// the symbol's ghosts and forgets untracked drops.
    pub fn clear_collision(&mut self, i: usize) {
        let i = i % MAX_SYMBOLS;
        self.orders.free_ghosts_of(i);
        let sym = &mut self.syms[i];
        sym.ghosts = 0;
        sym.lost = false;
        sym.refresh_flags();
        sym.dirty = true;
    }

    /// Snapshot: per symbol its window, out-of-band counters, best levels and order-table
    /// state, its levels; the order table; the overflow counters.
    pub(crate) fn save(&self, w: &mut Writer, n_symbols: usize) {
        for i in 0..n_symbols {
            let sym = &self.syms[i];
            w.u64(sym.window.base_q);
            w.bool(sym.window.set);
            for class in 0..4 {
                for side in 0..2 {
                    w.u32(sym.oob.count(class, side));
                }
            }
            w.i32(sym.best[ASK]);
            w.i32(sym.best[BID]);
            w.bool(sym.dirty);
            w.u32(sym.ghosts);
            w.bool(sym.lost);
            for side in &self.sides[i] {
                side.save(w);
            }
        }
        self.orders.save(w);
        let o = &self.overflow;
        for v in [o.stash_inserts, o.ghost_inserts, o.untracked_drops, o.collision_clears] {
            w.u64(v);
        }
    }

    pub(crate) fn load(&mut self, r: &mut Reader, n_symbols: usize) -> Result<(), EngineError> {
        self.clear();
        for i in 0..n_symbols {
            let mut sym = SymbolBook { window: Window { base_q: r.u64("window base")?, set: r.bool("window set")? }, ..SymbolBook::default() };
            for class in 0..4 {
                for side in 0..2 {
                    sym.oob.set(class, side, r.u32("out-of-band counter")?);
                }
            }
            sym.best[ASK] = r.i32("best ask")?;
            sym.best[BID] = r.i32("best bid")?;
            sym.dirty = r.bool("dirty")?;
            sym.ghosts = r.u32("ghosts")?;
            sym.lost = r.bool("lost")?;
            for side in self.sides[i].iter_mut() {
                side.load(r)?;
            }
            // The best levels are derived state: they must be what the levels say.
            sym.groups = [self.sides[i][ASK].groups_of_levels(), self.sides[i][BID].groups_of_levels()];
            let (bid, ask) = (self.sides[i][BID].highest(&mut sym.groups[BID]), self.sides[i][ASK].lowest(&mut sym.groups[ASK]));
            if sym.best[BID] != bid.map_or(NO_BID, |x| x as i32) || sym.best[ASK] != ask.map_or(NO_ASK, |x| x as i32) {
                return Err(invalid(format!("symbol {i}: best levels disagree with its levels")));
            }
            sym.refresh_flags();
            self.syms[i] = sym;
            let (top, _) = self.computed_top(i);
            self.syms[i].touch_ask = touch_word(top.ask_px, top.ask_sz);
            self.syms[i].touch_bid = touch_word(top.bid_px, top.bid_sz);
        }
        self.orders.load(r)?;
        let ghosts = self.orders.ghosts_by_symbol();
        for (i, sym) in self.syms.iter().enumerate() {
            if sym.ghosts != ghosts[i % 64] {
                return Err(invalid(format!("symbol {i}: {} ghosts counted, {} in the ghost list", sym.ghosts, ghosts[i % 64])));
            }
        }
        let mut v = [0u64; 4];
        for x in v.iter_mut() {
            *x = r.u64("overflow counters")?;
        }
        self.overflow = OverflowStats { stash_inserts: v[0], ghost_inserts: v[1], untracked_drops: v[2], collision_clears: v[3] };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tick_recip;
    use crate::params::WINDOW_TICKS as L;

    /// The top of book and flags kept by the level changes equal the ones computed from
    /// the levels and counters after every effect: in-window, out-of-band and off-tick
    /// orders, reduces, removes, best levels emptied. (Ghosts and lost orders, which need
    /// full sets in both banks, are covered by the engine's differential and golden runs.)
    #[test]
    fn kept_top_equals_computed_top() {
        let tick = 100u32;
        let mut book = Book::new(tick as u64, tick_recip(tick));
        let mut live: Vec<u64> = Vec::new();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut flagged, mut emptied) = (0u32, 0u32);
        for step in 0..200_000u32 {
            let i = (next() % 3) as usize;
            let roll = next() % 100;
            if roll < 45 || live.is_empty() {
                let r = step as u64 + 1;
                let centre = 1_000_000u32;
                let off = (next() % (3 * L as u64)) as u32 * tick;
                let mut price = centre - (3 * L as u32 / 2) * tick + off;
                if next() % 50 == 0 {
                    price += 1; // off tick
                }
                let side = (next() & 1) as usize;
                let shares = (next() % 500) as u32;
                let _ = book.insert(i, r, side, shares, price);
                live.push(r);
            } else {
                let k = (next() % live.len() as u64) as usize;
                let r = live[k];
                if let Some(slot) = book.lookup(r) {
                    if next() % 3 == 0 {
                        book.reduce(slot, (next() % 300) as u32);
                    } else {
                        book.remove(slot);
                    }
                }
                if book.lookup(r).is_none() {
                    live.swap_remove(k);
                }
            }
            if step % 20_000 == 0 {
                book.clear_collision(i);
            }
            for s in 0..3 {
                if step % 8 == 0 {
                    // The best levels the changes keep (and `best_emptied` finds again
                    // from the emptied best's word) are the extreme non-empty levels.
                    let bid = (0..L).rev().find(|&x| book.sides[s][BID].level(x) != 0).map_or(NO_BID, |x| x as i32);
                    let ask = (0..L).find(|&x| book.sides[s][ASK].level(x) != 0).map_or(NO_ASK, |x| x as i32);
                    assert_eq!(book.syms[s].best, [ask, bid], "symbol {s} best levels after step {step}");
                }
                let (top, flags) = book.top(s);
                assert_eq!((top, flags), book.computed_top(s), "symbol {s} after step {step}");
                flagged += (flags != 0) as u32;
                emptied += (top.bid_sz == 0 || top.ask_sz == 0) as u32;
            }
        }
        assert!(flagged > 1000 && emptied > 1000, "flagged {flagged}, a side empty {emptied}");
    }
}
