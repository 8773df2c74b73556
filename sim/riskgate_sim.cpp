// riskgate FPGA simulation driver: the C ABI of riskgate_sim.h over Vriskgate_top.
#include "riskgate_sim.h"

#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vriskgate_top.h"
#include "rg_contract.h"
#include "verilated.h"
#if RG_HAVE_FST
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include <atomic>
#include <cstdlib>
#include <unistd.h>

#include "verilated_cov.h"
#endif

// build parameters of the model (the Makefile passes -D values only with -G overrides; defaults:
// riskgate_top's, the contract's spec parameters)
#ifndef RG_MAX_SYMBOLS
#define RG_MAX_SYMBOLS rg::contract::MAX_SYMBOLS_DEFAULT
#endif
#ifndef RG_MAX_ACCOUNTS
#define RG_MAX_ACCOUNTS rg::contract::MAX_ACCOUNTS_DEFAULT
#endif
#ifndef RG_WINDOW_TICKS
#define RG_WINDOW_TICKS rg::contract::WINDOW_TICKS_DEFAULT
#endif
#ifndef RG_SET_BITS
#define RG_SET_BITS rg::contract::SET_BITS_DEFAULT
#endif
#ifndef RG_WAYS
#define RG_WAYS rg::contract::WAYS_DEFAULT
#endif

namespace {

namespace C = rg::contract;
constexpr uint32_t REC = C::RECORD_SIZE;  // one record per 256-bit output beat
static_assert(RG_SIM_NSTATS == C::stats::TOTAL, "riskgate_sim.h RG_SIM_NSTATS differs from the contract");
static_assert(REC == 32, "the output beat is 256 bits");

struct Beat {
    uint64_t data;
    uint8_t keep;
    bool last;
};

// A frame for the order-entry input (spec section 18.7), queued behind the market-data beats
// pushed before it.
struct OrderFrame {
    std::deque<Beat> beats;
    uint64_t tuser;
    uint64_t md_before;  // market-data beats pushed before it (absolute count)
};

}  // namespace

struct rg_sim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vriskgate_top> top;
#if RG_HAVE_FST
    std::unique_ptr<VerilatedFstC> fst;
#endif
    uint64_t time = 0;  // half cycles, for the trace

    std::deque<Beat> beats;
    bool holding = false;  // a beat is being offered (tvalid held until accepted)
    Beat cur{};
    uint64_t md_pushed = 0, md_taken = 0;  // market-data beats queued / taken into `cur`, ever
    // order-entry frames (s_axis_order): the host rule of section 18.7 — a frame is offered
    // once every market-data beat before it is accepted, and market data after it waits
    // until its last beat is accepted
    std::deque<OrderFrame> orders;
    // Ethernet frames (s_eth_axis, spec section 17): offered as fast as accepted
    std::deque<Beat> eth_beats;
    bool eth_holding = false;
    Beat eth_cur{};

    uint32_t offer_num = 1, offer_den = 1, ready_num = 1, ready_den = 1;
    uint32_t offer_acc = 0, ready_acc = 0;

    std::vector<uint8_t> records;
    size_t rec_head = 0;
    std::vector<uint8_t> stamps;
    size_t lat_head = 0;

    // register port request for the next cycle
    bool wr = false, rd = false;
    uint32_t wr_addr = 0, wr_data = 0, rd_addr = 0;
    bool rd_got = false;
    uint32_t rd_val = 0;

    uint64_t c_cycles = 0, c_beats = 0, c_stall = 0, c_tready_low = 0, c_records = 0,
             c_packets = 0, c_out_stall = 0;
};

static void set_wide(VlWide<8> &w, const uint8_t *b) {
    for (int i = 0; i < 8; i++) {
        uint32_t v;
        std::memcpy(&v, b + 4 * i, 4);
        w[i] = v;
    }
}

static void get_wide(const VlWide<8> &w, uint8_t *b) {
    for (int i = 0; i < 8; i++) {
        uint32_t v = w[i];
        std::memcpy(b + 4 * i, &v, 4);
    }
}

