//! The start-of-day config blob of spec §10: parsing with validation, and encoding (used by
//! tests, the benchmark and the synthetic session generator; the control plane has its
//! own TypeScript encoder).

use crate::contract::config::{account as A, header as H, symbol as S};
use crate::contract::config::{ACCOUNT_ENTRY_SIZE as ACCOUNT_ENTRY, HEADER_SIZE as HEADER, SYMBOL_ENTRY_SIZE as SYMBOL_ENTRY};
use crate::error::EngineError;
use crate::params::{MAX_ACCOUNTS, MAX_SYMBOLS, WINDOW_TICKS};

/// Blob magic.
pub const MAGIC: [u8; 4] = crate::contract::CONFIG_MAGIC;
/// Blob version.
pub const VERSION: u16 = crate::contract::CONFIG_VERSION;
const I31: u64 = (1 << 31) - 1;

/// `TICK_RECIP = ceil(2^48 / TICK)`; the engine refuses a blob whose value differs,
/// because a wrong reciprocal would silently misplace orders in the window.
pub const fn tick_recip(tick: u32) -> u64 {
    if tick == 0 {
        return 0;
    }
    (1u64 << 48).div_ceil(tick as u64)
}

/// Size of a blob with the given table sizes.
pub const fn blob_len(n_symbols: usize, n_accounts: usize) -> usize {
    HEADER + SYMBOL_ENTRY * n_symbols + ACCOUNT_ENTRY * n_accounts
}

/// One configured symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolConfig {
    /// Name as in ITCH: ASCII, right-padded with spaces.
    pub name: [u8; 8],
    pub account: u8,
    pub kill: bool,
    pub collar_bps: u16,
    pub max_qty: u32,
    pub max_notional: u64,
    /// At most 2^31 − 1.
    pub position_limit: u64,
    /// |x| at most 2^31 − 1.
    pub start_position: i64,
}

/// One configured account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountConfig {
    pub id: u32,
    pub max_orders: u32,
    pub credit_limit: u64,
    pub start_used_credit: u64,
    /// Duplicate-order window in ITCH nanoseconds (§8.2 `DUPLICATE`); 0 switches it off.
    pub dup_window_ns: u64,
}

/// A validated start-of-day config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub tick: u32,
    pub window_ticks: u32,
    pub tick_recip: u64,
    pub w_shift: u8,
    pub gate_market_hours: bool,
    pub global_kill: bool,
    pub session: u32,
    pub imb_num: u32,
    pub imb_den: u32,
    pub cooldown_ns: u64,
    pub max_spread: u32,
    pub clip_qty: u32,
    /// The blob's fingerprint (§10): the control plane writes the first 8 bytes of the
    /// SHA-256 of the blob with this field zeroed; the engine only reads it and compares it
    /// with the fingerprint of every control message (§9). It does not verify the hash.
    pub fingerprint: u64,
    pub symbols: Vec<SymbolConfig>,
    pub accounts: Vec<AccountConfig>,
}

/// Pads a symbol name to the 8-byte ITCH form (longer names are cut).
pub fn symbol_name(s: &str) -> [u8; 8] {
    let mut n = [b' '; 8];
    for (d, c) in n.iter_mut().zip(s.bytes()) {
        *d = c;
    }
    n
}

struct Reader<'a> {
    b: &'a [u8],
}

impl Reader<'_> {
    // The caller checked the total length first, so these slices are in range; `get`
    // keeps any mistake an error instead of a panic.
    fn bytes<const N: usize>(&self, o: usize, field: &str) -> Result<[u8; N], EngineError> {
        self.b
            .get(o..o + N)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| EngineError::config(field, "out of bounds"))
    }
    fn u8(&self, o: usize, f: &str) -> Result<u8, EngineError> {
        Ok(self.bytes::<1>(o, f)?[0])
    }
    fn u16(&self, o: usize, f: &str) -> Result<u16, EngineError> {
        Ok(u16::from_le_bytes(self.bytes(o, f)?))
    }
    fn u32(&self, o: usize, f: &str) -> Result<u32, EngineError> {
        Ok(u32::from_le_bytes(self.bytes(o, f)?))
    }
    fn u64(&self, o: usize, f: &str) -> Result<u64, EngineError> {
        Ok(u64::from_le_bytes(self.bytes(o, f)?))
    }
    fn flag(&self, o: usize, f: &str) -> Result<bool, EngineError> {
        match self.u8(o, f)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(EngineError::config(f, format!("{v} is not 0 or 1 (offset {o})"))),
        }
    }
    fn reserved(&self, o: usize, n: usize, f: &str) -> Result<(), EngineError> {
        match self.b.get(o..o + n) {
            Some(s) if s.iter().all(|&b| b == 0) => Ok(()),
            _ => Err(EngineError::config(f, format!("reserved bytes at offset {o}..{} must be zero", o + n))),
        }
    }
}

