//! riskgate-napi: the N-API face of `riskgate-core`.
//!
//! Deliberately thin: every rule lives in the core so that the Rust tests, the benchmark
//! and Node all run the same engine. This layer converts buffers and numbers, turns core
//! errors into JS errors with a stable `code`, and makes sure no Rust panic ever unwinds
//! into Node (it becomes an `ENGINE_PANIC` error instead).

use napi::bindgen_prelude::{Buffer, BufferSlice, ObjectFinalize};

/// The engine's tables (~30 MiB, mostly the order table, 2 MiB-aligned: core `huge.rs`) come from mimalloc, not from the
/// host's malloc: glibc hands a freed table's pages to V8's small allocations, so a
/// process that creates and closes many engines (the property tests create thousands)
/// grows by the touched part of every one; mimalloc returns them.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use napi::Env;
use napi_derive::napi;

pub mod crc32c;
mod exact_decimal;
pub mod fill_executions;
mod gzip_stream;
#[cfg(riskgate_isal)]
mod isal;
pub mod locate_count;
pub mod ouch_read;
pub mod pnl_book;
pub mod record_tally;
mod session_reader;
mod sha256_state;
pub mod thread_clock;
use riskgate_core as core;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The JS error `code` of a thrown error. napi-rs copies an error's status string into
/// `err.code`, so a string status is all it takes to give JS callers stable codes.
#[derive(Clone, Copy, Debug)]
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// A panic inside the engine (a bug). The engine refuses further work until `reset()`.
const ENGINE_PANIC: Code = Code("ENGINE_PANIC");
/// An argument that is not what the API documents (e.g. overlapping buffers).
const INVALID_ARG: Code = Code("INVALID_ARG");
/// A call on an engine after `close()`.
const ENGINE_CLOSED: Code = Code("ENGINE_CLOSED");

type Error = napi::Error<Code>;
// Named `Result` on purpose: napi-derive recognises fallible functions by that name.
type Result<T> = std::result::Result<T, Error>;

/// A failed call before it becomes a JS error. Kept free of napi types so the mapping
/// and the panic guard can be unit-tested without a Node runtime to link against.
#[derive(Debug)]
struct Failure {
    code: Code,
    message: String,
}

impl Failure {
    fn new(code: Code, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }
}

impl From<core::EngineError> for Failure {
    fn from(e: core::EngineError) -> Self {
        Failure::new(Code(e.code_str()), e.message)
    }
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Self {
        Error::new(f.code, f.message)
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Runs `f`, turning a panic into an `ENGINE_PANIC` failure. Unwinding across the FFI
/// boundary would abort Node, which is worse than any error a caller can handle.
fn guard<T>(f: impl FnOnce() -> std::result::Result<T, Failure>) -> std::result::Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(Failure::new(ENGINE_PANIC, format!("riskgate engine panicked: {}", panic_message(&*p)))),
    }
}

fn check_length(input_length: f64) -> std::result::Result<usize, Failure> {
    if !(input_length >= 0.0 && input_length.fract() == 0.0 && input_length <= 2f64.powi(53)) {
        return Err(Failure::new(INVALID_ARG, format!("inputLength must be a non-negative integer, got {input_length}")));
    }
    Ok(input_length as usize)
}

/// Size of one output record in bytes.
#[napi]
pub const RECORD_SIZE: u32 = core::RECORD_SIZE as u32;

/// Record format version written in byte 0 of every record.
#[napi]
pub const RECORD_VERSION: u32 = core::RECORD_VERSION as u32;

/// Upper bound of the record bytes that `inputLength` bytes of frames can produce: size
/// the `out` buffer of `processInto` with it and it never throws `OUTPUT_TOO_SMALL`.
/// (Each frame of at least 3 bytes yields at most 3 records of 32 bytes.)
#[napi]
pub fn max_record_bytes(input_length: f64) -> Result<f64> {
    Ok(core::max_record_bytes(check_length(input_length)?) as f64)
}

/// The counters of spec §12, as plain numbers (exact up to 2^53).
/// What one `processStream` call did.
#[napi(object)]
pub struct StreamStep {
    /// Input bytes walked: all of `frames` but a frame cut off at its end.
    pub consumed: u32,
    /// Record bytes written at the start of `out` (a multiple of 32).
    pub written: u32,
}