// One clock cycle: inputs are applied with clk low, handshakes sampled before the edge.
static void tick(rg_sim *s) {
    Vriskgate_top *t = s->top.get();
    t->clk = 0;

    // order-entry beat: the next frame, once the market data before it is in
    bool ord_offer = !s->orders.empty() && !s->holding && s->md_taken == s->orders.front().md_before;
    const Beat ob = ord_offer ? s->orders.front().beats.front() : Beat{0, 0, false};
    t->s_axis_order_tvalid = ord_offer;
    t->s_axis_order_tdata = ob.data;
    t->s_axis_order_tkeep = ob.keep;
    t->s_axis_order_tlast = ord_offer && ob.last;
    t->s_axis_order_tuser = ord_offer ? s->orders.front().tuser : 0;

    // input beat (market data waits behind a frame queued before it)
    bool md_gate = s->orders.empty() || s->md_taken < s->orders.front().md_before;
    if (!s->holding && !s->beats.empty() && md_gate) {
        s->offer_acc += s->offer_num;
        if (s->offer_acc >= s->offer_den) {
            s->offer_acc -= s->offer_den;
            s->cur = s->beats.front();
            s->beats.pop_front();
            s->md_taken++;
            s->holding = true;
        }
    }
    t->s_axis_tvalid = s->holding;
    t->s_axis_tdata = s->holding ? s->cur.data : 0;
    t->s_axis_tkeep = s->holding ? s->cur.keep : 0;
    t->s_axis_tlast = s->holding && s->cur.last;
    if (!s->eth_holding && !s->eth_beats.empty()) {
        s->eth_cur = s->eth_beats.front();
        s->eth_beats.pop_front();
        s->eth_holding = true;
    }
    t->s_eth_axis_tvalid = s->eth_holding;
    t->s_eth_axis_tdata = s->eth_holding ? s->eth_cur.data : 0;
    t->s_eth_axis_tkeep = s->eth_holding ? s->eth_cur.keep : 0;
    t->s_eth_axis_tlast = s->eth_holding && s->eth_cur.last;

    s->ready_acc += s->ready_num;
    bool rdy = false;
    if (s->ready_acc >= s->ready_den) {
        s->ready_acc -= s->ready_den;
        rdy = true;
    }
    t->m_axis_tready = rdy;

    t->reg_wr_en = s->wr;
    t->reg_wr_addr = s->wr_addr;
    t->reg_wr_data = s->wr_data;
    t->reg_rd_en = s->rd;
    t->reg_rd_addr = s->rd_addr;
    s->wr = s->rd = false;

    t->eval();
#if RG_HAVE_FST
    if (s->fst) s->fst->dump(s->time);
#endif
    s->time++;

    // sample handshakes before the edge
    if (t->s_axis_tvalid) {
        if (t->s_axis_tready) {
            s->holding = false;
            s->c_beats++;
        } else {
            s->c_stall++;
        }
    }
    if (!t->s_axis_tready) s->c_tready_low++;
    if (ord_offer && t->s_axis_order_tready) {
        s->c_beats++;
        s->orders.front().beats.pop_front();
        if (ob.last) s->orders.pop_front();
    }
    if (t->s_eth_axis_tvalid && t->s_eth_axis_tready) {
        s->eth_holding = false;
        s->c_beats++;
    }
    if (t->m_axis_tvalid) {
        if (t->m_axis_tready) {
            size_t n = s->records.size();
            s->records.resize(n + REC);
            get_wide(t->m_axis_tdata, s->records.data() + n);
            s->c_records++;
        } else {
            s->c_out_stall++;
        }
    }
    if (t->m_lat_valid) {
        size_t n = s->stamps.size();
        s->stamps.resize(n + 32);  // latency stamp: 256 bits
        get_wide(t->m_lat_data, s->stamps.data() + n);
    }
    if (t->reg_rd_valid) {
        s->rd_got = true;
        s->rd_val = t->reg_rd_data;
    }

    t->clk = 1;
    t->eval();
#if RG_HAVE_FST
    if (s->fst) s->fst->dump(s->time);
#endif
    s->time++;
    s->c_cycles++;
}

static void compact(std::vector<uint8_t> &v, size_t &head) {
    if (head > 0 && head >= v.size() / 2) {
        v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(head));
        head = 0;
    }
}

