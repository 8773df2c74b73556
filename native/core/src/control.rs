//! The in-band control message of spec §9: risk limits and kill switches changed at an
//! exact point of the stream.
//!
//! A control message names the seq it must precede, so replaying a session applies it at
//! the same place however the input is batched. `validate` is pure (the message, the last
//! seq and the config sizes in, an `Action` or nothing out); `apply` only assigns.

use crate::book::Book;
use crate::contract::control::{self as contract, op, Target};
use crate::itch::{be16, be64};
use crate::order_entry::OrderEntry;
use crate::params::{MAX_ACCOUNTS, MAX_SYMBOLS};
use crate::records::NO_SYMBOL;
use crate::risk::{AccountRisk, Session, SymbolRisk};

/// Target of the global ops.
pub const GLOBAL: u16 = contract::GLOBAL_TARGET;

/// The fields of a control message (type `~`, 28 bytes, big-endian like the ITCH stream
/// it travels in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Control {
    pub op: u8,
    /// Symbol index, account index, or `GLOBAL`.
    pub target: u16,
    /// Effective seq `S`: the message applies right before message `S`.
    pub seq: u64,
    pub value: u64,
    /// Fingerprint of the config the message was made for (§10); compared with the
    /// engine's config before anything else.
    pub fingerprint: u64,
}

impl Control {
    /// Fields at the contract's offsets (op, target, effective seq, value).
    #[inline]
    pub fn parse(m: &[u8; contract::LEN]) -> Control {
        Control {
            op: m[contract::OFF_OP],
            target: be16(m, contract::OFF_TARGET),
            seq: be64(m, contract::OFF_SEQ),
            value: be64(m, contract::OFF_VALUE),
            fingerprint: be64(m, contract::OFF_FINGERPRINT),
        }
    }
}

/// What a valid control message does, with its target index checked against the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    GlobalKill(bool),
    SymbolKill(usize, bool),
    MaxQty(usize, u32),
    MaxNotional(usize, u64),
    PositionLimit(usize, i64),
    CollarBps(usize, u16),
    CreditLimit(usize, u64),
    MaxOrders(usize, u64),
    ClearCollision(usize),
    DupWindow(usize, u64),
    MaxOpenOrders(usize, u64),
    AccountReduceOnly(usize, bool),
    SymbolReduceOnly(usize, bool),
    MaxOrderRate(usize, u64),
    AccountKill(usize, bool),
    MaxDailyLoss(usize, u64),
}

impl Action {
    /// The symbol byte of the CONTROL record: the target of a symbol op, else none.
    pub fn record_symbol(self) -> u8 {
        match self {
            Action::GlobalKill(_)
            | Action::CreditLimit(..)
            | Action::MaxOrders(..)
            | Action::DupWindow(..)
            | Action::MaxOpenOrders(..)
            | Action::AccountReduceOnly(..)
            | Action::MaxOrderRate(..)
            | Action::AccountKill(..)
            | Action::MaxDailyLoss(..) => NO_SYMBOL,
            Action::SymbolKill(i, _)
            | Action::MaxQty(i, _)
            | Action::MaxNotional(i, _)
            | Action::PositionLimit(i, _)
            | Action::CollarBps(i, _)
            | Action::ClearCollision(i)
            | Action::SymbolReduceOnly(i, _) => i as u8,
        }
    }
}

/// The §9 validity rule: `S = last_seq + 1`, a known op, its target in range (`< n_symbols`
/// or `< n_accounts` of the config, or `GLOBAL`) and its value in the op's range, all as the
/// contract lists them. `None` means BAD_CONTROL; a value out of range is refused, never
/// clamped.
pub fn validate(c: &Control, last_seq: u64, n_symbols: usize, n_accounts: usize) -> Option<Action> {
    if c.seq != last_seq + 1 {
        return None;
    }
    let spec = contract::spec(c.op)?;
    let v = c.value;
    if v < spec.min || v > spec.max {
        return None;
    }
    let t = c.target as usize;
    let ok = match spec.target {
        Target::Global => c.target == GLOBAL,
        Target::Symbol => t < n_symbols,
        Target::Account => t < n_accounts,
    };
    if !ok {
        return None;
    }
    // The range check above makes every narrowing below lossless.
    Some(match c.op {
        op::GLOBAL_KILL => Action::GlobalKill(v == 1),
        op::SYMBOL_KILL => Action::SymbolKill(t, v == 1),
        op::MAX_QTY => Action::MaxQty(t, v as u32),
        op::MAX_NOTIONAL => Action::MaxNotional(t, v),
        op::POSITION_LIMIT => Action::PositionLimit(t, v as i64),
        op::COLLAR_BPS => Action::CollarBps(t, v as u16),
        op::CREDIT_LIMIT => Action::CreditLimit(t, v),
        op::MAX_ORDERS => Action::MaxOrders(t, v),
        op::CLEAR_COLLISION => Action::ClearCollision(t),
        op::DUP_WINDOW => Action::DupWindow(t, v),
        op::MAX_OPEN_ORDERS => Action::MaxOpenOrders(t, v),
        op::ACCOUNT_REDUCE_ONLY => Action::AccountReduceOnly(t, v == 1),
        op::SYMBOL_REDUCE_ONLY => Action::SymbolReduceOnly(t, v == 1),
        op::MAX_ORDER_RATE => Action::MaxOrderRate(t, v),
        op::ACCOUNT_KILL => Action::AccountKill(t, v == 1),
        op::MAX_DAILY_LOSS => Action::MaxDailyLoss(t, v),
        // An op in the contract without an action here: refused until implemented.
        _ => return None,
    })
}

