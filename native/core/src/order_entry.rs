//! Client orders in the engine (spec §18): the order and venue frames, the open-order table,
//! the checks a client order gets on top of §8.2 and the state the venue's answers move.
//!
//! `parse_*` and `validate_*` are pure; `check` is pure like `risk::check`; the `apply_*`
//! functions are the only places order-entry state changes.

use crate::contract::order_frame::{self as OF, ORDER_SLOTS};
use crate::contract::reason;
use crate::contract::venue_frame as VF;
use crate::itch::{be16, be32, be64, ORDER_LEN, VENUE_LEN};
use crate::params::{MAX_ACCOUNTS, MAX_SYMBOLS};
use crate::risk::{self, AccountRisk, Session, SymbolRisk};
use crate::strategy::{Order, Side};

/// Enter a new order.
pub const ENTER: u8 = b'O';
/// Replace an open order (new price and shares, same account, symbol and side).
pub const REPLACE: u8 = b'U';
/// Venue event: executed.
pub const EXECUTED: u8 = b'E';
/// Venue event: canceled (also the aux of the ORDER record a venue cancel emits).
pub const CANCELED: u8 = b'C';
/// The value of the CONTROL record of an account kill the daily loss limit engaged (§18.8);
/// an operator's ACCOUNT_KILL engage is 1.
pub const LOSS_KILL_VALUE: u64 = 2;
/// Largest order quantity a frame may carry (OUCH's limit).
pub const MAX_FRAME_QTY: u32 = 1_000_000;

/// A client order frame's fields (`{`, big-endian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderFrame {
    pub action: u8,
    pub side: u8,
    pub tif: u8,
    pub account: u16,
    pub symbol: u16,
    pub order_id: u32,
    pub qty: u32,
    pub price: u32,
    pub seq: u64,
    pub fingerprint: u64,
}

/// A venue answer frame's fields (`}`, big-endian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VenueFrame {
    pub event: u8,
    pub reserved: u16,
    pub order_id: u32,
    pub qty: u32,
    pub price: u32,
    pub seq: u64,
    pub fingerprint: u64,
}

pub fn parse_order(m: &[u8; ORDER_LEN]) -> OrderFrame {
    OrderFrame {
        action: m[OF::OFF_ACTION],
        side: m[OF::OFF_SIDE],
        tif: m[OF::OFF_TIF],
        account: be16(m, OF::OFF_ACCOUNT),
        symbol: be16(m, OF::OFF_SYMBOL),
        order_id: be32(m, OF::OFF_ORDER_ID),
        qty: be32(m, OF::OFF_QTY),
        price: be32(m, OF::OFF_PRICE),
        seq: be64(m, OF::OFF_SEQ),
        fingerprint: be64(m, OF::OFF_FINGERPRINT),
    }
}

pub fn parse_venue(m: &[u8; VENUE_LEN]) -> VenueFrame {
    VenueFrame {
        event: m[VF::OFF_EVENT],
        reserved: be16(m, VF::OFF_RESERVED),
        order_id: be32(m, VF::OFF_ORDER_ID),
        qty: be32(m, VF::OFF_QTY),
        price: be32(m, VF::OFF_PRICE),
        seq: be64(m, VF::OFF_SEQ),
        fingerprint: be64(m, VF::OFF_FINGERPRINT),
    }
}

/// The side of the risk formulas: `B` buys, `S`/`T`/`E` sell.
fn risk_side(side: u8) -> Option<Side> {
    match side {
        b'B' => Some(Side::Buy),
        b'S' | b'T' | b'E' => Some(Side::Sell),
        _ => None,
    }
}

/// One slot of the open-order table; `open = 0` is a free slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOrder {
    pub open: u32,
    pub price: u32,
    pub account: u8,
    pub symbol: u8,
    /// As in the frame: `B`, `S`, `T` or `E`.
    pub side: u8,
}

impl OpenOrder {
    fn buys(&self) -> bool {
        self.side == b'B'
    }
}

