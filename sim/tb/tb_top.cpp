// riskgate_top at small parameters (4 symbols, L = 256, 16 sets x 2 ways), end to end
// through the register port and the AXI-Stream ports: parameters and status registers,
// config load, the spec section 13 worked example, a table-full drop raising COLLISION
// (flags change alone: no record; next tuple change: TOB with COLLISION), an in-band
// CLEAR_COLLISION control message, statistics registers, latency stamps, idle.
#include <deque>

#include "tb_common.h"

using namespace tb;

struct Sim {
    Bench &b;
    std::deque<std::pair<uint64_t, std::pair<uint8_t, bool>>> beats;
    std::vector<std::vector<uint8_t>> recs;
    uint64_t stamps = 0;
    explicit Sim(Bench &bb) : b(bb) {}
    void cycle(bool wr = false, uint32_t wa = 0, uint32_t wd = 0, bool rd = false, uint32_t ra = 0, uint32_t *rv = nullptr, bool *got = nullptr) {
        auto &d = *b.dut;
        d.reg_wr_en = wr; d.reg_wr_addr = wa; d.reg_wr_data = wd; d.reg_rd_en = rd; d.reg_rd_addr = ra;
        d.s_axis_tvalid = !beats.empty();
        if (!beats.empty()) { d.s_axis_tdata = beats.front().first; d.s_axis_tkeep = beats.front().second.first; d.s_axis_tlast = beats.front().second.second; }
        d.m_axis_tready = 1;
        b.tick([&] {
            if (d.s_axis_tvalid && d.s_axis_tready) beats.pop_front();
            if (d.rst) return;  // outputs are undefined until reset has been applied
            if (d.m_axis_tvalid) { std::vector<uint8_t> x(32); wide_to_bytes(d.m_axis_tdata, x.data(), 32); recs.push_back(x); }
            if (d.m_lat_valid) stamps++;
            if (d.reg_rd_valid && got) { *got = true; *rv = d.reg_rd_data; }
        });
    }
    uint32_t rd(uint32_t a) {
        uint32_t v = 0; bool got = false;
        cycle(false, 0, 0, true, a, &v, &got);
        for (int i = 0; i < 10 && !got; i++) cycle(false, 0, 0, false, 0, &v, &got);
        CHECK(b, got);
        return v;
    }
    void wr(uint32_t a, uint32_t v) { cycle(true, a, v); }
    void packet(uint64_t seq, const std::vector<std::vector<uint8_t>> &msgs) {
        std::vector<uint8_t> p(20, 0);
        std::memcpy(p.data(), "TESTBENCH ", 10);
        put_be(&p[10], seq, 8);
        uint16_t cnt = 0;
        for (auto &m : msgs) {
            p.push_back(static_cast<uint8_t>(m.size() >> 8)); p.push_back(static_cast<uint8_t>(m.size()));
            p.insert(p.end(), m.begin(), m.end());
            if (!(m.size() == 20 && m[0] == '~')) cnt++;
        }
        put_be(&p[18], cnt, 2);
        for (size_t o = 0; o < p.size(); o += 8) {
            uint64_t w = 0; size_t n = std::min<size_t>(8, p.size() - o);
            for (size_t i = 0; i < n; i++) w |= static_cast<uint64_t>(p[o + i]) << (8 * i);
            beats.push_back({w, {static_cast<uint8_t>((1u << n) - 1), o + 8 >= p.size()}});
        }
    }
    void drain() {
        for (int i = 0; i < 2000 && !(beats.empty() && b.dut->idle); i++) cycle();
        for (int i = 0; i < 3; i++) cycle();
    }
};

static std::vector<uint8_t> msg(char t, int len, uint16_t locate, uint64_t ts) {
    std::vector<uint8_t> m(len, 0);
    m[0] = static_cast<uint8_t>(t);
    put_be(&m[1], locate, 2);
    put_be(&m[5], ts, 6);
    return m;
}
static std::vector<uint8_t> add(uint64_t ref, char side, uint32_t shares, uint32_t price, uint64_t ts) {
    auto m = msg('A', 36, 1, ts);
    put_be(&m[11], ref, 8); m[19] = static_cast<uint8_t>(side); put_be(&m[20], shares, 4);
    std::memcpy(&m[24], "TEST    ", 8); put_be(&m[32], price, 4);
    return m;
}