/// Applies a validated action to the risk state (the account kill, op 15, included), to the
/// book for op 9, or to the order-entry state for ops 11–14 (§18).
pub fn apply(
    a: Action,
    session: &mut Session,
    syms: &mut [SymbolRisk; MAX_SYMBOLS],
    accts: &mut [AccountRisk; MAX_ACCOUNTS],
    book: &mut Book,
    oe: &mut OrderEntry,
) {
    match a {
        Action::GlobalKill(on) => session.global_kill = on,
        Action::SymbolKill(i, on) => syms[i % MAX_SYMBOLS].kill = on,
        Action::MaxQty(i, v) => syms[i % MAX_SYMBOLS].max_qty = v,
        Action::MaxNotional(i, v) => syms[i % MAX_SYMBOLS].max_notional = v,
        Action::PositionLimit(i, v) => syms[i % MAX_SYMBOLS].position_limit = v,
        Action::CollarBps(i, v) => syms[i % MAX_SYMBOLS].collar_bps = v,
        Action::CreditLimit(j, v) => accts[j % MAX_ACCOUNTS].credit_limit = v,
        Action::MaxOrders(j, v) => accts[j % MAX_ACCOUNTS].max_orders = v,
        Action::ClearCollision(i) => book.clear_collision(i),
        Action::DupWindow(j, v) => accts[j % MAX_ACCOUNTS].dup_window = v,
        Action::MaxOpenOrders(j, v) => oe.accts[j % MAX_ACCOUNTS].max_open = v,
        Action::AccountReduceOnly(j, on) => oe.accts[j % MAX_ACCOUNTS].reduce_only = on,
        Action::SymbolReduceOnly(i, on) => oe.syms[i % MAX_SYMBOLS].reduce_only = on,
        Action::MaxOrderRate(j, v) => oe.accts[j % MAX_ACCOUNTS].max_rate = v,
        Action::AccountKill(j, on) => accts[j % MAX_ACCOUNTS].kill = on,
        Action::MaxDailyLoss(j, v) => oe.accts[j % MAX_ACCOUNTS].loss_limit = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const I31: u64 = (1 << 31) - 1;

    fn v(op: u8, target: u16, value: u64) -> Option<Action> {
        validate(&Control { op, target, seq: 11, value, fingerprint: 0 }, 10, 3, 2)
    }

    #[test]
    fn parse_reads_big_endian_fields() {
        let mut m = [0u8; contract::LEN];
        m[contract::OFF_TYPE] = contract::TYPE;
        m[contract::OFF_OP] = op::MAX_QTY;
        m[contract::OFF_TARGET..][..2].copy_from_slice(&0x0102u16.to_be_bytes());
        m[contract::OFF_SEQ..][..8].copy_from_slice(&0x0304_0506_0708_090Au64.to_be_bytes());
        m[contract::OFF_VALUE..][..8].copy_from_slice(&u64::MAX.to_be_bytes());
        m[contract::OFF_FINGERPRINT..][..8].copy_from_slice(&0x1112_1314_1516_1718u64.to_be_bytes());
        assert_eq!(
            Control::parse(&m),
            Control { op: op::MAX_QTY, target: 0x0102, seq: 0x0304_0506_0708_090A, value: u64::MAX, fingerprint: 0x1112_1314_1516_1718 }
        );
    }

    #[test]
    fn effective_seq_must_be_the_next_one() {
        let c = Control { op: op::GLOBAL_KILL, target: GLOBAL, seq: 11, value: 1, fingerprint: 0 };
        assert_eq!(validate(&c, 10, 3, 2), Some(Action::GlobalKill(true)));
        assert_eq!(validate(&c, 11, 3, 2), None);
        assert_eq!(validate(&c, 9, 3, 2), None);
    }

    #[test]
    fn targets_are_checked_against_the_config() {
        assert_eq!(v(op::GLOBAL_KILL, 0, 1), None);
        assert_eq!(v(op::SYMBOL_KILL, 2, 1), Some(Action::SymbolKill(2, true)));
        assert_eq!(v(op::SYMBOL_KILL, 3, 1), None);
        assert_eq!(v(op::SYMBOL_KILL, GLOBAL, 1), None);
        assert_eq!(v(op::CREDIT_LIMIT, 1, 5), Some(Action::CreditLimit(1, 5)));
        assert_eq!(v(op::CREDIT_LIMIT, 2, 5), None);
        assert_eq!(v(op::MAX_ORDERS, 2, 5), None);
        assert_eq!(v(op::DUP_WINDOW, 1, 5), Some(Action::DupWindow(1, 5)));
        assert_eq!(v(op::DUP_WINDOW, 2, 5), None);
        assert_eq!(v(op::DUP_WINDOW, GLOBAL, 5), None);
    }

    #[test]
    fn values_are_checked_at_their_bounds() {
        assert_eq!(v(op::GLOBAL_KILL, GLOBAL, 2), None);
        assert_eq!(v(op::SYMBOL_KILL, 0, 2), None);
        assert_eq!(v(op::MAX_QTY, 0, u32::MAX as u64), Some(Action::MaxQty(0, u32::MAX)));
        assert_eq!(v(op::MAX_QTY, 0, u32::MAX as u64 + 1), None);
        assert_eq!(v(op::MAX_NOTIONAL, 0, u64::MAX), Some(Action::MaxNotional(0, u64::MAX)));
        assert_eq!(v(op::POSITION_LIMIT, 0, I31), Some(Action::PositionLimit(0, I31 as i64)));
        assert_eq!(v(op::POSITION_LIMIT, 0, I31 + 1), None);
        assert_eq!(v(op::COLLAR_BPS, 0, 65_535), Some(Action::CollarBps(0, 65_535)));
        assert_eq!(v(op::COLLAR_BPS, 0, 65_536), None);
        assert_eq!(v(op::CREDIT_LIMIT, 0, u64::MAX), Some(Action::CreditLimit(0, u64::MAX)));
        assert_eq!(v(op::MAX_ORDERS, 0, u32::MAX as u64 + 1), None);
        assert_eq!(v(op::CLEAR_COLLISION, 0, 0), Some(Action::ClearCollision(0)));
        assert_eq!(v(op::CLEAR_COLLISION, 0, 1), None);
        assert_eq!(v(op::DUP_WINDOW, 0, 0), Some(Action::DupWindow(0, 0)));
        assert_eq!(v(op::DUP_WINDOW, 0, u64::MAX), Some(Action::DupWindow(0, u64::MAX)));
    }

    #[test]
    fn every_contract_op_has_an_action() {
        for s in contract::OPS {
            let target = match s.target {
                Target::Global => GLOBAL,
                Target::Symbol | Target::Account => 0,
            };
            assert!(v(s.code, target, s.min).is_some(), "op {} ({})", s.code, s.name);
            assert!(v(s.code, target, s.max).is_some(), "op {} ({}) at its max", s.code, s.name);
        }
    }

    #[test]
    fn unknown_ops_are_refused() {
        let past = contract::OPS.iter().map(|s| s.code).max().unwrap_or(0) + 1;
        for o in [0, past, past + (u8::MAX - past) / 2, u8::MAX] {
            assert_eq!(v(o, 0, 0), None, "op {o}");
        }
    }

    #[test]
    fn record_symbol_only_for_symbol_ops() {
        assert_eq!(Action::GlobalKill(true).record_symbol(), NO_SYMBOL);
        assert_eq!(Action::CreditLimit(1, 0).record_symbol(), NO_SYMBOL);
        assert_eq!(Action::MaxOrders(1, 0).record_symbol(), NO_SYMBOL);
        assert_eq!(Action::DupWindow(1, 0).record_symbol(), NO_SYMBOL);
        assert_eq!(Action::CollarBps(2, 0).record_symbol(), 2);
        assert_eq!(Action::ClearCollision(1).record_symbol(), 1);
    }
}
