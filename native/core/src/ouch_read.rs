//! The gateway's native read path (spec §16.1, §16.3, §16.6; issue 13): one pass over the bytes
//! of a client socket read that cuts the SoupBinTCP packets and decodes and checks the plain
//! Enter Orders among them, so that the control plane gets a read's orders from one call
//! instead of framing and decoding each packet field by field.
//!
//! Only the common case is taken: an Unsequenced Data packet whose payload is an Enter Order
//! without appendage, with every field a value the TypeScript decoder (src/ouch/codec.ts)
//! accepts, a UserRefNum above the session's last one and a symbol the gateway trades. The
//! scan stops in front of the first packet that is anything else — another packet type or
//! message, a bad or unknown value, a used or out-of-sequence UserRefNum, a symbol not traded,
//! a packet length outside 1..max, a packet cut off by the end of the read — and says where:
//! the caller hands the rest of the read, from exactly that byte, to its ordinary path, which
//! answers it as it always did (rejects, Debug packets, counters, audit). So the scan never
//! decides anything the ordinary path would decide differently; it only does the happy path's
//! framing and decoding at once. Pure Rust, no N-API types: the napi crate wraps it.

use crate::contract::ouch_inbound::enter_order as enter;
use crate::contract::soupbintcp;

// Layouts from the contract (contract/riskgate.toml, generated into contract.rs), under the
// short names this file reads them by.
/// SoupBinTCP length field: big-endian u16 of what follows (type byte and payload).
const LENGTH_FIELD: usize = soupbintcp::LENGTH_FIELD;
/// SoupBinTCP Unsequenced Data (client to server).
const UNSEQUENCED_DATA: u8 = soupbintcp::UNSEQUENCED_DATA;
/// OUCH 5.0 Enter Order: type byte and size without appendage.
const ENTER_ORDER: u8 = enter::TYPE;
const ENTER_SIZE: usize = enter::SIZE;
/// Enter Order field offsets within the OUCH message.
const F_USER_REF: usize = enter::USER_REF_NUM;
const F_SIDE: usize = enter::SIDE;
const F_QTY: usize = enter::QUANTITY;
const F_SYMBOL: usize = enter::SYMBOL;
const F_PRICE: usize = enter::PRICE;
const F_TIF: usize = enter::TIME_IN_FORCE;
const F_DISPLAY: usize = enter::DISPLAY;
const F_CAPACITY: usize = enter::CAPACITY;
const F_ISE: usize = enter::INTER_MARKET_SWEEP_ELIGIBILITY;
const F_CROSS: usize = enter::CROSS_TYPE;
const F_CLORDID: usize = enter::CL_ORD_ID;
const CLORDID_LEN: usize = enter::CL_ORD_ID_LEN;
const F_APPENDAGE_LEN: usize = enter::APPENDAGE_LENGTH;
const SYMBOL_LEN: usize = enter::SYMBOL_LEN;
// The widths this file's reads assume: a contract change that breaks one stops the build.
const _: () = assert!(
    LENGTH_FIELD == 2
        && enter::USER_REF_NUM_LEN == 4
        && enter::QUANTITY_LEN == 4
        && enter::PRICE_LEN == 8
        && enter::SIDE_LEN == 1
        && enter::TIME_IN_FORCE_LEN == 1
        && enter::DISPLAY_LEN == 1
        && enter::CAPACITY_LEN == 1
        && enter::INTER_MARKET_SWEEP_ELIGIBILITY_LEN == 1
        && enter::CROSS_TYPE_LEN == 1
        && enter::APPENDAGE_LENGTH_LEN == 2
        && F_APPENDAGE_LEN + 2 == ENTER_SIZE
);
/// OUCH quantity 1..999,999 and limit price $0.0001..$199,999.9900 (src/ouch/codec.ts).
const MAX_QUANTITY: u32 = 999_999;
const MAX_PRICE: u64 = 1_999_999_900;

/// Words per order in the scan's output (see `FastEnter::write_words`).
pub const WORDS_PER_ORDER: usize = 8;

/// One plain Enter Order of a read, decoded and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastEnter {
    /// Offset of the OUCH message (its type byte) in the scanned bytes.
    pub payload_at: u32,
    pub user_ref_num: u32,
    pub side: u8,
    pub quantity: u32,
    /// Index of the symbol in the scanner's table (the gateway's traded symbols, config order).
    pub symbol: u32,
    /// Price units (dollars × 10,000), 1..=MAX_PRICE (fits a u32).
    pub price: u32,
    pub time_in_force: u8,
    pub display: u8,
    pub capacity: u8,
    pub ise: u8,
    pub cross_type: u8,
}