/// Order-entry state of one account (§18.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountOrders {
    /// Control op `MAX_OPEN_ORDERS` (start 0: no client order until it is set).
    pub max_open: u64,
    pub open_count: u64,
    /// Σ price × open shares of the account's open orders (< 2^32 × 10^6 × 4096 < 2^64: no
    /// overflow is possible).
    pub open_notional: u64,
    /// Control op `ACCOUNT_REDUCE_ONLY`.
    pub reduce_only: bool,
    /// Control op `MAX_ORDER_RATE` (start 0) and the rate window's count.
    pub max_rate: u64,
    pub rate_window: u64,
    pub rate_count: u64,
    /// Control op `MAX_DAILY_LOSS` (0: off) and the daily P&L of the account's venue
    /// executions (§18.8): `cash` = Σ ±price × shares (sells +, buys −), `marked` = Σ of the
    /// account's pair terms (`Pair::term`), both i64 saturating.
    pub loss_limit: u64,
    pub cash: i64,
    pub marked: i64,
}

/// One account's position in one symbol from its venue executions and the marked value it
/// was last given (§18.8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pair {
    /// Signed shares (wrapping i64: exact below 2^63 shares, ~9.2 × 10^12 maximum-size executions).
    pub pos: i64,
    /// `clamp_i64(pos × mark)` at the pair's last re-mark.
    pub term: i64,
}

/// Pairs of the P&L, account-major.
pub const PAIRS: usize = MAX_ACCOUNTS * MAX_SYMBOLS;

/// The pair of account `a` and symbol `i`.
pub fn pair_index(a: usize, i: usize) -> usize {
    (a % MAX_ACCOUNTS) * MAX_SYMBOLS + i % MAX_SYMBOLS
}

/// `pos × mark` (exact in i128) clamped to i64.
pub fn mark_value(pos: i64, mark: u32) -> i64 {
    (pos as i128 * mark as i128).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// Order-entry state of one symbol (§18.3, §18.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SymbolOrders {
    /// Open shares of the symbol's open buy and sell orders, all accounts.
    pub open_buy: u64,
    pub open_sell: u64,
    /// Control op `SYMBOL_REDUCE_ONLY`.
    pub reduce_only: bool,
    /// Reg SHO restriction in force (ITCH `Y`, action ≠ '0').
    pub ssr: bool,
}

/// All order-entry state: the open-order table and the per-account and per-symbol sums.
pub struct OrderEntry {
    pub slots: Box<[OpenOrder; ORDER_SLOTS]>,
    pub accts: Box<[AccountOrders; MAX_ACCOUNTS]>,
    pub syms: Box<[SymbolOrders; MAX_SYMBOLS]>,
    pub pairs: Box<[Pair; PAIRS]>,
    /// The S of the last venue execution and how many were applied at it (FILL `leg`).
    pub leg_seq: u64,
    pub legs: u8,
}

impl Default for OrderEntry {
    fn default() -> Self {
        OrderEntry {
            slots: crate::boxed_array(OpenOrder::default()),
            accts: crate::boxed_array(AccountOrders::default()),
            syms: crate::boxed_array(SymbolOrders::default()),
            pairs: crate::boxed_array(Pair::default()),
            leg_seq: 0,
            legs: 0,
        }
    }
}

impl OrderEntry {
    pub fn clear(&mut self) {
        self.slots.fill(OpenOrder::default());
        self.accts.fill(AccountOrders::default());
        self.syms.fill(SymbolOrders::default());
        self.pairs.fill(Pair::default());
        self.leg_seq = 0;
        self.legs = 0;
    }

    /// The open slot `id`, if it is in range and open.
    pub fn open(&self, id: u32) -> Option<OpenOrder> {
        self.slots.get(id as usize).copied().filter(|o| o.open != 0)
    }

    /// Adds (`sign = true`) or removes an order's open shares from the sums.
    fn account_for(&mut self, o: &OpenOrder, shares: u32, add: bool) {
        let n = o.price as u64 * shares as u64;
        let a = &mut self.accts[o.account as usize % MAX_ACCOUNTS];
        let s = &mut self.syms[o.symbol as usize % MAX_SYMBOLS];
        let side = if o.buys() { &mut s.open_buy } else { &mut s.open_sell };
        if add {
            a.open_notional += n;
            *side += shares as u64;
        } else {
            a.open_notional -= n;
            *side -= shares as u64;
        }
    }

