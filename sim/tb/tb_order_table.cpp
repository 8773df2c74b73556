// rg_order_table at the spec parameters (2 banks x 2^17 sets x 4 ways, 16 stash and 16 ghost
// slots) against a model of spec section 5. First crafted references that share both home
// sets (test/vectors/tools/same-home-refs.py): bank 0's set, bank 1's set, the stash and the
// ghost slots fill in that order, the next is untracked; lookups find each in its place;
// a ghost's lifecycle (reduce, free, its slot reused), freeing every ghost of a symbol
// (CLEAR_COLLISION), stash and way reuse, occupancy. Then random inserts, lookups, reduces,
// frees and clears on references drawn mostly from a few same-home groups; the clear sweep.
#include <array>
#include <unordered_map>

#include "rg_contract.h"
#include "tb_common.h"
#include "tb_order_hash.h"

using namespace tb;
namespace C = rg::contract;

static constexpr int SB = C::SET_BITS_DEFAULT, WAYS = C::WAYS_DEFAULT;
static constexpr int NSTASH = C::STASH_SLOTS_DEFAULT, NGHOST = C::GHOST_SLOTS_DEFAULT;
static constexpr int SYM_W = 6, IDX_W = 12;
static constexpr int SHARES_LO = IDX_W + 2, PRICE_LO = SHARES_LO + 32, SIDE_LO = PRICE_LO + 32, SYM_LO = SIDE_LO + 1,
                     REF_LO = SYM_LO + SYM_W, ENTRY_W = REF_LO + 64;

struct E {
    bool valid = false;
    uint64_t ref = 0;
    uint32_t sym = 0, side = 0, price = 0, shares = 0, cls = 0, idx = 0;
};
enum Kind { BANK0, BANK1, STASH, GHOST, NONE };
struct Place { Kind kind = NONE; uint32_t at = 0; };

struct Model {
    std::unordered_map<uint32_t, std::array<E, WAYS>> bank[2];
    E stash[NSTASH], ghost[NGHOST];
    uint64_t live = 0;
    E *at(Place p) {
        switch (p.kind) {
            case BANK0: return &bank[0][p.at / WAYS][p.at % WAYS];
            case BANK1: return &bank[1][p.at / WAYS][p.at % WAYS];
            case STASH: return &stash[p.at];
            case GHOST: return &ghost[p.at];
            default: return nullptr;
        }
    }
    Place lookup(uint64_t r) {
        uint32_t s[2] = {home0(r, SB), home1(r, SB)};
        for (int b = 0; b < 2; b++)
            for (int w = 0; w < WAYS; w++) {
                const E &e = bank[b][s[b]][w];
                if (e.valid && e.ref == r) return {b ? BANK1 : BANK0, s[b] * WAYS + w};
            }
        for (int k = 0; k < NSTASH; k++) if (stash[k].valid && stash[k].ref == r) return {STASH, static_cast<uint32_t>(k)};
        for (int k = 0; k < NGHOST; k++) if (ghost[k].valid && ghost[k].ref == r) return {GHOST, static_cast<uint32_t>(k)};
        return {};
    }
    Place placement(uint64_t r) {
        uint32_t s[2] = {home0(r, SB), home1(r, SB)};
        for (int b = 0; b < 2; b++)
            for (int w = 0; w < WAYS; w++) if (!bank[b][s[b]][w].valid) return {b ? BANK1 : BANK0, s[b] * WAYS + w};
        for (int k = 0; k < NSTASH; k++) if (!stash[k].valid) return {STASH, static_cast<uint32_t>(k)};
        for (int k = 0; k < NGHOST; k++) if (!ghost[k].valid) return {GHOST, static_cast<uint32_t>(k)};
        return {};
    }
    uint32_t nstash() const { uint32_t n = 0; for (auto &e : stash) n += e.valid; return n; }
    uint32_t nghost() const { uint32_t n = 0; for (auto &e : ghost) n += e.valid; return n; }
};

