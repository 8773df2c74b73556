//! The strategy of spec §8.1: an imbalance taker that sends one IOC order at the touch.
//!
//! `decide` is a pure function of the top of book, its flags, the message time and the
//! symbol's strategy state. The engine calls it right after a TOB record and commits the
//! state change itself (`State::decided`), so the rule can be tested without an engine
//! and has the shape of the hardware's combinational stage.

use crate::book::Top;

/// Side of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// The byte DECISION and FILL records carry in `aux`.
    #[inline(always)]
    pub fn byte(self) -> u8 {
        match self {
            Side::Buy => b'B',
            Side::Sell => b'S',
        }
    }

    /// `+qty` for a buy, `−qty` for a sell: the position change of §8.2/§8.3.
    #[inline(always)]
    pub fn signed(self, qty: u32) -> i64 {
        match self {
            Side::Buy => qty as i64,
            Side::Sell => -(qty as i64),
        }
    }
}

/// An immediate-or-cancel order the strategy wants to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    pub side: Side,
    pub price: u32,
    pub qty: u32,
}

/// Strategy parameters of the config header (§10), in the widths the products need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Params {
    pub imb_num: u64,
    pub imb_den: u64,
    pub cooldown_ns: u64,
    pub max_spread: u32,
    pub clip_qty: u32,
}

/// Strategy state of one symbol: the time of its last decision, if any.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub last_decision_ts: Option<u64>,
}

impl State {
    /// Records a generated order at `ts`. The cooldown restarts on every decision,
    /// accepted or rejected, so a rejected order cannot be retried at once.
    #[inline(always)]
    pub fn decided(&mut self, ts: u64) {
        self.last_decision_ts = Some(ts);
    }
}

