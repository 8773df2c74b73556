//! The engine: orchestration only. It walks the frames of a batch, hands out seqs,
//! applies each message's effect (§3.2) to the book and the risk state, and turns a
//! changed top of book into TOB, DECISION and FILL records.
//!
//! The work itself lives elsewhere, one concern per file: `framing` (frames, §2),
//! `itch` (message fields, §3), `locate` (symbol lookup, §3.2), `book` (window, order
//! table, levels and flags, §4–§6), `strategy` (§8.1), `risk` (§8.2–§8.3), `control`
//! (§9), `records` (§11) and `stats` (§12).
//!
//! Everything is allocated in `Engine::new`; `process` only reads the input, updates
//! fixed-size state and appends 32-byte records. Tables are fixed-size arrays indexed by
//! masked values, so the hot path has almost no bounds checks and no `unsafe`.

use crate::book::{Book, LevelDelta, Probe, Slot, Top};
use crate::config::Config;
use crate::control::{self, Control};
use crate::error::{EngineError, ErrorCode};
use crate::framing::{max_record_bytes, scan, Frame, FrameWalk};
use crate::itch::{self, Message, Print, CONTROL_LEN, MESSAGE_LEN, ORDER_LEN, VENUE_LEN};
use crate::order_entry::{self as oe, OrderEntry};
use crate::locate::LocateTable;
use crate::params::{MAX_ACCOUNTS, MAX_SYMBOLS};
use crate::contract::control::op;
use crate::records::{self, problem, NO_SYMBOL};
use crate::risk::{self, AccountRisk, LastOrder, SymbolRisk};
use crate::snapshot::{self, Reader, Writer};
use crate::strategy::Side;
use crate::sink::{RecordSink, SliceSink};
use crate::stats::Stats;
use crate::strategy::{self, Order};

/// What happens after a symbol's book changed: the last emitted top of book (§7) and
/// the strategy state (§8.1). Kept in one struct because every TOB reads both.
#[derive(Clone, Copy, Default)]
struct SymbolTop {
    /// The last emitted TOB tuple and flags (§7).
    last: Top,
    last_flags: u8,
    strategy: strategy::State,
}

/// What one `process_session_stream` call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamStep {
    /// Input bytes walked: all but a cut-off tail left for the next call, or everything in
    /// front of an end-of-session marker.
    pub consumed: usize,
    /// Record bytes written at the start of `out`.
    pub written: usize,
    /// The walk ended in front of an end-of-session marker (at offset `consumed`).
    pub marker: bool,
}

/// The riskgate engine (spec version 3).
pub struct Engine {
    cfg: Config,
    strategy: strategy::Params,
    n_symbols: usize,
    n_accounts: usize,

    /// The last seq handed out.
    seq: u64,
    /// Timestamp of the last message that carried one (§3); stamps CONTROL records.
    last_ts: u64,
    locate: LocateTable,
    book: Book,
    tops: Box<[SymbolTop; MAX_SYMBOLS]>,
    session: risk::Session,
    syms: Box<[SymbolRisk; MAX_SYMBOLS]>,
    accts: Box<[AccountRisk; MAX_ACCOUNTS]>,
    /// Client orders and venue answers (§18).
    oe: OrderEntry,
    stats: Stats,
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
        let mut e = Engine {
            strategy: strategy::Params {
                imb_num: cfg.imb_num as u64,
                imb_den: cfg.imb_den as u64,
                cooldown_ns: cfg.cooldown_ns,
                max_spread: cfg.max_spread,
                clip_qty: cfg.clip_qty,
            },
            n_symbols: cfg.symbols.len(),
            n_accounts: cfg.accounts.len(),
            seq: 0,
            last_ts: 0,
            locate: LocateTable::new(&cfg),
            book: Book::new(cfg.tick as u64, cfg.tick_recip),
            tops: crate::boxed_array(SymbolTop::default()),
            session: risk::Session::default(),
            syms: crate::boxed_array(SymbolRisk::default()),
            accts: crate::boxed_array(AccountRisk::default()),
            oe: OrderEntry::default(),
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
        self.session = risk::Session {
            global_kill: self.cfg.global_kill,
            gate_market_hours: self.cfg.gate_market_hours,
            market_open: false,
            w_shift: self.cfg.w_shift as u32,
        };
        for (s, c) in self.syms.iter_mut().zip(&self.cfg.symbols) {
            *s = SymbolRisk {
                account: c.account,
                kill: c.kill,
                trading_state: b'T',
                last_trade: 0,
                max_qty: c.max_qty,
                max_notional: c.max_notional,
                collar_bps: c.collar_bps,
                position_limit: c.position_limit as i64,
                position: c.start_position,
            };
        }
        for (a, c) in self.accts.iter_mut().zip(&self.cfg.accounts) {
            *a = AccountRisk {
                id: c.id,
                max_orders: c.max_orders as u64,
                credit_limit: c.credit_limit,
                used_credit: c.start_used_credit,
                window: 0,
                count: 0,
                dup_window: c.dup_window_ns,
                last_order: None,
                kill: false,
            };
        }
        self.stats = Stats::default();
    }

