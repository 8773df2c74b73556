// rg_itch_parser: random messages of every type (correct and wrong lengths), unknown
// types, truncated frames, valid and invalid control messages, against a model of spec
// sections 2, 3, 9, 11 and 12 (classification, fields, prebuilt records, last_seq,
// last_ts, tick quotient, statistics pulses), with back-pressure.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;
namespace HW = rg::contract::hw;

static int op_of(char t) {
    switch (t) {
        case 'S': return HW::OP_SYS;  case 'R': return HW::OP_DIR;  case 'H': return HW::OP_HALT;
        case 'W': return HW::OP_MWCB; case 'A': case 'F': return HW::OP_ADD;
        case 'E': return HW::OP_EXEC; case 'C': return HW::OP_EXECP; case 'X': return HW::OP_CANCEL;
        case 'D': return HW::OP_DELETE; case 'U': return HW::OP_REPLACE; case 'P': return HW::OP_TRADE;
        case 'Y': return HW::OP_SSR;
        default: return HW::OP_NONE;
    }
}
static uint64_t be(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}
// a prebuilt payload (record bytes 16..31) from fields at their record offsets
struct Pay {
    uint8_t b[16] = {};
    void put(uint32_t off, uint64_t v, int n) { for (int i = 0; i < n; i++) b[off - 16 + i] = static_cast<uint8_t>(v >> (8 * i)); }
    uint64_t lo() const { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | b[i]; return v; }
    uint64_t hi() const { uint64_t v = 0; for (int i = 15; i >= 8; i--) v = v << 8 | b[i]; return v; }
};
static Pay problem_pay(uint8_t type, uint16_t frame_len, uint16_t expected, uint8_t op = 0, uint16_t target = 0) {
    Pay p;
    p.put(C::rec::problem::TYPE_BYTE, type, 1);
    p.put(C::rec::problem::OP, op, 1);
    p.put(C::rec::problem::TARGET, target, 2);
    p.put(C::rec::problem::FRAME_LEN, frame_len, 2);
    p.put(C::rec::problem::EXPECTED_LEN, expected, 2);
    return p;
}

struct Exp {
    int op;
    uint64_t seq, ts;
    int rkind, rsym, raux;
    Pay pay;
    uint8_t msg[50];
    bool check_fields;
    uint32_t q;
    int st_problem;
    bool st_msg, st_control;
    int st_type;
};

