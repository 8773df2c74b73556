//! A gzip file (RFC 1952, one member or several concatenated) inflated as a stream, with the
//! same acceptance as Node's zlib gunzip: every member's header, CRC-32 and length are checked,
//! and bytes after the last member must be another member. The deflate data is inflated by
//! ISA-L when the machine has it (isal.rs), by zlib-rs (pure Rust, through flate2) otherwise;
//! this runs on the reader's own thread (session_reader.rs).
//!
//! Errors say where: the decompressed bytes produced so far and the compressed file offset.

use flate2::{Crc, Decompress, FlushDecompress, Status};
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};

/// Compressed bytes per read of the file.
const READ_CHUNK: usize = 1 << 20;

const FTEXT: u8 = 1;
const FHCRC: u8 = 2;
const FEXTRA: u8 = 4;
const FNAME: u8 = 8;
const FCOMMENT: u8 = 16;

/// Why the stream stopped early, with where (filled in by `GzipStream`).
#[derive(Debug)]
pub struct GzipError {
    pub message: String,
    /// Decompressed bytes produced before the problem.
    pub produced: u64,
    /// Offset in the compressed file where the problem was found.
    pub offset: u64,
}

/// What inflates the deflate data of the members.
enum Inflater {
    ZlibRs(Decompress),
    #[cfg(riskgate_isal)]
    Isal(crate::isal::IsalInflater),
}

impl Inflater {
    fn new() -> Self {
        #[cfg(riskgate_isal)]
        if let Some(i) = crate::isal::IsalInflater::new() {
            return Inflater::Isal(i);
        }
        Inflater::ZlibRs(Decompress::new(false))
    }

    fn name(&self) -> &'static str {
        match self {
            Inflater::ZlibRs(_) => "zlib-rs",
            #[cfg(riskgate_isal)]
            Inflater::Isal(_) => "isa-l",
        }
    }

    fn reset(&mut self) {
        match self {
            Inflater::ZlibRs(d) => d.reset(false),
            #[cfg(riskgate_isal)]
            Inflater::Isal(i) => i.reset(),
        }
    }

    /// (input bytes taken, output bytes written, end of the deflate stream, bytes taken that
    /// come after the deflate stream's end).
    fn step(&mut self, input: &[u8], out: &mut [u8]) -> Result<(usize, usize, bool, Vec<u8>), String> {
        match self {
            Inflater::ZlibRs(d) => {
                let (in0, out0) = (d.total_in(), d.total_out());
                let status = d.decompress(input, out, FlushDecompress::None).map_err(|e| e.to_string())?;
                Ok(((d.total_in() - in0) as usize, (d.total_out() - out0) as usize, status == Status::StreamEnd, Vec::new()))
            }
            #[cfg(riskgate_isal)]
            Inflater::Isal(i) => i.step(input, out).map(|s| (s.used, s.made, s.finished, s.held)),
        }
    }
}

enum Phase {
    /// Before a member's header; `first` for the file's first member.
    Header { first: bool },
    Body,
    Done,
}

pub struct GzipStream {
    input: BufReader<File>,
    inflater: Inflater,
    /// Bytes the inflater read past the end of a member's deflate data, to be read again first.
    pushback: Vec<u8>,
    crc: Crc,
    phase: Phase,
    /// Compressed bytes consumed (the offset of the next byte).
    consumed: u64,
    /// Decompressed bytes produced (all members).
    produced: u64,
    /// Decompressed bytes of the current member (for its ISIZE check).
    member_out: u64,
    members: u64,
}

impl GzipStream {
    pub fn new(file: File) -> Self {
        GzipStream {
            input: BufReader::with_capacity(READ_CHUNK, file),
            inflater: Inflater::new(),
            pushback: Vec::new(),
            crc: Crc::new(),
            phase: Phase::Header { first: true },
            consumed: 0,
            produced: 0,
            member_out: 0,
            members: 0,
        }
    }

    /// The inflater in use: "isa-l" or "zlib-rs".
    pub fn inflater(&self) -> &'static str {
        self.inflater.name()
    }

    /// Compressed bytes read so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    fn fail(&self, message: impl Into<String>) -> GzipError {
        GzipError { message: message.into(), produced: self.produced, offset: self.consumed }
    }

}