    /// Takes `shares` off an open order (an execution or a cancel); frees the slot at 0.
    pub fn reduce(&mut self, id: u32, shares: u32) {
        let i = id as usize % ORDER_SLOTS;
        let o = self.slots[i];
        self.account_for(&o, shares, false);
        self.slots[i].open -= shares;
        if self.slots[i].open == 0 {
            self.slots[i] = OpenOrder::default();
            self.accts[o.account as usize % MAX_ACCOUNTS].open_count -= 1;
        }
    }

    fn remove_whole(&mut self, id: u32) {
        let o = self.slots[id as usize % ORDER_SLOTS];
        self.reduce(id, o.open);
    }

    fn insert(&mut self, id: u32, o: OpenOrder) {
        self.account_for(&o, o.open, true);
        self.accts[o.account as usize % MAX_ACCOUNTS].open_count += 1;
        self.slots[id as usize % ORDER_SLOTS] = o;
    }
}

/// The §18.2 validity rule for an order frame whose fingerprint matched: `true` if it may
/// be checked.
pub fn valid_order(f: &OrderFrame, last_seq: u64, n_symbols: usize, n_accounts: usize, oe: &OrderEntry) -> bool {
    if f.seq != last_seq + 1
        || risk_side(f.side).is_none()
        || (f.account as usize) >= n_accounts
        || (f.symbol as usize) >= n_symbols
        || (f.order_id as usize) >= ORDER_SLOTS
        || f.qty == 0
        || f.qty > MAX_FRAME_QTY
        || f.price == 0
    {
        return false;
    }
    match (f.action, oe.open(f.order_id)) {
        (ENTER, None) => true,
        (REPLACE, Some(o)) => o.account as u16 == f.account && o.symbol as u16 == f.symbol && o.side == f.side,
        _ => false,
    }
}

/// The §18.2 validity rule for a venue frame whose fingerprint matched.
pub fn valid_venue(f: &VenueFrame, last_seq: u64, oe: &OrderEntry) -> bool {
    if f.seq != last_seq + 1 || f.reserved != 0 || f.qty == 0 {
        return false;
    }
    let Some(o) = oe.open(f.order_id) else { return false };
    f.qty <= o.open
        && match f.event {
            EXECUTED => f.price != 0 && (oe.leg_seq != f.seq || oe.legs < u8::MAX),
            CANCELED => f.price == 0,
            _ => false,
        }
}

/// What a client order's checks read besides the frame.
pub struct Inputs<'a> {
    pub session: &'a Session,
    pub sym: &'a SymbolRisk,
    pub acct: &'a AccountRisk,
    pub acct_orders: &'a AccountOrders,
    pub sym_orders: &'a SymbolOrders,
    /// The symbol's best bid in the engine's book (0 = none).
    pub bid: u32,
    /// `last_ts`: the time of the order's position in the stream.
    pub ts: u64,
}

