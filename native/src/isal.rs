//! ISA-L's inflate, when this machine has it: `libisal.so.2` loaded at run time (no link-time
//! dependency, so the module still loads without it) through isal_shim.c. It inflates these
//! files in ~70% of zlib's CPU time (a 50M-message day: see README, bench:replay), and the
//! gunzip thread is half of the replay's critical path. `RISKGATE_GUNZIP=zlib-rs` turns it off.

use std::ffi::c_void;
use std::sync::OnceLock;

#[repr(C)]
struct RgIsal {
    _private: [u8; 0],
}

extern "C" {
    fn rg_isal_new(init: *mut c_void, inflate: *mut c_void) -> *mut RgIsal;
    fn rg_isal_reset(s: *mut RgIsal);
    fn rg_isal_step(s: *mut RgIsal, input: *const u8, in_len: u32, out: *mut u8, out_len: u32, used: *mut u32, made: *mut u32, finished: *mut i32, held: *mut u8, held_len: *mut u32) -> i32;
    fn rg_isal_free(s: *mut RgIsal);
}

/// The loaded library and its two entry points (kept for the life of the process).
struct Library {
    _lib: libloading::Library,
    init: *mut c_void,
    inflate: *mut c_void,
}
// SAFETY: function pointers into a library that is never unloaded.
unsafe impl Send for Library {}
unsafe impl Sync for Library {}

fn library() -> Option<&'static Library> {
    static LIB: OnceLock<Option<Library>> = OnceLock::new();
    LIB.get_or_init(|| {
        if std::env::var("RISKGATE_GUNZIP").is_ok_and(|v| v == "zlib-rs") {
            return None;
        }
        // SAFETY: loading a system library whose initialisers are plain C; soname major 2 is
        // the ABI isal_shim.c was compiled for.
        let lib = unsafe { libloading::Library::new("libisal.so.2") }.ok()?;
        // SAFETY: symbols of that ABI, used only through the shim with their C signatures.
        let init = unsafe { lib.get::<*mut c_void>(b"isal_inflate_init\0") }.ok()?;
        let inflate = unsafe { lib.get::<*mut c_void>(b"isal_inflate\0") }.ok()?;
        let (init, inflate) = (*init, *inflate);
        Some(Library { _lib: lib, init, inflate })
    })
    .as_ref()
}

/// One raw-deflate stream being inflated by ISA-L.
pub struct IsalInflater {
    state: *mut RgIsal,
}
// SAFETY: the state is owned by this value alone and used from one thread at a time.
unsafe impl Send for IsalInflater {}

/// One step's outcome.
pub struct Step {
    pub used: usize,
    pub made: usize,
    pub finished: bool,
    /// Input bytes taken (counted in `used`) that come after the end of the deflate stream.
    pub held: Vec<u8>,
}

impl IsalInflater {
    /// None when ISA-L is not available here (or turned off).
    pub fn new() -> Option<Self> {
        let lib = library()?;
        // SAFETY: the entry points come from libisal.so.2; the shim allocates the state.
        let state = unsafe { rg_isal_new(lib.init, lib.inflate) };
        (!state.is_null()).then_some(IsalInflater { state })
    }

    /// Ready for the next deflate stream (the next gzip member).
    pub fn reset(&mut self) {
        // SAFETY: a state from rg_isal_new, not freed.
        unsafe { rg_isal_reset(self.state) }
    }

    /// Inflates what it can of `input` into `out` (each at most 4 GiB: callers pass ≤ a few MiB).
    pub fn step(&mut self, input: &[u8], out: &mut [u8]) -> Result<Step, String> {
        let (mut used, mut made, mut finished, mut held, mut held_len) = (0u32, 0u32, 0i32, [0u8; 8], 0u32);
        let in_len = u32::try_from(input.len()).unwrap_or(u32::MAX);
        let out_len = u32::try_from(out.len()).unwrap_or(u32::MAX);
        // SAFETY: the pointers and lengths describe the two slices, which do not overlap.
        let r = unsafe { rg_isal_step(self.state, input.as_ptr(), in_len, out.as_mut_ptr(), out_len, &mut used, &mut made, &mut finished, held.as_mut_ptr(), &mut held_len) };
        if r < 0 {
            let what = match r {
                -1 => "invalid block",
                -2 => "invalid symbol",
                -3 => "invalid lookback distance",
                _ => "error",
            };
            return Err(format!("{what} (ISA-L status {r})"));
        }
        let held = held[..(held_len as usize).min(8)].to_vec();
        Ok(Step { used: used as usize, made: made as usize, finished: finished != 0, held })
    }
}

impl Drop for IsalInflater {
    fn drop(&mut self) {
        // SAFETY: a state from rg_isal_new, freed once.
        unsafe { rg_isal_free(self.state) }
    }
}
