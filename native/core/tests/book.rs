//! Ticks, window, classes, flags, the order table (spec §4–§7), plus a full-depth
//! reference book that every unflagged TOB must match.

mod common;
use common::*;
use riskgate_core::config::{tick_recip, symbol_name};
use riskgate_core::params::{GHOST_SLOTS, SETS, SET_BITS, STASH_SLOTS, WAYS};
use riskgate_core::records::{flag, op, Record};
use riskgate_testkit::{self as synth, Frames, Rng, SessionSpec};
use riskgate_core::book::order_table::{crc32c_u64, set_index, set_index_1};
use riskgate_core::{tick_quotient, Config, Engine};
use std::collections::HashMap;

fn check_tick(tick: u32, p: u32) {
    let r = tick_recip(tick);
    let q = tick_quotient(p, r);
    assert_eq!(q, (p / tick) as u64, "tick {tick} p {p}");
    assert_eq!(q * tick as u64 == p as u64, p.is_multiple_of(tick), "on_tick tick {tick} p {p}");
}

#[test]
fn tick_reciprocal_is_exact_for_every_tick() {
    let mut rng = Rng(5);
    for tick in 1..=65535u32 {
        let t = tick as u64;
        let max_k = u32::MAX as u64 / t;
        for p in [0, 1, 2, u32::MAX, u32::MAX - 1, tick - 1, tick, tick + 1] {
            check_tick(tick, p);
        }
        // Around the largest multiples, where the error term is biggest.
        for k in [max_k, max_k - 1, max_k / 2, 1] {
            let m = k * t;
            for d in [-1i64, 0, 1] {
                let p = m as i64 + d;
                if (0..=u32::MAX as i64).contains(&p) {
                    check_tick(tick, p as u32);
                }
            }
        }
        for _ in 0..8 {
            check_tick(tick, rng.next_u64() as u32);
        }
    }
    assert_eq!(tick_recip(1), 1 << 48);
    assert_eq!(tick_recip(100), 2814749767107);
    assert_eq!(tick_recip(65535), 4_295_032_834); // ceil(2^48 / 65535)
}

#[test]
fn set_index_is_the_xor_fold_of_the_spec() {
    let sb = SET_BITS as usize;
    let mut rng = Rng(11);
    let reference = |r: u64| {
        let mut x = 0u64;
        for k in 0..64usize.div_ceil(sb) {
            x ^= (r >> (sb * k)) & ((1 << sb) - 1);
        }
        x as usize
    };
    for _ in 0..100_000 {
        let r = rng.next_u64();
        assert_eq!(set_index(r), reference(r));
    }
    assert_eq!(set_index(0), 0);
    assert_eq!(set_index(1 << (64 - 1)), 1 << ((63 % sb) as u32));
    assert_eq!(set_index((5 << sb) | 5), 0);
    assert!(set_index(u64::MAX) < SETS);
}

#[test]
fn bank_1_is_the_low_bits_of_crc32c() {
    // CRC-32C of 01 00 00 00 00 00 00 00 is 0xC514CFAD (any CRC-32C tool; python:
    // the reflected 0x82F63B78 loop over the 8 little-endian bytes).
    assert_eq!(crc32c_u64(1), 0xC514_CFAD);
    assert_eq!(crc32c_u64(0), 0x8C28_B28A);
    assert_eq!(set_index_1(1), 0xC514_CFAD & (SETS - 1));
}

/// `k` distinct refs that share both home sets (bank 0 and bank 1): found by walking refs
/// whose XOR-fold is 0 and bucketing them by bank-1 set.
fn same_home_refs(k: usize) -> Vec<u64> {
    let sb = SET_BITS;
    let mut buckets: HashMap<usize, Vec<u64>> = HashMap::new();
    for a in 1u64.. {
        for j in 0..(1u64 << sb) {
            // Slices j ^ a, j, a: they XOR to 0.
            let r = (a << (2 * sb)) | (j << sb) | (j ^ a);
            let b = buckets.entry(set_index_1(r)).or_default();
            b.push(r);
            if b.len() == k {
                assert!(b.iter().all(|&r| set_index(r) == 0));
                return b.clone();
            }
        }
    }
    unreachable!()
}

