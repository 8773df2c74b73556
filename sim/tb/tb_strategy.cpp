// rg_strategy: eligibility (TOB emitted, flags 0, both sides, ask > bid, spread limit),
// buy/sell from the imbalance comparisons (computed here with u64 products as rg_tob does),
// buy precedence, clip, the cooldown per symbol (including ts going backwards and the first
// decision), back-pressure.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace HW = rg::contract::hw;
static constexpr int TOB_WORDS = (HW::TOB_W + 31) / 32;

int main() {
    Bench b("strategy", 4);
    Rng r(43);
    auto &d = *b.dut;
    d.s_valid = 0;
    d.m_ready = 1;
    b.reset();
    struct Cfg { uint32_t num, den, spread, clip; uint64_t cool; };
    const Cfg cfgs[] = {{3, 1, 5, 3000, 1000}, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 7, 0},
                        {1, 2, 100, 0xFFFFFFFFu, 0xFFFFFFFFFFFFFFFFull}, {5, 4, 0, 1, 1ull << 40}};
    uint64_t n_dec = 0, n_buy = 0, n_out_total = 0;
    for (const Cfg &c : cfgs) {
        b.reset();
        d.cfg_max_spread = c.spread; d.cfg_clip = c.clip;
        d.cfg_cooldown = c.cool;
        bool has[4] = {false, false, false, false};
        uint64_t lastd[4] = {0, 0, 0, 0};
        struct Exp { uint64_t seq; bool dec, buy; uint32_t px, qty; uint32_t tob[TOB_WORDS]; };
        std::deque<Exp> q;
        uint64_t ts = 1000, n_in = 0, n_out = 0;
        bool hold = false;
        while (n_out < 10000) {
            if (!hold && n_in < 10000) {
                clear_wide(d.s_ev);
                clear_wide(d.s_tob);
                ts = r.chance(0.05) ? ts - r.below(500) : ts + r.below(800);
                ts &= 0xFFFFFFFFFFFFull;
                set_wide_bits(d.s_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W, n_in);
                set_wide_bits(d.s_ev, HW::EV_TS_LO, HW::EV_TS_W, ts);
                int sym = static_cast<int>(r.below(4));
                uint32_t bp = 1000 + r.below(20), ap = bp + r.below(12) - 3;
                uint32_t bs = r.chance(0.1) ? 0 : (r.chance(0.1) ? 0xFFFFFFFFu - r.below(3) : 1 + r.below(1000));
                uint32_t as = r.chance(0.1) ? 0 : (r.chance(0.1) ? 0xFFFFFFFFu - r.below(3) : 1 + r.below(1000));
                bool tob = r.chance(0.8);
                uint8_t flags = r.chance(0.8) ? 0 : static_cast<uint8_t>(1 + r.below(7));
                set_wide_bits(d.s_tob, HW::TOB_SYM_LO, HW::TOB_SYM_W, sym);
                set_wide_bits(d.s_tob, HW::TOB_FLAGS_LO, HW::TOB_FLAGS_W, flags);
                set_wide_bits(d.s_tob, HW::TOB_EMIT_LO, HW::TOB_EMIT_W, tob);
                set_wide_bits(d.s_tob, HW::TOB_BID_PX_LO, HW::TOB_BID_PX_W, bp);
                set_wide_bits(d.s_tob, HW::TOB_BID_SZ_LO, HW::TOB_BID_SZ_W, bs);
                set_wide_bits(d.s_tob, HW::TOB_ASK_PX_LO, HW::TOB_ASK_PX_W, ap);
                set_wide_bits(d.s_tob, HW::TOB_ASK_SZ_LO, HW::TOB_ASK_SZ_W, as);
                bool elig = tob && flags == 0 && bs && as && ap > bp && ap - bp <= c.spread;
                bool elapsed = !has[sym] || (ts >= lastd[sym] && ts - lastd[sym] >= c.cool);
                unsigned __int128 bd = static_cast<unsigned __int128>(bs) * c.den, an = static_cast<unsigned __int128>(as) * c.num;
                unsigned __int128 ad = static_cast<unsigned __int128>(as) * c.den, bn = static_cast<unsigned __int128>(bs) * c.num;
                bool buy = bd >= an, sell = !buy && ad >= bn;
                set_wide_bits(d.s_tob, HW::TOB_BUY_OK_LO, HW::TOB_BUY_OK_W, bd >= an);
                set_wide_bits(d.s_tob, HW::TOB_SELL_OK_LO, HW::TOB_SELL_OK_W, ad >= bn);
                Exp e{n_in, elig && elapsed && (buy || sell), buy, buy ? ap : bp,
                      buy ? std::min(as, c.clip) : std::min(bs, c.clip), {}};
                for (int i = 0; i < TOB_WORDS; i++) e.tob[i] = d.s_tob[i];
                if (e.dec) { has[sym] = true; lastd[sym] = ts; }
                q.push_back(e);
                hold = true;
                n_in++;
            }
            d.s_valid = hold;
            d.m_ready = r.chance(0.7);
            b.tick([&] {
                if (d.s_valid && d.s_ready) hold = false;
                if (d.m_valid && d.m_ready) {
                    Exp e = q.front();
                    q.pop_front();
                    CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W), e.seq);
                    for (int i = 0; i < TOB_WORDS; i++) CHECK_EQ(b, d.m_tob[i], e.tob[i]);   // the TOB bus passes through
                    CHECK_EQ(b, wide_bits(d.m_ord, HW::ORD_DEC_LO, HW::ORD_DEC_W), static_cast<uint64_t>(e.dec));
                    if (e.dec) {
                        CHECK_EQ(b, wide_bits(d.m_ord, HW::ORD_BUY_LO, HW::ORD_BUY_W), static_cast<uint64_t>(e.buy));
                        CHECK_EQ(b, wide_bits(d.m_ord, HW::ORD_PRICE_LO, HW::ORD_PRICE_W), e.px);
                        CHECK_EQ(b, wide_bits(d.m_ord, HW::ORD_QTY_LO, HW::ORD_QTY_W), e.qty);
                        n_dec++;
                        n_buy += e.buy;
                    }
                    n_out++;
                }
            });
        }
        n_out_total += n_out;
    }
    std::printf("  %llu events, %llu decisions (%llu buys)\n", static_cast<unsigned long long>(n_out_total),
                static_cast<unsigned long long>(n_dec), static_cast<unsigned long long>(n_buy));
    return b.finish();
}
