//! Shared helpers for the integration tests.
#![allow(dead_code)]

use riskgate_core::config::symbol_name;
use riskgate_testkit::Frames;
use riskgate_core::{Config, Engine, Record, Stats};

/// The stock locate the tests give their one symbol.
pub const LOC: u16 = 7;
pub const TS0: u64 = 34_200_000_000_000;

pub fn name() -> [u8; 8] {
    symbol_name("TEST")
}

/// Directory entry for `TEST` at `LOC`, then market open.
pub fn opening() -> Frames {
    let mut f = Frames::new();
    f.directory(LOC, TS0 - 10, name());
    f.system(TS0 - 5, b'Q');
    f
}

pub fn run(cfg: &Config, frames: &[u8]) -> (Vec<Record>, Stats) {
    let mut e = Engine::from_config(cfg).expect("valid config");
    let mut out = Vec::new();
    e.process(frames, true, &mut out).expect("process");
    (Record::decode_all(&out).expect("records decode"), e.stats().clone())
}

/// A config whose single symbol trades with permissive limits.
pub fn cfg() -> Config {
    Config::single("TEST")
}

pub fn decisions(recs: &[Record]) -> Vec<Record> {
    recs.iter().copied().filter(|r| matches!(r, Record::Decision { .. })).collect()
}

/// The reasons bitmask of the only DECISION in `recs`.
pub fn only_reasons(recs: &[Record]) -> u16 {
    let d = decisions(recs);
    assert_eq!(d.len(), 1, "expected one decision in {recs:#?}");
    match d[0] {
        Record::Decision { reasons, .. } => reasons,
        _ => unreachable!(),
    }
}

/// Standard quote scenario: last trade 100000 (via P), bid 300 @ 100000 (ref 1), ask
/// 100 @ 100100 (ref 2). The second add yields TOB bid 100000x300 / ask 100100x100 and a
/// BUY of min(100, clip) at 100100 (300*1 >= 100*3). `pre` runs after the opening and
/// before the trade print, `mid` between the two adds.
pub fn quote(pre: impl FnOnce(&mut Frames), mid: impl FnOnce(&mut Frames)) -> Frames {
    let mut f = opening();
    pre(&mut f);
    f.trade(LOC, TS0, b'B', 100, name(), 100_000, 1);
    f.add(LOC, TS0 + 1, 1, b'B', 300, name(), 100_000);
    mid(&mut f);
    f.add(LOC, TS0 + 2, 2, b'S', 100, name(), 100_100);
    f
}

pub fn quote_plain() -> Frames {
    quote(|_| {}, |_| {})
}
