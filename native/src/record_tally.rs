//! The replay's pass over each engine call's records (src/report/accumulator.ts, `add`) in
//! Rust: top-of-book rows and those with a flag, the first and last ITCH time of a TOB record,
//! DECISION reject reasons, and the P&L of every FILL (pnl_book.rs). One call per engine
//! call's records; the rare CONTROL, PROBLEM and ORDER records and the FILLs of venue
//! executions (leg ≠ 0, client orders) are counted and left to JavaScript.

use crate::pnl_book::PnlBook;
use napi::bindgen_prelude::BufferSlice;
use napi_derive::napi;
use riskgate_core::contract::record::{decision, fill, header, kind, SIZE};

/// A DECISION verdict of an accepted order; the side byte of a buy.
const ACCEPTED: u8 = 1;
const BUY: u8 = b'B';

/// One symbol's P&L, its exact values as `[-]<coefficient>e<exponent>` strings.
#[napi(object)]
pub struct SymbolPnlState {
    pub symbol: u32,
    pub position: f64,
    pub bought: f64,
    pub sold: f64,
    pub fills: f64,
    pub avg: String,
    pub realised: String,
}

#[napi]
pub struct RecordTally {
    reasons: Vec<f64>,
    reason_bits: u16,
    tob_rows: u64,
    flagged_tob_rows: u64,
    first_ts: i64,
    last_ts: i64,
    pnl: PnlBook,
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

fn u48_at(b: &[u8], off: usize) -> i64 {
    let mut x = [0u8; 8];
    x[..6].copy_from_slice(&b[off..off + 6]);
    i64::from_le_bytes(x)
}

#[napi]
impl RecordTally {
    /// `reason_count`: the DECISION reasons counted (bits 0..reason_count−1, at most 16).
    #[napi(constructor)]
    pub fn new(reason_count: u32) -> napi::Result<Self> {
        if reason_count > 16 {
            return Err(napi::Error::from_reason(format!("RecordTally: {reason_count} reasons, at most 16 (a u16 mask)")));
        }
        Ok(RecordTally {
            reasons: vec![0.0; reason_count as usize],
            reason_bits: ((1u32 << reason_count) - 1) as u16,
            tob_rows: 0,
            flagged_tob_rows: 0,
            first_ts: -1,
            last_ts: -1,
            pnl: PnlBook::new(),
        })
    }

    /// Tallies the whole records of `records` (a partial one at the end is ignored, as in
    /// JavaScript). Returns how many records it leaves to the caller (CONTROL, PROBLEM, ORDER,
    /// and FILLs with leg ≠ 0, whose P&L it has kept).
    #[napi]
    pub fn add(&mut self, records: BufferSlice) -> napi::Result<u32> {
        let b: &[u8] = &records;
        let end = b.len() - b.len() % SIZE;
        let mut rare = 0u32;
        let mut last_tob = usize::MAX;
        for off in (0..end).step_by(SIZE) {
            match b[off + header::KIND] {
                kind::TOB => {
                    if self.first_ts < 0 {
                        self.first_ts = u48_at(b, off + header::TS);
                    }
                    last_tob = off;
                    self.tob_rows += 1;
                    if b[off + header::AUX] != 0 {
                        self.flagged_tob_rows += 1;
                    }
                }
                kind::DECISION if b[off + decision::VERDICT] != ACCEPTED => {
                    let mut mask = u16::from_le_bytes([b[off + decision::REASONS], b[off + decision::REASONS + 1]]) & self.reason_bits;
                    while mask != 0 {
                        self.reasons[mask.trailing_zeros() as usize] += 1.0;
                        mask &= mask - 1;
                    }
                }
                kind::FILL => {
                    let r = self.pnl.fill(b[off + header::SYMBOL], b[off + header::AUX] == BUY, u32_at(b, off + fill::PRICE), u32_at(b, off + fill::QTY));
                    r.map_err(napi::Error::from_reason)?;
                    // A venue execution of a client order (leg ≠ 0) is also counted in JavaScript.
                    if b[off + fill::LEG] != 0 {
                        rare += 1;
                    }
                }
                kind::CONTROL | kind::PROBLEM | kind::ORDER => rare += 1,
                _ => {}
            }
        }
        if last_tob != usize::MAX {
            self.last_ts = u48_at(b, last_tob + header::TS);
        }
        Ok(rare)
    }

    #[napi(getter)]
    pub fn tob_rows(&self) -> f64 {
        self.tob_rows as f64
    }
    #[napi(getter)]
    pub fn flagged_tob_rows(&self) -> f64 {
        self.flagged_tob_rows as f64
    }
    /// ITCH time of the first and the last TOB record (-1 before any).
    #[napi(getter)]
    pub fn first_ts(&self) -> f64 {
        self.first_ts as f64
    }
    #[napi(getter)]
    pub fn last_ts(&self) -> f64 {
        self.last_ts as f64
    }
    /// Rejected DECISIONs by reason bit.
    #[napi]
    pub fn reasons(&self) -> Vec<f64> {
        self.reasons.clone()
    }
    /// Every symbol with a fill, in the order of its first fill.
    #[napi]
    pub fn pnl(&self) -> Vec<SymbolPnlState> {
        self.pnl
            .books
            .iter()
            .map(|(symbol, s)| SymbolPnlState {
                symbol: *symbol as u32,
                position: s.position as f64,
                bought: s.bought as f64,
                sold: s.sold as f64,
                fills: s.fills as f64,
                avg: s.avg.to_string(),
                realised: s.real.to_string(),
            })
            .collect()
    }
}
