//! ITCH message builders and a seeded synthetic session generator.
//!
//! Tests need hand-made frames and the benchmark needs realistic order flow before the
//! control plane's generator exists; both live here so they share one encoder. Nothing
//! here is on the engine's path.

use riskgate_core::config::{symbol_name, Config};
use riskgate_core::MESSAGE_LEN;

/// Appends BinaryFILE frames (2-byte big-endian length + message).
#[derive(Clone, Debug, Default)]
pub struct Frames {
    pub buf: Vec<u8>,
    /// Framed messages written so far, excluding control messages and end markers:
    /// the seq of the next message is `count + 1` for well-formed input.
    pub count: u64,
}

fn header(t: u8, locate: u16, ts: u64) -> Vec<u8> {
    let mut m = Vec::with_capacity(50);
    m.push(t);
    m.extend_from_slice(&locate.to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes());
    m.extend_from_slice(&ts.to_be_bytes()[2..8]);
    m
}

impl Frames {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends any message body as one frame (counts it as taking a seq unless it is a
    /// 28-byte control message).
    pub fn raw(&mut self, msg: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        self.buf.extend_from_slice(msg);
        let control = msg.len() == 28 && msg.first() == Some(&b'~');
        if !control && !msg.is_empty() {
            self.count += 1;
        }
        self
    }

    /// The end-of-session marker (length 0).
    pub fn end_marker(&mut self) -> &mut Self {
        self.buf.extend_from_slice(&[0, 0]);
        self
    }

    pub fn system(&mut self, ts: u64, code: u8) -> &mut Self {
        let mut m = header(b'S', 0, ts);
        m.push(code);
        self.raw(&m)
    }

    pub fn directory(&mut self, locate: u16, ts: u64, stock: [u8; 8]) -> &mut Self {
        let mut m = header(b'R', locate, ts);
        m.extend_from_slice(&stock);
        m.extend_from_slice(b"QN");
        m.extend_from_slice(&100u32.to_be_bytes());
        m.extend_from_slice(b"NC  PNN1N");
        m.extend_from_slice(&0u32.to_be_bytes());
        m.push(b'N');
        debug_assert_eq!(m.len(), 39);
        self.raw(&m)
    }

    pub fn trading_action(&mut self, locate: u16, ts: u64, stock: [u8; 8], state: u8) -> &mut Self {
        let mut m = header(b'H', locate, ts);
        m.extend_from_slice(&stock);
        m.push(state);
        m.push(b' ');
        m.extend_from_slice(b"    ");
        self.raw(&m)
    }

    pub fn circuit_breaker(&mut self, ts: u64, level: u8) -> &mut Self {
        let mut m = header(b'W', 0, ts);
        m.push(level);
        self.raw(&m)
    }

    #[allow(clippy::too_many_arguments)]
    fn add_impl(&mut self, mpid: bool, locate: u16, ts: u64, r: u64, side: u8, shares: u32, stock: [u8; 8], price: u32) -> &mut Self {
        let mut m = header(if mpid { b'F' } else { b'A' }, locate, ts);
        m.extend_from_slice(&r.to_be_bytes());
        m.push(side);
        m.extend_from_slice(&shares.to_be_bytes());
        m.extend_from_slice(&stock);
        m.extend_from_slice(&price.to_be_bytes());
        if mpid {
            m.extend_from_slice(b"GSCO");
        }
        self.raw(&m)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add(&mut self, locate: u16, ts: u64, r: u64, side: u8, shares: u32, stock: [u8; 8], price: u32) -> &mut Self {
        self.add_impl(false, locate, ts, r, side, shares, stock, price)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_mpid(&mut self, locate: u16, ts: u64, r: u64, side: u8, shares: u32, stock: [u8; 8], price: u32) -> &mut Self {
        self.add_impl(true, locate, ts, r, side, shares, stock, price)
    }

    pub fn executed(&mut self, locate: u16, ts: u64, r: u64, shares: u32, matchno: u64) -> &mut Self {
        let mut m = header(b'E', locate, ts);
        m.extend_from_slice(&r.to_be_bytes());
        m.extend_from_slice(&shares.to_be_bytes());
        m.extend_from_slice(&matchno.to_be_bytes());
        self.raw(&m)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn executed_price(&mut self, locate: u16, ts: u64, r: u64, shares: u32, matchno: u64, printable: u8, price: u32) -> &mut Self {
        let mut m = header(b'C', locate, ts);
        m.extend_from_slice(&r.to_be_bytes());
        m.extend_from_slice(&shares.to_be_bytes());
        m.extend_from_slice(&matchno.to_be_bytes());
        m.push(printable);
        m.extend_from_slice(&price.to_be_bytes());
        self.raw(&m)
    }

    pub fn cancel(&mut self, locate: u16, ts: u64, r: u64, shares: u32) -> &mut Self {
        let mut m = header(b'X', locate, ts);
        m.extend_from_slice(&r.to_be_bytes());
        m.extend_from_slice(&shares.to_be_bytes());
        self.raw(&m)
    }

    pub fn delete(&mut self, locate: u16, ts: u64, r: u64) -> &mut Self {
        let mut m = header(b'D', locate, ts);
        m.extend_from_slice(&r.to_be_bytes());
        self.raw(&m)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn replace(&mut self, locate: u16, ts: u64, old: u64, new: u64, shares: u32, price: u32) -> &mut Self {
        let mut m = header(b'U', locate, ts);
        m.extend_from_slice(&old.to_be_bytes());
        m.extend_from_slice(&new.to_be_bytes());
        m.extend_from_slice(&shares.to_be_bytes());
        m.extend_from_slice(&price.to_be_bytes());
        self.raw(&m)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn trade(&mut self, locate: u16, ts: u64, side: u8, shares: u32, stock: [u8; 8], price: u32, matchno: u64) -> &mut Self {
        let mut m = header(b'P', locate, ts);
        m.extend_from_slice(&0u64.to_be_bytes());
        m.push(side);
        m.extend_from_slice(&shares.to_be_bytes());
        m.extend_from_slice(&stock);
        m.extend_from_slice(&price.to_be_bytes());
        m.extend_from_slice(&matchno.to_be_bytes());
        self.raw(&m)
    }

    /// A skipped-type message of the right length filled with zeros after the header.
    pub fn skipped(&mut self, t: u8, locate: u16, ts: u64) -> &mut Self {
        let len = MESSAGE_LEN[t as usize] as usize;
        let mut m = header(t, locate, ts);
        m.resize(len.max(11), 0);
        self.raw(&m)
    }

    /// The in-band control message of spec §9.
    pub fn control(&mut self, op: u8, target: u16, effective_seq: u64, value: u64) -> &mut Self {
        self.raw(&control_message(op, target, effective_seq, value))
    }
}

/// A 28-byte control message body for a config with fingerprint 0 (the test configs'
/// `Config::fingerprint`).
pub fn control_message(op: u8, target: u16, effective_seq: u64, value: u64) -> Vec<u8> {
    control_message_for(0, op, target, effective_seq, value)
}

/// A 28-byte control message body made for the config with fingerprint `fingerprint`.
pub fn control_message_for(fingerprint: u64, op: u8, target: u16, effective_seq: u64, value: u64) -> Vec<u8> {
    let mut m = vec![b'~', op];
    m.extend_from_slice(&target.to_be_bytes());
    m.extend_from_slice(&effective_seq.to_be_bytes());
    m.extend_from_slice(&value.to_be_bytes());
    m.extend_from_slice(&fingerprint.to_be_bytes());
    m
}

/// A client order frame of spec §18 (`{`, 36 bytes, big-endian) made for the config with
/// fingerprint `fingerprint`.
#[allow(clippy::too_many_arguments)]
pub fn order_frame(fingerprint: u64, action: u8, side: u8, account: u16, symbol: u16, order_id: u32, qty: u32, price: u32, effective_seq: u64) -> Vec<u8> {
    let mut m = vec![b'{', action, side, b'0'];
    m.extend_from_slice(&account.to_be_bytes());
    m.extend_from_slice(&symbol.to_be_bytes());
    m.extend_from_slice(&order_id.to_be_bytes());
    m.extend_from_slice(&qty.to_be_bytes());
    m.extend_from_slice(&price.to_be_bytes());
    m.extend_from_slice(&effective_seq.to_be_bytes());
    m.extend_from_slice(&fingerprint.to_be_bytes());
    m
}

/// A venue answer frame of spec §18 (`}`, 32 bytes, big-endian).
pub fn venue_frame(fingerprint: u64, event: u8, order_id: u32, qty: u32, price: u32, effective_seq: u64) -> Vec<u8> {
    let mut m = vec![b'}', event, 0, 0];
    m.extend_from_slice(&order_id.to_be_bytes());
    m.extend_from_slice(&qty.to_be_bytes());
    m.extend_from_slice(&price.to_be_bytes());
    m.extend_from_slice(&effective_seq.to_be_bytes());
    m.extend_from_slice(&fingerprint.to_be_bytes());
    m
}

/// SplitMix64: tiny, seedable, good enough for test data and fuzzing.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

struct Live {
    r: u64,
    buy: bool,
    price: u32,
    shares: u32,
}

struct SymState {
    locate: u16,
    name: [u8; 8],
    /// Mid price in ticks.
    mid: i64,
    orders: Vec<Live>,
    halted: bool,
}

/// Shape of a synthetic session.
#[derive(Clone, Debug)]
pub struct SessionSpec {
    pub seed: u64,
    /// Framed messages to produce (approximately: the directory comes first).
    pub messages: usize,
    /// Symbols in the feed that the config does not subscribe.
    pub unsubscribed: usize,
    /// Live orders kept per symbol (cancels are forced above this).
    pub depth: usize,
    /// Append the zero-length end marker.
    pub end_marker: bool,
}

impl Default for SessionSpec {
    fn default() -> Self {
        SessionSpec { seed: 1, messages: 1_000_000, unsubscribed: 8, depth: 120, end_marker: true }
    }
}

/// Generates a realistic session for `cfg`: directory, market open, then order flow with
/// adds near the touch, partial and full cancels, executions (E and C), replaces,
/// trades, occasional stub quotes far from the market, off-tick prices and halts.
pub fn session(cfg: &Config, spec: &SessionSpec) -> Vec<u8> {
    let mut rng = Rng(spec.seed);
    let mut f = Frames::new();
    f.buf.reserve(spec.messages * 34);
    let tick = cfg.tick.max(1) as i64;
    let mut ts: u64 = 34_200_000_000_000; // 09:30
    let mut syms: Vec<SymState> = Vec::new();
    for (k, s) in cfg.symbols.iter().enumerate() {
        syms.push(SymState { locate: k as u16 + 1, name: s.name, mid: 0, orders: Vec::new(), halted: false });
    }
    for k in 0..spec.unsubscribed {
        let name = symbol_name(&format!("ZZ{k:02}"));
        syms.push(SymState { locate: (syms.len() + 1) as u16, name, mid: 0, orders: Vec::new(), halted: false });
    }
    for s in syms.iter_mut() {
        // $5 .. $500 expressed in ticks.
        let dollars = 5 + rng.below(495) as i64;
        s.mid = dollars * 10_000 / tick;
    }
    f.system(ts - 1_000_000, b'O');
    for s in &syms {
        f.directory(s.locate, ts - 500_000, s.name);
    }
    f.system(ts, b'Q');
    let mut next_ref: u64 = 1_000;
    let mut matchno: u64 = 1;
    while (f.count as usize) < spec.messages {
        ts += 200 + rng.below(4_000);
        let si = rng.below(syms.len() as u64) as usize;
        let s = &mut syms[si];
        if rng.chance(20) {
            s.mid += if rng.chance(500) { 1 } else { -1 };
            s.mid = s.mid.max(10);
        }
        let roll = rng.below(1000);
        let live = s.orders.len();
        if live == 0 || (roll < 460 && live < spec.depth) {
            let buy = rng.chance(500);
            let dist = 1 + rng.below(4) as i64 + if rng.chance(200) { rng.below(20) as i64 } else { 0 };
            let mut price = (if buy { s.mid - dist } else { s.mid + dist }) * tick;
            if rng.chance(3) {
                // Stub quote far away from the market.
                price = if buy { tick * (1 + rng.below(10) as i64) } else { (s.mid + 5_000 + rng.below(1_000) as i64) * tick };
            } else if rng.below(10_000) == 0 && tick > 1 {
                // Sub-tick price: rare on real feeds (stocks under $1), and it flags its
                // side for as long as it lives.
                price += 1 + rng.below(tick as u64 - 1) as i64;
            }
            let price = price.clamp(1, u32::MAX as i64) as u32;
            let shares = 100 * (1 + rng.below(10) as u32);
            next_ref += 1 + rng.below(3);
            let side = if buy { b'B' } else { b'S' };
            if rng.chance(100) {
                f.add_mpid(s.locate, ts, next_ref, side, shares, s.name, price);
            } else {
                f.add(s.locate, ts, next_ref, side, shares, s.name, price);
            }
            s.orders.push(Live { r: next_ref, buy, price, shares });
        } else if roll < 720 || live >= spec.depth {
            let k = rng.below(live as u64) as usize;
            let o = &mut s.orders[k];
            if rng.chance(500) || o.shares <= 100 {
                f.delete(s.locate, ts, o.r);
                s.orders.swap_remove(k);
            } else {
                let c = 100 * (1 + rng.below((o.shares / 100 - 1) as u64) as u32);
                f.cancel(s.locate, ts, o.r, c);
                o.shares -= c;
            }
        } else if roll < 830 {
            // Execute against the best order of a random side, as a real match would.
            let buy = rng.chance(500);
            let best = s
                .orders
                .iter()
                .enumerate()
                .filter(|(_, o)| o.buy == buy)
                .max_by_key(|(_, o)| if buy { o.price as i64 } else { -(o.price as i64) })
                .map(|(k, _)| k);
            let k = best.unwrap_or(0);
            let o = &mut s.orders[k];
            let x = (100 * (1 + rng.below(5) as u32)).min(o.shares);
            matchno += 1;
            if rng.chance(800) {
                f.executed(s.locate, ts, o.r, x, matchno);
            } else {
                let printable = if rng.chance(900) { b'Y' } else { b'N' };
                f.executed_price(s.locate, ts, o.r, x, matchno, printable, o.price);
            }
            o.shares -= x;
            if o.shares == 0 {
                s.orders.swap_remove(k);
            }
        } else if roll < 950 {
            let k = rng.below(live as u64) as usize;
            let o = &mut s.orders[k];
            next_ref += 1 + rng.below(3);
            let dist = 1 + rng.below(4) as i64;
            let price = ((if o.buy { s.mid - dist } else { s.mid + dist }) * tick).clamp(1, u32::MAX as i64) as u32;
            let shares = 100 * (1 + rng.below(10) as u32);
            f.replace(s.locate, ts, o.r, next_ref, shares, price);
            *o = Live { r: next_ref, buy: o.buy, price, shares };
        } else if roll < 985 {
            matchno += 1;
            let price = (s.mid * tick).clamp(1, u32::MAX as i64) as u32;
            f.trade(s.locate, ts, b'B', 100, s.name, price, matchno);
        } else if roll < 987 {
            s.halted = !s.halted;
            f.trading_action(s.locate, ts, s.name, if s.halted { b'H' } else { b'T' });
        } else {
            let t = [b'I', b'L', b'Y', b'Q', b'N'][rng.below(5) as usize];
            f.skipped(t, s.locate, ts);
        }
    }
    if spec.end_marker {
        f.end_marker();
    }
    f.buf
}
