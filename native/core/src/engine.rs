//! The engine: frame walking, message effects, book, strategy, risk and records.
//!
//! Everything is allocated in `Engine::new`; `process` only reads the input, updates
//! fixed-size state and appends 32-byte records. Tables are fixed-size arrays indexed by
//! masked values, so the hot path has almost no bounds checks and no `unsafe`.

use crate::book::BookSide;
use crate::config::Config;
use crate::error::{EngineError, ErrorCode};
use crate::params::{MAX_ACCOUNTS, MAX_SYMBOLS, WAYS, WINDOW_TICKS as L};
use crate::records::{self, flag, kind, op, problem, reason, NO_SYMBOL, RECORD_SIZE};
use crate::table::{class, OrderTable, Slot};

const NONE: u8 = 0xFF;
const BID: usize = 1;
const ASK: usize = 0;
const I31: u64 = (1 << 31) - 1;

/// Message lengths of spec §3.1 (0 = unknown type).
pub const MESSAGE_LEN: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'S' as usize] = 12;
    t[b'R' as usize] = 39;
    t[b'H' as usize] = 25;
    t[b'Y' as usize] = 20;
    t[b'L' as usize] = 26;
    t[b'V' as usize] = 35;
    t[b'W' as usize] = 12;
    t[b'K' as usize] = 28;
    t[b'J' as usize] = 35;
    t[b'h' as usize] = 21;
    t[b'X' as usize] = 23;
    t[b'U' as usize] = 35;
    t[b'P' as usize] = 44;
    t[b'Q' as usize] = 40;
    t[b'B' as usize] = 19;
    t[b'I' as usize] = 50;
    t[b'N' as usize] = 20;
    t[b'O' as usize] = 48;
    t[b'A' as usize] = 36;
    t[b'F' as usize] = 40;
    t[b'E' as usize] = 31;
    t[b'C' as usize] = 36;
    t[b'D' as usize] = 19;
    t[b'~' as usize] = 20;
    t
};

/// Upper bound of the record bytes `process` can produce for `input_len` bytes of input.
///
/// A frame that yields records is at least 3 bytes (length + type) and yields at most
/// three (TOB, DECISION, FILL); one or two leftover bytes at the end of input can only
/// form one TRUNCATED record.
pub const fn max_record_bytes(input_len: usize) -> usize {
    let whole = (input_len / 3).saturating_mul(3 * RECORD_SIZE);
    let tail = if !input_len.is_multiple_of(3) { RECORD_SIZE } else { 0 };
    whole.saturating_add(tail)
}

/// Counters of spec §12.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Framed messages, i.e. the last seq handed out.
    pub messages: u64,
    /// Seq-taking frames by type byte (a truncated frame without a type byte counts as 0),
    /// so `by_type` sums to `messages`. Control messages (`~`, 20 bytes) take no seq and
    /// are counted in `controls` or `problems[BAD_CONTROL]` instead.
    pub by_type: [u64; 256],
    /// Indexed by problem code (index 0 unused).
    pub problems: [u64; 5],
    pub unknown_ref: u64,
    pub table_full: u64,
    pub flagged: u64,
    pub tob: u64,
    pub decisions: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub fills: u64,
    pub controls: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            messages: 0,
            by_type: [0; 256],
            problems: [0; 5],
            unknown_ref: 0,
            table_full: 0,
            flagged: 0,
            tob: 0,
            decisions: 0,
            accepted: 0,
            rejected: 0,
            fills: 0,
            controls: 0,
        }
    }
}

/// Where records go. Generic rather than `dyn` so the hot loop is monomorphised.
pub trait RecordSink {
    fn put(&mut self, r: [u8; RECORD_SIZE]);
}

impl RecordSink for Vec<u8> {
    #[inline(always)]
    fn put(&mut self, r: [u8; RECORD_SIZE]) {
        self.extend_from_slice(&r);
    }
}

/// Writes records into a caller-provided buffer that was checked to be large enough.
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl<'a> SliceSink<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceSink { buf, len: 0, overflow: false }
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// True if a record did not fit (cannot happen after the bound check of `process_into`).
    pub fn overflowed(&self) -> bool {
        self.overflow
    }
}

