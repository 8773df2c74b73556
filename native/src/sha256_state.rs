//! The feed run's SHA-256 of its record stream with a state that can be saved and restored
//! (src/report/sha256-state.ts): `riskgate run` resumed from an engine snapshot (spec §14.6)
//! goes on with the digest of the whole session. node:crypto cannot export a Hash's state, so
//! the blocks go through the `sha2` crate's `compress256` (SHA-NI where the CPU has it) and
//! the chaining value, length and partial block stay here, in the form snapshots carry them.

use napi::bindgen_prelude::BufferSlice;
use napi_derive::napi;
use sha2::compress256;
use sha2::digest::consts::U64;
use sha2::digest::generic_array::GenericArray;

type Block = GenericArray<u8, U64>;

const INIT: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
/// Largest byte count a saved state may claim: lengths travel as JS numbers (exact to 2^53).
const MAX_LENGTH: u64 = 1 << 53;

/// The saved state: chaining value, bytes digested, the partial block (hex). Same shape as
/// the JS implementation this replaced wrote into snapshots, so old snapshots restore.
#[napi(object)]
pub struct Sha256Saved {
    pub h: Vec<u32>,
    pub length: f64,
    pub tail: String,
}

/// The hashing itself, free of napi types so that `cargo test` checks it against `sha2::Sha256`.
#[derive(Clone)]
pub struct Sha256Stream {
    h: [u32; 8],
    block: [u8; 64],
    fill: usize,
    length: u64,
}

impl Default for Sha256Stream {
    fn default() -> Self {
        Sha256Stream { h: INIT, block: [0; 64], fill: 0, length: 0 }
    }
}

impl Sha256Stream {
    pub fn update(&mut self, mut data: &[u8]) {
        self.length += data.len() as u64;
        if self.fill > 0 {
            let take = (64 - self.fill).min(data.len());
            self.block[self.fill..self.fill + take].copy_from_slice(&data[..take]);
            self.fill += take;
            data = &data[take..];
            if self.fill < 64 {
                return;
            }
            compress256(&mut self.h, std::slice::from_ref(Block::from_slice(&self.block)));
            self.fill = 0;
        }
        let whole = data.len() / 64 * 64;
        if whole > 0 {
            // SAFETY: GenericArray<u8, U64> is a transparent [u8; 64] (size 64, alignment 1), so
            // `whole / 64` of them are exactly the first `whole` bytes of `data`.
            let blocks = unsafe { std::slice::from_raw_parts(data.as_ptr() as *const Block, whole / 64) };
            compress256(&mut self.h, blocks);
        }
        let rest = &data[whole..];
        self.block[..rest.len()].copy_from_slice(rest);
        self.fill = rest.len();
    }

