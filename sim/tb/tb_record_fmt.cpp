// rg_record_fmt: random events (prebuilt PROBLEM/CONTROL, TOB, DECISION accepted or
// rejected with FILL, nothing) under random m_axis back-pressure; every record byte against
// an independent encoding of spec section 11, record order, tlast on the last record of a
// message, and one latency stamp per record with the handshake cycle.
#include <deque>

#include "tb_common.h"

using namespace tb;

struct Rec {
    uint8_t b[32];
    bool last;
    uint64_t seq, toff, tlast;
    int kind;
};

static void le(uint8_t *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

int main() {
    Bench b("record_fmt", 12);
    Rng r(29);
    auto &d = *b.dut;
    d.s_valid = 0;
    d.m_axis_tready = 1;
    d.cycle = 0;
    b.reset();

    std::deque<Rec> exp;
    uint64_t cyc = 0, n_ev = 0, n_rec = 0, n_stamp = 0;
    std::deque<Rec> stamps_exp;
    bool hold = false;
    uint64_t pending_stamp_cycle = 0;
    bool stamp_due = false;
    Rec stamp_rec{};
    while (n_ev < 20000 || !exp.empty() || hold) {
        if (!hold && n_ev < 20000) {
            for (int i = 0; i < 15; i++) d.s_ev[i] = 0;
            uint64_t seq = r.next() & 0xFFFFFFFFFFFFull, ts = r.next() & 0xFFFFFFFFFFFFull;
            uint64_t toff = cyc, tl = cyc + 3;
            set_wide_bits(d.s_ev, 0, 48, seq);
            set_wide_bits(d.s_ev, 48, 48, ts);
            set_wide_bits(d.s_ev, 96, 64, toff);
            set_wide_bits(d.s_ev, 160, 64, tl);
            int shape = static_cast<int>(r.below(6));
            uint8_t sym = static_cast<uint8_t>(r.below(64));
            d.s_sym = sym;
            d.s_flags = static_cast<uint8_t>(r.below(8));
            d.s_bid_px = static_cast<uint32_t>(r.next()); d.s_bid_sz = static_cast<uint32_t>(r.next());
            d.s_ask_px = static_cast<uint32_t>(r.next()); d.s_ask_sz = static_cast<uint32_t>(r.next());
            d.s_dec_buy = r.chance(0.5);
            d.s_dec_price = static_cast<uint32_t>(r.next()); d.s_dec_qty = static_cast<uint32_t>(r.next());
            d.s_reasons = static_cast<uint16_t>(r.below(1024));
            d.s_acct_idx = static_cast<uint8_t>(r.below(64));
            d.s_acct_id = static_cast<uint32_t>(r.next());
            d.s_pos_after = static_cast<uint32_t>(r.next());
            d.s_tob = shape >= 2 && shape <= 4;
            d.s_dec = shape >= 3 && shape <= 4;
            d.s_accepted = shape == 4;
            std::vector<Rec> recs;
            auto hdr = [&](Rec &x, int kind, uint8_t s, uint8_t aux, uint64_t sq, uint64_t t) {
                std::memset(x.b, 0, 32);
                x.b[0] = 1; x.b[1] = static_cast<uint8_t>(kind); x.b[2] = s; x.b[3] = aux;
                le(x.b + 4, sq, 6); le(x.b + 10, t, 6);
                x.kind = kind; x.seq = seq; x.toff = toff; x.tlast = tl;
            };
            if (shape <= 1) {  // prebuilt PROBLEM (0) or CONTROL (1)
                int kind = shape == 0 ? 5 : 4;
                uint8_t rsym = static_cast<uint8_t>(r.next()), raux = static_cast<uint8_t>(r.next());
                uint64_t p0 = r.next(), p1 = r.next();
                set_wide_bits(d.s_ev, 224, 8, kind);
                set_wide_bits(d.s_ev, 232, 8, rsym);
                set_wide_bits(d.s_ev, 240, 8, raux);
                set_wide_bits(d.s_ev, 248, 64, p0);
                set_wide_bits(d.s_ev, 312, 64, p1);
                Rec x; hdr(x, kind, rsym, raux, seq, ts); le(x.b + 16, p0, 8); le(x.b + 24, p1, 8);
                recs.push_back(x);
            }
            if (d.s_tob) {
                Rec x; hdr(x, 1, sym, d.s_flags, seq, ts);
                le(x.b + 16, d.s_bid_px, 4); le(x.b + 20, d.s_bid_sz, 4); le(x.b + 24, d.s_ask_px, 4); le(x.b + 28, d.s_ask_sz, 4);
                recs.push_back(x);
            }
            uint8_t side = d.s_dec_buy ? 'B' : 'S';
            if (d.s_dec) {
                Rec x; hdr(x, 2, sym, side, seq, ts);
                le(x.b + 16, d.s_dec_price, 4); le(x.b + 20, d.s_dec_qty, 4); le(x.b + 24, d.s_reasons, 2);
                x.b[26] = d.s_accepted; x.b[27] = d.s_acct_idx; le(x.b + 28, d.s_acct_id, 4);
                recs.push_back(x);
            }
            if (d.s_dec && d.s_accepted) {
                Rec x; hdr(x, 3, sym, side, seq, ts);
                le(x.b + 16, d.s_dec_price, 4); le(x.b + 20, d.s_dec_qty, 4); le(x.b + 24, d.s_pos_after, 4);
                x.b[28] = 0; x.b[29] = d.s_acct_idx;
                recs.push_back(x);
            }
            for (size_t i = 0; i < recs.size(); i++) { recs[i].last = i + 1 == recs.size(); exp.push_back(recs[i]); }
            hold = true;
            n_ev++;
        }
        d.s_valid = hold;
        d.m_axis_tready = r.chance(0.7);
        d.cycle = cyc;
        b.tick([&] {
            if (d.s_valid && d.s_ready) hold = false;
            if (stamp_due) {  // the stamp of a record arrives the cycle after its handshake
                CHECK(b, d.lat_valid);
                CHECK_EQ(b, wide_bits(d.lat_data, 0, 48), stamp_rec.seq);
                CHECK_EQ(b, wide_bits(d.lat_data, 48, 8), static_cast<uint64_t>(stamp_rec.kind));
                CHECK_EQ(b, wide_bits(d.lat_data, 64, 64), stamp_rec.toff);
                CHECK_EQ(b, wide_bits(d.lat_data, 128, 64), stamp_rec.tlast);
                CHECK_EQ(b, wide_bits(d.lat_data, 192, 64), pending_stamp_cycle);
                n_stamp++;
                stamp_due = false;
            } else {
                CHECK(b, !d.lat_valid);
            }
            if (d.m_axis_tvalid && d.m_axis_tready) {
                CHECK(b, !exp.empty());
                if (exp.empty()) return;
                Rec x = exp.front();
                exp.pop_front();
                uint8_t got[32];
                wide_to_bytes(d.m_axis_tdata, got, 32);
                CHECK(b, std::memcmp(got, x.b, 32) == 0);
                CHECK_EQ(b, d.m_axis_tlast, x.last);
                CHECK_EQ(b, d.m_axis_tkeep, 0xFFFFFFFFu);
                stamp_due = true;
                stamp_rec = x;
                pending_stamp_cycle = cyc;
                n_rec++;
            }
        });
        cyc++;
        if (cyc > 400000) break;
    }
    std::printf("  %llu events, %llu records, %llu stamps\n", static_cast<unsigned long long>(n_ev),
                static_cast<unsigned long long>(n_rec), static_cast<unsigned long long>(n_stamp));
    return b.finish();
}
