// rg_tob: prices (base_q + idx) * TICK, empty sides as 0/0, a TOB exactly when a touched
// symbol's tuple or flags differ from the last emitted ones (record version 2: a flags
// change alone emits too), stats pulses, back-to-back events of one symbol, back-pressure.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace HW = rg::contract::hw;

int main() {
    Bench b("tob", 3);
    Rng r(41);
    auto &d = *b.dut;
    uint32_t TICK = 7;
    d.cfg_tick = TICK;
    uint32_t NUM = 3, DEN = 0xFFFFFFFFu;   // products need all 64 bits
    d.cfg_imb_num = NUM;
    d.cfg_imb_den = DEN;
    // the imbalance ratio changes between events (the compare works on 16 x 16 partial
    // products): edge values, 16-bit boundaries, random 32-bit values, equal products
    auto pick32 = [&]() -> uint32_t {
        static const uint32_t edge[] = {0u, 1u, 2u, 3u, 0xFFFFu, 0x10000u, 0x10001u, 0xFFFF0000u,
                                        0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
        if (r.chance(0.4)) return edge[r.below(sizeof edge / sizeof edge[0])];
        return static_cast<uint32_t>(r.next());
    };
    d.s_valid = 0;
    d.m_ready = 1;
    b.reset();
    uint32_t last[4][4] = {};
    int last_flags[4] = {};
    uint64_t flags_only = 0;
    struct Exp { uint64_t seq; bool tob; uint32_t t[4]; int sym, flags; bool flagged, buy, sell; };
    std::deque<Exp> q, qs;
    uint64_t n_in = 0, n_out = 0, n_tob = 0, n_st_tob = 0, n_st_flag = 0, exp_tob = 0, exp_flag = 0;
    uint64_t n_buy = 0, n_sell = 0, n_imb_eq = 0;
    bool hold = false;
    while (n_out < 30000) {
        if (!hold && n_in < 30000) {
            clear_wide(d.s_ev);
            clear_wide(d.s_book);
            set_wide_bits(d.s_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W, n_in);
            int sym = static_cast<int>(r.below(4));
            bool touch = r.chance(0.8);
            bool bv = r.chance(0.8), av = r.chance(0.8);
            uint32_t base = r.below(1000), bi = r.below(256), ai = r.below(256);
            uint32_t bs = r.chance(0.5) ? 100 : r.below(1000), as = r.chance(0.5) ? 200 : r.below(1000);
            if (r.chance(0.1)) bs = 0xFFFFFFFFu - r.below(4);
            // the price is summed from three products (base_lo, base_hi, idx times TICK):
            // large bases and ticks, and one price from different (base, idx) splits
            if (r.chance(0.1)) TICK = r.chance(0.5) ? 7 : static_cast<uint32_t>(r.below(65536));
            if (r.chance(0.1)) base = static_cast<uint32_t>(r.next());
            if (r.chance(0.2)) { base = 500 + r.below(8); bi = 12 - (base - 500); ai = 20 - (base - 500); }
            if (r.chance(0.5)) { bi = 10; ai = 20; base = 500; }  // repeats: unchanged tuples
            if (r.chance(0.3)) { bv = av = true; bs = 100; as = 200; }
            if (r.chance(0.3)) {
                NUM = pick32();
                DEN = r.chance(0.2) ? NUM : pick32();
                if (r.chance(0.3)) bs = pick32();
                if (r.chance(0.3)) as = r.chance(0.3) ? bs : pick32();
            }
            d.cfg_imb_num = NUM;
            d.cfg_imb_den = DEN;
            d.cfg_tick = TICK;
            int flags = r.chance(0.8) ? last_flags[sym] : static_cast<int>(r.below(8));   // mostly unchanged
            set_wide_bits(d.s_book, HW::BOOK_TOUCH_LO, HW::BOOK_TOUCH_W, touch);
            set_wide_bits(d.s_book, HW::BOOK_SYM_LO, HW::BOOK_SYM_W, sym);
            set_wide_bits(d.s_book, HW::BOOK_FLAGS_LO, HW::BOOK_FLAGS_W, flags);
            set_wide_bits(d.s_book, HW::BOOK_BID_VALID_LO, HW::BOOK_BID_VALID_W, bv);
            set_wide_bits(d.s_book, HW::BOOK_BID_IDX_LO, HW::BOOK_BID_IDX_W, bi);
            set_wide_bits(d.s_book, HW::BOOK_BID_SZ_LO, HW::BOOK_BID_SZ_W, bs);
            set_wide_bits(d.s_book, HW::BOOK_ASK_VALID_LO, HW::BOOK_ASK_VALID_W, av);
            set_wide_bits(d.s_book, HW::BOOK_ASK_IDX_LO, HW::BOOK_ASK_IDX_W, ai);
            set_wide_bits(d.s_book, HW::BOOK_ASK_SZ_LO, HW::BOOK_ASK_SZ_W, as);
            set_wide_bits(d.s_book, HW::BOOK_BASE_Q_LO, HW::BOOK_BASE_Q_W, base);
            Exp e{n_in, false, {bv ? (base + bi) * TICK : 0, bv ? bs : 0, av ? (base + ai) * TICK : 0, av ? as : 0},
                  sym, flags, touch && flags != 0, false, false};
            e.buy = static_cast<unsigned __int128>(e.t[1]) * DEN >= static_cast<unsigned __int128>(e.t[3]) * NUM;
            e.sell = static_cast<unsigned __int128>(e.t[3]) * DEN >= static_cast<unsigned __int128>(e.t[1]) * NUM;
            n_buy += e.buy;
            n_sell += e.sell;
            n_imb_eq += static_cast<uint64_t>(e.t[1]) * DEN == static_cast<uint64_t>(e.t[3]) * NUM &&
                        static_cast<uint64_t>(e.t[1]) * DEN != 0;
            bool tuple_changed = std::memcmp(e.t, last[sym], sizeof e.t) != 0;
            e.tob = touch && (tuple_changed || flags != last_flags[sym]);
            flags_only += e.tob && !tuple_changed;
            if (e.tob) { std::memcpy(last[sym], e.t, sizeof e.t); last_flags[sym] = flags; }
            exp_tob += e.tob;
            exp_flag += e.flagged;
            q.push_back(e);
            hold = true;
            n_in++;
        }
        d.s_valid = hold;
        d.m_ready = r.chance(0.7);
        b.tick([&] {
            n_st_tob += d.st_tob;
            n_st_flag += d.st_flagged;
            if (d.s_valid && d.s_ready) hold = false;
            if (d.m_valid && d.m_ready) {
                Exp e = q.front();
                q.pop_front();
                auto f = [&](unsigned lo, unsigned w) { return wide_bits(d.m_tob, lo, w); };
                CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W), e.seq);
                CHECK_EQ(b, f(HW::TOB_EMIT_LO, HW::TOB_EMIT_W), static_cast<uint64_t>(e.tob));
                CHECK_EQ(b, f(HW::TOB_SYM_LO, HW::TOB_SYM_W), static_cast<uint64_t>(e.sym));
                CHECK_EQ(b, f(HW::TOB_FLAGS_LO, HW::TOB_FLAGS_W), static_cast<uint64_t>(e.flags));
                CHECK_EQ(b, f(HW::TOB_BID_PX_LO, HW::TOB_BID_PX_W), e.t[0]);
                CHECK_EQ(b, f(HW::TOB_BID_SZ_LO, HW::TOB_BID_SZ_W), e.t[1]);
                CHECK_EQ(b, f(HW::TOB_ASK_PX_LO, HW::TOB_ASK_PX_W), e.t[2]);
                CHECK_EQ(b, f(HW::TOB_ASK_SZ_LO, HW::TOB_ASK_SZ_W), e.t[3]);
                CHECK_EQ(b, f(HW::TOB_BUY_OK_LO, HW::TOB_BUY_OK_W), static_cast<uint64_t>(e.buy));
                CHECK_EQ(b, f(HW::TOB_SELL_OK_LO, HW::TOB_SELL_OK_W), static_cast<uint64_t>(e.sell));
                n_tob += e.tob;
                n_out++;
            }
        });
    }
    for (int i = 0; i < 3; i++) b.tick([&] { n_st_tob += d.st_tob; n_st_flag += d.st_flagged; });
    CHECK_EQ(b, n_st_tob, exp_tob);
    CHECK_EQ(b, n_st_flag, exp_flag);
    CHECK(b, flags_only > 100);
    std::printf("  %llu events, %llu TOB (%llu on a flags change alone)\n", static_cast<unsigned long long>(n_out),
                static_cast<unsigned long long>(n_tob), static_cast<unsigned long long>(flags_only));
    std::printf("  imbalance: buy_ok %llu, sell_ok %llu of %llu, %llu with equal nonzero products\n",
                static_cast<unsigned long long>(n_buy), static_cast<unsigned long long>(n_sell),
                static_cast<unsigned long long>(n_in), static_cast<unsigned long long>(n_imb_eq));
    CHECK(b, n_buy > 0 && n_buy < n_in && n_sell > 0 && n_sell < n_in && n_imb_eq > 0);
    return b.finish();
}
