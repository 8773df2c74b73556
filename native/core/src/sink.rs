//! Where the engine's records go.
//!
//! The engine never allocates on its own: it appends to a `Vec` the caller owns, or
//! writes into a buffer the caller sized with `max_record_bytes` (the N-API path).

use crate::records::RECORD_SIZE;

/// Where records go. Generic rather than `dyn` so the hot loop is monomorphised.
pub trait RecordSink {
    fn put(&mut self, r: [u8; RECORD_SIZE]);
}

impl RecordSink for Vec<u8> {
    #[inline(always)]
    fn put(&mut self, r: [u8; RECORD_SIZE]) {
        prefetch_write(self.as_ptr().wrapping_add(self.len() + OUT_AHEAD));
        self.extend_from_slice(&r);
    }
}

/// Writes records into a caller-provided buffer that was checked to be large enough.
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl<'a> SliceSink<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceSink { buf, len: 0, overflow: false }
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// True if a record did not fit (cannot happen after the bound check of `process_into`).
    pub fn overflowed(&self) -> bool {
        self.overflow
    }
}

impl RecordSink for SliceSink<'_> {
    #[inline(always)]
    fn put(&mut self, r: [u8; RECORD_SIZE]) {
        match self.buf.get_mut(self.len..self.len + RECORD_SIZE) {
            Some(d) => {
                prefetch_write(d.as_ptr().wrapping_add(OUT_AHEAD));
                d.copy_from_slice(&r);
                self.len += RECORD_SIZE;
            }
            None => self.overflow = true,
        }
    }
}

/// How far past the record being written the output is prefetched, in bytes (32
/// records). The records go to memory the engine last wrote a whole batch ago, so their
/// lines have left the caches; asking for them ahead took ~0.5–1 ns/msg off
/// `npm run bench:peer`'s all-subscribed file.
const OUT_AHEAD: usize = 1024;

/// Hints the CPU to load the line at `p` for writing (PREFETCHW where the target has
/// it, else PREFETCHT0). A hint only: it reads nothing architecturally and cannot fault,
/// whatever the address (`p` is made with `wrapping_add`, never dereferenced, and may
/// point past the buffer's end).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn prefetch_write(p: *const u8) {
    // SAFETY: a prefetch hint, see above.
    unsafe { core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_ET0 }>(p as *const i8) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch_write(_p: *const u8) {}
