//! riskgate-core: the software engine of docs/spec.md (version 2).
//!
//! Pure Rust, no I/O and no dependencies, so that it can be embedded behind N-API, in a
//! benchmark or in a test without dragging a runtime along. The normative description
//! of every byte lives in the spec; this crate's doc comments explain the choices made
//! to implement it quickly without changing a single output byte.
//!
//! Where things are (one concern per file, named after the spec):
//! - `engine`: orchestration: frames in, message effects, records out;
//! - `framing`: BinaryFILE frames and the output bound (§2); `itch`: message layouts (§3);
//! - `locate`: stock locate → symbol (§3.2);
//! - `book`: price window (§4), order table (§5), levels and flags (§6);
//! - `strategy`: the imbalance taker (§8.1); `risk`: pre-trade checks and fills (§8.2–§8.3);
//! - `control`: the in-band control message (§9); `config`: the config blob (§10);
//! - `records`: output records (§11); `stats`: counters (§12); `params`: build sizes (§1);
//! - `contract`: generated from contract/riskgate.toml (codes, bits, offsets, lengths);
//! - `ethernet`: the Ethernet/IPv4/UDP receive front end for captured frames (§17);
//! - `snapshot`: the engine's state as versioned bytes, to resume after a restart.
// No unsafe code, but for cache prefetch hints (book/order_table.rs, framing.rs, sink.rs), the
// huge-page mappings of the large tables (huge.rs) and the `Zeroable` marks of the types kept
// there (book/order_table.rs, book/levels.rs), allowed there alone.
#![deny(unsafe_code)]

pub mod book;
pub mod config;
pub mod contract;
pub mod control;
pub mod engine;
pub mod error;
pub mod ethernet;
pub mod framing;
pub mod huge;
pub mod itch;
pub mod locate;
pub mod order_entry;
pub mod ouch_read;
pub mod params;
pub mod records;
pub mod risk;
pub mod sink;
pub mod snapshot;
pub mod stats;
pub mod strategy;

pub use book::tick_quotient;
pub use config::{AccountConfig, Config, SymbolConfig};
pub use engine::{Engine, StreamStep};
pub use error::{EngineError, ErrorCode};
pub use framing::max_record_bytes;
pub use itch::MESSAGE_LEN;
pub use records::{Record, RECORD_SIZE, RECORD_VERSION};
pub use sink::{RecordSink, SliceSink};
pub use stats::Stats;

/// Allocates a fixed-size array on the heap without building it on the stack first
/// (the order table and book are megabytes).
pub(crate) fn boxed_array<T: Clone, const N: usize>(v: T) -> Box<[T; N]> {
    match vec![v; N].into_boxed_slice().try_into() {
        Ok(b) => b,
        // The vector has exactly N elements by construction.
        Err(_) => unreachable!("vec![v; N] has N elements"),
    }
}
