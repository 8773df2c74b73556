// rg_moldudp64_rx: random MoldUDP64 packets against a byte-level reference model. Some packets
// carry a beat whose tkeep is not contiguous from lane 0: the packet is cut there (the blocks
// that ended in earlier beats stand, the rest is dropped without TRUNCATED or seq; a cut in
// the header drops it whole) and stat_tkeep counts it.
#include <deque>

#include "rg_contract.h"
#include "tb_common.h"

using namespace tb;
namespace C = rg::contract;

static constexpr int MSG_BYTES = C::ITCH_MAX_LEN;

struct Token {
    uint8_t data[MSG_BYTES];
    uint16_t len;
    bool trunc, has_type, ctrl;
    uint64_t seq;
};

struct Model {
    uint64_t exp = 1, packets = 0, bad = 0, gaps = 0, dups = 0, mism = 0, cuts = 0;
    std::deque<Token> out;

    // cut: the byte offset of a beat with a bad tkeep (SIZE_MAX: none)
    void packet(const std::vector<uint8_t> &p, size_t cut = SIZE_MAX) {
        size_t len = p.size();
        if (cut != SIZE_MAX) {
            cuts++;
            if (cut < 20) return;   // the header never completes: nothing of the packet counts
        }
        if (len < 20) {
            bad++;
            return;
        }
        packets++;
        uint64_t hseq = 0;
        for (int i = 10; i < 18; i++) hseq = hseq << 8 | p[i];
        uint16_t hcnt = static_cast<uint16_t>(p[18] << 8 | p[19]);
        if (hseq > exp) gaps++;
        uint64_t cur = hseq;
        uint16_t nseq = 0;
        size_t off = 20;
        while (off < len) {
            Token t{};
            bool seqd = true;
            size_t avail;
            if (off + 2 > cut) break;
            if (len - off < 2) {
                t.len = 0;
                t.trunc = true;
                avail = 0;
                off = len;
            } else {
                uint16_t n = static_cast<uint16_t>(p[off] << 8 | p[off + 1]);
                if (off + 2 + n > cut) break;   // ends in or after the cut beat: dropped with the rest
                t.len = n;
                if (off + 2 + n > len) {
                    t.trunc = true;
                    avail = len - off - 2;
                } else {
                    avail = n;
                    if (n == 0) {
                        off += 2;
                        continue;
                    }
                    t.ctrl = (n == C::CONTROL_LEN && p[off + 2] == '~');
                    seqd = !t.ctrl;
                }
                for (size_t i = 0; i < avail && i < MSG_BYTES; i++) t.data[i] = p[off + 2 + i];
                off += 2 + avail;
            }
            t.has_type = avail >= 1;
            t.seq = cur;
            bool drop = cur < exp;
            if (seqd) {
                if (drop) dups++;
                else exp = cur + 1;
                cur++;
                nseq++;
            }
            if (!drop) out.push_back(t);
        }
        if (cut == SIZE_MAX && hcnt != 0xFFFF && nseq != hcnt) mism++;
    }
};

