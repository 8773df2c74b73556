//! ITCH 5.0 messages (spec §3): the length table and the fields riskgate reads.
//!
//! Every byte offset of the feed lives in this file, so the engine reads like the effects
//! of §3.2 and never indexes a message itself. Each message is decoded from a fixed-size
//! array (`&[u8; N]`), which proves every offset in range at compile time: the field
//! reads have no bounds checks, and a wrong offset is a build error, not a panic.

/// Message lengths of spec §3.1 (0 = unknown type), from the contract.
pub use crate::contract::itch::MESSAGE_LEN;
/// Length of the control message of §9.
pub const CONTROL_LEN: usize = crate::contract::control::LEN;
/// Length of the client order frame of §18.
pub const ORDER_LEN: usize = crate::contract::order_frame::LEN;
/// Length of the venue answer frame of §18.
pub const VENUE_LEN: usize = crate::contract::venue_frame::LEN;

/// The expected length of a frame of type `t` for PROBLEM records: §3.1, or the
/// order-entry frames of §18 (0 = unknown type).
#[inline]
pub fn expected_len(t: u8) -> u16 {
    match t {
        crate::contract::order_frame::TYPE => ORDER_LEN as u16,
        crate::contract::venue_frame::TYPE => VENUE_LEN as u16,
        _ => MESSAGE_LEN[t as usize] as u16,
    }
}

#[inline(always)]
pub(crate) fn be16<const N: usize>(m: &[u8; N], o: usize) -> u16 {
    u16::from_be_bytes([m[o], m[o + 1]])
}
#[inline(always)]
pub(crate) fn be32<const N: usize>(m: &[u8; N], o: usize) -> u32 {
    u32::from_be_bytes([m[o], m[o + 1], m[o + 2], m[o + 3]])
}
#[inline(always)]
pub(crate) fn be48<const N: usize>(m: &[u8; N], o: usize) -> u64 {
    u64::from_be_bytes([0, 0, m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5]])
}
#[inline(always)]
pub(crate) fn be64<const N: usize>(m: &[u8; N], o: usize) -> u64 {
    u64::from_be_bytes([m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5], m[o + 6], m[o + 7]])
}

/// The ITCH timestamp (offset 5, 6 bytes) of a message of any length (0 if shorter than 11).
#[inline(always)]
fn ts_of(msg: &[u8]) -> u64 {
    match msg.get(5..11) {
        Some(b) => u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]),
        None => 0,
    }
}

/// What an execution does to `last_trade` (§3.2): E trades at the order's price, C at its
/// own price only when printable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Print {
    OrderPrice,
    At(u32),
    NotPrintable,
}

