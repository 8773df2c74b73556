// rg_eth_rx: random Ethernet frames — good ones (802.1Q tag or not, IPv4 options, Ethernet
// padding) and ones broken in each way of spec section 17 — against a byte-level reference
// model of the rules, with random gaps on the input and back-pressure on the outputs, order-entry
// datagrams to the order port (well-shaped `{`/`}` frames out whole on m_oframe, others
// ORDER_FRAME), and frames breaking the tkeep rule (a partial or empty beat before the last, a
// non-contiguous tkeep: refused whole, counted in stat_tkeep only). Checks every payload byte,
// its output, tkeep and tlast, the order frames' length and stamps (the cycles of their
// first and last beats), that the outputs keep arrival order, and every counter; and that an
// order frame is out two cycles after its last beat when the outputs are free.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace E = rg::contract::eth;

static constexpr uint32_t GROUP = 0xE9360C6F;  // 233.54.12.111
static constexpr uint16_t PORT = 26477;
static constexpr uint16_t ORDER_PORT = 26478;

static uint16_t be16(const std::vector<uint8_t> &f, size_t at) { return static_cast<uint16_t>(f[at] << 8 | f[at + 1]); }
static void put16(std::vector<uint8_t> &f, size_t at, uint32_t v) {
    f[at] = static_cast<uint8_t>(v >> 8);
    f[at + 1] = static_cast<uint8_t>(v);
}

// The reference model: the drop code (0 = kept), the payload of a kept frame and its route.
static int model(const std::vector<uint8_t> &f, std::vector<uint8_t> &payload, bool &order) {
    size_t len = f.size();
    if (len < E::MIN_FRAME) return E::RUNT;
    if (len > E::MAX_FRAME) return E::OVERSIZE;
    size_t l3;
    if (be16(f, 12) == 0x0800) l3 = 14;
    else if (be16(f, 12) == 0x8100 && be16(f, 16) == 0x0800) l3 = 18;
    else return E::NOT_IPV4;
    size_t ihl = (f[l3] & 15u) * 4u, total = be16(f, l3 + 2);
    if ((f[l3] >> 4) != 4 || ihl < 20 || total < ihl || l3 + total > len) return E::IP_HEADER;
    uint32_t s = 0;
    for (size_t i = 0; i < ihl; i += 2) s += be16(f, l3 + i);
    while (s > 0xFFFF) s = (s & 0xFFFF) + (s >> 16);
    if (s != 0xFFFF) return E::IP_CHECKSUM;
    if (be16(f, l3 + 6) & 0x3FFF) return E::FRAGMENT;
    if (f[l3 + 9] != 17) return E::NOT_UDP;
    size_t l4 = l3 + ihl;
    if (total - ihl < 8 || be16(f, l4 + 4) != total - ihl) return E::UDP_LENGTH;
    uint32_t dst = static_cast<uint32_t>(f[l3 + 16]) << 24 | f[l3 + 17] << 16 | f[l3 + 18] << 8 | f[l3 + 19];
    if (dst != GROUP) return E::OTHER_GROUP;
    uint16_t port = be16(f, l4 + 2);
    if (port != PORT && port != ORDER_PORT) return E::OTHER_PORT;
    payload.assign(f.begin() + static_cast<long>(l4 + 8), f.begin() + static_cast<long>(l3 + total));
    order = port == ORDER_PORT;
    if (order && !((payload.size() == 36 && payload[0] == '{') || (payload.size() == 32 && payload[0] == '}'))) return E::ORDER_FRAME;
    return 0;
}

static void fix_checksum(std::vector<uint8_t> &f, size_t l3) {
    size_t ihl = (f[l3] & 15u) * 4u;
    put16(f, l3 + 10, 0);
    uint32_t s = 0;
    for (size_t i = 0; i < ihl && l3 + i + 1 < f.size(); i += 2) s += be16(f, l3 + i);
    while (s > 0xFFFF) s = (s & 0xFFFF) + (s >> 16);
    put16(f, l3 + 10, ~s & 0xFFFF);
}

