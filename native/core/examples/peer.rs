//! One measured pass of the Rust core over a session held in memory, for
//! `npm run bench:peer` (bench/peer.ts), which runs it interleaved with the peers.
//!
//! ```text
//! cargo run --release -p riskgate-core --example peer -- SESSION.itch CONFIG.bin [PASSES]
//! ```
//!
//! Prints one JSON line per pass: wall and thread CPU time of the pass (CPU time from
//! `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, so time the machine gave to other jobs is not
//! counted; not /proc/thread-self/schedstat, which a running thread sees advance only at
//! scheduler ticks, 4 ms here, a 4% step on a 100 ms pass),
//! messages, record bytes, and the process's peak RSS. The file is read before any clock
//! starts; the first pass warms caches and is reported with `"warm": false`.

use riskgate_core::Engine;
use std::time::Instant;

/// `struct timespec` of 64-bit Linux (the only platform the engine is built for).
#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}

/// Linux's CLOCK_THREAD_CPUTIME_ID.
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

/// CPU time of this thread in nanoseconds, exact to the call (the kernel adds the running slice).
fn thread_cpu_ns() -> u64 {
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer; std links libc.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Peak resident set size in KiB (VmHWM).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: peer SESSION.itch CONFIG.bin [PASSES]");
        std::process::exit(2);
    }
    let session = std::fs::read(&args[0]).unwrap_or_else(|e| panic!("{}: {e}", args[0]));
    let blob = std::fs::read(&args[1]).unwrap_or_else(|e| panic!("{}: {e}", args[1]));
    let passes: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let mut engine = Engine::new(&blob).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let mut out = Vec::with_capacity(session.len() * 2);
    for pass in 0..passes {
        engine.reset();
        out.clear();
        let c0 = thread_cpu_ns();
        let t0 = Instant::now();
        engine.process(&session, true, &mut out).expect("whole session in one call");
        let wall = t0.elapsed().as_secs_f64();
        let cpu = (thread_cpu_ns() - c0) as f64 / 1e9;
        let s = engine.stats();
        println!(
            "{{\"engine\":\"rust\",\"pass\":{pass},\"warm\":{},\"wall_s\":{wall:.6},\"cpu_s\":{cpu:.6},\"messages\":{},\"record_bytes\":{},\"tob\":{},\"flagged\":{},\"table_full\":{},\"peak_rss_kib\":{}}}",
            pass > 0,
            s.messages,
            out.len(),
            s.tob,
            s.flagged,
            s.table_full,
            peak_rss_kib()
        );
    }
}