extern "C" {

void rg_sim_info(rg_sim_info_t *out) {
    if (!out) return;
    out->max_symbols = RG_MAX_SYMBOLS;
    out->max_accounts = RG_MAX_ACCOUNTS;
    out->window_ticks = RG_WINDOW_TICKS;
    out->set_bits = RG_SET_BITS;
    out->ways = RG_WAYS;
    out->record_bytes = REC;
    out->latency_bytes = 32;
    out->has_fst = RG_HAVE_FST ? 1 : 0;
}

rg_sim *rg_sim_open(uint64_t seed, uint32_t flags) {
    (void)flags;
    rg_sim *s = new rg_sim();
    s->ctx = std::make_unique<VerilatedContext>();
    s->ctx->randReset(2);
    s->ctx->randSeed(static_cast<int>(seed & 0x7fffffff));
#if RG_HAVE_FST
    s->ctx->traceEverOn(true);
#endif
    s->top = std::make_unique<Vriskgate_top>(s->ctx.get(), "riskgate");
    s->top->rst = 1;
    for (int i = 0; i < 4; i++) tick(s);
    s->top->rst = 0;
    rg_sim_reset(s);
#if VM_COVERAGE
    // what was counted up to here (initial blocks, the first settle of the combinational
    // logic over the random power-up state, the reset) goes to its own file and the counts
    // start again: scripts/cover-report.ts credits a branch only for what the card did
    // after reset
    if (const char *dir = std::getenv("RG_SIM_COVERAGE"); dir && *dir) {
        static std::atomic<unsigned> n{0};
        std::string path = std::string(dir) + "/init-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".dat";
        s->ctx->coveragep()->write(path.c_str());
    }
    s->ctx->coveragep()->zero();
#endif
    return s;
}

void rg_sim_close(rg_sim *s) {
    if (!s) return;
#if RG_HAVE_FST
    if (s->fst) s->fst->close();
#endif
    s->top->final();
#if VM_COVERAGE
    // the line-coverage build (make -C sim cover): each card writes its own counts into the
    // directory RG_SIM_COVERAGE names; scripts/cover-hw.ts merges them
    if (const char *dir = std::getenv("RG_SIM_COVERAGE"); dir && *dir) {
        static std::atomic<unsigned> n{0};
        std::string path = std::string(dir) + "/card-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".dat";
        s->ctx->coveragep()->write(path.c_str());
    }
#endif
    delete s;
}

int rg_sim_write_reg(rg_sim *s, uint32_t addr, uint32_t value) {
    if (!s) return RG_SIM_E_ARG;
    s->wr = true;
    s->wr_addr = addr & 0xffff;
    s->wr_data = value;
    tick(s);
    return RG_SIM_OK;
}

int rg_sim_read_reg(rg_sim *s, uint32_t addr, uint32_t *value) {
    if (!s) return RG_SIM_E_ARG;
    s->rd = true;
    s->rd_addr = addr & 0xffff;
    s->rd_got = false;
    for (int i = 0; i < 64 && !s->rd_got; i++) tick(s);
    if (!s->rd_got) return RG_SIM_E_TIMEOUT;
    if (value) *value = s->rd_val;
    return RG_SIM_OK;
}

static uint32_t status(rg_sim *s) {
    uint32_t v = 0;
    rg_sim_read_reg(s, C::reg::STATUS, &v);
    return v;
}

int64_t rg_sim_reset(rg_sim *s) {
    if (!s) return RG_SIM_E_ARG;
    uint64_t c0 = s->c_cycles;
    s->beats.clear();
    s->holding = false;
    s->md_pushed = s->md_taken = 0;
    s->orders.clear();
    s->eth_beats.clear();
    s->eth_holding = false;
    s->records.clear();
    s->rec_head = 0;
    s->stamps.clear();
    s->lat_head = 0;
    s->offer_acc = s->ready_acc = 0;
    s->top->rst = 1;
    tick(s);
    tick(s);
    s->top->rst = 0;
    // wait for the clear sweeps (STATUS CLEARING)
    for (int i = 0; i < 4096; i++) {
        s->top->rst = 0;
        for (int k = 0; k < 64; k++) tick(s);
        if ((status(s) & C::reg::STATUS_CLEARING) == 0) break;
    }
    return static_cast<int64_t>(s->c_cycles - c0);
}

int rg_sim_config(rg_sim *s, const uint8_t *blob, uint32_t len) {
    if (!s || !blob) return RG_SIM_E_ARG;
    if (len < C::cfg::HEADER_SIZE) return RG_SIM_E_SIZE;
    uint32_t ns = blob[C::cfg::HDR_N_SYMBOLS], na = blob[C::cfg::HDR_N_ACCOUNTS];
    if (ns > RG_MAX_SYMBOLS || na > RG_MAX_ACCOUNTS) {
        // let the hardware report the range error on the header alone
        len = C::cfg::HEADER_SIZE;
    } else if (len != C::cfg::HEADER_SIZE + C::cfg::SYMBOL_SIZE * ns + C::cfg::ACCOUNT_SIZE * na) {
        return RG_SIM_E_SIZE;
    }
    for (uint32_t off = 0; off < len; off += 4) {
        uint32_t w = 0;
        for (uint32_t b = 0; b < 4 && off + b < len; b++) w |= static_cast<uint32_t>(blob[off + b]) << (8 * b);
        rg_sim_write_reg(s, C::reg::BLOB + off, w);
    }
    rg_sim_write_reg(s, C::reg::CONTROL, C::reg::CONTROL_LOAD);
    for (int i = 0; i < 100000; i++) {
        uint32_t st = status(s);
        uint32_t err = (st >> C::reg::STATUS_CFG_ERROR_LO) & ((1u << C::reg::STATUS_CFG_ERROR_W) - 1u);
        if (err) return static_cast<int>(err);
        if (st & C::reg::STATUS_READY) return RG_SIM_OK;
        for (int k = 0; k < 16; k++) tick(s);
    }
    return RG_SIM_E_TIMEOUT;
}

void rg_sim_set_pacing(rg_sim *s, uint32_t offer_num, uint32_t offer_den, uint32_t ready_num,
                       uint32_t ready_den) {
    if (!s) return;
    s->offer_num = offer_num ? offer_num : 1;
    s->offer_den = offer_den ? offer_den : 1;
    if (s->offer_num > s->offer_den) s->offer_num = s->offer_den;
    s->ready_num = ready_num ? ready_num : 1;
    s->ready_den = ready_den ? ready_den : 1;
    if (s->ready_num > s->ready_den) s->ready_num = s->ready_den;
    s->offer_acc = s->ready_acc = 0;
}

// The u32 little-endian length prefix of a packet or frame in a pushed stream.
static uint32_t le32(const uint8_t *p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
           static_cast<uint32_t>(p[3]) << 24;
}

// Splits a packet or frame into 64-bit beats (byte 0 in lane 0; only the last beat partial).
static void push_beats(std::deque<Beat> &q, const uint8_t *pkt, uint32_t len) {
    uint32_t off = 0;
    do {
        Beat b{0, 0, false};
        uint32_t n = len - off < 8 ? len - off : 8;
        for (uint32_t i = 0; i < n; i++) b.data |= static_cast<uint64_t>(pkt[off + i]) << (8 * i);
        b.keep = static_cast<uint8_t>((1u << n) - 1u);
        off += n;
        b.last = (off >= len);
        q.push_back(b);
    } while (off < len);
}

int64_t rg_sim_push_frames(rg_sim *s, const uint8_t *buf, uint64_t len) {
    if (!s || (!buf && len)) return RG_SIM_E_ARG;
    uint64_t off = 0;
    int64_t n = 0;
    // the whole stream is checked before anything is queued
    while (off + 4 <= len) {
        uint32_t fl = le32(buf + off);
        off += 4;
        if (off + fl > len) return RG_SIM_E_ARG;
        off += fl;
        n++;
    }
    if (off != len) return RG_SIM_E_ARG;
    for (off = 0; off < len;) {
        uint32_t fl = le32(buf + off);
        push_beats(s->eth_beats, buf + off + 4, fl);
        off += 4 + fl;
    }
    return n;
}

int64_t rg_sim_push_beats(rg_sim *s, uint32_t input, const uint8_t *buf, uint64_t len) {
    if (!s || (!buf && len) || len % RG_SIM_BEAT_BYTES != 0 || input > RG_SIM_INPUT_ORDER) return RG_SIM_E_ARG;
    uint64_t n = len / RG_SIM_BEAT_BYTES;
    if (n == 0 || !buf[len - 1]) return RG_SIM_E_ARG;  // whole packets only: the last beat has tlast
    std::deque<Beat> beats;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *b = buf + i * RG_SIM_BEAT_BYTES;
        uint64_t d = 0;
        for (int k = 7; k >= 0; k--) d = d << 8 | b[k];
        beats.push_back(Beat{d, b[8], b[9] != 0});
    }
    if (input == RG_SIM_INPUT_MOLD) {
        s->beats.insert(s->beats.end(), beats.begin(), beats.end());
        s->md_pushed += n;
    } else if (input == RG_SIM_INPUT_ETH) {
        s->eth_beats.insert(s->eth_beats.end(), beats.begin(), beats.end());
    } else {
        // one order-entry packet per tlast, each behind the market data pushed so far
        OrderFrame f{{}, 0, s->md_pushed};
        for (const Beat &bt : beats) {
            f.beats.push_back(bt);
            if (bt.last) {
                s->orders.push_back(std::move(f));
                f = OrderFrame{{}, 0, s->md_pushed};
            }
        }
    }
    return static_cast<int64_t>(n);
}

