// rg_order_rx: the order-entry input (spec section 18). A random merged stream — market-data
// messages, in-band control messages, client order frames and venue answers at their
// positions, foreign fingerprints, wrong S, out-of-range fields, frames of a wrong length —
// is split as the FPGA backend splits it: market data to the risk-stage counter (md_fire,
// fired whenever md_hold allows and a random gate opens), frames with their position on
// tuser to the AXI-Stream input (random tvalid gaps, random m_ready). Checks: every frame
// is released exactly at its position (the market data that entered the risk stage has
// reached (P, k)), market data never enters while a frame is due, the frames come out in
// order with the fields, lengths and flags a reference decoder gives, and a frame whose
// position has come is released in the cycle after its last beat. Some frames break the tkeep
// rule (a partial or empty beat before the last, a non-contiguous tkeep): they are never
// released and only stat_tkeep counts them. pos_now always says the position reached. Some
// frames whose position has come go in whole on s_frame instead (as the Ethernet input's do,
// riskgate_top): taken only while the module is empty and no beat is offered, released in the
// next cycle at pos_now with the stamps given.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;

namespace {

constexpr uint64_t FP = 0x0123456789ABCDEFull;
constexpr uint32_t NSYM = 8, NACCT = 3, SLOTS = 4096, MAX_QTY = 1000000;

struct Frame {
    std::vector<uint8_t> b;
    uint64_t pos;  // P
    uint16_t k;
    int bad_beat = -1;     // a beat sent with tkeep bad_keep (the tkeep rule broken)
    uint8_t bad_keep = 0;
    bool whole = false;    // went in on s_frame, with these stamps
    uint64_t t_first = 0, t_last = 0;
};

void put(std::vector<uint8_t> &b, size_t off, uint64_t v, int n) {
    for (int i = 0; i < n; i++) b[off + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}
uint64_t get(const std::vector<uint8_t> &b, size_t off, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | b[off + i];
    return v;
}

// A frame at position (pos, k): mostly well-formed, with one random defect now and then.
Frame make(Rng &r, uint64_t pos, uint16_t k) {
    Frame f{{}, pos, k};
    bool venue = r.chance(0.4);
    uint64_t seq = r.chance(0.05) ? pos + 1 + r.below(3) : r.chance(0.03) && pos > 1 ? pos - 1 : pos;
    uint64_t fp = r.chance(0.04) ? FP ^ (1ull << r.below(64)) : FP;
    if (!venue) {
        f.b.assign(36, 0);
        f.b[0] = '{';
        const char acts[] = {'O', 'U', 'X'}, sides[] = {'B', 'S', 'T', 'E', 'Z'};
        f.b[1] = acts[r.chance(0.95) ? r.below(2) : 2];
        f.b[2] = sides[r.chance(0.96) ? r.below(4) : 4];
        f.b[3] = r.chance(0.5) ? '0' : '3';
        put(f.b, 4, r.chance(0.95) ? r.below(NACCT) : NACCT + r.below(300), 2);
        put(f.b, 6, r.chance(0.95) ? r.below(NSYM) : NSYM + r.below(300), 2);
        put(f.b, 8, r.chance(0.95) ? r.below(SLOTS) : SLOTS + r.below(1u << 20), 4);
        put(f.b, 12, r.chance(0.93) ? 1 + r.below(MAX_QTY) : r.chance(0.5) ? 0 : MAX_QTY + r.below(5), 4);
        put(f.b, 16, r.chance(0.97) ? 1 + r.below(1u << 30) : 0, 4);
        put(f.b, 20, seq, 8);
        put(f.b, 28, fp, 8);
    } else {
        f.b.assign(32, 0);
        f.b[0] = '}';
        bool exec = r.chance(0.6);
        f.b[1] = r.chance(0.97) ? (exec ? 'E' : 'C') : 'Q';
        put(f.b, 2, r.chance(0.97) ? 0 : 1 + r.below(100), 2);
        put(f.b, 4, r.below(SLOTS + 10), 4);
        put(f.b, 8, r.chance(0.96) ? 1 + r.below(5000) : 0, 4);
        put(f.b, 12, exec ? (r.chance(0.97) ? 1 + r.below(1u << 30) : 0) : (r.chance(0.97) ? 0 : 1 + r.below(100)), 4);
        put(f.b, 16, seq, 8);
        put(f.b, 24, fp, 8);
    }
    if (r.chance(0.03)) f.b.resize(1 + r.below(60), 0x5A);  // a wrong length (cut or padded)
    return f;
}

struct Expect {
    bool venue, bad_len, foreign, ok;
    uint8_t type, action;
    uint16_t len;
    uint32_t id, qty, price;
    uint64_t seq;
};

Expect decode(const Frame &f) {
    const auto &b = f.b;
    Expect e{};
    e.type = b[0];
    e.len = static_cast<uint16_t>(b.size());
    bool ord = e.type == '{' && b.size() == 36, ven = e.type == '}' && b.size() == 32;
    e.venue = ven;
    e.bad_len = !ord && !ven;
    if (ord) {
        e.action = b[1];
        e.id = static_cast<uint32_t>(get(b, 8, 4));
        e.qty = static_cast<uint32_t>(get(b, 12, 4));
        e.price = static_cast<uint32_t>(get(b, 16, 4));
        e.seq = get(b, 20, 8);
        e.foreign = get(b, 28, 8) != FP;
        uint8_t s = b[2];
        e.ok = e.seq == f.pos && (e.action == 'O' || e.action == 'U') && (s == 'B' || s == 'S' || s == 'T' || s == 'E') &&
               get(b, 4, 2) < NACCT && get(b, 6, 2) < NSYM && e.id < SLOTS && e.qty >= 1 && e.qty <= MAX_QTY && e.price > 0;
    } else if (ven) {
        e.action = b[1];
        e.id = static_cast<uint32_t>(get(b, 4, 4));
        e.qty = static_cast<uint32_t>(get(b, 8, 4));
        e.price = static_cast<uint32_t>(get(b, 12, 4));
        e.seq = get(b, 16, 8);
        e.foreign = get(b, 24, 8) != FP;
        e.ok = e.seq == f.pos && (e.action == 'E' || e.action == 'C') && get(b, 2, 2) == 0 && e.qty >= 1 &&
               (e.action == 'E' ? e.price > 0 : e.price == 0);
    }
    return e;
}

}  // namespace

int main() {
    Bench b("order_rx", 13);
    Rng r(29);
    auto &d = *b.dut;
    d.cfg_fingerprint = FP;
    d.cfg_n_symbols = NSYM;
    d.cfg_n_accounts = NACCT;
    d.s_axis_order_tvalid = 0;
    d.s_frame_valid = 0;  // the whole-frame input (the Ethernet side): riskgate_top, test/hw
    d.md_fire = 0;
    d.m_ready = 0;
    b.reset();
    CHECK(b, d.idle);

    // the merged stream: market-data events (true: a message with a seq; false: a control)
    // and frames at their positions, in the order the control plane recorded them
    std::deque<bool> md;
    std::deque<Frame> frames;      // to send on the AXI-Stream input
    std::deque<Frame> released;    // expected releases, in order
    std::vector<std::pair<uint64_t, uint16_t>> md_pos_before;  // (P, k) before each md event
    uint64_t seq = 0;
    uint16_t k = 0;
    for (int i = 0; i < 6000; i++) {
        double u = r.next() % 1000 / 1000.0;
        if (u < 0.55) {
            md.push_back(true);
            seq++;
            k = 0;
        } else if (u < 0.6) {
            md.push_back(false);
            k++;
        } else {
            int n = r.chance(0.15) ? 2 + r.below(3) : 1;   // several frames at one position
            for (int j = 0; j < n; j++) frames.push_back(make(r, seq + 1, k));
        }
    }
    uint64_t damaged = 0;
    for (Frame &f : frames) {
        if (!r.chance(0.05)) {
            released.push_back(f);
            continue;
        }
        int beats = static_cast<int>((f.b.size() + 7) / 8);
        f.bad_beat = static_cast<int>(r.below(static_cast<uint32_t>(beats)));
        size_t nb = std::min<size_t>(8, f.b.size() - 8 * static_cast<size_t>(f.bad_beat));
        uint8_t full = static_cast<uint8_t>((1u << nb) - 1u);
        bool last = f.bad_beat == beats - 1;
        do f.bad_keep = static_cast<uint8_t>(r.chance(0.5) ? r.below(256) : full ^ (1u << r.below(8)));
        while (last ? (f.bad_keep & (f.bad_keep + 1)) == 0 : f.bad_keep == 0xFF);
        damaged++;
    }

    // drivers
    size_t beat_off = 0;            // bytes of the head frame sent
    uint64_t md_seq = 0;            // market-data messages that entered the risk stage
    uint16_t md_k = 0;
    uint64_t frames_out = 0, held_cycles = 0, prompt = 0, wholes = 0;
    bool expect_now = false;  // a frame whose position had come when its last beat was accepted
    // the host rule: nothing after a frame in the merged stream goes to the market-data
    // input before the frame's last beat is accepted — here: md may run up to the position
    // of the next frame not yet accepted (frames at that position wait in the module)
    for (int c = 0; c < 400000 && (!md.empty() || !released.empty()); c++) {
        // whole-frame input: the head frame, not started, its position come (as riskgate_top
        // offers the Ethernet input's), a third of the time
        bool whole = !frames.empty() && beat_off == 0 && frames.front().bad_beat < 0 && frames.front().b.size() <= 36 &&
                     md_seq + 1 == frames.front().pos && md_k == frames.front().k && r.chance(0.3);
        d.s_frame_valid = whole;
        for (int i = 0; i < 9; i++) d.s_frame_data[i] = static_cast<uint32_t>(r.next());
        if (whole) {
            const Frame &f = frames.front();
            for (size_t i = 0; i < 36; i++)
                if (i < f.b.size()) { uint32_t &w = d.s_frame_data[i / 4]; w = (w & ~(0xFFu << (8 * (i % 4)))) | static_cast<uint32_t>(f.b[i]) << (8 * (i % 4)); }
        }
        d.s_frame_len = whole ? static_cast<uint8_t>(frames.front().b.size()) : static_cast<uint8_t>(r.below(64));
        d.s_frame_t_first = 1000000 + static_cast<uint64_t>(c);
        d.s_frame_t_last = 2000000 + static_cast<uint64_t>(c);
        // frame input
        bool fv = !whole && !frames.empty() && r.chance(0.7);
        uint64_t tdata = 0;
        uint8_t tkeep = 0;
        bool tlast = false;
        if (fv) {
            const Frame &f = frames.front();
            size_t n = std::min<size_t>(8, f.b.size() - beat_off);
            for (size_t i = 0; i < n; i++) tdata |= static_cast<uint64_t>(f.b[beat_off + i]) << (8 * i);
            tkeep = static_cast<uint8_t>((1u << n) - 1);
            if (f.bad_beat >= 0 && beat_off == 8 * static_cast<size_t>(f.bad_beat)) tkeep = f.bad_keep;
            tlast = beat_off + n == f.b.size();
            d.s_axis_order_tuser = (static_cast<uint64_t>(f.k) << 48) | f.pos;
        }
        d.s_axis_order_tvalid = fv;
        d.s_axis_order_tdata = tdata;
        d.s_axis_order_tkeep = tkeep;
        d.s_axis_order_tlast = tlast;
        d.m_ready = r.chance(0.75);
        // market data may enter up to (not past) the next unsent frame's position
        bool md_can = !md.empty();
        if (md_can && !frames.empty()) {
            const Frame &f = frames.front();
            uint64_t nseq = md_seq + (md.front() ? 1 : 0);
            // the md event about to enter would be message md_seq + 1 (or control md_k + 1 at md_seq + 1)
            if (md.front() ? (md_seq + 1 >= f.pos) : (md_seq + 1 == f.pos && md_k >= f.k)) md_can = false;
            (void)nseq;
        }
        bool want_md = md_can && r.chance(0.6);
        bool fired = false, took_beat = false, took_frame = false, took_whole = false;
        b.tick([&] {
            // latency: released in the cycle after its last beat when its position has come
            if (expect_now) {
                CHECK(b, d.m_valid);
                prompt++;
            }
            CHECK_EQ(b, d.pos_now, (static_cast<uint64_t>(md_k) << 48) | (md_seq + 1));
            fired = want_md && !d.md_hold;
            d.md_fire = fired;
            d.md_seq_msg = fired && md.front();
            d.eval();
            if (d.md_hold) held_cycles++;
            took_beat = fv && d.s_axis_order_tready;
            took_whole = whole && d.s_frame_ready;
            if (fv) CHECK(b, !d.s_frame_ready);  // a beat offered wins
            if (d.m_valid && d.m_ready) {
                took_frame = true;
                if (released.empty()) {
                    CHECK(b, !"a frame released that was never sent");
                    return;
                }
                const Frame &f = released.front();
                Expect e = decode(f);
                // released exactly at its position: P - 1 messages and k controls at P entered
                CHECK_EQ(b, md_seq + 1, f.pos);
                CHECK_EQ(b, md_k, f.k);
                CHECK(b, !fired);
                CHECK_EQ(b, d.m_venue, e.venue);
                CHECK_EQ(b, d.m_bad_len, e.bad_len);
                CHECK_EQ(b, d.m_type, e.type);
                CHECK_EQ(b, d.m_len, e.len);
                CHECK_EQ(b, d.m_pos, f.pos);
                if (f.whole) {
                    CHECK_EQ(b, d.m_t_first, f.t_first);
                    CHECK_EQ(b, d.m_t_last, f.t_last);
                }
                if (!e.bad_len) {
                    CHECK_EQ(b, d.m_foreign, e.foreign);
                    CHECK_EQ(b, d.m_fields_ok, e.ok);
                    CHECK_EQ(b, d.m_action, e.action);
                    CHECK_EQ(b, d.m_order_id, e.id);
                    CHECK_EQ(b, d.m_qty, e.qty);
                    CHECK_EQ(b, d.m_price, e.price);
                    CHECK_EQ(b, d.m_seq, e.seq);
                    if (!e.venue) {
                        CHECK_EQ(b, d.m_side, f.b[2]);
                        CHECK_EQ(b, d.m_tif, f.b[3]);
                        CHECK_EQ(b, d.m_account, get(f.b, 4, 2));
                        CHECK_EQ(b, d.m_symbol, get(f.b, 6, 2));
                    }
                } else {
                    CHECK(b, !d.m_fields_ok);
                }
            }
            // market data never enters while a frame is due
            if (d.m_valid) CHECK(b, !fired);
        });
        if (fired) {
            if (md.front()) {
                md_seq++;
                md_k = 0;
            } else {
                md_k++;
            }
            md.pop_front();
        }
        expect_now = false;
        if (took_whole) {
            // the module was empty: every frame before it was released, so it heads `released`
            CHECK(b, !released.empty());
            released.front().whole = true;
            released.front().t_first = 1000000 + static_cast<uint64_t>(c);
            released.front().t_last = 2000000 + static_cast<uint64_t>(c);
            expect_now = true;
            frames.pop_front();
            wholes++;
        }
        if (took_beat) {
            size_t n = std::min<size_t>(8, frames.front().b.size() - beat_off);
            beat_off += n;
            if (beat_off == frames.front().b.size()) {
                expect_now = frames.front().bad_beat < 0 && md_seq + 1 == frames.front().pos && md_k == frames.front().k;
                frames.pop_front();
                beat_off = 0;
            }
        }
        if (took_frame) {
            released.pop_front();
            frames_out++;
        }
    }
    CHECK(b, md.empty());
    CHECK(b, released.empty());
    CHECK(b, frames_out > 2000);
    CHECK(b, damaged > 50);
    CHECK_EQ(b, d.stat_tkeep, static_cast<uint32_t>(damaged));
    CHECK(b, held_cycles > 100);
    CHECK(b, prompt > 500);
    CHECK(b, wholes > 300);
    d.s_axis_order_tvalid = 0;
    d.s_frame_valid = 0;
    d.md_fire = 0;
    b.tick();
    CHECK(b, d.idle);
    return b.finish();
}