/// The reasons of §18.3 for a valid order frame (0 = accept). For a replace, `replaced` is
/// the order it replaces, already taken out of the sums in `x` by the caller.
pub fn check(f: &OrderFrame, x: &Inputs) -> u16 {
    let side = risk_side(f.side).unwrap_or(Side::Sell);
    let o = Order { side, price: f.price, qty: f.qty };
    let so = x.sym_orders;
    let ao = x.acct_orders;
    // POSITION with the open orders on the order's side (§18.3): the same formula as §8.2
    // applied to the position those orders would leave.
    let p = x.sym.position;
    let worst = match side {
        Side::Buy => p + so.open_buy as i64,
        Side::Sell => p - so.open_sell as i64,
    };
    let sym = SymbolRisk { position: worst, ..*x.sym };
    let base = risk::check(&o, f.symbol as u8, x.ts, x.session, &sym, x.acct);
    let n = f.price as u64 * f.qty as u64;
    let exposure = x.acct.used_credit.saturating_add(ao.open_notional).saturating_add(n) > x.acct.credit_limit;
    let after = worst + side.signed(f.qty);
    let increases = match side {
        Side::Buy => after > 0,
        Side::Sell => after < 0,
    };
    let reduce_only = (ao.reduce_only || so.reduce_only) && increases;
    let short = f.side == b'T' && so.ssr && (x.bid == 0 || f.price <= x.bid);
    let r = x.ts >> x.session.w_shift;
    let rate = if ao.rate_window == r { ao.rate_count } else { 0 };
    base | fail(exposure, reason::EXPOSURE)
        | fail(ao.open_count >= ao.max_open, reason::OPEN_ORDERS)
        | fail(reduce_only, reason::REDUCE_ONLY)
        | fail(short, reason::SHORT_SALE)
        | fail(rate >= ao.max_rate, reason::ORDER_RATE)
}

const fn fail(failed: bool, bit: u16) -> u16 {
    if failed {
        bit
    } else {
        0
    }
}

/// Counts a valid order frame in its account's rate window (accepted or not, §18.3).
pub fn count_rate(ao: &mut AccountOrders, ts: u64, w_shift: u32) {
    let r = ts >> w_shift;
    if ao.rate_window != r {
        ao.rate_window = r;
        ao.rate_count = 0;
    }
    ao.rate_count += 1;
}

/// Takes a replaced order out of the sums for its check; `restore` puts it back when the
/// replace is rejected.
pub fn lift(oe: &mut OrderEntry, id: u32) -> OpenOrder {
    let o = oe.slots[id as usize % ORDER_SLOTS];
    oe.remove_whole(id);
    o
}

pub fn restore(oe: &mut OrderEntry, id: u32, o: OpenOrder) {
    oe.insert(id, o);
}

/// An accepted enter or replace: the slot holds the frame's order (§18.3).
pub fn place(oe: &mut OrderEntry, f: &OrderFrame) {
    let o = OpenOrder { open: f.qty, price: f.price, account: f.account as u8, symbol: f.symbol as u8, side: f.side };
    oe.insert(f.order_id, o);
}

// ---- the daily loss limit (§18.8) -------------------------------------------------------

/// Re-marks the pair (a, i) at `mark` (nothing when `mark` = 0: no trade printed yet); the
/// account's marked value follows: `marked := sat(sat(marked − term) + term')`.
pub fn remark(oe: &mut OrderEntry, a: usize, i: usize, mark: u32) {
    if mark == 0 {
        return;
    }
    let p = &mut oe.pairs[pair_index(a, i)];
    let t = mark_value(p.pos, mark);
    let ao = &mut oe.accts[a % MAX_ACCOUNTS];
    ao.marked = ao.marked.saturating_sub(p.term).saturating_add(t);
    p.term = t;
}

/// A venue execution of `qty` at `price` in the account's P&L: the cash flow, the pair's
/// position, then the pair re-marked at `mark` (the symbol's last trade), or at `price` when
/// no trade has printed yet.
pub fn book_execution(oe: &mut OrderEntry, a: usize, i: usize, buy: bool, price: u32, qty: u32, mark: u32) {
    let n = price as i64 * qty as i64; // < 2^52
    let ao = &mut oe.accts[a % MAX_ACCOUNTS];
    ao.cash = if buy { ao.cash.saturating_sub(n) } else { ao.cash.saturating_add(n) };
    let p = &mut oe.pairs[pair_index(a, i)];
    p.pos = p.pos.wrapping_add(if buy { qty as i64 } else { -(qty as i64) });
    remark(oe, a, i, if mark != 0 { mark } else { price });
}

/// The account's daily P&L, realised plus marked (i64 saturating).
pub fn pnl(ao: &AccountOrders) -> i64 {
    ao.cash.saturating_add(ao.marked)
}

