// rg_symbol_dir: the locate table after the clear sweep, R name matching (first match,
// only the first n_symbols names), overrides, many locates per symbol, read-after-write
// between back-to-back messages, the on-tick check, and back-pressure.
#include <deque>

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
    d.cfg_tick = 100;
    d.s_valid = 0;
    d.m_ready = 1;
    b.reset();
    int sweep = 0;
    while (d.busy) {
        b.tick();
        sweep++;
    }
    CHECK(b, sweep >= 8192 && sweep <= 8200);

    std::vector<int> loc(65536, -1);
    struct Exp {
        uint16_t pass;
        int sym;
        bool on_tick;
    };
    std::deque<Exp> q;
    const char *stocks[5] = {"AAPL", "MSFT", "ZZZZ", "IBM", "AAP"};
    std::vector<uint16_t> hot;
    for (int i = 0; i < 12; i++) hot.push_back(static_cast<uint16_t>(r.next()));
    uint64_t n_in = 0, n_out = 0, matched = 0;
    bool hold = false;
    while (n_out < 20000) {
        if (!hold && n_in < 20000) {
            bool isR = r.chance(0.3);
            uint16_t l = r.chance(0.8) ? hot[r.below(12)] : static_cast<uint16_t>(r.next());
            const char *st = stocks[r.below(5)];
            uint32_t price = r.chance(0.5) ? 100 * r.below(1 << 20) : r.below(1u << 31);
            uint64_t recip = ((1ull << 48) + 99) / 100;
            uint32_t qv = static_cast<uint32_t>((static_cast<unsigned __int128>(price) * recip) >> 48);
            d.s_op = isR ? 3 : 6;
            d.s_locate = l;
            d.s_stock = name8(st);
            d.s_price = price;
            d.s_q = qv;
            d.s_pass = static_cast<uint16_t>(n_in);
            int before = loc[l];  // an R reads the entry before its own write (unused downstream)
            if (isR) {
                int m = -1;
                for (int i = 2; i >= 0; i--)
                    if (name8(names[i]) == name8(st)) m = i;
                loc[l] = m;
                if (m >= 0) matched++;
            }
            q.push_back({static_cast<uint16_t>(n_in), isR ? before : loc[l], qv * 100ull == price});
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
                CHECK_EQ(b, d.m_pass, e.pass);
                CHECK_EQ(b, d.m_sym_valid, e.sym >= 0);
                if (e.sym >= 0) CHECK_EQ(b, d.m_sym, static_cast<uint32_t>(e.sym));
                CHECK_EQ(b, d.m_on_tick, e.on_tick);
                n_out++;
            }
        });
    }
    std::printf("  %llu messages, %llu R matched a configured symbol\n", static_cast<unsigned long long>(n_out),
                static_cast<unsigned long long>(matched));
    return b.finish();
}
