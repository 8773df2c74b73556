# Decodes a capture with dpkt (an independent pcap/Ethernet/IPv4/UDP implementation) and
# classifies each frame by the rules of docs/spec.md section 17, written against dpkt's
# fields. Prints JSON: counts per class, the SHA-256 of the kept payloads in order, and how
# many kept frames have a valid UDP checksum. Usage: dpkt_check.py capture.pcap group port [order_port]
# (order_port: the order-entry stream of section 18.7, one `{` (36 bytes) or `}` (32) frame per datagram)
import hashlib, json, socket, struct, sys, warnings
import dpkt

warnings.simplefilter('ignore')
path, group, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
order_port = int(sys.argv[4]) if len(sys.argv) > 4 else 26478

def fold(s):
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return s

def words(b):
    if len(b) % 2:
        b += b'\0'
    return sum(struct.unpack('!%dH' % (len(b) // 2), b))

counts, kept, udp_ok = {}, hashlib.sha256(), 0
nanos = None
with open(path, 'rb') as f:
    reader = dpkt.pcap.Reader(f)
    nanos = reader.nano if hasattr(reader, 'nano') else None
    for ts, buf in reader:
        def count(k):
            counts[k] = counts.get(k, 0) + 1
        if len(buf) < 60: count('RUNT'); continue
        if len(buf) > 1518: count('OVERSIZE'); continue
        eth = dpkt.ethernet.Ethernet(buf)
        tags = getattr(eth, 'vlan_tags', []) or []
        # dpkt keeps type 0x8100 for a tagged frame and decodes the inner IPv4 as eth.data
        if not isinstance(eth.data, dpkt.ip.IP) or len(tags) > 1: count('NOT_IPV4'); continue
        l3 = 18 if tags else 14
        raw = buf[l3:]
        v, ihl = raw[0] >> 4, (raw[0] & 15) * 4
        total = struct.unpack('!H', raw[2:4])[0]
        if v != 4 or ihl < 20 or total < ihl or l3 + total > len(buf): count('IP_HEADER'); continue
        ip = dpkt.ip.IP(raw[:total])
        if fold(words(raw[:ihl])) != 0xFFFF: count('IP_CHECKSUM'); continue
        if (ip.mf) or ip.offset != 0: count('FRAGMENT'); continue
        if ip.p != 17: count('NOT_UDP'); continue
        if total - ihl < 8 or struct.unpack('!H', raw[ihl + 4:ihl + 6])[0] != total - ihl: count('UDP_LENGTH'); continue
        udp = ip.data
        if socket.inet_ntoa(ip.dst) != group: count('OTHER_GROUP'); continue
        if udp.dport != port and udp.dport != order_port: count('OTHER_PORT'); continue
        payload = bytes(udp.data)
        if udp.dport != port and not ((len(payload) == 36 and payload[0] == 0x7B) or (len(payload) == 32 and payload[0] == 0x7D)):
            count('ORDER_FRAME'); continue
        count('KEPT')
        kept.update(payload)
        pseudo = ip.src + ip.dst + struct.pack('!BBH', 0, 17, udp.ulen)
        if fold(words(pseudo) + words(bytes(raw[ihl:total]))) == 0xFFFF:
            udp_ok += 1
print(json.dumps({'counts': counts, 'keptSha256': kept.hexdigest(), 'udpChecksumOk': udp_ok}))
