// Small primitives: rg_fifo (random push/pop, full/empty, order), rg_prio_enc (both
// directions, random and one-hot inputs), rg_popcount (the same inputs), rg_ram_sdp (lane
// write enables, read-first, read data held without rd_en), rg_ctrl_check (every op of the
// contract, its target and value range, unknown ops, S = last_seq + 1).
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;

int main() {
    Bench b("prims", 6);
    Rng r(53);
    auto &d = *b.dut;
    d.f_s_valid = 0; d.f_m_ready = 0; d.r_wr_en = 0; d.r_rd_en = 0;
    b.reset();
    // fifo (and the bypass variant: same order, data out in the cycle it comes in when empty)
    std::deque<uint32_t> model, model_bp;
    for (int c = 0; c < 20000; c++) {
        d.f_s_valid = r.chance(0.6);
        d.f_s_data = r.below(4096);
        d.f_m_ready = r.chance(0.55);
        b.tick([&] {
            CHECK_EQ(b, d.f_count, static_cast<uint32_t>(model.size()));
            CHECK_EQ(b, d.f_s_ready, model.size() < 4);
            CHECK_EQ(b, d.f_m_valid, !model.empty());
            bool pop = d.f_m_valid && d.f_m_ready;
            if (pop) { CHECK_EQ(b, d.f_m_data, model.front()); model.pop_front(); }
            if (d.f_s_valid && d.f_s_ready) model.push_back(d.f_s_data);
            // bypass FIFO: the output shows the oldest stored word, or the input when empty
            CHECK_EQ(b, d.g_count, static_cast<uint32_t>(model_bp.size()));
            CHECK_EQ(b, d.g_s_ready, model_bp.size() < 4);
            CHECK_EQ(b, d.g_m_valid, !model_bp.empty() || d.f_s_valid);
            if (!model_bp.empty()) {
                CHECK_EQ(b, d.g_m_data, model_bp.front());
                if (d.f_m_ready) model_bp.pop_front();
                if (d.f_s_valid && d.g_s_ready) model_bp.push_back(d.f_s_data);
            } else if (d.f_s_valid) {
                CHECK_EQ(b, d.g_m_data, static_cast<uint32_t>(d.f_s_data));
                if (!d.f_m_ready) model_bp.push_back(d.f_s_data);
            }
        });
    }
    // priority encoders
    for (int c = 0; c < 5000; c++) {
        uint64_t v = r.chance(0.3) ? (1ull << r.below(40)) : (r.next() & ((1ull << 40) - 1)) >> r.below(40);
        if (c == 0) v = 0;
        d.p_in = v;
        d.eval();
        CHECK_EQ(b, d.p_found, v != 0);
        CHECK_EQ(b, d.p_count, static_cast<uint32_t>(__builtin_popcountll(v)));
        if (v) {
            CHECK_EQ(b, d.p_hi, static_cast<uint32_t>(63 - __builtin_clzll(v)));
            CHECK_EQ(b, d.p_lo, static_cast<uint32_t>(__builtin_ctzll(v)));
        }
    }
    // ram: random lane writes; reads checked against the model, read-first
    uint32_t mem[32];
    for (int a = 0; a < 32; a++) {
        d.r_wr_en = 1; d.r_wr_be = 7; d.r_wr_addr = a; d.r_wr_data = mem[a] = r.below(1u << 24);
        b.tick();
    }
    d.r_wr_en = 0;
    uint32_t expect_rd = 0;
    bool have = false;
    for (int c = 0; c < 10000; c++) {
        d.r_wr_en = r.chance(0.5);
        d.r_wr_be = r.below(8);
        d.r_wr_addr = r.below(32);
        d.r_wr_data = r.below(1u << 24);
        d.r_rd_en = r.chance(0.6);
        d.r_rd_addr = r.chance(0.3) ? d.r_wr_addr : r.below(32);
        b.tick([&] { if (have) CHECK_EQ(b, d.r_rd_data, expect_rd); });
        if (d.r_rd_en) { expect_rd = mem[d.r_rd_addr]; have = true; }   // old data (read-first)
        if (d.r_wr_en)
            for (int l = 0; l < 3; l++)
                if (d.r_wr_be >> l & 1) mem[d.r_wr_addr] = (mem[d.r_wr_addr] & ~(0xFFu << 8 * l)) | (d.r_wr_data & (0xFFu << 8 * l));
    }
    // control check
    uint8_t max_op = 0;
    for (const auto &o : C::ctrl::OPS) max_op = std::max(max_op, o.code);
    uint64_t ok_per_op[256] = {};
    for (int c = 0; c < 20000; c++) {
        uint8_t op = static_cast<uint8_t>(r.below(max_op + 3u));   // 0 and above the last op are unknown
        uint16_t tgt = r.chance(0.2) ? C::CONTROL_GLOBAL_TARGET : static_cast<uint16_t>(r.below(10));
        uint64_t val = r.chance(0.5) ? r.below(3) : r.next() >> r.below(64);
        uint64_t last = r.next() >> r.below(64);
        uint64_t eff = r.chance(0.8) ? last + 1 : last + r.below(3);
        uint8_t ns = 1 + r.below(6), na = 1 + r.below(3);
        d.c_op = op; d.c_target = tgt; d.c_value = val; d.c_eff = eff; d.c_last = last; d.c_ns = ns; d.c_na = na;
        d.eval();
        const C::ctrl::OpSpec *spec = C::ctrl::op_spec(op);
        bool symt = spec && spec->target == C::ctrl::Target::Symbol, ok = false;
        if (spec) {
            bool tgt_ok = spec->target == C::ctrl::Target::Global ? tgt == C::CONTROL_GLOBAL_TARGET
                          : symt ? tgt < ns : tgt < na;
            ok = tgt_ok && val >= spec->min && val <= spec->max;
        }
        CHECK_EQ(b, d.c_valid, ok && eff == last + 1);
        CHECK_EQ(b, d.c_symt, symt);
        ok_per_op[op] += ok && eff == last + 1;
    }
    for (const auto &o : C::ctrl::OPS) CHECK(b, ok_per_op[o.code] > 0);   // every op was accepted somewhere
    return b.finish();
}