/// A framed message decoded by type and length. `ts` is the header timestamp (5/6);
/// `locate` the stock locate (1/2); `r` an order reference number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// `~` of exactly 28 bytes: the control message of §9 (decoded by `control`). It
    /// takes no seq, so the engine must see it before handing out one.
    Control(&'a [u8; CONTROL_LEN]),
    /// `{` of exactly 36 bytes: a client order action (§18); no seq, like `Control`.
    OrderEntry(&'a [u8; ORDER_LEN]),
    /// `}` of exactly 32 bytes: a venue's answer for a client order (§18); no seq.
    Venue(&'a [u8; VENUE_LEN]),
    /// Y: Reg SHO action at 19 (a skipped type for §3; it feeds the SHORT_SALE check, §18.5).
    RegSho { locate: u16, ts: u64, action: u8 },
    /// S: event `code` at 11.
    System { ts: u64, code: u8 },
    /// R: the 8 stock bytes at 11, packed little-endian so a name compares in one step.
    Directory { locate: u16, ts: u64, stock: u64 },
    /// H: trading `state` at 19.
    TradingAction { locate: u16, ts: u64, state: u8 },
    /// W: breach `level` at 11.
    CircuitBreaker { ts: u64, level: u8 },
    /// A and F (the MPID at 36 is not read): ref 11, side 19 (`B` = buy, anything else
    /// sell), shares 20, price 32. The stock at 24 is not consulted; the locate decides.
    Add { locate: u16, ts: u64, r: u64, buy: bool, shares: u32, price: u32 },
    /// E: ref 11, executed shares 19 (a print at the order's price).
    Executed { ts: u64, r: u64, shares: u32 },
    /// C: ref 11, executed shares 19, printable 31, price 32 (`Print::At` or
    /// `Print::NotPrintable`).
    ExecutedWithPrice { ts: u64, r: u64, shares: u32, print: Print },
    /// X: ref 11, cancelled shares 19.
    Cancel { ts: u64, r: u64, shares: u32 },
    /// D: ref 11.
    Delete { ts: u64, r: u64 },
    /// U: original ref 11, new ref 19, shares 27, price 31.
    Replace { ts: u64, r: u64, new_ref: u64, shares: u32, price: u32 },
    /// P (non-cross trade): price 32.
    Trade { locate: u16, ts: u64, price: u32 },
    /// A type of the §3.1 table riskgate counts and otherwise ignores.
    Skipped { ts: u64 },
    /// A type of the §3.1 table with another length (PROBLEM/BAD_LENGTH).
    BadLength,
    /// A type outside the §3.1 table (PROBLEM/UNKNOWN_TYPE). It still carries a
    /// timestamp when it is at least 11 bytes long.
    Unknown { ts: Option<u64> },
}

/// The 8 bytes at offset 11 of any message long enough (0 otherwise): the order
/// reference of A, F, E, C, X, D and U. Read before the type is known, so the order
/// table's first loads can start while the type dispatch resolves.
#[inline(always)]
pub fn ref_at_11(msg: &[u8]) -> u64 {
    match msg.get(11..19) {
        Some(b) => u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        None => 0,
    }
}

/// `ref_at_11` from the first 19 input bytes of a body (`FrameWalk::next_fast`): the
/// same value for a body of 19 bytes or more; for a shorter one, bytes past it (no
/// type shorter than 19 bytes uses a reference).
#[inline(always)]
pub fn ref_of_head(head: &[u8; 19]) -> u64 {
    be64(head, 11)
}

/// The body as a fixed-size array when its length is exactly `N`.
#[inline(always)]
fn exact<const N: usize>(msg: &[u8]) -> Option<&[u8; N]> {
    msg.try_into().ok()
}

/// Decodes a frame body whose first byte is `t`.
#[inline(always)]
pub fn parse(t: u8, msg: &[u8]) -> Message<'_> {
    use Message::*;
    let decoded = match t {
        b'A' => exact::<36>(msg).map(add),
        b'F' => exact::<40>(msg).map(add),
        b'E' => exact::<31>(msg).map(|m| Executed { ts: be48(m, 5), r: be64(m, 11), shares: be32(m, 19) }),
        b'C' => exact::<36>(msg).map(|m| {
            let print = if m[31] == b'Y' { Print::At(be32(m, 32)) } else { Print::NotPrintable };
            ExecutedWithPrice { ts: be48(m, 5), r: be64(m, 11), shares: be32(m, 19), print }
        }),
        b'X' => exact::<23>(msg).map(|m| Cancel { ts: be48(m, 5), r: be64(m, 11), shares: be32(m, 19) }),
        b'D' => exact::<19>(msg).map(|m| Delete { ts: be48(m, 5), r: be64(m, 11) }),
        b'U' => exact::<35>(msg).map(|m| Replace {
            ts: be48(m, 5),
            r: be64(m, 11),
            new_ref: be64(m, 19),
            shares: be32(m, 27),
            price: be32(m, 31),
        }),
        b'P' => exact::<44>(msg).map(|m| Trade { locate: be16(m, 1), ts: be48(m, 5), price: be32(m, 32) }),
        b'S' => exact::<12>(msg).map(|m| System { ts: be48(m, 5), code: m[11] }),
        b'R' => exact::<39>(msg).map(|m| Directory {
            locate: be16(m, 1),
            ts: be48(m, 5),
            stock: u64::from_le_bytes([m[11], m[12], m[13], m[14], m[15], m[16], m[17], m[18]]),
        }),
        b'H' => exact::<25>(msg).map(|m| TradingAction { locate: be16(m, 1), ts: be48(m, 5), state: m[19] }),
        b'W' => exact::<12>(msg).map(|m| CircuitBreaker { ts: be48(m, 5), level: m[11] }),
        b'~' => exact::<CONTROL_LEN>(msg).map(Control),
        crate::contract::order_frame::TYPE => exact::<ORDER_LEN>(msg).map(OrderEntry),
        crate::contract::venue_frame::TYPE => exact::<VENUE_LEN>(msg).map(Venue),
        b'Y' => exact::<20>(msg).map(|m| RegSho { locate: be16(m, 1), ts: be48(m, 5), action: m[19] }),
        _ => {
            let expected = MESSAGE_LEN[t as usize] as usize;
            return if expected == 0 {
                Unknown { ts: (msg.len() >= 11).then(|| ts_of(msg)) }
            } else if msg.len() != expected {
                BadLength
            } else {
                // Every skipped type is at least 12 bytes long.
                Skipped { ts: ts_of(msg) }
            };
        }
    };
    decoded.unwrap_or(BadLength)
}

#[inline(always)]
fn add<const N: usize>(m: &[u8; N]) -> Message<'static> {
    Message::Add { locate: be16(m, 1), ts: be48(m, 5), r: be64(m, 11), buy: m[19] == b'B', shares: be32(m, 20), price: be32(m, 32) }
}