/// What one `processSessionStream` call did.
#[napi(object)]
pub struct SessionStep {
    /// Input bytes walked: all of `frames` but a frame cut off at its end, or everything in
    /// front of an end-of-session marker.
    pub consumed: u32,
    /// Record bytes written at the start of `out` (a multiple of 32).
    pub written: u32,
    /// The walk ended in front of an end-of-session marker, at offset `consumed`.
    pub end_marker: bool,
    /// The last seq handed out after this call (0 before the first message).
    pub last_seq: f64,
}

/// `frames` and `out` of one call must not share a byte: records would overwrite the
/// frames still to be read.
fn check_disjoint(frames: &[u8], out: &[u8]) -> Result<()> {
    let (a, b) = (frames.as_ptr_range(), out.as_ptr_range());
    if !frames.is_empty() && !out.is_empty() && a.start < b.end && b.start < a.end {
        return Err(Failure::new(INVALID_ARG, "frames and out must not overlap").into());
    }
    Ok(())
}

#[napi(object)]
pub struct EngineStats {
    /// Framed messages (the last seq handed out).
    pub messages: f64,
    /// 256 counters indexed by type byte; they sum to `messages` (control messages take
    /// no seq and are counted in `controls` / `problems[4]` / `problems[5]`).
    pub by_type: Vec<f64>,
    /// Problem counters indexed by code (length 6, index 0 unused): 1 BAD_LENGTH,
    /// 2 UNKNOWN_TYPE, 3 TRUNCATED, 4 BAD_CONTROL, 5 FOREIGN_CONTROL, as in the PROBLEM
    /// record's aux.
    pub problems: Vec<f64>,
    pub unknown_ref: f64,
    pub table_full: f64,
    pub flagged: f64,
    pub tob: f64,
    pub decisions: f64,
    pub accepted: f64,
    pub rejected: f64,
    pub fills: f64,
    pub controls: f64,
    /// Order table (spec §5): inserts placed in the stash, kept as ghosts (dropped from the
    /// book, COLLISION while they live) or dropped untracked. `table_full` is the sum of the
    /// last two.
    pub stash_inserts: f64,
    pub ghost_inserts: f64,
    pub untracked_drops: f64,
    /// Times a symbol's COLLISION cleared by itself when its last ghost left.
    pub collision_clears: f64,
    /// Peak book orders (table and stash), peak stash and ghost occupancy.
    pub live_peak: f64,
    pub stash_peak: f64,
    pub ghost_peak: f64,
}

impl From<&core::Stats> for EngineStats {
    fn from(s: &core::Stats) -> Self {
        EngineStats {
            messages: s.messages as f64,
            by_type: s.by_type.iter().map(|&n| n as f64).collect(),
            problems: s.problems.iter().map(|&n| n as f64).collect(),
            unknown_ref: s.unknown_ref as f64,
            table_full: s.table_full as f64,
            flagged: s.flagged as f64,
            tob: s.tob as f64,
            decisions: s.decisions as f64,
            accepted: s.accepted as f64,
            rejected: s.rejected as f64,
            fills: s.fills as f64,
            controls: s.controls as f64,
            stash_inserts: s.stash_inserts as f64,
            ghost_inserts: s.ghost_inserts as f64,
            untracked_drops: s.untracked_drops as f64,
            collision_clears: s.collision_clears as f64,
            live_peak: s.live_peak as f64,
            stash_peak: s.stash_peak as f64,
            ghost_peak: s.ghost_peak as f64,
        }
    }
}

/// One riskgate engine session (spec version 2): feed it BinaryFILE frames, get 32-byte records.
///
/// Batches may be split anywhere between frames; the records never depend on where.
#[napi(custom_finalize)]
pub struct Engine {
    /// None once `close()` freed it.
    inner: Option<Box<core::Engine>>,
    /// Set when a call panicked: the state may be half-updated, so every later call
    /// fails with `ENGINE_PANIC` until `reset()` restores a known state.
    poisoned: bool,
    /// Heap bytes reported to V8 as external memory (so its collector knows an engine is
    /// worth ~20 MB, not the size of a small object), given back on close or collection.
    external: i64,
}

impl Engine {
    fn inner(&mut self) -> Result<&mut core::Engine> {
        match self.inner.as_deref_mut() {
            Some(e) => Ok(e),
            None => Err(Failure::new(ENGINE_CLOSED, "the engine was closed").into()),
        }
    }

