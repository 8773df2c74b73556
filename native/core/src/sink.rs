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
                d.copy_from_slice(&r);
                self.len += RECORD_SIZE;
            }
            None => self.overflow = true,
        }
    }
}
