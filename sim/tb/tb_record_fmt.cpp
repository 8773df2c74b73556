// rg_record_fmt: random events (prebuilt PROBLEM/CONTROL, TOB, DECISION accepted or
// rejected with FILL, nothing) under random m_axis back-pressure; every record byte against
// an independent encoding of spec section 11, record order, tlast on the last record of a
// message, and one latency stamp per record with the handshake cycle.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;
namespace HW = rg::contract::hw;
namespace R = rg::contract::rec;

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
    uint64_t cyc = 0, n_ev = 0, n_rec = 0, n_stamp = 0, n_foreign = 0;
    std::deque<Rec> stamps_exp;
    bool hold = false;
    uint64_t pending_stamp_cycle = 0;
    bool stamp_due = false;
    Rec stamp_rec{};
    while (n_ev < 20000 || !exp.empty() || hold) {
        if (!hold && n_ev < 20000) {
            clear_wide(d.s_ev);
            clear_wide(d.s_tob);
            clear_wide(d.s_ord);
            clear_wide(d.s_vrd);
            uint64_t seq = r.next() & 0xFFFFFFFFFFFFull, ts = r.next() & 0xFFFFFFFFFFFFull;
            uint64_t toff = cyc, tl = cyc + 3;
            set_wide_bits(d.s_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W, seq);
            set_wide_bits(d.s_ev, HW::EV_TS_LO, HW::EV_TS_W, ts);
            set_wide_bits(d.s_ev, HW::EV_TOFF_LO, HW::EV_TOFF_W, toff);
            set_wide_bits(d.s_ev, HW::EV_TLAST_LO, HW::EV_TLAST_W, tl);
            int shape = static_cast<int>(r.below(6));
            uint8_t sym = static_cast<uint8_t>(r.below(64)), flags = static_cast<uint8_t>(r.below(8));
            uint32_t bpx = static_cast<uint32_t>(r.next()), bsz = static_cast<uint32_t>(r.next());
            uint32_t apx = static_cast<uint32_t>(r.next()), asz = static_cast<uint32_t>(r.next());
            bool buy = r.chance(0.5);
            uint32_t px = static_cast<uint32_t>(r.next()), qty = static_cast<uint32_t>(r.next());
            uint16_t reasons = static_cast<uint16_t>(r.below(1u << C::reason::COUNT));
            uint8_t acct = static_cast<uint8_t>(r.below(64));
            uint32_t acct_id = static_cast<uint32_t>(r.next()), pos = static_cast<uint32_t>(r.next());
            bool tob = shape >= 2 && shape <= 4, dec = shape >= 3 && shape <= 4, acc = shape == 4;
            set_wide_bits(d.s_tob, HW::TOB_SYM_LO, HW::TOB_SYM_W, sym);
            set_wide_bits(d.s_tob, HW::TOB_FLAGS_LO, HW::TOB_FLAGS_W, flags);
            set_wide_bits(d.s_tob, HW::TOB_EMIT_LO, HW::TOB_EMIT_W, tob);
            set_wide_bits(d.s_tob, HW::TOB_BID_PX_LO, HW::TOB_BID_PX_W, bpx);
            set_wide_bits(d.s_tob, HW::TOB_BID_SZ_LO, HW::TOB_BID_SZ_W, bsz);
            set_wide_bits(d.s_tob, HW::TOB_ASK_PX_LO, HW::TOB_ASK_PX_W, apx);
            set_wide_bits(d.s_tob, HW::TOB_ASK_SZ_LO, HW::TOB_ASK_SZ_W, asz);
            set_wide_bits(d.s_tob, HW::TOB_BUY_OK_LO, 1, r.chance(0.5));    // strategy inputs: ignored here
            set_wide_bits(d.s_tob, HW::TOB_SELL_OK_LO, 1, r.chance(0.5));
            set_wide_bits(d.s_ord, HW::ORD_DEC_LO, HW::ORD_DEC_W, dec);
            set_wide_bits(d.s_ord, HW::ORD_BUY_LO, HW::ORD_BUY_W, buy);
            set_wide_bits(d.s_ord, HW::ORD_PRICE_LO, HW::ORD_PRICE_W, px);
            set_wide_bits(d.s_ord, HW::ORD_QTY_LO, HW::ORD_QTY_W, qty);
            set_wide_bits(d.s_vrd, HW::VRD_REASONS_LO, HW::VRD_REASONS_W, reasons);
            set_wide_bits(d.s_vrd, HW::VRD_ACCEPTED_LO, HW::VRD_ACCEPTED_W, acc);
            set_wide_bits(d.s_vrd, HW::VRD_ACCT_LO, HW::VRD_ACCT_W, acct);
            set_wide_bits(d.s_vrd, HW::VRD_ACCT_ID_LO, HW::VRD_ACCT_ID_W, acct_id);
            set_wide_bits(d.s_vrd, HW::VRD_POS_AFTER_LO, HW::VRD_POS_AFTER_W, pos);
            std::vector<Rec> recs;
            auto hdr = [&](Rec &x, int kind, uint8_t s, uint8_t aux, uint64_t sq, uint64_t t) {
                std::memset(x.b, 0, 32);
                x.b[R::VERSION] = C::RECORD_VERSION; x.b[R::KIND] = static_cast<uint8_t>(kind); x.b[R::SYMBOL] = s;
                x.b[R::AUX] = aux; le(x.b + R::SEQ, sq, 6); le(x.b + R::TS, t, 6);
                x.kind = kind; x.seq = seq; x.toff = toff; x.tlast = tl;
            };
            if (shape <= 1) {  // prebuilt PROBLEM (0) or CONTROL (1)
                int kind = shape == 0 ? C::kind::PROBLEM : C::kind::CONTROL;
                uint8_t rsym = static_cast<uint8_t>(r.next()), raux = static_cast<uint8_t>(r.next());
                bool foreign = shape == 0 && r.chance(0.3);
                if (foreign) raux = C::problem::FOREIGN_CONTROL;
                uint64_t p0 = r.next(), p1 = r.next();
                set_wide_bits(d.s_ev, HW::EV_RKIND_LO, HW::EV_RKIND_W, kind);
                set_wide_bits(d.s_ev, HW::EV_RSYM_LO, HW::EV_RSYM_W, rsym);
                set_wide_bits(d.s_ev, HW::EV_RAUX_LO, HW::EV_RAUX_W, raux);
                set_wide_bits(d.s_ev, HW::EV_RPAY_LO, 64, p0);
                set_wide_bits(d.s_ev, HW::EV_RPAY_LO + 64, 64, p1);
                // a PROBLEM record has ts 0 whatever the event carries
                Rec x; hdr(x, kind, rsym, raux, seq, shape == 0 ? 0 : ts); le(x.b + 16, p0, 8); le(x.b + 24, p1, 8);   // payload: bytes 16..31
                recs.push_back(x);
                if (foreign || (shape == 0 && raux == C::problem::FOREIGN_CONTROL)) {
                    // the CONTROL record of the GLOBAL_KILL engage a foreign control causes
                    Rec k; hdr(k, C::kind::CONTROL, C::NO_SYMBOL, C::op::GLOBAL_KILL, seq, ts);
                    le(k.b + R::control::VALUE, 1, 8); le(k.b + R::control::TARGET, C::CONTROL_GLOBAL_TARGET, 2);
                    recs.push_back(k);
                    n_foreign++;
                }
            }
            if (r.chance(0.2)) {  // state-update fields ride along and never reach a record
                set_wide_bits(d.s_ev, HW::EV_UKIND_LO, HW::EV_UKIND_W, r.next());
                set_wide_bits(d.s_ev, HW::EV_UVAL_LO, HW::EV_UVAL_W, r.next());
            }
            if (tob) {
                Rec x; hdr(x, C::kind::TOB, sym, flags, seq, ts);
                le(x.b + R::tob::BID_PX, bpx, 4); le(x.b + R::tob::BID_SZ, bsz, 4);
                le(x.b + R::tob::ASK_PX, apx, 4); le(x.b + R::tob::ASK_SZ, asz, 4);
                recs.push_back(x);
            }
            uint8_t side = buy ? 'B' : 'S';
            if (dec) {
                Rec x; hdr(x, C::kind::DECISION, sym, side, seq, ts);
                le(x.b + R::decision::PRICE, px, 4); le(x.b + R::decision::QTY, qty, 4); le(x.b + R::decision::REASONS, reasons, 2);
                x.b[R::decision::VERDICT] = acc; x.b[R::decision::ACCOUNT_INDEX] = acct; le(x.b + R::decision::ACCOUNT_ID, acct_id, 4);
                recs.push_back(x);
            }
            if (dec && acc) {
                Rec x; hdr(x, C::kind::FILL, sym, side, seq, ts);
                le(x.b + R::fill::PRICE, px, 4); le(x.b + R::fill::QTY, qty, 4); le(x.b + R::fill::POSITION_AFTER, pos, 4);
                x.b[R::fill::LEG] = 0; x.b[R::fill::ACCOUNT_INDEX] = acct;
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
    CHECK(b, n_foreign > 50);
    std::printf("  %llu events, %llu records, %llu stamps, %llu foreign controls\n", static_cast<unsigned long long>(n_ev),
                static_cast<unsigned long long>(n_rec), static_cast<unsigned long long>(n_stamp),
                static_cast<unsigned long long>(n_foreign));
    return b.finish();
}
