//! Every risk check of spec §8.2 at its boundary: the limit passes, one past fails.
//! The standard quote (see `common::quote`) is a BUY of 100 @ 100100 against a last trade
//! of 100000, notional 10_010_000.

mod common;
use common::*;
use riskgate_core::records::{op, reason, Record};
use riskgate_core::Config;

const QTY: u32 = 100;
const PRICE: u64 = 100_100;
const NOTIONAL: u64 = PRICE * QTY as u64;

fn reasons_with(c: &Config) -> u16 {
    let (recs, _) = run(c, &quote_plain().buf);
    only_reasons(&recs)
}

#[test]
fn all_pass_and_fill() {
    let (recs, st) = run(&cfg(), &quote_plain().buf);
    assert_eq!(only_reasons(&recs), 0);
    assert_eq!((st.accepted, st.fills), (1, 1));
    assert!(matches!(recs.last(), Some(Record::Fill { qty: 100, price: 100_100, position_after: 100, .. })));
}

#[test]
fn kill_global_and_symbol() {
    let mut c = cfg();
    c.global_kill = true;
    assert_eq!(reasons_with(&c), reason::KILL);
    let mut c = cfg();
    c.symbols[0].kill = true;
    assert_eq!(reasons_with(&c), reason::KILL);
}

#[test]
fn halted_by_h_and_resumed_by_h_and_circuit_breaker() {
    let f = quote(|f| { f.trading_action(LOC, TS0, name(), b'H'); }, |_| {});
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::HALTED);
    let f = quote(|f| { f.trading_action(LOC, TS0, name(), b'H'); f.trading_action(LOC, TS0, name(), b'T'); }, |_| {});
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), 0);
    let f = quote(|f| { f.trading_action(LOC, TS0, name(), b'P'); }, |_| {});
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::HALTED);
    for lvl in [b'1', b'2', b'3'] {
        let f = quote(|f| { f.circuit_breaker(TS0, lvl); }, |_| {});
        assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::HALTED);
    }
    // Other levels do nothing.
    let f = quote(|f| { f.circuit_breaker(TS0, b'4'); f.circuit_breaker(TS0, 1); }, |_| {});
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), 0);
}

#[test]
fn market_closed_only_when_gated() {
    let mut c = cfg();
    c.gate_market_hours = true;
    assert_eq!(reasons_with(&c), 0, "market opened by S Q");
    let f = quote(|f| { f.system(TS0, b'M'); }, |_| {});
    assert_eq!(only_reasons(&run(&c, &f.buf).0), reason::MARKET_CLOSED);
    c.gate_market_hours = false;
    assert_eq!(only_reasons(&run(&c, &f.buf).0), 0);
}

#[test]
fn max_qty_boundary() {
    let mut c = cfg();
    c.symbols[0].max_qty = QTY;
    assert_eq!(reasons_with(&c), 0);
    c.symbols[0].max_qty = QTY - 1;
    assert_eq!(reasons_with(&c), reason::MAX_QTY);
}

#[test]
fn max_notional_boundary() {
    let mut c = cfg();
    c.symbols[0].max_notional = NOTIONAL;
    assert_eq!(reasons_with(&c), 0);
    c.symbols[0].max_notional = NOTIONAL - 1;
    assert_eq!(reasons_with(&c), reason::MAX_NOTIONAL);
}

#[test]
fn no_ref_and_collar_boundary() {
    // Without the print there is no reference price.
    let mut f = opening();
    f.add(LOC, TS0 + 1, 1, b'B', 300, name(), 100_000);
    f.add(LOC, TS0 + 2, 2, b'S', 100, name(), 100_100);
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::NO_REF);
    // |100100 - 100000| * 10000 = 1_000_000 vs 100000 * bps.
    let mut c = cfg();
    c.symbols[0].collar_bps = 10;
    assert_eq!(reasons_with(&c), 0);
    c.symbols[0].collar_bps = 9;
    assert_eq!(reasons_with(&c), reason::COLLAR);
    c.symbols[0].collar_bps = 0;
    assert_eq!(reasons_with(&c), reason::COLLAR);
}

#[test]
fn position_boundary_both_sides() {
    let mut c = cfg();
    c.symbols[0].position_limit = 100;
    assert_eq!(reasons_with(&c), 0);
    c.symbols[0].position_limit = 99;
    assert_eq!(reasons_with(&c), reason::POSITION);
    // Start short 150, buying 100 leaves |-50|.
    c.symbols[0].start_position = -150;
    assert_eq!(reasons_with(&c), 0);
    c.symbols[0].position_limit = 49;
    assert_eq!(reasons_with(&c), reason::POSITION);
    // Sell side: mirror the book so the strategy sells 100 at the bid.
    let mut f = opening();
    f.trade(LOC, TS0, b'B', 100, name(), 100_000, 1);
    f.add(LOC, TS0 + 1, 1, b'S', 300, name(), 100_100);
    f.add(LOC, TS0 + 2, 2, b'B', 100, name(), 100_000);
    let mut c = cfg();
    c.symbols[0].start_position = -100;
    c.symbols[0].position_limit = 200;
    let (recs, _) = run(&c, &f.buf);
    assert_eq!(only_reasons(&recs), 0);
    assert!(matches!(recs.last(), Some(Record::Fill { side: b'S', position_after: -200, .. })));
    c.symbols[0].position_limit = 199;
    assert_eq!(only_reasons(&run(&c, &f.buf).0), reason::POSITION);
}

