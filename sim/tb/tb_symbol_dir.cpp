// rg_symbol_dir: the locate table after the clear sweep, R name matching (first match,
// only the first n_symbols names), overrides, many locates per symbol, read-after-write
// between back-to-back messages, read data held while no message is accepted.
#include "tb_common.h"

using namespace tb;

static uint64_t name8(const char *s) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | static_cast<uint8_t>(*s ? *s++ : ' ');
    return v;
}

int main() {
    Bench b("symbol_dir", 4);
    Rng r(5);
    auto &d = *b.dut;
    const char *names[4] = {"AAPL", "MSFT", "AAPL", "ZZZZ"};  // duplicate: first match wins; ZZZZ not configured
    for (int i = 0; i < 4; i++) set_wide_bits(d.cfg_names, 64 * i, 64, name8(names[i]));
    d.cfg_n_symbols = 3;
    d.rd_en = 0;
    d.wr_en = 0;
    b.reset();
    int sweep = 0;
    while (d.busy) {
        b.tick();
        sweep++;
    }
    CHECK(b, sweep >= 16384 && sweep <= 16392);  // four banks of 2^14 cleared side by side

    std::vector<int> loc(65536, -1);
    const char *stocks[5] = {"AAPL", "MSFT", "ZZZZ", "IBM", "AAP"};
    std::vector<uint16_t> hot;
    for (int i = 0; i < 12; i++) hot.push_back(static_cast<uint16_t>(r.next()));
    uint64_t matched = 0, lookups = 0;
    int expect = -2;  // entry expected on the outputs (-2: none yet)
    for (int c = 0; c < 40000; c++) {
        bool acc = r.chance(0.7);
        bool isR = acc && r.chance(0.3);
        uint16_t l = r.chance(0.8) ? hot[r.below(12)] : static_cast<uint16_t>(r.next());
        const char *st = stocks[r.below(5)];
        d.rd_en = acc;
        d.wr_en = isR;
        d.locate = l;
        d.stock = name8(st);
        b.tick([&] {
            if (expect != -2) {
                CHECK_EQ(b, d.sym_valid, expect >= 0);
                if (expect >= 0) CHECK_EQ(b, d.sym, static_cast<uint32_t>(expect));
            }
        });
        if (acc) {
            expect = loc[l];  // read-first: an R reads the entry before its own write
            lookups++;
        }
        if (isR) {
            int m = -1;
            for (int i = 2; i >= 0; i--)
                if (name8(names[i]) == name8(st)) m = i;
            loc[l] = m;
            matched += m >= 0;
        }
    }
    std::printf("  %llu lookups, %llu R matched a configured symbol\n", static_cast<unsigned long long>(lookups),
                static_cast<unsigned long long>(matched));
    return b.finish();
}
