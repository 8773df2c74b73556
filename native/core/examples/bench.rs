//! In-process throughput benchmark (not a test).
//!
//! ```text
//! cargo run --release -p riskgate-core --example bench -- SESSION.itch CONFIG.bin [RUNS] [BATCH]
//! cargo run --release -p riskgate-core --example bench -- --synthetic [MESSAGES] [RUNS] [BATCH] [UNSUBSCRIBED]
//! ```
//!
//! `--synthetic` generates a session for `Config::demo()` (8 subscribed symbols) plus
//! `UNSUBSCRIBED` (default 8) symbols the config does not subscribe.
//!
//! The whole session is loaded into memory first and replayed `RUNS` times (each run
//! starts with `reset()`); time is taken once per run, never per message. `BATCH` (frames
//! per `process` call, 0 = whole session in one call) shows what batch size costs.

use riskgate_testkit::{self as synth, SessionSpec};
use riskgate_core::{Config, Engine, Stats};
use std::time::Instant;

fn frame_offsets(buf: &[u8], every: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut pos = 0;
    let mut k = 0;
    while pos + 2 <= buf.len() {
        let n = u16::from_be_bytes([buf[pos], buf[pos + 1]]) as usize;
        if pos + 2 + n > buf.len() {
            break;
        }
        pos += 2 + n;
        k += 1;
        if k % every == 0 {
            cuts.push(pos);
        }
    }
    if *cuts.last().unwrap() != buf.len() {
        cuts.push(buf.len());
    }
    cuts
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (session, blob, rest) = if args.first().map(String::as_str) == Some("--synthetic") {
        let n = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2_000_000);
        let cfg = Config::demo();
        let rest = args.get(2..).unwrap_or(&[]).to_vec();
        let unsubscribed = rest.get(2).and_then(|s| s.parse().ok()).unwrap_or(8);
        let s = synth::session(&cfg, &SessionSpec { messages: n, unsubscribed, ..SessionSpec::default() });
        (s, cfg.to_blob(), rest)
    } else if args.len() >= 2 {
        let s = std::fs::read(&args[0]).unwrap_or_else(|e| panic!("{}: {e}", args[0]));
        let b = std::fs::read(&args[1]).unwrap_or_else(|e| panic!("{}: {e}", args[1]));
        (s, b, args[2..].to_vec())
    } else {
        eprintln!("usage: bench SESSION.itch CONFIG.bin [RUNS] [BATCH] | bench --synthetic [MESSAGES] [RUNS] [BATCH] [UNSUBSCRIBED]");
        std::process::exit(2);
    };
    let runs: usize = rest.first().and_then(|s| s.parse().ok()).unwrap_or(10);
    let batch: usize = rest.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut engine = match Engine::new(&blob) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let cuts = if batch == 0 { vec![0, session.len()] } else { frame_offsets(&session, batch) };
    let mut out = Vec::with_capacity(session.len() * 2);
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let mut digest = 0;
    for run in 0..runs {
        engine.reset();
        out.clear();
        let t0 = Instant::now();
        for w in cuts.windows(2) {
            let last = w[1] == session.len();
            engine.process(&session[w[0]..w[1]], last, &mut out).expect("batches are cut between frames");
        }
        let dt = t0.elapsed().as_secs_f64();
        best = best.min(dt);
        total += dt;
        let d = fnv(&out);
        if run > 0 {
            assert_eq!(d, digest, "runs must be identical");
        }
        digest = d;
    }
    let s: &Stats = engine.stats();
    let m = s.messages as f64;
    println!("input: {} bytes, {} messages, batch {}", session.len(), s.messages, if batch == 0 { "whole".into() } else { batch.to_string() });
    println!(
        "records: {} bytes (tob {}, decisions {}, accepted {}, fills {}, problems {:?}), flagged {}, unknown_ref {}, table_full {}, fnv {:016x}",
        out.len(),
        s.tob,
        s.decisions,
        s.accepted,
        s.fills,
        &s.problems[1..],
        s.flagged,
        s.unknown_ref,
        s.table_full,
        digest
    );
    println!(
        "runs {runs}: best {:.1} M msgs/s ({:.1} ns/msg), mean {:.1} M msgs/s",
        m / best / 1e6,
        best / m * 1e9,
        m * runs as f64 / total / 1e6
    );
}
