// rg_book_engine at tiny parameters (2 symbols, L = 64, 2 banks of 16 sets x 2 ways, 2 stash
// and 2 ghost slots) against a model of spec sections 3.2, 4, 5 and 6: window rule, classes,
// the two-bank insert/lookup with stash, ghosts and untracked drops, ghosts acting without
// the book (last trade, reduce, free, replace), COLLISION from ghosts and untracked drops and
// clearing by itself, reduce/remove, replace, flags, best levels, last-trade updates,
// pass-through events (S, R, H and W, trades, skipped types, prebuilt records) and
// CLEAR_COLLISION; the stats pulses and the table occupancy;
// random back-pressure.
#include <algorithm>
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"
#include "tb_order_hash.h"

using namespace tb;
namespace C = rg::contract;
namespace HW = rg::contract::hw;

static constexpr int NS = 2, L = 64, SB = 4, WAYS = 2, NSTASH = 2, NGHOST = 2, TICK = 5;   // SB: the contract's minimum

struct Order { bool valid = false; uint64_t ref = 0; int sym = 0; bool buy = false; uint32_t price = 0, shares = 0; int cls = 0, idx = 0; bool ghost = false; };
struct Model {
    bool wset[NS] = {false, false};
    uint32_t base[NS] = {0, 0};
    int ghosts[NS] = {0, 0};
    bool lost[NS] = {false, false};
    uint32_t lvl[NS][2][L] = {};
    uint32_t cnt[NS][2][4] = {};
    Order tab[2][1 << SB][WAYS], stash[NSTASH], ghost[NGHOST];
    uint64_t unknown = 0, stashed = 0, ghosted = 0, untracked = 0, clears = 0;
    bool coll(int sym) const { return ghosts[sym] > 0 || lost[sym]; }
    // spec section 5 insert: bank 0's set, bank 1's set, the stash, else a ghost or untracked
    Order *place(uint64_t ref) {
        uint32_t s[2] = {home0(ref, SB), home1(ref, SB)};
        for (int b = 0; b < 2; b++)
            for (int w = 0; w < WAYS; w++) if (!tab[b][s[b]][w].valid) return &tab[b][s[b]][w];
        for (auto &o : stash) if (!o.valid) { stashed++; return &o; }
        return nullptr;
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
        if (Order *o = place(ref)) {
            *o = {true, ref, sym, buy, price, shares, cls, idx, false};
            if (cls == HW::CLS_IN) lvl[sym][buy][idx] += shares; else cnt[sym][buy][cls]++;
            return;
        }
        for (auto &g : ghost)
            if (!g.valid) {
                g = {true, ref, sym, buy, price, shares, 0, 0, true};
                ghosts[sym]++;
                ghosted++;
                return;
            }
        lost[sym] = true;
        untracked++;
    }
    // spec section 5 lookup: bank 0, bank 1, stash, ghosts
    Order *find(uint64_t ref) {
        uint32_t s[2] = {home0(ref, SB), home1(ref, SB)};
        for (int b = 0; b < 2; b++)
            for (int w = 0; w < WAYS; w++) if (tab[b][s[b]][w].valid && tab[b][s[b]][w].ref == ref) return &tab[b][s[b]][w];
        for (auto &o : stash) if (o.valid && o.ref == ref) return &o;
        for (auto &o : ghost) if (o.valid && o.ref == ref) return &o;
        return nullptr;
    }
    void reduce(Order *o, uint32_t r) {
        if (o->cls == HW::CLS_IN && !o->ghost) lvl[o->sym][o->buy][o->idx] -= r;
        o->shares -= r;
        if (o->shares == 0) remove(o);
    }
    void remove(Order *o) {
        o->valid = false;
        if (o->ghost) {
            if (--ghosts[o->sym] == 0 && !lost[o->sym]) clears++;
            return;
        }
        if (o->cls == HW::CLS_IN) lvl[o->sym][o->buy][o->idx] -= o->shares; else cnt[o->sym][o->buy][o->cls]--;
    }
    void clear_collision(int sym) {
        for (auto &g : ghost) if (g.valid && g.sym == sym) g.valid = false;
        ghosts[sym] = 0;
        lost[sym] = false;
    }
    uint32_t live() const {
        uint32_t n = 0;
        for (auto &bank : tab) for (auto &set : bank) for (auto &o : set) n += o.valid;
        for (auto &o : stash) n += o.valid;
        return n;
    }
    uint32_t nstash() const { uint32_t n = 0; for (auto &o : stash) n += o.valid; return n; }
    uint32_t nghost() const { uint32_t n = 0; for (auto &o : ghost) n += o.valid; return n; }
};

