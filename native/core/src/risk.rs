//! The pre-trade risk checks of spec §8.2 and the accept-side update of §8.3.
//!
//! `check` is pure and evaluates every check for every order, with no short-circuit: the
//! DECISION record reports all the reasons an order failed, not the first one, just as
//! the hardware evaluates the ten checks side by side. `accept` is the only place risk
//! state changes, and it runs only for an order with no reason set.

use crate::contract::reason;
use crate::strategy::{Order, Side};

/// Session-wide inputs of the checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// Config, then control op 1.
    pub global_kill: bool,
    /// Config: refuse orders while the market is closed.
    pub gate_market_hours: bool,
    /// S messages: `Q` opens, `M` closes (§3.2).
    pub market_open: bool,
    /// Config: the throttle window of a message is `ts >> W_SHIFT`.
    pub w_shift: u32,
}

/// Risk inputs and state of one symbol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SymbolRisk {
    /// Index of the account the symbol trades for (config).
    pub account: u8,
    /// Config, then control op 2.
    pub kill: bool,
    /// H and W messages (§3.2); `T` is trading.
    pub trading_state: u8,
    /// The reference price (§7): last trade price from E, C and P, 0 = none yet.
    pub last_trade: u32,
    /// Config, then control ops 3, 4, 6, 5.
    pub max_qty: u32,
    pub max_notional: u64,
    pub collar_bps: u16,
    pub position_limit: i64,
    /// Signed shares: start position plus accepted fills.
    pub position: i64,
}

/// Risk inputs and state of one account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountRisk {
    /// External account id (config), carried in DECISION records.
    pub id: u32,
    /// Config, then control ops 8 and 7.
    pub max_orders: u64,
    pub credit_limit: u64,
    /// Notional units: start value plus accepted fills (saturating).
    pub used_credit: u64,
    /// Throttle: the window `count` belongs to.
    pub window: u64,
    /// Throttle: accepted orders in `window`.
    pub count: u64,
    /// Config, then control op `DUP_WINDOW`: the duplicate-order window in ITCH ns (0 = off).
    pub dup_window: u64,
    /// The account's last accepted order, for the duplicate check.
    pub last_order: Option<LastOrder>,
    /// Control op `ACCOUNT_KILL`: every order of the account is refused (KILL).
    pub kill: bool,
}

/// What the duplicate check compares: an accepted order, its symbol and its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastOrder {
    pub symbol: u8,
    pub side: Side,
    pub price: u32,
    pub qty: u32,
    pub ts: u64,
}

/// Whether `o` for symbol `i` at `ts` repeats the account's last accepted order within
/// its window (§8.2 `DUPLICATE`). Time running backwards counts as inside the window, as
/// the strategy's cooldown does.
#[inline(always)]
fn duplicate(o: &Order, i: u8, ts: u64, acct: &AccountRisk) -> bool {
    match acct.last_order {
        Some(l) if acct.dup_window != 0 => {
            l.symbol == i
                && l.side == o.side
                && l.price == o.price
                && l.qty == o.qty
                && (ts < l.ts || ts - l.ts < acct.dup_window)
        }
        _ => false,
    }
}

/// `bit` if `failed`, else 0.
#[inline(always)]
const fn fail(failed: bool, bit: u16) -> u16 {
    if failed {
        bit
    } else {
        0
    }
}

