// rg_stats: random event pulses (by_type increments back to back on the same and on
// different types, exercising the read-modify-write forwarding), random order-table
// occupancies (their peaks), register reads issued while increments flow, then every
// counter read back against the model (table_full = ghost_inserts + untracked_drops).
#include <algorithm>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;
namespace ST = rg::contract::stats;
static constexpr uint32_t BYT = C::reg::STATS_BY_TYPE_WORD;

static uint32_t read_word(Bench &b, uint32_t word) {
    auto &d = *b.dut;
    d.rd_en = 1;
    d.rd_addr = word;
    uint32_t v = 0;
    bool got = false;
    b.tick([&] { if (d.rd_valid) { v = d.rd_data; got = true; } });
    d.rd_en = 0;
    for (int i = 0; i < 8 && !got; i++) b.tick([&] { if (d.rd_valid) { v = d.rd_data; got = true; } });
    CHECK(b, got);
    return v;
}

int main() {
    Bench b("stats", 8);
    Rng r(23);
    auto &d = *b.dut;
    auto quiet = [&] {
        d.ev_msg = d.ev_type_valid = d.ev_control = d.ev_unknown_ref = 0;
        d.ev_stash_insert = d.ev_ghost_insert = d.ev_untracked_drop = d.ev_collision_clear = 0;
        d.ev_flagged = d.ev_tob = d.ev_decision = d.ev_accepted = d.ev_rejected = 0;
        d.ev_problem = 0;
        d.rd_en = 0;
    };
    d.occ_live = d.occ_stash = d.occ_ghost = 0;
    quiet();
    b.reset();
    for (int i = 0; i < 300; i++) b.tick();  // by_type clear sweep

    uint64_t cnt[ST::COUNTERS] = {0}, by[256] = {0};
    const uint8_t problems[] = {C::problem::BAD_LENGTH, C::problem::UNKNOWN_TYPE, C::problem::TRUNCATED, C::problem::BAD_CONTROL,
                                C::problem::FOREIGN_CONTROL};
    const uint32_t problem_stat[] = {ST::PROBLEM_BAD_LENGTH, ST::PROBLEM_UNKNOWN_TYPE, ST::PROBLEM_TRUNCATED, ST::PROBLEM_BAD_CONTROL,
                                    ST::PROBLEM_FOREIGN_CONTROL};
    uint8_t t = 'A';
    for (int c = 0; c < 50000; c++) {
        quiet();
        if (r.chance(0.7)) {
            if (r.chance(0.3)) t = static_cast<uint8_t>("AAAADEXU~"[r.below(9)]);
            else if (r.chance(0.1)) t = static_cast<uint8_t>(r.next());
            d.ev_type_valid = 1; d.ev_type = t; by[t]++;
            d.ev_msg = 1; cnt[ST::MESSAGES]++;
        }
        if (r.chance(0.1)) { uint32_t p = r.below(5); d.ev_problem = problems[p]; cnt[problem_stat[p]]++; }
        if (r.chance(0.05)) { d.ev_control = 1; cnt[ST::CONTROLS]++; }
        if (r.chance(0.2)) { d.ev_unknown_ref = 1; cnt[ST::UNKNOWN_REF]++; }
        if (r.chance(0.05)) { d.ev_stash_insert = 1; cnt[ST::STASH_INSERTS]++; }
        if (r.chance(0.05)) {   // a dropped insert: a ghost or untracked
            if (r.chance(0.5)) { d.ev_ghost_insert = 1; cnt[ST::GHOST_INSERTS]++; }
            else { d.ev_untracked_drop = 1; cnt[ST::UNTRACKED_DROPS]++; }
            cnt[ST::TABLE_FULL]++;
        }
        if (r.chance(0.02)) { d.ev_collision_clear = 1; cnt[ST::COLLISION_CLEARS]++; }
        // occupancies walk by +-1 (the live count more), their peaks are the largest seen
        auto walk = [&](uint32_t v, uint32_t top) { uint32_t x = r.below(3); return x == 0 && v > 0 ? v - 1 : x == 1 && v < top ? v + 1 : v; };
        d.occ_live = walk(d.occ_live, 1u << 20); d.occ_stash = walk(d.occ_stash, 16); d.occ_ghost = walk(d.occ_ghost, 16);
        cnt[ST::LIVE_PEAK] = std::max<uint64_t>(cnt[ST::LIVE_PEAK], d.occ_live);
        cnt[ST::STASH_PEAK] = std::max<uint64_t>(cnt[ST::STASH_PEAK], d.occ_stash);
        cnt[ST::GHOST_PEAK] = std::max<uint64_t>(cnt[ST::GHOST_PEAK], d.occ_ghost);
        if (r.chance(0.1)) { d.ev_flagged = 1; cnt[ST::FLAGGED]++; }
        if (r.chance(0.3)) { d.ev_tob = 1; cnt[ST::TOB]++; }
        if (r.chance(0.1)) {
            d.ev_decision = 1; cnt[ST::DECISIONS]++;
            if (r.chance(0.5)) { d.ev_accepted = 1; cnt[ST::ACCEPTED]++; cnt[ST::FILLS]++; } else { d.ev_rejected = 1; cnt[ST::REJECTED]++; }
        }
        if (r.chance(0.02)) {  // a read racing the traffic: simple counters only change by increments
            uint32_t k = r.below(ST::COUNTERS);
            d.rd_en = 1; d.rd_addr = 2 * k;
        }
        b.tick();
    }
    quiet();
    for (int i = 0; i < 4; i++) b.tick();
    for (uint32_t k = 0; k < ST::COUNTERS; k++) {
        uint64_t v = read_word(b, 2 * k) | static_cast<uint64_t>(read_word(b, 2 * k + 1)) << 32;
        CHECK_EQ(b, v, cnt[k]);
    }
    for (uint32_t ty = 0; ty < 256; ty++) {
        uint64_t v = read_word(b, BYT + 2 * ty) | static_cast<uint64_t>(read_word(b, BYT + 2 * ty + 1)) << 32;
        CHECK_EQ(b, v, by[ty]);
    }
    // a by_type read while increments keep coming is answered once the RAM port is free
    d.rd_en = 1; d.rd_addr = BYT + 2 * 'A';
    d.ev_type_valid = 1; d.ev_type = 'B';
    bool got = false;
    uint32_t v = 0;
    b.tick();
    d.rd_en = 0;
    for (int i = 0; i < 5; i++) b.tick([&] { if (d.rd_valid) { got = true; v = d.rd_data; } });
    d.ev_type_valid = 0;
    for (int i = 0; i < 3 && !got; i++) b.tick([&] { if (d.rd_valid) { got = true; v = d.rd_data; } });
    CHECK(b, got);
    CHECK_EQ(b, v, static_cast<uint32_t>(by['A']));
    return b.finish();
}
