//! The in-band control message (spec §9).

mod common;
use common::*;
use riskgate_core::contract::control as contract;
use riskgate_core::records::{op, problem, Record};
use riskgate_testkit::{control_message, control_message_for, Frames};
use riskgate_core::{Config, Engine};

fn two_symbols() -> Config {
    let mut c = cfg();
    let mut s1 = c.symbols[0].clone();
    s1.name = riskgate_core::config::symbol_name("OTHER");
    c.symbols.push(s1);
    c
}

/// Runs `[S msg] [control] [S msg]` and returns the control's record.
fn one(c: &Config, body: &[u8]) -> (Record, u64) {
    let mut f = Frames::new();
    f.system(123, b'O');
    f.raw(body);
    f.system(456, b'O');
    let (recs, st) = run(c, &f.buf);
    assert_eq!(recs.len(), 1, "{recs:#?}");
    assert_eq!(st.messages, 2, "a control message takes no seq");
    (recs[0], st.controls)
}

fn assert_valid(c: &Config, o: u8, target: u16, value: u64) {
    let (r, controls) = one(c, &control_message(o, target, 2, value));
    assert_eq!(controls, 1);
    match r {
        Record::Control { h, op: got, value: v, target: t } => {
            assert_eq!((got, v, t), (o, value, target));
            assert_eq!(h.seq, 2, "seq = S");
            assert_eq!(h.ts, 123, "ts = last_ts");
            let symbol_op = contract::spec(o).map(|s| s.target) == Some(contract::Target::Symbol);
            assert_eq!(h.symbol, if symbol_op { target as u8 } else { 0xFF });
        }
        r => panic!("op {o} target {target} value {value}: expected CONTROL, got {r:?}"),
    }
}

fn assert_invalid(c: &Config, body: &[u8]) {
    let (r, controls) = one(c, body);
    assert_eq!(controls, 0);
    assert_eq!(
        r,
        Record::Problem {
            h: riskgate_core::records::Header { symbol: 0xFF, aux: problem::BAD_CONTROL, seq: 2, ts: 0 },
            code: problem::BAD_CONTROL,
            type_byte: b'~',
            frame_len: 28,
            expected_len: 28,
            op: body[1],
            target: u16::from_be_bytes([body[2], body[3]]),
        },
        "{body:?}"
    );
}

#[test]
fn valid_ops_at_their_range_limits() {
    let c = two_symbols(); // 2 symbols, 1 account
    assert_valid(&c, op::GLOBAL_KILL, 0xFFFF, 0);
    assert_valid(&c, op::GLOBAL_KILL, 0xFFFF, 1);
    assert_valid(&c, op::SYMBOL_KILL, 1, 1);
    assert_valid(&c, op::MAX_QTY, 1, u32::MAX as u64);
    assert_valid(&c, op::MAX_NOTIONAL, 0, u64::MAX);
    assert_valid(&c, op::POSITION_LIMIT, 1, (1 << 31) - 1);
    assert_valid(&c, op::COLLAR_BPS, 0, 65535);
    assert_valid(&c, op::CREDIT_LIMIT, 0, u64::MAX);
    assert_valid(&c, op::MAX_ORDERS, 0, u32::MAX as u64);
    assert_valid(&c, op::CLEAR_COLLISION, 1, 0);
    assert_valid(&c, op::DUP_WINDOW, 0, 0);
    assert_valid(&c, op::DUP_WINDOW, 0, u64::MAX);
}

#[test]
fn invalid_ops_targets_values_and_seq() {
    let c = two_symbols();
    let m = |o, t, v| control_message(o, t, 2, v);
    // Effective seq must be exactly last_seq + 1.
    assert_invalid(&c, &control_message(op::MAX_QTY, 0, 1, 5));
    assert_invalid(&c, &control_message(op::MAX_QTY, 0, 3, 5));
    assert_invalid(&c, &control_message(op::MAX_QTY, 0, 0, 5));
    assert_invalid(&c, &control_message(op::MAX_QTY, 0, u64::MAX, 5));
    // Unknown ops.
    assert_invalid(&c, &m(0, 0, 0));
    let past = contract::OPS.iter().map(|s| s.code).max().unwrap_or(0) + 1;
    assert_invalid(&c, &m(past, 0, 0));
    assert_invalid(&c, &m(255, 0, 0));
    // Targets.
    assert_invalid(&c, &m(op::GLOBAL_KILL, 0, 1));
    assert_invalid(&c, &m(op::SYMBOL_KILL, 2, 1));
    assert_invalid(&c, &m(op::SYMBOL_KILL, 0xFFFF, 1));
    assert_invalid(&c, &m(op::MAX_NOTIONAL, 2, 1));
    assert_invalid(&c, &m(op::CREDIT_LIMIT, 1, 1));
    assert_invalid(&c, &m(op::MAX_ORDERS, 1, 1));
    assert_invalid(&c, &m(op::CLEAR_COLLISION, 2, 0));
    assert_invalid(&c, &m(op::DUP_WINDOW, 1, 0));
    assert_invalid(&c, &m(op::DUP_WINDOW, 0xFFFF, 0));
    // Values.
    assert_invalid(&c, &m(op::GLOBAL_KILL, 0xFFFF, 2));
    assert_invalid(&c, &m(op::SYMBOL_KILL, 0, 2));
    assert_invalid(&c, &m(op::MAX_QTY, 0, 1 << 32));
    assert_invalid(&c, &m(op::POSITION_LIMIT, 0, 1 << 31));
    assert_invalid(&c, &m(op::COLLAR_BPS, 0, 65536));
    assert_invalid(&c, &m(op::MAX_ORDERS, 0, 1 << 32));
    assert_invalid(&c, &m(op::CLEAR_COLLISION, 0, 1));
}