fn range<T: PartialOrd + core::fmt::Display>(v: T, lo: T, hi: T, field: &str, off: usize) -> Result<T, EngineError> {
    if v < lo || v > hi {
        Err(EngineError::config(field, format!("{v} is out of range {lo}..={hi} (offset {off})")))
    } else {
        Ok(v)
    }
}

impl Config {
    /// Parses and validates a blob. Every range of spec §10 is enforced, plus: the total
    /// size must be exact, TICK_RECIP must equal `ceil(2^48/TICK)`, and symbol names must
    /// be printable ASCII (a name the feed can never match is a config mistake).
    pub fn parse(blob: &[u8]) -> Result<Config, EngineError> {
        if blob.len() < HEADER {
            return Err(EngineError::config(
                "length",
                format!("{} bytes is shorter than the {HEADER}-byte header", blob.len()),
            ));
        }
        let r = Reader { b: blob };
        if r.bytes::<4>(H::MAGIC, "magic")? != MAGIC {
            return Err(EngineError::config("magic", "is not \"RGC1\" (offset 0)"));
        }
        let version = r.u16(H::VERSION, "version")?;
        if version != VERSION {
            return Err(EngineError::config("version", format!("{version} is not {VERSION} (offset {})", H::VERSION)));
        }
        let ns = range(r.u8(H::N_SYMBOLS, "n_symbols")? as usize, 1, MAX_SYMBOLS, "n_symbols", H::N_SYMBOLS)?;
        let na = range(r.u8(H::N_ACCOUNTS, "n_accounts")? as usize, 1, MAX_ACCOUNTS, "n_accounts", H::N_ACCOUNTS)?;
        let want = blob_len(ns, na);
        if blob.len() != want {
            return Err(EngineError::config(
                "length",
                format!("{} bytes, expected {want} for {ns} symbols and {na} accounts", blob.len()),
            ));
        }
        let tick = range(r.u32(H::TICK, "tick")?, 1, 65535, "tick", H::TICK)?;
        let window_ticks = r.u32(H::WINDOW_TICKS, "window_ticks")?;
        if window_ticks as usize != WINDOW_TICKS {
            return Err(EngineError::config(
                "window_ticks",
                format!("{window_ticks} differs from this engine's WINDOW_TICKS {WINDOW_TICKS} (offset {})", H::WINDOW_TICKS),
            ));
        }
        let recip = r.u64(H::TICK_RECIP, "tick_recip")?;
        if recip != tick_recip(tick) {
            return Err(EngineError::config(
                "tick_recip",
                format!("{recip} is not ceil(2^48 / {tick}) = {} (offset {})", tick_recip(tick), H::TICK_RECIP),
            ));
        }
        let w_shift = range(r.u8(H::W_SHIFT, "w_shift")?, 0, 63, "w_shift", H::W_SHIFT)?;
        let gate_market_hours = r.flag(H::GATE_MARKET_HOURS, "gate_market_hours")?;
        let global_kill = r.flag(H::GLOBAL_KILL, "global_kill")?;
        r.reserved(H::RESERVED0, 1, "reserved")?;
        let mut cfg = Config {
            tick,
            window_ticks,
            tick_recip: recip,
            w_shift,
            gate_market_hours,
            global_kill,
            session: r.u32(H::SESSION, "session")?,
            imb_num: r.u32(H::IMB_NUM, "imb_num")?,
            imb_den: r.u32(H::IMB_DEN, "imb_den")?,
            cooldown_ns: r.u64(H::COOLDOWN_NS, "cooldown_ns")?,
            max_spread: r.u32(H::MAX_SPREAD, "max_spread")?,
            clip_qty: r.u32(H::CLIP_QTY, "clip_qty")?,
            fingerprint: r.u64(H::FINGERPRINT, "fingerprint")?,
            symbols: Vec::with_capacity(ns),
            accounts: Vec::with_capacity(na),
        };
        for i in 0..ns {
            let o = HEADER + SYMBOL_ENTRY * i;
            let f = |n: &str| format!("symbols[{i}].{n}");
            let name = r.bytes::<8>(o + S::NAME, &f("name"))?;
            if let Some(b) = name.iter().find(|&&b| !(0x20..=0x7E).contains(&b)) {
                return Err(EngineError::config(
                    f("name"),
                    format!("byte {b:#04x} is not printable ASCII (offset {o})"),
                ));
            }
            let account = r.u8(o + S::ACCOUNT, &f("account"))?;
            if account as usize >= na {
                return Err(EngineError::config(
                    f("account"),
                    format!("{account} is not below n_accounts {na} (offset {})", o + S::ACCOUNT),
                ));
            }
            let kill = r.flag(o + S::KILL, &f("kill"))?;
            let position_limit = range(r.u64(o + S::POSITION_LIMIT, &f("position_limit"))?, 0, I31, &f("position_limit"), o + S::POSITION_LIMIT)?;
            let start_position = r.u64(o + S::START_POSITION, &f("start_position"))? as i64;
            range(start_position, -(I31 as i64), I31 as i64, &f("start_position"), o + S::START_POSITION)?;
            r.reserved(o + S::RESERVED, 8, &f("reserved"))?;
            cfg.symbols.push(SymbolConfig {
                name,
                account,
                kill,
                collar_bps: r.u16(o + S::COLLAR_BPS, &f("collar_bps"))?,
                max_qty: r.u32(o + S::MAX_QTY, &f("max_qty"))?,
                max_notional: r.u64(o + S::MAX_NOTIONAL, &f("max_notional"))?,
                position_limit,
                start_position,
            });
        }
        for j in 0..na {
            let o = HEADER + SYMBOL_ENTRY * ns + ACCOUNT_ENTRY * j;
            let f = |n: &str| format!("accounts[{j}].{n}");
            cfg.accounts.push(AccountConfig {
                id: r.u32(o + A::ID, &f("id"))?,
                max_orders: r.u32(o + A::MAX_ORDERS, &f("max_orders"))?,
                credit_limit: r.u64(o + A::CREDIT_LIMIT, &f("credit_limit"))?,
                start_used_credit: r.u64(o + A::START_USED_CREDIT, &f("start_used_credit"))?,
                dup_window_ns: r.u64(o + A::DUP_WINDOW_NS, &f("dup_window_ns"))?,
            });
        }
        Ok(cfg)
    }

