// rg_config: loading a valid blob (every header output, names, init pulses with their
// values), each of the 13 error codes from a mutated blob, and blob read-back.
#include "tb_common.h"

using namespace tb;

static constexpr int NS = 3, NA = 2;

static std::vector<uint8_t> good_blob() {
    std::vector<uint8_t> b(64 + 48 * NS + 32 * NA, 0);
    auto u16 = [&](int o, uint32_t v) { b[o] = v & 0xff; b[o + 1] = (v >> 8) & 0xff; };
    auto u32 = [&](int o, uint32_t v) { for (int i = 0; i < 4; i++) b[o + i] = (v >> (8 * i)) & 0xff; };
    auto u64 = [&](int o, uint64_t v) { for (int i = 0; i < 8; i++) b[o + i] = (v >> (8 * i)) & 0xff; };
    std::memcpy(&b[0], "RGC1", 4);
    u16(4, 1); b[6] = NS; b[7] = NA;
    u32(8, 100); u32(12, 256); u64(16, ((1ull << 48) + 99) / 100);
    b[24] = 30; b[25] = 1; b[26] = 1;
    u32(28, 77); u32(32, 3); u32(36, 1); u64(40, 1000000); u32(48, 500); u32(52, 3000);
    const char *names[NS] = {"AAPL    ", "MSFT    ", "X       "};
    for (int i = 0; i < NS; i++) {
        int o = 64 + 48 * i;
        std::memcpy(&b[o], names[i], 8);
        b[o + 8] = i % NA; b[o + 9] = i == 1; u16(o + 10, 30 + i);
        u32(o + 12, 2000 + i); u64(o + 16, 2500000000ull + i); u64(o + 24, 6000 + i);
        u64(o + 32, static_cast<uint64_t>(-static_cast<int64_t>(100 * i)));
    }
    for (int j = 0; j < NA; j++) {
        int o = 64 + 48 * NS + 32 * j;
        u32(o, 1001 + j); u32(o + 4, 40 + j); u64(o + 8, 250000000000ull + j); u64(o + 16, 5 * j);
    }
    return b;
}

struct Seen {
    int hdr = 0, sym = 0, acct = 0;
    bool kill = false;
    uint32_t sym_pos[4] = {0}, sym_lim[4] = {0}, sym_acct[4] = {0}, sym_kill[4] = {0}, sym_coll[4] = {0};
    uint64_t sym_not[4] = {0}, acct_credit[2] = {0}, acct_used[2] = {0};
    uint32_t acct_id[2] = {0}, acct_ord[2] = {0};
};

static int load(Bench &b, const std::vector<uint8_t> &blob, Seen &s) {
    auto &d = *b.dut;
    b.reset();
    d.rd_en = 0;
    for (size_t o = 0; o < blob.size(); o += 4) {
        uint32_t w = 0;
        for (int i = 0; i < 4 && o + i < blob.size(); i++) w |= static_cast<uint32_t>(blob[o + i]) << (8 * i);
        d.wr_en = 1; d.wr_addr = static_cast<uint16_t>(o); d.wr_data = w;
        b.tick();
    }
    d.wr_en = 1; d.wr_addr = 0x8000; d.wr_data = 1;
    b.tick();
    d.wr_en = 0;
    auto sample = [&] {
            if (d.init_hdr_we) { s.hdr++; s.kill = d.init_global_kill; }
            if (d.init_sym_we) {
                int i2 = d.init_sym_idx; s.sym++;
                s.sym_pos[i2] = d.init_sym_pos; s.sym_lim[i2] = d.init_sym_pos_limit; s.sym_acct[i2] = d.init_sym_acct;
                s.sym_kill[i2] = d.init_sym_kill; s.sym_coll[i2] = d.init_sym_collar; s.sym_not[i2] = d.init_sym_max_notional;
            }
            if (d.init_acct_we) {
                int j = d.init_acct_idx; s.acct++;
                s.acct_id[j] = d.init_acct_id; s.acct_ord[j] = d.init_acct_max_orders;
                s.acct_credit[j] = d.init_acct_credit; s.acct_used[j] = d.init_acct_used;
            }
    };
    for (int i = 0; i < 2000 && !d.ready && !d.error; i++) b.tick(sample);
    b.tick(sample);  // the last init pulse comes with ready
    return d.error;
}

