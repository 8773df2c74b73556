//! The worked example of spec §13 and the basic record layout.

mod common;
use riskgate_core::contract::record::{decision as D, fill as F, header as H, kind};
use riskgate_core::contract::RECORD_VERSION;
use riskgate_core::records::RECORD_SIZE;
use common::*;
use riskgate_core::records::{reason, Record};
use riskgate_testkit::Frames;

#[test]
fn worked_example_section_13() {
    let mut c = cfg();
    c.imb_num = 3;
    c.imb_den = 1;
    c.clip_qty = 1000;
    let mut f = Frames::new();
    f.directory(1, 100, name());
    f.add(1, 200, 11, b'B', 100, name(), 100_000);
    f.add(1, 300, 12, b'S', 300, name(), 100_200);
    let (recs, st) = run(&c, &f.buf);
    let tob = |seq, ts, bid_px, bid_sz, ask_px, ask_sz| Record::Tob {
        h: riskgate_core::records::Header { symbol: 0, aux: 0, seq, ts },
        flags: 0,
        bid_px,
        bid_sz,
        ask_px,
        ask_sz,
    };
    assert_eq!(recs.len(), 3, "{recs:#?}");
    assert_eq!(recs[0], tob(2, 200, 100_000, 100, 0, 0));
    assert_eq!(recs[1], tob(3, 300, 100_000, 100, 100_200, 300));
    match recs[2] {
        Record::Decision { h, side, price, qty, reasons, accepted, account_index, account_id } => {
            assert_eq!((h.seq, h.ts, h.symbol), (3, 300, 0));
            assert_eq!(side, b'S');
            assert_eq!((price, qty), (100_000, 100));
            assert_eq!(reasons, reason::NO_REF);
            assert!(!accepted);
            assert_eq!((account_index, account_id), (0, 1001));
        }
        r => panic!("expected DECISION, got {r:?}"),
    }
    assert_eq!(st.messages, 3);
    assert_eq!((st.tob, st.decisions, st.rejected, st.accepted, st.fills), (2, 1, 1, 0, 0));
}

#[test]
fn record_bytes_are_little_endian_with_zero_reserved() {
    let f = quote_plain();
    let mut e = riskgate_core::Engine::from_config(&cfg()).unwrap();
    let mut out = Vec::new();
    e.process(&f.buf, true, &mut out).unwrap();
    // TOB (bid only), TOB, DECISION, FILL
    assert_eq!(out.len(), 4 * 32);
    let fill = &out[96..128];
    assert_eq!(fill[H::VERSION], RECORD_VERSION);
    assert_eq!(fill[H::KIND], kind::FILL);
    assert_eq!(fill[H::SYMBOL], 0);
    assert_eq!(fill[H::AUX], b'B');
    assert_eq!(&fill[H::SEQ..H::SEQ + 6], &5u64.to_le_bytes()[..6]);
    assert_eq!(&fill[H::TS..H::TS + 6], &(TS0 + 2).to_le_bytes()[..6]);
    assert_eq!(&fill[F::PRICE..F::PRICE + 4], &100_100u32.to_le_bytes());
    assert_eq!(&fill[F::QTY..F::QTY + 4], &100u32.to_le_bytes());
    assert_eq!(&fill[F::POSITION_AFTER..F::POSITION_AFTER + 4], &100i32.to_le_bytes());
    assert_eq!(fill[F::LEG], 0, "leg");
    assert_eq!(fill[F::ACCOUNT_INDEX], 0, "account index");
    assert_eq!(&fill[F::RESERVED..RECORD_SIZE], &[0, 0]);
    let dec = &out[64..96];
    assert_eq!(&dec[D::REASONS..D::REASONS + 2], &0u16.to_le_bytes());
    assert_eq!(dec[D::VERDICT], 1);
    assert_eq!(&dec[D::ACCOUNT_ID..D::ACCOUNT_ID + 4], &1001u32.to_le_bytes());
}
