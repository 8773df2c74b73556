//! The Ethernet/IPv4/UDP receive front end (spec §17): which captured frames carry a
//! MoldUDP64 packet or an order-entry frame (§18.7) for us, and why the others are dropped.
//!
//! `classify` is the rule list of §17 as a pure function, checked in the spec's order so
//! that the first failing rule is the drop reason (the card, hdl/rg_eth_rx.v, counts the
//! same reason). `EthernetReceiver` adds the counters both engines report.

use crate::contract::{eth, order_frame, venue_frame};
use std::ops::Range;

/// Destination group and ports the front end keeps (the card's ETH_GROUP / ETH_PORT /
/// ETH_ORDER_PORT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthFilter {
    /// IPv4 address a.b.c.d as `(a << 24) | (b << 16) | (c << 8) | d`.
    pub group: u32,
    /// Market data: the payload is a MoldUDP64 packet.
    pub port: u16,
    /// Order entry: the payload is one `{` or `}` frame (spec §18.7). When equal to `port`,
    /// market data wins.
    pub order_port: u16,
}

impl Default for EthFilter {
    fn default() -> Self {
        EthFilter { group: eth::DEFAULT_GROUP, port: eth::DEFAULT_PORT, order_port: eth::DEFAULT_ORDER_PORT }
    }
}

/// A kept frame: where its UDP payload is, and which stream it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub payload: Range<usize>,
    /// The payload is an order-entry frame (to the order port), not a MoldUDP64 packet.
    pub order: bool,
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_VLAN: u16 = 0x8100;
const PROTO_UDP: u8 = 17;
const UDP_HEADER: usize = 8;

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// One's-complement sum of big-endian 16-bit words, folded to 16 bits.
fn ones_complement_sum(words: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for w in words.chunks_exact(2) {
        sum += u32::from(be16(w, 0));
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    sum as u16
}

/// The byte range of the UDP payload of a kept frame, or the code (`contract::eth::*`,
/// 1-based) of the first §17 rule it fails. `frame` has no FCS.
pub fn parse_frame(frame: &[u8], filter: &EthFilter) -> Result<Range<usize>, u8> {
    classify(frame, filter).map(|k| k.payload)
}

/// A kept frame's payload and stream, or the code of the first §17 rule it fails.
pub fn classify(frame: &[u8], filter: &EthFilter) -> Result<Kept, u8> {
    let len = frame.len();
    if len < eth::MIN_FRAME {
        return Err(eth::RUNT);
    }
    if len > eth::MAX_FRAME {
        return Err(eth::OVERSIZE);
    }
    // Rule 2: Ethernet II with at most one 802.1Q tag (min frame 60 > 18: both in reach).
    let l3 = match be16(frame, 12) {
        ETHERTYPE_IPV4 => 14,
        ETHERTYPE_VLAN if be16(frame, 16) == ETHERTYPE_IPV4 => 18,
        _ => return Err(eth::NOT_IPV4),
    };
    // Rule 3: the IPv4 header and its total length (the first 20 bytes are within 60).
    let version = frame[l3] >> 4;
    let header = usize::from(frame[l3] & 0x0F) * 4;
    let total = usize::from(be16(frame, l3 + 2));
    if version != 4 || header < 20 || total < header || l3 + total > len {
        return Err(eth::IP_HEADER);
    }
    if ones_complement_sum(&frame[l3..l3 + header]) != 0xFFFF {
        return Err(eth::IP_CHECKSUM);
    }
    let flags_fragment = be16(frame, l3 + 6);
    if flags_fragment & 0x3FFF != 0 {
        // MF (bit 13) or a fragment offset (bits 12..0); DF (bit 14) is ignored.
        return Err(eth::FRAGMENT);
    }
    if frame[l3 + 9] != PROTO_UDP {
        return Err(eth::NOT_UDP);
    }
    let l4 = l3 + header;
    let ip_payload = total - header;
    if ip_payload < UDP_HEADER || usize::from(be16(frame, l4 + 4)) != ip_payload {
        return Err(eth::UDP_LENGTH);
    }
    let dst = u32::from_be_bytes([frame[l3 + 16], frame[l3 + 17], frame[l3 + 18], frame[l3 + 19]]);
    if dst != filter.group {
        return Err(eth::OTHER_GROUP);
    }
    let port = be16(frame, l4 + 2);
    let order = port != filter.port;
    if order && port != filter.order_port {
        return Err(eth::OTHER_PORT);
    }
    let payload = l4 + UDP_HEADER..l3 + total;
    if order && !is_order_entry_frame(&frame[payload.clone()]) {
        return Err(eth::ORDER_FRAME);
    }
    Ok(Kept { payload, order })
}

/// Rule 11: an order-entry datagram carries one whole `{` frame (36 bytes) or `}` frame (32).
fn is_order_entry_frame(p: &[u8]) -> bool {
    (p.len() == order_frame::LEN && p[0] == order_frame::TYPE)
        || (p.len() == venue_frame::LEN && p[0] == venue_frame::TYPE)
}

/// Bit 31 of a length prefix in `receive_stream`'s output: the payload is an order-entry frame.
pub const ORDER_ENTRY_FLAG: u32 = 1 << 31;

/// The front end's counters (§17): every frame is either accepted or dropped for one reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EthCounters {
    pub frames: u64,
    /// Frames kept, both streams.
    pub accepted: u64,
    /// Index `code - 1`.
    pub drops: [u64; eth::DROPS],
    /// Frames kept for the order-entry port (ETH_ORDER_FRAMES).
    pub orders: u64,
}