    /// Back to the start-of-day state of the same config (no reallocation).
    pub fn reset(&mut self) {
        self.locate.clear();
        self.book.clear();
        self.tops.fill(SymbolTop::default());
        self.syms.fill(SymbolRisk::default());
        self.accts.fill(AccountRisk::default());
        self.oe.clear();
        self.init_session();
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The engine's whole state after the last message, as versioned, byte-stable bytes
    /// (`snapshot` module): restore it with `Engine::restore` and the session continues
    /// exactly as if the process had not stopped.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(&snapshot::MAGIC);
        w.u16(snapshot::VERSION);
        let blob = self.cfg.to_blob();
        w.u32(blob.len() as u32);
        w.bytes(&blob);
        w.u64(self.seq);
        w.u64(self.last_ts);
        self.locate.save(&mut w);
        self.book.save(&mut w, self.n_symbols);
        let s = &self.session;
        w.bool(s.global_kill);
        w.bool(s.market_open);
        for t in self.tops.iter().take(self.n_symbols) {
            for v in [t.last.bid_px, t.last.bid_sz, t.last.ask_px, t.last.ask_sz] {
                w.u32(v);
            }
            w.u8(t.last_flags);
            w.opt_u64(t.strategy.last_decision_ts);
        }
        for y in self.syms.iter().take(self.n_symbols) {
            w.bool(y.kill);
            w.u8(y.trading_state);
            w.u32(y.last_trade);
            w.u32(y.max_qty);
            w.u64(y.max_notional);
            w.u16(y.collar_bps);
            w.i64(y.position_limit);
            w.i64(y.position);
        }
        for a in self.accts.iter().take(self.n_accounts) {
            for v in [a.max_orders, a.credit_limit, a.used_credit, a.window, a.count, a.dup_window] {
                w.u64(v);
            }
            w.bool(a.kill);
            w.bool(a.last_order.is_some());
            if let Some(l) = a.last_order {
                w.u8(l.symbol);
                w.u8(l.side.byte());
                w.u32(l.price);
                w.u32(l.qty);
                w.u64(l.ts);
            }
        }
        self.save_order_entry(&mut w);
        let st = &self.stats;
        for v in st.by_type.iter().chain(st.problems.iter()) {
            w.u64(*v);
        }
        for v in [st.messages, st.unknown_ref, st.table_full, st.flagged, st.tob, st.decisions, st.accepted, st.rejected, st.fills, st.controls] {
            w.u64(v);
        }
        w.buf
    }

    /// An engine for `config_blob` in the state `snap` (from `snapshot`). Refused with
    /// `SNAPSHOT_INVALID` when the snapshot is truncated, malformed, of another version, or
    /// was taken under another config (its embedded blob differs byte for byte).
    pub fn restore(config_blob: &[u8], snap: &[u8]) -> Result<Engine, EngineError> {
        let mut e = Engine::new(config_blob)?;
        let mut r = Reader::new(snap);
        if r.take(4, "magic")? != snapshot::MAGIC {
            return Err(snapshot::invalid("not a riskgate snapshot (magic is not RGS1)"));
        }
        let v = r.u16("version")?;
        if v != snapshot::VERSION {
            return Err(snapshot::invalid(format!("snapshot version {v}, this engine reads version {}", snapshot::VERSION)));
        }
        let n = r.u32("config length")? as usize;
        let blob = r.take(n, "config blob")?;
        if blob != e.cfg.to_blob().as_slice() {
            return Err(snapshot::invalid("the snapshot was taken under another config (its config blob differs)"));
        }
        e.seq = r.u64("seq")?;
        e.last_ts = r.u64("last_ts")?;
        e.locate.load(&mut r)?;
        e.book.load(&mut r, e.n_symbols)?;
        e.session.global_kill = r.bool("global kill")?;
        e.session.market_open = r.bool("market open")?;
        for t in e.tops.iter_mut().take(e.n_symbols) {
            t.last = Top { bid_px: r.u32("tob")?, bid_sz: r.u32("tob")?, ask_px: r.u32("tob")?, ask_sz: r.u32("tob")? };
            t.last_flags = r.u8("tob flags")?;
            t.strategy.last_decision_ts = r.opt_u64("last decision")?;
        }
        let n_accounts = e.n_accounts;
        for y in e.syms.iter_mut().take(e.n_symbols) {
            y.kill = r.bool("symbol kill")?;
            y.trading_state = r.u8("trading state")?;
            y.last_trade = r.u32("last trade")?;
            y.max_qty = r.u32("max qty")?;
            y.max_notional = r.u64("max notional")?;
            y.collar_bps = r.u16("collar")?;
            y.position_limit = r.i64("position limit")?;
            y.position = r.i64("position")?;
        }
        let n_symbols = e.n_symbols;
        for a in e.accts.iter_mut().take(n_accounts) {
            a.max_orders = r.u64("max orders")?;
            a.credit_limit = r.u64("credit limit")?;
            a.used_credit = r.u64("used credit")?;
            a.window = r.u64("throttle window")?;
            a.count = r.u64("throttle count")?;
            a.dup_window = r.u64("duplicate window")?;
            a.kill = r.bool("account kill")?;
            a.last_order = if r.bool("last order")? {
                let symbol = r.u8("last order symbol")?;
                let side = match r.u8("last order side")? {
                    b'B' => Side::Buy,
                    b'S' => Side::Sell,
                    x => return Err(snapshot::invalid(format!("last order side {x:#04x} is not B or S"))),
                };
                if symbol as usize >= n_symbols {
                    return Err(snapshot::invalid(format!("last order symbol {symbol} is not configured")));
                }
                Some(LastOrder { symbol, side, price: r.u32("last order price")?, qty: r.u32("last order qty")?, ts: r.u64("last order ts")? })
            } else {
                None
            };
        }
        e.load_order_entry(&mut r)?;
        let st = &mut e.stats;
        for v in st.by_type.iter_mut().chain(st.problems.iter_mut()) {
            *v = r.u64("stats")?;
        }
        for v in [&mut st.messages, &mut st.unknown_ref, &mut st.table_full, &mut st.flagged, &mut st.tob, &mut st.decisions, &mut st.accepted, &mut st.rejected, &mut st.fills, &mut st.controls] {
            *v = r.u64("stats")?;
        }
        r.done()?;
        e.sync_table_stats();
        Ok(e)
    }