int rg_sim_push_order(rg_sim *s, const uint8_t *frame, uint32_t len, uint64_t tuser) {
    if (!s || !frame || len == 0) return RG_SIM_E_ARG;
    OrderFrame f{{}, tuser, s->md_pushed};
    push_beats(f.beats, frame, len);
    s->orders.push_back(std::move(f));
    return RG_SIM_OK;
}

int rg_sim_push_packet(rg_sim *s, const uint8_t *pkt, uint32_t len) {
    if (!s || (!pkt && len)) return RG_SIM_E_ARG;
    size_t before = s->beats.size();
    push_beats(s->beats, pkt, len);
    s->md_pushed += s->beats.size() - before;
    s->c_packets++;
    return RG_SIM_OK;
}

int64_t rg_sim_push_packets(rg_sim *s, const uint8_t *buf, uint64_t len) {
    if (!s || (!buf && len)) return RG_SIM_E_ARG;
    uint64_t off = 0;
    int64_t n = 0;
    while (off + 4 <= len) {
        uint32_t pl = le32(buf + off);
        off += 4;
        if (off + pl > len) return RG_SIM_E_ARG;
        rg_sim_push_packet(s, buf + off, pl);
        off += pl;
        n++;
    }
    return off == len ? n : RG_SIM_E_ARG;
}

