//! The counters of spec §12.
//!
//! Both engines expose the same counters and the differential tests compare them, so
//! they are plain public fields with the spec's names rather than an API of getters.

/// Counters of spec §12.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Framed messages, i.e. the last seq handed out.
    pub messages: u64,
    /// Seq-taking frames by type byte (a truncated frame without a type byte counts as 0),
    /// so `by_type` sums to `messages`. Control messages (`~`, 28 bytes) take no seq and
    /// are counted in `controls`, `problems[BAD_CONTROL]` or `problems[FOREIGN_CONTROL]`
    /// (plus `controls` for the kill it engages) instead.
    pub by_type: [u64; 256],
    /// Indexed by problem code (index 0 unused).
    pub problems: [u64; 6],
    pub unknown_ref: u64,
    pub table_full: u64,
    pub flagged: u64,
    pub tob: u64,
    pub decisions: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub fills: u64,
    pub controls: u64,
    /// Order table (§5): inserts that went to the stash, to the ghost list, or nowhere.
    pub stash_inserts: u64,
    pub ghost_inserts: u64,
    pub untracked_drops: u64,
    /// Times a symbol's COLLISION cleared by itself (its last ghost left).
    pub collision_clears: u64,
    /// Peaks of book orders (table and stash), stash and ghost occupancy.
    pub live_peak: u64,
    pub stash_peak: u64,
    pub ghost_peak: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            messages: 0,
            by_type: [0; 256],
            problems: [0; 6],
            unknown_ref: 0,
            table_full: 0,
            flagged: 0,
            tob: 0,
            decisions: 0,
            accepted: 0,
            rejected: 0,
            fills: 0,
            controls: 0,
            stash_inserts: 0,
            ghost_inserts: 0,
            untracked_drops: 0,
            collision_clears: 0,
            live_peak: 0,
            stash_peak: 0,
            ghost_peak: 0,
        }
    }
}
