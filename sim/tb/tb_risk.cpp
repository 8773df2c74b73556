// rg_risk: random decisions interleaved with every kind of state update (S market open/
// close, H trading states, W circuit breaker, last trades from E/C/P, every control op of
// the contract), against a model of spec sections 8.2 and 8.3: every reason, verdicts,
// fills with positions, saturating credit, throttle windows, duplicate orders (repeats of
// the account's last accepted order are injected); back-pressure. Then directed DUPLICATE
// cases fed back to back: the window one ns short and exactly elapsed, ts going backwards,
// each of symbol / side / price / qty differing, rejected repeats (and orders rejected for
// another reason) not becoming the last order, window 0 = off, op DUP_WINDOW changing the
// window (to 0, to a value, to the u64 maximum), an account with the check off; directed
// THROTTLE cases: MAX_ORDERS and orders right behind an accept on the account. The directed
// cases run without back-pressure, with it, and with it and gaps in the input.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;
namespace HW = rg::contract::hw;
namespace RS = rg::contract::reason;
namespace OP = rg::contract::op;

static constexpr int NS = 4, NA = 2;   // tb_risk.top: MAX_SYMBOLS 4, MAX_ACCOUNTS 2

struct LastOrder {
    bool valid = false;
    int sym = 0;
    bool buy = false;
    uint32_t px = 0, qty = 0;
    uint64_t ts = 0;
};

struct Model {
    bool gk = false, open = false, kill[NS] = {}, akill[NA] = {};
    uint8_t ts8[NS];
    uint32_t last[NS] = {}, collar[NS], maxq[NS], poslim[NS], acct[NS];
    int64_t pos[NS];
    uint64_t maxn[NS];
    uint32_t id[NA], maxo[NA], cnt[NA] = {};
    uint64_t credit[NA], used[NA], win[NA] = {}, dupw[NA];
    LastOrder lo[NA];
    bool gate = true;
    int w_shift = 10;

    void control(int op, int tgt, uint64_t val) {
        switch (op) {
            case OP::GLOBAL_KILL: gk = val & 1; break;
            case OP::SYMBOL_KILL: kill[tgt] = val & 1; break;
            case OP::MAX_QTY: maxq[tgt] = static_cast<uint32_t>(val); break;
            case OP::MAX_NOTIONAL: maxn[tgt] = val; break;
            case OP::POSITION_LIMIT: poslim[tgt] = static_cast<uint32_t>(val); break;
            case OP::COLLAR_BPS: collar[tgt] = static_cast<uint32_t>(val); break;
            case OP::CREDIT_LIMIT: credit[tgt] = val; break;
            case OP::MAX_ORDERS: maxo[tgt] = static_cast<uint32_t>(val); break;
            case OP::DUP_WINDOW: dupw[tgt] = val; break;
            case OP::ACCOUNT_KILL: akill[tgt] = val & 1; break;
            default: break;   // CLEAR_COLLISION: the book engine's
        }
    }
    // spec 8.2 / 8.3: reasons of an order and, when accepted, the state updates
    uint16_t order(int sym, bool buy, uint32_t price, uint32_t qty, uint64_t ts, uint32_t *pos_after) {
        int a = static_cast<int>(acct[sym]);
        uint64_t n = static_cast<uint64_t>(price) * qty;
        uint32_t ref = last[sym];
        uint64_t diff = price >= ref ? price - ref : ref - price;
        int64_t np = pos[sym] + (buy ? static_cast<int64_t>(qty) : -static_cast<int64_t>(qty));
        uint64_t sum = used[a] + n;
        uint64_t sat = sum < used[a] ? ~0ull : sum;
        uint64_t w = ts >> w_shift;
        uint32_t ciw = win[a] == w ? cnt[a] : 0;
        const LastOrder &l = lo[a];
        bool same = l.valid && l.sym == sym && l.buy == buy && l.px == price && l.qty == qty;
        uint16_t rs = 0;
        if (gk || kill[sym] || akill[a]) rs |= RS::KILL;
        if (ts8[sym] != 'T') rs |= RS::HALTED;
        if (gate && !open) rs |= RS::MARKET_CLOSED;
        if (qty > maxq[sym]) rs |= RS::MAX_QTY;
        if (n > maxn[sym]) rs |= RS::MAX_NOTIONAL;
        if (ref == 0) rs |= RS::NO_REF;
        if (ref != 0 && diff * 10000 > static_cast<uint64_t>(ref) * collar[sym]) rs |= RS::COLLAR;
        if ((np < 0 ? -np : np) > static_cast<int64_t>(poslim[sym])) rs |= RS::POSITION;
        if (sat > credit[a]) rs |= RS::CREDIT;
        if (ciw >= maxo[a]) rs |= RS::THROTTLE;
        if (dupw[a] != 0 && same && (ts < l.ts || ts - l.ts < dupw[a])) rs |= RS::DUPLICATE;
        if (rs == 0) {
            pos[sym] = np; used[a] = sat; win[a] = w; cnt[a] = ciw + 1;
            lo[a] = {true, sym, buy, price, qty, ts};
            *pos_after = static_cast<uint32_t>(np);
        }
        return rs;
    }
};