fn read_error(e: std::io::Error, produced: u64, offset: u64) -> GzipError {
    GzipError { message: format!("read error: {e}"), produced, offset }
}

impl GzipStream {
    /// The next `n` bytes of the file (n ≤ 16), or an "unexpected end of file" error.
    fn take<const N: usize>(&mut self, what: &str) -> Result<[u8; N], GzipError> {
        let mut out = [0u8; N];
        let mut got = 0;
        let back = self.pushback.len().min(N);
        out[..back].copy_from_slice(&self.pushback[..back]);
        self.pushback.drain(..back);
        self.consumed += back as u64;
        got += back;
        while got < N {
            let (produced, offset) = (self.produced, self.consumed);
            let buf = self.input.fill_buf().map_err(|e| read_error(e, produced, offset))?;
            if buf.is_empty() {
                return Err(self.fail(format!("unexpected end of file (truncated: the file ends inside a gzip {what})")));
            }
            let n = (N - got).min(buf.len());
            out[got..got + n].copy_from_slice(&buf[..n]);
            self.input.consume(n);
            self.consumed += n as u64;
            got += n;
        }
        Ok(out)
    }

    /// Skips a zero-terminated header field (file name or comment).
    fn skip_zero_terminated(&mut self) -> Result<(), GzipError> {
        loop {
            let [b] = self.take::<1>("header")?;
            if b == 0 {
                return Ok(());
            }
        }
    }

    /// True at the end of the file.
    fn at_eof(&mut self) -> Result<bool, GzipError> {
        if !self.pushback.is_empty() {
            return Ok(false);
        }
        match self.input.fill_buf() {
            Ok(b) => Ok(b.is_empty()),
            Err(e) if e.kind() == ErrorKind::Interrupted => self.at_eof(),
            Err(e) => Err(read_error(e, self.produced, self.consumed)),
        }
    }

    fn header(&mut self) -> Result<(), GzipError> {
        let start = self.consumed;
        let [id1, id2, cm, flg] = self.take::<4>("header")?;
        if id1 != 0x1f || id2 != 0x8b {
            // Where the member that is not one starts.
            return Err(GzipError { offset: start, ..self.fail(if self.members == 0 { "incorrect header check (not gzip)" } else { "incorrect header check (bytes after the last gzip member are not another member)" }) });
        }
        if cm != 8 {
            return Err(self.fail(format!("unknown compression method {cm}")));
        }
        if flg & !(FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT) != 0 {
            return Err(self.fail("unknown header flags set"));
        }
        self.take::<6>("header")?; // MTIME, XFL, OS
        if flg & FEXTRA != 0 {
            let [lo, hi] = self.take::<2>("header")?;
            for _ in 0..u16::from_le_bytes([lo, hi]) {
                self.take::<1>("header")?;
            }
        }
        if flg & FNAME != 0 {
            self.skip_zero_terminated()?;
        }
        if flg & FCOMMENT != 0 {
            self.skip_zero_terminated()?;
        }
        if flg & FHCRC != 0 {
            self.take::<2>("header")?;
        }
        self.inflater.reset();
        self.crc.reset();
        self.member_out = 0;
        self.members += 1;
        Ok(())
    }

    fn trailer(&mut self) -> Result<(), GzipError> {
        let t = self.take::<8>("trailer")?;
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let isize = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if crc != self.crc.sum() {
            return Err(self.fail("incorrect data check (CRC-32 mismatch)"));
        }
        if isize != self.member_out as u32 {
            return Err(self.fail("incorrect length check"));
        }
        Ok(())
    }

