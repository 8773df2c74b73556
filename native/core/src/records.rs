//! The 32-byte output records of spec §11: constants, the encoders the engine uses and a
//! decoder for tests and tools.
//!
//! Records are the only thing the two engines are compared on, so the encoder builds
//! them from whole little-endian words with every reserved byte zero by construction.

use crate::book::Top;
use crate::strategy::Order;
use core::fmt;

pub use crate::contract::control::op;
pub use crate::contract::record::kind;
pub use crate::contract::{flag, problem, reason, RECORD_VERSION};

/// Size of every record in bytes.
pub const RECORD_SIZE: usize = crate::contract::record::SIZE;
/// Symbol byte of records that belong to no symbol.
pub const NO_SYMBOL: u8 = crate::contract::record::NO_SYMBOL;

use crate::contract::record::{control as CT, decision as DC, fill as FL, header as HD, order as OR, problem as PB, tob as TB};

const U48: u64 = (1 << 48) - 1;
/// The payload words start at these offsets.
const P0: usize = 16;
const P1: usize = 24;

/// Bit shift of the field at record offset `off` inside the 8-byte word starting at `word`.
const fn sh(off: usize, word: usize) -> u32 {
    ((off - word) * 8) as u32
}

// The word packing below relies on the header's shape: seq (u48) straddles words 0 and 1,
// ts (u48) ends the header.
const _: () = assert!(HD::SEQ + 6 == HD::TS && HD::TS + 6 == P0 && HD::AUX < HD::SEQ);

/// Builds a record from its header and the two payload words (bytes 16..24, 24..32).
///
/// Working in words keeps the hot path at four stores per record.
#[inline(always)]
pub(crate) fn encode(kind: u8, symbol: u8, aux: u8, seq: u64, ts: u64, p0: u64, p1: u64) -> [u8; 32] {
    let seq = seq & U48;
    let w0 = (RECORD_VERSION as u64) << sh(HD::VERSION, 0)
        | (kind as u64) << sh(HD::KIND, 0)
        | (symbol as u64) << sh(HD::SYMBOL, 0)
        | (aux as u64) << sh(HD::AUX, 0)
        | seq << sh(HD::SEQ, 0);
    let w1 = seq >> (64 - sh(HD::SEQ, 0)) | (ts & U48) << sh(HD::TS, 8);
    let mut r = [0u8; 32];
    r[0..8].copy_from_slice(&w0.to_le_bytes());
    r[8..16].copy_from_slice(&w1.to_le_bytes());
    r[P0..P1].copy_from_slice(&p0.to_le_bytes());
    r[P1..32].copy_from_slice(&p1.to_le_bytes());
    r
}

/// TOB: aux = flags; `bid_px`, `bid_sz`, `ask_px`, `ask_sz`.
#[inline(always)]
pub(crate) fn tob(symbol: u8, flags: u8, seq: u64, ts: u64, top: &Top) -> [u8; 32] {
    let p0 = (top.bid_px as u64) << sh(TB::BID_PX, P0) | (top.bid_sz as u64) << sh(TB::BID_SZ, P0);
    let p1 = (top.ask_px as u64) << sh(TB::ASK_PX, P1) | (top.ask_sz as u64) << sh(TB::ASK_SZ, P1);
    encode(kind::TOB, symbol, flags, seq, ts, p0, p1)
}

/// DECISION: aux = side; `price`, `qty`, `reasons`, `verdict` (1 iff no reason), account
/// index and id.
#[inline(always)]
pub(crate) fn decision(symbol: u8, seq: u64, ts: u64, o: &Order, reasons: u16, account: u8, account_id: u32) -> [u8; 32] {
    let p0 = (o.price as u64) << sh(DC::PRICE, P0) | (o.qty as u64) << sh(DC::QTY, P0);
    let p1 = (reasons as u64) << sh(DC::REASONS, P1)
        | ((reasons == 0) as u64) << sh(DC::VERDICT, P1)
        | (account as u64) << sh(DC::ACCOUNT_INDEX, P1)
        | (account_id as u64) << sh(DC::ACCOUNT_ID, P1);
    encode(kind::DECISION, symbol, o.side.byte(), seq, ts, p0, p1)
}