#[test]
fn invalid_control_changes_nothing() {
    // A rejected MAX_QTY 0 leaves the order acceptable.
    let f = quote(|_| {}, |f| { f.control(op::MAX_QTY, 0, 6, 0); });
    let (recs, st) = run(&cfg(), &f.buf);
    assert_eq!(only_reasons(&recs), 0);
    assert_eq!(st.problems[problem::BAD_CONTROL as usize], 1);
    assert!(recs.iter().any(|r| matches!(r, Record::Problem { h, .. } if h.seq == 5)));
}

#[test]
fn control_first_in_session_and_last_ts_rules() {
    let mut f = Frames::new();
    f.control(op::GLOBAL_KILL, 0xFFFF, 1, 1); // before any message: S = 1
    f.raw(&[b'z'; 12]); // unknown type, 12 bytes: updates last_ts (bytes 5..11)
    f.control(op::GLOBAL_KILL, 0xFFFF, 2, 0);
    f.raw(&[b'A', 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9]); // BAD_LENGTH: does not update last_ts
    f.control(op::GLOBAL_KILL, 0xFFFF, 3, 0);
    let mut e = Engine::from_config(&cfg()).unwrap();
    let mut out = Vec::new();
    e.process(&f.buf, true, &mut out).unwrap();
    let recs = Record::decode_all(&out).unwrap();
    let ctl: Vec<(u64, u64)> = recs
        .iter()
        .filter_map(|r| match *r {
            Record::Control { h, .. } => Some((h.seq, h.ts)),
            _ => None,
        })
        .collect();
    let zts = u64::from_be_bytes([0, 0, b'z', b'z', b'z', b'z', b'z', b'z']);
    assert_eq!(ctl, vec![(1, 0), (2, zts), (3, zts)]);
}

#[test]
fn foreign_control_is_refused_and_engages_the_global_kill() {
    // A control made for another config (fingerprint differs) is refused whatever its
    // fields, reports its op and target, and engages the global kill switch with the
    // CONTROL record a GLOBAL_KILL engage would emit (seq = last_seq + 1, ts = last_ts).
    let mut c = two_symbols();
    c.fingerprint = 0x0123_4567_89AB_CDEF;
    for body in [
        control_message(op::SYMBOL_KILL, 1, 2, 0),
        control_message_for(0x0123_4567_89AB_CDEE, op::MAX_QTY, 0, 2, 5),
        control_message_for(0, 200, 7, 9, 9),
    ] {
        let mut f = Frames::new();
        f.system(123, b'O');
        f.raw(&body);
        f.system(456, b'O');
        let (recs, st) = run(&c, &f.buf);
        assert_eq!(
            recs,
            vec![
                Record::Problem {
                    h: riskgate_core::records::Header { symbol: 0xFF, aux: problem::FOREIGN_CONTROL, seq: 2, ts: 0 },
                    code: problem::FOREIGN_CONTROL,
                    type_byte: b'~',
                    frame_len: 28,
                    expected_len: 28,
                    op: body[1],
                    target: u16::from_be_bytes([body[2], body[3]]),
                },
                Record::Control {
                    h: riskgate_core::records::Header { symbol: 0xFF, aux: op::GLOBAL_KILL, seq: 2, ts: 123 },
                    op: op::GLOBAL_KILL,
                    value: 1,
                    target: 0xFFFF,
                },
            ],
            "{body:?}"
        );
        assert_eq!(st.problems[problem::FOREIGN_CONTROL as usize], 1);
        assert_eq!(st.controls, 1);
        assert_eq!(st.messages, 2);
    }
    // The matching fingerprint is applied as usual.
    let (r, controls) = one(&c, &control_message_for(0x0123_4567_89AB_CDEF, op::SYMBOL_KILL, 1, 2, 1));
    assert_eq!(controls, 1);
    assert!(matches!(r, Record::Control { op: o, target: 1, value: 1, .. } if o == op::SYMBOL_KILL), "{r:?}");
}