/// TOB records as (seq, flags, bid_sz).
fn tob_seq_flags(recs: &[Record]) -> Vec<(u64, u8, u32)> {
    recs.iter()
        .filter_map(|r| match *r {
            Record::Tob { h, flags, bid_sz, .. } => Some((h.seq, flags, bid_sz)),
            _ => None,
        })
        .collect()
}

#[test]
fn full_sets_spill_to_bank_1_then_the_stash_then_ghosts_then_nowhere() {
    let placed = 2 * WAYS + STASH_SLOTS;
    let refs = same_home_refs(placed + GHOST_SLOTS + 1);
    let mut c = cfg();
    c.max_spread = 0; // keep the strategy quiet
    let mut f = opening();
    // One share each at one price: the bid size counts the book orders.
    for (k, &r) in refs.iter().enumerate() {
        f.add(LOC, TS0 + k as u64, r, b'B', 1, name(), 100_000);
    }
    let (recs, st) = run(&c, &f.buf);
    assert_eq!(st.stash_inserts, STASH_SLOTS as u64);
    assert_eq!(st.ghost_inserts, GHOST_SLOTS as u64);
    assert_eq!(st.untracked_drops, 1);
    assert_eq!(st.table_full, GHOST_SLOTS as u64 + 1);
    assert_eq!((st.live_peak, st.stash_peak, st.ghost_peak), (placed as u64, STASH_SLOTS as u64, GHOST_SLOTS as u64));
    // A TOB per book order, then one for the flags change of the first ghost: the
    // book's size no longer counts every order.
    let tobs = tob_seq_flags(&recs);
    assert_eq!(tobs.len(), placed + 1);
    assert_eq!(tobs[placed - 1], (2 + placed as u64, 0, placed as u32));
    assert_eq!(tobs[placed], (3 + placed as u64, flag::COLLISION, placed as u32));
}

#[test]
fn collision_clears_itself_when_the_last_ghost_leaves() {
    let placed = 2 * WAYS + STASH_SLOTS;
    let refs = same_home_refs(placed + 3);
    let (ghosts, book) = (&refs[placed..], &refs[..placed]);
    let mut c = cfg();
    c.max_spread = 0;
    let mut f = opening();
    for (k, &r) in refs.iter().enumerate() {
        f.add(LOC, TS0 + k as u64, r, b'B', 10, name(), 100_000);
    }
    // Ghosts leave three ways: a delete, a full execution (after a partial one) and a
    // replace whose new order finds room in bank 0 once a book order is gone.
    f.delete(LOC, TS0 + 100, ghosts[0]);
    f.executed(LOC, TS0 + 101, ghosts[1], 4, 1);
    f.executed(LOC, TS0 + 102, ghosts[1], 6, 2);
    f.delete(LOC, TS0 + 103, book[0]);
    f.replace(LOC, TS0 + 104, ghosts[2], 77, 10, 100_000);
    let (recs, st) = run(&c, &f.buf);
    assert_eq!((st.ghost_inserts, st.untracked_drops, st.collision_clears), (3, 0, 1));
    assert_eq!(st.unknown_ref, 0, "ghosts are found");
    let tobs = tob_seq_flags(&recs);
    let n = refs.len() as u64;
    // seq: R1 S2, adds 3..3+n; then D, E, E, D, U.
    // seq: R1 S2, adds 3..3+n (the first ghost's add emits a TOB for the flags alone);
    // then D, E, E of ghosts (flags unchanged: no TOB), D of a book order, U of the last
    // ghost (COLLISION clears, the new order joins the book).
    let s = 3 + n;
    assert_eq!(
        &tobs[tobs.len() - 3..],
        &[(3 + placed as u64, flag::COLLISION, 10 * placed as u32), (s + 3, flag::COLLISION, 10 * placed as u32 - 10), (s + 4, 0, 10 * placed as u32)][..]
    );
    assert!(recs.iter().all(|r| !matches!(r, Record::Problem { .. })));
}