struct Tb {
    Bench b{"order_table", 5};
    Model m;
    uint64_t inserts = 0, stashed = 0, ghosted = 0, lost = 0, hits = 0, ghost_hits = 0, misses = 0, clears = 0;
    uint64_t chained_reads = 0;
    // back to back (as the book engine runs): the next read issued in a write's cycle
    bool chained = false;
    uint64_t chained_ref = 0;
    // x given with each read (rd_shares): hit_lt / hit_diff compare the hit's shares with it
    Rng xr{29};
    uint32_t x_read = 0, x_chained = 0;
    uint64_t x_lt = 0, x_eq = 0, x_gt = 0;
    // e - 1, e or e + 1 for a third of the reads of a live reference (e its shares in the
    // model when drawn), else mostly near the entries' shares (below 1100), values near 2^32
    // for the wrap of e - x, or any 32-bit value
    uint32_t draw_x(uint64_t r) {
        Place h = m.lookup(r);
        if (h.kind != NONE && xr.chance(0.33)) return m.at(h)->shares + xr.below(3) - 1;
        uint32_t k = xr.below(10);
        return k < 7 ? xr.below(1100) : k < 9 ? 0xFFFFFFFFu - xr.below(4) : static_cast<uint32_t>(xr.next());
    }

    void idle_inputs() {
        auto &d = *b.dut;
        d.rd_en = 0; d.hit_we = 0; d.hit_free = 0; d.ins_we = 0; d.clr_we = 0;
    }
    void reset() {
        idle_inputs();
        b.reset();
        int sweep = 0;
        while (b.dut->busy) { b.tick(); sweep++; }
        // both banks sweep in parallel: 2^SB sets, 16 sets of 4 valid bits per 64-bit word
        CHECK_EQ(b, sweep, (1 << SB) / 16);
        m = Model();
        chained = false;
    }
    // The outputs of the read of `r` against the model (three cycles after the read).
    Place check_read(uint64_t r) {
        auto &d = *b.dut;
        Place h = m.lookup(r), p = m.placement(r);
        CHECK_EQ(b, d.hit, h.kind != NONE);
        CHECK_EQ(b, d.hit_ghost, h.kind == GHOST);
        if (h.kind != NONE) {
            const E &e = *m.at(h);
            CHECK_EQ(b, wide_bits(d.hit_entry, REF_LO, 64), e.ref);
            CHECK_EQ(b, wide_bits(d.hit_entry, SYM_LO, SYM_W), e.sym);
            CHECK_EQ(b, wide_bits(d.hit_entry, SIDE_LO, 1), e.side);
            CHECK_EQ(b, wide_bits(d.hit_entry, PRICE_LO, 32), e.price);
            CHECK_EQ(b, wide_bits(d.hit_entry, SHARES_LO, 32), e.shares);
            CHECK_EQ(b, wide_bits(d.hit_entry, 0, SHARES_LO), h.kind == GHOST ? 0u : (e.cls << IDX_W | e.idx));
            CHECK_EQ(b, static_cast<uint32_t>(d.hit_lt), static_cast<uint32_t>(x_read < e.shares));
            CHECK_EQ(b, static_cast<uint32_t>(d.hit_diff), e.shares - x_read);
            (x_read < e.shares ? x_lt : x_read == e.shares ? x_eq : x_gt)++;
        }
        CHECK_EQ(b, d.ins_book, p.kind == BANK0 || p.kind == BANK1 || p.kind == STASH);
        CHECK_EQ(b, d.ins_stash, p.kind == STASH);
        CHECK_EQ(b, d.ins_ghost, p.kind == GHOST);
        return h;
    }
    void read(uint64_t r) {
        auto &d = *b.dut;
        if (chained) {   // issued in the previous write's cycle: the table forwards that write
            CHECK_EQ(b, chained_ref, r);
            chained = false;
            x_read = x_chained;
            chained_reads++;
            b.tick();
            b.tick();
            return;
        }
        idle_inputs();
        d.rd_en = 1;
        d.rd_ref = r;
        d.rd_shares = x_read = draw_x(r);
        b.tick();
        d.rd_en = 0;
        b.tick();   // lines and way matches registered
        b.tick();   // hit and placement registered: results from the next cycle
    }
    // In a write's cycle: read `next` too (chain >= 0), as the book engine does back to back.
    void chain_read(int64_t next) {
        if (next < 0) return;
        auto &d = *b.dut;
        d.rd_en = 1;
        d.rd_ref = static_cast<uint64_t>(next);
        d.rd_shares = x_chained = draw_x(static_cast<uint64_t>(next));
        chained = true;
        chained_ref = static_cast<uint64_t>(next);
    }
    // Read `r`, then insert it (spec section 5 insert). Returns where the model put it.
    Kind insert(uint64_t r, uint32_t sym, uint32_t side, uint32_t price, uint32_t shares, uint32_t cls, uint32_t idx,
                int64_t next = -1) {
        auto &d = *b.dut;
        read(r);
        Place p = m.placement(r);
        b.tick([&] {
            check_read(r);
            d.ins_we = 1;
            clear_wide(d.ins_entry);
            set_wide_bits(d.ins_entry, REF_LO, 64, r);
            set_wide_bits(d.ins_entry, SYM_LO, SYM_W, sym);
            set_wide_bits(d.ins_entry, SIDE_LO, 1, side);
            set_wide_bits(d.ins_entry, PRICE_LO, 32, price);
            set_wide_bits(d.ins_entry, SHARES_LO, 32, shares);
            set_wide_bits(d.ins_entry, IDX_W, 2, cls);
            set_wide_bits(d.ins_entry, 0, IDX_W, idx);
            chain_read(next);
        });
        idle_inputs();
        inserts++;
        if (p.kind == NONE) { lost++; return NONE; }
        *m.at(p) = {true, r, sym, side, price, shares, cls, idx};
        if (p.kind == STASH) stashed++;
        if (p.kind == GHOST) ghosted++; else m.live++;
        return p.kind;
    }
    // Read `r` and, if found, free it or set its shares. Returns where it was.
    Kind update(uint64_t r, bool free, uint32_t shares, int64_t next = -1) {
        auto &d = *b.dut;
        read(r);
        Place h{};
        b.tick([&] {
            h = check_read(r);
            if (h.kind != NONE) {
                d.hit_we = 1;
                d.hit_free = free;
                d.hit_shares = shares;
            }
            chain_read(next);
        });
        idle_inputs();
        if (h.kind == NONE) { misses++; return NONE; }
        hits++;
        if (h.kind == GHOST) ghost_hits++;
        E *e = m.at(h);
        if (free) { e->valid = false; if (h.kind != GHOST) m.live--; }
        else e->shares = shares;
        return h.kind;
    }
    Kind lookup(uint64_t r) {
        read(r);
        Place h{};
        b.tick([&] { h = check_read(r); });
        return h.kind;
    }
    void clear_symbol(uint32_t sym) {
        auto &d = *b.dut;
        idle_inputs();
        d.clr_we = 1;
        d.clr_sym = sym;
        b.tick();
        idle_inputs();
        for (auto &e : m.ghost) if (e.valid && e.sym == sym) e.valid = false;
        clears++;
    }
    void check_occupancy() {
        auto &d = *b.dut;
        b.tick();
        b.tick();
        b.tick();   // the occupancy outputs follow the writes two cycles later
        CHECK_EQ(b, d.occ_live, m.live);
        CHECK_EQ(b, d.occ_stash, m.nstash());
        CHECK_EQ(b, d.occ_ghost, m.nghost());
    }
};

