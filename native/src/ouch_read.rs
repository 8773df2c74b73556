//! The N-API face of `riskgate_core::ouch_read` (the gateway's native read path, issue 13):
//! one call per client socket read, the orders written into the caller's Uint32Array.

use napi::bindgen_prelude::{BufferSlice, Uint32ArraySlice};
use napi_derive::napi;
use riskgate_core::ouch_read::{FastEnter, ReadScanner, Stop, WORDS_PER_ORDER};

/// Words at the start of the output before the first order: consumed offset, the session's
/// last UserRefNum after the orders, why the scan stopped (0 end, 1 partial, 2 bad length,
/// 3 other, 4 full), then 0s.
const HEADER_WORDS: usize = 8;

/// A read scanner for one gateway: its traded symbols (config order) and packet limit.
#[napi]
pub struct OuchReader {
    inner: ReadScanner,
    scratch: Vec<FastEnter>,
}

#[napi]
impl OuchReader {
    #[napi(constructor)]
    pub fn new(symbols: Vec<String>, max_packet: u32) -> Self {
        let bytes: Vec<&[u8]> = symbols.iter().map(|s| s.as_bytes()).collect();
        OuchReader { inner: ReadScanner::new(&bytes, max_packet as usize), scratch: Vec::new() }
    }

    /// Scans `data` from byte `from` (see riskgate_core::ouch_read): the plain Enter Orders in
    /// front of anything else, 8 words each from `out[8]` on (offsets absolute in `data`), as
    /// many as `out` holds; `out[0]` = where the ordinary path goes on, `out[1]` = the last
    /// UserRefNum taken, `out[2]` = why it stopped. Returns the number of orders.
    #[napi]
    pub fn scan(&mut self, data: BufferSlice, from: u32, last_user_ref_num: u32, mut out: Uint32ArraySlice) -> napi::Result<u32> {
        // SAFETY: a synchronous call on the JS thread: nothing else touches the array meanwhile.
        let out: &mut [u32] = unsafe { out.as_mut() };
        let from = from as usize;
        if out.len() < HEADER_WORDS || from > data.len() {
            return Err(napi::Error::from_reason("OuchReader.scan: out needs 8 words at least and from must be within data"));
        }
        let room = (out.len() - HEADER_WORDS) / WORDS_PER_ORDER;
        let blank = FastEnter { payload_at: 0, user_ref_num: 0, side: 0, quantity: 0, symbol: 0, price: 0, time_in_force: 0, display: 0, capacity: 0, ise: 0, cross_type: 0 };
        if self.scratch.len() < room {
            self.scratch.resize(room, blank);
        }
        let s = self.inner.scan(&data[from..], last_user_ref_num, &mut self.scratch[..room]);
        for (k, o) in self.scratch[..s.orders].iter().enumerate() {
            let w = &mut out[HEADER_WORDS + k * WORDS_PER_ORDER..HEADER_WORDS + (k + 1) * WORDS_PER_ORDER];
            o.write_words(w);
            w[0] += from as u32;
        }
        out[0] = (from + s.consumed) as u32;
        out[1] = s.last_user_ref_num;
        out[2] = match s.stop {
            Stop::End => 0,
            Stop::Partial => 1,
            Stop::BadLength => 2,
            Stop::Other => 3,
            Stop::Full => 4,
        };
        Ok(s.orders as u32)
    }
}