void rg_sim_step(rg_sim *s, uint64_t n) {
    if (!s) return;
    for (uint64_t i = 0; i < n; i++) tick(s);
}

int64_t rg_sim_run(rg_sim *s, uint64_t max_cycles) {
    if (!s) return RG_SIM_E_ARG;
    if (!s->top->ready && (!s->beats.empty() || !s->eth_beats.empty() || !s->orders.empty())) return RG_SIM_E_NOTREADY;
    // store and forward: a frame's beats go through the Ethernet front end twice
    if (max_cycles == 0)
        max_cycles = 1000000ull + 64ull * (s->beats.size() + 2 * s->eth_beats.size() + 8 * s->orders.size() + 16);
    uint64_t c0 = s->c_cycles;
    int idle_run = 0;
    while (s->c_cycles - c0 < max_cycles) {
        tick(s);
        bool idle = s->top->idle && s->beats.empty() && !s->holding && s->eth_beats.empty() && !s->eth_holding &&
                    s->orders.empty();
        idle_run = idle ? idle_run + 1 : 0;
        if (idle_run >= 3) return static_cast<int64_t>(s->c_cycles - c0);
    }
    return RG_SIM_E_TIMEOUT;
}

uint64_t rg_sim_records_pending(rg_sim *s) { return s ? s->records.size() - s->rec_head : 0; }

uint64_t rg_sim_pull_records(rg_sim *s, uint8_t *out, uint64_t cap) {
    if (!s || !out) return 0;
    uint64_t n = s->records.size() - s->rec_head;
    if (n > cap) n = cap - cap % REC;
    std::memcpy(out, s->records.data() + s->rec_head, n);
    s->rec_head += n;
    compact(s->records, s->rec_head);
    return n;
}

uint64_t rg_sim_latency_pending(rg_sim *s) { return s ? s->stamps.size() - s->lat_head : 0; }