impl FastEnter {
    /// The order as `WORDS_PER_ORDER` u32 words: payload offset, UserRefNum, quantity, price,
    /// symbol index, then side | time in force << 8 | display << 16 | capacity << 24, and
    /// interMarketSweepEligibility | crossType << 8, and 0.
    pub fn write_words(&self, out: &mut [u32]) {
        out[0] = self.payload_at;
        out[1] = self.user_ref_num;
        out[2] = self.quantity;
        out[3] = self.price;
        out[4] = self.symbol;
        out[5] = u32::from(self.side) | u32::from(self.time_in_force) << 8 | u32::from(self.display) << 16 | u32::from(self.capacity) << 24;
        out[6] = u32::from(self.ise) | u32::from(self.cross_type) << 8;
        out[7] = 0;
    }
}

/// Why a scan stopped where it did (`Scan::consumed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Every byte of the read was taken.
    End,
    /// A packet is cut off by the end of the read (the ordinary path keeps its bytes).
    Partial,
    /// A packet length of 0 or above the maximum.
    BadLength,
    /// A packet that is not a plain Enter Order the scan takes (see the module doc).
    Other,
    /// The caller's output holds no more orders.
    Full,
}

/// What one scan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Bytes taken: whole packets, each a plain Enter Order. The ordinary path starts here.
    pub consumed: usize,
    /// Orders written.
    pub orders: usize,
    /// The session's last UserRefNum after these orders.
    pub last_user_ref_num: u32,
    pub stop: Stop,
}

/// The traded symbols (up to 8 bytes each, as the config spells them) and the packet limit.
#[derive(Debug, Clone)]
pub struct ReadScanner {
    /// Each symbol's 8 bytes padded with spaces, as they are on the wire.
    symbols: Vec<[u8; SYMBOL_LEN]>,
    max_packet: usize,
}

/// Symbols as the config and ITCH spell them (codec.ts's SYMBOL): printable, no space or lowercase.
fn symbol_byte(b: u8) -> bool {
    (0x21..=0x60).contains(&b) || (0x7b..=0x7e).contains(&b)
}

