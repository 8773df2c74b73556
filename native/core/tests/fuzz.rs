//! No input bytes may panic the engine. Runs in debug builds too, where every
//! arithmetic overflow would panic.

use riskgate_testkit::{self as synth, Rng, SessionSpec};
use riskgate_core::{max_record_bytes, Config, Engine, Record, MESSAGE_LEN};

fn check(e: &mut Engine, bytes: &[u8]) {
    let before = e.stats().messages;
    let mut out = Vec::new();
    e.process(bytes, true, &mut out).unwrap();
    assert!(out.len() <= max_record_bytes(bytes.len()));
    let recs = Record::decode_all(&out).expect("every record decodes");
    assert!(e.stats().messages >= before);
    assert_eq!(e.stats().by_type.iter().sum::<u64>(), e.stats().messages);
    for r in recs {
        assert!(r.header().seq <= e.stats().messages + 1);
    }
}

fn engines() -> Vec<Engine> {
    let mut tight = Config::demo();
    tight.tick = 1;
    tight.tick_recip = riskgate_core::config::tick_recip(1);
    tight.max_spread = u32::MAX;
    tight.cooldown_ns = 0;
    tight.imb_num = 0;
    tight.w_shift = 0;
    let mut odd = Config::demo();
    odd.tick = 65535;
    odd.tick_recip = riskgate_core::config::tick_recip(65535);
    odd.clip_qty = u32::MAX;
    odd.gate_market_hours = false;
    odd.cooldown_ns = 0;
    for s in &mut odd.symbols {
        s.max_qty = u32::MAX;
        s.max_notional = u64::MAX;
        s.collar_bps = u16::MAX;
        s.position_limit = (1 << 31) - 1;
        s.start_position = (1 << 31) - 1;
    }
    for a in &mut odd.accounts {
        a.credit_limit = u64::MAX;
        a.max_orders = u32::MAX;
        a.start_used_credit = u64::MAX;
    }
    [Config::demo(), tight, odd].iter().map(|c| Engine::from_config(c).unwrap()).collect()
}

#[test]
fn random_bytes() {
    let mut rng = Rng(0xFEED);
    for mut e in engines() {
        for _ in 0..3000 {
            let len = rng.below(400) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            check(&mut e, &bytes);
        }
    }
}

/// Well-framed messages of known types and lengths with random fields, biased to small
/// refs (so lookups hit), subscribed locates, extreme prices and sizes, and controls.
#[test]
fn random_well_formed_messages() {
    let types: Vec<u8> = (0..=255u8).filter(|&t| MESSAGE_LEN[t as usize] != 0).collect();
    let mut rng = Rng(0xBEEF);
    let (mut tobs, mut decisions) = (0, 0);
    for mut e in engines() {
        let mut seq = 0u64;
        let mut buf = Vec::new();
        // Map a few locates to the configured symbols first.
        let mut f = synth::Frames::new();
        for (k, s) in Config::demo().symbols.iter().enumerate() {
            f.directory(k as u16, 0, s.name);
        }
        check(&mut e, &f.buf);
        seq += f.count;
        for round in 0..40_000 {
            let t = match rng.below(10) {
                0..=3 => b'A',
                4 => b'U',
                5 => b'E',
                6 => b'C',
                7 => b'X',
                8 => b'D',
                _ => types[rng.below(types.len() as u64) as usize],
            };
            let len = MESSAGE_LEN[t as usize] as usize;
            let mut m: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            m[0] = t;
            m[1] = 0;
            m[2] = rng.below(10) as u8;
            let small = |rng: &mut Rng| -> [u8; 8] { (rng.below(64)).to_be_bytes() };
            if len >= 19 && t != b'~' {
                m[11..19].copy_from_slice(&small(&mut rng));
            }
            if t == b'U' {
                m[19..27].copy_from_slice(&small(&mut rng));
            }
            let price = |rng: &mut Rng| -> [u8; 4] {
                match rng.below(32) {
                    0 => u32::MAX - rng.below(3) as u32,
                    1 => rng.below(3) as u32,
                    2 => rng.next_u64() as u32,
                    _ => 1_000_000 + rng.below(20) as u32 * 100,
                }
                .to_be_bytes()
            };
            let shares = |rng: &mut Rng| -> [u8; 4] {
                (if rng.below(16) == 0 { rng.next_u64() as u32 } else { rng.below(1000) as u32 }).to_be_bytes()
            };
            if t == b'A' || t == b'F' {
                m[19] = if rng.below(2) == 0 { b'B' } else { b'S' };
                m[20..24].copy_from_slice(&shares(&mut rng));
                m[32..36].copy_from_slice(&price(&mut rng));
            }
            if t == b'U' {
                m[27..31].copy_from_slice(&shares(&mut rng));
                m[31..35].copy_from_slice(&price(&mut rng));
            }
            if matches!(t, b'E' | b'X' | b'C') {
                m[19..23].copy_from_slice(&shares(&mut rng));
            }
            if t == b'~' {
                m[1] = rng.below(11) as u8;
                m[2..4].copy_from_slice(&(if rng.below(4) == 0 { 0xFFFFu16 } else { rng.below(10) as u16 }).to_be_bytes());
                m[4..12].copy_from_slice(&(seq + rng.below(3)).to_be_bytes());
                if rng.below(2) == 0 {
                    m[12..20].copy_from_slice(&rng.below(3).to_be_bytes());
                }
            } else {
                seq += 1;
            }
            buf.extend_from_slice(&(len as u16).to_be_bytes());
            buf.extend_from_slice(&m);
            if round % 64 == 63 {
                check(&mut e, &buf);
                buf.clear();
            }
        }
        check(&mut e, &buf);
        let st = e.stats();
        assert!(st.messages > 39_000 && st.controls > 0, "{st:?}");
        tobs += st.tob;
        decisions += st.decisions;
    }
    // The mix must reach the deep paths somewhere (TOB, strategy, risk).
    assert!(tobs > 500 && decisions > 0, "tob {tobs} decisions {decisions}");
}

#[test]
fn mutated_session() {
    let c = Config::demo();
    let s = synth::session(&c, &SessionSpec { seed: 12, messages: 20_000, ..SessionSpec::default() });
    let mut rng = Rng(3);
    for mut e in engines() {
        for _ in 0..20 {
            let mut m = s.clone();
            for _ in 0..50 {
                let k = rng.below(m.len() as u64) as usize;
                m[k] = rng.next_u64() as u8;
            }
            let cut = rng.below(m.len() as u64) as usize;
            e.reset();
            check(&mut e, &m[..cut]);
        }
    }
}
