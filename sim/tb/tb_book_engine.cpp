// rg_book_engine at tiny parameters (2 symbols, L = 64, 8 sets x 2 ways) against a model of
// spec sections 3.2, 4, 5 and 6: window rule, classes, set-associative insert/lookup with
// table-full drops (COLLISION, table_full), reduce/remove, replace, flags, best levels,
// last-trade updates, pass-through events and CLEAR_COLLISION; random back-pressure.
#include <deque>

#include "tb_common.h"

using namespace tb;

static constexpr int NS = 2, L = 64, SB = 3, WAYS = 2, TICK = 5;

struct Order { bool valid = false; uint64_t ref = 0; int sym = 0; bool buy = false; uint32_t price = 0, shares = 0; int cls = 0, idx = 0; };
struct Model {
    bool wset[NS] = {false, false};
    uint32_t base[NS] = {0, 0};
    bool coll[NS] = {false, false};
    uint32_t lvl[NS][2][L] = {};
    uint32_t cnt[NS][2][4] = {};
    Order tab[1 << SB][WAYS];
    uint64_t unknown = 0, full = 0;
    static int set_of(uint64_t ref) {
        int s = 0;
        for (int i = 0; i < 64; i += SB) s ^= static_cast<int>((ref >> i) & ((1 << SB) - 1));
        return s;
    }
    void add(int sym, uint64_t ref, bool buy, uint32_t shares, uint32_t price) {
        uint32_t q = price / TICK;
        bool on = q * TICK == price;
        if (!wset[sym] && on) { base[sym] = q >= L / 2 ? q - L / 2 : 0; wset[sym] = true; }
        int cls, idx = 0;
        if (!on) cls = 3;
        else if (q < base[sym]) cls = 1;
        else if (static_cast<uint64_t>(q) - base[sym] >= L) cls = 2;
        else { cls = 0; idx = static_cast<int>(q - base[sym]); }
        int s = set_of(ref);
        for (int w = 0; w < WAYS; w++)
            if (!tab[s][w].valid) {
                tab[s][w] = {true, ref, sym, buy, price, shares, cls, idx};
                if (cls == 0) lvl[sym][buy][idx] += shares; else cnt[sym][buy][cls]++;
                return;
            }
        coll[sym] = true;
        full++;
    }
    Order *find(uint64_t ref) {
        int s = set_of(ref);
        for (int w = 0; w < WAYS; w++) if (tab[s][w].valid && tab[s][w].ref == ref) return &tab[s][w];
        return nullptr;
    }
    void reduce(Order *o, uint32_t r) {
        if (o->cls == 0) lvl[o->sym][o->buy][o->idx] -= r;
        o->shares -= r;
        if (o->shares == 0) remove(o);
    }
    void remove(Order *o) {
        if (o->cls == 0) lvl[o->sym][o->buy][o->idx] -= o->shares; else cnt[o->sym][o->buy][o->cls]--;
        o->valid = false;
    }
};

struct Ev {
    bool touch; int sym; int flags;
    bool bv; int bi; uint32_t bs; bool av; int ai; uint32_t as; uint32_t base;
    uint64_t seq; int ukind; int usym; uint64_t uval;
};