    /// The order-entry state (§18) into a snapshot: the open slots, then the per-account and
    /// per-symbol state and the FILL leg counter.
    fn save_order_entry(&self, w: &mut Writer) {
        let oe = &self.oe;
        let open: Vec<(usize, &oe::OpenOrder)> = oe.slots.iter().enumerate().filter(|(_, o)| o.open != 0).collect();
        w.u32(open.len() as u32);
        for (id, o) in open {
            w.u32(id as u32);
            w.u32(o.open);
            w.u32(o.price);
            w.u8(o.account);
            w.u8(o.symbol);
            w.u8(o.side);
        }
        for a in oe.accts.iter().take(self.n_accounts) {
            w.bool(a.reduce_only);
            for v in [a.max_open, a.max_rate, a.rate_window, a.rate_count, a.loss_limit] {
                w.u64(v);
            }
            w.i64(a.cash);
            w.i64(a.marked);
        }
        // the daily loss limit's pairs (§18.8), sparse: the ones with a position or a term
        let pairs: Vec<(usize, &oe::Pair)> = oe.pairs.iter().enumerate().filter(|(_, p)| **p != oe::Pair::default()).collect();
        w.u32(pairs.len() as u32);
        for (k, p) in pairs {
            w.u32(k as u32);
            w.i64(p.pos);
            w.i64(p.term);
        }
        for s in oe.syms.iter().take(self.n_symbols) {
            w.bool(s.reduce_only);
            w.bool(s.ssr);
        }
        w.u64(oe.leg_seq);
        w.u8(oe.legs);
    }

    /// The inverse of `save_order_entry`; the sums (open shares, notional, counts) are
    /// rebuilt from the slots, so a snapshot cannot carry inconsistent ones.
    fn load_order_entry(&mut self, r: &mut Reader) -> Result<(), EngineError> {
        let n = r.u32("open orders")? as usize;
        if n > crate::contract::order_frame::ORDER_SLOTS {
            return Err(snapshot::invalid(format!("{n} open orders, the table has {}", crate::contract::order_frame::ORDER_SLOTS)));
        }
        for _ in 0..n {
            let id = r.u32("order id")?;
            let o = oe::OpenOrder { open: r.u32("open shares")?, price: r.u32("order price")?, account: r.u8("order account")?, symbol: r.u8("order symbol")?, side: r.u8("order side")? };
            let ok = (id as usize) < crate::contract::order_frame::ORDER_SLOTS
                && o.open != 0
                && o.open <= oe::MAX_FRAME_QTY
                && o.price != 0
                && (o.account as usize) < self.n_accounts
                && (o.symbol as usize) < self.n_symbols
                && matches!(o.side, b'B' | b'S' | b'T' | b'E')
                && self.oe.open(id).is_none();
            if !ok {
                return Err(snapshot::invalid(format!("open order {id} is not valid for this config")));
            }
            oe::restore(&mut self.oe, id, o);
        }
        let mut accts = Vec::with_capacity(self.n_accounts);
        for _ in 0..self.n_accounts {
            let reduce_only = r.bool("reduce-only")?;
            let limits = (r.u64("max open")?, r.u64("max rate")?, r.u64("rate window")?, r.u64("rate count")?, r.u64("loss limit")?);
            accts.push((reduce_only, limits, r.i64("cash")?, r.i64("marked")?));
        }
        for (a, (ro, (mo, mr, rw, rc, ll), cash, marked)) in self.oe.accts.iter_mut().zip(accts) {
            a.reduce_only = ro;
            a.max_open = mo;
            a.max_rate = mr;
            a.rate_window = rw;
            a.rate_count = rc;
            a.loss_limit = ll;
            a.cash = cash;
            a.marked = marked;
        }
        let n = r.u32("pairs")? as usize;
        if n > oe::PAIRS {
            return Err(snapshot::invalid(format!("{n} pairs, there are {}", oe::PAIRS)));
        }
        for _ in 0..n {
            let k = r.u32("pair")? as usize;
            let ok = k < oe::PAIRS && k / MAX_SYMBOLS < self.n_accounts && k % MAX_SYMBOLS < self.n_symbols;
            if !ok {
                return Err(snapshot::invalid(format!("pair {k} is not an account and symbol of this config")));
            }
            self.oe.pairs[k] = oe::Pair { pos: r.i64("pair position")?, term: r.i64("pair term")? };
        }
        for s in self.oe.syms.iter_mut().take(self.n_symbols) {
            s.reduce_only = r.bool("symbol reduce-only")?;
            s.ssr = r.bool("reg sho")?;
        }
        self.oe.leg_seq = r.u64("leg seq")?;
        self.oe.legs = r.u8("legs")?;
        Ok(())
    }