#[test]
fn credit_boundary_and_saturation() {
    let mut c = cfg();
    c.accounts[0].credit_limit = NOTIONAL;
    assert_eq!(reasons_with(&c), 0);
    c.accounts[0].credit_limit = NOTIONAL - 1;
    assert_eq!(reasons_with(&c), reason::CREDIT);
    c.accounts[0].credit_limit = 1000 + NOTIONAL;
    c.accounts[0].start_used_credit = 1000;
    assert_eq!(reasons_with(&c), 0);
    c.accounts[0].start_used_credit = 1001;
    assert_eq!(reasons_with(&c), reason::CREDIT);
    // Saturating add: used near u64::MAX never wraps to a small number.
    c.accounts[0].credit_limit = u64::MAX;
    c.accounts[0].start_used_credit = u64::MAX - 5;
    assert_eq!(reasons_with(&c), 0);
    c.accounts[0].credit_limit = u64::MAX - 1;
    assert_eq!(reasons_with(&c), reason::CREDIT);
}

/// Two decisions on the same symbol: the standard quote, then the bid grows by one share
/// at `ts2` (bid 301 x 1 >= ask 100 x 3), which triggers a second BUY of 100.
fn two_decisions(c: &Config, ts2: u64) -> (u16, u16) {
    let mut f = quote_plain();
    f.add(common::LOC, ts2, 3, b'B', 1, name(), 100_000);
    let (recs, _) = run(c, &f.buf);
    let d = decisions(&recs);
    assert_eq!(d.len(), 2, "{recs:#?}");
    let r = |x: &Record| match *x {
        Record::Decision { reasons, .. } => reasons,
        _ => unreachable!(),
    };
    (r(&d[0]), r(&d[1]))
}

#[test]
fn throttle_boundary_and_window_roll() {
    let mut c = cfg();
    c.w_shift = 20; // windows of 2^20 ns
    c.accounts[0].max_orders = 1;
    let w0 = (TS0 + 2) >> 20;
    let same = (w0 << 20) + (1 << 20) - 1;
    let next = (w0 + 1) << 20;
    assert_eq!(two_decisions(&c, same), (0, reason::THROTTLE));
    assert_eq!(two_decisions(&c, next), (0, 0));
    c.accounts[0].max_orders = 2;
    assert_eq!(two_decisions(&c, same), (0, 0));
    c.accounts[0].max_orders = 0;
    assert_eq!(reasons_with(&c), reason::THROTTLE);
}

#[test]
fn rejected_orders_change_no_risk_state() {
    // The first decision is rejected (MAX_QTY 99 < 100), so the account's throttle count
    // stays 0: the second is rejected for its size again, but not throttled.
    let mut c = cfg();
    c.accounts[0].max_orders = 1;
    c.symbols[0].max_qty = 99;
    let (a, b) = two_decisions(&c, TS0 + 10);
    assert_eq!(a, reason::MAX_QTY);
    assert_eq!(b, reason::MAX_QTY);
}

#[test]
fn duplicate_boundary_and_window_off() {
    // The second decision repeats the first (BUY 100 @ 100100) at ts2; the first was at
    // TS0 + 2.
    let mut c = cfg();
    c.accounts[0].dup_window_ns = 1_000;
    assert_eq!(two_decisions(&c, TS0 + 2 + 999), (0, reason::DUPLICATE));
    assert_eq!(two_decisions(&c, TS0 + 2 + 1000), (0, 0));
    assert_eq!(two_decisions(&c, TS0 + 2), (0, reason::DUPLICATE));
    c.accounts[0].dup_window_ns = 0;
    assert_eq!(two_decisions(&c, TS0 + 2), (0, 0));
    // Only accepted orders count: a rejected first order is no previous order.
    let mut c = cfg();
    c.accounts[0].dup_window_ns = 1_000;
    c.symbols[0].collar_bps = 9;
    assert_eq!(two_decisions(&c, TS0 + 10), (reason::COLLAR, reason::COLLAR));
}

