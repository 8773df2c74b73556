//! Framing, seq, problems (spec §2, §3.1, §11 PROBLEM) and the batch API.

mod common;
use common::*;
use riskgate_core::records::{problem, Record};
use riskgate_testkit::{self as synth, Frames, SessionSpec};
use riskgate_core::{max_record_bytes, Config, Engine, ErrorCode};

fn problems(recs: &[Record]) -> Vec<(u64, u8, u8, u16, u16)> {
    recs.iter()
        .filter_map(|r| match *r {
            Record::Problem { h, code, type_byte, frame_len, expected_len, .. } => {
                assert_eq!((h.symbol, h.ts), (0xFF, 0));
                Some((h.seq, code, type_byte, frame_len, expected_len))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn bad_length_unknown_type_and_seq() {
    let mut f = Frames::new();
    f.raw(&[b'A'; 35]); // seq 1: BAD_LENGTH
    f.raw(b"z1234567890123"); // seq 2: UNKNOWN_TYPE
    f.end_marker(); // no seq
    f.raw(&[b'~'; 27]); // seq 3: a `~` of the wrong length is BAD_LENGTH and takes a seq
    f.skipped(b'Y', 1, 5); // seq 4: skipped
    f.raw(b"S"); // seq 5: BAD_LENGTH, 1 byte
    let (recs, st) = run(&cfg(), &f.buf);
    assert_eq!(
        problems(&recs),
        vec![
            (1, problem::BAD_LENGTH, b'A', 35, 36),
            (2, problem::UNKNOWN_TYPE, b'z', 14, 0),
            (3, problem::BAD_LENGTH, b'~', 27, 28),
            (5, problem::BAD_LENGTH, b'S', 1, 12),
        ]
    );
    assert_eq!(st.messages, 5);
    assert_eq!(st.by_type[b'A' as usize], 1);
    assert_eq!(st.by_type[b'z' as usize], 1);
    assert_eq!(st.by_type[b'~' as usize], 1);
    assert_eq!(st.by_type[b'Y' as usize], 1);
    assert_eq!(st.problems, [0, 3, 1, 0, 0, 0]);
    assert_eq!(st.by_type.iter().sum::<u64>(), st.messages);
}

#[test]
fn every_table_type_checks_its_length() {
    for t in 0..=255u8 {
        let len = riskgate_core::MESSAGE_LEN[t as usize] as usize;
        if len == 0 {
            continue;
        }
        for l in [len - 1, len + 1] {
            let mut f = Frames::new();
            let mut m = vec![0u8; l];
            m[0] = t;
            f.raw(&m);
            let (recs, st) = run(&cfg(), &f.buf);
            assert_eq!(problems(&recs), vec![(1, problem::BAD_LENGTH, t, l as u16, len as u16)], "type {}", t as char);
            assert_eq!(st.messages, 1);
        }
    }
}

#[test]
fn truncated_at_end_of_input() {
    let mut f = opening();
    f.add(LOC, TS0, 1, b'B', 100, name(), 100_000);
    let whole = f.buf.clone();
    // Cut the last frame at every possible point.
    let last_start = whole.len() - 38;
    for cut in last_start + 1..whole.len() {
        let (recs, st) = run(&cfg(), &whole[..cut]);
        let have = cut - last_start;
        let expect = if have == 1 {
            (3, problem::TRUNCATED, 0, 0, 0)
        } else if have == 2 {
            (3, problem::TRUNCATED, 0, 36, 0)
        } else {
            (3, problem::TRUNCATED, b'A', 36, 36)
        };
        assert_eq!(problems(&recs), vec![expect], "cut after {have} bytes");
        assert_eq!(st.messages, 3);
        assert_eq!(st.problems[problem::TRUNCATED as usize], 1);
    }
    // An unknown type that is truncated reports expected length 0.
    let mut b = opening().buf;
    b.extend_from_slice(&[0, 30, b'z', 1, 2]);
    assert_eq!(problems(&run(&cfg(), &b).0), vec![(3, problem::TRUNCATED, b'z', 30, 0)]);
}

#[test]
fn partial_frame_without_end_of_input_is_an_error_and_changes_nothing() {
    let f = quote_plain();
    let mut e = Engine::from_config(&cfg()).unwrap();
    let mut out = Vec::new();
    for cut in [1, f.buf.len() - 1, f.buf.len() - 30] {
        let err = e.process(&f.buf[..cut], false, &mut out).unwrap_err();
        assert_eq!(err.code, ErrorCode::PartialFrame);
        assert_eq!(err.code_str(), "PARTIAL_FRAME");
        assert!(out.is_empty());
        assert_eq!(e.stats().messages, 0);
        let mut buf = vec![0u8; 4096];
        assert_eq!(e.process_into(&f.buf[..cut], false, &mut buf).unwrap_err().code, ErrorCode::PartialFrame);
    }
    e.process(&f.buf, false, &mut out).unwrap();
    assert_eq!(Record::decode_all(&out).unwrap(), run(&cfg(), &f.buf).0);
}

fn session() -> (Config, Vec<u8>) {
    let c = Config::demo();
    let s = synth::session(&c, &SessionSpec { seed: 7, messages: 60_000, depth: 60, ..SessionSpec::default() });
    (c, s)
}

fn frame_ends(buf: &[u8]) -> Vec<usize> {
    let mut ends = vec![];
    let mut p = 0;
    while p + 2 <= buf.len() {
        p += 2 + u16::from_be_bytes([buf[p], buf[p + 1]]) as usize;
        ends.push(p);
    }
    ends
}

#[test]
fn batch_splits_do_not_change_results() {
    let (c, s) = session();
    let mut e = Engine::from_config(&c).unwrap();
    let mut whole = Vec::new();
    e.process(&s, true, &mut whole).unwrap();
    let whole_stats = e.stats().clone();
    assert!(whole_stats.decisions > 0 && whole_stats.fills > 0 && whole_stats.tob > 1000, "{whole_stats:?}");

    let ends = frame_ends(&s);
    let mut rng = synth::Rng(99);
    for step in [1usize, 2, 3, 17, 1000] {
        e.reset();
        let mut out = Vec::new();
        let mut start = 0;
        let mut k = 0;
        while k < ends.len() {
            let n = if step == 1000 { 1 + rng.below(500) as usize } else { step };
            k = (k + n).min(ends.len());
            let end = ends[k - 1];
            e.process(&s[start..end], end == s.len(), &mut out).unwrap();
            start = end;
        }
        assert_eq!(out, whole, "step {step}");
        assert_eq!(e.stats(), &whole_stats);
    }
    // process_into gives the same bytes.
    e.reset();
    let mut buf = vec![0u8; max_record_bytes(s.len())];
    let n = e.process_into(&s, true, &mut buf).unwrap();
    assert_eq!(&buf[..n], &whole[..]);
}

#[test]
fn reset_restores_start_of_day() {
    let (c, s) = session();
    let mut fresh = Engine::from_config(&c).unwrap();
    let mut a = Vec::new();
    fresh.process(&s, true, &mut a).unwrap();
    let mut b = Vec::new();
    fresh.reset();
    assert_eq!(fresh.stats().messages, 0);
    assert_eq!(fresh.live_orders(), 0);
    fresh.process(&s, true, &mut b).unwrap();
    assert_eq!(a, b);
}

#[test]
fn output_too_small_is_refused_before_any_state_change() {
    let f = quote_plain();
    let mut e = Engine::from_config(&cfg()).unwrap();
    // Per-frame bound: R, S, P -> 32 each; A, A -> 96 each.
    let bound = 3 * 32 + 2 * 96;
    let mut small = vec![0u8; bound - 1];
    let err = e.process_into(&f.buf, true, &mut small).unwrap_err();
    assert_eq!(err.code_str(), "OUTPUT_TOO_SMALL");
    assert_eq!(e.stats().messages, 0);
    let mut ok = vec![0u8; bound];
    let n = e.process_into(&f.buf, true, &mut ok).unwrap();
    assert_eq!(n, 4 * 32);
    assert_eq!(e.stats().messages, 5);
}

#[test]
fn max_record_bytes_bounds_the_worst_case() {
    assert_eq!(max_record_bytes(0), 0);
    assert_eq!(max_record_bytes(1), 32);
    assert_eq!(max_record_bytes(2), 32);
    assert_eq!(max_record_bytes(3), 96);
    assert_eq!(max_record_bytes(4), 128);
    assert_eq!(max_record_bytes(usize::MAX), usize::MAX);
    // Worst-case input: many minimal frames each producing a problem, and a 1-byte tail.
    let mut b = Vec::new();
    for _ in 0..100 {
        b.extend_from_slice(&[0, 1, b'A']);
    }
    b.push(7);
    let mut e = Engine::from_config(&cfg()).unwrap();
    let mut out = Vec::new();
    e.process(&b, true, &mut out).unwrap();
    assert!(out.len() <= max_record_bytes(b.len()));
    assert_eq!(out.len(), 101 * 32);
}

#[test]
fn real_sample_file_directory_only() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/nasdaq-itch50-sample-1000.itch");
    let Ok(data) = std::fs::read(path) else {
        eprintln!("skipping: {path} not present");
        return;
    };
    let mut c = Config::demo();
    c.symbols[0].name = riskgate_core::config::symbol_name("AAPL");
    let mut e = Engine::from_config(&c).unwrap();
    let mut out = Vec::new();
    e.process(&data, true, &mut out).unwrap();
    let st = e.stats();
    assert_eq!(st.messages, 1000);
    assert_eq!(st.by_type[b'R' as usize], 993);
    assert_eq!(st.by_type[b'S' as usize], 1);
    assert_eq!(st.by_type[b'H' as usize], 3);
    assert_eq!(st.by_type[b'Y' as usize], 3);
    assert_eq!(out.len(), 0, "no order flow, no problems");
}

/// Feeds `s` to `process_stream` in chunks of `chunk` bytes, each call starting where the
/// last one stopped, with an output buffer of `out_len` bytes.
fn stream(c: &Config, s: &[u8], chunk: usize, out_len: usize) -> (Vec<u8>, riskgate_core::Stats) {
    let mut e = Engine::from_config(c).unwrap();
    let mut buf = vec![0u8; out_len];
    let mut records = Vec::new();
    let mut at = 0;
    while at < s.len() {
        let end = (at + chunk).min(s.len());
        let (consumed, written) = e.process_stream(&s[at..end], end == s.len(), &mut buf).unwrap();
        assert!(consumed <= end - at);
        // Every chunk here is longer than any frame, so each call makes progress.
        assert!(consumed > 0, "no progress at {at}");
        records.extend_from_slice(&buf[..written]);
        at += consumed;
    }
    (records, e.stats().clone())
}

#[test]
fn stream_chunks_cut_anywhere_give_the_records_of_one_batch() {
    let (c, s) = session();
    let mut e = Engine::from_config(&c).unwrap();
    let mut whole = Vec::new();
    e.process(&s, true, &mut whole).unwrap();
    // Chunk sizes that cut frames at every offset within a header and a body.
    for chunk in [64, 97, 1000, 4093, 65_536, s.len()] {
        let (records, stats) = stream(&c, &s, chunk, max_record_bytes(chunk));
        assert_eq!(records, whole, "chunk {chunk}");
        assert_eq!(&stats, e.stats(), "chunk {chunk}");
    }
}

#[test]
fn stream_leaves_a_cut_off_frame_unconsumed_and_truncates_it_only_at_the_end() {
    let f = quote_plain();
    let mut e = Engine::from_config(&cfg()).unwrap();
    let mut buf = vec![0u8; max_record_bytes(f.buf.len())];
    let ends = frame_ends(&f.buf);
    let last_start = ends[ends.len() - 2];
    // Cut inside the last frame's body, then inside its length prefix (one stray byte).
    for cut in [f.buf.len() - 1, last_start + 1] {
        e.reset();
        let (consumed, written) = e.process_stream(&f.buf[..cut], false, &mut buf).unwrap();
        assert_eq!(consumed, last_start, "cut {cut}");
        assert_eq!(e.stats().messages, ends.len() as u64 - 1);
        let first = buf[..written].to_vec();
        // The rest, passed again from where it stopped, completes the session.
        let (consumed2, written2) = e.process_stream(&f.buf[consumed..], true, &mut buf).unwrap();
        assert_eq!(consumed2, f.buf.len() - consumed);
        let mut all = first;
        all.extend_from_slice(&buf[..written2]);
        assert_eq!(Record::decode_all(&all).unwrap(), run(&cfg(), &f.buf).0);
    }
    // At the end of input the same cut-off frame is a TRUNCATED problem record.
    e.reset();
    let (consumed, written) = e.process_stream(&f.buf[..f.buf.len() - 1], true, &mut buf).unwrap();
    assert_eq!(consumed, f.buf.len() - 1);
    let recs = Record::decode_all(&buf[..written]).unwrap();
    assert_eq!(problems(&recs).last().map(|p| p.1), Some(problem::TRUNCATED));
}

#[test]
fn stream_refuses_a_too_small_output_before_any_state_change() {
    let f = quote_plain();
    let mut e = Engine::from_config(&cfg()).unwrap();
    let bound = 3 * 32 + 2 * 96;
    let mut small = vec![0u8; bound - 1];
    assert_eq!(e.process_stream(&f.buf, true, &mut small).unwrap_err().code_str(), "OUTPUT_TOO_SMALL");
    assert_eq!(e.stats().messages, 0);
    let mut ok = vec![0u8; bound];
    assert_eq!(e.process_stream(&f.buf, true, &mut ok).unwrap(), (f.buf.len(), 4 * 32));
}

#[test]
fn session_stream_stops_in_front_of_the_end_marker_wherever_the_chunks_cut() {
    let (c, s) = session();
    // The session without its end marker, then the marker, then frames a reader must not walk.
    let body = if s.ends_with(&[0, 0]) && frame_ends(&s).contains(&(s.len() - 2)) { &s[..s.len() - 2] } else { &s[..] };
    let mut input = body.to_vec();
    input.extend_from_slice(&[0, 0]);
    input.extend_from_slice(&body[..frame_ends(body)[50]]);
    let mut e = Engine::from_config(&c).unwrap();
    let mut whole = Vec::new();
    e.process(body, true, &mut whole).unwrap();
    // Chunks that cut the marker itself in two (body.len() + 1) and some that do not.
    for chunk in [97, 4093, body.len() + 1, input.len()] {
        let mut f = Engine::from_config(&c).unwrap();
        let mut buf = vec![0u8; max_record_bytes(chunk)];
        let mut records = Vec::new();
        let mut at = 0;
        let marker = loop {
            let end = (at + chunk).min(input.len());
            let step = f.process_session_stream(&input[at..end], false, &mut buf).unwrap();
            records.extend_from_slice(&buf[..step.written]);
            at += step.consumed;
            if step.marker {
                break at;
            }
            assert!(end < input.len(), "chunk {chunk}: no marker found");
        };
        assert_eq!(marker, body.len(), "chunk {chunk}");
        assert_eq!(records, whole, "chunk {chunk}");
        assert_eq!(f.stats(), e.stats(), "chunk {chunk}");
    }
    // process_stream, by contrast, walks on past the marker.
    let mut g = Engine::from_config(&c).unwrap();
    let mut buf = vec![0u8; max_record_bytes(input.len())];
    assert_eq!(g.process_stream(&input, true, &mut buf).unwrap().0, input.len());
    assert_eq!(g.stats().messages, e.stats().messages + 51);
}