int main() {
    Tb t;
    Bench &b = t.b;
    Rng r(11);
    t.reset();

    // hashes: CRC-32C check value of eight zero bytes; same-home refs as the vector tool prints
    CHECK_EQ(b, crc32c_u64(0), 0x8C28B28Au);
    auto refs = same_home_refs(1000, 48, SB);
    const uint64_t tool[] = {1000, 5035431417ull, 10070863818ull, 14837856731ull, 121372811998ull};  // same-home-refs.py 1000 5
    for (int i = 0; i < 5; i++) CHECK_EQ(b, refs[i], tool[i]);
    for (auto x : refs) { CHECK_EQ(b, home0(x, SB), home0(1000, SB)); CHECK_EQ(b, home1(x, SB), home1(1000, SB)); }

    // ---- fill: bank 0's set, bank 1's set, the stash, the ghosts, then untracked
    const int N = 2 * WAYS + NSTASH + NGHOST + 1;
    for (int k = 0; k < N; k++) {
        Kind want = k < WAYS ? BANK0 : k < 2 * WAYS ? BANK1 : k < 2 * WAYS + NSTASH ? STASH : k < N - 1 ? GHOST : NONE;
        CHECK_EQ(b, t.insert(refs[k], k % 3, k & 1, 100000 + k, 10 + k, k % 4, 100 + k), want);
    }
    t.check_occupancy();
    CHECK_EQ(b, t.m.live, static_cast<uint64_t>(2 * WAYS + NSTASH));
    for (int k = 0; k < N; k++) t.lookup(refs[k]);   // every place answers, the untracked one misses
    CHECK_EQ(b, t.lookup(refs[N - 1]), NONE);

    // ---- ghost lifecycle: reduce, free (its slot is reused by the next dropped order)
    const int G0 = 2 * WAYS + NSTASH;
    CHECK_EQ(b, t.update(refs[G0], false, 3), GHOST);          // reduce: 3 shares left
    CHECK_EQ(b, t.lookup(refs[G0]), GHOST);
    CHECK_EQ(b, t.update(refs[G0 + 1], true, 0), GHOST);       // freed
    CHECK_EQ(b, t.lookup(refs[G0 + 1]), NONE);
    t.check_occupancy();
    CHECK_EQ(b, t.insert(refs[N], 5, 1, 7, 8, 0, 9), GHOST);   // into ghost slot 1 again
    CHECK_EQ(b, t.m.ghost[1].ref, refs[N]);
    CHECK_EQ(b, t.insert(refs[N + 1], 5, 1, 7, 8, 0, 9), NONE);
    // ---- CLEAR_COLLISION: every ghost of symbol 1 leaves, the others stay
    t.clear_symbol(1);
    t.check_occupancy();
    for (int k = G0; k < N + 2; k++) t.lookup(refs[k]);
    CHECK(b, t.m.nghost() < static_cast<uint32_t>(NGHOST));
    // ---- stash and way reuse: a freed stash slot and a freed bank-0 way take the next inserts
    CHECK_EQ(b, t.update(refs[2 * WAYS + 2], true, 0), STASH);
    CHECK_EQ(b, t.update(refs[1], true, 0), BANK0);
    CHECK_EQ(b, t.insert(refs[N + 2], 2, 0, 1, 2, 3, 4), BANK0);
    CHECK_EQ(b, t.insert(refs[N + 3], 2, 0, 1, 2, 3, 4), STASH);
    CHECK_EQ(b, t.m.stash[2].ref, refs[N + 3]);
    CHECK_EQ(b, t.update(refs[WAYS], false, 77), BANK1);      // a bank-1 way shrinks
    CHECK_EQ(b, t.lookup(refs[WAYS]), BANK1);
    t.check_occupancy();

    // ---- random operations against the model
    t.reset();
    std::vector<uint64_t> pool;
    for (int g = 0; g < 4; g++) {
        auto grp = same_home_refs(r.next(), 30, SB);
        pool.insert(pool.end(), grp.begin(), grp.end());
    }
    for (int i = 0; i < 40; i++) pool.push_back(r.next() >> r.below(40));
    // half of the reads that follow a write are issued in the write's cycle (often of the same
    // reference or set: the pool is mostly same-home groups), as the book engine does
    uint64_t x = pool[r.below(static_cast<uint32_t>(pool.size()))];
    uint32_t k = r.below(100);
    for (int op = 0; op < 30000; op++) {
        uint64_t x_next = r.chance(0.3) ? x : pool[r.below(static_cast<uint32_t>(pool.size()))];
        uint32_t k_next = r.below(100);
        bool chain = k_next < 97 && r.chance(0.5) && op != 15000 && op + 1 < 30000;
        int64_t next = chain ? static_cast<int64_t>(x_next) : -1;
        if (k < 45) t.insert(x, r.below(4), r.below(2), static_cast<uint32_t>(r.next()), r.below(1000), r.below(4), r.below(1 << IDX_W), next);
        else if (k < 85) t.update(x, r.chance(0.6), r.below(1000), next);
        else if (k < 97) { t.lookup(x); next = -1; }
        else { t.clear_symbol(r.below(4)); next = -1; }
        if (next < 0 && op % 1000 == 0) t.check_occupancy();
        if (op == 15000) t.reset();   // reset mid-run: everything invalid again
        x = x_next;
        k = k_next;
    }
    t.check_occupancy();
    CHECK(b, t.chained_reads > 5000);
    CHECK(b, t.x_lt > 1000 && t.x_eq > 10 && t.x_gt > 1000);
    std::printf("  hit shares e against x: %llu x < e, %llu x = e, %llu x > e\n", static_cast<unsigned long long>(t.x_lt),
                static_cast<unsigned long long>(t.x_eq), static_cast<unsigned long long>(t.x_gt));
    std::printf("  %llu reads in the previous write's cycle\n", static_cast<unsigned long long>(t.chained_reads));
    std::printf("  %llu inserts (%llu stashed, %llu ghosts, %llu untracked), %llu hits (%llu ghosts), %llu misses, %llu clears\n",
                static_cast<unsigned long long>(t.inserts), static_cast<unsigned long long>(t.stashed),
                static_cast<unsigned long long>(t.ghosted), static_cast<unsigned long long>(t.lost),
                static_cast<unsigned long long>(t.hits), static_cast<unsigned long long>(t.ghost_hits),
                static_cast<unsigned long long>(t.misses), static_cast<unsigned long long>(t.clears));
    return b.finish();
}