#[test]
fn clear_collision_frees_ghosts_and_forgets_untracked_drops() {
    let placed = 2 * WAYS + STASH_SLOTS;
    let refs = same_home_refs(placed + GHOST_SLOTS + 1);
    let mut c = cfg();
    c.max_spread = 0;
    let mut f = opening();
    for (k, &r) in refs.iter().enumerate() {
        f.add(LOC, TS0 + k as u64, r, b'B', 1, name(), 100_000);
    }
    // Deleting every ghost is not enough: one order was never tracked.
    for &r in &refs[placed..placed + GHOST_SLOTS] {
        f.delete(LOC, TS0 + 200, r);
    }
    let seq_after = 2 + refs.len() as u64 + GHOST_SLOTS as u64;
    f.cancel(LOC, TS0 + 201, refs[0], 0); // touches: flags unchanged, no TOB
    f.control(op::CLEAR_COLLISION, 0, seq_after + 2, 0);
    f.cancel(LOC, TS0 + 202, refs[0], 0); // flags clear: a TOB with the same tuple
    let (recs, st) = run(&c, &f.buf);
    assert_eq!(st.collision_clears, 0);
    let tobs = tob_seq_flags(&recs);
    assert_eq!(tobs.last(), Some(&(seq_after + 2, 0, placed as u32)));
    assert_eq!(tobs[tobs.len() - 2].1, flag::COLLISION);
}

#[test]
fn duplicate_ref_goes_to_another_way_and_lookup_finds_the_lowest() {
    let mut f = opening();
    f.add(LOC, TS0, 42, b'B', 100, name(), 100_000);
    f.add(LOC, TS0, 42, b'B', 200, name(), 99_900);
    f.delete(LOC, TS0, 42); // removes way 0 (the first), leaving 200 @ 99900
    let (recs, _) = run(&cfg(), &f.buf);
    assert!(matches!(recs.last(), Some(Record::Tob { bid_px: 99_900, bid_sz: 200, .. })), "{recs:#?}");
}

fn tob_of(recs: &[Record]) -> Vec<(u8, u32, u32, u32, u32)> {
    recs.iter()
        .filter_map(|r| match *r {
            Record::Tob { flags, bid_px, bid_sz, ask_px, ask_sz, .. } => Some((flags, bid_px, bid_sz, ask_px, ask_sz)),
            _ => None,
        })
        .collect()
}

#[test]
fn window_is_set_by_first_on_tick_add_and_classes_flag_their_side() {
    let mut c = cfg();
    c.max_spread = 0; // keep the strategy quiet
    let mut f = opening();
    // Off-tick first: does not set the window; flags the bid side while it lives.
    f.add(LOC, TS0, 1, b'B', 100, name(), 100_050);
    // First on-tick add: q = 1000 < 2048 so base_q = 0; idx 1000.
    f.add(LOC, TS0, 2, b'B', 100, name(), 100_000);
    f.delete(LOC, TS0, 1);
    // Above the window (q >= 4096) on the ask side is harmless while the window ask side
    // has orders, and flags when it is the only ask.
    f.add(LOC, TS0, 3, b'S', 100, name(), 4096 * 100);
    f.add(LOC, TS0, 4, b'S', 100, name(), 4095 * 100); // top of the window, IN
    f.delete(LOC, TS0, 4);
    f.delete(LOC, TS0, 3);
    let (recs, _) = run(&c, &f.buf);
    // Every change of the flags is a TOB, even when the tuple stays (§7).
    assert_eq!(
        tob_of(&recs),
        vec![
            (flag::BAND_BID, 0, 0, 0, 0),
            (flag::BAND_BID, 100_000, 100, 0, 0),
            (0, 100_000, 100, 0, 0),
            (flag::BAND_ASK, 100_000, 100, 0, 0),
            (0, 100_000, 100, 409_500, 100),
            (flag::BAND_ASK, 100_000, 100, 0, 0),
            (0, 100_000, 100, 0, 0),
        ]
    );
}