    /// Encodes the blob (no validation: tests use this to build invalid blobs too).
    pub fn to_blob(&self) -> Vec<u8> {
        fn put(b: &mut [u8], o: usize, v: &[u8]) {
            b[o..o + v.len()].copy_from_slice(v);
        }
        let ns = self.symbols.len();
        let na = self.accounts.len();
        let mut b = vec![0u8; blob_len(ns, na)];
        put(&mut b, H::MAGIC, &MAGIC);
        put(&mut b, H::VERSION, &VERSION.to_le_bytes());
        b[H::N_SYMBOLS] = ns as u8;
        b[H::N_ACCOUNTS] = na as u8;
        put(&mut b, H::TICK, &self.tick.to_le_bytes());
        put(&mut b, H::WINDOW_TICKS, &self.window_ticks.to_le_bytes());
        put(&mut b, H::TICK_RECIP, &self.tick_recip.to_le_bytes());
        b[H::W_SHIFT] = self.w_shift;
        b[H::GATE_MARKET_HOURS] = self.gate_market_hours as u8;
        b[H::GLOBAL_KILL] = self.global_kill as u8;
        put(&mut b, H::SESSION, &self.session.to_le_bytes());
        put(&mut b, H::IMB_NUM, &self.imb_num.to_le_bytes());
        put(&mut b, H::IMB_DEN, &self.imb_den.to_le_bytes());
        put(&mut b, H::COOLDOWN_NS, &self.cooldown_ns.to_le_bytes());
        put(&mut b, H::MAX_SPREAD, &self.max_spread.to_le_bytes());
        put(&mut b, H::CLIP_QTY, &self.clip_qty.to_le_bytes());
        put(&mut b, H::FINGERPRINT, &self.fingerprint.to_le_bytes());
        for (i, s) in self.symbols.iter().enumerate() {
            let o = HEADER + SYMBOL_ENTRY * i;
            put(&mut b, o + S::NAME, &s.name);
            b[o + S::ACCOUNT] = s.account;
            b[o + S::KILL] = s.kill as u8;
            put(&mut b, o + S::COLLAR_BPS, &s.collar_bps.to_le_bytes());
            put(&mut b, o + S::MAX_QTY, &s.max_qty.to_le_bytes());
            put(&mut b, o + S::MAX_NOTIONAL, &s.max_notional.to_le_bytes());
            put(&mut b, o + S::POSITION_LIMIT, &s.position_limit.to_le_bytes());
            put(&mut b, o + S::START_POSITION, &s.start_position.to_le_bytes());
        }
        for (j, a) in self.accounts.iter().enumerate() {
            let o = HEADER + SYMBOL_ENTRY * ns + ACCOUNT_ENTRY * j;
            put(&mut b, o + A::ID, &a.id.to_le_bytes());
            put(&mut b, o + A::MAX_ORDERS, &a.max_orders.to_le_bytes());
            put(&mut b, o + A::CREDIT_LIMIT, &a.credit_limit.to_le_bytes());
            put(&mut b, o + A::START_USED_CREDIT, &a.start_used_credit.to_le_bytes());
            put(&mut b, o + A::DUP_WINDOW_NS, &a.dup_window_ns.to_le_bytes());
        }
        b
    }

