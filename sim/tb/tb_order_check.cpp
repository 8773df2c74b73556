// rg_order_check (through tb_order_check_top, which registers its reasons): the client-order checks of spec section 18.3 against the Rust core's
// order_entry::check, on the golden vectors tb/order_check.vec that
// native/core/tests/order_check_vectors.rs writes (and checks are current): random inputs
// on the edges of every comparison; each vector's reasons must match bit for bit.
#include <fstream>
#include <sstream>

#include "tb_common.h"

using namespace tb;

int main() {
    Bench b("order_check", 3);
    auto &d = *b.dut;
    b.reset();
    const char *path = "tb/order_check.vec";  // run-tb.sh runs from sim/
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "FAIL order_check: cannot read %s (run from sim/, as run-tb.sh does)\n", path);
        return 1;
    }
    std::string line;
    uint64_t vectors = 0, passing = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        uint64_t v[43];
        for (auto &x : v) s >> std::hex >> x;
        if (!s) {
            std::fprintf(stderr, "FAIL order_check: malformed vector line %llu\n", static_cast<unsigned long long>(vectors + 1));
            return 1;
        }
        int i = 0;
        d.global_kill = v[i++];
        d.gate = v[i++];
        d.market_open = v[i++];
        d.w_shift = v[i++];
        d.sym_kill = v[i++];
        d.tstate = v[i++];
        d.last_trade = v[i++];
        d.max_qty = v[i++];
        d.max_notional = v[i++];
        d.collar_bps = v[i++];
        d.pos_limit = v[i++];
        d.position = v[i++];
        d.max_orders = v[i++];
        d.credit_limit = v[i++];
        d.used_credit = v[i++];
        d.thr_window = v[i++];
        d.thr_count = v[i++];
        d.dup_window = v[i++];
        d.lo_valid = v[i++];
        d.lo_sym = v[i++];
        d.lo_buy = v[i++];
        d.lo_price = v[i++];
        d.lo_qty = v[i++];
        d.lo_ts = v[i++];
        d.open_buy = v[i++];
        d.open_sell = v[i++];
        d.sym_reduce_only = v[i++];
        d.ssr = v[i++];
        d.open_count = v[i++];
        d.max_open = v[i++];
        d.open_notional = v[i++];
        d.acct_reduce_only = v[i++];
        d.max_rate = v[i++];
        d.rate_window = v[i++];
        d.rate_count = v[i++];
        d.bid = v[i++];
        d.ts = v[i++];
        d.side = v[i++];
        d.symbol = v[i++];
        d.price = v[i++];
        d.qty = v[i++];
        d.acct_kill = v[i++];
        const uint64_t want = v[i++];
        b.tick();
        CHECK_EQ(b, static_cast<uint64_t>(d.reasons), want);
        vectors++;
        if (want == 0) passing++;
    }
    CHECK(b, vectors >= 3000);
    CHECK(b, passing >= 100);
    return b.finish();
}