impl EthCounters {
    /// frames, accepted, the drops by code, then orders: the card's ETH_FRAMES, ETH_ACCEPTED,
    /// ETH_DROPS window and ETH_ORDER_FRAMES.
    pub fn to_vec(&self) -> Vec<u64> {
        let mut v = vec![self.frames, self.accepted];
        v.extend_from_slice(&self.drops);
        v.push(self.orders);
        v
    }
}

/// The front end with its filter and counters.
#[derive(Clone, Debug, Default)]
pub struct EthernetReceiver {
    pub filter: EthFilter,
    pub counters: EthCounters,
}

impl EthernetReceiver {
    pub fn new(filter: EthFilter) -> Self {
        EthernetReceiver { filter, counters: EthCounters::default() }
    }

    /// Counts one frame; the payload of a kept one, and whether it is an order-entry frame.
    pub fn receive<'a>(&mut self, frame: &'a [u8]) -> Option<(&'a [u8], bool)> {
        self.counters.frames += 1;
        match classify(frame, &self.filter) {
            Ok(k) => {
                self.counters.accepted += 1;
                self.counters.orders += u64::from(k.order);
                Some((&frame[k.payload], k.order))
            }
            Err(code) => {
                self.counters.drops[usize::from(code) - 1] += 1;
                None
            }
        }
    }

    /// Frames of a stream where each is prefixed by its length (u32 little-endian, the
    /// sim's `rg_sim_push_frames` input) → the kept payloads, in order, prefixed the same way
    /// (an order-entry frame's length with `ORDER_ENTRY_FLAG` set).
    /// A stream that ends inside a length or a frame is an error (the caller built it).
    pub fn receive_stream(&mut self, stream: &[u8], out: &mut Vec<u8>) -> Result<usize, String> {
        let mut off = 0;
        let mut kept = 0;
        while off < stream.len() {
            if off + 4 > stream.len() {
                return Err(format!("frame stream ends inside a length prefix at offset {off}"));
            }
            let n = u32::from_le_bytes([stream[off], stream[off + 1], stream[off + 2], stream[off + 3]]) as usize;
            let start = off + 4;
            let end = start.checked_add(n).filter(|&e| e <= stream.len()).ok_or_else(|| {
                format!("frame stream: a frame of {n} bytes at offset {off} runs past its end ({} bytes)", stream.len())
            })?;
            if let Some((p, order)) = self.receive(&stream[start..end]) {
                let flag = if order { ORDER_ENTRY_FLAG } else { 0 };
                out.extend_from_slice(&(p.len() as u32 | flag).to_le_bytes());
                out.extend_from_slice(p);
                kept += 1;
            }
            off = end;
        }
        Ok(kept)
    }
}
