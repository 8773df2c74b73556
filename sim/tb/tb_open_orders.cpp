// rg_open_orders: the open-order table of spec section 18 against a model of it (the Rust
// core's OrderEntry: place, replace, reduce, freeing at 0). Random operations as the risk
// stage issues them (read the slot, then operate with what was read), a few slots hot so
// replaces and partial reductions pile up on the same order; after every cycle the sums of
// a random symbol and account and the slot read back are compared with the model.
#include <array>

#include "tb_common.h"

using namespace tb;

namespace {

constexpr int SLOTS = 4096, NS = 8, NA = 4;

struct Slot {
    uint32_t open = 0, price = 0;
    uint8_t acct = 0, sym = 0, side = 0;
};

}  // namespace

int main() {
    Bench b("open_orders", 17);
    Rng r(41);
    auto &d = *b.dut;
    d.op_place = d.op_replace = d.op_reduce = 0;
    d.rd_id = 0;
    b.reset();
    int clear = 0;
    while (d.busy) {
        b.tick();
        clear++;
    }
    CHECK(b, clear >= 4095 && clear <= 4100);

    std::vector<Slot> m(SLOTS);
    std::array<uint64_t, NS> ob{}, os{};
    std::array<uint64_t, NA> on{}, oc{};
    std::vector<int> hot;
    for (int i = 0; i < 24; i++) hot.push_back(static_cast<int>(r.below(SLOTS)));
    const char sides[] = {'B', 'S', 'T', 'E'};
    uint64_t places = 0, replaces = 0, reduces = 0, frees = 0;

    for (int c = 0; c < 120000; c++) {
        int id = r.chance(0.7) ? hot[r.below(hot.size())] : static_cast<int>(r.below(SLOTS));
        // cycle 1: read the slot
        d.rd_id = id;
        b.tick();
        const Slot s = m[id];
        CHECK_EQ(b, d.rd_open, s.open);
        CHECK_EQ(b, d.rd_nz, s.open != 0);
        if (s.open) {
            CHECK_EQ(b, d.rd_price, s.price);
            CHECK_EQ(b, d.rd_acct, s.acct);
            CHECK_EQ(b, d.rd_sym, s.sym);
            CHECK_EQ(b, d.rd_side, s.side);
        }
        // cycle 2: an operation decided on what was read (or none)
        d.op_place = d.op_replace = d.op_reduce = 0;
        d.op_id = id;
        d.op_old_open = d.rd_open;
        d.op_old_price = d.rd_price;
        d.op_acct = d.rd_acct;
        d.op_sym = d.rd_sym;
        d.op_side = d.rd_side;
        const bool bigqty = r.chance(0.1);
        if (!s.open && r.chance(0.8)) {
            Slot n{bigqty ? 1000000u : 1 + r.below(20000), r.chance(0.05) ? 0xFFFFFFFFu : 1 + r.below(5000000),
                   static_cast<uint8_t>(r.below(NA)), static_cast<uint8_t>(r.below(NS)), static_cast<uint8_t>(sides[r.below(4)])};
            d.op_place = 1;
            d.op_acct = n.acct;
            d.op_sym = n.sym;
            d.op_side = n.side;
            d.op_price = n.price;
            d.op_qty = n.open;
            m[id] = n;
            (n.side == 'B' ? ob : os)[n.sym] += n.open;
            on[n.acct] += static_cast<uint64_t>(n.price) * n.open;
            oc[n.acct]++;
            places++;
        } else if (s.open && r.chance(0.3)) {
            uint32_t q = bigqty ? 1000000u : 1 + r.below(20000), px = 1 + r.below(5000000);
            d.op_replace = 1;
            d.op_price = px;
            d.op_qty = q;
            auto &sh = (s.side == 'B' ? ob : os)[s.sym];
            sh = sh - s.open + q;
            on[s.acct] = on[s.acct] - static_cast<uint64_t>(s.price) * s.open + static_cast<uint64_t>(px) * q;
            m[id].open = q;
            m[id].price = px;
            replaces++;
        } else if (s.open && r.chance(0.8)) {
            uint32_t q = r.chance(0.4) ? s.open : 1 + r.below(s.open);
            d.op_reduce = 1;
            d.op_qty = q;
            d.op_price = r.below(1000);  // not used by a reduce
            (s.side == 'B' ? ob : os)[s.sym] -= q;
            on[s.acct] -= static_cast<uint64_t>(s.price) * q;
            m[id].open -= q;
            if (m[id].open == 0) {
                oc[s.acct]--;
                m[id] = Slot{};
                frees++;
            }
            reduces++;
        }
        int ks = static_cast<int>(r.below(NS)), ka = static_cast<int>(r.below(NA));
        d.sum_sym = ks;
        d.sum_acct = ka;
        d.rd_id = static_cast<uint32_t>(r.below(SLOTS));
        // the operands are steady from two cycles before the operation (the products are
        // registered in two steps): two cycles with the strobes low, then the operation
        const bool pl = d.op_place, rp = d.op_replace, rd = d.op_reduce;
        d.op_place = d.op_replace = d.op_reduce = 0;
        b.tick();
        b.tick();
        d.op_place = pl;
        d.op_replace = rp;
        d.op_reduce = rd;
        b.tick();
        d.op_place = d.op_replace = d.op_reduce = 0;
        d.sum_sym = ks;
        d.sum_acct = ka;
        b.tick([&] {
            CHECK_EQ(b, d.sum_ob, ob[ks]);
            CHECK_EQ(b, d.sum_os, os[ks]);
            CHECK_EQ(b, d.sum_on, on[ka]);
            CHECK_EQ(b, d.sum_oc, oc[ka]);
        });
    }
    CHECK(b, places > 10000 && replaces > 3000 && reduces > 10000 && frees > 5000);
    // every open slot still reads back
    for (int id = 0; id < SLOTS; id++) {
        d.rd_id = id;
        b.tick();
        CHECK_EQ(b, d.rd_open, m[id].open);
        CHECK_EQ(b, d.rd_nz, m[id].open != 0);
    }
    return b.finish();
}
