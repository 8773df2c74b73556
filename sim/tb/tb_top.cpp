// riskgate_top at small parameters (4 symbols, L = 256, 2 banks of 16 sets x 2 ways, 1 stash
// and 1 ghost slot), end to end through the register port and the AXI-Stream ports:
// parameters and status registers, config load, the spec section 13 worked example; orders
// that share both home sets fill bank 0's set, bank 1's set and the stash (no record: the
// top of book is unchanged), the next becomes a ghost (COLLISION: a TOB on the flags change
// alone, record version 2) and the next is dropped untracked; deleting the ghost leaves
// COLLISION set (an order is untracked) until an in-band CLEAR_COLLISION; a new ghost,
// executed (last trade) and deleted, clears COLLISION by itself (a TOB again); statistics
// registers (the order table's counters and peaks), latency stamps, idle; then a DUPLICATE
// end to end: an accepted sell, the same sell again within the account's window (rejected,
// reason DUPLICATE), an in-band DUP_WINDOW 0 and the same sell accepted.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"
#include "tb_order_hash.h"

using namespace tb;
namespace C = rg::contract;
namespace F = rg::contract::cfg;
namespace RG = rg::contract::reg;

static uint32_t rec_u32(const std::vector<uint8_t> &r, uint32_t o) { return r[o] | r[o + 1] << 8 | r[o + 2] << 16 | static_cast<uint32_t>(r[o + 3]) << 24; }
static uint32_t rec_u16(const std::vector<uint8_t> &r, uint32_t o) { return r[o] | r[o + 1] << 8; }

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
        d.s_eth_axis_tvalid = 0;  // the Ethernet input (rg_eth_rx) has a bench of its own
        d.s_axis_order_tvalid = 0;  // the order-entry input: driven through the C ABI (test/hw/order-entry)
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
            if (!(m.size() == C::CONTROL_LEN && m[0] == '~')) cnt++;
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
    b.power_up_done();
    // the clear sweeps: the locate table's 2^14 words (four banks side by side) are the longest
    for (int i = 0; i < 17000 && (s.rd(RG::STATUS) & RG::STATUS_CLEARING); i += 16) for (int k = 0; k < 16; k++) s.cycle();
    CHECK_EQ(b, s.rd(RG::STATUS) & RG::STATUS_CLEARING, 0u);
    const uint32_t p0 = s.rd(RG::PARAM0);     // tb_top.top: 4 symbols, 2 accounts, 2^4 sets x 2 ways
    CHECK_EQ(b, (p0 >> RG::PARAM0_MAX_SYMBOLS_LO) & 0xFF, 4u);
    CHECK_EQ(b, (p0 >> RG::PARAM0_MAX_ACCOUNTS_LO) & 0xFF, 2u);
    CHECK_EQ(b, (p0 >> RG::PARAM0_SET_BITS_LO) & 0xFF, 4u);
    CHECK_EQ(b, (p0 >> RG::PARAM0_WAYS_LO) & 0xFF, 2u);
    CHECK_EQ(b, s.rd(RG::PARAM1), 256u);
    CHECK_EQ(b, s.rd(RG::ID), RG::ID_VALUE);   // "RG", register map version
    CHECK_EQ(b, s.rd(RG::STATUS) & RG::STATUS_READY, 0u);         // not ready before config

    // config: one symbol TEST on account 0 (id 501), TICK 100, L 256, IMB 3/1, no market-hours gate
    const uint32_t S0 = F::HEADER_SIZE, A0 = F::HEADER_SIZE + F::SYMBOL_SIZE;
    std::vector<uint8_t> blob(A0 + F::ACCOUNT_SIZE, 0);
    auto u16 = [&](int o, uint32_t v) { for (int i = 0; i < 2; i++) blob[o + i] = (v >> (8 * i)) & 0xff; };
    auto u32 = [&](int o, uint32_t v) { for (int i = 0; i < 4; i++) blob[o + i] = (v >> (8 * i)) & 0xff; };
    auto u64 = [&](int o, uint64_t v) { for (int i = 0; i < 8; i++) blob[o + i] = (v >> (8 * i)) & 0xff; };
    std::memcpy(&blob[F::HDR_MAGIC], "RGC1", 4); u16(F::HDR_VERSION, C::CONFIG_VERSION);
    blob[F::HDR_N_SYMBOLS] = 1; blob[F::HDR_N_ACCOUNTS] = 1;
    u32(F::HDR_TICK, 100); u32(F::HDR_WINDOW_TICKS, 256); u64(F::HDR_TICK_RECIP, ((1ull << 48) + 99) / 100);
    blob[F::HDR_W_SHIFT] = 30; u32(F::HDR_SESSION, 7); u32(F::HDR_IMB_NUM, 3); u32(F::HDR_IMB_DEN, 1);
    u64(F::HDR_COOLDOWN_NS, 1000); u32(F::HDR_MAX_SPREAD, 500); u32(F::HDR_CLIP_QTY, 3000);
    std::memcpy(&blob[S0 + F::SYM_NAME], "TEST    ", 8); u16(S0 + F::SYM_COLLAR_BPS, 30);
    u32(S0 + F::SYM_MAX_QTY, 1000); u64(S0 + F::SYM_MAX_NOTIONAL, 500000000ull); u64(S0 + F::SYM_POSITION_LIMIT, 5000);
    u32(A0 + F::ACCT_ID, 501); u32(A0 + F::ACCT_MAX_ORDERS, 100); u64(A0 + F::ACCT_CREDIT_LIMIT, 10000000000ull);
    u64(A0 + F::ACCT_DUP_WINDOW_NS, 1000000);
    for (size_t o = 0; o < blob.size(); o += 4)
        s.wr(RG::BLOB + static_cast<uint32_t>(o), blob[o] | blob[o + 1] << 8 | blob[o + 2] << 16 | blob[o + 3] << 24);
    s.wr(RG::CONTROL, RG::CONTROL_LOAD);
    for (int i = 0; i < 200 && !(s.rd(RG::STATUS) & RG::STATUS_READY); i++) s.cycle();
    const uint32_t err_mask = ((1u << RG::STATUS_CFG_ERROR_W) - 1u) << RG::STATUS_CFG_ERROR_LO;
    CHECK_EQ(b, s.rd(RG::STATUS) & (err_mask | RG::STATUS_READY), RG::STATUS_READY);   // ready, no error
    CHECK_EQ(b, s.rd(RG::SESSION), 7u);

    // spec section 13 (with L = 256: base_q = 1000 - 128)
    auto R = msg('R', 39, 1, 100);
    std::memcpy(&R[11], "TEST    ", 8);
    s.packet(1, {R, add(1, 'B', 100, 100000, 1000), add(2, 'S', 300, 100200, 1200)});
    s.drain();
    CHECK_EQ(b, s.recs.size(), 3u);
    if (s.recs.size() >= 3) {
        CHECK_EQ(b, s.recs[0][C::rec::KIND], C::kind::TOB); CHECK_EQ(b, s.recs[0][C::rec::SEQ], 2);
        CHECK_EQ(b, s.recs[1][C::rec::KIND], C::kind::TOB); CHECK_EQ(b, s.recs[1][C::rec::SEQ], 3);
        CHECK_EQ(b, rec_u32(s.recs[1], C::rec::tob::ASK_PX), 100200u);
        CHECK_EQ(b, s.recs[2][C::rec::KIND], C::kind::DECISION); CHECK_EQ(b, s.recs[2][C::rec::AUX], 'S');
        CHECK_EQ(b, rec_u16(s.recs[2], C::rec::decision::REASONS), static_cast<uint32_t>(C::reason::NO_REF));
        CHECK_EQ(b, s.recs[2][C::rec::decision::VERDICT], 0);   // rejected
    }
    // order table overflow: refs sharing both home sets (2 + 2 ways, 1 stash slot, 1 ghost
    // slot), none sharing a home set with the other refs of this bench
    const int SB = 4;
    const uint64_t others[] = {1, 2, 0x45, 0x56, 0x61, 0x62, 0x63};
    uint64_t r0 = 0x11;
    for (bool clash = true; clash; ) {
        clash = false;
        for (uint64_t o : others) clash = clash || home0(o, SB) == home0(r0, SB) || home1(o, SB) == home1(r0, SB);
        if (clash) r0++;
    }
    const auto refs = same_home_refs(r0, 8, SB);
    auto del = [&](uint64_t ref, uint64_t ts) { auto m = msg('D', 19, 1, ts); put_be(&m[11], ref, 8); return m; };
    auto exec = [&](uint64_t ref, uint32_t n, uint64_t ts) {
        auto m = msg('E', 31, 1, ts); put_be(&m[11], ref, 8); put_be(&m[19], n, 4); put_be(&m[23], 1, 8); return m;
    };
    auto tob = [&](size_t i, uint32_t seq, uint32_t flags, uint32_t bid_sz) {
        CHECK_EQ(b, s.recs[i][C::rec::KIND], C::kind::TOB); CHECK_EQ(b, s.recs[i][C::rec::SEQ], seq);
        CHECK_EQ(b, s.recs[i][C::rec::AUX], flags); CHECK_EQ(b, rec_u32(s.recs[i], C::rec::tob::BID_SZ), bid_sz);
        CHECK_EQ(b, rec_u32(s.recs[i], C::rec::tob::ASK_SZ), 300u);
    };
    s.recs.clear();
    std::vector<std::vector<uint8_t>> fill;
    for (int k = 0; k < 7; k++) fill.push_back(add(refs[k], 'B', 10, 99000 - 100 * k, 2000 + k));   // below the bid
    s.packet(4, fill);
    s.drain();
    // seq 4..8 in the book (banks, stash): nothing changes; seq 9 a ghost: COLLISION alone
    // changes -> TOB; seq 10 untracked: flags unchanged, no record
    CHECK_EQ(b, s.recs.size(), 1u);
    if (s.recs.size() == 1) tob(0, 9, C::flag::COLLISION, 100);
    s.recs.clear();
    s.packet(11, {del(refs[5], 2100)});   // the ghost leaves; an untracked drop keeps COLLISION
    s.drain();
    CHECK_EQ(b, s.recs.size(), 0u);
    // in-band CLEAR_COLLISION (S = last_seq + 1 = 12), then a tuple change -> flags 0
    std::vector<uint8_t> c(C::CONTROL_LEN, 0);
    c[C::ctrl::OFF_TYPE] = '~'; c[C::ctrl::OFF_OP] = C::op::CLEAR_COLLISION;
    put_be(&c[C::ctrl::OFF_TARGET], 0, 2); put_be(&c[C::ctrl::OFF_SEQ], 12, 8);
    s.packet(12, {c, add(0x45, 'B', 5, 100000, 2300)});
    s.drain();
    CHECK_EQ(b, s.recs.size(), 2u);
    if (s.recs.size() >= 2) {
        CHECK_EQ(b, s.recs[0][C::rec::KIND], C::kind::CONTROL); CHECK_EQ(b, s.recs[0][C::rec::AUX], C::op::CLEAR_COLLISION);
        CHECK_EQ(b, s.recs[0][C::rec::SEQ], 12);
        tob(1, 12, 0, 105);
    }
    // a new ghost (TOB: COLLISION), executed (no record), deleted: COLLISION clears by itself
    s.recs.clear();
    s.packet(13, {add(refs[7], 'B', 10, 98000, 2400), exec(refs[7], 3, 2500), del(refs[7], 2600),
                  add(0x56, 'B', 5, 100000, 2700)});
    s.drain();
    CHECK_EQ(b, s.recs.size(), 3u);
    if (s.recs.size() >= 3) {
        tob(0, 13, C::flag::COLLISION, 105);
        tob(1, 15, 0, 105);
        tob(2, 16, 0, 110);
    }
    // statistics registers
    auto st = [&](uint32_t k) { return s.rd(RG::STATS + 8 * k); };
    auto by_type = [&](char t) { return s.rd(RG::STATS + 4 * (RG::STATS_BY_TYPE_WORD + 2 * static_cast<uint32_t>(t))); };
    CHECK_EQ(b, st(C::stats::MESSAGES), 16u);
    CHECK_EQ(b, st(C::stats::TABLE_FULL), 3u);       // two ghosts, one untracked
    CHECK_EQ(b, st(C::stats::STASH_INSERTS), 1u);
    CHECK_EQ(b, st(C::stats::GHOST_INSERTS), 2u);
    CHECK_EQ(b, st(C::stats::UNTRACKED_DROPS), 1u);
    CHECK_EQ(b, st(C::stats::COLLISION_CLEARS), 1u);
    CHECK_EQ(b, st(C::stats::LIVE_PEAK), 9u);        // refs 1, 2, five overflow refs, 0x45, 0x56
    CHECK_EQ(b, st(C::stats::STASH_PEAK), 1u);
    CHECK_EQ(b, st(C::stats::GHOST_PEAK), 1u);
    CHECK_EQ(b, st(C::stats::FLAGGED), 5u);          // seq 9, 10, 11, 13, 14
    CHECK_EQ(b, st(C::stats::TOB), 7u);
    CHECK_EQ(b, st(C::stats::DECISIONS), 1u);
    CHECK_EQ(b, st(C::stats::CONTROLS), 1u);
    CHECK_EQ(b, st(C::stats::UNKNOWN_REF), 0u);
    CHECK_EQ(b, by_type('A'), 12u);
    CHECK_EQ(b, by_type('D'), 2u);
    CHECK_EQ(b, by_type('E'), 1u);
    CHECK_EQ(b, by_type('R'), 1u);
    CHECK_EQ(b, s.rd(RG::RX_PACKETS), 5u);
    CHECK_EQ(b, s.rd(RG::RX_GAPS), 0u);
    CHECK_EQ(b, s.rd(RG::NEXT_SEQ_LO), 17u);  // next expected seq
    CHECK_EQ(b, s.rd(RG::NEXT_SEQ_HI), 0u);
    CHECK_EQ(b, s.rd(0x7000), 0u);          // an unmapped address reads 0
    CHECK_EQ(b, s.stamps, 3u + 1u + 2u + 3u);
    CHECK(b, d.idle);

    // DUPLICATE: book bid 100000 x 110, ask 100200 x 300; a trade at 100100 gives the
    // reference. Each ask add makes ask_sz >= 3 x bid_sz: sell IOC 110 @ 100000.
    auto trade = [&](uint32_t price, uint64_t ts) {
        auto m = msg('P', 44, 1, ts);
        put_be(&m[11], 99, 8); m[19] = 'B'; put_be(&m[20], 1, 4); std::memcpy(&m[24], "TEST    ", 8); put_be(&m[32], price, 4);
        return m;
    };
    auto expect_sell = [&](size_t i, uint16_t reasons) {
        const auto &r = s.recs[i];
        CHECK_EQ(b, r[C::rec::KIND], C::kind::DECISION);
        CHECK_EQ(b, r[C::rec::AUX], 'S');
        CHECK_EQ(b, rec_u32(r, C::rec::decision::PRICE), 100000u);
        CHECK_EQ(b, rec_u32(r, C::rec::decision::QTY), 110u);
        CHECK_EQ(b, rec_u16(r, C::rec::decision::REASONS), static_cast<uint32_t>(reasons));
        CHECK_EQ(b, r[C::rec::decision::VERDICT], reasons == 0 ? 1 : 0);
        CHECK_EQ(b, rec_u32(r, C::rec::decision::ACCOUNT_ID), 501u);
    };
    s.recs.clear();
    s.packet(17, {trade(100100, 3000), add(0x61, 'S', 100, 100200, 3100)});
    s.drain();
    CHECK_EQ(b, s.recs.size(), 3u);   // TOB, DECISION accepted, FILL
    if (s.recs.size() == 3) {
        CHECK_EQ(b, s.recs[0][C::rec::KIND], C::kind::TOB);
        expect_sell(1, 0);
        CHECK_EQ(b, s.recs[2][C::rec::KIND], C::kind::FILL);
        CHECK_EQ(b, rec_u32(s.recs[2], C::rec::fill::POSITION_AFTER), static_cast<uint32_t>(-110));
    }
    s.recs.clear();
    s.packet(19, {add(0x62, 'S', 10, 100200, 4200)});   // 1100 ns later: inside the 1 ms window
    s.drain();
    CHECK_EQ(b, s.recs.size(), 2u);   // TOB, DECISION rejected
    if (s.recs.size() == 2) expect_sell(1, C::reason::DUPLICATE);
    s.recs.clear();
    std::vector<uint8_t> dw(C::CONTROL_LEN, 0);
    dw[C::ctrl::OFF_TYPE] = '~'; dw[C::ctrl::OFF_OP] = C::op::DUP_WINDOW;
    put_be(&dw[C::ctrl::OFF_TARGET], 0, 2); put_be(&dw[C::ctrl::OFF_SEQ], 20, 8); put_be(&dw[C::ctrl::OFF_VALUE], 0, 8);
    s.packet(20, {dw, add(0x63, 'S', 10, 100200, 5300)});
    s.drain();
    CHECK_EQ(b, s.recs.size(), 4u);   // CONTROL, TOB, DECISION accepted, FILL
    if (s.recs.size() == 4) {
        CHECK_EQ(b, s.recs[0][C::rec::KIND], C::kind::CONTROL);
        CHECK_EQ(b, s.recs[0][C::rec::AUX], C::op::DUP_WINDOW);
        CHECK_EQ(b, s.recs[0][C::rec::SYMBOL], C::NO_SYMBOL);   // an account target
        expect_sell(2, 0);
        CHECK_EQ(b, rec_u32(s.recs[3], C::rec::fill::POSITION_AFTER), static_cast<uint32_t>(-220));
    }
    CHECK_EQ(b, st(C::stats::ACCEPTED), 2u);
    CHECK_EQ(b, st(C::stats::REJECTED), 2u);   // NO_REF (seq 3) and DUPLICATE (seq 19)
    CHECK_EQ(b, st(C::stats::CONTROLS), 2u);
    CHECK(b, d.idle);
    return b.finish();
}