fn printable(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl ReadScanner {
    /// `symbols`: the traded symbols in the gateway's order. A symbol that is not 1..=8 symbol
    /// characters is never matched (the ordinary path refuses such an order anyway).
    pub fn new(symbols: &[&[u8]], max_packet: usize) -> Self {
        let symbols = symbols
            .iter()
            .map(|s| {
                let mut w = [0u8; SYMBOL_LEN];
                if !s.is_empty() && s.len() <= SYMBOL_LEN && s.iter().all(|&b| symbol_byte(b)) {
                    w[..s.len()].copy_from_slice(s);
                    w[s.len()..].fill(b' ');
                }
                // else all zero bytes: no wire symbol equals it (0 is not printable).
                w
            })
            .collect();
        ReadScanner { symbols, max_packet }
    }

    /// Scans `data` from its start: each whole packet that is a plain Enter Order with a
    /// UserRefNum above `last_user_ref_num` (and above the one before it) is decoded into
    /// `out`, at most `out.len()` orders; the scan stops in front of anything else.
    pub fn scan(&self, data: &[u8], last_user_ref_num: u32, out: &mut [FastEnter]) -> Scan {
        let mut at = 0;
        let mut n = 0;
        let mut last = last_user_ref_num;
        let stop = loop {
            if at == data.len() {
                break Stop::End;
            }
            if data.len() - at < LENGTH_FIELD {
                break Stop::Partial;
            }
            let len = usize::from(u16::from_be_bytes([data[at], data[at + 1]]));
            if len < 1 || len > self.max_packet {
                break Stop::BadLength;
            }
            if data.len() - at - LENGTH_FIELD < len {
                break Stop::Partial;
            }
            if n == out.len() {
                break Stop::Full;
            }
            let packet = &data[at + LENGTH_FIELD..at + LENGTH_FIELD + len];
            let Some(mut o) = self.enter(packet, last) else { break Stop::Other };
            o.payload_at = (at + LENGTH_FIELD + 1) as u32;
            last = o.user_ref_num;
            out[n] = o;
            n += 1;
            at += LENGTH_FIELD + len;
        };
        Scan { consumed: at, orders: n, last_user_ref_num: last, stop }
    }

    /// The packet (type byte and payload) as a plain Enter Order, or None.
    fn enter(&self, packet: &[u8], last: u32) -> Option<FastEnter> {
        if packet.len() != 1 + ENTER_SIZE || packet[0] != UNSEQUENCED_DATA {
            return None;
        }
        let m = &packet[1..];
        if m[0] != ENTER_ORDER || m[F_APPENDAGE_LEN] != 0 || m[F_APPENDAGE_LEN + 1] != 0 {
            return None;
        }
        let user_ref_num = u32_at(m, F_USER_REF);
        if user_ref_num <= last {
            return None;
        }
        let side = m[F_SIDE];
        if !matches!(side, b'B' | b'S' | b'T' | b'E') {
            return None;
        }
        let quantity = u32_at(m, F_QTY);
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            return None;
        }
        let price = u64::from_be_bytes(m[F_PRICE..F_PRICE + 8].try_into().ok()?);
        if !(1..=MAX_PRICE).contains(&price) {
            return None;
        }
        let (time_in_force, display, capacity, ise, cross_type) = (m[F_TIF], m[F_DISPLAY], m[F_CAPACITY], m[F_ISE], m[F_CROSS]);
        if !matches!(time_in_force, b'0' | b'3' | b'5' | b'6' | b'E')
            || !matches!(display, b'Y' | b'N' | b'A')
            || !matches!(capacity, b'A' | b'P' | b'R' | b'O')
            || !matches!(ise, b'Y' | b'N')
            || cross_type != b'N'
        {
            return None;
        }
        if !m[F_CLORDID..F_CLORDID + CLORDID_LEN].iter().all(|&b| printable(b)) {
            return None;
        }
        let sym = &m[F_SYMBOL..F_SYMBOL + SYMBOL_LEN];
        // The table's entries are valid symbols padded with spaces: equal bytes mean the wire
        // symbol decodes (printable, trailing spaces trimmed) to that symbol.
        let symbol = self.symbols.iter().position(|s| s[..] == *sym)?;
        Some(FastEnter {
            payload_at: 0,
            user_ref_num,
            side,
            quantity,
            symbol: symbol as u32,
            price: price as u32,
            time_in_force,
            display,
            capacity,
            ise,
            cross_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enter(ref_num: u32, symbol: &str) -> Vec<u8> {
        let mut m = vec![0u8; ENTER_SIZE];
        m[0] = ENTER_ORDER;
        m[F_USER_REF..F_USER_REF + 4].copy_from_slice(&ref_num.to_be_bytes());
        m[F_SIDE] = b'B';
        m[F_QTY..F_QTY + 4].copy_from_slice(&100u32.to_be_bytes());
        let mut s = [b' '; 8];
        s[..symbol.len()].copy_from_slice(symbol.as_bytes());
        m[F_SYMBOL..F_SYMBOL + 8].copy_from_slice(&s);
        m[F_PRICE..F_PRICE + 8].copy_from_slice(&1_899_000u64.to_be_bytes());
        m[F_TIF] = b'3';
        m[F_DISPLAY] = b'Y';
        m[F_CAPACITY] = b'A';
        m[F_ISE] = b'N';
        m[F_CROSS] = b'N';
        m[F_CLORDID..F_CLORDID + CLORDID_LEN].copy_from_slice(b"RG1           ");
        m
    }

    fn packet(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut p = ((payload.len() + 1) as u16).to_be_bytes().to_vec();
        p.push(kind);
        p.extend_from_slice(payload);
        p
    }

    fn scanner() -> ReadScanner {
        ReadScanner::new(&[b"AAPL", b"MSFT", b"bad sym", b"NVDA"], 1024)
    }

    fn run(data: &[u8], last: u32) -> (Scan, Vec<FastEnter>) {
        let mut out = [FastEnter { payload_at: 0, user_ref_num: 0, side: 0, quantity: 0, symbol: 0, price: 0, time_in_force: 0, display: 0, capacity: 0, ise: 0, cross_type: 0 }; 16];
        let s = scanner().scan(data, last, &mut out);
        (s, out[..s.orders].to_vec())
    }

    #[test]
    fn takes_every_plain_enter_order_of_a_read() {
        let mut d = packet(b'U', &enter(5, "MSFT"));
        d.extend(packet(b'U', &enter(6, "NVDA")));
        let (s, o) = run(&d, 4);
        assert_eq!(s, Scan { consumed: d.len(), orders: 2, last_user_ref_num: 6, stop: Stop::End });
        assert_eq!((o[0].payload_at, o[0].user_ref_num, o[0].symbol, o[0].quantity, o[0].price), (3, 5, 1, 100, 1_899_000));
        assert_eq!((o[1].payload_at, o[1].symbol), (3 + 50, 3));
        let mut w = [0u32; WORDS_PER_ORDER];
        o[0].write_words(&mut w);
        assert_eq!(w, [3, 5, 100, 1_899_000, 1, u32::from(b'B') | u32::from(b'3') << 8 | u32::from(b'Y') << 16 | u32::from(b'A') << 24, u32::from(b'N') | u32::from(b'N') << 8, 0]);
    }

    #[test]
    fn stops_in_front_of_a_packet_cut_off() {
        let mut d = packet(b'U', &enter(1, "AAPL"));
        let first = d.len();
        let second = packet(b'U', &enter(2, "AAPL"));
        d.extend_from_slice(&second[..10]);
        let (s, o) = run(&d, 0);
        assert_eq!((s.consumed, s.orders, s.stop), (first, 1, Stop::Partial));
        assert_eq!(o[0].user_ref_num, 1);
        // One byte of a length field.
        let (s, _) = run(&d[..first + 1], 0);
        assert_eq!((s.consumed, s.stop), (first, Stop::Partial));
    }

    #[test]
    fn stops_in_front_of_anything_else() {
        let ok = packet(b'U', &enter(1, "AAPL"));
        let at = ok.len();
        let cases: Vec<(Vec<u8>, Stop)> = vec![
            (packet(b'R', &[]), Stop::Other),                                     // heartbeat
            (packet(b'O', &[]), Stop::Other),                                     // logout
            (packet(b'U', &[b'X', 0, 0, 0, 1, 0, 0, 0, 0]), Stop::Other),         // cancel
            (packet(b'U', &enter(1, "AAPL")), Stop::Other),                       // duplicate UserRefNum
            (packet(b'U', &enter(7, "IBM")), Stop::Other),                        // not traded
            (packet(b'U', &enter(7, "bad sym")), Stop::Other),                    // not a symbol
            (packet(b'U', &enter(7, "AAPL")[..46]), Stop::Other),                 // short
            (vec![0, 0], Stop::BadLength),
            (vec![0x04, 0x01], Stop::BadLength),
        ];
        for (bad, stop) in cases {
            let mut d = ok.clone();
            d.extend_from_slice(&bad);
            d.extend(packet(b'U', &enter(9, "AAPL")));
            let (s, o) = run(&d, 0);
            assert_eq!((s.consumed, s.orders, s.last_user_ref_num, s.stop), (at, 1, 1, stop), "{bad:?}");
            assert_eq!(o.len(), 1);
        }
    }

    #[test]
    fn every_field_outside_what_the_decoder_accepts_stops_the_scan() {
        let fields: Vec<(usize, &[u8])> = vec![
            (F_SIDE, b"X "),
            (F_TIF, b"1"),
            (F_DISPLAY, b"B"),
            (F_CAPACITY, b"X"),
            (F_ISE, b"A"),
            (F_CROSS, b"O"),
            (F_CLORDID + 3, b"\x7f"),
            (F_SYMBOL, b" AAPL   "),
            (F_APPENDAGE_LEN + 1, b"\x01"),
        ];
        for (off, bytes) in fields {
            let mut m = enter(3, "AAPL");
            m[off] = bytes[0];
            let (s, _) = run(&packet(b'U', &m), 0);
            assert_eq!((s.consumed, s.stop), (0, Stop::Other), "field at {off}");
        }
        for (q, ok) in [(0u32, false), (1, true), (999_999, true), (1_000_000, false)] {
            let mut m = enter(3, "AAPL");
            m[F_QTY..F_QTY + 4].copy_from_slice(&q.to_be_bytes());
            assert_eq!(run(&packet(b'U', &m), 0).0.orders, usize::from(ok), "quantity {q}");
        }
        for (p, ok) in [(0u64, false), (1, true), (MAX_PRICE, true), (MAX_PRICE + 1, false), (1 << 40, false)] {
            let mut m = enter(3, "AAPL");
            m[F_PRICE..F_PRICE + 8].copy_from_slice(&p.to_be_bytes());
            assert_eq!(run(&packet(b'U', &m), 0).0.orders, usize::from(ok), "price {p}");
        }
    }

    #[test]
    fn out_of_room_stops_at_a_packet_boundary() {
        let mut d = Vec::new();
        for r in 1..=20 {
            d.extend(packet(b'U', &enter(r, "AAPL")));
        }
        let (s, o) = run(&d, 0);
        assert_eq!((s.consumed, s.orders, s.last_user_ref_num, s.stop), (16 * 50, 16, 16, Stop::Full));
        assert_eq!(o[15].user_ref_num, 16);
        let (s, _) = run(&d[s.consumed..], s.last_user_ref_num);
        assert_eq!((s.orders, s.stop), (4, Stop::End));
    }

    #[test]
    fn a_small_packet_limit_is_a_bad_length() {
        let sc = ReadScanner::new(&[b"AAPL"], 40);
        let d = packet(b'U', &enter(1, "AAPL"));
        let mut out = [FastEnter { payload_at: 0, user_ref_num: 0, side: 0, quantity: 0, symbol: 0, price: 0, time_in_force: 0, display: 0, capacity: 0, ise: 0, cross_type: 0 }; 1];
        assert_eq!(sc.scan(&d, 0, &mut out).stop, Stop::BadLength);
    }
}