static std::vector<uint8_t> good_frame(Rng &r) {
    bool vlan = r.chance(0.4);
    size_t opts = r.chance(0.3) ? 4 * r.below(11) : 0;
    // an order-entry datagram a quarter of the time: mostly well-shaped, sometimes not
    bool order = r.chance(0.25);
    size_t pl = r.chance(0.2) ? r.below(24) : r.below(1472 - static_cast<uint32_t>(opts));
    uint8_t type0 = 0;
    if (order) {
        int k = static_cast<int>(r.below(10));
        type0 = k < 8 ? (k & 1 ? '}' : '{') : (k == 8 ? '~' : '{');
        pl = k < 8 ? (type0 == '{' ? 36 : 32) : (k == 8 ? 36 : 30 + r.below(10));
    }
    std::vector<uint8_t> f;
    for (int i = 0; i < 12; i++) f.push_back(static_cast<uint8_t>(r.below(256)));
    if (vlan) f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(r.below(16)), static_cast<uint8_t>(r.below(256))});
    f.insert(f.end(), {0x08, 0x00});
    size_t l3 = f.size(), ihl = 20 + opts, total = ihl + 8 + pl;
    f.resize(l3 + total);
    f[l3] = static_cast<uint8_t>(0x40 | ihl / 4);
    put16(f, l3 + 2, static_cast<uint32_t>(total));
    put16(f, l3 + 4, r.below(65536));
    put16(f, l3 + 6, r.chance(0.5) ? 0x4000 : 0);
    f[l3 + 8] = 64;
    f[l3 + 9] = 17;
    for (size_t i = 12; i < 16; i++) f[l3 + i] = static_cast<uint8_t>(r.below(256));
    put16(f, l3 + 16, GROUP >> 16);
    put16(f, l3 + 18, GROUP & 0xFFFF);
    for (size_t i = 20; i < ihl; i++) f[l3 + i] = static_cast<uint8_t>(r.below(256));
    fix_checksum(f, l3);
    size_t l4 = l3 + ihl;
    put16(f, l4, r.below(65536));
    put16(f, l4 + 2, order ? ORDER_PORT : PORT);
    put16(f, l4 + 4, static_cast<uint32_t>(8 + pl));
    put16(f, l4 + 6, r.below(65536));
    for (size_t i = 0; i < pl; i++) f[l4 + 8 + i] = static_cast<uint8_t>(r.below(256));
    if (order && pl > 0) f[l4 + 8] = type0;
    while (f.size() < 60) f.push_back(static_cast<uint8_t>(r.below(256)));  // padding, not payload
    if (r.chance(0.1)) f.push_back(0xEE);                                      // trailing bytes past the IPv4 total
    return f;
}

static void break_frame(Rng &r, std::vector<uint8_t> &f) {
    size_t l3 = be16(f, 12) == 0x8100 ? 18 : 14;
    switch (r.below(11)) {
        case 0: f.resize(r.below(60)); break;                                  // runt
        case 1: f.resize(1519 + r.below(40), 0x55); break;                      // oversize
        case 2: put16(f, l3 - 2, 0x86DD); break;                                // IPv6
        case 3: f[l3] = static_cast<uint8_t>((r.chance(0.5) ? 0x60 : 0x40) | r.below(5)); fix_checksum(f, l3); break;
        case 4: put16(f, l3 + 2, be16(f, l3 + 2) + 1 + r.below(100)); fix_checksum(f, l3); break;
        case 5: f[l3 + 1 + r.below(19)] ^= static_cast<uint8_t>(1 + r.below(255)); break;  // checksum
        case 6: put16(f, l3 + 6, r.chance(0.5) ? 0x2000 : 1 + r.below(0x1FFF)); fix_checksum(f, l3); break;
        case 7: f[l3 + 9] = r.chance(0.5) ? 6 : 1; fix_checksum(f, l3); break;
        case 8: { size_t l4 = l3 + (f[l3] & 15u) * 4u; put16(f, l4 + 4, be16(f, l4 + 4) ^ (1 + r.below(7))); break; }
        case 9: f[l3 + 19] ^= 1; fix_checksum(f, l3); break;                     // other group
        default: { size_t l4 = l3 + (f[l3] & 15u) * 4u; f[l4 + 3] ^= 2; break; } // other port (26477 <-> 26479, 26478 <-> 26476)
    }
}

