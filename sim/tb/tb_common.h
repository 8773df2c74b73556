// Shared helpers of the module testbenches (sim/tb/*.cpp). Each testbench drives one
// Verilated module (prefix Vtb), checks it against expectations or a reference model,
// prints "PASS <name> (<checks> checks, <cycles> cycles)" and exits 0, or the first
// failures and exits 1.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Vtb.h"
#include "verilated.h"
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

namespace tb {

struct Bench {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vtb> dut;
    const char *name;
    uint64_t cycles = 0, checks = 0, errors = 0;

    explicit Bench(const char *n, uint64_t seed = 1) : name(n) {
        ctx = std::make_unique<VerilatedContext>();
        ctx->randReset(2);  // power-up state is random: the design must not rely on zeros
        ctx->randSeed(static_cast<int>(seed));
        dut = std::make_unique<Vtb>(ctx.get(), "tb");
    }
    // Drive inputs with clk low, call `sample` to read combinational outputs before the
    // edge, then clock.
    template <class F>
    void tick(F &&sample) {
        dut->clk = 0;
        dut->eval();
        sample();
        dut->clk = 1;
        dut->eval();
        cycles++;
    }
    void tick() {
        tick([] {});
    }
    void reset(int n = 4) {
        dut->rst = 1;
        for (int i = 0; i < n; i++) tick();
        dut->rst = 0;
        power_up_done();
    }
    // The first reset ends the power-up (a bench resetting by hand calls this after it): in
    // the line-coverage build what was counted so far goes to its own file, as
    // riskgate_sim.cpp does (scripts/cover-report.ts --init credits no branch for it).
    void power_up_done() {
#if VM_COVERAGE
        if (const char *dir = std::getenv("RG_SIM_COVERAGE"); dir && *dir && !powered_up) {
            ctx->coveragep()->write((std::string(dir) + "/init-tb-" + name + ".dat").c_str());
            ctx->coveragep()->zero();
        }
#endif
        powered_up = true;
    }
    bool powered_up = false;
    void check(bool ok, const char *what, const char *file, int line) {
        checks++;
        if (!ok) {
            errors++;
            if (errors <= 20) std::fprintf(stderr, "FAIL %s %s:%d: %s (cycle %llu)\n", name, file, line, what,
                                           static_cast<unsigned long long>(cycles));
        }
    }
    int finish() {
        dut->final();
#if VM_COVERAGE
        // the line-coverage build of a bench (scripts/cover-hw.sh --bench): counts into the
        // directory RG_SIM_COVERAGE names
        if (const char *dir = std::getenv("RG_SIM_COVERAGE"); dir && *dir)
            ctx->coveragep()->write((std::string(dir) + "/tb-" + name + ".dat").c_str());
#endif
        if (errors) {
            std::fprintf(stderr, "FAIL %s: %llu of %llu checks failed\n", name, static_cast<unsigned long long>(errors),
                         static_cast<unsigned long long>(checks));
            return 1;
        }
        std::printf("PASS %-18s %8llu checks %9llu cycles\n", name, static_cast<unsigned long long>(checks),
                    static_cast<unsigned long long>(cycles));
        return 0;
    }
};

#define CHECK(b, cond) (b).check((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(b, x, y)                                                                              \
    do {                                                                                               \
        auto _x = (x);                                                                                 \
        auto _y = (y);                                                                                 \
        if (!(_x == _y)) {                                                                             \
            char _m[256];                                                                              \
            std::snprintf(_m, sizeof _m, "%s == %s (got 0x%llx, want 0x%llx)", #x, #y,                 \
                          static_cast<unsigned long long>(_x), static_cast<unsigned long long>(_y));   \
            (b).check(false, _m, __FILE__, __LINE__);                                                  \
        } else {                                                                                       \
            (b).check(true, "", __FILE__, __LINE__);                                                   \
        }                                                                                              \
    } while (0)

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    uint32_t below(uint32_t n) { return n ? static_cast<uint32_t>(next() % n) : 0; }
    bool chance(double p) { return (next() >> 11) * (1.0 / 9007199254740992.0) < p; }
};

// Wide (> 64-bit) Verilator ports as little-endian byte arrays.
template <std::size_t N>
inline void wide_to_bytes(const VlWide<N> &w, uint8_t *b, std::size_t nbytes) {
    for (std::size_t i = 0; i < nbytes; i++) b[i] = static_cast<uint8_t>(w[i / 4] >> (8 * (i % 4)));
}
template <std::size_t N>
inline void bytes_to_wide(VlWide<N> &w, const uint8_t *b, std::size_t nbytes) {
    for (std::size_t i = 0; i < N; i++) w[i] = 0;
    for (std::size_t i = 0; i < nbytes; i++) w[i / 4] |= static_cast<uint32_t>(b[i]) << (8 * (i % 4));
}
template <std::size_t N>
inline void clear_wide(VlWide<N> &w) {
    for (std::size_t i = 0; i < N; i++) w[i] = 0;
}
template <std::size_t N>
inline uint64_t wide_bits(const VlWide<N> &w, unsigned lo, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= static_cast<uint64_t>((w[(lo + i) / 32] >> ((lo + i) % 32)) & 1u) << i;
    return v;
}
template <std::size_t N>
inline void set_wide_bits(VlWide<N> &w, unsigned lo, unsigned n, uint64_t v) {
    for (unsigned i = 0; i < n; i++) {
        uint32_t m = 1u << ((lo + i) % 32);
        if ((v >> i) & 1) w[(lo + i) / 32] |= m;
        else w[(lo + i) / 32] &= ~m;
    }
}

inline void put_be(uint8_t *b, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; i--) {
        b[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
}

}  // namespace tb