#[test]
fn window_centres_on_first_add_and_below_above_classes() {
    let mut c = cfg();
    c.max_spread = 0;
    let mut f = opening();
    // q = 10_000 -> base_q = 7952, window [7952, 12048).
    f.add(LOC, TS0, 1, b'B', 100, name(), 1_000_000);
    f.add(LOC, TS0, 2, b'B', 100, name(), 795_100); // q 7951: BELOW, bid side not empty -> no flag
    f.add(LOC, TS0, 3, b'S', 100, name(), 795_200); // q 7952: IN, idx 0 -> best ask
    f.add(LOC, TS0, 4, b'S', 100, name(), 795_100); // BELOW on the ask side: always flags
    f.delete(LOC, TS0, 4);
    f.delete(LOC, TS0, 1); // bid window empty but a BELOW bid exists -> BAND_BID
    f.add(LOC, TS0, 5, b'B', 100, name(), 1_204_800); // q 12048: ABOVE on bid side -> BAND_BID
    let (recs, _) = run(&c, &f.buf);
    assert_eq!(
        tob_of(&recs),
        vec![
            (0, 1_000_000, 100, 0, 0),
            (0, 1_000_000, 100, 795_200, 100),
            (flag::BAND_ASK, 1_000_000, 100, 795_200, 100),
            (0, 1_000_000, 100, 795_200, 100),
            (flag::BAND_BID, 0, 0, 795_200, 100),
        ]
    );
    // The flags of messages that left the tuple alone are still counted.
    let mut e = Engine::from_config(&c).unwrap();
    let mut out = Vec::new();
    e.process(&f.buf, true, &mut out).unwrap();
    // seq 6 (ask BELOW add), 8 (bid delete), 9 (ABOVE bid add) are flagged.
    assert_eq!(e.stats().flagged, 3);
}

#[test]
fn levels_wrap_and_reduce_is_capped() {
    let mut c = cfg();
    c.max_spread = 0;
    let mut f = opening();
    f.add(LOC, TS0, 1, b'B', u32::MAX, name(), 100_000);
    f.add(LOC, TS0, 2, b'B', 1, name(), 100_000); // level wraps to 0: side looks empty
    f.cancel(LOC, TS0, 2, 5); // reduce by min(5, 1) = 1 -> level u32::MAX again
    f.executed(LOC, TS0, 1, u32::MAX, 1); // removes order 1 -> level 0
    let (recs, st) = run(&c, &f.buf);
    assert_eq!(
        tob_of(&recs),
        vec![(0, 100_000, u32::MAX, 0, 0), (0, 0, 0, 0, 0), (0, 100_000, u32::MAX, 0, 0), (0, 0, 0, 0, 0)]
    );
    assert_eq!(st.unknown_ref, 0);
}

#[test]
fn replace_keeps_symbol_and_side() {
    let mut c = cfg();
    c.max_spread = 0;
    let mut f = opening();
    f.add(LOC, TS0, 1, b'S', 100, name(), 100_500);
    f.replace(LOC, TS0, 1, 2, 300, 100_400);
    f.replace(LOC, TS0, 1, 3, 300, 100_400); // original gone: unknown ref
    f.executed(LOC, TS0, 2, 300, 1);
    let (recs, st) = run(&c, &f.buf);
    assert_eq!(tob_of(&recs), vec![(0, 0, 0, 100_500, 100), (0, 0, 0, 100_400, 300), (0, 0, 0, 0, 0)]);
    assert_eq!(st.unknown_ref, 1);
}

