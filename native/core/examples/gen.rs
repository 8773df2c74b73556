//! Writes a synthetic session and its config blob, for the benchmarks and for poking at
//! the engine from Node before the control plane's generator is wired in.
//!
//! ```text
//! cargo run --release -p riskgate-core --example gen -- OUT.itch OUT.cfg [MESSAGES] [SEED]
//! ```

use riskgate_testkit::{self as synth, SessionSpec};
use riskgate_core::Config;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: gen OUT.itch OUT.cfg [MESSAGES] [SEED]");
        std::process::exit(2);
    }
    let messages = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let cfg = Config::demo();
    let session = synth::session(&cfg, &SessionSpec { seed, messages, ..SessionSpec::default() });
    std::fs::write(&args[0], &session).expect("write session");
    std::fs::write(&args[1], cfg.to_blob()).expect("write config");
    println!("{}: {} bytes, {} messages; {}: config blob (Config::demo)", args[0], session.len(), messages, args[1]);
}