int main() {
    Bench b("moldudp64_rx", 3);
    Rng r(7);
    Model m;
    auto &d = *b.dut;
    d.enable = 1;
    d.s_axis_tvalid = 0;
    d.m_ready = 0;
    b.reset();

    // ---- build the stimulus: packets as byte vectors, then beats with random tkeep widths
    struct Beat {
        uint64_t data;
        uint8_t keep;
        bool last;
    };
    std::deque<Beat> beats;
    uint64_t next = 1;
    int npackets = 3000;
    for (int pk = 0; pk < npackets; pk++) {
        std::vector<uint8_t> p;
        int kind = static_cast<int>(r.below(100));
        if (kind < 2) {  // a runt packet
            for (uint32_t i = 0, n = r.below(20); i < n; i++) p.push_back(static_cast<uint8_t>(r.next()));
        } else {
            for (int i = 0; i < 10; i++) p.push_back(static_cast<uint8_t>('A' + r.below(26)));
            uint64_t seq = next;
            if (kind < 6) seq = next + 1 + r.below(5);                    // gap
            else if (kind < 10 && next > 5) seq = next - 1 - r.below(4);  // retransmission overlap
            p.resize(20);
            int nblocks = (kind >= 10 && kind < 13) ? 0 : static_cast<int>(1 + r.below(12));
            uint16_t count = 0;
            for (int k = 0; k < nblocks; k++) {
                uint32_t n;
                uint8_t type = static_cast<uint8_t>("AFEXDUCPSRH~Y"[r.below(13)]);
                int lk = static_cast<int>(r.below(100));
                if (lk < 6) n = r.below(7);          // tiny, including 0
                else if (lk < 10) n = 51 + r.below(100);
                else if (type == '~') n = r.chance(0.8) ? C::CONTROL_LEN : r.below(40);
                else n = 12 + r.below(39);
                p.push_back(static_cast<uint8_t>(n >> 8));
                p.push_back(static_cast<uint8_t>(n));
                for (uint32_t i = 0; i < n; i++) p.push_back(i == 0 ? type : static_cast<uint8_t>(r.next()));
                bool ctrl = (n == C::CONTROL_LEN && type == '~');
                if (n != 0 && !ctrl) count++;
            }
            if (r.chance(0.05) && p.size() > 21) {  // cut the last block short (maybe inside its prefix)
                p.resize(p.size() - 1 - r.below(static_cast<uint32_t>(std::min<size_t>(p.size() - 21, 30))));
            }
            if (kind == 12) count = 0xFFFF;              // end of session
            else if (r.chance(0.02)) count ^= 1;          // wrong count
            p[18] = static_cast<uint8_t>(count >> 8);
            p[19] = static_cast<uint8_t>(count);
            put_be(&p[10], seq, 8);
            // advance the generator's idea of the next seq like the model does
        }
        // beats: mostly 8 bytes, sometimes partial or empty
        std::vector<Beat> pb;
        std::vector<size_t> at;   // byte offset of each beat
        size_t off = 0;
        do {
            uint32_t w = r.chance(0.9) ? 8 : r.below(9);
            if (off + w > p.size()) w = static_cast<uint32_t>(p.size() - off);
            Beat bt{0, static_cast<uint8_t>((1u << w) - 1u), false};
            for (uint32_t i = 0; i < w; i++) bt.data |= static_cast<uint64_t>(p[off + i]) << (8 * i);
            at.push_back(off);
            off += w;
            bt.last = off >= p.size() && (w > 0 || r.chance(0.5));
            pb.push_back(bt);
        } while (!pb.back().last);
        // now and then one beat with a non-contiguous tkeep (a hole, or a lane past a gap)
        size_t cut = SIZE_MAX;
        if (r.chance(0.04)) {
            size_t j = r.below(static_cast<uint32_t>(pb.size()));
            uint8_t k;
            do k = static_cast<uint8_t>(r.below(256)); while ((k & (k + 1)) == 0);
            pb[j].keep = k;
            pb[j].data = r.next();
            cut = at[j];
        }
        Model probe = m;  // the model decides what the next expected seq is
        probe.out.clear();
        probe.packet(p, cut);
        next = probe.exp;
        m.packet(p, cut);
        beats.insert(beats.end(), pb.begin(), pb.end());
    }

    // ---- run
    bool holding = false;
    Beat cur{};
    size_t got = 0;
    uint64_t idle_cycles = 0;
    while ((!beats.empty() || holding || !m.out.empty()) && idle_cycles < 1000) {
        if (!holding && !beats.empty() && r.chance(0.85)) {
            cur = beats.front();
            beats.pop_front();
            holding = true;
        }
        d.s_axis_tvalid = holding;
        d.s_axis_tdata = cur.data;
        d.s_axis_tkeep = cur.keep;
        d.s_axis_tlast = cur.last;
        d.m_ready = r.chance(0.8);
        bool progress = false;
        b.tick([&] {
            if (d.s_axis_tvalid && d.s_axis_tready) {
                holding = false;
                progress = true;
            }
            if (d.m_valid && d.m_ready) {
                progress = true;
                if (m.out.empty()) {
                    CHECK(b, !"unexpected token");
                    return;
                }
                Token t = m.out.front();
                m.out.pop_front();
                uint8_t data[MSG_BYTES];
                wide_to_bytes(d.m_data, data, MSG_BYTES);
                CHECK(b, std::memcmp(data, t.data, MSG_BYTES) == 0);
                CHECK_EQ(b, d.m_len, t.len);
                CHECK_EQ(b, d.m_trunc, t.trunc);
                CHECK_EQ(b, d.m_has_type, t.has_type);
                CHECK_EQ(b, d.m_ctrl, t.ctrl);
                CHECK_EQ(b, d.m_seq, t.seq);
                CHECK(b, d.m_t_last >= d.m_t_offer);
                got++;
            }
        });
        idle_cycles = progress ? 0 : idle_cycles + 1;
    }
    CHECK(b, m.out.empty());
    CHECK(b, beats.empty());
    for (int i = 0; i < 4; i++) b.tick();
    CHECK(b, d.idle);
    CHECK_EQ(b, d.stat_packets, m.packets);
    CHECK_EQ(b, d.stat_bad_packets, m.bad);
    CHECK_EQ(b, d.stat_gaps, m.gaps);
    CHECK_EQ(b, d.stat_dups, m.dups);
    CHECK_EQ(b, d.stat_count_mismatch, m.mism);
    CHECK_EQ(b, d.next_seq, m.exp);
    CHECK_EQ(b, d.stat_tkeep, m.cuts);
    CHECK(b, m.cuts > 60);
    std::printf("  %zu tokens, %llu packets, %llu gaps, %llu duplicates, %llu runts, %llu count mismatches\n", got,
                static_cast<unsigned long long>(m.packets), static_cast<unsigned long long>(m.gaps),
                static_cast<unsigned long long>(m.dups), static_cast<unsigned long long>(m.bad),
                static_cast<unsigned long long>(m.mism));
    return b.finish();
}
