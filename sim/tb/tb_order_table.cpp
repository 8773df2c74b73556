// rg_order_table: random inserts, lookups, shrinks and removes on a tiny table (16 sets x
// 2 ways) against a reference model; the XOR-fold set index; the clear sweep.
#include "tb_common.h"

using namespace tb;

static constexpr int SB = 4, WAYS = 2, SYM_W = 6, IDX_W = 12;   // SB: the contract minimum
static constexpr int ENTRY_W = 64 + SYM_W + 1 + 32 + 32 + 2 + IDX_W;  // 149

struct Entry {
    bool valid = false;
    uint64_t ref = 0;
    uint64_t rest = 0;  // low 85 bits: sym, side, price, shares, cls, idx (we use 64 of them)
};

static uint32_t set_of(uint64_t ref) {
    uint32_t s = 0;
    for (int i = 0; i < 64; i += SB) s ^= static_cast<uint32_t>((ref >> i) & ((1u << SB) - 1));
    return s;
}

int main() {
    Bench b("order_table", 5);
    Rng r(11);
    auto &d = *b.dut;
    d.rd_en = 0;
    d.wr_entry_en = 0;
    d.wr_valid_en = 0;
    b.reset();
    int sweep = 0;
    while (d.busy) {
        b.tick();
        sweep++;
    }
    CHECK(b, sweep <= (1 << SB) / 8 + 4);

    Entry model[1 << SB][WAYS];
    std::vector<uint64_t> pool;
    for (int i = 0; i < 40; i++) pool.push_back(r.next() >> r.below(40));
    uint64_t inserts = 0, full = 0, hits = 0, misses = 0;

    for (int op = 0; op < 20000; op++) {
        uint64_t ref = pool[r.below(static_cast<uint32_t>(pool.size()))];
        int kind = static_cast<int>(r.below(3));  // 0 insert, 1 shrink, 2 remove
        // cycle 0: read
        d.rd_en = 1;
        d.rd_ref = ref;
        d.wr_entry_en = d.wr_valid_en = 0;
        b.tick();
        d.rd_en = 0;
        uint32_t s = set_of(ref);
        // reference answers
        int hit_way = -1, free_way = -1;
        uint32_t vb = 0;
        for (int w = WAYS - 1; w >= 0; w--) {
            if (model[s][w].valid) vb |= 1u << w;
            if (model[s][w].valid && model[s][w].ref == ref) hit_way = w;
            if (!model[s][w].valid) free_way = w;
        }
        // cycle 1: compare and write
        b.tick([&] {
            CHECK_EQ(b, d.rd_set, s);
            CHECK_EQ(b, d.rd_valid_bits, vb);
            CHECK_EQ(b, d.hit, hit_way >= 0);
            CHECK_EQ(b, d.free, free_way >= 0);
            if (hit_way >= 0) {
                CHECK_EQ(b, d.hit_way, static_cast<uint32_t>(hit_way));
                CHECK_EQ(b, wide_bits(d.hit_entry, ENTRY_W - 64, 64), ref);
                CHECK_EQ(b, wide_bits(d.hit_entry, 0, 64), model[s][hit_way].rest);
            }
            if (free_way >= 0) CHECK_EQ(b, d.free_way, static_cast<uint32_t>(free_way));
            d.wr_set = s;
            if (kind == 0) {
                if (free_way < 0) {
                    full++;
                    return;
                }
                inserts++;
                uint64_t rest = r.next();
                d.wr_entry_en = 1;
                d.wr_valid_en = 1;
                d.wr_way = free_way;
                for (int i = 0; i < 5; i++) d.wr_entry[i] = 0;
                set_wide_bits(d.wr_entry, 0, 64, rest);
                set_wide_bits(d.wr_entry, ENTRY_W - 64, 64, ref);
                d.wr_valid_bits = vb | (1u << free_way);
                model[s][free_way] = {true, ref, rest};
            } else if (hit_way >= 0) {
                hits++;
                if (kind == 1) {
                    uint64_t rest = model[s][hit_way].rest ^ (r.next() & 0xffff);
                    d.wr_entry_en = 1;
                    d.wr_way = hit_way;
                    for (int i = 0; i < 5; i++) d.wr_entry[i] = 0;
                    set_wide_bits(d.wr_entry, 0, 64, rest);
                    set_wide_bits(d.wr_entry, ENTRY_W - 64, 64, ref);
                    model[s][hit_way].rest = rest;
                } else {
                    d.wr_valid_en = 1;
                    d.wr_valid_bits = vb & ~(1u << hit_way);
                    model[s][hit_way].valid = false;
                }
            } else {
                misses++;
            }
        });
        d.wr_entry_en = d.wr_valid_en = 0;
        if (r.chance(0.001)) {  // reset mid-run: everything invalid again
            b.reset();
            while (d.busy) b.tick();
            for (auto &set : model)
                for (auto &e : set) e.valid = false;
        }
    }
    std::printf("  %llu inserts, %llu full-set drops, %llu hits, %llu misses\n", static_cast<unsigned long long>(inserts),
                static_cast<unsigned long long>(full), static_cast<unsigned long long>(hits),
                static_cast<unsigned long long>(misses));
    return b.finish();
}