// one event on the input buses
struct In {
    uint64_t seq = 0, ts = 0;
    int ukind = HW::UPD_NONE, usym = 0, ucode = 0, utgt = 0;
    uint64_t uval = 0;
    int sym = 0;
    bool dec = false, buy = false;
    uint32_t price = 0, qty = 0;
    uint32_t tob_extra = 0;   // random TOB-bus contents that must pass through
};
struct Exp {
    uint64_t seq;
    bool dec;
    uint16_t reasons;
    bool acc;
    uint32_t acct, id, pos;
    In in;
};

static void drive(Vtb &d, const In &in) {
    clear_wide(d.s_ev);
    clear_wide(d.s_tob);
    clear_wide(d.s_ord);
    set_wide_bits(d.s_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W, in.seq);
    set_wide_bits(d.s_ev, HW::EV_TS_LO, HW::EV_TS_W, in.ts);
    set_wide_bits(d.s_ev, HW::EV_UKIND_LO, HW::EV_UKIND_W, in.ukind);
    set_wide_bits(d.s_ev, HW::EV_USYM_LO, HW::EV_USYM_W, in.usym);
    set_wide_bits(d.s_ev, HW::EV_UCODE_LO, HW::EV_UCODE_W, in.ucode);
    set_wide_bits(d.s_ev, HW::EV_UVAL_LO, HW::EV_UVAL_W, in.uval);
    set_wide_bits(d.s_ev, HW::EV_UTGT_LO, HW::EV_UTGT_W, in.utgt);
    set_wide_bits(d.s_tob, HW::TOB_SYM_LO, HW::TOB_SYM_W, in.sym);
    set_wide_bits(d.s_tob, HW::TOB_EMIT_LO, HW::TOB_EMIT_W, in.dec);
    set_wide_bits(d.s_tob, HW::TOB_BID_PX_LO, HW::TOB_BID_PX_W, in.tob_extra);
    set_wide_bits(d.s_tob, HW::TOB_ASK_SZ_LO, HW::TOB_ASK_SZ_W, ~in.tob_extra);
    set_wide_bits(d.s_ord, HW::ORD_DEC_LO, HW::ORD_DEC_W, in.dec);
    set_wide_bits(d.s_ord, HW::ORD_BUY_LO, HW::ORD_BUY_W, in.buy);
    set_wide_bits(d.s_ord, HW::ORD_PRICE_LO, HW::ORD_PRICE_W, in.price);
    set_wide_bits(d.s_ord, HW::ORD_QTY_LO, HW::ORD_QTY_W, in.qty);
}

static void check_out(Bench &b, Vtb &d, const Exp &e) {
    auto v = [&](unsigned lo, unsigned w) { return wide_bits(d.m_vrd, lo, w); };
    CHECK_EQ(b, wide_bits(d.m_ev, HW::EV_SEQ_LO, HW::EV_SEQ_W), e.seq);
    CHECK_EQ(b, wide_bits(d.m_ord, HW::ORD_DEC_LO, HW::ORD_DEC_W), static_cast<uint64_t>(e.dec));
    // the TOB and ORD buses pass through unchanged
    CHECK_EQ(b, wide_bits(d.m_tob, HW::TOB_SYM_LO, HW::TOB_SYM_W), static_cast<uint64_t>(e.in.sym));
    CHECK_EQ(b, wide_bits(d.m_tob, HW::TOB_BID_PX_LO, HW::TOB_BID_PX_W), e.in.tob_extra);
    CHECK_EQ(b, wide_bits(d.m_tob, HW::TOB_ASK_SZ_LO, HW::TOB_ASK_SZ_W), static_cast<uint32_t>(~e.in.tob_extra));
    CHECK_EQ(b, wide_bits(d.m_ord, HW::ORD_PRICE_LO, HW::ORD_PRICE_W), e.in.price);
    CHECK_EQ(b, wide_bits(d.m_ord, HW::ORD_QTY_LO, HW::ORD_QTY_W), e.in.qty);
    if (e.dec) {
        CHECK_EQ(b, v(HW::VRD_REASONS_LO, HW::VRD_REASONS_W), e.reasons);
        CHECK_EQ(b, v(HW::VRD_ACCEPTED_LO, HW::VRD_ACCEPTED_W), static_cast<uint64_t>(e.acc));
        CHECK_EQ(b, v(HW::VRD_ACCT_LO, HW::VRD_ACCT_W), e.acct);
        CHECK_EQ(b, v(HW::VRD_ACCT_ID_LO, HW::VRD_ACCT_ID_W), e.id);
        if (e.acc) CHECK_EQ(b, v(HW::VRD_POS_AFTER_LO, HW::VRD_POS_AFTER_W), e.pos);
    }
}