int main() {
    Bench b("eth_rx", 7);
    Rng r(12);
    auto &d = *b.dut;
    d.cfg_group = GROUP;
    d.cfg_port = PORT;
    d.cfg_order_port = ORDER_PORT;
    d.s_axis_tvalid = 0;
    d.m_axis_tready = 0;
    d.m_oframe_ready = 0;
    d.cycle = 0;
    b.reset();

    // all frames back to back (random gaps on the input, random back-pressure on the output):
    // the next frame is received while the last kept one is sent
    struct Out {
        std::vector<uint8_t> bytes;
        bool order;
        uint64_t t_first = 0, t_last = 0;  // cycles of its first and last beats
    };
    std::deque<Out> expect;
    std::vector<std::vector<uint8_t>> frames_in;
    // a frame whose beat at byte split_at gets tkeep split_keep breaks the tkeep rule: a partial
    // or empty beat before the last, or a non-contiguous tkeep (a hole, or a lane past the
    // last byte of the last beat); it is refused whole and counted in stat_tkeep only
    std::vector<size_t> split_at;
    std::vector<uint8_t> split_keep;
    uint64_t frames = 0, accepted = 0, orders = 0, drops[E::DROPS] = {}, n_split = 0, n_hole = 0;
    for (int n = 0; n < 3000; n++) {
        std::vector<uint8_t> f = good_frame(r);
        if (r.chance(0.5)) break_frame(r, f);
        std::vector<uint8_t> p;
        bool order = false;
        int code = model(f, p, order);
        bool split = f.size() > 16 && r.chance(0.06);
        size_t at = SIZE_MAX;
        uint8_t keep = 0;
        if (split) {
            at = 8 * r.below(static_cast<uint32_t>((f.size() + 7) / 8));   // any beat, the last one too
            size_t nb = f.size() - at < 8 ? f.size() - at : 8;
            uint8_t full = static_cast<uint8_t>((1u << nb) - 1u);
            if (at + nb < f.size() && r.chance(0.5)) {
                keep = static_cast<uint8_t>(r.below(0xFF));                  // not 0xFF before the last
            } else {
                do keep = static_cast<uint8_t>(full ^ (1u << r.below(8))); while ((keep & (keep + 1)) == 0);
                n_hole++;                                                   // a hole, or a lane past the end
            }
        }
        split_at.push_back(at);
        split_keep.push_back(keep);
        if (split) {
            n_split++;
        } else {
            frames++;
            if (code == 0) {
                accepted++;
                if (order) orders++;
                expect.push_back({p, order, 0, 0});
            } else {
                drops[code - 1]++;
            }
        }
        frames_in.push_back(f);
    }
    std::vector<uint8_t> got;
    size_t fi = 0, off = 0, ei = 0;  // ei: the next kept frame whose beats are being offered
    uint64_t busy_out = 0, overlap = 0, t_first = 0, fast = 0, free_out = 0;
    // the cycle an order frame's last beat was taken, when both outputs were free and m_oframe
    // is always ready from then on (the latency check below)
    uint64_t watch_last = UINT64_MAX;
    for (uint64_t guard = 0; fi < frames_in.size() || !expect.empty(); guard++) {
        if (guard > 20000000) { CHECK(b, false && "stuck"); return b.finish(); }
        bool offer = fi < frames_in.size() && r.chance(0.9);
        const std::vector<uint8_t> &f = frames_in[fi < frames_in.size() ? fi : 0];
        size_t nb = offer ? (f.size() - off < 8 ? f.size() - off : 8) : 0;
        uint8_t keep = static_cast<uint8_t>((1u << nb) - 1u);
        if (offer && off == split_at[fi]) keep = split_keep[fi];   // the bytes still advance by nb
        uint64_t data = 0;
        for (size_t i = 0; i < 8; i++) data |= static_cast<uint64_t>(i < nb ? f[off + i] : r.below(256)) << (8 * i);
        d.s_axis_tvalid = offer;
        d.s_axis_tdata = offer ? data : r.next();
        d.s_axis_tkeep = offer ? keep : 0;
        d.s_axis_tlast = offer && off + nb >= f.size();
        d.m_axis_tready = r.chance(0.85);
        // m_oframe: mostly ready, sometimes held off for a stretch (frames queue behind it)
        d.m_oframe_ready = watch_last != UINT64_MAX || ((b.cycles / 64) % 8 != 3 && r.chance(0.85));
        d.cycle = b.cycles;
        bool took = false, out = false, last = false, in_ready = false, out_valid = false, on_order = false;
        bool free_now = false;
        uint64_t od = 0;
        uint8_t ok = 0, olen = 0;
        std::vector<uint8_t> ofr;
        uint64_t of_first = 0, of_last = 0;
        b.tick([&] {
            took = d.s_axis_tvalid && d.s_axis_tready;
            in_ready = d.s_axis_tready;
            CHECK(b, !(d.m_axis_tvalid && d.m_oframe_valid));
            free_now = !d.m_axis_tvalid && !d.m_oframe_valid;
            on_order = d.m_oframe_valid;
            out_valid = d.m_axis_tvalid || d.m_oframe_valid;
            out = (d.m_axis_tvalid && d.m_axis_tready) || (d.m_oframe_valid && d.m_oframe_ready);
            od = d.m_axis_tdata;
            ok = d.m_axis_tkeep;
            last = d.m_axis_tlast;
            if (on_order) {
                olen = static_cast<uint8_t>(d.m_oframe_len);
                for (uint32_t i = 0; i < olen && i < 36; i++) ofr.push_back(static_cast<uint8_t>(wide_bits(d.m_oframe_data, 8 * i, 8)));
                of_first = d.m_oframe_t_first;
                of_last = d.m_oframe_t_last;
            }
        });
        if (out_valid) busy_out++;
        if (out_valid && in_ready) overlap++;
        if (took) {
            uint64_t now = b.cycles - 1;  // the cycle the beat was taken in (d.cycle above)
            if (off == 0) t_first = now;
            off += nb;
            if (off >= f.size()) {
                // a kept frame: its stamps (the model's kept frames are expect's, in order)
                std::vector<uint8_t> p;
                bool order = false;
                if (split_at[fi] == SIZE_MAX && model(f, p, order) == 0) {
                    CHECK(b, ei < expect.size());
                    if (ei < expect.size()) {
                        expect[ei].t_first = t_first;
                        expect[ei].t_last = now;
                    }
                    ei++;
                    if (order && free_now && watch_last == UINT64_MAX && ei == 1) watch_last = now;  // nothing before it still out
                }
                fi++;
                off = 0;
            }
        }
        if (on_order && watch_last != UINT64_MAX && of_last == watch_last) {
            // out two cycles after its last beat (EVAL1, EVAL2), whole
            CHECK_EQ(b, b.cycles - 1, watch_last + 3);
            fast++;
            watch_last = UINT64_MAX;
        }
        if (free_now) free_out++;
        if (out && on_order) {
            CHECK(b, !expect.empty() && expect.front().order);
            if (expect.empty()) return b.finish();
            CHECK(b, ofr == expect.front().bytes);
            CHECK_EQ(b, static_cast<size_t>(olen), expect.front().bytes.size());
            CHECK_EQ(b, of_first, expect.front().t_first);
            CHECK_EQ(b, of_last, expect.front().t_last);
            CHECK(b, got.empty());
            expect.pop_front();
            ei--;
        } else if (out) {
            CHECK(b, !expect.empty());
            if (expect.empty()) return b.finish();
            for (int i = 0; i < 8 && ok >> i & 1; i++) got.push_back(static_cast<uint8_t>(od >> (8 * i)));
            uint8_t k = ok;
            CHECK(b, (k & (k + 1)) == 0);  // contiguous from lane 0
            CHECK_EQ(b, on_order, expect.front().order);
            if (last) {
                CHECK(b, got == expect.front().bytes);
                expect.pop_front();
                ei--;
                got.clear();
            } else {
                CHECK_EQ(b, k, 0xFF);
            }
        }
    }
    CHECK(b, overlap > busy_out / 2);  // the receiver is ready while the sender sends, most of the time
    d.s_axis_tvalid = 0;
    for (int i = 0; i < 8; i++) b.tick();
    CHECK(b, d.idle);
    CHECK_EQ(b, d.stat_frames, static_cast<uint32_t>(frames));
    CHECK_EQ(b, d.stat_accepted, static_cast<uint32_t>(accepted));
    CHECK_EQ(b, d.stat_orders, static_cast<uint32_t>(orders));
    CHECK_EQ(b, d.stat_tkeep, static_cast<uint32_t>(n_split));
    CHECK(b, orders > 200);
    CHECK(b, fast > 20);  // order frames timed on free outputs
    for (uint32_t k = 0; k < E::DROPS; k++) {
        CHECK_EQ(b, static_cast<uint32_t>(wide_bits(d.stat_drops, 32 * k, 32)), static_cast<uint32_t>(drops[k]));
        CHECK(b, drops[k] > 0);  // every reason was exercised
    }
    CHECK(b, n_split > 80 && n_hole > 40);
    std::printf("eth_rx: %llu frames judged, %llu accepted (%llu order-entry, %llu of them timed: out 2 cycles after the last beat); %llu refused for their tkeep (%llu non-contiguous); receiving while sending in %llu of %llu output cycles\n",
                static_cast<unsigned long long>(frames), static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(orders),
                static_cast<unsigned long long>(fast), static_cast<unsigned long long>(n_split),
                static_cast<unsigned long long>(n_hole), static_cast<unsigned long long>(overlap), static_cast<unsigned long long>(busy_out));
    return b.finish();
}