int main() {
    Bench b("book_engine", 21);
    Rng r(31);
    auto &d = *b.dut;
    d.s_valid = 0;
    d.m_ready = 1;
    d.cfg_tick = TICK;
    b.reset();
    while (d.busy) b.tick();

    Model m;
    std::deque<Ev> q;
    std::vector<uint64_t> live;
    uint64_t seq = 0, n_out = 0, n_unknown = 0, n_full = 0, touches = 0;
    bool hold = false;
    const int N = 40000;
    auto snapshot = [&](Ev &e, int sym) {
        e.sym = sym;
        int bb = -1, ba = -1;
        for (int i = 0; i < L; i++) {
            if (m.lvl[sym][1][i]) bb = i;
            if (m.lvl[sym][0][i] && ba < 0) ba = i;
        }
        e.bv = bb >= 0; e.bi = bb; e.bs = bb >= 0 ? m.lvl[sym][1][bb] : 0;
        e.av = ba >= 0; e.ai = ba; e.as = ba >= 0 ? m.lvl[sym][0][ba] : 0;
        bool bandb = m.cnt[sym][1][3] || m.cnt[sym][1][2] || (!e.bv && m.cnt[sym][1][1]);
        bool banda = m.cnt[sym][0][3] || m.cnt[sym][0][1] || (!e.av && m.cnt[sym][0][2]);
        e.flags = bandb | banda << 1 | m.coll[sym] << 2;
        e.base = m.base[sym];
    };
    while (n_out < N) {
        if (!hold && seq < N) {
            seq++;
            Ev e{};
            e.seq = seq;
            int kind = static_cast<int>(r.below(100));
            int sym = static_cast<int>(r.below(NS));
            live.clear();
            for (auto &set : m.tab)
                for (auto &o : set)
                    if (o.valid) live.push_back(o.ref);
            uint64_t ref = (!live.empty() && r.chance(0.85)) ? live[r.below(static_cast<uint32_t>(live.size()))]
                                                              : (r.next() & 0xFFFF);
            uint32_t price = TICK * (100 + r.below(60));
            if (r.chance(0.05)) price = TICK * r.below(400);
            if (r.chance(0.05)) price += 1 + r.below(TICK - 1);
            uint32_t shares = r.chance(0.03) ? 0 : 1 + r.below(500);
            int op;
            for (int i = 0; i < 16; i++) d.s_rpay[i / 4 >= 4 ? 3 : i / 4] = 0;
            d.s_rkind = 0; d.s_rsym = 0xFF; d.s_raux = 0;
            d.s_code = 0; d.s_sym_valid = 1; d.s_sym = sym; d.s_locate = 0;
            e.ukind = 0;
            if (kind < 40) {
                op = 6;  // add
                ref = r.chance(0.9) ? (r.next() & 0xFFFF) : ref;
                bool buy = r.chance(0.5);
                d.s_buy = buy;
                d.s_sym_valid = !r.chance(0.05);
                if (d.s_sym_valid) { m.add(sym, ref, buy, shares, price); live.push_back(ref); e.touch = true; snapshot(e, sym); }
            } else if (kind < 75) {
                op = 7 + static_cast<int>(r.below(4));  // E, C, X, D
                d.s_code = r.chance(0.5) ? 'Y' : 'N';
                Order *o = m.find(ref);
                if (!o) { m.unknown++; }
                else {
                    int osym = o->sym;
                    if (op == 7) { e.ukind = 4; e.usym = osym; e.uval = o->price; }
                    if (op == 8 && d.s_code == 'Y') { e.ukind = 4; e.usym = osym; e.uval = price; }
                    if (op == 10) m.remove(o); else m.reduce(o, std::min(shares, o->shares));
                    e.touch = true; snapshot(e, osym);
                }
            } else if (kind < 90) {
                op = 11;  // replace
                uint64_t nref = r.next() & 0xFFFF;
                d.s_ref2 = nref;
                Order *o = m.find(ref);
                if (!o) m.unknown++;
                else {
                    int osym = o->sym; bool obuy = o->buy;
                    m.remove(o);
                    m.add(osym, nref, obuy, shares, price);
                    live.push_back(nref);
                    e.touch = true; snapshot(e, osym);
                }
            } else if (kind < 94) {
                op = 13;  // CLEAR_COLLISION (valid control, prebuilt record)
                d.s_code = 9; d.s_locate = static_cast<uint16_t>(sym);
                m.coll[sym] = false;
                d.s_rkind = 4; e.ukind = 5;
            } else {
                op = r.chance(0.5) ? 12 : 0;  // trade / skipped
                if (op == 12) { e.ukind = 4; e.usym = sym; e.uval = price; }
            }
            d.s_op = op;
            d.s_seq = seq; d.s_ts = seq * 10; d.s_t_offer = 0; d.s_t_last = 0;
            d.s_ref = ref; d.s_shares = shares; d.s_price = price;
            d.s_q = price / TICK;
            q.push_back(e);
            hold = true;
        }
        d.s_valid = hold;
        d.m_ready = r.chance(0.8);
        b.tick([&] {
            if (d.st_unknown_ref) n_unknown++;
            if (d.st_table_full) n_full++;
            if (d.s_valid && d.s_ready) hold = false;
            if (d.m_valid && d.m_ready) {
                Ev e = q.front();
                q.pop_front();
                CHECK_EQ(b, wide_bits(d.m_ev, 0, 48), e.seq);
                CHECK_EQ(b, d.m_touch, e.touch);
                CHECK_EQ(b, wide_bits(d.m_ev, 376, 3), static_cast<uint64_t>(e.ukind));
                if (e.ukind == 4) {
                    CHECK_EQ(b, wide_bits(d.m_ev, 379, 8), static_cast<uint64_t>(e.usym));
                    CHECK_EQ(b, wide_bits(d.m_ev, 395, 32), e.uval);
                }
                if (e.touch) {
                    touches++;
                    CHECK_EQ(b, d.m_sym, static_cast<uint32_t>(e.sym));
                    CHECK_EQ(b, d.m_flags, static_cast<uint32_t>(e.flags));
                    CHECK_EQ(b, d.m_bid_valid, e.bv);
                    CHECK_EQ(b, d.m_ask_valid, e.av);
                    if (e.bv) { CHECK_EQ(b, d.m_bid_idx, static_cast<uint32_t>(e.bi)); CHECK_EQ(b, d.m_bid_sz, e.bs); }
                    if (e.av) { CHECK_EQ(b, d.m_ask_idx, static_cast<uint32_t>(e.ai)); CHECK_EQ(b, d.m_ask_sz, e.as); }
                    CHECK_EQ(b, d.m_base_q, e.base);
                }
                n_out++;
            }
        });
    }
    for (int i = 0; i < 4; i++) b.tick();
    CHECK(b, d.idle);
    CHECK_EQ(b, n_unknown, m.unknown);
    CHECK_EQ(b, n_full, m.full);
    std::printf("  %llu messages, %llu touched a book, %llu table-full drops, %llu unknown refs\n",
                static_cast<unsigned long long>(n_out), static_cast<unsigned long long>(touches),
                static_cast<unsigned long long>(n_full), static_cast<unsigned long long>(n_unknown));
    return b.finish();
}
