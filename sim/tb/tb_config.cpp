// rg_config: loading a valid blob (every header output, names, init pulses with their
// values, the duplicate window of config version 2), each error code from a mutated blob
// (a version 1 blob is refused), and blob read-back. Offsets, sizes, the version and the
// error codes come from the contract (sim/rg_contract.h).
#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;
namespace F = rg::contract::cfg;
namespace E = rg::contract::cfg_error;

static constexpr int NS = 3, NA = 2;
static constexpr uint32_t SYM0 = F::HEADER_SIZE, ACCT0 = F::HEADER_SIZE + F::SYMBOL_SIZE * NS;
static uint32_t sym_at(int i) { return SYM0 + F::SYMBOL_SIZE * i; }
static uint32_t acct_at(int j) { return ACCT0 + F::ACCOUNT_SIZE * j; }
static uint64_t dup_window(int j) { return j ? 0xFFFFFFFFFFFFFFFFull : 250000ull; }

static std::vector<uint8_t> good_blob() {
    std::vector<uint8_t> b(ACCT0 + F::ACCOUNT_SIZE * NA, 0);
    auto u16 = [&](int o, uint32_t v) { b[o] = v & 0xff; b[o + 1] = (v >> 8) & 0xff; };
    auto u32 = [&](int o, uint32_t v) { for (int i = 0; i < 4; i++) b[o + i] = (v >> (8 * i)) & 0xff; };
    auto u64 = [&](int o, uint64_t v) { for (int i = 0; i < 8; i++) b[o + i] = (v >> (8 * i)) & 0xff; };
    std::memcpy(&b[F::HDR_MAGIC], "RGC1", 4);
    u16(F::HDR_VERSION, C::CONFIG_VERSION); b[F::HDR_N_SYMBOLS] = NS; b[F::HDR_N_ACCOUNTS] = NA;
    u32(F::HDR_TICK, 100); u32(F::HDR_WINDOW_TICKS, 256); u64(F::HDR_TICK_RECIP, ((1ull << 48) + 99) / 100);
    b[F::HDR_W_SHIFT] = 30; b[F::HDR_GATE_MARKET_HOURS] = 1; b[F::HDR_GLOBAL_KILL] = 1;
    u32(F::HDR_SESSION, 77); u32(F::HDR_IMB_NUM, 3); u32(F::HDR_IMB_DEN, 1); u64(F::HDR_COOLDOWN_NS, 1000000);
    u32(F::HDR_MAX_SPREAD, 500); u32(F::HDR_CLIP_QTY, 3000); u64(F::HDR_FINGERPRINT, 0xF1E2D3C4B5A69788ull);
    const char *names[NS] = {"AAPL    ", "MSFT    ", "X       "};
    for (int i = 0; i < NS; i++) {
        int o = sym_at(i);
        std::memcpy(&b[o + F::SYM_NAME], names[i], 8);
        b[o + F::SYM_ACCOUNT] = i % NA; b[o + F::SYM_KILL] = i == 1; u16(o + F::SYM_COLLAR_BPS, 30 + i);
        u32(o + F::SYM_MAX_QTY, 2000 + i); u64(o + F::SYM_MAX_NOTIONAL, 2500000000ull + i);
        u64(o + F::SYM_POSITION_LIMIT, 6000 + i);
        u64(o + F::SYM_START_POSITION, static_cast<uint64_t>(-static_cast<int64_t>(100 * i)));
    }
    for (int j = 0; j < NA; j++) {
        int o = acct_at(j);
        u32(o + F::ACCT_ID, 1001 + j); u32(o + F::ACCT_MAX_ORDERS, 40 + j);
        u64(o + F::ACCT_CREDIT_LIMIT, 250000000000ull + j); u64(o + F::ACCT_START_USED_CREDIT, 5 * j);
        u64(o + F::ACCT_DUP_WINDOW_NS, dup_window(j));
    }
    return b;
}

struct Seen {
    int hdr = 0, sym = 0, acct = 0;
    bool kill = false;
    uint32_t sym_pos[4] = {0}, sym_lim[4] = {0}, sym_acct[4] = {0}, sym_kill[4] = {0}, sym_coll[4] = {0};
    uint64_t sym_not[4] = {0}, acct_credit[2] = {0}, acct_used[2] = {0}, acct_dup[2] = {0};
    uint32_t acct_id[2] = {0}, acct_ord[2] = {0};
};

