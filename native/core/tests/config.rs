//! Config blob validation (spec §10).

use riskgate_core::config::{blob_len, tick_recip};
use riskgate_core::contract::config::{account as A, header as H, symbol as S};
use riskgate_core::contract::config::{ACCOUNT_ENTRY_SIZE, HEADER_SIZE, SYMBOL_ENTRY_SIZE};
use riskgate_core::contract::CONFIG_VERSION;
use riskgate_core::{Config, Engine, ErrorCode};

fn base() -> Config {
    let mut c = Config::demo();
    c.symbols.truncate(2);
    c.accounts.truncate(2);
    c.symbols[1].account = 1;
    c
}

fn field_of(blob: &[u8]) -> String {
    match Engine::new(blob) {
        Ok(_) => panic!("blob accepted"),
        Err(e) => {
            assert_eq!(e.code, ErrorCode::ConfigInvalid);
            assert_eq!(e.code_str(), "CONFIG_INVALID");
            assert!(e.message.contains(e.field.as_deref().unwrap()), "{}", e.message);
            e.field.unwrap()
        }
    }
}

#[test]
fn valid_blob_round_trips() {
    let c = base();
    let b = c.to_blob();
    assert_eq!(b.len(), blob_len(2, 2));
    assert_eq!(Config::parse(&b).unwrap(), c);
    assert!(Engine::new(&Config::demo().to_blob()).is_ok());
}

#[test]
fn every_range_is_enforced() {
    let good = base().to_blob();
    let patch = |off: usize, bytes: &[u8]| {
        let mut b = good.clone();
        b[off..off + bytes.len()].copy_from_slice(bytes);
        field_of(&b)
    };
    assert_eq!(field_of(&good[..HEADER_SIZE - 1]), "length");
    assert_eq!(field_of(&good[..good.len() - 1]), "length");
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(field_of(&longer), "length");
    assert_eq!(patch(H::MAGIC, b"RGC2"), "magic");
    // Version 1 blobs (no duplicate window) are refused, as is any later version.
    assert_eq!(patch(H::VERSION, &(CONFIG_VERSION - 1).to_le_bytes()), "version");
    assert_eq!(patch(H::VERSION, &(CONFIG_VERSION + 1).to_le_bytes()), "version");
    assert_eq!(patch(H::N_SYMBOLS, &[0]), "n_symbols");
    assert_eq!(patch(H::N_SYMBOLS, &[65]), "n_symbols");
    assert_eq!(patch(H::N_ACCOUNTS, &[0]), "n_accounts");
    assert_eq!(patch(H::N_ACCOUNTS, &[65]), "n_accounts");
    assert_eq!(patch(H::N_SYMBOLS, &[3]), "length");
    assert_eq!(patch(H::TICK, &0u32.to_le_bytes()), "tick");
    assert_eq!(patch(H::TICK, &65536u32.to_le_bytes()), "tick");
    assert_eq!(patch(H::WINDOW_TICKS, &2048u32.to_le_bytes()), "window_ticks");
    assert_eq!(patch(H::TICK_RECIP, &(tick_recip(100) - 1).to_le_bytes()), "tick_recip");
    assert_eq!(patch(H::W_SHIFT, &[64]), "w_shift");
    assert_eq!(patch(H::GATE_MARKET_HOURS, &[2]), "gate_market_hours");
    assert_eq!(patch(H::GLOBAL_KILL, &[2]), "global_kill");
    assert_eq!(patch(H::RESERVED0, &[1]), "reserved");
    // The header's last 8 bytes, reserved in version 2, are the fingerprint (any value;
    // the engine reads it and does not verify it).
    let mut b = good.clone();
    b[H::FINGERPRINT..][..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(Config::parse(&b).map(|c| c.fingerprint).ok(), Some(u64::MAX));
    let s1 = HEADER_SIZE + SYMBOL_ENTRY_SIZE;
    assert_eq!(patch(s1 + S::NAME, b"\0BAD    "), "symbols[1].name");
    assert_eq!(patch(s1 + S::ACCOUNT, &[2]), "symbols[1].account");
    assert_eq!(patch(s1 + S::KILL, &[2]), "symbols[1].kill");
    assert_eq!(patch(s1 + S::POSITION_LIMIT, &(1u64 << 31).to_le_bytes()), "symbols[1].position_limit");
    assert_eq!(patch(s1 + S::START_POSITION, &(1i64 << 31).to_le_bytes()), "symbols[1].start_position");
    assert_eq!(patch(s1 + S::START_POSITION, &(-(1i64 << 31)).to_le_bytes()), "symbols[1].start_position");
    assert_eq!(patch(s1 + SYMBOL_ENTRY_SIZE - 1, &[1]), "symbols[1].reserved");
    // The account entry has no reserved bytes left: every duplicate window is valid.
    let a1 = HEADER_SIZE + 2 * SYMBOL_ENTRY_SIZE + ACCOUNT_ENTRY_SIZE;
    let mut b = good.clone();
    b[a1 + A::DUP_WINDOW_NS..][..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(Config::parse(&b).map(|c| c.accounts[1].dup_window_ns).ok(), Some(u64::MAX));
    // Limits that are allowed.
    let mut c = base();
    c.symbols[0].position_limit = (1 << 31) - 1;
    c.symbols[0].start_position = -((1 << 31) - 1);
    c.w_shift = 63;
    c.tick = 65535;
    c.tick_recip = tick_recip(65535);
    assert!(Engine::from_config(&c).is_ok());
}
