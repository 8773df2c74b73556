//! `GzipReader`: a gzip session file inflated on a Rust thread of its own into a ring of slots
//! that JavaScript reads in place (src/source/file.ts). The thread reads and inflates while the
//! engine runs on the main thread, so that the JS side never runs zlib or copies the bytes:
//! it asks for the next slot (`next`, which waits until the thread has filled it) and gives
//! slots back (`release`) once it no longer holds frames in them.
//!
//! The ring's memory belongs to Rust and is shared with the JS Buffer over it (`ring()`): it
//! is freed when both the thread and that Buffer are gone, whatever order JS drops things in.

use crate::gzip_stream::{GzipError, GzipStream};
use crate::thread_clock::thread_cpu_ns;
use napi::bindgen_prelude::{BufferSlice, ObjectFinalize};
use napi::Env;
use napi_derive::napi;
use std::cell::UnsafeCell;
use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// The ring's bytes. Slots are written by the thread only while not handed out and read by JS
/// only while handed out (the mutex-guarded head/tail order the two), hence Sync.
struct RingMemory {
    bytes: Box<[UnsafeCell<u8>]>,
}
unsafe impl Sync for RingMemory {}
unsafe impl Send for RingMemory {}

impl RingMemory {
    fn ptr(&self) -> *mut u8 {
        UnsafeCell::raw_get(self.bytes.as_ptr())
    }
}

#[derive(Default)]
struct Progress {
    /// Slots filled (monotonic) and released by the reader (monotonic).
    head: u64,
    tail: u64,
    /// Bytes in each slot.
    lengths: Vec<usize>,
    done: bool,
    error: Option<GzipError>,
    /// Set by `close`: the thread stops at its next slot.
    stop: bool,
}

struct Shared {
    memory: Arc<RingMemory>,
    slots: usize,
    slot_bytes: usize,
    state: Mutex<Progress>,
    changed: Condvar,
    /// Compressed bytes read and the thread's CPU time (ns), for progress and the benchmark.
    compressed: AtomicU64,
    cpu_ns: AtomicU64,
}

