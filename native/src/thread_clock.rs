//! The calling thread's CPU time, for the replay benchmark's stage accounting (a wall clock
//! counts the time other processes on a shared machine take from us; this does not).

use napi_derive::napi;

/// CPU time (user + system) of the calling thread, in ns; 0 if the clock is unavailable.
pub fn thread_cpu_ns() -> u64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given; the clock id is a constant.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return 0;
    }
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// CPU time of the calling (JS) thread in ns: what a stage of the main thread really costs,
/// whatever else the machine runs.
#[napi(js_name = "threadCpuNs")]
pub fn thread_cpu_ns_js() -> f64 {
    thread_cpu_ns() as f64
}
