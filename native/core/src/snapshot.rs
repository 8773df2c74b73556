//! Engine snapshots: the whole state after some seq, as bytes, so a restarted process
//! resumes where it stopped instead of replaying the session from its start.
//!
//! The format is this crate's own (not part of the compared record stream), versioned and
//! byte-stable: little-endian integers in a fixed order, sparse where the state is sparse
//! (non-zero levels, valid order-table ways, mapped locates). It starts with the config
//! blob the engine was built from, and a snapshot restores only into an engine of exactly
//! that config — a snapshot of another day's limits is refused, not half-applied.
//!
//! ```text
//! magic "RGS1" | u16 version | u32 blob length | blob | u64 seq | u64 last_ts | state…
//! ```
//!
//! Order-table entries keep their bank, set and way: where the next order goes depends on
//! which ways are taken, so a restored engine places every later order exactly where the
//! original would have. Derived state (best levels, spill counters) is rebuilt.

use crate::error::{EngineError, ErrorCode};

/// Snapshot magic.
pub const MAGIC: [u8; 4] = *b"RGS1";
/// Snapshot format version; bumped whenever the layout or the meaning of a field changes.
pub const VERSION: u16 = 3;

/// Appends little-endian fields.
#[derive(Default)]
pub struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn bool(&mut self, v: bool) {
        self.buf.push(v as u8);
    }
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }
    /// An optional u64: a presence byte, then the value when present.
    pub fn opt_u64(&mut self, v: Option<u64>) {
        self.bool(v.is_some());
        if let Some(x) = v {
            self.u64(x);
        }
    }
}

/// Reads what `Writer` wrote, refusing truncated or malformed input with the offset and
/// the field it was reading.
pub struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

pub(crate) fn invalid(message: impl Into<String>) -> EngineError {
    EngineError::new(ErrorCode::SnapshotInvalid, message)
}

impl<'a> Reader<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Reader { b, at: 0 }
    }

    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], EngineError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        match end {
            Some(e) => {
                let s = &self.b[self.at..e];
                self.at = e;
                Ok(s)
            }
            None => Err(invalid(format!("snapshot ends inside {what} (offset {}, {} bytes)", self.at, self.b.len()))),
        }
    }
    fn arr<const N: usize>(&mut self, what: &str) -> Result<[u8; N], EngineError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    pub fn u8(&mut self, what: &str) -> Result<u8, EngineError> {
        Ok(self.arr::<1>(what)?[0])
    }
    pub fn bool(&mut self, what: &str) -> Result<bool, EngineError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(invalid(format!("{what}: {v} is not a boolean (offset {})", self.at - 1))),
        }
    }
    pub fn u16(&mut self, what: &str) -> Result<u16, EngineError> {
        Ok(u16::from_le_bytes(self.arr(what)?))
    }
    pub fn u32(&mut self, what: &str) -> Result<u32, EngineError> {
        Ok(u32::from_le_bytes(self.arr(what)?))
    }
    pub fn u64(&mut self, what: &str) -> Result<u64, EngineError> {
        Ok(u64::from_le_bytes(self.arr(what)?))
    }
    pub fn i64(&mut self, what: &str) -> Result<i64, EngineError> {
        Ok(i64::from_le_bytes(self.arr(what)?))
    }
    pub fn i32(&mut self, what: &str) -> Result<i32, EngineError> {
        Ok(i32::from_le_bytes(self.arr(what)?))
    }
    pub fn opt_u64(&mut self, what: &str) -> Result<Option<u64>, EngineError> {
        Ok(if self.bool(what)? { Some(self.u64(what)?) } else { None })
    }
    /// A count of items that follow, each at least `min_item` bytes: refused when the rest
    /// of the snapshot cannot hold that many (a forged count never allocates gigabytes).
    pub fn count(&mut self, what: &str, min_item: usize, max: usize) -> Result<usize, EngineError> {
        let n = self.u32(what)? as usize;
        let room = (self.b.len() - self.at) / min_item.max(1);
        if n > max || n > room {
            return Err(invalid(format!("{what}: count {n} is impossible here (at most {}, offset {})", max.min(room), self.at - 4)));
        }
        Ok(n)
    }
    /// An index below `n`.
    pub fn index(&mut self, what: &str, n: usize) -> Result<usize, EngineError> {
        let v = self.u32(what)? as usize;
        if v >= n {
            return Err(invalid(format!("{what}: {v} is out of range 0..{n} (offset {})", self.at - 4)));
        }
        Ok(v)
    }
    pub fn done(&self) -> Result<(), EngineError> {
        if self.at != self.b.len() {
            return Err(invalid(format!("{} bytes after the end of the snapshot (offset {})", self.b.len() - self.at, self.at)));
        }
        Ok(())
    }
}