    fn run<T>(&mut self, f: impl FnOnce(&mut core::Engine) -> std::result::Result<T, Failure>) -> Result<T> {
        if self.poisoned {
            return Err(Failure::new(ENGINE_PANIC, "engine state is unknown after a panic; call reset()").into());
        }
        let inner = self.inner()?;
        let r = guard(|| f(inner));
        if matches!(&r, Err(e) if e.code.0 == ENGINE_PANIC.0) {
            self.poisoned = true;
        }
        Ok(r?)
    }
}

#[napi]
impl Engine {
    /// Creates an engine from a start-of-day config blob (spec §10). Throws an Error
    /// with `code = 'CONFIG_INVALID'` naming the offending field if the blob is invalid.
    #[napi(constructor)]
    pub fn new(env: Env, config: BufferSlice) -> Result<Self> {
        let inner = guard(|| Ok(Box::new(core::Engine::new(&config)?)))?;
        // A hint to the collector: if V8 refuses it, there is nothing to give back later.
        let external = env.adjust_external_memory(inner.heap_bytes() as i64).map_or(0, |_| inner.heap_bytes() as i64);
        Ok(Engine { inner: Some(inner), poisoned: false, external })
    }

    /// An engine for `config` in the state of `snapshot` (from `snapshot()`): the session
    /// continues exactly where the snapshot was taken. Throws `SNAPSHOT_INVALID` when the
    /// snapshot is truncated, malformed, of another format version, or was taken under
    /// another config, and `CONFIG_INVALID` for a bad config.
    #[napi(factory)]
    pub fn restore(env: Env, config: BufferSlice, snapshot: BufferSlice) -> Result<Self> {
        let inner = guard(|| Ok(Box::new(core::Engine::restore(&config, &snapshot)?)))?;
        let external = env.adjust_external_memory(inner.heap_bytes() as i64).map_or(0, |_| inner.heap_bytes() as i64);
        Ok(Engine { inner: Some(inner), poisoned: false, external })
    }

    /// The engine's whole state after the last message, as versioned bytes (a few MB for a
    /// busy day: sparse levels and orders) that `Engine.restore` turns back into an engine.
    #[napi]
    pub fn snapshot(&mut self) -> Result<Buffer> {
        self.run(|e| Ok(e.snapshot().into()))
    }

    /// Frees the engine's memory now (about 20 MB, mostly the order table) instead of at
    /// garbage collection. Every later call throws `ENGINE_CLOSED`; closing twice is fine.
    #[napi]
    pub fn close(&mut self, env: Env) -> Result<()> {
        self.inner = None;
        if self.external != 0 {
            // Only a hint to the collector; a refusal changes nothing for the caller.
            let _ = env.adjust_external_memory(-self.external);
            self.external = 0;
        }
        Ok(())
    }

    /// Processes a batch of frames and returns the records it produced (a new Buffer,
    /// a multiple of 32 bytes).
    ///
    /// `endOfInput` (default false) marks the last batch of the session: a frame cut off
    /// at its end becomes a TRUNCATED problem record. Without it a cut-off frame throws
    /// `PARTIAL_FRAME` and nothing is processed.
    #[napi]
    pub fn process(&mut self, frames: BufferSlice, end_of_input: Option<bool>) -> Result<Buffer> {
        let eoi = end_of_input.unwrap_or(false);
        self.run(|e| {
            // Records are usually about as large as the input; one reservation avoids
            // most regrowth without committing to the worst case.
            let mut out = Vec::with_capacity(frames.len() + core::RECORD_SIZE * 4);
            e.process(&frames, eoi, &mut out)?;
            Ok(out.into())
        })
    }

    /// Allocation-free variant of `process`: writes the records into `out` and returns
    /// the number of bytes written.
    ///
    /// Throws `OUTPUT_TOO_SMALL` before touching any state if `out` could be too small
    /// (`maxRecordBytes(frames.length)` is always enough; a smaller buffer is accepted
    /// when a scan of the frame headers shows it suffices). `frames` and `out` must not
    /// overlap.
    #[napi]
    pub fn process_into(&mut self, frames: BufferSlice, mut out: BufferSlice, end_of_input: Option<bool>) -> Result<u32> {
        let eoi = end_of_input.unwrap_or(false);
        check_disjoint(&frames, &out)?;
        self.run(|e| {
            let n = e.process_into(&frames, eoi, &mut out)?;
            u32::try_from(n).map_err(|_| Failure::new(INVALID_ARG, "more than 4 GiB of records in one call"))
        })
    }

