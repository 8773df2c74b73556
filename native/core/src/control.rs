//! The in-band control message of spec §9: risk limits and kill switches changed at an
//! exact point of the stream.
//!
//! A control message names the seq it must precede, so replaying a session applies it at
//! the same place however the input is batched. `validate` is pure (the message, the last
//! seq and the config sizes in, an `Action` or nothing out); `apply` only assigns.

use crate::book::Book;
use crate::itch::{be16, be64};
use crate::params::{MAX_ACCOUNTS, MAX_SYMBOLS};
use crate::records::{op, NO_SYMBOL};
use crate::risk::{AccountRisk, Session, SymbolRisk};

/// Target of the global ops.
pub const GLOBAL: u16 = 0xFFFF;
/// Largest position limit (2^31 − 1): positions stay within i32 for the FILL record.
const I31: u64 = (1 << 31) - 1;

/// The fields of a control message (type `~`, 20 bytes, big-endian like the ITCH stream
/// it travels in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Control {
    pub op: u8,
    /// Symbol index, account index, or `GLOBAL`.
    pub target: u16,
    /// Effective seq `S`: the message applies right before message `S`.
    pub seq: u64,
    pub value: u64,
}

impl Control {
    /// op 1, target 2/2, effective seq 4/8, value 12/8.
    #[inline]
    pub fn parse(m: &[u8; 20]) -> Control {
        Control { op: m[1], target: be16(m, 2), seq: be64(m, 4), value: be64(m, 12) }
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
}

impl Action {
    /// The symbol byte of the CONTROL record: the target of a symbol op, else none.
    pub fn record_symbol(self) -> u8 {
        match self {
            Action::GlobalKill(_) | Action::CreditLimit(..) | Action::MaxOrders(..) => NO_SYMBOL,
            Action::SymbolKill(i, _)
            | Action::MaxQty(i, _)
            | Action::MaxNotional(i, _)
            | Action::PositionLimit(i, _)
            | Action::CollarBps(i, _)
            | Action::ClearCollision(i) => i as u8,
        }
    }
}

/// The §9 validity rule: `S = last_seq + 1`, a known op, its target in range (`< n_symbols`
/// or `< n_accounts` of the config) and its value in range. `None` means BAD_CONTROL; a
/// value out of range is refused, never clamped.
pub fn validate(c: &Control, last_seq: u64, n_symbols: usize, n_accounts: usize) -> Option<Action> {
    if c.seq != last_seq + 1 {
        return None;
    }
    let t = c.target as usize;
    let sym = (t < n_symbols).then_some(t);
    let acct = (t < n_accounts).then_some(t);
    let v = c.value;
    Some(match c.op {
        op::GLOBAL_KILL if c.target == GLOBAL && v <= 1 => Action::GlobalKill(v == 1),
        op::SYMBOL_KILL if v <= 1 => Action::SymbolKill(sym?, v == 1),
        op::MAX_QTY if v <= u32::MAX as u64 => Action::MaxQty(sym?, v as u32),
        op::MAX_NOTIONAL => Action::MaxNotional(sym?, v),
        op::POSITION_LIMIT if v <= I31 => Action::PositionLimit(sym?, v as i64),
        op::COLLAR_BPS if v <= u16::MAX as u64 => Action::CollarBps(sym?, v as u16),
        op::CREDIT_LIMIT => Action::CreditLimit(acct?, v),
        op::MAX_ORDERS if v <= u32::MAX as u64 => Action::MaxOrders(acct?, v),
        op::CLEAR_COLLISION if v == 0 => Action::ClearCollision(sym?),
        _ => return None,
    })
}

/// Applies a validated action to the risk state, or to the book for op 9.
pub fn apply(
    a: Action,
    session: &mut Session,
    syms: &mut [SymbolRisk; MAX_SYMBOLS],
    accts: &mut [AccountRisk; MAX_ACCOUNTS],
    book: &mut Book,
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(op: u8, target: u16, value: u64) -> Option<Action> {
        validate(&Control { op, target, seq: 11, value }, 10, 3, 2)
    }

    #[test]
    fn parse_reads_big_endian_fields() {
        let mut m = [0u8; 20];
        m[0] = b'~';
        m[1] = op::MAX_QTY;
        m[2..4].copy_from_slice(&0x0102u16.to_be_bytes());
        m[4..12].copy_from_slice(&0x0304_0506_0708_090Au64.to_be_bytes());
        m[12..20].copy_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(Control::parse(&m), Control { op: op::MAX_QTY, target: 0x0102, seq: 0x0304_0506_0708_090A, value: u64::MAX });
    }

    #[test]
    fn effective_seq_must_be_the_next_one() {
        let c = Control { op: op::GLOBAL_KILL, target: GLOBAL, seq: 11, value: 1 };
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
    }

    #[test]
    fn unknown_ops_are_refused() {
        for o in [0, 10, 0x7E, 0xFF] {
            assert_eq!(v(o, 0, 0), None, "op {o}");
        }
    }

    #[test]
    fn record_symbol_only_for_symbol_ops() {
        assert_eq!(Action::GlobalKill(true).record_symbol(), NO_SYMBOL);
        assert_eq!(Action::CreditLimit(1, 0).record_symbol(), NO_SYMBOL);
        assert_eq!(Action::MaxOrders(1, 0).record_symbol(), NO_SYMBOL);
        assert_eq!(Action::CollarBps(2, 0).record_symbol(), 2);
        assert_eq!(Action::ClearCollision(1).record_symbol(), 1);
    }
}