/// The §8.1 rule: the order to send for symbol state `state` after the top of book
/// became `top` (with `flags`) at time `ts`, if any.
#[inline(always)]
pub fn decide(top: Top, flags: u8, ts: u64, state: &State, p: &Params) -> Option<Order> {
    let Top { bid_px, bid_sz, ask_px, ask_sz } = top;
    // A flagged top of book may not be the real one; an empty, locked or crossed book
    // or a wide spread has no touch worth taking.
    // Evaluated together (`|`, not `||`): one branch on the data instead of five.
    let no_touch = (flags != 0) | (bid_sz == 0) | (ask_sz == 0) | (ask_px <= bid_px) | (ask_px.wrapping_sub(bid_px) > p.max_spread);
    if no_touch {
        return None;
    }
    // Cooldown (u64): elapsed iff ts − last ≥ COOLDOWN_NS; a clock that went backwards
    // (ts < last) counts as not elapsed rather than wrapping to a huge interval.
    if let Some(last) = state.last_decision_ts {
        if ts < last || ts - last < p.cooldown_ns {
            return None;
        }
    }
    // Imbalance by cross-multiplication (u64, no ratio): bid_sz / ask_sz ≥ NUM / DEN.
    // Buy is tested first, so it wins when both hold (e.g. IMB_NUM = 0).
    if bid_sz as u64 * p.imb_den >= ask_sz as u64 * p.imb_num {
        Some(Order { side: Side::Buy, price: ask_px, qty: ask_sz.min(p.clip_qty) })
    } else if ask_sz as u64 * p.imb_den >= bid_sz as u64 * p.imb_num {
        Some(Order { side: Side::Sell, price: bid_px, qty: bid_sz.min(p.clip_qty) })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::flag;

    const P: Params = Params { imb_num: 3, imb_den: 1, cooldown_ns: 1_000, max_spread: 500, clip_qty: 250 };

    fn top(bid_px: u32, bid_sz: u32, ask_px: u32, ask_sz: u32) -> Top {
        Top { bid_px, bid_sz, ask_px, ask_sz }
    }

    fn fresh(t: Top) -> Option<Order> {
        decide(t, 0, 10_000, &State::default(), &P)
    }

    #[test]
    fn buy_at_the_ask_when_the_bid_outweighs_by_the_ratio() {
        // 300 × 1 ≥ 100 × 3: exactly at the boundary.
        assert_eq!(fresh(top(100_000, 300, 100_100, 100)), Some(Order { side: Side::Buy, price: 100_100, qty: 100 }));
        // One share less and neither side qualifies (100 × 1 < 299 × 3).
        assert_eq!(fresh(top(100_000, 299, 100_100, 100)), None);
    }

    #[test]
    fn sell_at_the_bid_when_the_ask_outweighs_by_the_ratio() {
        // Spec §13: bid 100 × ask 300 with 3/1 → sell 100 @ bid.
        assert_eq!(fresh(top(100_000, 100, 100_200, 300)), Some(Order { side: Side::Sell, price: 100_000, qty: 100 }));
        assert_eq!(fresh(top(100_000, 100, 100_200, 299)), None);
    }

    #[test]
    fn qty_is_clipped_to_the_touch_and_clip_qty() {
        assert_eq!(fresh(top(100_000, 3000, 100_100, 250)).map(|o| o.qty), Some(250));
        assert_eq!(fresh(top(100_000, 3000, 100_100, 251)).map(|o| o.qty), Some(250));
        assert_eq!(fresh(top(100_000, 3000, 100_100, 249)).map(|o| o.qty), Some(249));
        assert_eq!(fresh(top(100_000, 1000, 100_100, 3000)).map(|o| o.qty), Some(250));
    }

    #[test]
    fn buy_wins_when_both_sides_qualify() {
        let p = Params { imb_num: 0, ..P };
        let o = decide(top(100_000, 1, 100_100, 1), 0, 0, &State::default(), &p);
        assert_eq!(o.map(|o| o.side), Some(Side::Buy));
        // Equal sizes with a 1/1 ratio: both hold, buy first.
        let p = Params { imb_num: 1, imb_den: 1, ..P };
        assert_eq!(decide(top(100_000, 7, 100_100, 7), 0, 0, &State::default(), &p).map(|o| o.side), Some(Side::Buy));
    }

    #[test]
    fn products_are_u64() {
        let p = Params { imb_num: u32::MAX as u64, imb_den: u32::MAX as u64, ..P };
        let t = top(100_000, u32::MAX, 100_100, u32::MAX);
        assert_eq!(decide(t, 0, 0, &State::default(), &p).map(|o| (o.side, o.qty)), Some((Side::Buy, 250)));
    }

    #[test]
    fn any_flag_blocks() {
        let t = top(100_000, 300, 100_100, 100);
        for f in [flag::BAND_BID, flag::BAND_ASK, flag::COLLISION] {
            assert_eq!(decide(t, f, 10_000, &State::default(), &P), None, "flag {f}");
        }
    }

    #[test]
    fn both_sides_must_be_present() {
        assert_eq!(fresh(top(0, 0, 100_100, 100)), None);
        assert_eq!(fresh(top(100_000, 300, 0, 0)), None);
    }

    #[test]
    fn spread_must_be_positive_and_at_most_max_spread() {
        assert_eq!(fresh(top(100_000, 300, 100_000, 100)), None, "locked");
        assert_eq!(fresh(top(100_100, 300, 100_000, 100)), None, "crossed");
        assert!(fresh(top(100_000, 300, 100_001, 100)).is_some(), "spread 1");
        assert!(fresh(top(100_000, 300, 100_500, 100)).is_some(), "spread = MAX_SPREAD");
        assert_eq!(fresh(top(100_000, 300, 100_501, 100)), None, "spread = MAX_SPREAD + 1");
    }

    #[test]
    fn cooldown_boundary_and_backwards_clock() {
        let t = top(100_000, 300, 100_100, 100);
        let s = State { last_decision_ts: Some(5_000) };
        assert_eq!(decide(t, 0, 5_999, &s, &P), None, "999 ns < 1000");
        assert!(decide(t, 0, 6_000, &s, &P).is_some(), "exactly COOLDOWN_NS");
        assert_eq!(decide(t, 0, 4_999, &s, &P), None, "ts < last");
        assert_eq!(decide(t, 0, 5_000, &s, &Params { cooldown_ns: 0, ..P }).map(|o| o.side), Some(Side::Buy), "zero cooldown, same ts");
        // No previous decision: no cooldown, even at ts 0.
        assert!(decide(t, 0, 0, &State::default(), &P).is_some());
    }

    #[test]
    fn decided_restarts_the_cooldown() {
        let mut s = State::default();
        s.decided(42);
        assert_eq!(s.last_decision_ts, Some(42));
        s.decided(7);
        assert_eq!(s.last_decision_ts, Some(7));
    }

    #[test]
    fn side_bytes_and_signs() {
        assert_eq!((Side::Buy.byte(), Side::Sell.byte()), (b'B', b'S'));
        assert_eq!((Side::Buy.signed(5), Side::Sell.signed(5)), (5, -5));
        assert_eq!(Side::Sell.signed(u32::MAX), -(u32::MAX as i64));
    }
}
