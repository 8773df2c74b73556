//! Snapshots: a session cut anywhere, snapshotted and restored into a new engine, gives the
//! records of the uninterrupted run, byte for byte; snapshots are byte-stable; a bad or
//! foreign snapshot is refused with SNAPSHOT_INVALID.

mod common;
use common::*;
use riskgate_core::book::order_table::{set_index, set_index_1};
use riskgate_core::params::{GHOST_SLOTS, SET_BITS, STASH_SLOTS, WAYS};
use riskgate_core::records::op;
use riskgate_core::{Config, Engine, ErrorCode};
use riskgate_testkit::{self as synth, Rng, SessionSpec};
use std::collections::HashMap;

/// Frame boundaries of a BinaryFILE stream.
fn cuts(buf: &[u8]) -> Vec<usize> {
    let mut out = vec![0];
    let mut p = 0;
    while p + 2 <= buf.len() {
        let n = u16::from_be_bytes([buf[p], buf[p + 1]]) as usize;
        if p + 2 + n > buf.len() {
            break;
        }
        p += 2 + n;
        out.push(p);
    }
    out
}

fn whole(cfg: &Config, s: &[u8]) -> Vec<u8> {
    let mut e = Engine::from_config(cfg).unwrap();
    let mut out = Vec::new();
    e.process(s, true, &mut out).unwrap();
    out
}

/// Runs `s[..cut]`, snapshots, restores into a fresh engine, runs the rest.
fn resumed(cfg: &Config, s: &[u8], cut: usize) -> (Vec<u8>, Vec<u8>) {
    let blob = cfg.to_blob();
    let mut a = Engine::new(&blob).unwrap();
    let mut out = Vec::new();
    a.process(&s[..cut], false, &mut out).unwrap();
    let snap = a.snapshot();
    let mut b = Engine::restore(&blob, &snap).unwrap();
    assert_eq!(b.snapshot(), snap, "a restored engine snapshots to the same bytes");
    assert_eq!(b.stats(), a.stats());
    b.process(&s[cut..], true, &mut out).unwrap();
    (out, snap)
}

#[test]
fn a_resumed_session_gives_the_same_records_at_any_cut() {
    let c = Config::demo();
    let s = synth::session(&c, &SessionSpec { seed: 21, messages: 60_000, ..SessionSpec::default() });
    let want = whole(&c, &s);
    let frames = cuts(&s);
    let mut rng = Rng(4);
    for _ in 0..12 {
        let cut = frames[rng.below(frames.len() as u64) as usize];
        let (got, _) = resumed(&c, &s, cut);
        assert!(got == want, "records differ after a resume at byte {cut}");
    }
}

/// Refs sharing both home sets, so the table overflows into the stash and the ghosts.
fn same_home_refs(k: usize) -> Vec<u64> {
    let sb = SET_BITS;
    let mut buckets: HashMap<usize, Vec<u64>> = HashMap::new();
    for a in 1u64.. {
        for j in 0..(1u64 << sb) {
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

#[test]
fn stash_ghosts_duplicates_and_controls_survive_a_resume() {
    let refs = same_home_refs(2 * WAYS + STASH_SLOTS + GHOST_SLOTS + 2);
    let mut c = cfg();
    c.accounts[0].dup_window_ns = 1_000_000;
    let mut f = quote_plain();
    for (k, &r) in refs.iter().enumerate() {
        f.add(LOC, TS0 + 10 + k as u64, r, b'B', 1, name(), 99_900);
    }
    f.control(op::MAX_QTY, 0, 5 + refs.len() as u64 + 1, 5_000); // before the first delete
    for (k, &r) in refs.iter().enumerate().rev().take(GHOST_SLOTS + 3) {
        f.delete(LOC, TS0 + 100 + k as u64, r);
    }
    // The untracked drops keep COLLISION until the operator clears it; then the strategy
    // repeats its first buy: DUPLICATE.
    f.control(op::CLEAR_COLLISION, 0, 5 + refs.len() as u64 + (GHOST_SLOTS as u64 + 3) + 1, 0);
    f.add(LOC, TS0 + 200, 7, b'B', 1, name(), 100_000);
    let s = f.buf.clone();
    let want = whole(&c, &s);
    let (recs, st) = run(&c, &s);
    assert_eq!((st.stash_inserts, st.ghost_inserts, st.untracked_drops), (STASH_SLOTS as u64, GHOST_SLOTS as u64, 2));
    assert_eq!((st.controls, st.problems[riskgate_core::records::problem::BAD_CONTROL as usize]), (2, 0), "{:?}", st.problems);
    assert!(st.decisions >= 2, "decisions {}", st.decisions);
    let dup = riskgate_core::records::reason::DUPLICATE;
    assert!(recs.iter().any(|r| matches!(r, riskgate_core::Record::Decision { reasons, .. } if reasons & dup != 0)), "DUPLICATE fires");
    for cut in cuts(&s) {
        let (got, _) = resumed(&c, &s, cut);
        assert!(got == want, "records differ after a resume at byte {cut}");
    }
}

#[test]
fn snapshots_of_another_config_or_format_are_refused() {
    let c = cfg();
    let s = quote_plain().buf;
    let mut e = Engine::from_config(&c).unwrap();
    let mut out = Vec::new();
    e.process(&s, true, &mut out).unwrap();
    let snap = e.snapshot();
    let blob = c.to_blob();
    let code = |r: Result<Engine, riskgate_core::EngineError>| r.err().map(|e| (e.code, e.message));
    // Another config: one limit differs.
    let mut other = c.clone();
    other.symbols[0].max_qty += 1;
    let (k, m) = code(Engine::restore(&other.to_blob(), &snap)).unwrap();
    assert_eq!(k, ErrorCode::SnapshotInvalid);
    assert!(m.contains("another config"), "{m}");
    // Truncated anywhere, forged version, bad magic, trailing bytes.
    for n in [0, 3, 6, 10, snap.len() / 2, snap.len() - 1] {
        assert_eq!(code(Engine::restore(&blob, &snap[..n])).unwrap().0, ErrorCode::SnapshotInvalid, "cut at {n}");
    }
    let mut v = snap.clone();
    v[4] = 99;
    assert!(code(Engine::restore(&blob, &v)).unwrap().1.contains("version"));
    let mut v = snap.clone();
    v[0] = b'X';
    assert!(code(Engine::restore(&blob, &v)).unwrap().1.contains("magic"));
    let mut v = snap.clone();
    v.push(0);
    assert!(code(Engine::restore(&blob, &v)).unwrap().1.contains("after the end"));
    // A random byte flipped anywhere is refused or restores an engine: never a panic.
    let mut rng = Rng(9);
    for _ in 0..300 {
        let mut v = snap.clone();
        let i = rng.below(v.len() as u64) as usize;
        v[i] ^= 1 << rng.below(8);
        let _ = Engine::restore(&blob, &v);
    }
    // After all that, the snapshot itself still restores.
    assert!(Engine::restore(&blob, &snap).is_ok());
}
