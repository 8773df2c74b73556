// The order table's home sets (spec section 5) for the testbenches, written from the spec
// independently of the RTL: bank 0 XOR fold, bank 1 CRC-32C (byte table, as the Rust core),
// and references that share both home sets of a given one (the kernel of the two affine
// maps over GF(2), as test/vectors/tools/same-home-refs.py).
#pragma once
#include <cstdint>
#include <vector>

namespace tb {

inline uint32_t home0(uint64_t r, int sb) {
    uint64_t x = 0;
    for (int s = 0; s < 64; s += sb) x ^= r >> s;
    return static_cast<uint32_t>(x & ((1ull << sb) - 1));
}

inline uint32_t crc32c_u64(uint64_t r) {
    static uint32_t table[256];
    static bool init = false;
    if (!init) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            table[i] = c;
        }
        init = true;
    }
    uint32_t c = 0xFFFFFFFFu;
    for (int i = 0; i < 8; i++) c = table[(c ^ static_cast<uint32_t>(r >> (8 * i))) & 0xFF] ^ (c >> 8);
    return ~c;
}

inline uint32_t home1(uint64_t r, int sb) { return crc32c_u64(r) & ((1u << sb) - 1); }

// n references with the home sets of r0 (r0 first): r0 ^ k for k in the kernel of the
// linear parts of home0 and home1.
inline std::vector<uint64_t> same_home_refs(uint64_t r0, int n, int sb) {
    auto lin = [&](uint64_t k) {
        return static_cast<uint64_t>(home0(k, sb) ^ home0(0, sb)) | static_cast<uint64_t>(home1(k, sb) ^ home1(0, sb)) << sb;
    };
    std::vector<std::pair<uint64_t, uint64_t>> basis;   // (image, preimage)
    std::vector<uint64_t> kernel;
    for (int i = 0; i < 64; i++) {
        uint64_t img = lin(1ull << i), pre = 1ull << i;
        for (auto &b : basis)
            if ((img ^ b.first) < img) { img ^= b.first; pre ^= b.second; }
        if (img == 0) kernel.push_back(pre); else basis.push_back({img, pre});
    }
    std::vector<uint64_t> out{r0};
    for (uint64_t i = 1; static_cast<int>(out.size()) < n; i++) {
        uint64_t k = 0;
        for (size_t b = 0; b < kernel.size() && b < 64; b++)
            if (i >> b & 1) k ^= kernel[b];
        out.push_back(r0 ^ k);
    }
    return out;
}

}  // namespace tb