/// `pnl < −loss_limit` with the limit on (≠ 0), exact for every u64 limit.
pub fn below_loss_limit(ao: &AccountOrders) -> bool {
    let p = pnl(ao);
    ao.loss_limit != 0 && p < 0 && p.unsigned_abs() > ao.loss_limit
}

/// The FILL leg of the next venue execution at `seq` (1, 2, …).
pub fn next_leg(oe: &mut OrderEntry, seq: u64) -> u8 {
    if oe.leg_seq != seq {
        oe.leg_seq = seq;
        oe.legs = 0;
    }
    oe.legs += 1;
    oe.legs
}

/// The side byte of the FILL record (a short sale is a sale).
pub fn fill_side(side: u8) -> u8 {
    if side == b'B' {
        b'B'
    } else {
        b'S'
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(limit: u64, cash: i64, marked: i64) -> AccountOrders {
        AccountOrders { loss_limit: limit, cash, marked, ..AccountOrders::default() }
    }

    #[test]
    fn the_limit_trips_strictly_below_minus_limit() {
        assert!(!below_loss_limit(&account(50_000, -1_000_000, 950_000)), "exactly at -limit");
        assert!(below_loss_limit(&account(50_000, -1_000_001, 950_000)), "one below");
        assert!(!below_loss_limit(&account(0, i64::MIN, 0)), "limit 0 is off");
        assert!(!below_loss_limit(&account(1, 5, -5)), "P&L 0");
        // Every u64 limit compares exactly: |i64::MIN| = 2^63.
        assert!(below_loss_limit(&account((1 << 63) - 1, i64::MIN, 0)));
        assert!(!below_loss_limit(&account(1 << 63, i64::MIN, 0)));
        assert!(!below_loss_limit(&account(u64::MAX, i64::MIN, 0)));
    }

    #[test]
    fn pnl_and_marks_saturate_in_i64() {
        assert_eq!(pnl(&account(0, i64::MIN, -1)), i64::MIN);
        assert_eq!(pnl(&account(0, i64::MAX, 1)), i64::MAX);
        assert_eq!(mark_value(-12, 95_600), -1_147_200);
        assert_eq!(mark_value(i64::MAX, 2), i64::MAX);
        assert_eq!(mark_value(i64::MIN, 1), i64::MIN);
        assert_eq!(mark_value(i64::MIN, 2), i64::MIN);
        assert_eq!(mark_value(1 << 30, u32::MAX), (1i64 << 30) * u32::MAX as i64);
        assert_eq!(mark_value(1 << 32, u32::MAX), i64::MAX);
        assert_eq!(mark_value(-(1 << 32), u32::MAX), i64::MIN);
        assert_eq!(mark_value(-(1 << 31), u32::MAX), -(1i64 << 31) * u32::MAX as i64);
    }

    #[test]
    fn executions_and_remarks_keep_the_marked_sum() {
        let mut oe = OrderEntry::default();
        // buy 10 at 100500 with the last trade at 100000: -5,000
        book_execution(&mut oe, 1, 2, true, 100_500, 10, 100_000);
        assert_eq!((oe.accts[1].cash, oe.accts[1].marked), (-1_005_000, 1_000_000));
        assert_eq!(pnl(&oe.accts[1]), -5_000);
        // a short in another symbol, marked at its own price (no trade yet): P&L unchanged
        book_execution(&mut oe, 1, 3, false, 20_000, 5, 0);
        assert_eq!(oe.pairs[pair_index(1, 3)], Pair { pos: -5, term: -100_000 });
        assert_eq!(pnl(&oe.accts[1]), -5_000);
        // re-marks: the long up 10 a share, the short up 100 a share; a 0 mark changes nothing
        remark(&mut oe, 1, 2, 100_010);
        remark(&mut oe, 1, 3, 20_100);
        remark(&mut oe, 1, 3, 0);
        assert_eq!(pnl(&oe.accts[1]), -5_000 + 100 - 500);
        assert_eq!(oe.accts[1].marked, 1_000_100 - 100_500);
        // other accounts untouched
        assert_eq!(oe.accts[0], AccountOrders::default());
    }
}