int main() {
    Bench b("config", 2);
    auto &d = *b.dut;
    d.wr_en = 0;
    d.rd_en = 0;
    Seen s;
    auto blob = good_blob();
    CHECK_EQ(b, load(b, blob, s), 0u);
    CHECK(b, d.ready);
    CHECK(b, !d.loading);
    CHECK_EQ(b, d.n_symbols, NS);
    CHECK_EQ(b, d.n_accounts, NA);
    CHECK_EQ(b, d.tick, 100u);
    CHECK_EQ(b, d.tick_recip, ((1ull << 48) + 99) / 100);
    CHECK_EQ(b, d.w_shift, 30u);
    CHECK_EQ(b, d.gate, 1u);
    CHECK_EQ(b, d.session, 77u);
    CHECK_EQ(b, d.imb_num, 3u);
    CHECK_EQ(b, d.imb_den, 1u);
    CHECK_EQ(b, d.cooldown, 1000000ull);
    CHECK_EQ(b, d.max_spread, 500u);
    CHECK_EQ(b, d.clip, 3000u);
    CHECK_EQ(b, wide_bits(d.names, 0, 64), 0x4141504C20202020ull);   // "AAPL    " first char in the MSB
    CHECK_EQ(b, wide_bits(d.names, 64, 64), 0x4D53465420202020ull);
    CHECK_EQ(b, s.hdr, 1);
    CHECK_EQ(b, s.kill, true);
    CHECK_EQ(b, s.sym, NS);
    CHECK_EQ(b, s.acct, NA);
    for (int i = 0; i < NS; i++) {
        CHECK_EQ(b, s.sym_pos[i], static_cast<uint32_t>(-100 * i));
        CHECK_EQ(b, s.sym_lim[i], 6000u + i);
        CHECK_EQ(b, s.sym_acct[i], static_cast<uint32_t>(i % NA));
        CHECK_EQ(b, s.sym_kill[i], static_cast<uint32_t>(i == 1));
        CHECK_EQ(b, s.sym_coll[i], 30u + i);
        CHECK_EQ(b, s.sym_not[i], 2500000000ull + i);
    }
    for (int j = 0; j < NA; j++) {
        CHECK_EQ(b, s.acct_id[j], 1001u + j);
        CHECK_EQ(b, s.acct_ord[j], 40u + j);
        CHECK_EQ(b, s.acct_credit[j], 250000000000ull + j);
        CHECK_EQ(b, s.acct_used[j], 5ull * j);
    }
    // read-back
    d.rd_en = 1; d.rd_addr = 28;
    b.tick();
    d.rd_en = 0;
    b.tick([&] { CHECK_EQ(b, d.rd_data, 77u); });

    // every error code
    struct Mut { int code, idx; void (*f)(std::vector<uint8_t> &); };
    const Mut muts[] = {
        {1, 0, [](std::vector<uint8_t> &x) { x[3] = '2'; }},
        {2, 0, [](std::vector<uint8_t> &x) { x[4] = 2; }},
        {3, 0, [](std::vector<uint8_t> &x) { x[6] = 5; }},
        {3, 0, [](std::vector<uint8_t> &x) { x[6] = 0; }},
        {4, 0, [](std::vector<uint8_t> &x) { x[7] = 3; }},
        {5, 0, [](std::vector<uint8_t> &x) { x[8] = 0; }},
        {5, 0, [](std::vector<uint8_t> &x) { x[10] = 1; }},
        {6, 0, [](std::vector<uint8_t> &x) { x[13] = 2; }},
        {7, 0, [](std::vector<uint8_t> &x) { x[16] ^= 1; }},
        {8, 0, [](std::vector<uint8_t> &x) { x[24] = 64; }},
        {9, 0, [](std::vector<uint8_t> &x) { x[25] = 2; }},
        {9, 0, [](std::vector<uint8_t> &x) { x[26] = 2; }},
        {10, 1, [](std::vector<uint8_t> &x) { x[64 + 48 + 8] = 2; }},
        {11, 2, [](std::vector<uint8_t> &x) { x[64 + 96 + 9] = 2; }},
        {12, 0, [](std::vector<uint8_t> &x) { x[64 + 24 + 3] = 0x80; }},
        {13, 1, [](std::vector<uint8_t> &x) { std::memset(&x[64 + 48 + 32], 0, 8); x[64 + 48 + 35] = 0x80; }},
        {13, 2, [](std::vector<uint8_t> &x) { std::memset(&x[64 + 96 + 32], 0xFF, 8); x[64 + 96 + 35] = 0x7F; }},
    };
    for (const Mut &m : muts) {
        auto x = good_blob();
        m.f(x);
        Seen s2;
        CHECK_EQ(b, load(b, x, s2), static_cast<uint32_t>(m.code));
        CHECK(b, !d.ready);
        CHECK_EQ(b, d.err_index, static_cast<uint32_t>(m.idx));
    }
    // boundary values that are valid
    {
        auto x = good_blob();
        std::memset(&x[64 + 32], 0, 8); x[64 + 32] = 1; x[64 + 35] = 0x80;   // start = -(2^31 - 1)
        for (int i = 4; i < 8; i++) x[64 + 32 + i] = 0xFF;
        Seen s3;
        CHECK_EQ(b, load(b, x, s3), 0u);
        CHECK(b, d.ready);
    }
    return b.finish();
}