int main() {
    Bench b("itch_parser", 6);
    Rng r(17);
    auto &d = *b.dut;
    const uint32_t TICK = 3;
    const uint64_t RECIP = ((1ull << 48) + TICK - 1) / TICK;
    d.cfg_n_symbols = 5;
    d.cfg_n_accounts = 2;
    d.cfg_tick_recip = RECIP;
    const uint64_t FP = 0x8badf00ddeadbeefull;   // the config's fingerprint
    d.cfg_fingerprint = FP;
    d.s_valid = 0;
    d.m_ready = 1;
    b.reset();

    uint64_t last_seq = 0, last_ts = 0, seq = 1;
    bool op_seen[256] = {}, op_ok[256] = {};
    std::deque<Exp> q, qs;
    const std::string types = "SRHYLVWKJhAFECXDUPQBINO~Zz\x01";
    uint8_t max_op = 0;
    for (const auto &o : C::ctrl::OPS) max_op = std::max(max_op, o.code);
    bool hold = false;
    uint64_t n_in = 0, n_out = 0, n_st = 0, n_ctrl_ok = 0, n_foreign = 0;
    const int N = 30000;
    while (n_out < N || n_st < N) {
        if (!hold && n_in < N) {
            uint8_t m[50] = {0};
            char t = types[r.below(static_cast<uint32_t>(types.size()))];
            bool known = C::itch_len(static_cast<uint8_t>(t)) != 0;
            int len = known ? C::itch_len(static_cast<uint8_t>(t)) : 11 + static_cast<int>(r.below(30));
            if (r.chance(0.1)) len = static_cast<int>(r.below(60));
            bool trunc = r.chance(0.04);
            int avail = trunc ? static_cast<int>(r.below(static_cast<uint32_t>(len + 1))) : len;
            if (trunc && len == 0) avail = 0;
            for (int i = 0; i < 50; i++) m[i] = static_cast<uint8_t>(r.next());
            m[0] = static_cast<uint8_t>(t);
            if (t == 'A' || t == 'F') m[19] = r.chance(0.5) ? 'B' : 'S';
            if (t == '~') {  // plausible control fields
                m[C::ctrl::OFF_OP] = static_cast<uint8_t>(r.below(max_op + 2u));   // 0 and max + 1 are unknown
                uint16_t tgt = r.chance(0.2) ? C::CONTROL_GLOBAL_TARGET : static_cast<uint16_t>(r.below(7));
                put_be(m + C::ctrl::OFF_TARGET, tgt, 2);
                put_be(m + C::ctrl::OFF_SEQ, r.chance(0.8) ? last_seq + 1 : last_seq + r.below(3), 8);
                uint64_t val = r.chance(0.5) ? r.below(3) : (r.chance(0.5) ? r.next() >> r.below(64) : 0);
                put_be(m + C::ctrl::OFF_VALUE, val, 8);
                // mostly made for this config; else another fingerprint (one bit off or random)
                uint64_t fp = r.chance(0.85) ? FP : r.chance(0.5) ? FP ^ (1ull << r.below(64)) : r.next();
                put_be(m + C::ctrl::OFF_FINGERPRINT, fp, 8);
            }
            for (int i = avail; i < 50; i++) m[i] = 0;  // bytes past the message are zero (front end)
            bool ctrl = !trunc && t == '~' && len == static_cast<int>(C::CONTROL_LEN);
            Exp e{};
            std::memcpy(e.msg, m, 50);
            if (ctrl) {
                uint8_t op = m[C::ctrl::OFF_OP];
                uint16_t tgt = static_cast<uint16_t>(be(m + C::ctrl::OFF_TARGET, 2));
                uint64_t S = be(m + C::ctrl::OFF_SEQ, 8), val = be(m + C::ctrl::OFF_VALUE, 8);
                bool foreign = be(m + C::ctrl::OFF_FINGERPRINT, 8) != FP;
                const C::ctrl::OpSpec *spec = C::ctrl::op_spec(op);
                bool symt = spec && spec->target == C::ctrl::Target::Symbol, ok = false;
                if (spec) {
                    bool tgt_ok = spec->target == C::ctrl::Target::Global ? tgt == C::CONTROL_GLOBAL_TARGET
                                  : symt ? tgt < 5 : tgt < 2;   // cfg_n_symbols 5, cfg_n_accounts 2
                    ok = tgt_ok && val >= spec->min && val <= spec->max;
                    op_seen[op] = true;
                }
                ok = ok && S == last_seq + 1;
                e.seq = (last_seq + 1) & 0xFFFFFFFFFFFFull;
                if (foreign) {
                    // refused; travels as a GLOBAL_KILL 1 update with the PROBLEM prebuilt
                    n_foreign++;
                    e.op = HW::OP_CTRL; e.ts = last_ts; e.rkind = C::kind::PROBLEM; e.rsym = C::NO_SYMBOL;
                    e.raux = C::problem::FOREIGN_CONTROL;
                    e.pay = problem_pay('~', C::CONTROL_LEN, C::CONTROL_LEN, op, tgt);
                    e.st_problem = C::problem::FOREIGN_CONTROL; e.st_control = true;
                } else if (ok) {
                    n_ctrl_ok++;
                    op_ok[op] = true;
                    e.op = HW::OP_CTRL; e.ts = last_ts; e.rkind = C::kind::CONTROL; e.rsym = symt ? (tgt & 0xFF) : C::NO_SYMBOL;
                    e.raux = op; e.pay.put(C::rec::control::VALUE, val, 8); e.pay.put(C::rec::control::TARGET, tgt, 2);
                    e.st_control = true;
                } else {
                    e.op = HW::OP_PREC; e.ts = last_ts; e.rkind = C::kind::PROBLEM; e.rsym = C::NO_SYMBOL; e.raux = C::problem::BAD_CONTROL;
                    e.pay = problem_pay('~', C::CONTROL_LEN, C::CONTROL_LEN, op, tgt); e.st_problem = C::problem::BAD_CONTROL;
                }
                e.st_msg = false; e.st_type = -1;
            } else {
                int typ = avail >= 1 ? m[0] : 0;
                int exp = avail >= 1 ? C::itch_len(static_cast<uint8_t>(typ)) : 0;
                int prob = trunc ? C::problem::TRUNCATED : exp == 0 ? C::problem::UNKNOWN_TYPE
                         : len != exp ? C::problem::BAD_LENGTH : 0;
                e.seq = seq & 0xFFFFFFFFFFFFull;
                e.st_msg = true; e.st_type = typ; e.st_problem = prob;
                if (prob) {
                    // the event carries last_ts after the message (the risk stage's order path
                    // reads it); the PROBLEM record's ts 0 is the formatter's
                    e.op = HW::OP_PREC; e.rkind = C::kind::PROBLEM; e.rsym = C::NO_SYMBOL; e.raux = prob;
                    e.ts = (len >= 11 && prob == C::problem::UNKNOWN_TYPE) ? be(m + 5, 6) : last_ts;
                    e.pay = problem_pay(static_cast<uint8_t>(typ), static_cast<uint16_t>(len), static_cast<uint16_t>(exp));
                } else {
                    e.op = op_of(static_cast<char>(typ)); e.ts = be(m + 5, 6); e.rkind = 0; e.rsym = C::NO_SYMBOL;
                    e.check_fields = true;
                    uint32_t price = static_cast<uint32_t>(typ == 'U' ? be(m + 31, 4) : be(m + 32, 4));
                    e.q = static_cast<uint32_t>((static_cast<unsigned __int128>(price) * RECIP) >> 48);
                }
                if (len >= 11 && (prob == 0 || prob == C::problem::UNKNOWN_TYPE)) last_ts = be(m + 5, 6);
                last_seq = seq;
                seq += 1 + (r.chance(0.01) ? r.below(5) : 0);  // gaps in seq are the front end's business
            }
            bytes_to_wide(d.s_data, m, 50);
            d.s_len = static_cast<uint16_t>(len);
            d.s_trunc = trunc;
            d.s_has_type = avail >= 1;
            d.s_ctrl = ctrl;
            d.s_seq = e.st_msg ? e.seq : 0;
            d.s_t_offer = n_in;
            d.s_t_last = n_in + 1;
            q.push_back(e);
            qs.push_back(e);
            hold = true;
            n_in++;
        }
        d.s_valid = hold;
        d.m_ready = r.chance(0.75);
        b.tick([&] {
            if (d.s_valid && d.s_ready) {
                hold = false;
                const Exp &e = q.back();  // the message being accepted
                CHECK(b, d.dir_rd_en);
                CHECK_EQ(b, d.dir_locate, be(e.msg + 1, 2));
                bool is_r = e.check_fields && e.msg[0] == 'R';
                CHECK_EQ(b, d.dir_wr_en, is_r);
                if (is_r) CHECK_EQ(b, d.dir_stock, be(e.msg + 11, 8));
            } else {
                CHECK(b, !d.dir_rd_en);
            }
            if (d.st_valid) {
                Exp e = qs.front();
                qs.pop_front();
                CHECK_EQ(b, d.st_msg, e.st_msg);
                CHECK_EQ(b, d.st_type_valid, e.st_msg);
                if (e.st_msg) CHECK_EQ(b, d.st_type, static_cast<uint32_t>(e.st_type));
                CHECK_EQ(b, d.st_problem, static_cast<uint32_t>(e.st_problem));
                CHECK_EQ(b, d.st_control, e.st_control);
                n_st++;
            }
            if (d.m_valid && d.m_ready) {
                Exp e = q.front();
                q.pop_front();
                CHECK_EQ(b, d.m_op, static_cast<uint32_t>(e.op));
                CHECK_EQ(b, d.m_seq, e.seq);
                CHECK_EQ(b, d.m_ts, e.ts);
                CHECK_EQ(b, d.m_rkind, static_cast<uint32_t>(e.rkind));
                if (e.rkind) {
                    CHECK_EQ(b, d.m_rsym, static_cast<uint32_t>(e.rsym));
                    CHECK_EQ(b, d.m_raux, static_cast<uint32_t>(e.raux));
                    CHECK_EQ(b, wide_bits(d.m_rpay, 0, 64), e.pay.lo());
                    CHECK_EQ(b, wide_bits(d.m_rpay, 64, 64), e.pay.hi());
                }
                if (e.op == HW::OP_CTRL && e.rkind == C::kind::PROBLEM) {   // foreign: GLOBAL_KILL 1
                    CHECK_EQ(b, d.m_code, static_cast<uint32_t>(C::op::GLOBAL_KILL));
                    CHECK_EQ(b, d.m_locate, static_cast<uint32_t>(C::CONTROL_GLOBAL_TARGET));
                    CHECK_EQ(b, d.m_ref, 1ull);
                } else if (e.op == HW::OP_CTRL) {
                    CHECK_EQ(b, d.m_code, e.raux);
                    CHECK_EQ(b, d.m_locate, be(e.msg + C::ctrl::OFF_TARGET, 2));
                    CHECK_EQ(b, d.m_ref, be(e.msg + C::ctrl::OFF_VALUE, 8));
                }
                if (e.check_fields) {
                    const uint8_t *m = e.msg;
                    char t = static_cast<char>(m[0]);
                    CHECK_EQ(b, d.m_locate, be(m + 1, 2));
                    CHECK_EQ(b, d.m_ref, be(m + 11, 8));
                    if (t == 'U') {
                        CHECK_EQ(b, d.m_ref2, be(m + 19, 8));
                        CHECK_EQ(b, d.m_shares, be(m + 27, 4));
                        CHECK_EQ(b, d.m_price, be(m + 31, 4));
                    }
                    if (t == 'A' || t == 'F') {
                        CHECK_EQ(b, d.m_buy, m[19] == 'B');
                        CHECK_EQ(b, d.m_shares, be(m + 20, 4));
                        CHECK_EQ(b, d.m_price, be(m + 32, 4));
                    }
                    if (t == 'E' || t == 'C' || t == 'X') CHECK_EQ(b, d.m_shares, be(m + 19, 4));
                    if (t == 'C' || t == 'P') CHECK_EQ(b, d.m_price, be(m + 32, 4));
                    if (t == 'C') CHECK_EQ(b, d.m_code, m[31]);
                    if (t == 'H' || t == 'Y') CHECK_EQ(b, d.m_code, m[19]);
                    if (t == 'S' || t == 'W') CHECK_EQ(b, d.m_code, m[11]);
                    CHECK_EQ(b, d.m_q, e.q);
                }
                n_out++;
            }
        });
    }
    CHECK_EQ(b, d.last_seq, last_seq);
    for (const auto &o : C::ctrl::OPS) {   // every op of the contract was tried, and accepted at least once
        CHECK(b, op_seen[o.code]);
        CHECK(b, op_ok[o.code]);
    }
    CHECK(b, n_foreign > 100);
    std::printf("  %llu messages, %llu valid control messages, %llu foreign\n", static_cast<unsigned long long>(n_out),
                static_cast<unsigned long long>(n_ctrl_ok), static_cast<unsigned long long>(n_foreign));
    return b.finish();
}
