//! Config blob validation (spec §10).

use riskgate_core::config::{blob_len, tick_recip};
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
    assert_eq!(field_of(&good[..63]), "length");
    assert_eq!(field_of(&good[..good.len() - 1]), "length");
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(field_of(&longer), "length");
    assert_eq!(patch(0, b"RGC2"), "magic");
    assert_eq!(patch(4, &2u16.to_le_bytes()), "version");
    assert_eq!(patch(6, &[0]), "n_symbols");
    assert_eq!(patch(6, &[65]), "n_symbols");
    assert_eq!(patch(7, &[0]), "n_accounts");
    assert_eq!(patch(7, &[65]), "n_accounts");
    assert_eq!(patch(6, &[3]), "length");
    assert_eq!(patch(8, &0u32.to_le_bytes()), "tick");
    assert_eq!(patch(8, &65536u32.to_le_bytes()), "tick");
    assert_eq!(patch(12, &2048u32.to_le_bytes()), "window_ticks");
    assert_eq!(patch(16, &(tick_recip(100) - 1).to_le_bytes()), "tick_recip");
    assert_eq!(patch(24, &[64]), "w_shift");
    assert_eq!(patch(25, &[2]), "gate_market_hours");
    assert_eq!(patch(26, &[2]), "global_kill");
    assert_eq!(patch(27, &[1]), "reserved");
    assert_eq!(patch(63, &[1]), "reserved");
    let s1 = 64 + 48;
    assert_eq!(patch(s1, b"\0BAD    "), "symbols[1].name");
    assert_eq!(patch(s1 + 8, &[2]), "symbols[1].account");
    assert_eq!(patch(s1 + 9, &[2]), "symbols[1].kill");
    assert_eq!(patch(s1 + 24, &(1u64 << 31).to_le_bytes()), "symbols[1].position_limit");
    assert_eq!(patch(s1 + 32, &(1i64 << 31).to_le_bytes()), "symbols[1].start_position");
    assert_eq!(patch(s1 + 32, &(-(1i64 << 31)).to_le_bytes()), "symbols[1].start_position");
    assert_eq!(patch(s1 + 47, &[1]), "symbols[1].reserved");
    let a1 = 64 + 2 * 48 + 32;
    assert_eq!(patch(a1 + 24, &[1]), "accounts[1].reserved");
    // Limits that are allowed.
    let mut c = base();
    c.symbols[0].position_limit = (1 << 31) - 1;
    c.symbols[0].start_position = -((1 << 31) - 1);
    c.w_shift = 63;
    c.tick = 65535;
    c.tick_recip = tick_recip(65535);
    assert!(Engine::from_config(&c).is_ok());
}