int main() {
    Bench b("top", 7);
    auto &d = *b.dut;
    Sim s(b);
    d.rst = 1;
    for (int i = 0; i < 3; i++) s.cycle();
    d.rst = 0;
    for (int i = 0; i < 9000 && (s.rd(0x8004) & 4); i += 16) for (int k = 0; k < 16; k++) s.cycle();
    CHECK_EQ(b, s.rd(0x8008), 0x02040204u);   // {WAYS, SET_BITS, MAX_ACCOUNTS, MAX_SYMBOLS}
    CHECK_EQ(b, s.rd(0x800C), 256u);
    CHECK_EQ(b, s.rd(0x8018), 0x52470001u);
    CHECK_EQ(b, s.rd(0x8004) & 1, 0u);        // not ready before config

    // config: one symbol TEST on account 0 (id 501), TICK 100, L 256, IMB 3/1, no market-hours gate
    std::vector<uint8_t> blob(64 + 48 + 32, 0);
    auto u32 = [&](int o, uint32_t v) { for (int i = 0; i < 4; i++) blob[o + i] = (v >> (8 * i)) & 0xff; };
    auto u64 = [&](int o, uint64_t v) { for (int i = 0; i < 8; i++) blob[o + i] = (v >> (8 * i)) & 0xff; };
    std::memcpy(&blob[0], "RGC1", 4); blob[4] = 1; blob[6] = 1; blob[7] = 1;
    u32(8, 100); u32(12, 256); u64(16, ((1ull << 48) + 99) / 100); blob[24] = 30;
    u32(28, 7); u32(32, 3); u32(36, 1); u64(40, 1000); u32(48, 500); u32(52, 3000);
    std::memcpy(&blob[64], "TEST    ", 8); blob[74] = 30; u32(76, 1000); u64(80, 500000000ull); u64(88, 5000);
    u32(112, 501); u32(116, 100); u64(120, 10000000000ull);
    for (size_t o = 0; o < blob.size(); o += 4) s.wr(static_cast<uint32_t>(o), blob[o] | blob[o + 1] << 8 | blob[o + 2] << 16 | blob[o + 3] << 24);
    s.wr(0x8000, 1);
    for (int i = 0; i < 200 && !(s.rd(0x8004) & 1); i++) s.cycle();
    CHECK_EQ(b, s.rd(0x8004) & 0xFF01, 1u);   // ready, no error
    CHECK_EQ(b, s.rd(0x803C), 7u);

    // spec section 13 (with L = 256: base_q = 1000 - 128)
    auto R = msg('R', 39, 1, 100);
    std::memcpy(&R[11], "TEST    ", 8);
    s.packet(1, {R, add(1, 'B', 100, 100000, 1000), add(2, 'S', 300, 100200, 1200)});
    s.drain();
    CHECK_EQ(b, s.recs.size(), 3u);
    if (s.recs.size() >= 3) {
        CHECK_EQ(b, s.recs[0][1], 1); CHECK_EQ(b, s.recs[0][4], 2);
        CHECK_EQ(b, s.recs[1][1], 1); CHECK_EQ(b, s.recs[1][4], 3);
        uint32_t askpx = s.recs[1][24] | s.recs[1][25] << 8 | s.recs[1][26] << 16 | s.recs[1][27] << 24;
        CHECK_EQ(b, askpx, 100200u);
        CHECK_EQ(b, s.recs[2][1], 2); CHECK_EQ(b, s.recs[2][3], 'S');
        CHECK_EQ(b, s.recs[2][24] | s.recs[2][25] << 8, 32u);   // NO_REF
        CHECK_EQ(b, s.recs[2][26], 0);                            // rejected
    }
    // collision: refs 0x11 and 0x22 fold to set 0 with ref 0 ... fill set 0 (2 ways), the third is dropped
    s.recs.clear();
    s.packet(4, {add(0x11, 'B', 10, 99000, 2000), add(0x22, 'B', 10, 98000, 2100), add(0x33, 'B', 50, 99900, 2200)});
    s.drain();
    // 0x11 and 0x22: 2 ways of set 0 -> 0x33 dropped: flags change alone (COLLISION), no record for it
    CHECK_EQ(b, s.recs.size(), 0u);   // 0x11/0x22 are worse than the bid: tuple unchanged
    s.packet(7, {add(0x45, 'B', 5, 100000, 2300)});   // set 1 (0x45 folds to 1): bid size 105 -> TOB with COLLISION
    s.drain();
    CHECK_EQ(b, s.recs.size() >= 1, true);
    if (!s.recs.empty()) { CHECK_EQ(b, s.recs[0][1], 1); CHECK_EQ(b, s.recs[0][3], 4); }
    // in-band CLEAR_COLLISION (S = last_seq + 1 = 8), then a tuple change -> flags 0
    s.recs.clear();
    std::vector<uint8_t> c(20, 0);
    c[0] = '~'; c[1] = 9; put_be(&c[2], 0, 2); put_be(&c[4], 8, 8);
    s.packet(8, {c, add(0x56, 'B', 5, 100000, 2400)});
    s.drain();
    CHECK_EQ(b, s.recs.size(), 2u);
    if (s.recs.size() >= 2) {
        CHECK_EQ(b, s.recs[0][1], 4); CHECK_EQ(b, s.recs[0][3], 9); CHECK_EQ(b, s.recs[0][4], 8);
        CHECK_EQ(b, s.recs[1][1], 1); CHECK_EQ(b, s.recs[1][3], 0);
    }
    // statistics registers
    auto st = [&](int k) { return s.rd(0x9000 + 8 * k); };
    CHECK_EQ(b, st(0), 8u);   // messages
    CHECK_EQ(b, st(2), 1u);   // table_full
    CHECK_EQ(b, st(3), 2u);   // flagged: the dropped add and the next one
    CHECK_EQ(b, st(4), 4u);   // tob
    CHECK_EQ(b, st(5), 1u);   // decisions
    CHECK_EQ(b, st(9), 1u);   // controls
    CHECK_EQ(b, s.rd(0x9000 + 4 * (512 + 2 * 'A')), 7u);
    CHECK_EQ(b, s.rd(0x9000 + 4 * (512 + 2 * 'R')), 1u);
    CHECK_EQ(b, s.rd(0x8020), 4u);          // packets
    CHECK_EQ(b, s.rd(0x8028), 0u);          // gaps
    CHECK_EQ(b, s.rd(0x8034), 9u);          // next expected seq
    CHECK_EQ(b, s.stamps, 3u + 1u + 2u);
    CHECK(b, d.idle);
    return b.finish();
}