/// FILL: aux = side; `price`, `qty`, `position_after` (i32, positions are limited to
/// ±(2^31 − 1)), leg 0, account index.
#[inline(always)]
pub(crate) fn fill(symbol: u8, seq: u64, ts: u64, o: &Order, qty: u32, position_after: i64, account: u8) -> [u8; 32] {
    let p0 = (o.price as u64) << sh(FL::PRICE, P0) | (qty as u64) << sh(FL::QTY, P0);
    let p1 = ((position_after as i32 as u32) as u64) << sh(FL::POSITION_AFTER, P1)
        | (account as u64) << sh(FL::ACCOUNT_INDEX, P1);
    encode(kind::FILL, symbol, o.side.byte(), seq, ts, p0, p1)
}

/// FILL of a venue execution of a client order (§18.4): aux = `B`/`S`, the execution's
/// price and shares, the position after it, `leg` ≥ 1, account index.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn venue_fill(symbol: u8, seq: u64, ts: u64, side: u8, price: u32, qty: u32, position_after: i64, leg: u8, account: u8) -> [u8; 32] {
    let p0 = (price as u64) << sh(FL::PRICE, P0) | (qty as u64) << sh(FL::QTY, P0);
    let p1 = ((position_after as i32 as u32) as u64) << sh(FL::POSITION_AFTER, P1)
        | (leg as u64) << sh(FL::LEG, P1)
        | (account as u64) << sh(FL::ACCOUNT_INDEX, P1);
    encode(kind::FILL, symbol, side, seq, ts, p0, p1)
}

/// ORDER (§18): aux = action (`O`, `U`, or `C` for a venue cancel), seq = S, ts = `last_ts`;
/// `price`, `qty`, `reasons`, `side`, account index, order id.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn order(symbol: u8, action: u8, seq: u64, ts: u64, price: u32, qty: u32, reasons: u16, side: u8, account: u8, order_id: u32) -> [u8; 32] {
    let p0 = (price as u64) << sh(OR::PRICE, P0) | (qty as u64) << sh(OR::QTY, P0);
    let p1 = (reasons as u64) << sh(OR::REASONS, P1)
        | (side as u64) << sh(OR::SIDE, P1)
        | (account as u64) << sh(OR::ACCOUNT_INDEX, P1)
        | (order_id as u64) << sh(OR::ORDER_ID, P1);
    encode(kind::ORDER, symbol, action, seq, ts, p0, p1)
}

/// CONTROL: aux = op, seq = the effective seq, ts = `last_ts`; `value`, `target`.
#[inline(always)]
pub(crate) fn control(symbol: u8, op: u8, seq: u64, ts: u64, value: u64, target: u16) -> [u8; 32] {
    const _: () = assert!(CT::VALUE == P0);
    encode(kind::CONTROL, symbol, op, seq, ts, value, (target as u64) << sh(CT::TARGET, P1))
}

/// PROBLEM: no symbol, aux = code, ts 0; type byte, frame length, expected length (0 if
/// unknown), and for a refused control message (BAD_CONTROL, FOREIGN_CONTROL) its op and
/// target (0 otherwise).
#[inline(always)]
pub(crate) fn problem(code: u8, seq: u64, t: u8, len: u16, expected: u16, op: u8, target: u16) -> [u8; 32] {
    let p0 = (t as u64) << sh(PB::TYPE_BYTE, P0)
        | (op as u64) << sh(PB::OP, P0)
        | (len as u64) << sh(PB::FRAME_LEN, P0)
        | (expected as u64) << sh(PB::EXPECTED_LEN, P0)
        | (target as u64) << sh(PB::TARGET, P0);
    encode(kind::PROBLEM, NO_SYMBOL, code, seq, 0, p0, 0)
}

/// Header fields common to every record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub symbol: u8,
    pub aux: u8,
    pub seq: u64,
    pub ts: u64,
}

