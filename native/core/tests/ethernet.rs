//! Spec §17: each rule of the Ethernet front end, and the order in which they are checked.

use riskgate_core::contract::eth;
use riskgate_core::ethernet::{classify, parse_frame, EthFilter, EthernetReceiver, Kept, ORDER_ENTRY_FLAG};

const GROUP: u32 = 0xE9360C6F; // 233.54.12.111
const PORT: u16 = 26477;
const ORDER_PORT: u16 = 26478;

fn checksum(h: &[u8]) -> u16 {
    let mut s: u32 = h.chunks(2).map(|w| u32::from(u16::from_be_bytes([w[0], w[1]]))).sum();
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    !(s as u16)
}

/// A frame carrying `payload` to GROUP:PORT, with `vlan`, `options` (IPv4 option words), padded to 60.
fn frame(payload: &[u8], vlan: bool, options: usize) -> Vec<u8> {
    let mut f = vec![0x01, 0x00, 0x5E, 0x36, 0x0C, 0x6F, 2, 0, 0, 0, 0, 1];
    if vlan {
        f.extend_from_slice(&[0x81, 0x00, 0x00, 0x07]);
    }
    f.extend_from_slice(&[0x08, 0x00]);
    let ihl = 5 + options;
    let total = ihl * 4 + 8 + payload.len();
    let mut ip = vec![0x40 | ihl as u8, 0, (total >> 8) as u8, total as u8, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1];
    ip.extend_from_slice(&GROUP.to_be_bytes());
    ip.extend(std::iter::repeat_n(1u8, options * 4));
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&ip);
    let ulen = 8 + payload.len();
    f.extend_from_slice(&[0x30, 0x39, (PORT >> 8) as u8, PORT as u8, (ulen >> 8) as u8, ulen as u8, 0, 0]);
    f.extend_from_slice(payload);
    while f.len() < 60 {
        f.push(0);
    }
    f
}

fn filter() -> EthFilter {
    EthFilter { group: GROUP, port: PORT, order_port: ORDER_PORT }
}

fn payload() -> Vec<u8> {
    (0..40u8).collect()
}

/// Re-checksums the IPv4 header at l3 after a field was changed.
fn fix_checksum(f: &mut [u8], l3: usize) {
    let ihl = usize::from(f[l3] & 15) * 4;
    f[l3 + 10] = 0;
    f[l3 + 11] = 0;
    let c = checksum(&f[l3..l3 + ihl]);
    f[l3 + 10..l3 + 12].copy_from_slice(&c.to_be_bytes());
}

#[test]
fn a_good_frame_yields_its_udp_payload_with_or_without_a_vlan_tag_and_options() {
    let p = payload();
    for vlan in [false, true] {
        for options in [0, 1, 10] {
            let f = frame(&p, vlan, options);
            let r = parse_frame(&f, &filter()).expect("kept");
            assert_eq!(&f[r], &p[..], "vlan {vlan} options {options}");
        }
    }
}

#[test]
fn ethernet_padding_after_the_ip_total_length_is_not_payload() {
    let p = [0xAAu8; 4];
    let f = frame(&p, false, 0);
    assert_eq!(f.len(), 60);
    let r = parse_frame(&f, &filter()).unwrap();
    assert_eq!(&f[r], &p[..]);
}

#[test]
fn each_rule_drops_with_its_own_reason() {
    let p = payload();
    let good = frame(&p, false, 0);
    let case = |name: &str, f: Vec<u8>, want: u8| assert_eq!(parse_frame(&f, &filter()), Err(want), "{name}");
    case("runt", good[..59].to_vec(), eth::RUNT);
    let mut big = frame(&vec![0; 1500 - 28], false, 0);
    assert_eq!(big.len(), 1514);
    assert!(parse_frame(&big, &filter()).is_ok());
    big.extend_from_slice(&[0; 5]);
    case("oversize", big, eth::OVERSIZE);
    let mut f = good.clone();
    f[12] = 0x86;
    f[13] = 0xDD;
    case("ipv6", f, eth::NOT_IPV4);
    let mut f = frame(&p, true, 0);
    f[16] = 0x81;
    f[17] = 0x00;
    case("double tag", f, eth::NOT_IPV4);
    let mut f = good.clone();
    f[14] = 0x65;
    fix_checksum(&mut f, 14);
    case("version 6", f, eth::IP_HEADER);
    let mut f = good.clone();
    f[14] = 0x44;
    case("ihl 4", f, eth::IP_HEADER);
    let mut f = good.clone();
    f[17] += 100;
    fix_checksum(&mut f, 14);
    case("total length past the frame", f, eth::IP_HEADER);
    let mut f = good.clone();
    f[24] ^= 0x01;
    case("checksum", f, eth::IP_CHECKSUM);
    let mut f = good.clone();
    f[20] = 0x20; // MF
    fix_checksum(&mut f, 14);
    case("more fragments", f, eth::FRAGMENT);
    let mut f = good.clone();
    f[20] = 0x40;
    f[21] = 0x01; // offset 8 bytes, DF set
    fix_checksum(&mut f, 14);
    case("fragment offset", f, eth::FRAGMENT);
    let mut f = good.clone();
    f[23] = 6;
    fix_checksum(&mut f, 14);
    case("tcp", f, eth::NOT_UDP);
    let mut f = good.clone();
    f[39] += 1;
    case("udp length", f, eth::UDP_LENGTH);
    let mut f = good.clone();
    f[33] = 0x70;
    fix_checksum(&mut f, 14);
    case("other group", f, eth::OTHER_GROUP);
    let mut f = good.clone();
    f[37] ^= 1;
    case("other port", f, eth::OTHER_PORT);
}