/// The reasons bitmask of §8.2 for order `o` at time `ts` (0 = accept). `sym` is the
/// risk state of the order's symbol, `i` its index, and `acct` that symbol's account.
#[inline(always)]
pub fn check(o: &Order, i: u8, ts: u64, session: &Session, sym: &SymbolRisk, acct: &AccountRisk) -> u16 {
    let n = o.price as u64 * o.qty as u64; // notional (u64: < 2^64 for u32 × u32)
    let rf = sym.last_trade as u64; // reference price
    let w = ts >> session.w_shift;
    let in_window = if acct.window == w { acct.count } else { 0 };

    // bit 0 KILL: global_kill = 1 or kill[i] = 1 or account_kill[a] = 1.
    fail(session.global_kill || sym.kill || acct.kill, reason::KILL)
        // bit 1 HALTED: trading_state[i] ≠ 'T'.
        | fail(sym.trading_state != b'T', reason::HALTED)
        // bit 2 MARKET_CLOSED: GATE_MARKET_HOURS = 1 and market_open = 0.
        | fail(session.gate_market_hours && !session.market_open, reason::MARKET_CLOSED)
        // bit 3 MAX_QTY: qty > max_qty[i].
        | fail(o.qty > sym.max_qty, reason::MAX_QTY)
        // bit 4 MAX_NOTIONAL: price × qty > max_notional[i].
        | fail(n > sym.max_notional, reason::MAX_NOTIONAL)
        // bit 5 NO_REF: last_trade[i] = 0.
        | fail(rf == 0, reason::NO_REF)
        // bit 6 COLLAR: ref ≠ 0 and |price − ref| × 10000 > ref × collar_bps[i] (u64:
        // |price − ref| < 2^32 and bps < 2^16, so neither side overflows).
        | fail(rf != 0 && (o.price as u64).abs_diff(rf) * 10_000 > rf * sym.collar_bps as u64, reason::COLLAR)
        // bit 7 POSITION: |position[i] ± qty| > position_limit[i] (i64: |position| ≤
        // 2^31 − 1 always holds, start and accepted fills being limited, so no overflow).
        | fail((sym.position + o.side.signed(o.qty)).abs() > sym.position_limit, reason::POSITION)
        // bit 8 CREDIT: sat_add(used_credit[a], price × qty) > credit_limit[a].
        | fail(acct.used_credit.saturating_add(n) > acct.credit_limit, reason::CREDIT)
        // bit 9 THROTTLE: orders in the current window (ts >> W_SHIFT) ≥ max_orders[a].
        | fail(in_window >= acct.max_orders, reason::THROTTLE)
        // bit 10 DUPLICATE: the account's last accepted order again, within its window.
        | fail(duplicate(o, i, ts, acct), reason::DUPLICATE)
}

/// §8.3 for an order `check` accepted: fill, position, credit, throttle, last order.
/// Returns the fill quantity.
#[inline(always)]
pub fn accept(o: &Order, i: u8, ts: u64, session: &Session, sym: &mut SymbolRisk, acct: &mut AccountRisk) -> u32 {
    // 1. f = min(qty, displayed size at the order price): the strategy priced the order
    //    at the opposite best level and clipped qty to its size, so f = qty in version 1.
    let f = o.qty;
    // 2. Position and credit (saturating) by the filled quantity.
    sym.position += o.side.signed(f);
    acct.used_credit = acct.used_credit.saturating_add(o.price as u64 * f as u64);
    // 3. Throttle and duplicate.
    count_accepted(o, i, ts, session, acct);
    f
}

