//! The pre-trade risk checks of spec §8.2 and the accept-side update of §8.3.
//!
//! `check` is pure and evaluates every check for every order, with no short-circuit: the
//! DECISION record reports all the reasons an order failed, not the first one, just as
//! the hardware evaluates the ten checks side by side. `accept` is the only place risk
//! state changes, and it runs only for an order with no reason set.

use crate::records::reason;
use crate::strategy::Order;

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
/// order's symbol and `acct` that symbol's account.
#[inline(always)]
pub fn check(o: &Order, ts: u64, session: &Session, sym: &SymbolRisk, acct: &AccountRisk) -> u16 {
    let n = o.price as u64 * o.qty as u64; // notional (u64: < 2^64 for u32 × u32)
    let rf = sym.last_trade as u64; // reference price
    let w = ts >> session.w_shift;
    let in_window = if acct.window == w { acct.count } else { 0 };

    // bit 0 KILL: global_kill = 1 or kill[i] = 1.
    fail(session.global_kill || sym.kill, reason::KILL)
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
}

/// §8.3 for an order `check` accepted: fill, position, credit, throttle. Returns the
/// fill quantity.
#[inline(always)]
pub fn accept(o: &Order, ts: u64, session: &Session, sym: &mut SymbolRisk, acct: &mut AccountRisk) -> u32 {
    // 1. f = min(qty, displayed size at the order price): the strategy priced the order
    //    at the opposite best level and clipped qty to its size, so f = qty in version 1.
    let f = o.qty;
    // 2. Position and credit (saturating) by the filled quantity.
    sym.position += o.side.signed(f);
    acct.used_credit = acct.used_credit.saturating_add(o.price as u64 * f as u64);
    // 3. Throttle: a new window starts counting from zero.
    let w = ts >> session.w_shift;
    if acct.window != w {
        acct.window = w;
        acct.count = 0;
    }
    acct.count += 1;
    f
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

    fn buy() -> Order {
        Order { side: Side::Buy, price: PRICE, qty: QTY }
    }
    fn sell() -> Order {
        Order { side: Side::Sell, price: PRICE, qty: QTY }
    }
    /// Every input exactly at its limit: the order passes.
    fn session() -> Session {
        Session { global_kill: false, gate_market_hours: true, market_open: true, w_shift: 20 }
    }
    fn sym() -> SymbolRisk {
        SymbolRisk {
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
        }
    }
    fn acct() -> AccountRisk {
        AccountRisk { id: 1001, max_orders: 3, credit_limit: 1_000 + N, used_credit: 1_000, window: TS >> 20, count: 2 }
    }
    fn reasons(f: impl FnOnce(&mut Order, &mut Session, &mut SymbolRisk, &mut AccountRisk)) -> u16 {
        let (mut o, mut se, mut s, mut a) = (buy(), session(), sym(), acct());
        f(&mut o, &mut se, &mut s, &mut a);
        check(&o, TS, &se, &s, &a)
    }

    #[test]
    fn at_every_limit_passes() {
        assert_eq!(reasons(|_, _, _, _| {}), 0);
    }

    #[test]
    fn kill() {
        assert_eq!(reasons(|_, se, _, _| se.global_kill = true), reason::KILL);
        assert_eq!(reasons(|_, _, s, _| s.kill = true), reason::KILL);
    }

    #[test]
    fn halted() {
        for st in [b'H', b'P', b'Q', b' ', 0] {
            assert_eq!(reasons(|_, _, s, _| s.trading_state = st), reason::HALTED, "state {st}");
        }
    }

    #[test]
    fn market_closed_only_when_gated() {
        assert_eq!(reasons(|_, se, _, _| se.market_open = false), reason::MARKET_CLOSED);
        assert_eq!(
            reasons(|_, se, _, _| {
                se.market_open = false;
                se.gate_market_hours = false
            }),
            0
        );
    }

    #[test]
    fn max_qty() {
        assert_eq!(reasons(|_, _, s, _| s.max_qty = QTY - 1), reason::MAX_QTY);
    }

    #[test]
    fn max_notional() {
        assert_eq!(reasons(|_, _, s, _| s.max_notional = N - 1), reason::MAX_NOTIONAL);
        // The product is u64: u32::MAX × u32::MAX does not wrap.
        let r = reasons(|o, _, s, _| {
            *o = Order { side: Side::Buy, price: u32::MAX, qty: u32::MAX };
            s.max_notional = u32::MAX as u64 * u32::MAX as u64 - 1;
        });
        assert_ne!(r & reason::MAX_NOTIONAL, 0);
    }

    #[test]
    fn no_ref_and_no_collar_without_a_reference() {
        assert_eq!(reasons(|_, _, s, _| s.last_trade = 0), reason::NO_REF);
        // With no reference the collar is not evaluated even at 0 bps.
        assert_eq!(
            reasons(|_, _, s, _| {
                s.last_trade = 0;
                s.collar_bps = 0
            }),
            reason::NO_REF
        );
    }

    #[test]
    fn collar_both_directions() {
        assert_eq!(reasons(|_, _, s, _| s.collar_bps = 9), reason::COLLAR);
        // Below the reference by the same distance: same boundary.
        assert_eq!(reasons(|o, _, s, _| { o.price = 2 * REF - PRICE; s.max_notional = u64::MAX }), 0);
        assert_eq!(
            reasons(|o, _, s, _| {
                o.price = 2 * REF - PRICE - 1;
                s.max_notional = u64::MAX
            }),
            reason::COLLAR
        );
        // At the reference price a zero collar passes.
        assert_eq!(reasons(|o, _, s, _| { o.price = REF; s.collar_bps = 0 }), 0);
        // Extremes do not overflow: |u32::MAX − 1| × 10000 vs 1 × 65535.
        let r = reasons(|o, _, s, _| {
            *o = Order { side: Side::Buy, price: u32::MAX, qty: 1 };
            s.last_trade = 1;
            s.collar_bps = u16::MAX;
        });
        assert_ne!(r & reason::COLLAR, 0);
    }

    #[test]
    fn position_after_the_order() {
        assert_eq!(reasons(|_, _, s, _| s.position = 401), reason::POSITION);
        // A sell from −400 reaches −500: at the limit.
        let r = reasons(|o, _, s, _| {
            *o = sell();
            s.position = -400
        });
        assert_eq!(r, 0);
        let r = reasons(|o, _, s, _| {
            *o = sell();
            s.position = -401
        });
        assert_eq!(r, reason::POSITION);
        // A sell that reduces a long position past the limit the other way is fine.
        assert_eq!(reasons(|o, _, _, _| *o = sell()), 0);
        // Extremes: position ±(2^31 − 1) with qty 2^32 − 1 stays in i64.
        let r = reasons(|o, _, s, _| {
            *o = Order { side: Side::Sell, price: PRICE, qty: u32::MAX };
            s.position = -((1 << 31) - 1);
            s.position_limit = (1 << 31) - 1;
        });
        assert_ne!(r & reason::POSITION, 0);
    }

    #[test]
    fn credit_saturates() {
        assert_eq!(reasons(|_, _, _, a| a.used_credit = 1_001), reason::CREDIT);
        assert_eq!(reasons(|_, _, _, a| a.credit_limit = 999 + N), reason::CREDIT);
        // A saturated sum equals u64::MAX, which a limit of u64::MAX still admits.
        assert_eq!(
            reasons(|_, _, _, a| {
                a.used_credit = u64::MAX;
                a.credit_limit = u64::MAX
            }),
            0
        );
        assert_eq!(
            reasons(|_, _, _, a| {
                a.used_credit = u64::MAX;
                a.credit_limit = u64::MAX - 1
            }),
            reason::CREDIT
        );
    }

    #[test]
    fn throttle_counts_only_the_current_window() {
        assert_eq!(reasons(|_, _, _, a| a.count = 3), reason::THROTTLE);
        // The count belongs to another window: it reads as 0.
        assert_eq!(
            reasons(|_, _, _, a| {
                a.count = 3;
                a.window = (TS >> 20) - 1
            }),
            0
        );
        assert_eq!(
            reasons(|_, _, _, a| {
                a.count = 0;
                a.max_orders = 0
            }),
            reason::THROTTLE
        );
        // W_SHIFT 0: every nanosecond is its own window.
        assert_eq!(reasons(|_, se, _, a| { se.w_shift = 0; a.count = 3 }), 0);
    }

    #[test]
    fn every_reason_at_once() {
        let r = reasons(|o, se, s, a| {
            *o = Order { side: Side::Buy, price: 200_000, qty: 1000 };
            se.global_kill = true;
            se.market_open = false;
            s.trading_state = b'H';
            s.position = 500;
            a.used_credit = a.credit_limit;
            a.count = 3;
        });
        let all = ((1u16 << 10) - 1) & !reason::NO_REF;
        assert_eq!(r, all);
        assert_eq!(reasons(|_, se, s, _| { se.global_kill = true; s.last_trade = 0 }), reason::KILL | reason::NO_REF);
    }

    #[test]
    fn accept_updates_position_credit_and_throttle() {
        let (se, mut s, mut a) = (session(), sym(), acct());
        assert_eq!(accept(&buy(), TS, &se, &mut s, &mut a), QTY);
        assert_eq!(s.position, 500);
        assert_eq!(a.used_credit, 1_000 + N);
        assert_eq!((a.window, a.count), (TS >> 20, 3));
        // The next order in the same window is throttled and over credit now.
        assert_eq!(check(&buy(), TS, &se, &s, &a) & (reason::THROTTLE | reason::CREDIT), reason::THROTTLE | reason::CREDIT);
        // A sell in a later window restarts the count.
        let later = TS + (1 << 20);
        assert_eq!(accept(&sell(), later, &se, &mut s, &mut a), QTY);
        assert_eq!(s.position, 400);
        assert_eq!((a.window, a.count), (later >> 20, 1));
        // Credit saturates instead of wrapping.
        a.used_credit = u64::MAX - 1;
        accept(&buy(), later, &se, &mut s, &mut a);
        assert_eq!(a.used_credit, u64::MAX);
        assert_eq!(a.count, 2);
    }

    #[test]
    fn check_changes_nothing() {
        // A pure function by signature; spelled out because §8.3 depends on it.
        let (se, s, a) = (session(), sym(), acct());
        let _ = check(&Order { side: Side::Buy, price: 1, qty: u32::MAX }, TS, &se, &s, &a);
        assert_eq!((s, a), (sym(), acct()));
    }
}