impl RecordSink for SliceSink<'_> {
    #[inline(always)]
    fn put(&mut self, r: [u8; RECORD_SIZE]) {
        match self.buf.get_mut(self.len..self.len + RECORD_SIZE) {
            Some(d) => {
                d.copy_from_slice(&r);
                self.len += RECORD_SIZE;
            }
            None => self.overflow = true,
        }
    }
}

/// Per-symbol state, kept together so one message touches few cache lines.
#[derive(Clone, Default)]
struct Sym {
    base_q: u64,
    window_set: bool,
    collision: bool,
    trading_state: u8,
    kill: bool,
    has_decision: bool,
    account: u8,
    collar_bps: u16,
    last_trade: u32,
    max_qty: u32,
    /// Out-of-band order counts `[class][side]` (class 0 = IN is unused).
    oob: [[u32; 2]; 4],
    last_tob: [u32; 4],
    last_decision_ts: u64,
    position: i64,
    position_limit: i64,
    max_notional: u64,
}

#[derive(Clone, Default)]
struct Acct {
    id: u32,
    max_orders: u64,
    credit_limit: u64,
    used_credit: u64,
    window: u64,
    count: u64,
}

/// The riskgate engine (spec v1).
pub struct Engine {
    cfg: Config,
    // Session scalars, copied out of `cfg` in the widths the hot path uses.
    tick: u64,
    recip: u64,
    w_shift: u32,
    gate_market_hours: bool,
    imb_num: u64,
    imb_den: u64,
    cooldown_ns: u64,
    max_spread: u32,
    clip_qty: u32,
    n_symbols: usize,
    n_accounts: usize,
    names: [u64; MAX_SYMBOLS],

    seq: u64,
    last_ts: u64,
    market_open: bool,
    global_kill: bool,
    syms: Box<[Sym; MAX_SYMBOLS]>,
    accts: Box<[Acct; MAX_ACCOUNTS]>,
    locate: Box<[u8; 1 << 16]>,
    table: OrderTable,
    book: Box<[[BookSide; 2]; MAX_SYMBOLS]>,
    stats: Stats,
}

#[inline(always)]
fn be16<const N: usize>(m: &[u8; N], o: usize) -> u16 {
    u16::from_be_bytes([m[o], m[o + 1]])
}
#[inline(always)]
fn be32<const N: usize>(m: &[u8; N], o: usize) -> u32 {
    u32::from_be_bytes([m[o], m[o + 1], m[o + 2], m[o + 3]])
}
#[inline(always)]
fn be48<const N: usize>(m: &[u8; N], o: usize) -> u64 {
    u64::from_be_bytes([0, 0, m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5]])
}
#[inline(always)]
fn be64<const N: usize>(m: &[u8; N], o: usize) -> u64 {
    u64::from_be_bytes([m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5], m[o + 6], m[o + 7]])
}
/// The ITCH timestamp (offset 5, 6 bytes) of a message of at least 11 bytes.
#[inline(always)]
fn ts_of(msg: &[u8]) -> u64 {
    match msg.get(5..11) {
        Some(b) => u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]),
        None => 0,
    }
}

/// `floor(p / tick)` by the reciprocal of spec §4: no division on the hot path. The
/// product needs up to 81 bits; on x86-64 the u128 multiply is a single `mul`.
#[inline(always)]
pub fn tick_quotient(p: u32, recip: u64) -> u64 {
    ((p as u128 * recip as u128) >> 48) as u64
}

/// What an execution does to `last_trade`: E trades at the order's price, C at its own
/// price only when printable.
#[derive(Clone, Copy)]
enum Trade {
    OrderPrice,
    At(u32),
    NotPrintable,
}

/// Result of a pre-scan of a batch: does it end on a frame boundary, and how many record
/// bytes can it produce at most (per frame, by type).
struct Scan {
    whole: bool,
    bound: usize,
}

fn scan(frames: &[u8]) -> Scan {
    let mut rest = frames;
    let mut bound = 0usize;
    while let [h0, h1, tail @ ..] = rest {
        let n = u16::from_be_bytes([*h0, *h1]) as usize;
        if n == 0 {
            rest = tail;
            continue;
        }
        let Some((msg, next)) = tail.split_at_checked(n) else {
            return Scan { whole: false, bound: bound + RECORD_SIZE };
        };
        let per = match msg.first() {
            Some(b'A' | b'F' | b'U' | b'E' | b'C' | b'X' | b'D') => 3 * RECORD_SIZE,
            _ => RECORD_SIZE,
        };
        bound += per;
        rest = next;
    }
    if rest.is_empty() {
        Scan { whole: true, bound }
    } else {
        Scan { whole: false, bound: bound + RECORD_SIZE }
    }
}