    /// A single-symbol config with permissive limits and TICK 100: a base for tests
    /// that then tighten one field at a time.
    pub fn single(name: &str) -> Config {
        Config {
            tick: 100,
            window_ticks: WINDOW_TICKS as u32,
            tick_recip: tick_recip(100),
            w_shift: 30,
            gate_market_hours: false,
            global_kill: false,
            session: 1,
            imb_num: 3,
            imb_den: 1,
            cooldown_ns: 0,
            max_spread: 500,
            clip_qty: 1000,
            fingerprint: 0,
            symbols: vec![SymbolConfig {
                name: symbol_name(name),
                account: 0,
                kill: false,
                collar_bps: 100,
                max_qty: 10_000,
                max_notional: u64::MAX,
                position_limit: I31,
                start_position: 0,
            }],
            accounts: vec![AccountConfig { id: 1001, max_orders: u32::MAX, credit_limit: u64::MAX, start_used_credit: 0, dup_window_ns: 0 }],
        }
    }

    /// The repository's `config/default.json` as a blob-level config (eight symbols,
    /// three accounts, one-cent tick), for the benchmark and generator.
    pub fn demo() -> Config {
        let syms: [(&str, u8, u32, u64, u64, u16); 8] = [
            ("AAPL", 0, 2000, 250_000, 6000, 30),
            ("MSFT", 0, 1500, 400_000, 4000, 30),
            ("AMZN", 1, 2000, 250_000, 5000, 40),
            ("NVDA", 1, 2500, 300_000, 6000, 50),
            ("TSLA", 2, 1000, 200_000, 3000, 50),
            ("INTC", 2, 5000, 150_000, 12000, 20),
            ("AMD", 0, 2000, 250_000, 5000, 40),
            ("META", 1, 800, 350_000, 2500, 30),
        ];
        let accts: [(u32, u64, u32); 3] = [(1001, 25_000_000, 40), (1002, 8_000_000, 25), (1003, 3_000_000, 10)];
        Config {
            tick: 100,
            window_ticks: WINDOW_TICKS as u32,
            tick_recip: tick_recip(100),
            w_shift: 30,
            gate_market_hours: true,
            global_kill: false,
            session: 1,
            imb_num: 3,
            imb_den: 1,
            cooldown_ns: 1_000_000,
            max_spread: 500,
            clip_qty: 3000,
            fingerprint: 0,
            symbols: syms
                .iter()
                .map(|&(n, a, q, notional, pl, bps)| SymbolConfig {
                    name: symbol_name(n),
                    account: a,
                    kill: false,
                    collar_bps: bps,
                    max_qty: q,
                    max_notional: notional * 10_000,
                    position_limit: pl,
                    start_position: 0,
                })
                .collect(),
            accounts: accts
                .iter()
                .map(|&(id, credit, mo)| AccountConfig {
                    id,
                    max_orders: mo,
                    credit_limit: credit * 10_000,
                    start_used_credit: 0,
                    dup_window_ns: 0,
                })
                .collect(),
        }
    }
}