    /// Streaming variant of `processInto` for callers that read their input in chunks:
    /// processes every whole frame of `frames`, writes the records into `out` and
    /// returns how many input bytes it consumed and how many record bytes it wrote.
    ///
    /// Without `endOfInput` a frame cut off at the end of `frames` is not an error: it is
    /// left unconsumed, and the caller passes those bytes again at the start of its next
    /// chunk. With `endOfInput` it becomes a TRUNCATED problem record. An `out` of
    /// `maxRecordBytes(frames.length)` bytes needs no pre-scan, so the input is walked
    /// once; a smaller one is checked against a scan of the frame headers and throws
    /// `OUTPUT_TOO_SMALL` before touching any state. `frames` and `out` must not overlap.
    #[napi]
    pub fn process_stream(&mut self, frames: BufferSlice, mut out: BufferSlice, end_of_input: Option<bool>) -> Result<StreamStep> {
        let eoi = end_of_input.unwrap_or(false);
        check_disjoint(&frames, &out)?;
        self.run(|e| {
            let (consumed, written) = e.process_stream(&frames, eoi, &mut out)?;
            let too_big = || Failure::new(INVALID_ARG, "more than 4 GiB in one call");
            Ok(StreamStep { consumed: u32::try_from(consumed).map_err(|_| too_big())?, written: u32::try_from(written).map_err(|_| too_big())? })
        })
    }

    /// `processStream` for a session file read in chunks (spec §2): the same records, but
    /// the walk ends in front of the zero-length end-of-session marker (`endMarker`, at
    /// offset `consumed`) instead of walking on, as a file reader stops there. Returns the
    /// last seq too, so that the caller needs no walk of its own to know which messages a
    /// call covered.
    #[napi]
    pub fn process_session_stream(&mut self, frames: BufferSlice, mut out: BufferSlice, end_of_input: Option<bool>) -> Result<SessionStep> {
        let eoi = end_of_input.unwrap_or(false);
        check_disjoint(&frames, &out)?;
        self.run(|e| {
            let step = e.process_session_stream(&frames, eoi, &mut out)?;
            let too_big = || Failure::new(INVALID_ARG, "more than 4 GiB in one call");
            Ok(SessionStep {
                consumed: u32::try_from(step.consumed).map_err(|_| too_big())?,
                written: u32::try_from(step.written).map_err(|_| too_big())?,
                end_marker: step.marker,
                last_seq: e.last_seq() as f64,
            })
        })
    }

    /// The counters of spec §12.
    #[napi]
    pub fn stats(&self) -> Result<EngineStats> {
        let inner = self.inner.as_deref().ok_or_else(|| Failure::new(ENGINE_CLOSED, "the engine was closed"))?;
        Ok(guard(|| Ok(EngineStats::from(inner.stats())))?)
    }

    /// Back to the start-of-day state of the same config (also clears a panic).
    #[napi]
    pub fn reset(&mut self) -> Result<()> {
        let inner = self.inner()?;
        guard(|| {
            inner.reset();
            Ok(())
        })?;
        self.poisoned = false;
        Ok(())
    }

    /// The last seq handed out (0 before the first message). A control message must
    /// carry `lastSeq + 1` as its effective seq to apply before the next message.
    #[napi(getter)]
    pub fn last_seq(&self) -> f64 {
        self.inner.as_deref().map_or(0.0, |e| e.last_seq() as f64)
    }
}

impl ObjectFinalize for Engine {
    fn finalize(self, env: Env) -> napi::Result<()> {
        if self.external != 0 {
            env.adjust_external_memory(-self.external)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_engine_panic_failures() {
        let r: std::result::Result<(), Failure> = guard(|| panic!("boom"));
        let f = r.unwrap_err();
        assert_eq!(f.code.as_ref(), "ENGINE_PANIC");
        assert!(f.message.contains("boom"));
    }

    #[test]
    fn core_errors_keep_their_code() {
        let f = Failure::from(core::Engine::new(b"short").err().unwrap());
        assert_eq!(f.code.as_ref(), "CONFIG_INVALID");
        assert!(f.message.contains("length"));
    }

    #[test]
    fn lengths_are_validated() {
        assert_eq!(check_length(4.0).unwrap(), 4);
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY] {
            assert_eq!(check_length(bad).unwrap_err().code.as_ref(), "INVALID_ARG");
        }
    }
}

mod ethernet;
