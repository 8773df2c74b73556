// rg_book_engine at tiny parameters (2 symbols, L = 64, 16 sets x 2 ways) against a model of
// spec sections 3.2, 4, 5 and 6: window rule, classes, set-associative insert/lookup with
// table-full drops (COLLISION, table_full), reduce/remove, replace, flags, best levels,
// last-trade updates, pass-through events and CLEAR_COLLISION; random back-pressure.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;
namespace HW = rg::contract::hw;

static constexpr int NS = 2, L = 64, SB = 4, WAYS = 2, TICK = 5;   // SB: the contract's minimum

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
        if (!on) cls = HW::CLS_OFFTICK;
        else if (q < base[sym]) cls = HW::CLS_BELOW;
        else if (static_cast<uint64_t>(q) - base[sym] >= L) cls = HW::CLS_ABOVE;
        else { cls = HW::CLS_IN; idx = static_cast<int>(q - base[sym]); }
        int s = set_of(ref);
        for (int w = 0; w < WAYS; w++)
            if (!tab[s][w].valid) {
                tab[s][w] = {true, ref, sym, buy, price, shares, cls, idx};
                if (cls == HW::CLS_IN) lvl[sym][buy][idx] += shares; else cnt[sym][buy][cls]++;
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
        if (o->cls == HW::CLS_IN) lvl[o->sym][o->buy][o->idx] -= r;
        o->shares -= r;
        if (o->shares == 0) remove(o);
    }
    void remove(Order *o) {
        if (o->cls == HW::CLS_IN) lvl[o->sym][o->buy][o->idx] -= o->shares; else cnt[o->sym][o->buy][o->cls]--;
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
        bool bandb = m.cnt[sym][1][HW::CLS_OFFTICK] || m.cnt[sym][1][HW::CLS_ABOVE] || (!e.bv && m.cnt[sym][1][HW::CLS_BELOW]);
        bool banda = m.cnt[sym][0][HW::CLS_OFFTICK] || m.cnt[sym][0][HW::CLS_BELOW] || (!e.av && m.cnt[sym][0][HW::CLS_ABOVE]);
        e.flags = (bandb ? C::flag::BAND_BID : 0) | (banda ? C::flag::BAND_ASK : 0) | (m.coll[sym] ? C::flag::COLLISION : 0);
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
            d.s_rkind = 0; d.s_rsym = C::NO_SYMBOL; d.s_raux = 0;
            d.s_code = 0; d.s_sym_valid = 1; d.s_sym = sym; d.s_locate = 0;
            e.ukind = HW::UPD_NONE;
            if (kind < 40) {
                op = HW::OP_ADD;
                ref = r.chance(0.9) ? (r.next() & 0xFFFF) : ref;
                bool buy = r.chance(0.5);
                d.s_buy = buy;
                d.s_sym_valid = !r.chance(0.05);
                if (d.s_sym_valid) { m.add(sym, ref, buy, shares, price); live.push_back(ref); e.touch = true; snapshot(e, sym); }
            } else if (kind < 75) {
                const int ops[] = {HW::OP_EXEC, HW::OP_EXECP, HW::OP_CANCEL, HW::OP_DELETE};
                op = ops[r.below(4)];
                d.s_code = r.chance(0.5) ? 'Y' : 'N';
                Order *o = m.find(ref);
                if (!o) { m.unknown++; }
                else {
                    int osym = o->sym;
                    if (op == HW::OP_EXEC) { e.ukind = HW::UPD_LAST; e.usym = osym; e.uval = o->price; }
                    if (op == HW::OP_EXECP && d.s_code == 'Y') { e.ukind = HW::UPD_LAST; e.usym = osym; e.uval = price; }
                    if (op == HW::OP_DELETE) m.remove(o); else m.reduce(o, std::min(shares, o->shares));
                    e.touch = true; snapshot(e, osym);
                }
            } else if (kind < 90) {
                op = HW::OP_REPLACE;
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
                op = HW::OP_CTRL;  // CLEAR_COLLISION (valid control, prebuilt record)
                d.s_code = C::op::CLEAR_COLLISION; d.s_locate = static_cast<uint16_t>(sym);
                m.coll[sym] = false;
                d.s_rkind = C::kind::CONTROL; e.ukind = HW::UPD_CTRL;
            } else {
                op = r.chance(0.5) ? HW::OP_TRADE : HW::OP_NONE;  // trade / skipped
                if (op == HW::OP_TRADE) { e.ukind = HW::UPD_LAST; e.usym = sym; e.uval = price; }
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
                auto bk = [&](unsigned lo, unsigned w) { return wide_bits(d.m_book, lo, w); };
                CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W), e.seq);
                CHECK_EQ(b, bk(HW::BOOK_TOUCH_LO, HW::BOOK_TOUCH_W), static_cast<uint64_t>(e.touch));
                CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_UKIND_LO, HW::EV_UKIND_W), static_cast<uint64_t>(e.ukind));
                if (e.ukind == HW::UPD_LAST) {
                    CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_USYM_LO, HW::EV_USYM_W), static_cast<uint64_t>(e.usym));
                    CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_UVAL_LO, 32), e.uval);
                }
                if (e.touch) {
                    touches++;
                    CHECK_EQ(b, bk(HW::BOOK_SYM_LO, HW::BOOK_SYM_W), static_cast<uint64_t>(e.sym));
                    CHECK_EQ(b, bk(HW::BOOK_FLAGS_LO, HW::BOOK_FLAGS_W), static_cast<uint64_t>(e.flags));
                    CHECK_EQ(b, bk(HW::BOOK_BID_VALID_LO, 1), static_cast<uint64_t>(e.bv));
                    CHECK_EQ(b, bk(HW::BOOK_ASK_VALID_LO, 1), static_cast<uint64_t>(e.av));
                    if (e.bv) {
                        CHECK_EQ(b, bk(HW::BOOK_BID_IDX_LO, HW::BOOK_BID_IDX_W), static_cast<uint64_t>(e.bi));
                        CHECK_EQ(b, bk(HW::BOOK_BID_SZ_LO, HW::BOOK_BID_SZ_W), e.bs);
                    }
                    if (e.av) {
                        CHECK_EQ(b, bk(HW::BOOK_ASK_IDX_LO, HW::BOOK_ASK_IDX_W), static_cast<uint64_t>(e.ai));
                        CHECK_EQ(b, bk(HW::BOOK_ASK_SZ_LO, HW::BOOK_ASK_SZ_W), e.as);
                    }
                    CHECK_EQ(b, bk(HW::BOOK_BASE_Q_LO, HW::BOOK_BASE_Q_W), e.base);
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