    /// The digest of what was updated so far; the running state is left as it is.
    pub fn digest(&self) -> [u8; 32] {
        let mut copy = self.clone();
        let bits = self.length.wrapping_mul(8);
        let mut pad = [0u8; 72];
        let pad_len = if self.fill < 56 { 56 - self.fill } else { 120 - self.fill };
        pad[0] = 0x80;
        pad[pad_len..pad_len + 8].copy_from_slice(&bits.to_be_bytes());
        copy.update(&pad[..pad_len + 8]);
        let mut out = [0u8; 32];
        for (i, w) in copy.h.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    pub fn save(&self) -> Sha256Saved {
        Sha256Saved { h: self.h.to_vec(), length: self.length as f64, tail: hex(&self.block[..self.fill]) }
    }

    /// A stream in a saved state; a state that cannot be one (wrong sizes, a tail that does not
    /// match the length, bad hex) is refused with what is wrong.
    pub fn restore(s: &Sha256Saved) -> Result<Self, String> {
        let h: [u32; 8] = s.h.as_slice().try_into().map_err(|_| format!("digest state: h has {} words, expected 8", s.h.len()))?;
        if !(s.length >= 0.0 && s.length.fract() == 0.0 && s.length <= MAX_LENGTH as f64) {
            return Err(format!("digest state: length {} is not a byte count", s.length));
        }
        let length = s.length as u64;
        let tail = unhex(&s.tail).ok_or_else(|| format!("digest state: tail is not hex ({} chars)", s.tail.len()))?;
        if tail.len() as u64 != length % 64 {
            return Err(format!("digest state: tail of {} bytes after {length} bytes digested, expected {}", tail.len(), length % 64));
        }
        let mut block = [0u8; 64];
        block[..tail.len()].copy_from_slice(&tail);
        Ok(Sha256Stream { h, block, fill: tail.len(), length })
    }
}

fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(DIGITS[(x >> 4) as usize] as char);
        s.push(DIGITS[(x & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    b.chunks(2).map(|p| Some((nibble(p[0])? << 4) | nibble(p[1])?)).collect()
}

/// `ResumableSha256` of src/report/sha256-state.ts: the stream behind an N-API object.
#[napi(js_name = "Sha256Stream")]
pub struct JsSha256Stream {
    inner: Sha256Stream,
}

#[napi]
impl JsSha256Stream {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        JsSha256Stream { inner: Sha256Stream::default() }
    }

    /// Hashes `data` after what came before (any length, cut anywhere).
    #[napi]
    pub fn update(&mut self, data: BufferSlice) {
        self.inner.update(&data);
    }

    /// The digest so far, lowercase hex; the stream goes on unchanged.
    #[napi]
    pub fn hex(&self) -> String {
        hex(&self.inner.digest())
    }

    #[napi]
    pub fn save(&self) -> Sha256Saved {
        self.inner.save()
    }

    /// A stream in the state `save()` gave; throws `INVALID_ARG` for a state that cannot be one.
    #[napi(factory)]
    pub fn restore(state: Sha256Saved) -> crate::Result<Self> {
        Sha256Stream::restore(&state).map(|inner| JsSha256Stream { inner }).map_err(|m| crate::Failure::new(crate::INVALID_ARG, m).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// xorshift64*: reproducible bytes without a dependency.
    fn bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                (x.wrapping_mul(0x2545F4914F6CDD1D) >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn equals_sha2_for_every_length_and_cut() {
        for n in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4099] {
            let data = bytes(n as u64 + 7, n);
            let want: [u8; 32] = Sha256::digest(&data).into();
            for cut in [0, 1.min(n), n / 3, n / 2, n.saturating_sub(1), n] {
                let mut s = Sha256Stream::default();
                s.update(&data[..cut]);
                s.update(&data[cut..]);
                assert_eq!(s.digest(), want, "length {n}, cut at {cut}");
            }
        }
    }

    #[test]
    fn saved_mid_block_state_restores_to_the_same_digest() {
        let data = bytes(42, 10_000);
        let want: [u8; 32] = Sha256::digest(&data).into();
        for cut in [0usize, 1, 63, 64, 65, 4_097, 9_999, 10_000] {
            let mut a = Sha256Stream::default();
            a.update(&data[..cut]);
            let saved = a.save();
            assert_eq!(saved.tail.len(), cut % 64 * 2);
            let mut b = Sha256Stream::restore(&saved).unwrap();
            b.update(&data[cut..]);
            assert_eq!(b.digest(), want, "cut at {cut}");
        }
    }

    #[test]
    fn impossible_states_are_refused() {
        let good = Sha256Stream::default().save();
        let with = |f: &dyn Fn(&mut Sha256Saved)| {
            let mut s = Sha256Saved { h: good.h.clone(), length: good.length, tail: good.tail.clone() };
            f(&mut s);
            Sha256Stream::restore(&s).err().unwrap()
        };
        assert!(with(&|s| s.h.truncate(7)).contains("7 words"));
        assert!(with(&|s| s.length = -1.0).contains("byte count"));
        assert!(with(&|s| s.length = 0.5).contains("byte count"));
        assert!(with(&|s| s.tail = "zz".into()).contains("hex"));
        assert!(with(&|s| s.tail = "00".into()).contains("tail of 1 bytes"));
    }
}