#[test]
fn the_first_failing_rule_is_the_reason() {
    // bad checksum and a fragment and another group: IP_CHECKSUM comes first
    let mut f = frame(&payload(), false, 0);
    f[20] = 0x20;
    f[33] = 0x70;
    assert_eq!(parse_frame(&f, &filter()), Err(eth::IP_CHECKSUM));
    // a fragment for another group: FRAGMENT before OTHER_GROUP
    fix_checksum(&mut f, 14);
    assert_eq!(parse_frame(&f, &filter()), Err(eth::FRAGMENT));
}

#[test]
fn the_df_flag_and_the_udp_checksum_are_ignored() {
    let mut f = frame(&payload(), false, 0);
    f[40] = 0xDE;
    f[41] = 0xAD;
    assert!(parse_frame(&f, &filter()).is_ok());
}

#[test]
fn the_receiver_counts_every_frame_once_and_streams_payloads() {
    let mut rx = EthernetReceiver::new(filter());
    let good = frame(&payload(), true, 0);
    let mut bad = good.clone();
    bad[30] ^= 0xFF;
    let mut stream = Vec::new();
    for f in [&good, &bad, &good[..40].to_vec(), &good] {
        stream.extend_from_slice(&(f.len() as u32).to_le_bytes());
        stream.extend_from_slice(f);
    }
    let mut out = Vec::new();
    assert_eq!(rx.receive_stream(&stream, &mut out), Ok(2));
    assert_eq!(out.len(), 2 * (4 + 40));
    assert_eq!(&out[4..44], &payload()[..]);
    let c = &rx.counters;
    assert_eq!((c.frames, c.accepted), (4, 2));
    assert_eq!(c.drops[usize::from(eth::IP_CHECKSUM) - 1], 1);
    assert_eq!(c.drops[usize::from(eth::RUNT) - 1], 1);
    assert_eq!(c.frames, c.accepted + c.drops.iter().sum::<u64>());
    assert!(rx.receive_stream(&stream[..stream.len() - 1], &mut out).is_err());
    assert!(rx.receive_stream(&[1, 0], &mut out).is_err());
}

/// `frame` with its UDP destination port set to `port` (the UDP checksum is not verified).
fn to_port(mut f: Vec<u8>, port: u16) -> Vec<u8> {
    let l3 = if f[12] == 0x81 { 18 } else { 14 };
    let l4 = l3 + usize::from(f[l3] & 15) * 4;
    f[l4 + 2..l4 + 4].copy_from_slice(&port.to_be_bytes());
    f
}

fn order_entry(ty: u8, len: usize) -> Vec<u8> {
    let mut p: Vec<u8> = (0..len as u8).collect();
    p[0] = ty;
    p
}

#[test]
fn an_order_entry_datagram_is_kept_for_the_order_port_when_it_carries_one_whole_frame() {
    for (ty, len) in [(b'{', 36), (b'}', 32)] {
        let f = to_port(frame(&order_entry(ty, len), false, 0), ORDER_PORT);
        assert_eq!(classify(&f, &filter()), Ok(Kept { payload: 42..42 + len, order: true }));
    }
    // the market-data port keeps whatever it carries, an order frame too (a MoldUDP64 packet to §15)
    let f = frame(&order_entry(b'{', 36), false, 0);
    assert_eq!(classify(&f, &filter()).map(|k| k.order), Ok(false));
    // rule 11: anything else to the order port
    for (ty, len) in [(b'{', 32), (b'}', 36), (b'{', 37), (b'~', 36), (b'{', 0), (b'}', 31)] {
        let f = to_port(frame(&order_entry(ty, len.max(1))[..len], false, 0), ORDER_PORT);
        assert_eq!(parse_frame(&f, &filter()), Err(eth::ORDER_FRAME), "type {ty} length {len}");
    }
    // rule 10 before rule 11; with both ports equal, market data wins
    let f = to_port(frame(&order_entry(b'{', 3), false, 0), ORDER_PORT + 1);
    assert_eq!(parse_frame(&f, &filter()), Err(eth::OTHER_PORT));
    let same = EthFilter { order_port: PORT, ..filter() };
    assert_eq!(classify(&frame(&order_entry(b'{', 36), false, 0), &same).map(|k| k.order), Ok(false));
}

#[test]
fn the_receiver_flags_order_entry_payloads_and_counts_them() {
    let mut rx = EthernetReceiver::new(filter());
    let md = frame(&payload(), false, 0);
    let ord = to_port(frame(&order_entry(b'}', 32), true, 1), ORDER_PORT);
    let bad = to_port(frame(&order_entry(b'}', 33), false, 0), ORDER_PORT);
    let mut stream = Vec::new();
    for f in [&md, &ord, &bad, &md] {
        stream.extend_from_slice(&(f.len() as u32).to_le_bytes());
        stream.extend_from_slice(f);
    }
    let mut out = Vec::new();
    assert_eq!(rx.receive_stream(&stream, &mut out), Ok(3));
    let len = |at: usize| u32::from_le_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]);
    assert_eq!(len(0), 40);
    assert_eq!(len(44), 32 | ORDER_ENTRY_FLAG);
    assert_eq!(&out[48..80], &order_entry(b'}', 32)[..]);
    assert_eq!(len(80), 40);
    let c = &rx.counters;
    assert_eq!((c.frames, c.accepted, c.orders), (4, 3, 1));
    assert_eq!(c.drops[usize::from(eth::ORDER_FRAME) - 1], 1);
    assert_eq!(c.to_vec().len(), 2 + eth::DROPS + 1);
    assert_eq!(*c.to_vec().last().unwrap(), 1);
}