/// A decoded record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Tob {
        h: Header,
        flags: u8,
        bid_px: u32,
        bid_sz: u32,
        ask_px: u32,
        ask_sz: u32,
    },
    Decision {
        h: Header,
        side: u8,
        price: u32,
        qty: u32,
        reasons: u16,
        accepted: bool,
        account_index: u8,
        account_id: u32,
    },
    Fill {
        h: Header,
        side: u8,
        price: u32,
        qty: u32,
        position_after: i32,
        leg: u8,
        account_index: u8,
    },
    Control {
        h: Header,
        op: u8,
        value: u64,
        target: u16,
    },
    /// A client order action and its verdict, or a venue cancel (§18).
    Order {
        h: Header,
        action: u8,
        price: u32,
        qty: u32,
        reasons: u16,
        side: u8,
        account_index: u8,
        order_id: u32,
    },
    Problem {
        h: Header,
        code: u8,
        type_byte: u8,
        frame_len: u16,
        expected_len: u16,
        /// The op and target of a refused control message, else 0.
        op: u8,
        target: u16,
    },
}

/// Why a 32-byte block is not a valid version-1 record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    Version(u8),
    Kind(u8),
    /// A reserved byte is not zero (offset given).
    Reserved(usize),
    /// The input length is not a multiple of 32.
    Length(usize),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Version(v) => write!(f, "record version {v} is not {RECORD_VERSION}"),
            DecodeError::Kind(k) => write!(f, "unknown record kind {k}"),
            DecodeError::Reserved(o) => write!(f, "reserved byte at offset {o} is not zero"),
            DecodeError::Length(n) => write!(f, "record stream length {n} is not a multiple of 32"),
        }
    }
}

impl std::error::Error for DecodeError {}

fn le16(r: &[u8; 32], o: usize) -> u16 {
    u16::from_le_bytes([r[o], r[o + 1]])
}
fn le32(r: &[u8; 32], o: usize) -> u32 {
    u32::from_le_bytes([r[o], r[o + 1], r[o + 2], r[o + 3]])
}
fn le48(r: &[u8; 32], o: usize) -> u64 {
    let mut b = [0u8; 8];
    b[..6].copy_from_slice(&r[o..o + 6]);
    u64::from_le_bytes(b)
}
fn le64(r: &[u8; 32], o: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&r[o..o + 8]);
    u64::from_le_bytes(b)
}

fn zeros(r: &[u8; 32], from: usize, to: usize) -> Result<(), DecodeError> {
    match (from..to).find(|&o| r[o] != 0) {
        Some(o) => Err(DecodeError::Reserved(o)),
        None => Ok(()),
    }
}

impl Record {
    /// Decodes one record, checking the version and that reserved bytes are zero.
    pub fn decode(r: &[u8; 32]) -> Result<Record, DecodeError> {
        if r[HD::VERSION] != RECORD_VERSION {
            return Err(DecodeError::Version(r[HD::VERSION]));
        }
        let h = Header { symbol: r[HD::SYMBOL], aux: r[HD::AUX], seq: le48(r, HD::SEQ), ts: le48(r, HD::TS) };
        Ok(match r[HD::KIND] {
            kind::TOB => Record::Tob {
                h,
                flags: h.aux,
                bid_px: le32(r, TB::BID_PX),
                bid_sz: le32(r, TB::BID_SZ),
                ask_px: le32(r, TB::ASK_PX),
                ask_sz: le32(r, TB::ASK_SZ),
            },
            kind::DECISION => Record::Decision {
                h,
                side: h.aux,
                price: le32(r, DC::PRICE),
                qty: le32(r, DC::QTY),
                reasons: le16(r, DC::REASONS),
                accepted: r[DC::VERDICT] == 1,
                account_index: r[DC::ACCOUNT_INDEX],
                account_id: le32(r, DC::ACCOUNT_ID),
            },
            kind::FILL => {
                zeros(r, FL::RESERVED, RECORD_SIZE)?;
                Record::Fill {
                    h,
                    side: h.aux,
                    price: le32(r, FL::PRICE),
                    qty: le32(r, FL::QTY),
                    position_after: le32(r, FL::POSITION_AFTER) as i32,
                    leg: r[FL::LEG],
                    account_index: r[FL::ACCOUNT_INDEX],
                }
            }
            kind::CONTROL => {
                zeros(r, CT::RESERVED, RECORD_SIZE)?;
                Record::Control { h, op: h.aux, value: le64(r, CT::VALUE), target: le16(r, CT::TARGET) }
            }
            kind::ORDER => Record::Order {
                h,
                action: h.aux,
                price: le32(r, OR::PRICE),
                qty: le32(r, OR::QTY),
                reasons: le16(r, OR::REASONS),
                side: r[OR::SIDE],
                account_index: r[OR::ACCOUNT_INDEX],
                order_id: le32(r, OR::ORDER_ID),
            },
            kind::PROBLEM => {
                zeros(r, PB::RESERVED, RECORD_SIZE)?;
                Record::Problem {
                    h,
                    code: h.aux,
                    type_byte: r[PB::TYPE_BYTE],
                    frame_len: le16(r, PB::FRAME_LEN),
                    expected_len: le16(r, PB::EXPECTED_LEN),
                    op: r[PB::OP],
                    target: le16(r, PB::TARGET),
                }
            }
            k => return Err(DecodeError::Kind(k)),
        })
    }