#[test]
fn unsubscribed_symbols_are_ignored_and_directory_overrides() {
    let mut f = Frames::new();
    f.directory(1, 1, symbol_name("OTHER"));
    f.add(1, 2, 1, b'B', 100, symbol_name("OTHER"), 100_000);
    f.directory(1, 3, name()); // locate 1 now maps to TEST
    f.add(1, 4, 2, b'B', 100, name(), 100_000);
    f.directory(1, 5, symbol_name("OTHER")); // and back to none
    f.add(1, 6, 3, b'B', 100, name(), 100_100);
    f.delete(1, 7, 1);
    let (recs, st) = run(&cfg(), &f.buf);
    assert_eq!(tob_of(&recs), vec![(0, 100_000, 100, 0, 0)]);
    assert_eq!(st.unknown_ref, 1);
}

/// Full-depth reference of one run: every order of every subscribed symbol in a map.
struct Reference {
    locate: HashMap<u16, usize>,
    orders: HashMap<u64, (usize, bool, u32, u32)>,
}

impl Reference {
    fn best(&self, sym: usize) -> (u32, u32, u32, u32) {
        let mut bids: HashMap<u32, u64> = HashMap::new();
        let mut asks: HashMap<u32, u64> = HashMap::new();
        for &(s, buy, price, shares) in self.orders.values() {
            if s == sym && shares > 0 {
                *(if buy { &mut bids } else { &mut asks }).entry(price).or_default() += shares as u64;
            }
        }
        let b = bids.iter().max_by_key(|(p, _)| **p).map(|(p, s)| (*p, *s as u32)).unwrap_or((0, 0));
        let a = asks.iter().min_by_key(|(p, _)| **p).map(|(p, s)| (*p, *s as u32)).unwrap_or((0, 0));
        (b.0, b.1, a.0, a.1)
    }
}

#[test]
fn unflagged_tob_matches_a_full_depth_book() {
    let c = Config::demo();
    let s = synth::session(&c, &SessionSpec { seed: 3, messages: 150_000, depth: 80, ..SessionSpec::default() });
    let mut e = Engine::from_config(&c).unwrap();
    let mut reference = Reference { locate: HashMap::new(), orders: HashMap::new() };
    let mut p = 0;
    let mut out = Vec::new();
    let mut checked = 0;
    while p + 2 <= s.len() {
        let n = u16::from_be_bytes([s[p], s[p + 1]]) as usize;
        let frame = &s[p..p + 2 + n];
        p += 2 + n;
        if n == 0 {
            continue;
        }
        let m = &frame[2..];
        let be64 = |o: usize| u64::from_be_bytes(m[o..o + 8].try_into().unwrap());
        let be32 = |o: usize| u32::from_be_bytes(m[o..o + 4].try_into().unwrap());
        let loc = u16::from_be_bytes([m[1], m[2]]);
        match m[0] {
            b'R' => {
                let i = c.symbols.iter().position(|x| x.name[..] == m[11..19]);
                match i {
                    Some(i) => reference.locate.insert(loc, i),
                    None => reference.locate.remove(&loc),
                };
            }
            b'A' | b'F' => {
                if let Some(&i) = reference.locate.get(&loc) {
                    reference.orders.insert(be64(11), (i, m[19] == b'B', be32(32), be32(20)));
                }
            }
            b'E' | b'C' | b'X' => {
                if let Some(o) = reference.orders.get_mut(&be64(11)) {
                    o.3 -= be32(19).min(o.3);
                }
            }
            b'D' => {
                reference.orders.remove(&be64(11));
            }
            b'U' => {
                if let Some((i, buy, _, _)) = reference.orders.remove(&be64(11)) {
                    reference.orders.insert(be64(19), (i, buy, be32(31), be32(27)));
                }
            }
            _ => {}
        }
        out.clear();
        e.process(frame, false, &mut out).unwrap();
        for r in Record::decode_all(&out).unwrap() {
            if let Record::Tob { h, flags: 0, bid_px, bid_sz, ask_px, ask_sz } = r {
                assert_eq!((bid_px, bid_sz, ask_px, ask_sz), reference.best(h.symbol as usize), "seq {}", h.seq);
                checked += 1;
            }
        }
    }
    assert_eq!(e.stats().table_full, 0);
    assert!(checked > 5_000, "only {checked} unflagged TOBs");
}