/// §8.3 step 3 for an accepted order (the strategy's, or a client's, §18.3): the throttle
/// count of its window and the duplicate check's last order.
#[inline(always)]
pub fn count_accepted(o: &Order, i: u8, ts: u64, session: &Session, acct: &mut AccountRisk) {
    // A new window starts counting from zero.
    let w = ts >> session.w_shift;
    if acct.window != w {
        acct.window = w;
        acct.count = 0;
    }
    acct.count += 1;
    // Duplicate check: this order is now the one to compare against.
    acct.last_order = Some(LastOrder { symbol: i, side: o.side, price: o.price, qty: o.qty, ts });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Side;

    const REF: u32 = 100_000;
    const PRICE: u32 = 100_100;
    const QTY: u32 = 100;
    const N: u64 = PRICE as u64 * QTY as u64;
    const TS: u64 = 5 << 20;
    const SYM: u8 = 3;
    const WINDOW: u64 = 1_000;

    /// All inputs of one check.
    #[derive(Clone, Copy)]
    struct Case {
        o: Order,
        ts: u64,
        se: Session,
        s: SymbolRisk,
        a: AccountRisk,
    }

    impl Case {
        fn reasons(&self) -> u16 {
            check(&self.o, SYM, self.ts, &self.se, &self.s, &self.a)
        }
    }

    /// A buy of 100 @ 100_100 with every input exactly at its limit: it passes, and one
    /// step past any limit fails.
    fn at_limits() -> Case {
        Case {
            o: Order { side: Side::Buy, price: PRICE, qty: QTY },
            ts: TS,
            se: Session { global_kill: false, gate_market_hours: true, market_open: true, w_shift: 20 },
            s: SymbolRisk {
                account: 0,
                kill: false,
                trading_state: b'T',
                last_trade: REF,
                max_qty: QTY,
                max_notional: N,
                // |100_100 − 100_000| × 10000 = 1_000_000 = 100_000 × 10.
                collar_bps: 10,
                position_limit: 500,
                position: 400,
            },
            a: AccountRisk {
                id: 1001,
                max_orders: 3,
                credit_limit: 1_000 + N,
                used_credit: 1_000,
                window: TS >> 20,
                count: 2,
                dup_window: WINDOW,
                // The same order exactly one window earlier: its window has just elapsed.
                last_order: Some(LastOrder { symbol: SYM, side: Side::Buy, price: PRICE, qty: QTY, ts: TS - WINDOW }),
                kill: false,
            },
        }
    }

    #[test]
    fn at_every_limit_passes() {
        assert_eq!(at_limits().reasons(), 0);
    }

    #[test]
    fn kill() {
        let mut c = at_limits();
        c.se.global_kill = true;
        assert_eq!(c.reasons(), reason::KILL);
        let mut c = at_limits();
        c.s.kill = true;
        assert_eq!(c.reasons(), reason::KILL);
        let mut c = at_limits();
        c.a.kill = true;
        assert_eq!(c.reasons(), reason::KILL);
    }

    #[test]
    fn halted_unless_trading() {
        for st in [b'H', b'P', b'Q', b' ', 0] {
            let mut c = at_limits();
            c.s.trading_state = st;
            assert_eq!(c.reasons(), reason::HALTED, "state {st}");
        }
    }

    #[test]
    fn market_closed_only_when_gated() {
        let mut c = at_limits();
        c.se.market_open = false;
        assert_eq!(c.reasons(), reason::MARKET_CLOSED);
        c.se.gate_market_hours = false;
        assert_eq!(c.reasons(), 0);
    }

    #[test]
    fn max_qty() {
        let mut c = at_limits();
        c.s.max_qty = QTY - 1;
        assert_eq!(c.reasons(), reason::MAX_QTY);
    }

    #[test]
    fn max_notional() {
        let mut c = at_limits();
        c.s.max_notional = N - 1;
        assert_eq!(c.reasons(), reason::MAX_NOTIONAL);
        // The product is u64: u32::MAX × u32::MAX does not wrap.
        let mut c = at_limits();
        c.o = Order { side: Side::Buy, price: u32::MAX, qty: u32::MAX };
        c.s.max_notional = u32::MAX as u64 * u32::MAX as u64 - 1;
        assert_ne!(c.reasons() & reason::MAX_NOTIONAL, 0);
        c.s.max_notional += 1;
        assert_eq!(c.reasons() & reason::MAX_NOTIONAL, 0);
    }

    #[test]
    fn no_ref_and_no_collar_without_a_reference() {
        let mut c = at_limits();
        c.s.last_trade = 0;
        assert_eq!(c.reasons(), reason::NO_REF);
        // Without a reference the collar is not evaluated, even at 0 bps.
        c.s.collar_bps = 0;
        assert_eq!(c.reasons(), reason::NO_REF);
    }

    #[test]
    fn collar_both_directions() {
        let mut c = at_limits();
        c.s.collar_bps = 9;
        assert_eq!(c.reasons(), reason::COLLAR);
        // Below the reference by the same distance: same boundary.
        let mut c = at_limits();
        c.o.price = 2 * REF - PRICE;
        assert_eq!(c.reasons(), 0);
        c.o.price -= 1;
        assert_eq!(c.reasons(), reason::COLLAR);
        // At the reference price a zero collar passes.
        let mut c = at_limits();
        c.o.price = REF;
        c.s.collar_bps = 0;
        assert_eq!(c.reasons(), 0);
        // Extremes do not overflow: (2^32 − 2) × 10000 against 1 × 65535.
        let mut c = at_limits();
        c.o = Order { side: Side::Buy, price: u32::MAX, qty: 1 };
        c.s.last_trade = 1;
        c.s.collar_bps = u16::MAX;
        assert_ne!(c.reasons() & reason::COLLAR, 0);
    }

    #[test]
    fn position_after_the_order() {
        let mut c = at_limits();
        c.s.position = 401;
        assert_eq!(c.reasons(), reason::POSITION);
        // A sell from −400 reaches −500: at the limit; from −401 it is one past.
        let mut c = at_limits();
        c.o.side = Side::Sell;
        c.s.position = -400;
        assert_eq!(c.reasons(), 0);
        c.s.position = -401;
        assert_eq!(c.reasons(), reason::POSITION);
        // A sell that reduces a long position is fine.
        let mut c = at_limits();
        c.o.side = Side::Sell;
        assert_eq!(c.reasons(), 0);
        // Extremes: −(2^31 − 1) − (2^32 − 1) stays in i64.
        let mut c = at_limits();
        c.o = Order { side: Side::Sell, price: PRICE, qty: u32::MAX };
        c.s.position = -((1 << 31) - 1);
        c.s.position_limit = (1 << 31) - 1;
        assert_ne!(c.reasons() & reason::POSITION, 0);
    }

    #[test]
    fn credit_saturates() {
        let mut c = at_limits();
        c.a.used_credit += 1;
        assert_eq!(c.reasons(), reason::CREDIT);
        let mut c = at_limits();
        c.a.credit_limit -= 1;
        assert_eq!(c.reasons(), reason::CREDIT);
        // A saturated sum is u64::MAX, which a limit of u64::MAX still admits.
        let mut c = at_limits();
        c.a.used_credit = u64::MAX;
        c.a.credit_limit = u64::MAX;
        assert_eq!(c.reasons(), 0);
        c.a.credit_limit = u64::MAX - 1;
        assert_eq!(c.reasons(), reason::CREDIT);
    }

    #[test]
    fn throttle_counts_only_the_current_window() {
        let mut c = at_limits();
        c.a.count = 3;
        assert_eq!(c.reasons(), reason::THROTTLE);
        // The count belongs to an earlier window: it reads as 0.
        c.a.window -= 1;
        assert_eq!(c.reasons(), 0);
        // W_SHIFT 0: every nanosecond is its own window.
        let mut c = at_limits();
        c.a.count = 3;
        c.se.w_shift = 0;
        assert_eq!(c.reasons(), 0);
        // max_orders 0 refuses even the first order of a window.
        let mut c = at_limits();
        c.a.count = 0;
        c.a.max_orders = 0;
        assert_eq!(c.reasons(), reason::THROTTLE);
    }

    #[test]
    fn duplicate_within_the_window_only() {
        // at_limits: ts − last.ts = WINDOW, not < WINDOW, so it passes (at_every_limit_passes);
        // one nanosecond less and it is a duplicate.
        let mut c = at_limits();
        c.a.last_order = c.a.last_order.map(|l| LastOrder { ts: l.ts + 1, ..l });
        assert_eq!(c.reasons(), reason::DUPLICATE);
        // Time running backwards counts as inside the window.
        let mut c = at_limits();
        c.a.last_order = c.a.last_order.map(|l| LastOrder { ts: TS + 1, ..l });
        assert_eq!(c.reasons(), reason::DUPLICATE);
        // A window of 0 switches the check off; no previous order, nothing to repeat.
        let mut c = at_limits();
        c.a.last_order = c.a.last_order.map(|l| LastOrder { ts: TS, ..l });
        assert_eq!(c.reasons(), reason::DUPLICATE);
        c.a.dup_window = 0;
        assert_eq!(c.reasons(), 0);
        let mut c = at_limits();
        c.a.last_order = None;
        c.a.dup_window = u64::MAX;
        assert_eq!(c.reasons(), 0);
    }

    #[test]
    fn duplicate_needs_all_four_fields_equal() {
        let inside = |f: &dyn Fn(&mut LastOrder)| {
            let mut c = at_limits();
            let mut l = LastOrder { symbol: SYM, side: Side::Buy, price: PRICE, qty: QTY, ts: TS };
            f(&mut l);
            c.a.last_order = Some(l);
            c.reasons()
        };
        assert_eq!(inside(&|_| {}), reason::DUPLICATE);
        assert_eq!(inside(&|l| l.symbol = SYM + 1), 0);
        assert_eq!(inside(&|l| l.side = Side::Sell), 0);
        assert_eq!(inside(&|l| l.price = PRICE - 1), 0);
        assert_eq!(inside(&|l| l.qty = QTY + 1), 0);
        // The window is u64: a window of u64::MAX never elapses and does not overflow.
        let mut c = at_limits();
        c.ts = u64::MAX >> 16;
        c.a.window = c.ts >> 20;
        c.a.count = 0;
        c.a.last_order = Some(LastOrder { symbol: SYM, side: Side::Buy, price: PRICE, qty: QTY, ts: 0 });
        c.a.dup_window = u64::MAX;
        assert_eq!(c.reasons(), reason::DUPLICATE);
    }

    #[test]
    fn every_reason_is_reported() {
        let mut c = at_limits();
        c.o = Order { side: Side::Buy, price: 200_000, qty: 1000 };
        c.se.global_kill = true;
        c.se.market_open = false;
        c.s.trading_state = b'H';
        c.s.position = 500;
        c.a.used_credit = c.a.credit_limit;
        c.a.count = 3;
        c.a.last_order = None;
        // The client-order checks of §18 are not this function's.
        let strategy_bits = reason::ALL & !reason::CLIENT_ONLY;
        assert_eq!(c.reasons(), strategy_bits & !reason::NO_REF & !reason::DUPLICATE);
        let mut c = at_limits();
        c.se.global_kill = true;
        c.s.last_trade = 0;
        assert_eq!(c.reasons(), reason::KILL | reason::NO_REF);
    }

    #[test]
    fn accept_updates_position_credit_and_throttle() {
        let Case { o, se, mut s, mut a, .. } = at_limits();
        assert_eq!(accept(&o, SYM, TS, &se, &mut s, &mut a), QTY);
        assert_eq!(s.position, 500);
        assert_eq!(a.used_credit, 1_000 + N);
        assert_eq!((a.window, a.count), (TS >> 20, 3));
        assert_eq!(a.last_order, Some(LastOrder { symbol: SYM, side: Side::Buy, price: PRICE, qty: QTY, ts: TS }));
        // The same order again is now throttled, over credit, over the position limit and
        // a duplicate.
        let all = reason::THROTTLE | reason::CREDIT | reason::POSITION | reason::DUPLICATE;
        assert_eq!(check(&o, SYM, TS, &se, &s, &a), all);
        // A sell in a later window restarts the count.
        let later = TS + (1 << 20);
        let sell = Order { side: Side::Sell, ..o };
        assert_eq!(accept(&sell, SYM, later, &se, &mut s, &mut a), QTY);
        assert_eq!(s.position, 400);
        assert_eq!((a.window, a.count), (later >> 20, 1));
        // Credit saturates instead of wrapping, for sells too.
        a.used_credit = u64::MAX - 1;
        accept(&sell, SYM, later, &se, &mut s, &mut a);
        assert_eq!(a.used_credit, u64::MAX);
        assert_eq!(a.count, 2);
    }
}