#[test]
fn duplicate_window_changes_in_band() {
    // op DUP_WINDOW for account 0 before the second decision (seq 6: R, S, P, A, A, A).
    let mut f = quote_plain();
    f.control(op::DUP_WINDOW, 0, 6, 1_000);
    f.add(LOC, TS0 + 10, 3, b'B', 1, name(), 100_000);
    let (recs, st) = run(&cfg(), &f.buf);
    assert_eq!(st.controls, 1);
    let d: Vec<u16> = decisions(&recs)
        .iter()
        .map(|r| match *r {
            Record::Decision { reasons, .. } => reasons,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(d, vec![0, reason::DUPLICATE]);
}

#[test]
fn cooldown_gates_the_strategy() {
    let mut c = cfg();
    c.cooldown_ns = 1_000;
    let mut f = quote_plain();
    f.add(LOC, TS0 + 2 + 999, 3, b'B', 1, name(), 100_000);
    f.add(LOC, TS0 + 2 + 1000, 4, b'B', 1, name(), 100_000);
    let (recs, _) = run(&c, &f.buf);
    let d = decisions(&recs);
    assert_eq!(d.len(), 2);
    assert_eq!(d[1].header().ts, TS0 + 1002);
    // A timestamp going backwards counts as not elapsed.
    let mut f = quote_plain();
    f.add(LOC, TS0, 3, b'B', 1, name(), 100_000);
    c.cooldown_ns = 0;
    assert_eq!(decisions(&run(&c, &f.buf).0).len(), 1);
}

#[test]
fn all_reasons_at_once() {
    let mut c = cfg();
    c.global_kill = true;
    c.gate_market_hours = true;
    c.symbols[0].max_qty = 0;
    c.symbols[0].max_notional = 0;
    c.symbols[0].position_limit = 0;
    c.accounts[0].credit_limit = 0;
    c.accounts[0].max_orders = 0;
    let mut f = riskgate_testkit::Frames::new();
    f.directory(LOC, TS0, name());
    f.trading_action(LOC, TS0, name(), b'H');
    f.add(LOC, TS0 + 1, 1, b'B', 300, name(), 100_000);
    f.add(LOC, TS0 + 2, 2, b'S', 100, name(), 100_100);
    let (recs, st) = run(&c, &f.buf);
    let all = reason::KILL
        | reason::HALTED
        | reason::MARKET_CLOSED
        | reason::MAX_QTY
        | reason::MAX_NOTIONAL
        | reason::NO_REF
        | reason::POSITION
        | reason::CREDIT
        | reason::THROTTLE;
    assert_eq!(only_reasons(&recs), all);
    assert_eq!(st.rejected, 1);
    // COLLAR needs a reference: with one, every bit is set.
    let mut f2 = riskgate_testkit::Frames::new();
    f2.directory(LOC, TS0, name());
    f2.trading_action(LOC, TS0, name(), b'H');
    f2.trade(LOC, TS0, b'B', 1, name(), 50_000, 1);
    f2.add(LOC, TS0 + 1, 1, b'B', 300, name(), 100_000);
    f2.add(LOC, TS0 + 2, 2, b'S', 100, name(), 100_100);
    c.symbols[0].collar_bps = 0;
    let want = (all & !reason::NO_REF) | reason::COLLAR;
    assert_eq!(only_reasons(&run(&c, &f2.buf).0), want);
}

#[test]
fn control_changes_apply_before_message_s() {
    // Tighten MAX_QTY to 99 right before the second add (seq 5: R=1, S=2, P=3, A=4, A=5).
    let f = quote(|_| {}, |f| { f.control(op::MAX_QTY, 0, 5, 99); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::MAX_QTY);
    let f = quote(|_| {}, |f| { f.control(op::SYMBOL_KILL, 0, 5, 1); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::KILL);
    let f = quote(|_| {}, |f| { f.control(op::GLOBAL_KILL, 0xFFFF, 5, 1); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::KILL);
    let f = quote(|_| {}, |f| { f.control(op::MAX_NOTIONAL, 0, 5, NOTIONAL - 1); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::MAX_NOTIONAL);
    let f = quote(|_| {}, |f| { f.control(op::POSITION_LIMIT, 0, 5, 99); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::POSITION);
    let f = quote(|_| {}, |f| { f.control(op::COLLAR_BPS, 0, 5, 9); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::COLLAR);
    let f = quote(|_| {}, |f| { f.control(op::CREDIT_LIMIT, 0, 5, NOTIONAL - 1); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::CREDIT);
    let f = quote(|_| {}, |f| { f.control(op::MAX_ORDERS, 0, 5, 0); });
    assert_eq!(only_reasons(&run(&cfg(), &f.buf).0), reason::THROTTLE);
    // And loosening works too.
    let mut c = cfg();
    c.global_kill = true;
    let f = quote(|_| {}, |f| { f.control(op::GLOBAL_KILL, 0xFFFF, 5, 0); });
    assert_eq!(only_reasons(&run(&c, &f.buf).0), 0);
}
