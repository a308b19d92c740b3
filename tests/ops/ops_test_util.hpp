// Shared helpers for the op tests: a flag-independent generator and bit comparisons.
#pragma once

#include <ptoref/ptoref.hpp>
#include <ptoref/testing/random.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ops_test {

namespace pl = ptoref::pl;

class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() { return s_.next(); }
    // A float with a random sign, 16 random significand bits and an exponent in [lo, hi].
    float value(int lo = -8, int hi = 8)
    {
        const std::uint64_t r = next();
        const int e = lo + static_cast<int>(r % static_cast<std::uint64_t>(hi - lo + 1));
        const float m = 1.0f + static_cast<float>((r >> 8) & 0xffff) * 0x1p-16f;
        const float v = std::ldexp(m, e);
        return (r >> 40) & 1 ? -v : v;
    }
    std::uint32_t bits32() { return static_cast<std::uint32_t>(next()); }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }

private:
    ptoref::testing::splitmix64 s_;
};

inline std::uint32_t bits(float f)
{
    return std::bit_cast<std::uint32_t>(f);
}
inline float f32(std::uint32_t u)
{
    return std::bit_cast<float>(u);
}

inline std::vector<std::uint32_t> bits_of(const ptoref::Tensor<float>& t)
{
    std::vector<std::uint32_t> out;
    for (float f : t.to_vector())
        out.push_back(bits(f));
    return out;
}

inline std::vector<std::uint16_t> bits_of(const ptoref::Tensor<ptoref::bf16>& t)
{
    std::vector<std::uint16_t> out;
    for (auto v : t.to_vector())
        out.push_back(v.bits);
    return out;
}

// Edge values every elementwise op is exercised on.
inline std::vector<float> edge_values()
{
    return {0.0f,
            -0.0f,
            1.0f,
            -1.0f,
            0.5f,
            3.0f,
            f32(0x00000001u),
            f32(0x80000001u),
            f32(0x007fffffu),
            f32(0x00800000u),
            f32(0x7f7fffffu),
            f32(0xff7fffffu),
            f32(0x7f800000u),
            f32(0xff800000u),
            f32(0x7fc00000u),
            f32(0xffc12345u),
            f32(0x7fa5a5a5u),
            1e-30f,
            -1e30f,
            2.5f};
}

} // namespace ops_test