// configures the DUT and the model alike
static void configure(Bench &b, Model &m, bool directed) {
    auto &d = *b.dut;
    d.init_hdr_we = 1; d.init_global_kill = 0;
    b.tick();
    d.init_hdr_we = 0;
    for (int i = 0; i < NS; i++) {
        m.ts8[i] = 'T'; m.acct[i] = i % NA;
        if (directed) {
            m.collar[i] = 10000; m.maxq[i] = 4000; m.maxn[i] = ~0ull; m.poslim[i] = 0x7FFFFFFF; m.pos[i] = 0;
        } else {
            m.collar[i] = 30 + 10 * i; m.maxq[i] = 500 + 200 * i; m.poslim[i] = 1500;
            m.pos[i] = i == 3 ? -1000 : 0; m.maxn[i] = 600000ull * (i + 1);
        }
        d.init_sym_we = 1; d.init_sym_idx = i; d.init_sym_acct = m.acct[i]; d.init_sym_kill = 0;
        d.init_sym_collar = m.collar[i]; d.init_sym_max_qty = m.maxq[i]; d.init_sym_max_notional = m.maxn[i];
        d.init_sym_pos_limit = m.poslim[i]; d.init_sym_pos = static_cast<uint32_t>(m.pos[i]);
        b.tick();
    }
    d.init_sym_we = 0;
    for (int j = 0; j < NA; j++) {
        m.id[j] = 1001 + j;
        if (directed) {
            m.maxo[j] = 0xFFFFFFFFu; m.credit[j] = ~0ull; m.used[j] = 0;
            m.dupw[j] = j == 0 ? 1000 : 0;    // account 1: the check is off
        } else {
            m.maxo[j] = 30; m.credit[j] = j ? 0xFFFFFFFFFFFFFFF0ull : 40000000ull; m.used[j] = j ? 0xFFFFFFFFFFFF0000ull : 0;
            m.dupw[j] = j == 0 ? 1500 : 0;
        }
        d.init_acct_we = 1; d.init_acct_idx = j; d.init_acct_id = m.id[j]; d.init_acct_max_orders = m.maxo[j];
        d.init_acct_credit = m.credit[j]; d.init_acct_used = m.used[j]; d.init_acct_dup_window = m.dupw[j];
        b.tick();
    }
    d.init_acct_we = 0;
}