    /// Bytes of heap the engine holds (for a host that must account for it, like V8's
    /// external memory); the order table is most of it.
    pub fn heap_bytes(&self) -> usize {
        self.book.heap_bytes() + core::mem::size_of::<Self>()
    }

    /// The last seq handed out (0 before the first message).
    pub fn last_seq(&self) -> u64 {
        self.seq
    }

    /// Valid orders in the order table (walks the table; for tests and diagnostics).
    pub fn live_orders(&self) -> usize {
        self.book.live_orders()
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
                return Err(output_too_small(out.len(), s.bound));
            }
        }
        let mut sink = SliceSink::new(out);
        self.run(frames, end_of_input, &mut sink);
        debug_assert!(!sink.overflowed());
        Ok(sink.len())
    }

    /// Streaming variant of `process_into`: processes every whole frame of `frames` and
    /// returns `(consumed, written)`: the input bytes it walked and the record bytes it
    /// wrote. With `end_of_input = false` a frame cut off at the end is not an error: it
    /// is left unconsumed (`consumed < frames.len()`) for the caller to pass again with
    /// the bytes that complete it. No pre-scan of the frame headers is needed unless
    /// `out` is smaller than `max_record_bytes(frames.len())`, so a caller that sizes
    /// `out` for its chunks walks its input once.
    pub fn process_stream(&mut self, frames: &[u8], end_of_input: bool, out: &mut [u8]) -> Result<(usize, usize), EngineError> {
        if out.len() < max_record_bytes(frames.len()) {
            let bound = scan(frames).bound;
            if out.len() < bound {
                return Err(output_too_small(out.len(), bound));
            }
        }
        let mut sink = SliceSink::new(out);
        let consumed = self.run(frames, end_of_input, &mut sink);
        debug_assert!(!sink.overflowed());
        Ok((consumed, sink.len()))
    }

    /// As `process_stream`, for a session file read in chunks (spec §2): the walk ends in
    /// front of the end-of-session marker, which it reports (`marker`), instead of walking
    /// on; `consumed` is then the marker's offset in `frames`. Records are those of
    /// `process_stream` for the same frames.
    pub fn process_session_stream(&mut self, frames: &[u8], end_of_input: bool, out: &mut [u8]) -> Result<StreamStep, EngineError> {
        if out.len() < max_record_bytes(frames.len()) {
            let bound = scan(frames).bound;
            if out.len() < bound {
                return Err(output_too_small(out.len(), bound));
            }
        }
        let mut sink = SliceSink::new(out);
        let (consumed, marker) = self.run_to_marker(frames, end_of_input, &mut sink);
        debug_assert!(!sink.overflowed());
        Ok(StreamStep { consumed, written: sink.len(), marker })
    }

    /// As `process`, into any sink.
    pub fn process_sink<S: RecordSink>(&mut self, frames: &[u8], end_of_input: bool, out: &mut S) -> Result<(), EngineError> {
        if !end_of_input && !scan(frames).whole {
            return Err(partial_frame(frames.len()));
        }
        self.run(frames, end_of_input, out);
        Ok(())
    }

    /// The frame loop. Kept out of line so the hot loop compiles the same whatever the
    /// caller inlines around it (the benchmark's `main`, the N-API wrapper).
    /// Returns the input bytes walked (all of them but a cut-off tail left by
    /// `end_of_input = false`).
    #[inline(never)]
    fn run<S: RecordSink>(&mut self, frames: &[u8], end_of_input: bool, out: &mut S) -> usize {
        self.run_walk(&mut FrameWalk::new(frames, end_of_input), out)
    }

    /// `run` ending in front of an end-of-session marker: (bytes walked, stopped at one).
    #[inline(never)]
    fn run_to_marker<S: RecordSink>(&mut self, frames: &[u8], end_of_input: bool, out: &mut S) -> (usize, bool) {
        let mut walk = FrameWalk::stopping_at_marker(frames, end_of_input);
        let consumed = self.run_walk(&mut walk, out);
        (consumed, walk.at_marker())
    }

    /// `run` over a walk the caller made (and may ask afterwards where it ended).
    #[inline(always)]
    fn run_walk<S: RecordSink>(&mut self, walk: &mut FrameWalk<'_>, out: &mut S) -> usize {
        let len = walk.remaining();
        loop {
            // The bulk of a long input through the walk's fast step (no bounds checks
            // its margin makes redundant), the last 64 KiB and any odd frame through
            // the general one; one copy of `message` for both.
            let (msg, r) = match walk.next_fast() {
                Some((msg, head)) => (msg, itch::ref_of_head(head)),
                None => match walk.next() {
                    Some(Frame::Message(msg)) => (msg, itch::ref_at_11(msg)),
                    Some(Frame::Truncated { t, declared }) => {
                        self.truncated(t, declared, out);
                        continue;
                    }
                    None => break,
                },
            };
            self.message(msg, r, out);
        }
        self.sync_table_stats();
        len - walk.remaining()
    }

    /// The order table's counters and the message count into the §12 stats (once per
    /// batch, off the hot path).
    fn sync_table_stats(&mut self) {
        let o = self.book.overflow();
        let occ = self.book.occupancy();
        let s = &mut self.stats;
        // `messages` is the last seq handed out (§12): copied here, not counted per message.
        s.messages = self.seq;
        s.stash_inserts = o.stash_inserts;
        s.ghost_inserts = o.ghost_inserts;
        s.untracked_drops = o.untracked_drops;
        s.collision_clears = o.collision_clears;
        s.live_peak = occ.live_peak;
        s.stash_peak = occ.stash_peak;
        s.ghost_peak = occ.ghost_peak;
    }

    #[inline(always)]
    fn next_seq(&mut self, t: u8) -> u64 {
        self.seq += 1;
        self.stats.by_type[t as usize] += 1;
        self.seq
    }

    // ---- messages (§3.2) ------------------------------------------------------------

    /// One framed message: its seq (control messages take none), then its effect. `r`
    /// is `itch::ref_at_11(msg)` when the body is at least 19 bytes long (anything
    /// otherwise: no shorter type reads it).
    #[inline(always)]
    fn message<S: RecordSink>(&mut self, msg: &[u8], r: u64, out: &mut S) {
        let Some(&t) = msg.first() else { return };
        // The order table's first reads for the reference at offset 11, before the type
        // dispatch: for the messages that have one, the loads are then under way while
        // the CPU finds out which type it is. Nothing changes the table before they are
        // used; for the other types the probe is unused.
        let probe = self.book.probe(r);
        let m = itch::parse(t, msg);
        match m {
            Message::Control(c) => return self.control(c, out),
            Message::OrderEntry(f) => return self.order_frame(f, out),
            Message::Venue(f) => return self.venue_frame(f, out),
            _ => {}
        }
        let seq = self.next_seq(t);
        // The arms that change a book name its symbol and leave their level change; the
        // level update and the work after a book change (TOB, strategy, risk) are then
        // one copy for every message type, not one per arm.
        // (Plain `match`es, no `Option::map` closures: the N-API build left those out of line.)
        let changed: Option<(usize, Option<LevelDelta>)> = match m {
            // Handled above, before the seq.
            Message::Control(_) | Message::OrderEntry(_) | Message::Venue(_) => None,
            Message::RegSho { locate, ts, action } => {
                self.last_ts = ts;
                if let Some(i) = self.locate.get(locate) {
                    self.oe.syms[i % MAX_SYMBOLS].ssr = action != b'0';
                }
                None
            }
            Message::Add { locate, ts, r, buy, shares, price } => {
                self.last_ts = ts;
                match self.locate.get(locate) {
                    Some(i) => {
                        debug_assert_eq!(r, probe.r());
                        let (placed, level) = self.book.insert_probed_deferred(i, probe, buy as usize, shares, price);
                        if !placed {
                            self.stats.table_full += 1;
                        }
                        Some((i, level))
                    }
                    None => None,
                }
            }
            Message::Executed { ts, r, shares } => self.executed(ts, r, probe, shares, Print::OrderPrice),
            Message::ExecutedWithPrice { ts, r, shares, print } => self.executed(ts, r, probe, shares, print),
            Message::Cancel { ts, r, shares } => {
                self.last_ts = ts;
                debug_assert_eq!(r, probe.r());
                // As for D: the order in way 0 of bank 0 first.
                if let Some(e) = self.book.order_way0(probe) {
                    Some((e.symbol, self.book.reduce_way0_deferred(probe, e, shares)))
                } else if let Some(slot) = self.find(r, probe) {
                    let e = self.book.order(slot);
                    Some((e.symbol, self.book.reduce_entry_deferred(slot, e, shares)))
                } else {
                    None
                }
            }
            Message::Delete { ts, r } => {
                self.last_ts = ts;
                debug_assert_eq!(r, probe.r());
                // Most orders sit in way 0 of bank 0: that case in its own few instructions
                // (`Book::delete_way0`), the general lookup for the others.
                if let Some(changed) = self.book.delete_way0(probe) {
                    Some(changed)
                } else if let Some(slot) = self.find(r, probe) {
                    let e = self.book.order(slot);
                    Some((e.symbol, self.book.remove_entry_deferred(slot, e)))
                } else {
                    None
                }
            }
            Message::Replace { ts, r, new_ref, shares, price } => {
                self.last_ts = ts;
                debug_assert_eq!(r, probe.r());
                // The new order keeps the original's symbol and side. As for D: the order
                // in way 0 of bank 0 first.
                if let Some(e) = self.book.order_way0(probe) {
                    self.book.remove_way0(probe, e);
                    Some((e.symbol, self.insert_deferred(e.symbol, new_ref, e.side, shares, price)))
                } else if let Some(slot) = self.find(r, probe) {
                    let e = self.book.order(slot);
                    self.book.remove_entry(slot, e);
                    Some((e.symbol, self.insert_deferred(e.symbol, new_ref, e.side, shares, price)))
                } else {
                    None
                }
            }
            Message::Trade { locate, ts, price } => {
                self.last_ts = ts;
                if let Some(i) = self.locate.get(locate) {
                    self.syms[i].last_trade = price;
                }
                None
            }
            Message::System { ts, code } => {
                self.last_ts = ts;
                match code {
                    b'Q' => self.session.market_open = true,
                    b'M' => self.session.market_open = false,
                    _ => {}
                }
                None
            }
            Message::Directory { locate, ts, stock } => {
                self.last_ts = ts;
                self.locate.directory(locate, stock);
                None
            }
            Message::TradingAction { locate, ts, state } => {
                self.last_ts = ts;
                if let Some(i) = self.locate.get(locate) {
                    self.syms[i].trading_state = state;
                }
                None
            }
            Message::CircuitBreaker { ts, level } => {
                self.last_ts = ts;
                // Levels 1–3 halt every symbol; only H messages resume them.
                if matches!(level, b'1' | b'2' | b'3') {
                    for s in self.syms.iter_mut().take(self.n_symbols) {
                        s.trading_state = b'H';
                    }
                }
                None
            }
            Message::Skipped { ts } => {
                self.last_ts = ts;
                None
            }
            Message::BadLength => {
                self.bad_length(t, msg.len(), seq, out);
                None
            }
            Message::Unknown { ts } => {
                if let Some(ts) = ts {
                    self.last_ts = ts;
                }
                self.problem(problem::UNKNOWN_TYPE, seq, t, msg.len() as u16, 0, out);
                None
            }
        };
        if let Some((i, level)) = changed {
            if let Some(d) = level {
                self.book.apply(d);
            }
            self.touched(i, seq, self.last_ts, out);
        }
    }

    /// E and C (§3.2): the trade sets `last_trade`, then the order is reduced; returns the
    /// order's symbol. Inlined into each arm so that E's print, a constant, costs no branch.
    #[inline(always)]
    fn executed(&mut self, ts: u64, r: u64, probe: Probe, shares: u32, print: Print) -> Option<(usize, Option<LevelDelta>)> {
        self.last_ts = ts;
        // As for D: the order in way 0 of bank 0 first.
        if let Some(e) = self.book.order_way0(probe) {
            match print {
                Print::OrderPrice => self.syms[e.symbol].last_trade = self.book.order_price_way0(probe),
                Print::At(p) => self.syms[e.symbol].last_trade = p,
                Print::NotPrintable => {}
            }
            return Some((e.symbol, self.book.reduce_way0_deferred(probe, e, shares)));
        }
        let slot = self.find(r, probe)?;
        let e = self.book.order(slot);
        match print {
            Print::OrderPrice => self.syms[e.symbol].last_trade = self.book.order_price(slot),
            Print::At(p) => self.syms[e.symbol].last_trade = p,
            Print::NotPrintable => {}
        }
        Some((e.symbol, self.book.reduce_entry_deferred(slot, e, shares)))
    }

    /// The order with reference `r` (`probe` is the book's probe of `r`); a miss is
    /// counted, not an error (the order may belong to an unsubscribed symbol).
    #[inline(always)]
    fn find(&mut self, r: u64, probe: Probe) -> Option<Slot> {
        debug_assert_eq!(r, probe.r());
        let slot = self.book.lookup_probed(probe);
        if slot.is_none() {
            self.stats.unknown_ref += 1;
        }
        slot
    }

    /// Adds an order to the book but for its level change, which it returns; a dropped
    /// order is counted (§5).
    #[inline(always)]
    fn insert_deferred(&mut self, i: usize, r: u64, side: usize, shares: u32, price: u32) -> Option<LevelDelta> {
        let p = self.book.probe(r);
        let (placed, level) = self.book.insert_probed_deferred(i, p, side, shares, price);
        if !placed {
            self.stats.table_full += 1;
        }
        level
    }

    /// A control message (§9): one made for another config (its fingerprint differs) is a
    /// FOREIGN_CONTROL problem that engages the global kill switch (fail closed), with the
    /// CONTROL record of that engage; otherwise applied at once if valid, else a
    /// BAD_CONTROL problem.
    #[cold]
    fn control<S: RecordSink>(&mut self, m: &[u8; CONTROL_LEN], out: &mut S) {
        let c = Control::parse(m);
        const LEN: u16 = CONTROL_LEN as u16;
        if c.fingerprint != self.cfg.fingerprint {
            let seq = self.seq + 1;
            self.problem_op(problem::FOREIGN_CONTROL, seq, b'~', LEN, LEN, c.op, c.target, out);
            let kill = control::Action::GlobalKill(true);
            control::apply(kill, &mut self.session, &mut self.syms, &mut self.accts, &mut self.book, &mut self.oe);
            self.stats.controls += 1;
            out.put(records::control(kill.record_symbol(), op::GLOBAL_KILL, seq, self.last_ts, 1, control::GLOBAL));
            return;
        }
        let Some(action) = control::validate(&c, self.seq, self.n_symbols, self.n_accounts) else {
            self.problem_op(problem::BAD_CONTROL, self.seq + 1, b'~', LEN, LEN, c.op, c.target, out);
            return;
        };
        control::apply(action, &mut self.session, &mut self.syms, &mut self.accts, &mut self.book, &mut self.oe);
        self.stats.controls += 1;
        out.put(records::control(action.record_symbol(), c.op, c.seq, self.last_ts, c.value, c.target));
    }

    // ---- order entry (§18) -----------------------------------------------------------

    /// A frame made for another config: refused like a foreign control message (§9), and
    /// the global kill switch engages.
    #[cold]
    fn foreign_frame<S: RecordSink>(&mut self, t: u8, len: u16, op: u8, target: u16, out: &mut S) {
        let seq = self.seq + 1;
        self.problem_op(problem::FOREIGN_CONTROL, seq, t, len, len, op, target, out);
        let kill = control::Action::GlobalKill(true);
        control::apply(kill, &mut self.session, &mut self.syms, &mut self.accts, &mut self.book, &mut self.oe);
        self.stats.controls += 1;
        out.put(records::control(kill.record_symbol(), op::GLOBAL_KILL, seq, self.last_ts, 1, control::GLOBAL));
    }

    /// A client order action (§18.2, §18.3): checked at its position, answered with an
    /// ORDER record; no fill (the venue's executions move positions).
    #[cold]
    fn order_frame<S: RecordSink>(&mut self, m: &[u8; ORDER_LEN], out: &mut S) {
        let f = oe::parse_order(m);
        const LEN: u16 = ORDER_LEN as u16;
        let t = crate::contract::order_frame::TYPE;
        if f.fingerprint != self.cfg.fingerprint {
            return self.foreign_frame(t, LEN, f.action, f.account, out);
        }
        if !oe::valid_order(&f, self.seq, self.n_symbols, self.n_accounts, &self.oe) {
            return self.problem_op(problem::BAD_CONTROL, self.seq + 1, t, LEN, LEN, f.action, f.account, out);
        }
        let i = f.symbol as usize % MAX_SYMBOLS;
        let a = f.account as usize % MAX_ACCOUNTS;
        let ts = self.last_ts;
        // The daily loss limit (§18.8): the order's pair re-marked, then the limit, before the
        // checks, so the order that finds the loss is refused by the kill it engages.
        oe::remark(&mut self.oe, a, i, self.syms[i].last_trade);
        let trip = !self.accts[a].kill && oe::below_loss_limit(&self.oe.accts[a]);
        self.accts[a].kill |= trip;
        let replaced = (f.action == oe::REPLACE).then(|| oe::lift(&mut self.oe, f.order_id));
        let reasons = oe::check(
            &f,
            &oe::Inputs {
                session: &self.session,
                sym: &self.syms[i],
                acct: &self.accts[a],
                acct_orders: &self.oe.accts[a],
                sym_orders: &self.oe.syms[i],
                bid: self.tops[i].last.bid_px,
                ts,
            },
        );
        oe::count_rate(&mut self.oe.accts[a], ts, self.session.w_shift);
        if reasons == 0 {
            oe::place(&mut self.oe, &f);
            let side = if f.side == b'B' { Side::Buy } else { Side::Sell };
            risk::count_accepted(&Order { side, price: f.price, qty: f.qty }, i as u8, ts, &self.session, &mut self.accts[a]);
        } else if let Some(o) = replaced {
            oe::restore(&mut self.oe, f.order_id, o);
        }
        out.put(records::order(i as u8, f.action, f.seq, ts, f.price, f.qty, reasons, f.side, a as u8, f.order_id));
        if trip {
            self.loss_kill(a, f.seq, out);
        }
    }

    /// The CONTROL record of an account kill the daily loss limit engaged (§18.8): op
    /// ACCOUNT_KILL, value 2 (an operator's engage is 1).
    #[cold]
    fn loss_kill<S: RecordSink>(&mut self, a: usize, seq: u64, out: &mut S) {
        self.stats.controls += 1;
        out.put(records::control(NO_SYMBOL, op::ACCOUNT_KILL, seq, self.last_ts, oe::LOSS_KILL_VALUE, a as u16));
    }

    /// A venue's answer for a client order (§18.4): an execution moves the position and the
    /// credit and emits a FILL; a cancel frees the shares and emits an ORDER record.
    #[cold]
    fn venue_frame<S: RecordSink>(&mut self, m: &[u8; VENUE_LEN], out: &mut S) {
        let f = oe::parse_venue(m);
        const LEN: u16 = VENUE_LEN as u16;
        let t = crate::contract::venue_frame::TYPE;
        let target = f.order_id as u16;
        if f.fingerprint != self.cfg.fingerprint {
            return self.foreign_frame(t, LEN, f.event, target, out);
        }
        if !oe::valid_venue(&f, self.seq, &self.oe) {
            return self.problem_op(problem::BAD_CONTROL, self.seq + 1, t, LEN, LEN, f.event, target, out);
        }
        let Some(o) = self.oe.open(f.order_id) else { return };
        let i = o.symbol as usize % MAX_SYMBOLS;
        let a = o.account as usize % MAX_ACCOUNTS;
        self.oe.reduce(f.order_id, f.qty);
        if f.event == oe::EXECUTED {
            let signed = if o.side == b'B' { f.qty as i64 } else { -(f.qty as i64) };
            self.syms[i].position += signed;
            let acct = &mut self.accts[a];
            acct.used_credit = acct.used_credit.saturating_add(f.price as u64 * f.qty as u64);
            let leg = oe::next_leg(&mut self.oe, f.seq);
            self.stats.fills += 1;
            let pos = self.syms[i].position;
            oe::book_execution(&mut self.oe, a, i, o.side == b'B', f.price, f.qty, self.syms[i].last_trade);
            let trip = !self.accts[a].kill && oe::below_loss_limit(&self.oe.accts[a]);
            self.accts[a].kill |= trip;
            out.put(records::venue_fill(i as u8, f.seq, self.last_ts, oe::fill_side(o.side), f.price, f.qty, pos, leg, a as u8));
            if trip {
                self.loss_kill(a, f.seq, out);
            }
        } else {
            out.put(records::order(i as u8, oe::CANCELED, f.seq, self.last_ts, 0, f.qty, 0, o.side, a as u8, f.order_id));
        }
    }

    // ---- problems --------------------------------------------------------------------

    #[cold]
    fn bad_length<S: RecordSink>(&mut self, t: u8, len: usize, seq: u64, out: &mut S) {
        self.problem(problem::BAD_LENGTH, seq, t, len as u16, itch::expected_len(t), out);
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
        self.problem_op(code, seq, t, len, expected, 0, 0, out);
    }

    /// A problem with the op and target of a refused control message.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn problem_op<S: RecordSink>(&mut self, code: u8, seq: u64, t: u8, len: u16, expected: u16, op: u8, target: u16, out: &mut S) {
        let n = self.stats.problems.len();
        self.stats.problems[code as usize % n] += 1;
        out.put(records::problem(code, seq, t, len, expected, op, target));
    }

    // ---- book → TOB → strategy → risk -------------------------------------------------

    /// After a message touched symbol `i`'s book: flags, TOB record if the tuple changed
    /// (§7), then the strategy (§8.1).
    #[inline(always)]
    fn touched<S: RecordSink>(&mut self, i: usize, seq: u64, ts: u64, out: &mut S) {
        let i = i % MAX_SYMBOLS;
        if !self.book.take_dirty(i) {
            // Nothing at or past the best level moved and no flag input changed: the top
            // of book and flags are the ones emitted last (§7), so no record either.
            self.stats.flagged += (self.tops[i].last_flags != 0) as u64;
            return;
        }
        let (top, flags) = self.book.top(i);
        self.stats.flagged += (flags != 0) as u64;
        let t = &mut self.tops[i];
        if top.same_as(&t.last) && flags == t.last_flags {
            return;
        }
        // A change of the tuple or of the flags alone: the stream never shows doubt as
        // certainty (§7).
        t.last = top;
        t.last_flags = flags;
        self.stats.tob += 1;
        out.put(records::tob(i as u8, flags, seq, ts, &top));
        if let Some(order) = strategy::decide(top, flags, ts, &self.tops[i].strategy, &self.strategy) {
            self.tops[i].strategy.decided(ts);
            self.risk(i, seq, ts, order, out);
        }
    }

    /// The risk checks (§8.2) of the strategy's order and its DECISION record; for an
    /// accepted order the fill (§8.3) and its FILL record (`accepted`, out of line: most
    /// decisions are rejected).
    #[inline(always)]
    fn risk<S: RecordSink>(&mut self, i: usize, seq: u64, ts: u64, o: Order, out: &mut S) {
        let i = i % MAX_SYMBOLS;
        let sym = &self.syms[i];
        let a = sym.account as usize % MAX_ACCOUNTS;
        let acct = &self.accts[a];
        let reasons = risk::check(&o, i as u8, ts, &self.session, sym, acct);
        self.stats.decisions += 1;
        out.put(records::decision(i as u8, seq, ts, &o, reasons, a as u8, acct.id));
        if reasons != 0 {
            self.stats.rejected += 1;
            return;
        }
        self.accepted(i, a, seq, ts, o, out);
    }

    /// §8.3 for an order the checks accepted: the fill and its FILL record.
    #[inline(never)]
    fn accepted<S: RecordSink>(&mut self, i: usize, a: usize, seq: u64, ts: u64, o: Order, out: &mut S) {
        let sym = &mut self.syms[i % MAX_SYMBOLS];
        let acct = &mut self.accts[a % MAX_ACCOUNTS];
        self.stats.accepted += 1;
        let f = risk::accept(&o, i as u8, ts, &self.session, sym, acct);
        self.stats.fills += 1;
        out.put(records::fill(i as u8, seq, ts, &o, f, sym.position, a as u8));
    }
}

fn output_too_small(have: usize, bound: usize) -> EngineError {
    EngineError::new(
        ErrorCode::OutputTooSmall,
        format!("output buffer of {have} bytes may be too small: the batch can produce up to {bound} bytes of records"),
    )
}

fn partial_frame(len: usize) -> EngineError {
    EngineError::new(
        ErrorCode::PartialFrame,
        format!("batch of {len} bytes ends inside a frame but endOfInput is false; split batches only between frames"),
    )
}