impl Engine {
    /// Builds an engine from a start-of-day config blob (spec §10). All memory the engine
    /// will ever use is allocated here.
    pub fn new(config_blob: &[u8]) -> Result<Engine, EngineError> {
        let cfg = Config::parse(config_blob)?;
        Ok(Engine::from_valid_config(cfg))
    }

    /// Builds an engine from a `Config`, validating it exactly as a blob would be.
    pub fn from_config(cfg: &Config) -> Result<Engine, EngineError> {
        Engine::new(&cfg.to_blob())
    }

    fn from_valid_config(cfg: Config) -> Engine {
        let mut names = [0u64; MAX_SYMBOLS];
        for (n, s) in names.iter_mut().zip(&cfg.symbols) {
            *n = u64::from_le_bytes(s.name);
        }
        let mut e = Engine {
            tick: cfg.tick as u64,
            recip: cfg.tick_recip,
            w_shift: cfg.w_shift as u32,
            gate_market_hours: cfg.gate_market_hours,
            imb_num: cfg.imb_num as u64,
            imb_den: cfg.imb_den as u64,
            cooldown_ns: cfg.cooldown_ns,
            max_spread: cfg.max_spread,
            clip_qty: cfg.clip_qty,
            n_symbols: cfg.symbols.len(),
            n_accounts: cfg.accounts.len(),
            names,
            seq: 0,
            last_ts: 0,
            market_open: false,
            global_kill: false,
            syms: crate::boxed_array(Sym::default()),
            accts: crate::boxed_array(Acct::default()),
            locate: crate::boxed_array(NONE),
            table: OrderTable::new(),
            book: crate::boxed_array([BookSide::EMPTY, BookSide::EMPTY]),
            stats: Stats::default(),
            cfg,
        };
        e.init_session();
        e
    }

    /// Sets the start-of-day values that come from the config; the tables must be empty.
    fn init_session(&mut self) {
        self.seq = 0;
        self.last_ts = 0;
        self.market_open = false;
        self.global_kill = self.cfg.global_kill;
        for (s, c) in self.syms.iter_mut().zip(&self.cfg.symbols) {
            *s = Sym {
                trading_state: b'T',
                kill: c.kill,
                account: c.account,
                collar_bps: c.collar_bps,
                max_qty: c.max_qty,
                max_notional: c.max_notional,
                position_limit: c.position_limit as i64,
                position: c.start_position,
                ..Sym::default()
            };
        }
        for (a, c) in self.accts.iter_mut().zip(&self.cfg.accounts) {
            *a = Acct {
                id: c.id,
                max_orders: c.max_orders as u64,
                credit_limit: c.credit_limit,
                used_credit: c.start_used_credit,
                window: 0,
                count: 0,
            };
        }
        self.stats = Stats::default();
    }