uint64_t rg_sim_pull_latency(rg_sim *s, uint8_t *out, uint64_t cap) {
    if (!s || !out) return 0;
    uint64_t n = s->stamps.size() - s->lat_head;
    if (n > cap) n = cap - cap % 32;
    std::memcpy(out, s->stamps.data() + s->lat_head, n);
    s->lat_head += n;
    compact(s->stamps, s->lat_head);
    return n;
}

uint64_t rg_sim_cycles(rg_sim *s) {
    uint32_t lo = 0, hi = 0;
    rg_sim_read_reg(s, C::reg::CYCLE_LO, &lo);
    rg_sim_read_reg(s, C::reg::CYCLE_HI, &hi);
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

int rg_sim_stats(rg_sim *s, uint64_t *out, uint32_t n) {
    if (!s || !out) return RG_SIM_E_ARG;
    std::vector<uint64_t> v(RG_SIM_NSTATS, 0);
    auto rd64 = [&](uint32_t word) {
        uint32_t lo = 0, hi = 0;
        rg_sim_read_reg(s, C::reg::STATS + 4 * word, &lo);
        rg_sim_read_reg(s, C::reg::STATS + 4 * (word + 1), &hi);
        return (static_cast<uint64_t>(hi) << 32) | lo;
    };
    for (uint32_t k = 0; k < C::stats::COUNTERS; k++) v[k] = rd64(2 * k);
    for (uint32_t t = 0; t < 256; t++) v[C::stats::BY_TYPE + t] = rd64(C::reg::STATS_BY_TYPE_WORD + 2 * t);
    const uint32_t rx_regs[][2] = {{C::stats::RX_PACKETS, C::reg::RX_PACKETS},
                                   {C::stats::RX_BAD_PACKETS, C::reg::RX_BAD_PACKETS},
                                   {C::stats::RX_GAPS, C::reg::RX_GAPS},
                                   {C::stats::RX_DUPLICATES, C::reg::RX_DUPS},
                                   {C::stats::RX_COUNT_MISMATCH, C::reg::RX_COUNT_MISMATCH}};
    for (const auto &r : rx_regs) {
        uint32_t x = 0;
        rg_sim_read_reg(s, r[1], &x);
        v[r[0]] = x;
    }
    uint32_t lo = 0, hi = 0;
    rg_sim_read_reg(s, C::reg::NEXT_SEQ_LO, &lo);
    rg_sim_read_reg(s, C::reg::NEXT_SEQ_HI, &hi);
    v[C::stats::RX_NEXT_SEQ] = (static_cast<uint64_t>(hi) << 32) | lo;
    uint32_t m = n < RG_SIM_NSTATS ? n : RG_SIM_NSTATS;
    for (uint32_t i = 0; i < m; i++) out[i] = v[i];
    return static_cast<int>(m);
}

int rg_sim_counters(rg_sim *s, uint64_t *out, uint32_t n) {
    if (!s || !out) return RG_SIM_E_ARG;
    const uint64_t v[7] = {s->c_cycles, s->c_beats, s->c_stall, s->c_tready_low,
                           s->c_records, s->c_packets, s->c_out_stall};
    uint32_t m = n < 7 ? n : 7;
    for (uint32_t i = 0; i < m; i++) out[i] = v[i];
    return static_cast<int>(m);
}

void rg_sim_clear_counters(rg_sim *s) {
    if (!s) return;
    s->c_cycles = s->c_beats = s->c_stall = s->c_tready_low = s->c_records = s->c_packets =
        s->c_out_stall = 0;
}

int rg_sim_trace(rg_sim *s, const char *path) {
    if (!s) return RG_SIM_E_ARG;
#if RG_HAVE_FST
    if (s->fst) {
        s->fst->close();
        s->fst.reset();
    }
    if (!path || !*path) return RG_SIM_OK;
    s->fst = std::make_unique<VerilatedFstC>();
    s->top->trace(s->fst.get(), 99);
    s->fst->open(path);
    if (!s->fst->isOpen()) {
        s->fst.reset();
        return RG_SIM_E_IO;
    }
    return RG_SIM_OK;
#else
    (void)path;
    return (path && *path) ? RG_SIM_E_NOTRACE : RG_SIM_OK;
#endif
}

}  // extern "C"