    /// Decodes a whole record stream.
    pub fn decode_all(bytes: &[u8]) -> Result<Vec<Record>, DecodeError> {
        if !bytes.len().is_multiple_of(RECORD_SIZE) {
            return Err(DecodeError::Length(bytes.len()));
        }
        bytes
            .chunks_exact(RECORD_SIZE)
            .map(|c| {
                let mut a = [0u8; 32];
                a.copy_from_slice(c);
                Record::decode(&a)
            })
            .collect()
    }

    /// The common header.
    pub fn header(&self) -> Header {
        match *self {
            Record::Tob { h, .. }
            | Record::Decision { h, .. }
            | Record::Fill { h, .. }
            | Record::Control { h, .. }
            | Record::Order { h, .. }
            | Record::Problem { h, .. } => h,
        }
    }

    /// The record kind byte.
    pub fn kind(&self) -> u8 {
        match self {
            Record::Tob { .. } => kind::TOB,
            Record::Decision { .. } => kind::DECISION,
            Record::Fill { .. } => kind::FILL,
            Record::Control { .. } => kind::CONTROL,
            Record::Order { .. } => kind::ORDER,
            Record::Problem { .. } => kind::PROBLEM,
        }
    }
}

/// Renders the reject-reason bitmask as `A|B`, or `-` when empty.
pub fn reasons_text(bits: u16) -> String {
    if bits == 0 {
        return "-".into();
    }
    let mut parts: Vec<&str> = Vec::new();
    for (i, n) in reason::NAMES.iter().enumerate() {
        if bits & (1 << i) != 0 {
            parts.push(n);
        }
    }
    if bits >> reason::NAMES.len() != 0 {
        parts.push("?");
    }
    parts.join("|")
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = self.header();
        write!(f, "seq={} ts={} sym={} ", h.seq, h.ts, h.symbol)?;
        match *self {
            Record::Tob { flags, bid_px, bid_sz, ask_px, ask_sz, .. } => {
                write!(f, "TOB {bid_px}x{bid_sz} / {ask_px}x{ask_sz} flags={flags:#x}")
            }
            Record::Decision { side, price, qty, reasons, accepted, account_index, account_id, .. } => write!(
                f,
                "DECISION {} {qty}@{price} {} reasons={} acct={account_index}/{account_id}",
                side as char,
                if accepted { "ACCEPT" } else { "REJECT" },
                reasons_text(reasons)
            ),
            Record::Fill { side, price, qty, position_after, leg, account_index, .. } => write!(
                f,
                "FILL {} {qty}@{price} pos={position_after} leg={leg} acct={account_index}",
                side as char
            ),
            Record::Control { op, value, target, .. } => {
                write!(f, "CONTROL op={op} target={target:#x} value={value}")
            }
            Record::Order { action, price, qty, reasons, side, account_index, order_id, .. } => write!(
                f,
                "ORDER {} {} {qty}@{price} {} reasons={} acct={account_index} id={order_id}",
                action as char,
                side as char,
                if reasons == 0 { "ACCEPT" } else { "REJECT" },
                reasons_text(reasons)
            ),
            Record::Problem { code, type_byte, frame_len, expected_len, op, target, .. } => write!(
                f,
                "PROBLEM {} type={type_byte:#04x} len={frame_len} expected={expected_len} op={op} target={target:#x}",
                problem::NAMES.get(code as usize).copied().unwrap_or("?")
            ),
        }
    }
}
