//! The 32-byte output records of spec §11: constants, the encoders the engine uses and a
//! decoder for tests and tools.
//!
//! Records are the only thing the two engines are compared on, so the encoder builds
//! them from whole little-endian words with every reserved byte zero by construction.

use crate::book::Top;
use crate::strategy::Order;
use core::fmt;

/// Size of every record in bytes.
pub const RECORD_SIZE: usize = 32;
/// `RECORD_VERSION` of spec §11; bumped whenever a layout changes.
pub const RECORD_VERSION: u8 = 1;
/// Symbol byte of records that belong to no symbol.
pub const NO_SYMBOL: u8 = 0xFF;

/// Record kinds (byte 1).
pub mod kind {
    pub const TOB: u8 = 1;
    pub const DECISION: u8 = 2;
    pub const FILL: u8 = 3;
    pub const CONTROL: u8 = 4;
    pub const PROBLEM: u8 = 5;
}

/// Risk-check reject reasons (DECISION `reasons`, spec §8.2).
pub mod reason {
    pub const KILL: u16 = 1 << 0;
    pub const HALTED: u16 = 1 << 1;
    pub const MARKET_CLOSED: u16 = 1 << 2;
    pub const MAX_QTY: u16 = 1 << 3;
    pub const MAX_NOTIONAL: u16 = 1 << 4;
    pub const NO_REF: u16 = 1 << 5;
    pub const COLLAR: u16 = 1 << 6;
    pub const POSITION: u16 = 1 << 7;
    pub const CREDIT: u16 = 1 << 8;
    pub const THROTTLE: u16 = 1 << 9;
    /// Names in bit order, for decoders and reports.
    pub const NAMES: [&str; 10] = [
        "KILL",
        "HALTED",
        "MARKET_CLOSED",
        "MAX_QTY",
        "MAX_NOTIONAL",
        "NO_REF",
        "COLLAR",
        "POSITION",
        "CREDIT",
        "THROTTLE",
    ];
}

/// Book flags (TOB `aux`, spec §6).
pub mod flag {
    pub const BAND_BID: u8 = 1 << 0;
    pub const BAND_ASK: u8 = 1 << 1;
    pub const COLLISION: u8 = 1 << 2;
}

/// Problem codes (PROBLEM `aux`, index into `Stats::problems`).
pub mod problem {
    pub const BAD_LENGTH: u8 = 1;
    pub const UNKNOWN_TYPE: u8 = 2;
    pub const TRUNCATED: u8 = 3;
    pub const BAD_CONTROL: u8 = 4;
    /// Names indexed by code (index 0 unused).
    pub const NAMES: [&str; 5] = ["", "BAD_LENGTH", "UNKNOWN_TYPE", "TRUNCATED", "BAD_CONTROL"];
}

/// Control operations (CONTROL `aux`, spec §9).
pub mod op {
    pub const GLOBAL_KILL: u8 = 1;
    pub const SYMBOL_KILL: u8 = 2;
    pub const MAX_QTY: u8 = 3;
    pub const MAX_NOTIONAL: u8 = 4;
    pub const POSITION_LIMIT: u8 = 5;
    pub const COLLAR_BPS: u8 = 6;
    pub const CREDIT_LIMIT: u8 = 7;
    pub const MAX_ORDERS: u8 = 8;
    pub const CLEAR_COLLISION: u8 = 9;
}

const U48: u64 = (1 << 48) - 1;

/// Builds a record from its header and the two payload words (bytes 16..24, 24..32).
///
/// Working in words keeps the hot path at four stores per record.
#[inline(always)]
pub(crate) fn encode(kind: u8, symbol: u8, aux: u8, seq: u64, ts: u64, p0: u64, p1: u64) -> [u8; 32] {
    let w0 = RECORD_VERSION as u64
        | (kind as u64) << 8
        | (symbol as u64) << 16
        | (aux as u64) << 24
        | (seq & 0xFFFF_FFFF) << 32;
    let w1 = ((seq & U48) >> 32) | (ts & U48) << 16;
    let mut r = [0u8; 32];
    r[0..8].copy_from_slice(&w0.to_le_bytes());
    r[8..16].copy_from_slice(&w1.to_le_bytes());
    r[16..24].copy_from_slice(&p0.to_le_bytes());
    r[24..32].copy_from_slice(&p1.to_le_bytes());
    r
}

