// rg_book: random level updates (adds, exact removals that empty the best level, partial
// reductions, wrapping subtractions) and out-of-band counter updates against a full-depth
// reference model of every level; best bid/ask, sizes and counter flags after each.
#include "tb_common.h"

using namespace tb;

static constexpr int NS = 2, L = 256;

int main() {
    Bench b("book", 9);
    Rng r(13);
    auto &d = *b.dut;
    d.upd_valid = 0;
    d.cnt_valid = 0;
    b.reset();

    static uint32_t lvl[NS][2][L];
    static uint32_t cnt[NS][2][4];
    std::memset(lvl, 0, sizeof lvl);
    std::memset(cnt, 0, sizeof cnt);
    uint64_t searches = 0, updates = 0, maxlat = 0;
    uint64_t by_lat[21] = {};

    auto check_all = [&](int sym) {
        d.q_sym = sym;
        d.eval();
        for (int side = 0; side < 2; side++) {
            int best = -1;
            for (int i = 0; i < L; i++)
                if (lvl[sym][side][i] != 0 && (best < 0 || (side ? i > best : i < best))) best = i;
            bool v = side ? d.bid_valid : d.ask_valid;
            uint32_t idx = side ? d.bid_idx : d.ask_idx;
            uint32_t sz = side ? d.bid_sz : d.ask_sz;
            CHECK_EQ(b, v, best >= 0);
            if (best >= 0) {
                CHECK_EQ(b, idx, static_cast<uint32_t>(best));
                CHECK_EQ(b, sz, lvl[sym][side][best]);
            }
        }
        CHECK_EQ(b, d.bid_below_nz, cnt[sym][1][1] != 0);
        CHECK_EQ(b, d.bid_above_nz, cnt[sym][1][2] != 0);
        CHECK_EQ(b, d.bid_off_nz, cnt[sym][1][3] != 0);
        CHECK_EQ(b, d.ask_below_nz, cnt[sym][0][1] != 0);
        CHECK_EQ(b, d.ask_above_nz, cnt[sym][0][2] != 0);
        CHECK_EQ(b, d.ask_off_nz, cnt[sym][0][3] != 0);
    };

    for (int op = 0; op < 40000; op++) {
        int sym = static_cast<int>(r.below(NS));
        int side = static_cast<int>(r.below(2));
        if (r.chance(0.1)) {
            int cls = 1 + static_cast<int>(r.below(3));
            bool dec = cnt[sym][side][cls] > 0 ? r.chance(0.5) : r.chance(0.02);  // rare wrap below 0
            d.cnt_valid = 1;
            d.cnt_sym = sym;
            d.cnt_buy = side;
            d.cnt_cls = cls;
            d.cnt_dec = dec;
            b.tick();
            d.cnt_valid = 0;
            cnt[sym][side][cls] += dec ? 0xFFFFFFFFu : 1u;
            // the cycle after the request (the counter is written at its end: the flags of
            // the updated side come from the old count), and sometimes the one after (from
            // the written count), for both symbols
            check_all(sym);
            check_all(sym ^ 1);
            if (r.chance(0.3)) {
                b.tick();
                check_all(sym);
                check_all(sym ^ 1);
            }
            continue;
        }
        // pick a level: clustered so levels empty and refill; sometimes the current best
        int idx;
        if (r.chance(0.3)) {
            int best = -1;
            for (int i = 0; i < L; i++)
                if (lvl[sym][side][i] && (best < 0 || (side ? i > best : i < best))) best = i;
            idx = best >= 0 ? best : static_cast<int>(r.below(L));
        } else {
            idx = static_cast<int>((L / 2 + static_cast<int>(r.below(L / 3)) - L / 6 + L) % L);
            if (r.chance(0.05)) idx = static_cast<int>(r.below(L));
        }
        uint32_t cur = lvl[sym][side][idx];
        bool sub;
        uint32_t delta;
        if (cur && r.chance(0.5)) {
            sub = true;
            delta = r.chance(0.6) ? cur : static_cast<uint32_t>(r.below(cur + 1));
            if (r.chance(0.01)) delta = cur + 1 + r.below(100);  // wraps
        } else {
            sub = false;
            delta = r.chance(0.02) ? 0 : 1 + r.below(5000);
            if (r.chance(0.005)) delta = 0xFFFFFFFFu - r.below(10);  // wraps to 0 soon
            // an add that wraps the level to exactly 0, or misses 0 by one bit (the book decides
            // "the level is now 0" without the adder, bit by bit)
            if (cur && r.chance(0.08)) {
                delta = 0u - cur;
                if (r.chance(0.6)) delta ^= 1u << r.below(32);
            }
        }
        // after an update the book writes back for a cycle (upd_ready low): wait for it
        for (int w = 0; !d.upd_ready && w < 4; w++) b.tick();
        CHECK(b, d.upd_ready);
        d.upd_valid = 1;
        d.upd_sym = sym;
        d.upd_buy = side;
        d.upd_idx = idx;
        d.upd_delta = delta;
        d.upd_sub = sub;
        CHECK(b, d.upd_ready);
        b.tick();
        d.upd_valid = 0;
        uint64_t lat = 1;
        bool done = false;
        bool nb_v = false;
        uint32_t nb_i = 0, nb_s = 0;
        while (!done && lat < 20) {
            b.tick([&] { done = d.upd_done; nb_v = d.nb_valid; nb_i = d.nb_idx; nb_s = d.nb_sz; });
            lat++;
        }
        CHECK(b, done);
        if (lat > 2) searches++;
        by_lat[lat]++;
        if (lat > maxlat) maxlat = lat;
        updates++;
        lvl[sym][side][idx] = sub ? cur - delta : cur + delta;
        // in the upd_done cycle nb_* is the updated side's best level after the update
        {
            int best = -1;
            for (int i = 0; i < L; i++)
                if (lvl[sym][side][i] != 0 && (best < 0 || (side ? i > best : i < best))) best = i;
            CHECK_EQ(b, nb_v, best >= 0);
            if (best >= 0) {
                CHECK_EQ(b, nb_i, static_cast<uint32_t>(best));
                CHECK_EQ(b, nb_s, lvl[sym][side][best]);
            }
        }
        check_all(sym);
        check_all(sym ^ 1);
        if (r.chance(0.0005)) {
            b.reset();
            std::memset(lvl, 0, sizeof lvl);
            std::memset(cnt, 0, sizeof cnt);
            check_all(0);
        }
    }
    std::printf("  %llu level updates, %llu needed a best-level search (%llu left the side empty, %llu in the same word, %llu in "
                "another word), max %llu cycles per update\n",
                static_cast<unsigned long long>(updates), static_cast<unsigned long long>(searches),
                static_cast<unsigned long long>(by_lat[4]), static_cast<unsigned long long>(by_lat[5]),
                static_cast<unsigned long long>(by_lat[7]),
                static_cast<unsigned long long>(maxlat));
    // 2 cycles without a search; the search: write-back, then (word read, registered,
    // searched) and the candidate's size read, registered
    CHECK(b, maxlat <= 7);
    // exactly: 2 (no search), 4 (the side left empty), 5 (the same word's next level), 7
    // (another word)
    CHECK(b, by_lat[3] == 0 && by_lat[6] == 0);
    CHECK(b, by_lat[4] > 0 && by_lat[5] > 0 && by_lat[7] > 0);
    return b.finish();
}
