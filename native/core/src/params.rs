//! Build-time parameters of spec §1.
//!
//! They are constants rather than runtime values so that every table is a fixed-size
//! array: indexes masked with `SIZE - 1` then need no bounds check, and the hardware twin
//! has the same sizes baked into its memories.

use crate::contract::params as P;

/// Subscribed symbols, indexed `0..MAX_SYMBOLS`.
pub const MAX_SYMBOLS: usize = P::MAX_SYMBOLS;
/// Accounts, indexed `0..MAX_ACCOUNTS`.
pub const MAX_ACCOUNTS: usize = P::MAX_ACCOUNTS;
/// `L`: price levels per side per symbol (a power of two, at least 64).
pub const WINDOW_TICKS: usize = P::WINDOW_TICKS;
/// Each of the order table's two banks has `2^SET_BITS` sets.
pub const SET_BITS: u32 = P::SET_BITS as u32;
/// Order table associativity.
pub const WAYS: usize = P::WAYS;
/// Stash entries (orders whose two sets are full, still in the book).
pub const STASH_SLOTS: usize = P::STASH_SLOTS;
/// Ghost entries (dropped orders, remembered until they are gone).
pub const GHOST_SLOTS: usize = P::GHOST_SLOTS;

/// Number of sets of the order table.
pub const SETS: usize = 1 << SET_BITS;
/// 64-bit occupancy words per book side (first level of spec §6's bitmap; the Rust book
/// searches its levels with one group word a side instead, but pads each side by as much:
/// `book::levels`).
pub const WORDS: usize = WINDOW_TICKS / 64;

const _: () = assert!(WINDOW_TICKS.is_power_of_two() && WINDOW_TICKS >= 64);
// `idx` is stored in 16 bits of the packed order entry.
const _: () = assert!(WINDOW_TICKS <= 1 << 16);
// Symbol indexes are stored in 6 bits of the order entry and in one record byte.
const _: () = assert!(MAX_SYMBOLS >= P::MAX_SYMBOLS_MIN && MAX_SYMBOLS <= P::MAX_SYMBOLS_MAX);
const _: () = assert!(MAX_ACCOUNTS >= P::MAX_ACCOUNTS_MIN && MAX_ACCOUNTS <= P::MAX_ACCOUNTS_MAX);
const _: () = assert!(WINDOW_TICKS >= P::WINDOW_TICKS_MIN && WINDOW_TICKS <= P::WINDOW_TICKS_MAX);
const _: () = assert!(WAYS >= P::WAYS_MIN && WAYS <= P::WAYS_MAX);
const _: () = assert!(SET_BITS as usize >= P::SET_BITS_MIN && SET_BITS as usize <= P::SET_BITS_MAX);
// Stash and ghost indexes are stored in a u8.
const _: () = assert!(STASH_SLOTS <= P::STASH_SLOTS_MAX && GHOST_SLOTS <= P::GHOST_SLOTS_MAX && GHOST_SLOTS <= 255);