/// TOB (kind 1): aux = flags; 16 `bid_px`, 20 `bid_sz`, 24 `ask_px`, 28 `ask_sz`.
#[inline(always)]
pub(crate) fn tob(symbol: u8, flags: u8, seq: u64, ts: u64, top: &Top) -> [u8; 32] {
    let p0 = top.bid_px as u64 | (top.bid_sz as u64) << 32;
    let p1 = top.ask_px as u64 | (top.ask_sz as u64) << 32;
    encode(kind::TOB, symbol, flags, seq, ts, p0, p1)
}

/// DECISION (kind 2): aux = side; 16 `price`, 20 `qty`, 24 `reasons`, 26 `verdict`
/// (1 iff no reason), 27 account index, 28 account id.
#[inline(always)]
pub(crate) fn decision(symbol: u8, seq: u64, ts: u64, o: &Order, reasons: u16, account: u8, account_id: u32) -> [u8; 32] {
    let p0 = o.price as u64 | (o.qty as u64) << 32;
    let p1 = reasons as u64 | ((reasons == 0) as u64) << 16 | (account as u64) << 24 | (account_id as u64) << 32;
    encode(kind::DECISION, symbol, o.side.byte(), seq, ts, p0, p1)
}

/// FILL (kind 3): aux = side; 16 `price`, 20 `qty`, 24 `position after` (i32, positions
/// are limited to ±(2^31 − 1)), 28 leg 0, 29 account index, 30 reserved.
#[inline(always)]
pub(crate) fn fill(symbol: u8, seq: u64, ts: u64, o: &Order, qty: u32, position_after: i64, account: u8) -> [u8; 32] {
    let p0 = o.price as u64 | (qty as u64) << 32;
    let p1 = (position_after as i32 as u32) as u64 | (account as u64) << 40;
    encode(kind::FILL, symbol, o.side.byte(), seq, ts, p0, p1)
}

/// CONTROL (kind 4): aux = op, seq = the effective seq, ts = `last_ts`; 16 `value`,
/// 24 `target`.
#[inline(always)]
pub(crate) fn control(symbol: u8, op: u8, seq: u64, ts: u64, value: u64, target: u16) -> [u8; 32] {
    encode(kind::CONTROL, symbol, op, seq, ts, value, target as u64)
}

/// PROBLEM (kind 5): no symbol, aux = code, ts 0; 16 type byte, 18 frame length,
/// 20 expected length (0 if unknown).
#[inline(always)]
pub(crate) fn problem(code: u8, seq: u64, t: u8, len: u16, expected: u16) -> [u8; 32] {
    let p0 = t as u64 | (len as u64) << 16 | (expected as u64) << 32;
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
    Problem {
        h: Header,
        code: u8,
        type_byte: u8,
        frame_len: u16,
        expected_len: u16,
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
        if r[0] != RECORD_VERSION {
            return Err(DecodeError::Version(r[0]));
        }
        let h = Header { symbol: r[2], aux: r[3], seq: le48(r, 4), ts: le48(r, 10) };
        Ok(match r[1] {
            kind::TOB => Record::Tob {
                h,
                flags: h.aux,
                bid_px: le32(r, 16),
                bid_sz: le32(r, 20),
                ask_px: le32(r, 24),
                ask_sz: le32(r, 28),
            },
            kind::DECISION => Record::Decision {
                h,
                side: h.aux,
                price: le32(r, 16),
                qty: le32(r, 20),
                reasons: le16(r, 24),
                accepted: r[26] == 1,
                account_index: r[27],
                account_id: le32(r, 28),
            },
            kind::FILL => {
                zeros(r, 30, 32)?;
                Record::Fill {
                    h,
                    side: h.aux,
                    price: le32(r, 16),
                    qty: le32(r, 20),
                    position_after: le32(r, 24) as i32,
                    leg: r[28],
                    account_index: r[29],
                }
            }
            kind::CONTROL => {
                zeros(r, 26, 32)?;
                Record::Control { h, op: h.aux, value: le64(r, 16), target: le16(r, 24) }
            }
            kind::PROBLEM => {
                zeros(r, 17, 18)?;
                zeros(r, 22, 32)?;
                Record::Problem {
                    h,
                    code: h.aux,
                    type_byte: r[16],
                    frame_len: le16(r, 18),
                    expected_len: le16(r, 20),
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
            Record::Problem { code, type_byte, frame_len, expected_len, .. } => write!(
                f,
                "PROBLEM {} type={type_byte:#04x} len={frame_len} expected={expected_len}",
                problem::NAMES.get(code as usize).copied().unwrap_or("?")
            ),
        }
    }
}