int main() {
    Bench b("risk", 5);
    Rng r(47);
    auto &d = *b.dut;
    d.cfg_gate = 1;
    d.cfg_w_shift = 10;
    d.s_valid = 0;
    d.o_valid = 0;   // the order path: driven through the whole card (test/hw/order-entry)
    d.md_hold = 0;
    d.m_ready = 1;
    d.init_hdr_we = d.init_sym_we = d.init_acct_we = 0;
    b.reset();
    Model m;
    configure(b, m, false);

    // ------------------------------------------------------------ random phase
    std::deque<Exp> q;
    uint64_t n_in = 0, n_out = 0, ts = 5000, reason_hits[C::reason::COUNT] = {}, n_acc = 0;
    uint64_t n_dec_st = 0, n_acc_st = 0, n_rej_st = 0, n_repeat = 0, n_dup_only = 0;
    uint64_t op_hits[256] = {};
    uint8_t max_op = 0;
    for (const auto &o : C::ctrl::OPS) max_op = std::max(max_op, o.code);
    bool hold = false;
    const int N = 40000;
    while (n_out < N) {
        if (!hold && n_in < N) {
            In in;
            in.seq = n_in;
            ts += r.below(300);
            in.ts = ts;
            in.tob_extra = static_cast<uint32_t>(r.next());
            int sym = static_cast<int>(r.below(NS));
            int kind = static_cast<int>(r.below(100));
            in.sym = sym;
            Exp e{n_in, false, 0, false, 0, 0, 0, in};
            if (kind < 4) {
                int c = "QMQO"[r.below(4)];
                in.ukind = HW::UPD_MKT; in.ucode = c;
                if (c == 'Q') m.open = true;
                if (c == 'M') m.open = false;
            } else if (kind < 8) {
                int c = r.chance(0.7) ? 'T' : "HPQ"[r.below(3)];
                in.ukind = HW::UPD_HALT; in.usym = sym; in.ucode = c;
                m.ts8[sym] = static_cast<uint8_t>(c);
            } else if (kind < 9) {
                in.ukind = HW::UPD_MWCB;
                for (auto &t : m.ts8) t = 'H';
            } else if (kind < 19) {
                int op = 1 + static_cast<int>(r.below(max_op));
                const C::ctrl::OpSpec *spec = C::ctrl::op_spec(static_cast<uint8_t>(op));
                int tgt = spec->target == C::ctrl::Target::Global ? C::CONTROL_GLOBAL_TARGET
                        : spec->target == C::ctrl::Target::Account ? static_cast<int>(r.below(NA)) : sym;
                uint64_t val;
                switch (op) {
                    case OP::GLOBAL_KILL: case OP::SYMBOL_KILL: case OP::ACCOUNT_KILL: val = r.chance(0.85) ? 0 : 1; break;
                    case OP::MAX_QTY: val = 200 + r.below(2000); break;
                    case OP::MAX_NOTIONAL: val = r.chance(0.1) ? ~0ull : 100000ull + r.below(3000000); break;
                    case OP::POSITION_LIMIT: val = r.below(3000); break;
                    case OP::COLLAR_BPS: val = r.below(200); break;
                    case OP::CREDIT_LIMIT: val = r.chance(0.2) ? ~0ull : 10000000ull + r.below(90000000); break;
                    case OP::DUP_WINDOW: val = r.chance(0.2) ? 0 : r.chance(0.1) ? ~0ull : r.below(6000); break;
                    default: val = r.below(60); break;
                }
                if (val > spec->max) val = spec->max;   // the parser only passes valid controls
                in.ukind = HW::UPD_CTRL; in.ucode = op; in.uval = val; in.utgt = tgt;
                m.control(op, tgt, val);
                op_hits[op]++;
            } else {
                bool with_last = r.chance(0.3);
                if (with_last || kind < 30) {
                    uint32_t px = r.chance(0.05) ? 0 : 990 + r.below(20);
                    in.ukind = HW::UPD_LAST; in.usym = sym; in.uval = px;
                    m.last[sym] = px;
                }
                if (kind >= 30) {
                    bool buy = r.chance(0.5);
                    uint32_t price = 980 + r.below(40), qty = r.chance(0.02) ? 0xFFFFFFFFu : 1 + r.below(900);
                    const LastOrder &l = m.lo[m.acct[sym]];
                    if (l.valid && r.chance(0.3)) {   // repeat the account's last accepted order
                        sym = l.sym; buy = l.buy; price = l.px; qty = l.qty;
                        n_repeat++;
                    }
                    in.sym = sym; in.dec = true; in.buy = buy; in.price = price; in.qty = qty;
                    uint32_t pos_after = 0;
                    uint16_t rs = m.order(sym, buy, price, qty, ts, &pos_after);
                    int a = static_cast<int>(m.acct[sym]);
                    e.dec = true; e.reasons = rs; e.acc = rs == 0; e.acct = a; e.id = m.id[a]; e.pos = pos_after;
                    for (int k = 0; k < C::reason::COUNT; k++) reason_hits[k] += (rs >> k) & 1;
                    n_dup_only += rs == RS::DUPLICATE;
                    n_acc += e.acc;
                }
            }
            e.in = in;
            drive(d, in);
            q.push_back(e);
            hold = true;
            n_in++;
        }
        d.s_valid = hold;
        d.m_ready = r.chance(0.75);
        b.tick([&] {
            n_dec_st += d.st_decision; n_acc_st += d.st_accepted; n_rej_st += d.st_rejected;
            if (d.s_valid && d.s_ready) hold = false;
            if (d.m_valid && d.m_ready) {
                check_out(b, d, q.front());
                q.pop_front();
                n_out++;
            }
        });
    }
    d.s_valid = 0;
    for (int i = 0; i < 3; i++) b.tick([&] { n_dec_st += d.st_decision; n_acc_st += d.st_accepted; n_rej_st += d.st_rejected; });
    CHECK_EQ(b, n_acc_st, n_acc);
    CHECK_EQ(b, n_dec_st, n_acc_st + n_rej_st);
    std::printf("  %llu events, %llu decisions, %llu accepted, %llu repeats (%llu rejected for DUPLICATE alone); reason hits:",
                static_cast<unsigned long long>(n_out), static_cast<unsigned long long>(n_dec_st),
                static_cast<unsigned long long>(n_acc), static_cast<unsigned long long>(n_repeat),
                static_cast<unsigned long long>(n_dup_only));
    for (int k = 0; k < C::reason::COUNT; k++) {
        std::printf(" %llu", static_cast<unsigned long long>(reason_hits[k]));
        // The client-order reasons (spec section 18) are the Rust core's only, for now.
        if (k < C::reason::STRATEGY_COUNT) CHECK(b, reason_hits[k] >= 20);
        else CHECK_EQ(b, reason_hits[k], 0u);
    }
    std::printf("\n");
    CHECK(b, n_dup_only >= 5);
    for (const auto &o : C::ctrl::OPS) CHECK(b, op_hits[o.code] > 0);

    // ------------------------------------------------------------ directed DUPLICATE cases
    // Account 0 (symbols 0, 2): window 1000 ns; account 1 (symbols 1, 3): off. Everything
    // else generous; the market is open and every symbol has a last trade of 1000.
    // Pass 1 with random back-pressure; passes 2.. with gaps in the input too, so a decision
    // also enters behind an empty R1 while the event in R2 is held (rg_risk's R1 wait is
    // computed as the decision enters: against the event in R2 then, not only the one in R1).
    for (int pass = 0; pass < 2 + 24; pass++) {
        b.reset();
        Model dm;
        dm.gate = false;
        d.cfg_gate = 0;
        configure(b, dm, true);
        std::vector<Exp> ev;
        uint64_t seq = 0;
        auto push = [&](const In &in0, bool dup, bool acc) {
            In in = in0;
            in.seq = ++seq;
            in.tob_extra = static_cast<uint32_t>(seq * 0x9E3779B9u);
            Exp e{in.seq, in.dec, 0, false, 0, 0, 0, in};
            if (in.ukind == HW::UPD_CTRL) dm.control(in.ucode, in.utgt, in.uval);
            if (in.ukind == HW::UPD_LAST) dm.last[in.usym] = static_cast<uint32_t>(in.uval);
            if (in.dec) {
                uint32_t pos_after = 0;
                e.reasons = dm.order(in.sym, in.buy, in.price, in.qty, in.ts, &pos_after);
                e.acc = e.reasons == 0; e.acct = dm.acct[in.sym]; e.id = dm.id[e.acct]; e.pos = pos_after;
                // the hand-written expectation of each case
                CHECK_EQ(b, (e.reasons & RS::DUPLICATE) != 0, dup);
                CHECK_EQ(b, e.acc, acc);
            }
            ev.push_back(e);
        };
        auto order = [&](int sym, bool buy, uint32_t px, uint32_t qty, uint64_t t, bool dup, bool acc) {
            In in; in.sym = sym; in.dec = true; in.buy = buy; in.price = px; in.qty = qty; in.ts = t;
            push(in, dup, acc);
        };
        auto control = [&](int op, int tgt, uint64_t val, uint64_t t) {
            In in; in.ukind = HW::UPD_CTRL; in.ucode = op; in.utgt = tgt; in.uval = val; in.ts = t;
            push(in, false, false);
        };
        for (int s = 0; s < NS; s++) {
            In in; in.ukind = HW::UPD_LAST; in.usym = s; in.uval = 1000; in.ts = 1;
            push(in, false, false);
        }
        const uint64_t T = 10000;
        order(0, true, 1000, 10, T, false, true);             // first order: accepted
        order(0, true, 1000, 10, T + 999, true, false);       // one ns short of the window
        order(0, true, 1000, 10, T + 1000, false, true);      // exactly elapsed (the rejected repeat did not extend it)
        order(0, true, 1000, 10, T + 500, true, false);       // ts going backwards
        order(0, true, 1000, 11, T + 1001, false, true);      // qty differs
        order(0, true, 1001, 11, T + 1002, false, true);      // price differs
        order(0, false, 1001, 11, T + 1003, false, true);     // side differs
        order(2, false, 1001, 11, T + 1004, false, true);     // symbol differs (same account)
        order(2, false, 1001, 11, T + 1005, true, false);     // back to back: the accepted order is seen at once
        order(2, false, 1001, 11, T + 1500, true, false);     // repeats keep being refused ...
        order(2, false, 1001, 11, T + 2003, true, false);
        order(2, false, 1001, 11, T + 2004, false, true);     // ... until the window from the accepted one is over
        // an order refused for another reason does not become the last order
        order(2, false, 1001, 4001, T + 2010, false, false);  // MAX_QTY
        control(OP::MAX_QTY, 2, 5000, T + 2011);
        order(2, false, 1001, 4001, T + 2012, false, true);   // same order, now accepted: no DUPLICATE
        order(2, false, 1001, 4001, T + 2013, true, false);
        // DUP_WINDOW: off, then 5000 ns, then the u64 maximum
        control(OP::DUP_WINDOW, 0, 0, T + 2014);
        order(2, false, 1001, 4001, T + 2015, false, true);   // window 0: the check is off
        order(2, false, 1001, 4001, T + 2015, false, true);
        control(OP::DUP_WINDOW, 0, 5000, T + 2016);
        order(2, false, 1001, 4001, T + 2015 + 4999, true, false);
        order(2, false, 1001, 4001, T + 2015 + 5000, false, true);
        control(OP::DUP_WINDOW, 0, ~0ull, T + 7016);
        order(2, false, 1001, 4001, (1ull << 48) - 1, true, false);   // never elapses
        // the window is per account: account 1 has it off, account 0's window does not apply
        control(OP::DUP_WINDOW, 1, 0, T + 7017);
        order(1, true, 1000, 10, T + 7018, false, true);
        order(1, true, 1000, 10, T + 7018, false, true);
        order(3, true, 1000, 10, T + 7019, false, true);
        control(OP::DUP_WINDOW, 1, 3, T + 7020);             // account 1: 3 ns
        order(3, true, 1000, 10, T + 7021, true, false);
        order(3, true, 1000, 10, T + 7022, false, true);      // 3 ns after the accepted one
        order(0, false, 1001, 11, T + 7023, false, true);     // account 0's last order is symbol 2's
        order(0, false, 1001, 11, T + 7024, true, false);
        // MAX_ORDERS right behind an accept on its account (rg_risk writes the count a cycle
        // after the accept: the control must count it), then orders right behind accepts
        // (THROTTLE from the count being written); account 1, its DUPLICATE off, one window
        const uint64_t W = 1ull << 30;                         // window W >> 10, count 0
        control(OP::DUP_WINDOW, 1, 0, W);
        order(1, true, 1000, 10, W + 1, false, true);          // count 1
        order(3, true, 1000, 10, W + 2, false, true);          // count 2
        control(OP::MAX_ORDERS, 1, 2, W + 3);                  // 2 >= 2: full
        order(1, true, 1000, 10, W + 4, false, false);         // THROTTLE
        control(OP::MAX_ORDERS, 1, 3, W + 5);                  // 2 < 3
        order(1, false, 1000, 10, W + 6, false, true);         // count 3
        order(3, false, 1000, 10, W + 7, false, false);        // THROTTLE right behind it
        order(1, false, 1000, 10, (W >> 10 << 10) + 1024, false, true);   // the next window: count 1
        control(OP::MAX_ORDERS, 1, 1, W + 1025);              // 1 >= 1: full
        order(3, true, 1000, 10, W + 1026, false, false);      // THROTTLE

        size_t in_i = 0, out_i = 0;
        uint64_t guard = 0;
        bool hv = false;
        while (out_i < ev.size() && guard++ < 100000) {
            if (!hv && in_i < ev.size() && (pass < 2 || r.chance(0.5))) { drive(d, ev[in_i].in); hv = true; }
            d.s_valid = hv;
            d.m_ready = pass == 0 ? 1 : r.chance(0.6);
            b.tick([&] {
                if (d.s_valid && d.s_ready) { hv = false; in_i++; }
                if (d.m_valid && d.m_ready) { check_out(b, d, ev[out_i]); out_i++; }
            });
        }
        CHECK_EQ(b, out_i, ev.size());
        d.s_valid = 0;
    }
    return b.finish();
}
