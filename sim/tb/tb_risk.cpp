// rg_risk: random decisions interleaved with every kind of state update (S market open/
// close, H trading states, W circuit breaker, last trades from E/C/P, control ops 1-8),
// against a model of spec sections 8.2 and 8.3: all ten reasons, verdicts, fills with
// positions, saturating credit, throttle windows; back-pressure.
#include <deque>

#include "tb_common.h"

using namespace tb;

static constexpr int NS = 4, NA = 2;

struct Model {
    bool gk = false, open = false, kill[NS] = {};
    uint8_t ts8[NS];
    uint32_t last[NS] = {}, collar[NS], maxq[NS], poslim[NS], acct[NS];
    int64_t pos[NS];
    uint64_t maxn[NS];
    uint32_t id[NA], maxo[NA], cnt[NA] = {};
    uint64_t credit[NA], used[NA], win[NA] = {};
};

int main() {
    Bench b("risk", 5);
    Rng r(47);
    auto &d = *b.dut;
    const bool GATE = true;
    const int WS = 10;
    d.cfg_gate = GATE;
    d.cfg_w_shift = WS;
    d.s_valid = 0;
    d.m_ready = 1;
    d.init_hdr_we = d.init_sym_we = d.init_acct_we = 0;
    b.reset();
    Model m;
    d.init_hdr_we = 1; d.init_global_kill = 0;
    b.tick();
    d.init_hdr_we = 0;
    for (int i = 0; i < NS; i++) {
        m.ts8[i] = 'T'; m.collar[i] = 30 + 10 * i; m.maxq[i] = 500 + 200 * i; m.poslim[i] = 1500; m.acct[i] = i % NA;
        m.pos[i] = i == 3 ? -1000 : 0; m.maxn[i] = 600000ull * (i + 1);
        d.init_sym_we = 1; d.init_sym_idx = i; d.init_sym_acct = m.acct[i]; d.init_sym_kill = 0;
        d.init_sym_collar = m.collar[i]; d.init_sym_max_qty = m.maxq[i]; d.init_sym_max_notional = m.maxn[i];
        d.init_sym_pos_limit = m.poslim[i]; d.init_sym_pos = static_cast<uint32_t>(m.pos[i]);
        b.tick();
    }
    d.init_sym_we = 0;
    for (int j = 0; j < NA; j++) {
        m.id[j] = 1001 + j; m.maxo[j] = 30; m.credit[j] = j ? 0xFFFFFFFFFFFFFFF0ull : 40000000ull; m.used[j] = j ? 0xFFFFFFFFFFFF0000ull : 0;
        d.init_acct_we = 1; d.init_acct_idx = j; d.init_acct_id = m.id[j]; d.init_acct_max_orders = m.maxo[j];
        d.init_acct_credit = m.credit[j]; d.init_acct_used = m.used[j];
        b.tick();
    }
    d.init_acct_we = 0;

    struct Exp { uint64_t seq; bool dec; uint16_t reasons; bool acc; uint32_t acct, id, pos; };
    std::deque<Exp> q;
    uint64_t n_in = 0, n_out = 0, ts = 5000, reason_hits[10] = {}, n_acc = 0, n_dec_st = 0, n_acc_st = 0, n_rej_st = 0;
    bool hold = false;
    const int N = 40000;
    while (n_out < N) {
        if (!hold && n_in < N) {
            for (int i = 0; i < 15; i++) d.s_ev[i] = 0;
            ts += r.below(300);
            set_wide_bits(d.s_ev, 0, 48, n_in);
            set_wide_bits(d.s_ev, 48, 48, ts);
            int sym = static_cast<int>(r.below(NS));
            int kind = static_cast<int>(r.below(100));
            Exp e{n_in, false, 0, false, 0, 0, 0};
            d.s_dec = 0; d.s_sym = sym; d.s_tob = 0; d.s_flags = 0;
            auto upd = [&](int k, int us, int code, uint64_t val, int tgt) {
                set_wide_bits(d.s_ev, 376, 3, k); set_wide_bits(d.s_ev, 379, 8, us); set_wide_bits(d.s_ev, 387, 8, code);
                set_wide_bits(d.s_ev, 395, 64, val); set_wide_bits(d.s_ev, 459, 16, tgt);
            };
            if (kind < 4) { int c = "QMQO"[r.below(4)]; upd(1, 0, c, 0, 0); if (c == 'Q') m.open = true; if (c == 'M') m.open = false; }
            else if (kind < 8) { int c = r.chance(0.7) ? 'T' : "HPQ"[r.below(3)]; upd(2, sym, c, 0, 0); m.ts8[sym] = static_cast<uint8_t>(c); }
            else if (kind < 9) { upd(3, 0, 0, 0, 0); for (auto &t : m.ts8) t = 'H'; }
            else if (kind < 18) {
                int op = 1 + static_cast<int>(r.below(8));
                int tgt = op == 1 ? 0xFFFF : (op >= 7 ? static_cast<int>(r.below(NA)) : sym);
                uint64_t val;
                switch (op) {
                    case 1: case 2: val = r.chance(0.85) ? 0 : 1; break;
                    case 3: val = 200 + r.below(2000); break;
                    case 4: val = r.chance(0.1) ? ~0ull : 100000ull + r.below(3000000); break;
                    case 5: val = r.below(3000); break;
                    case 6: val = r.below(200); break;
                    case 7: val = r.chance(0.2) ? ~0ull : 10000000ull + r.below(90000000); break;
                    default: val = r.below(60); break;
                }
                upd(5, 0, op, val, tgt);
                switch (op) {
                    case 1: m.gk = val & 1; break;
                    case 2: m.kill[tgt] = val & 1; break;
                    case 3: m.maxq[tgt] = static_cast<uint32_t>(val); break;
                    case 4: m.maxn[tgt] = val; break;
                    case 5: m.poslim[tgt] = static_cast<uint32_t>(val); break;
                    case 6: m.collar[tgt] = static_cast<uint32_t>(val); break;
                    case 7: m.credit[tgt] = val; break;
                    default: m.maxo[tgt] = static_cast<uint32_t>(val); break;
                }
            } else {
                bool with_last = r.chance(0.3);
                if (with_last || kind < 30) {
                    uint32_t px = r.chance(0.05) ? 0 : 990 + r.below(20);
                    upd(4, sym, 0, px, 0);
                    m.last[sym] = px;
                }
                if (kind >= 30) {
                    bool buy = r.chance(0.5);
                    uint32_t price = 980 + r.below(40), qty = r.chance(0.02) ? 0xFFFFFFFFu : 1 + r.below(900);
                    d.s_dec = 1; d.s_dec_buy = buy; d.s_dec_price = price; d.s_dec_qty = qty; d.s_tob = 1;
                    int a = static_cast<int>(m.acct[sym]);
                    uint64_t n = static_cast<uint64_t>(price) * qty;
                    uint32_t ref = m.last[sym];
                    uint64_t diff = price >= ref ? price - ref : ref - price;
                    int64_t sgn = buy ? static_cast<int64_t>(qty) : -static_cast<int64_t>(qty);
                    int64_t np = m.pos[sym] + sgn;
                    uint64_t sum = m.used[a] + n;
                    uint64_t sat = sum < m.used[a] ? ~0ull : sum;
                    uint64_t w = ts >> WS;
                    uint32_t ciw = m.win[a] == w ? m.cnt[a] : 0;
                    uint16_t rs = 0;
                    if (m.gk || m.kill[sym]) rs |= 1;
                    if (m.ts8[sym] != 'T') rs |= 2;
                    if (GATE && !m.open) rs |= 4;
                    if (qty > m.maxq[sym]) rs |= 8;
                    if (n > m.maxn[sym]) rs |= 16;
                    if (ref == 0) rs |= 32;
                    if (ref != 0 && diff * 10000 > static_cast<uint64_t>(ref) * m.collar[sym]) rs |= 64;
                    if ((np < 0 ? -np : np) > static_cast<int64_t>(m.poslim[sym])) rs |= 128;
                    if (sat > m.credit[a]) rs |= 256;
                    if (ciw >= m.maxo[a]) rs |= 512;
                    e.dec = true; e.reasons = rs; e.acc = rs == 0; e.acct = a; e.id = m.id[a];
                    for (int k = 0; k < 10; k++) reason_hits[k] += (rs >> k) & 1;
                    if (e.acc) {
                        m.pos[sym] = np; m.used[a] = sat; m.win[a] = w; m.cnt[a] = ciw + 1;
                        e.pos = static_cast<uint32_t>(np);
                        n_acc++;
                    }
                }
            }
            q.push_back(e);
            hold = true;
            n_in++;
        }
        d.s_valid = hold;
        d.m_ready = r.chance(0.75);
        b.tick([&] {
            n_dec_st += d.st_decision; n_acc_st += d.st_accepted; n_rej_st += d.st_rejected;
            if (d.s_valid && d.s_ready) hold = false;
            if (d.m_valid && d.m_ready) {
                Exp e = q.front();
                q.pop_front();
                CHECK_EQ(b, wide_bits(d.m_ev, 0, 48), e.seq);
                CHECK_EQ(b, d.m_dec, e.dec);
                if (e.dec) {
                    CHECK_EQ(b, d.m_reasons, e.reasons);
                    CHECK_EQ(b, d.m_accepted, e.acc);
                    CHECK_EQ(b, d.m_acct_idx, e.acct);
                    CHECK_EQ(b, d.m_acct_id, e.id);
                    if (e.acc) CHECK_EQ(b, d.m_pos_after, e.pos);
                }
                n_out++;
            }
        });
    }
    for (int i = 0; i < 3; i++) b.tick([&] { n_dec_st += d.st_decision; n_acc_st += d.st_accepted; n_rej_st += d.st_rejected; });
    CHECK_EQ(b, n_acc_st, n_acc);
    CHECK_EQ(b, n_dec_st, n_acc_st + n_rej_st);
    std::printf("  %llu events, %llu decisions, %llu accepted; reason hits:", static_cast<unsigned long long>(n_out),
                static_cast<unsigned long long>(n_dec_st), static_cast<unsigned long long>(n_acc));
    for (int k = 0; k < 10; k++) { std::printf(" %llu", static_cast<unsigned long long>(reason_hits[k])); CHECK(b, reason_hits[k] >= 20); }
    std::printf("\n");
    return b.finish();
}