static int load(Bench &b, const std::vector<uint8_t> &blob, Seen &s) {
    auto &d = *b.dut;
    b.reset();
    d.rd_en = 0;
    for (size_t o = 0; o < blob.size(); o += 4) {
        uint32_t w = 0;
        for (int i = 0; i < 4 && o + i < blob.size(); i++) w |= static_cast<uint32_t>(blob[o + i]) << (8 * i);
        d.wr_en = 1; d.wr_addr = static_cast<uint16_t>(C::reg::BLOB + o); d.wr_data = w;
        b.tick();
    }
    d.wr_en = 1; d.wr_addr = C::reg::CONTROL; d.wr_data = C::reg::CONTROL_LOAD;
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
                s.acct_dup[j] = d.init_acct_dup_window;
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
    CHECK_EQ(b, d.fingerprint, 0xF1E2D3C4B5A69788ull);   // read, not verified
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
        CHECK_EQ(b, s.acct_dup[j], dup_window(j));
    }
    // read-back
    d.rd_en = 1; d.rd_addr = C::reg::BLOB + F::HDR_SESSION;
    b.tick();
    d.rd_en = 0;
    b.tick([&] { CHECK_EQ(b, d.rd_data, 77u); });

    // every error code
    struct Mut { uint32_t code; int idx; void (*f)(std::vector<uint8_t> &); };
    const Mut muts[] = {
        {E::MAGIC, 0, [](std::vector<uint8_t> &x) { x[F::HDR_MAGIC + 3] = '2'; }},
        {E::VERSION, 0, [](std::vector<uint8_t> &x) { x[F::HDR_VERSION] = 1; }},    // version 1 is refused
        {E::VERSION, 0, [](std::vector<uint8_t> &x) { x[F::HDR_VERSION] = C::CONFIG_VERSION + 1; }},
        {E::VERSION, 0, [](std::vector<uint8_t> &x) { x[F::HDR_VERSION + 1] = 1; }},
        {E::N_SYMBOLS, 0, [](std::vector<uint8_t> &x) { x[F::HDR_N_SYMBOLS] = 5; }},
        {E::N_SYMBOLS, 0, [](std::vector<uint8_t> &x) { x[F::HDR_N_SYMBOLS] = 0; }},
        {E::N_ACCOUNTS, 0, [](std::vector<uint8_t> &x) { x[F::HDR_N_ACCOUNTS] = 3; }},
        {E::TICK, 0, [](std::vector<uint8_t> &x) { x[F::HDR_TICK] = 0; }},
        {E::TICK, 0, [](std::vector<uint8_t> &x) { x[F::HDR_TICK + 2] = 1; }},
        {E::WINDOW_TICKS, 0, [](std::vector<uint8_t> &x) { x[F::HDR_WINDOW_TICKS + 1] = 2; }},
        {E::TICK_RECIP, 0, [](std::vector<uint8_t> &x) { x[F::HDR_TICK_RECIP] ^= 1; }},
        {E::W_SHIFT, 0, [](std::vector<uint8_t> &x) { x[F::HDR_W_SHIFT] = 64; }},
        {E::HEADER_FLAG, 0, [](std::vector<uint8_t> &x) { x[F::HDR_GATE_MARKET_HOURS] = 2; }},
        {E::HEADER_FLAG, 0, [](std::vector<uint8_t> &x) { x[F::HDR_GLOBAL_KILL] = 2; }},
        {E::SYMBOL_ACCOUNT, 1, [](std::vector<uint8_t> &x) { x[sym_at(1) + F::SYM_ACCOUNT] = 2; }},
        {E::SYMBOL_KILL, 2, [](std::vector<uint8_t> &x) { x[sym_at(2) + F::SYM_KILL] = 2; }},
        {E::POSITION_LIMIT, 0, [](std::vector<uint8_t> &x) { x[sym_at(0) + F::SYM_POSITION_LIMIT + 3] = 0x80; }},
        {E::START_POSITION, 1, [](std::vector<uint8_t> &x) {
             std::memset(&x[sym_at(1) + F::SYM_START_POSITION], 0, 8); x[sym_at(1) + F::SYM_START_POSITION + 3] = 0x80; }},
        {E::START_POSITION, 2, [](std::vector<uint8_t> &x) {
             std::memset(&x[sym_at(2) + F::SYM_START_POSITION], 0xFF, 8); x[sym_at(2) + F::SYM_START_POSITION + 3] = 0x7F; }},
    };
    for (const Mut &m : muts) {
        auto x = good_blob();
        m.f(x);
        Seen s2;
        CHECK_EQ(b, load(b, x, s2), m.code);
        CHECK(b, !d.ready);
        CHECK_EQ(b, d.err_index, static_cast<uint32_t>(m.idx));
    }
    // boundary values that are valid
    {
        auto x = good_blob();
        const uint32_t o = sym_at(0) + F::SYM_START_POSITION;   // start = -(2^31 - 1)
        std::memset(&x[o], 0, 8); x[o] = 1; x[o + 3] = 0x80;
        for (int i = 4; i < 8; i++) x[o + i] = 0xFF;
        Seen s3;
        CHECK_EQ(b, load(b, x, s3), 0u);
        CHECK(b, d.ready);
    }
    // a zero duplicate window (check off) loads as such
    {
        auto x = good_blob();
        std::memset(&x[acct_at(1) + F::ACCT_DUP_WINDOW_NS], 0, 8);
        Seen s4;
        CHECK_EQ(b, load(b, x, s4), 0u);
        CHECK_EQ(b, s4.acct_dup[0], dup_window(0));
        CHECK_EQ(b, s4.acct_dup[1], 0ull);
    }
    return b.finish();
}
