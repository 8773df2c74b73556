//! The replay's clearing hand-off (src/clearing/embedded.ts, `submitFills`) in Rust: the
//! EXECUTION records (spec §14.1) of one engine call's FILL records, the bytes
//! `FillExecutionWriter.write` writes, grouped by clearing thread (account id mod threads,
//! record order kept within a thread) so that JavaScript hands each thread its run in one copy.

use napi::bindgen_prelude::{BufferSlice, Float64ArraySlice};
use napi_derive::napi;
use riskgate_core::contract::execution as x;
use riskgate_core::contract::record::{fill, header, kind, SIZE};
use riskgate_core::contract::{EXECUTION_MAGIC, EXECUTION_VERSION};

/// Bytes per symbol in `symbols`: a validity byte (1: the symbol can be written as it is), then
/// the 8 space-padded ASCII bytes.
pub const SYMBOL_ENTRY: usize = 9;

/// Writes the executions of the FILL records of `records` into `out`, thread 0's first, then
/// thread 1's, …; `per_thread[i]` gets thread i's count. `account_ids`: the config's external
/// ids by account index; `symbols`: SYMBOL_ENTRY bytes per symbol index. Returns the number of
/// executions, or -1 (nothing usable written) when a FILL is not one the fast path takes as it
/// is — unknown symbol or account, bad side, zero price or qty, seq 0 — for the caller's own
/// path, which reports it.
#[napi]
pub fn fill_executions(records: BufferSlice, session: u32, account_ids: Float64ArraySlice, symbols: BufferSlice, mut out: BufferSlice, mut per_thread: Float64ArraySlice) -> napi::Result<f64> {
    let b: &[u8] = &records;
    let ids: &[f64] = &account_ids;
    let syms: &[u8] = &symbols;
    // SAFETY: a synchronous call on the JS thread: nothing else touches the array meanwhile.
    let counts = unsafe { per_thread.as_mut() };
    let threads = counts.len();
    if threads == 0 {
        return Err(napi::Error::from_reason("fillExecutions needs at least one thread"));
    }
    let end = b.len() - b.len() % SIZE;
    let fills = (0..end).step_by(SIZE).filter(|&o| b[o + header::KIND] == kind::FILL).count();
    if out.len() < fills * x::SIZE {
        return Err(napi::Error::from_reason(format!("fillExecutions: {fills} executions need {} bytes, out has {}", fills * x::SIZE, out.len())));
    }
    // Pass 1: each FILL's account id and thread, and where each thread's run starts.
    let mut shard_of = Vec::with_capacity(fills);
    counts.iter_mut().for_each(|c| *c = 0.0);
    for off in (0..end).step_by(SIZE).filter(|&o| b[o + header::KIND] == kind::FILL) {
        let Some(id) = valid_fill(b, off, ids, syms) else { return Ok(-1.0) };
        let t = (id % threads as u64) as usize;
        counts[t] += 1.0;
        shard_of.push((t, id as u32));
    }
    let mut next = Vec::with_capacity(threads);
    let mut at = 0usize;
    for c in counts.iter() {
        next.push(at);
        at += *c as usize;
    }
    // Pass 2: the bytes, each execution at its thread's next slot.
    let o: &mut [u8] = &mut out;
    for (off, (t, id)) in (0..end).step_by(SIZE).filter(|&o| b[o + header::KIND] == kind::FILL).zip(shard_of) {
        let e = &mut o[next[t] * x::SIZE..(next[t] + 1) * x::SIZE];
        next[t] += 1;
        let r = &b[off..off + SIZE];
        let s = r[header::SYMBOL] as usize * SYMBOL_ENTRY + 1;
        e[x::MAGIC..x::MAGIC + 4].copy_from_slice(&EXECUTION_MAGIC);
        e[x::VERSION] = EXECUTION_VERSION;
        e[x::SIDE] = r[header::AUX];
        e[x::LEG] = r[fill::LEG];
        e[x::ACCOUNT_INDEX] = r[fill::ACCOUNT_INDEX];
        e[x::SESSION..x::SESSION + 4].copy_from_slice(&session.to_le_bytes());
        e[x::ACCOUNT_ID..x::ACCOUNT_ID + 4].copy_from_slice(&id.to_le_bytes());
        // seq and ts: u48 in the record, u64 in the execution.
        e[x::SEQ..x::SEQ + 6].copy_from_slice(&r[header::SEQ..header::SEQ + 6]);
        e[x::SEQ + 6..x::SEQ + 8].fill(0);
        e[x::TS..x::TS + 6].copy_from_slice(&r[header::TS..header::TS + 6]);
        e[x::TS + 6..x::TS + 8].fill(0);
        e[x::SYMBOL..x::SYMBOL + 8].copy_from_slice(&syms[s..s + 8]);
        e[x::PRICE..x::PRICE + 4].copy_from_slice(&r[fill::PRICE..fill::PRICE + 4]);
        e[x::QTY..x::QTY + 4].copy_from_slice(&r[fill::QTY..fill::QTY + 4]);
    }
    Ok(fills as f64)
}

/// The FILL at `off` as the fast path takes it: its external account id, or None.
fn valid_fill(b: &[u8], off: usize, ids: &[f64], syms: &[u8]) -> Option<u64> {
    let r = &b[off..off + SIZE];
    let sym = r[header::SYMBOL] as usize;
    if syms.get(sym * SYMBOL_ENTRY) != Some(&1) || syms.len() < (sym + 1) * SYMBOL_ENTRY {
        return None;
    }
    let id = *ids.get(r[fill::ACCOUNT_INDEX] as usize)?;
    if !(id >= 0.0 && id <= u32::MAX as f64 && id.fract() == 0.0) {
        return None;
    }
    let side = r[header::AUX];
    let u32_at = |o: usize| u32::from_le_bytes([r[o], r[o + 1], r[o + 2], r[o + 3]]);
    if (side != b'B' && side != b'S') || u32_at(fill::PRICE) == 0 || u32_at(fill::QTY) == 0 || r[header::SEQ..header::SEQ + 6].iter().all(|&v| v == 0) {
        return None;
    }
    Some(id as u64)
}