fn inflate_into_ring(shared: &Shared, mut stream: GzipStream) {
    let mut head = 0u64;
    loop {
        // Wait for a free slot.
        {
            let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
            while !st.stop && head - st.tail >= shared.slots as u64 {
                st = shared.changed.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            if st.stop {
                return;
            }
        }
        let slot = (head % shared.slots as u64) as usize;
        // SAFETY: the slot lies inside the ring, and JS does not read it until it is published
        // below (it released it before the thread could get here).
        let out = unsafe { std::slice::from_raw_parts_mut(shared.memory.ptr().add(slot * shared.slot_bytes), shared.slot_bytes) };
        let r = stream.read(out);
        shared.compressed.store(stream.consumed(), Ordering::Relaxed);
        shared.cpu_ns.store(thread_cpu_ns(), Ordering::Relaxed);
        let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        match r {
            Ok(n) => {
                if n > 0 {
                    st.lengths[slot] = n;
                    head += 1;
                    st.head = head;
                }
                if n < shared.slot_bytes {
                    st.done = true;
                }
            }
            Err(e) => st.error = Some(e),
        }
        let finished = st.done || st.error.is_some();
        drop(st);
        shared.changed.notify_all();
        if finished {
            return;
        }
    }
}

/// A gzip file inflated ahead of the reader on a thread of its own (see the module doc).
#[napi(custom_finalize)]
pub struct GzipReader {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// The next slot `next()` hands out.
    next: u64,
    inflater: &'static str,
}

impl GzipReader {
    fn stop(&mut self) {
        {
            let mut st = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
            st.stop = true;
        }
        self.shared.changed.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[napi]
impl GzipReader {
    /// Opens `path` and starts inflating it into `slots` slots of `slotBytes` bytes each.
    /// Throws, naming the file, when it cannot be opened.
    #[napi(constructor)]
    pub fn new(path: String, slots: u32, slot_bytes: u32) -> napi::Result<Self> {
        if slots < 3 || slot_bytes == 0 {
            return Err(napi::Error::from_reason(format!("GzipReader needs at least 3 slots of at least 1 byte, got {slots} of {slot_bytes}")));
        }
        let file = File::open(&path).map_err(|e| napi::Error::new(napi::Status::GenericFailure, format!("cannot read input {path}: {e}")))?;
        let (slots, slot_bytes) = (slots as usize, slot_bytes as usize);
        let bytes: Box<[UnsafeCell<u8>]> = (0..slots * slot_bytes).map(|_| UnsafeCell::new(0)).collect();
        let shared = Arc::new(Shared {
            memory: Arc::new(RingMemory { bytes }),
            slots,
            slot_bytes,
            state: Mutex::new(Progress { lengths: vec![0; slots], ..Progress::default() }),
            changed: Condvar::new(),
            compressed: AtomicU64::new(0),
            cpu_ns: AtomicU64::new(0),
        });
        let stream = GzipStream::new(file);
        let inflater = stream.inflater();
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("riskgate-gunzip".into())
            .spawn(move || {
                // A panic must not leave the reader waiting for a slot that never comes.
                if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inflate_into_ring(&worker, stream))) {
                    let what = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
                    let mut st = worker.state.lock().unwrap_or_else(|p| p.into_inner());
                    st.error = Some(GzipError { message: format!("the gunzip thread panicked: {what}"), produced: 0, offset: worker.compressed.load(Ordering::Relaxed) });
                    drop(st);
                    worker.changed.notify_all();
                }
            })
            .map_err(|e| napi::Error::from_reason(format!("cannot start the gunzip thread: {e}")))?;
        Ok(GzipReader { shared, thread: Some(thread), next: 0, inflater })
    }

    /// The ring as one Buffer (slot i at `i * slotBytes`). Call it once and keep it.
    #[napi]
    pub fn ring<'env>(&self, env: &'env Env) -> napi::Result<BufferSlice<'env>> {
        let memory = Arc::clone(&self.shared.memory);
        let ptr = memory.ptr();
        let len = self.shared.slots * self.shared.slot_bytes;
        // SAFETY: the memory lives as long as the Arc the finalizer drops.
        let buf = unsafe { BufferSlice::from_external(env, ptr, len, memory, |_, m| drop(m))? };
        if buf.as_ptr() != ptr.cast_const() {
            return Err(napi::Error::from_reason("this runtime copies external buffers: the gunzip ring cannot be shared"));
        }
        Ok(buf)
    }

    /// Waits for the next slot and returns its length in bytes (slots are handed out in order
    /// 0, 1, 2, … modulo the slot count), or -1 at the end of the stream. Throws at a corrupt or
    /// truncated stream once the bytes before the problem have all been handed out; the
    /// message says how many bytes came out and the compressed offset.
    #[napi]
    pub fn next(&mut self) -> napi::Result<i64> {
        let shared = &self.shared;
        let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if st.head > self.next {
                let n = st.lengths[(self.next % shared.slots as u64) as usize];
                self.next += 1;
                return Ok(n as i64);
            }
            if let Some(e) = &st.error {
                return Err(napi::Error::from_reason(format!(
                    "corrupt gzip stream after {} decompressed bytes (compressed offset {}): {}",
                    e.produced, e.offset, e.message
                )));
            }
            if st.done {
                return Ok(-1);
            }
            if st.stop {
                return Err(napi::Error::from_reason("the gzip reader was closed"));
            }
            st = shared.changed.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Gives back every slot handed out before the `upTo`-th: the thread may fill them again.
    #[napi]
    pub fn release(&self, up_to: f64) {
        let up_to = up_to.max(0.0) as u64;
        let mut st = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        if up_to > st.tail && up_to <= self.next {
            st.tail = up_to;
            drop(st);
            self.shared.changed.notify_all();
        }
    }

    /// What inflates: "isa-l" (libisal.so.2 found) or "zlib-rs".
    #[napi(getter)]
    pub fn inflater(&self) -> String {
        self.inflater.to_string()
    }

    /// Compressed bytes read so far.
    #[napi(getter)]
    pub fn bytes_read(&self) -> f64 {
        self.shared.compressed.load(Ordering::Relaxed) as f64
    }

    /// CPU time of the gunzip thread so far, in ns (as of its last slot).
    #[napi(getter)]
    pub fn cpu_ns(&self) -> f64 {
        self.shared.cpu_ns.load(Ordering::Relaxed) as f64
    }

    /// Stops the thread and waits for it; the ring Buffer stays valid. Closing twice is fine.
    #[napi]
    pub fn close(&mut self) {
        self.stop();
    }
}

impl ObjectFinalize for GzipReader {
    fn finalize(mut self, _env: Env) -> napi::Result<()> {
        self.stop();
        Ok(())
    }
}