    /// Fills `out` with decompressed bytes; fewer than `out.len()` only at the end of the
    /// stream (0 once it is over).
    pub fn read(&mut self, out: &mut [u8]) -> Result<usize, GzipError> {
        let mut filled = 0;
        while filled < out.len() {
            match self.phase {
                Phase::Done => break,
                Phase::Header { first } => {
                    if !first && self.at_eof()? {
                        self.phase = Phase::Done;
                        continue;
                    }
                    self.header()?;
                    self.phase = Phase::Body;
                }
                Phase::Body if !self.pushback.is_empty() => {
                    // Only after a member's end, and the trailer takes them all: never reached
                    // with a well-formed inflater, refused rather than mis-read.
                    return Err(self.fail("internal: inflater input left over at the start of a member"));
                }
                Phase::Body => {
                    let (produced, offset) = (self.produced, self.consumed);
                    let buf = self.input.fill_buf().map_err(|e| read_error(e, produced, offset))?;
                    if buf.is_empty() {
                        return Err(self.fail("unexpected end of file (truncated: the file ends inside a gzip member's data)"));
                    }
                    let step = self.inflater.step(buf, &mut out[filled..]);
                    let (used, made, end, held) = match step {
                        Ok(s) => s,
                        Err(e) => return Err(self.fail(format!("invalid deflate data: {e}"))),
                    };
                    self.input.consume(used);
                    // Held bytes were counted as taken (maybe by an earlier step): they are read again.
                    self.consumed = self.consumed + used as u64 - held.len() as u64;
                    self.pushback = held;
                    self.crc.update(&out[filled..filled + made]);
                    filled += made;
                    self.produced += made as u64;
                    self.member_out += made as u64;
                    if end {
                        self.trailer()?;
                        self.phase = Phase::Header { first: false };
                    } else if used == 0 && made == 0 {
                        // With input and room for output an inflater always moves; a stall would spin.
                        return Err(self.fail("the inflater made no progress"));
                    }
                }
            }
        }
        Ok(filled)
    }
}

/// Run with ISA-L when this machine has it; `RISKGATE_GUNZIP=zlib-rs` runs them on zlib-rs.
#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gzip(data: &[u8], level: u32) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::new(level));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Some ITCH-like bytes: repetitive but not trivially so.
    fn sample(n: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 7 < 4 { (i / 64) as u8 } else { x as u8 }
            })
            .collect()
    }

    fn inflate_file(bytes: &[u8], out_chunk: usize) -> Result<Vec<u8>, GzipError> {
        let path = std::env::temp_dir().join(format!("riskgate-gz-{}-{:?}.gz", std::process::id(), std::thread::current().id()));
        std::fs::write(&path, bytes).unwrap();
        let mut s = GzipStream::new(File::open(&path).unwrap());
        let _ = std::fs::remove_file(&path);
        let mut all = Vec::new();
        let mut buf = vec![0u8; out_chunk];
        loop {
            let n = s.read(&mut buf)?;
            all.extend_from_slice(&buf[..n]);
            if n < buf.len() {
                return Ok(all);
            }
        }
    }

    #[test]
    fn members_and_chunk_sizes_give_the_bytes_back() {
        let data = sample(3 << 20);
        let two = [gzip(&data[..1_000_003], 1), gzip(&data[1_000_003..], 6)].concat();
        // One byte of output per call: every step boundary inside the stream and the trailer.
        assert_eq!(inflate_file(&gzip(&data[..5000], 1), 1).unwrap(), &data[..5000]);
        for out_chunk in [4093, 1 << 20] {
            assert_eq!(inflate_file(&gzip(&data, 1), out_chunk).unwrap(), data);
            assert_eq!(inflate_file(&two, out_chunk).unwrap(), data);
        }
    }

    #[test]
    fn every_truncation_is_an_error_at_the_end_of_the_file() {
        let gz = gzip(&sample(20_000), 1);
        for cut in (0..gz.len()).step_by(97).chain(gz.len() - 12..gz.len()) {
            let e = inflate_file(&gz[..cut], 1 << 16).expect_err("a truncated stream must fail");
            assert_eq!(e.offset, cut as u64, "cut at {cut}: {}", e.message);
        }
    }

    #[test]
    fn a_bad_trailer_or_trailing_junk_is_refused() {
        let data = sample(50_000);
        let gz = gzip(&data, 1);
        let mut crc = gz.clone();
        let n = crc.len();
        crc[n - 8] ^= 1;
        assert!(inflate_file(&crc, 1 << 16).unwrap_err().message.contains("incorrect data check"));
        let mut len = gz.clone();
        len[n - 1] ^= 1;
        assert!(inflate_file(&len, 1 << 16).unwrap_err().message.contains("incorrect length check"));
        let junk = [gz.clone(), b"junk".to_vec()].concat();
        let e = inflate_file(&junk, 1 << 16).unwrap_err();
        assert!(e.message.contains("incorrect header check"));
        assert_eq!(e.offset, n as u64);
    }
}