    /// Back to the start-of-day state of the same config (no reallocation).
    pub fn reset(&mut self) {
        self.syms.fill(Sym::default());
        self.accts.fill(Acct::default());
        self.locate.fill(NONE);
        self.table.clear();
        for sides in self.book.iter_mut() {
            for side in sides.iter_mut() {
                side.clear();
            }
        }
        self.init_session();
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The last seq handed out (0 before the first message).
    pub fn last_seq(&self) -> u64 {
        self.seq
    }

    /// Valid orders in the order table (walks the table; for tests and diagnostics).
    pub fn live_orders(&self) -> usize {
        self.table.len()
    }

    /// Processes a batch of frames and appends the records to `out`.
    ///
    /// With `end_of_input = false` the batch must end on a frame boundary, otherwise
    /// `PARTIAL_FRAME` is returned and nothing is processed. With `end_of_input = true` a
    /// frame cut off at the end becomes a TRUNCATED problem record.
    pub fn process(&mut self, frames: &[u8], end_of_input: bool, out: &mut Vec<u8>) -> Result<(), EngineError> {
        self.process_sink(frames, end_of_input, out)
    }

    /// As `process`, writing into a caller-provided buffer; returns the bytes written.
    ///
    /// Fails with `OUTPUT_TOO_SMALL` before touching any state if the records could
    /// exceed `out`: first against `max_record_bytes(frames.len())`, and if that is too
    /// coarse, against a per-frame bound from a scan of the frame headers.
    pub fn process_into(&mut self, frames: &[u8], end_of_input: bool, out: &mut [u8]) -> Result<usize, EngineError> {
        if !end_of_input || out.len() < max_record_bytes(frames.len()) {
            let s = scan(frames);
            if !end_of_input && !s.whole {
                return Err(partial_frame(frames.len()));
            }
            if out.len() < s.bound {
                return Err(EngineError::new(
                    ErrorCode::OutputTooSmall,
                    format!(
                        "output buffer of {} bytes may be too small: the batch can produce up to {} bytes of records",
                        out.len(),
                        s.bound
                    ),
                ));
            }
        }
        let mut sink = SliceSink::new(out);
        self.run(frames, end_of_input, &mut sink);
        debug_assert!(!sink.overflowed());
        Ok(sink.len())
    }

    /// As `process`, into any sink.
    pub fn process_sink<S: RecordSink>(&mut self, frames: &[u8], end_of_input: bool, out: &mut S) -> Result<(), EngineError> {
        if !end_of_input && !scan(frames).whole {
            return Err(partial_frame(frames.len()));
        }
        self.run(frames, end_of_input, out);
        Ok(())
    }

    fn run<S: RecordSink>(&mut self, frames: &[u8], end_of_input: bool, out: &mut S) {
        let mut rest = frames;
        while let [h0, h1, tail @ ..] = rest {
            let n = u16::from_be_bytes([*h0, *h1]) as usize;
            if n == 0 {
                // End-of-session marker: no seq, no record. The file reader stops here;
                // the engine just walks on.
                rest = tail;
                continue;
            }
            match tail.split_at_checked(n) {
                Some((msg, next)) => {
                    self.frame(msg, out);
                    rest = next;
                }
                None => {
                    // Only reachable at end of input (the pre-scan refused it otherwise).
                    if end_of_input {
                        self.truncated(tail.first().copied(), n as u16, out);
                    }
                    return;
                }
            }
        }
        if end_of_input && !rest.is_empty() {
            // One stray byte: a length prefix cut in half. It takes a seq like any
            // truncated frame so that the loss is visible in the record stream.
            self.truncated(None, 0, out);
        }
    }

    #[inline(always)]
    fn next_seq(&mut self, t: u8) -> u64 {
        self.seq += 1;
        self.stats.messages += 1;
        self.stats.by_type[t as usize] += 1;
        self.seq
    }

    #[inline(always)]
    fn frame<S: RecordSink>(&mut self, msg: &[u8], out: &mut S) {
        let Some(&t) = msg.first() else { return };
        if t == b'~' {
            if let Ok(m) = <&[u8; 20]>::try_from(msg) {
                self.control(m, out);
                return;
            }
        }
        let seq = self.next_seq(t);
        match t {
            b'A' => match <&[u8; 36]>::try_from(msg) {
                Ok(m) => self.on_add(m, seq, out),
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'F' => match <&[u8; 40]>::try_from(msg) {
                Ok(m) => self.on_add(m, seq, out),
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'E' => match <&[u8; 31]>::try_from(msg) {
                Ok(m) => self.on_exec(m, Trade::OrderPrice, seq, out),
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'C' => match <&[u8; 36]>::try_from(msg) {
                Ok(m) => {
                    let trade = if m[31] == b'Y' { Trade::At(be32(m, 32)) } else { Trade::NotPrintable };
                    self.on_exec(m, trade, seq, out)
                }
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'X' => match <&[u8; 23]>::try_from(msg) {
                Ok(m) => self.on_cancel(m, seq, out),
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'D' => match <&[u8; 19]>::try_from(msg) {
                Ok(m) => self.on_delete(m, seq, out),
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'U' => match <&[u8; 35]>::try_from(msg) {
                Ok(m) => self.on_replace(m, seq, out),
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'P' => match <&[u8; 44]>::try_from(msg) {
                Ok(m) => {
                    self.last_ts = be48(m, 5);
                    let i = self.locate[be16(m, 1) as usize];
                    if i != NONE {
                        self.syms[i as usize % MAX_SYMBOLS].last_trade = be32(m, 32);
                    }
                }
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'S' => match <&[u8; 12]>::try_from(msg) {
                Ok(m) => {
                    self.last_ts = be48(m, 5);
                    match m[11] {
                        b'Q' => self.market_open = true,
                        b'M' => self.market_open = false,
                        _ => {}
                    }
                }
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'R' => match <&[u8; 39]>::try_from(msg) {
                Ok(m) => self.on_directory(m),
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'H' => match <&[u8; 25]>::try_from(msg) {
                Ok(m) => {
                    self.last_ts = be48(m, 5);
                    let i = self.locate[be16(m, 1) as usize];
                    if i != NONE {
                        self.syms[i as usize % MAX_SYMBOLS].trading_state = m[19];
                    }
                }
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            b'W' => match <&[u8; 12]>::try_from(msg) {
                Ok(m) => {
                    self.last_ts = be48(m, 5);
                    if matches!(m[11], b'1' | b'2' | b'3') {
                        for s in self.syms.iter_mut().take(self.n_symbols) {
                            s.trading_state = b'H';
                        }
                    }
                }
                Err(_) => self.bad_length(t, msg.len(), seq, out),
            },
            _ => {
                let expected = MESSAGE_LEN[t as usize] as usize;
                if expected == 0 {
                    // Not bad in the sense of §3: an unknown type still carries a
                    // timestamp when it is long enough.
                    if msg.len() >= 11 {
                        self.last_ts = ts_of(msg);
                    }
                    self.problem(problem::UNKNOWN_TYPE, seq, t, msg.len() as u16, 0, out);
                } else if msg.len() != expected {
                    self.bad_length(t, msg.len(), seq, out);
                } else {
                    // Skipped type (length ≥ 12).
                    self.last_ts = ts_of(msg);
                }
            }
        }
    }

    #[cold]
    fn bad_length<S: RecordSink>(&mut self, t: u8, len: usize, seq: u64, out: &mut S) {
        self.problem(problem::BAD_LENGTH, seq, t, len as u16, MESSAGE_LEN[t as usize] as u16, out);
    }

    #[cold]
    fn truncated<S: RecordSink>(&mut self, t: Option<u8>, declared: u16, out: &mut S) {
        let tb = t.unwrap_or(0);
        let seq = self.next_seq(tb);
        let expected = if t.is_some() { MESSAGE_LEN[tb as usize] as u16 } else { 0 };
        self.problem(problem::TRUNCATED, seq, tb, declared, expected, out);
    }

    #[inline(never)]
    fn problem<S: RecordSink>(&mut self, code: u8, seq: u64, t: u8, len: u16, expected: u16, out: &mut S) {
        self.stats.problems[code as usize % 5] += 1;
        let p0 = t as u64 | (len as u64) << 16 | (expected as u64) << 32;
        out.put(records::encode(kind::PROBLEM, NO_SYMBOL, code, seq, 0, p0, 0));
    }

    #[cold]
    fn on_directory(&mut self, m: &[u8; 39]) {
        self.last_ts = be48(m, 5);
        let name = u64::from_le_bytes([m[11], m[12], m[13], m[14], m[15], m[16], m[17], m[18]]);
        let i = self.names[..self.n_symbols.min(MAX_SYMBOLS)].iter().position(|&n| n == name);
        self.locate[be16(m, 1) as usize] = match i {
            Some(i) => i as u8,
            None => NONE,
        };
    }

    fn control<S: RecordSink>(&mut self, m: &[u8; 20], out: &mut S) {
        let op = m[1];
        let target = be16(m, 2);
        let s = be64(m, 4);
        let value = be64(m, 12);
        let sym = (target as usize) < self.n_symbols;
        let acct = (target as usize) < self.n_accounts;
        let valid = s == self.seq + 1
            && match op {
                op::GLOBAL_KILL => target == 0xFFFF && value <= 1,
                op::SYMBOL_KILL => sym && value <= 1,
                op::MAX_QTY => sym && value <= u32::MAX as u64,
                op::MAX_NOTIONAL => sym,
                op::POSITION_LIMIT => sym && value <= I31,
                op::COLLAR_BPS => sym && value <= u16::MAX as u64,
                op::CREDIT_LIMIT => acct,
                op::MAX_ORDERS => acct && value <= u32::MAX as u64,
                op::CLEAR_COLLISION => sym && value == 0,
                _ => false,
            };
        if !valid {
            self.problem(problem::BAD_CONTROL, self.seq + 1, b'~', 20, 20, out);
            return;
        }
        let t = target as usize % MAX_SYMBOLS;
        let symbol_target = !matches!(op, op::GLOBAL_KILL | op::CREDIT_LIMIT | op::MAX_ORDERS);
        match op {
            op::GLOBAL_KILL => self.global_kill = value == 1,
            op::SYMBOL_KILL => self.syms[t].kill = value == 1,
            op::MAX_QTY => self.syms[t].max_qty = value as u32,
            op::MAX_NOTIONAL => self.syms[t].max_notional = value,
            op::POSITION_LIMIT => self.syms[t].position_limit = value as i64,
            op::COLLAR_BPS => self.syms[t].collar_bps = value as u16,
            op::CREDIT_LIMIT => self.accts[target as usize % MAX_ACCOUNTS].credit_limit = value,
            op::MAX_ORDERS => self.accts[target as usize % MAX_ACCOUNTS].max_orders = value,
            op::CLEAR_COLLISION => self.syms[t].collision = false,
            _ => {}
        }
        self.stats.controls += 1;
        let symbol = if symbol_target { target as u8 } else { NO_SYMBOL };
        out.put(records::encode(kind::CONTROL, symbol, op, s, self.last_ts, value, target as u64));
    }

    // ---- order flow -------------------------------------------------------------

    #[inline(always)]
    fn on_add<const N: usize, S: RecordSink>(&mut self, m: &[u8; N], seq: u64, out: &mut S) {
        let ts = be48(m, 5);
        self.last_ts = ts;
        let i = self.locate[be16(m, 1) as usize];
        if i == NONE {
            return;
        }
        let i = i as usize % MAX_SYMBOLS;
        let side = (m[19] == b'B') as usize;
        self.insert(i, be64(m, 11), side, be32(m, 20), be32(m, 32));
        self.touched(i, seq, ts, out);
    }

    /// Window rule, class, then table insert and book effect (spec §4–§6).
    #[inline(always)]
    fn insert(&mut self, i: usize, r: u64, side: usize, shares: u32, price: u32) {
        let q = tick_quotient(price, self.recip);
        let on_tick = q * self.tick == price as u64;
        let sym = &mut self.syms[i];
        // The window is set by the first on-tick add even if the table then drops the
        // order: the rule is about the add, not about the insert.
        if on_tick && !sym.window_set {
            sym.base_q = q.saturating_sub(L as u64 / 2);
            sym.window_set = true;
        }
        let (cls, idx) = if !on_tick {
            (class::OFFTICK, 0)
        } else if q < sym.base_q {
            (class::BELOW, 0)
        } else if q - sym.base_q >= L as u64 {
            (class::ABOVE, 0)
        } else {
            (class::IN, (q - sym.base_q) as usize)
        };
        if self.table.insert(r, i, side, price, shares, cls, idx).is_none() {
            sym.collision = true;
            self.stats.table_full += 1;
            return;
        }
        if cls == class::IN {
            self.book[i][side].add(idx, shares);
        } else {
            let c = &mut sym.oob[cls as usize][side];
            *c = c.wrapping_add(1);
        }
    }

    /// Removes an order and takes its remaining shares off the book.
    #[inline(always)]
    fn remove(&mut self, slot: Slot) {
        let e = self.table.get(slot);
        self.table.invalidate(slot);
        if e.class == class::IN {
            self.book[e.symbol][e.side].sub(e.idx, e.shares);
        } else {
            let c = &mut self.syms[e.symbol].oob[e.class as usize][e.side];
            *c = c.wrapping_sub(1);
        }
    }

    /// Reduces by `min(r, shares)`; an order left with 0 shares is removed.
    #[inline(always)]
    fn reduce(&mut self, slot: Slot, r: u32) {
        let e = self.table.get(slot);
        let d = r.min(e.shares);
        let left = e.shares - d;
        if left == 0 {
            // Removing with the full remaining count is the same book effect as
            // reducing to zero and then removing 0 shares.
            self.remove(slot);
            return;
        }
        self.table.set_shares(slot, left);
        if e.class == class::IN {
            self.book[e.symbol][e.side].sub(e.idx, d);
        }
    }

    #[inline(always)]
    fn on_exec<const N: usize, S: RecordSink>(&mut self, m: &[u8; N], trade: Trade, seq: u64, out: &mut S) {
        let ts = be48(m, 5);
        self.last_ts = ts;
        let Some(slot) = self.table.lookup(be64(m, 11)) else {
            self.stats.unknown_ref += 1;
            return;
        };
        let e = self.table.get(slot);
        match trade {
            Trade::OrderPrice => self.syms[e.symbol].last_trade = e.price,
            Trade::At(p) => self.syms[e.symbol].last_trade = p,
            Trade::NotPrintable => {}
        }
        self.reduce(slot, be32(m, 19));
        self.touched(e.symbol, seq, ts, out);
    }

    #[inline(always)]
    fn on_cancel<S: RecordSink>(&mut self, m: &[u8; 23], seq: u64, out: &mut S) {
        let ts = be48(m, 5);
        self.last_ts = ts;
        let Some(slot) = self.table.lookup(be64(m, 11)) else {
            self.stats.unknown_ref += 1;
            return;
        };
        let i = self.table.get(slot).symbol;
        self.reduce(slot, be32(m, 19));
        self.touched(i, seq, ts, out);
    }

    #[inline(always)]
    fn on_delete<S: RecordSink>(&mut self, m: &[u8; 19], seq: u64, out: &mut S) {
        let ts = be48(m, 5);
        self.last_ts = ts;
        let Some(slot) = self.table.lookup(be64(m, 11)) else {
            self.stats.unknown_ref += 1;
            return;
        };
        let i = self.table.get(slot).symbol;
        self.remove(slot);
        self.touched(i, seq, ts, out);
    }

    #[inline(always)]
    fn on_replace<S: RecordSink>(&mut self, m: &[u8; 35], seq: u64, out: &mut S) {
        let ts = be48(m, 5);
        self.last_ts = ts;
        let Some(slot) = self.table.lookup(be64(m, 11)) else {
            self.stats.unknown_ref += 1;
            return;
        };
        let e = self.table.get(slot);
        self.remove(slot);
        self.insert(e.symbol, be64(m, 19), e.side, be32(m, 27), be32(m, 31));
        self.touched(e.symbol, seq, ts, out);
    }

    // ---- book → TOB → strategy → risk ------------------------------------------------

    /// After a message touched symbol `i`'s book: flags, TOB record if the tuple changed,
    /// then the strategy.
    #[inline(always)]
    fn touched<S: RecordSink>(&mut self, i: usize, seq: u64, ts: u64, out: &mut S) {
        let i = i % MAX_SYMBOLS;
        let sides = &self.book[i];
        let sym = &self.syms[i];
        let bid = sides[BID].highest();
        let ask = sides[ASK].lowest();
        let o = &sym.oob;
        let band_bid = o[class::OFFTICK as usize][BID] != 0
            || o[class::ABOVE as usize][BID] != 0
            || (bid.is_none() && o[class::BELOW as usize][BID] != 0);
        let band_ask = o[class::OFFTICK as usize][ASK] != 0
            || o[class::BELOW as usize][ASK] != 0
            || (ask.is_none() && o[class::ABOVE as usize][ASK] != 0);
        let flags = (band_bid as u8 * flag::BAND_BID) | (band_ask as u8 * flag::BAND_ASK) | (sym.collision as u8 * flag::COLLISION);
        self.stats.flagged += (flags != 0) as u64;
        let px = |idx: usize| ((sym.base_q + idx as u64) * self.tick) as u32;
        let (bp, bs) = match bid {
            Some(x) => (px(x), sides[BID].level(x)),
            None => (0, 0),
        };
        let (ap, asz) = match ask {
            Some(x) => (px(x), sides[ASK].level(x)),
            None => (0, 0),
        };
        let tob = [bp, bs, ap, asz];
        if tob == sym.last_tob {
            return;
        }
        self.syms[i].last_tob = tob;
        self.stats.tob += 1;
        out.put(records::encode(
            kind::TOB,
            i as u8,
            flags,
            seq,
            ts,
            bp as u64 | (bs as u64) << 32,
            ap as u64 | (asz as u64) << 32,
        ));
        if flags == 0 {
            self.strategy(i, seq, ts, tob, out);
        }
    }

    #[inline(always)]
    fn strategy<S: RecordSink>(&mut self, i: usize, seq: u64, ts: u64, tob: [u32; 4], out: &mut S) {
        let [bp, bs, ap, asz] = tob;
        let sym = &mut self.syms[i];
        if bs == 0 || asz == 0 || ap <= bp || ap - bp > self.max_spread {
            return;
        }
        if sym.has_decision && (ts < sym.last_decision_ts || ts - sym.last_decision_ts < self.cooldown_ns) {
            return;
        }
        let (buy, price, qty) = if bs as u64 * self.imb_den >= asz as u64 * self.imb_num {
            (true, ap, asz.min(self.clip_qty))
        } else if asz as u64 * self.imb_den >= bs as u64 * self.imb_num {
            (false, bp, bs.min(self.clip_qty))
        } else {
            return;
        };
        sym.has_decision = true;
        sym.last_decision_ts = ts;
        self.risk(i, seq, ts, buy, price, qty, out);
    }

    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn risk<S: RecordSink>(&mut self, i: usize, seq: u64, ts: u64, buy: bool, price: u32, qty: u32, out: &mut S) {
        let sym = &mut self.syms[i % MAX_SYMBOLS];
        let a = sym.account as usize % MAX_ACCOUNTS;
        let acct = &mut self.accts[a];
        let n = price as u64 * qty as u64;
        let signed = if buy { qty as i64 } else { -(qty as i64) };
        let rf = sym.last_trade as u64;
        let w = ts >> self.w_shift;
        let in_window = if acct.window == w { acct.count } else { 0 };

        let mut reasons = 0u16;
        let mut fail = |cond: bool, bit: u16| {
            if cond {
                reasons |= bit;
            }
        };
        fail(self.global_kill || sym.kill, reason::KILL);
        fail(sym.trading_state != b'T', reason::HALTED);
        fail(self.gate_market_hours && !self.market_open, reason::MARKET_CLOSED);
        fail(qty > sym.max_qty, reason::MAX_QTY);
        fail(n > sym.max_notional, reason::MAX_NOTIONAL);
        fail(rf == 0, reason::NO_REF);
        // |price − ref| < 2^32 and bps < 2^16, so neither side overflows u64.
        fail(rf != 0 && (price as u64).abs_diff(rf) * 10_000 > rf * sym.collar_bps as u64, reason::COLLAR);
        // |position| ≤ 2^31 − 1 always holds (start and every accepted fill are
        // limited), so the sum cannot overflow.
        fail((sym.position + signed).abs() > sym.position_limit, reason::POSITION);
        fail(acct.used_credit.saturating_add(n) > acct.credit_limit, reason::CREDIT);
        fail(in_window >= acct.max_orders, reason::THROTTLE);

        let accepted = reasons == 0;
        let side = if buy { b'B' } else { b'S' };
        self.stats.decisions += 1;
        out.put(records::encode(
            kind::DECISION,
            i as u8,
            side,
            seq,
            ts,
            price as u64 | (qty as u64) << 32,
            reasons as u64 | (accepted as u64) << 16 | (a as u64) << 24 | (acct.id as u64) << 32,
        ));
        if !accepted {
            self.stats.rejected += 1;
            return;
        }
        self.stats.accepted += 1;
        // Version 1: the order is priced at the opposite best level and fills fully.
        let f = qty;
        sym.position += if buy { f as i64 } else { -(f as i64) };
        acct.used_credit = acct.used_credit.saturating_add(price as u64 * f as u64);
        if acct.window != w {
            acct.window = w;
            acct.count = 0;
        }
        acct.count += 1;
        self.stats.fills += 1;
        out.put(records::encode(
            kind::FILL,
            i as u8,
            side,
            seq,
            ts,
            price as u64 | (f as u64) << 32,
            (sym.position as i32 as u32) as u64 | (a as u64) << 40,
        ));
    }
}

fn partial_frame(len: usize) -> EngineError {
    EngineError::new(
        ErrorCode::PartialFrame,
        format!("batch of {len} bytes ends inside a frame but endOfInput is false; split batches only between frames"),
    )
}

// Order entries keep side in one bit and class in two; WAYS must fit the way mask.
const _: () = assert!(WAYS <= 8);
