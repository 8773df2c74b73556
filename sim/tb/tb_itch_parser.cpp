// rg_itch_parser: random messages of every type (correct and wrong lengths), unknown
// types, truncated frames, valid and invalid control messages, against a model of spec
// sections 2, 3, 9, 11 and 12 (classification, fields, prebuilt records, last_seq,
// last_ts, tick quotient, statistics pulses), with back-pressure.
#include <deque>
#include <map>

#include "tb_common.h"

using namespace tb;

static const std::map<char, int> LEN = {
    {'S', 12}, {'R', 39}, {'H', 25}, {'Y', 20}, {'L', 26}, {'V', 35}, {'W', 12}, {'K', 28},
    {'J', 35}, {'h', 21}, {'A', 36}, {'F', 40}, {'E', 31}, {'C', 36}, {'X', 23}, {'D', 19},
    {'U', 35}, {'P', 44}, {'Q', 40}, {'B', 19}, {'I', 50}, {'N', 20}, {'O', 48}, {'~', 20}};
static int op_of(char t) {
    switch (t) {
        case 'S': return 2;  case 'R': return 3;  case 'H': return 4;  case 'W': return 5;
        case 'A': case 'F': return 6;             case 'E': return 7;  case 'C': return 8;
        case 'X': return 9;  case 'D': return 10; case 'U': return 11; case 'P': return 12;
        default: return 0;
    }
}
static uint64_t be(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

struct Exp {
    int op;
    uint64_t seq, ts;
    int rkind, rsym, raux;
    uint64_t pay_lo, pay_hi;
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
    d.s_valid = 0;
    d.m_ready = 1;
    b.reset();

    uint64_t last_seq = 0, last_ts = 0, seq = 1;
    std::deque<Exp> q, qs;
    const std::string types = "SRHYLVWKJhAFECXDUPQBINO~Zz\x01";
    bool hold = false;
    uint64_t n_in = 0, n_out = 0, n_st = 0, n_ctrl_ok = 0;
    const int N = 30000;
    while (n_out < N || n_st < N) {
        if (!hold && n_in < N) {
            uint8_t m[50] = {0};
            char t = types[r.below(static_cast<uint32_t>(types.size()))];
            bool known = LEN.count(t) != 0;
            int len = known ? LEN.at(t) : 11 + static_cast<int>(r.below(30));
            if (r.chance(0.1)) len = static_cast<int>(r.below(60));
            bool trunc = r.chance(0.04);
            int avail = trunc ? static_cast<int>(r.below(static_cast<uint32_t>(len + 1))) : len;
            if (trunc && len == 0) avail = 0;
            for (int i = 0; i < 50; i++) m[i] = static_cast<uint8_t>(r.next());
            m[0] = static_cast<uint8_t>(t);
            if (t == 'A' || t == 'F') m[19] = r.chance(0.5) ? 'B' : 'S';
            if (t == '~') {  // plausible control fields
                m[1] = static_cast<uint8_t>(r.below(11));
                uint16_t tgt = r.chance(0.2) ? 0xFFFF : static_cast<uint16_t>(r.below(7));
                put_be(m + 2, tgt, 2);
                put_be(m + 4, r.chance(0.8) ? last_seq + 1 : last_seq + r.below(3), 8);
                uint64_t val = r.chance(0.5) ? r.below(3) : (r.chance(0.5) ? r.next() >> r.below(64) : 0);
                put_be(m + 12, val, 8);
            }
            for (int i = avail; i < 50; i++) m[i] = 0;  // bytes past the message are zero (front end)
            bool ctrl = !trunc && t == '~' && len == 20;
            Exp e{};
            std::memcpy(e.msg, m, 50);
            if (ctrl) {
                uint8_t op = m[1];
                uint16_t tgt = static_cast<uint16_t>(be(m + 2, 2));
                uint64_t S = be(m + 4, 8), val = be(m + 12, 8);
                bool sym_ok = tgt < 5, acct_ok = tgt < 2, symt = false, ok;
                switch (op) {
                    case 1: ok = tgt == 0xFFFF && val <= 1; break;
                    case 2: ok = sym_ok && val <= 1; symt = true; break;
                    case 3: ok = sym_ok && val >> 32 == 0; symt = true; break;
                    case 4: ok = sym_ok; symt = true; break;
                    case 5: ok = sym_ok && val >> 31 == 0; symt = true; break;
                    case 6: ok = sym_ok && val >> 16 == 0; symt = true; break;
                    case 7: ok = acct_ok; break;
                    case 8: ok = acct_ok && val >> 32 == 0; break;
                    case 9: ok = sym_ok && val == 0; symt = true; break;
                    default: ok = false;
                }
                ok = ok && S == last_seq + 1;
                e.seq = (last_seq + 1) & 0xFFFFFFFFFFFFull;
                if (ok) {
                    n_ctrl_ok++;
                    e.op = 13; e.ts = last_ts; e.rkind = 4; e.rsym = symt ? (tgt & 0xFF) : 0xFF; e.raux = op;
                    e.pay_lo = val; e.pay_hi = tgt; e.st_control = true;
                } else {
                    e.op = 1; e.ts = 0; e.rkind = 5; e.rsym = 0xFF; e.raux = 4;
                    e.pay_lo = 0x7E | (20ull << 16) | (20ull << 32); e.pay_hi = 0; e.st_problem = 4;
                }
                e.st_msg = false; e.st_type = -1;
            } else {
                int typ = avail >= 1 ? m[0] : 0;
                int exp = avail >= 1 && LEN.count(static_cast<char>(typ)) ? LEN.at(static_cast<char>(typ)) : 0;
                int prob = trunc ? 3 : exp == 0 ? 2 : len != exp ? 1 : 0;
                e.seq = seq & 0xFFFFFFFFFFFFull;
                e.st_msg = true; e.st_type = typ; e.st_problem = prob;
                if (prob) {
                    e.op = 1; e.ts = 0; e.rkind = 5; e.rsym = 0xFF; e.raux = prob;
                    e.pay_lo = static_cast<uint64_t>(typ) | (static_cast<uint64_t>(len) << 16) | (static_cast<uint64_t>(exp) << 32);
                } else {
                    e.op = op_of(static_cast<char>(typ)); e.ts = be(m + 5, 6); e.rkind = 0; e.rsym = 0xFF;
                    e.check_fields = true;
                    uint32_t price = static_cast<uint32_t>(typ == 'U' ? be(m + 31, 4) : be(m + 32, 4));
                    e.q = static_cast<uint32_t>((static_cast<unsigned __int128>(price) * RECIP) >> 48);
                }
                if (len >= 11 && (prob == 0 || prob == 2)) last_ts = be(m + 5, 6);
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
                    CHECK_EQ(b, wide_bits(d.m_rpay, 0, 64), e.pay_lo);
                    CHECK_EQ(b, wide_bits(d.m_rpay, 64, 64), e.pay_hi);
                }
                if (e.op == 13) {
                    CHECK_EQ(b, d.m_code, e.raux);
                    CHECK_EQ(b, d.m_locate, e.pay_hi);
                    CHECK_EQ(b, d.m_ref, e.pay_lo);
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
                    if (t == 'H') CHECK_EQ(b, d.m_code, m[19]);
                    if (t == 'S' || t == 'W') CHECK_EQ(b, d.m_code, m[11]);
                    CHECK_EQ(b, d.m_q, e.q);
                }
                n_out++;
            }
        });
    }
    CHECK_EQ(b, d.last_seq, last_seq);
    std::printf("  %llu messages, %llu valid control messages\n", static_cast<unsigned long long>(n_out),
                static_cast<unsigned long long>(n_ctrl_ok));
    return b.finish();
}