struct Ev {
    bool touch; int sym; int flags;
    bool bv; int bi; uint32_t bs; bool av; int ai; uint32_t as; uint32_t base;
    uint64_t seq; int ukind; int usym; uint64_t uval;
    bool check_code; int ucode;  // S, H, W: the event carries the message's code
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
    uint64_t seq = 0, n_out = 0, n_unknown = 0, n_stashed = 0, n_ghosted = 0, n_untracked = 0, n_clears = 0, touches = 0;
    uint64_t ghost_hits = 0, n_halts = 0, n_mwcb = 0;
    uint32_t peak_live = 0, peak_stash = 0, peak_ghost = 0, hw_peak_live = 0, hw_peak_stash = 0, hw_peak_ghost = 0;
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
        e.flags = (bandb ? C::flag::BAND_BID : 0) | (banda ? C::flag::BAND_ASK : 0) | (m.coll(sym) ? C::flag::COLLISION : 0);
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
            for (auto &bank : m.tab) for (auto &set : bank) for (auto &o : set) if (o.valid) live.push_back(o.ref);
            for (auto &o : m.stash) if (o.valid) live.push_back(o.ref);
            for (auto &o : m.ghost) if (o.valid) live.push_back(o.ref);
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
            if (kind < 33) {
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
                    ghost_hits += o->ghost;
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
                    ghost_hits += o->ghost;
                    m.remove(o);
                    m.add(osym, nref, obuy, shares, price);
                    live.push_back(nref);
                    e.touch = true; snapshot(e, osym);
                }
            } else if (kind < 94) {
                op = HW::OP_CTRL;  // CLEAR_COLLISION (valid control, prebuilt record)
                d.s_code = C::op::CLEAR_COLLISION; d.s_locate = static_cast<uint16_t>(sym);
                m.clear_collision(sym);
                d.s_rkind = C::kind::CONTROL; e.ukind = HW::UPD_CTRL;
            } else if (kind < 97) {
                op = r.chance(0.5) ? HW::OP_TRADE : HW::OP_NONE;  // trade / skipped
                if (op == HW::OP_TRADE) { e.ukind = HW::UPD_LAST; e.usym = sym; e.uval = price; }
            } else {
                // pass-through messages without table access: S, R, H and W (halts and
                // market-wide circuit breakers), a prebuilt PROBLEM; an H for an unsubscribed
                // symbol and a W at a level other than 1..3 carry no update
                const int ops[] = {HW::OP_SYS, HW::OP_DIR, HW::OP_HALT, HW::OP_MWCB, HW::OP_PREC};
                op = ops[r.below(5)];
                e.check_code = true;
                if (op == HW::OP_SYS) {
                    d.s_code = "OSQMEC"[r.below(6)];
                    e.ukind = HW::UPD_MKT;
                } else if (op == HW::OP_HALT) {
                    d.s_code = "HPQT"[r.below(4)];
                    d.s_sym_valid = r.chance(0.8);
                    if (d.s_sym_valid) { e.ukind = HW::UPD_HALT; e.usym = sym; n_halts++; }
                } else if (op == HW::OP_MWCB) {
                    d.s_code = "1230 "[r.below(5)];
                    d.s_sym_valid = 0;
                    if (d.s_code >= '1' && d.s_code <= '3') { e.ukind = HW::UPD_MWCB; n_mwcb++; }
                } else {
                    d.s_code = static_cast<uint8_t>(r.below(256));
                    e.check_code = false;
                }
                e.ucode = d.s_code;
            }
            d.s_op = op;
            d.s_seq = seq; d.s_ts = seq * 10; d.s_t_offer = 0; d.s_t_last = 0;
            d.s_ref = ref; d.s_shares = shares; d.s_price = price;
            d.s_q = price / TICK;
            q.push_back(e);
            peak_live = std::max(peak_live, m.live());
            peak_stash = std::max(peak_stash, m.nstash());
            peak_ghost = std::max(peak_ghost, m.nghost());
            hold = true;
        }
        d.s_valid = hold;
        d.m_ready = r.chance(0.8);
        b.tick([&] {
            if (d.st_unknown_ref) n_unknown++;
            n_stashed += d.st_stash_insert;
            n_ghosted += d.st_ghost_insert;
            n_untracked += d.st_untracked_drop;
            n_clears += d.st_collision_clear;
            hw_peak_live = std::max<uint32_t>(hw_peak_live, d.occ_live);
            hw_peak_stash = std::max<uint32_t>(hw_peak_stash, d.occ_stash);
            hw_peak_ghost = std::max<uint32_t>(hw_peak_ghost, d.occ_ghost);
            if (d.s_valid && d.s_ready) hold = false;
            if (d.m_valid && d.m_ready) {
                Ev e = q.front();
                q.pop_front();
                auto bk = [&](unsigned lo, unsigned w) { return wide_bits(d.m_book, lo, w); };
                CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W), e.seq);
                CHECK_EQ(b, bk(HW::BOOK_TOUCH_LO, HW::BOOK_TOUCH_W), static_cast<uint64_t>(e.touch));
                CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_UKIND_LO, HW::EV_UKIND_W), static_cast<uint64_t>(e.ukind));
                if (e.check_code) CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_UCODE_LO, HW::EV_UCODE_W), static_cast<uint64_t>(e.ucode));
                if (e.ukind == HW::UPD_HALT) CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_USYM_LO, HW::EV_USYM_W), static_cast<uint64_t>(e.usym));
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
    CHECK_EQ(b, n_stashed, m.stashed);
    CHECK_EQ(b, n_ghosted, m.ghosted);
    CHECK_EQ(b, n_untracked, m.untracked);
    CHECK_EQ(b, n_clears, m.clears);
    CHECK_EQ(b, d.occ_live, m.live());
    CHECK_EQ(b, d.occ_stash, m.nstash());
    CHECK_EQ(b, d.occ_ghost, m.nghost());
    CHECK_EQ(b, hw_peak_live, peak_live);
    CHECK_EQ(b, hw_peak_stash, peak_stash);
    CHECK_EQ(b, hw_peak_ghost, peak_ghost);
    CHECK(b, m.stashed > 100 && m.ghosted > 100 && m.untracked > 100 && m.clears > 50 && ghost_hits > 100);
    CHECK(b, n_halts > 50 && n_mwcb > 50);
    std::printf("  %llu messages, %llu touched a book, %llu unknown refs; %llu stashed, %llu ghosts (%llu hit), "
                "%llu untracked, %llu COLLISION clears, %llu halts, %llu MWCB; peaks: %u live, %u stash, %u ghosts\n",
                static_cast<unsigned long long>(n_out), static_cast<unsigned long long>(touches),
                static_cast<unsigned long long>(n_unknown), static_cast<unsigned long long>(m.stashed),
                static_cast<unsigned long long>(m.ghosted), static_cast<unsigned long long>(ghost_hits),
                static_cast<unsigned long long>(m.untracked), static_cast<unsigned long long>(m.clears),
                static_cast<unsigned long long>(n_halts), static_cast<unsigned long long>(n_mwcb), peak_live, peak_stash, peak_ghost);
    return b.finish();
}
