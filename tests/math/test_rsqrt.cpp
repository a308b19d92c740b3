// math::rsqrt_cr (math/rsqrt.hpp): correctly rounded 1/sqrt(x), proven on all 2^32 inputs
// against an exact integer oracle written independently of the implementation: r is the
// correctly rounded value iff 1/sqrt(x) lies strictly between the midpoints around r, i.e.
// x * m_hi^2 > 1 > x * m_lo^2, decided on integer significands in 128-bit arithmetic.
#include <ptoref/math/rsqrt.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <vector>

#include "exhaustive.hpp"

namespace {

struct scaled {
    std::uint64_t sig; // value = sig * 2^exp
    int exp;
};

scaled of_float(std::uint32_t u) // positive finite nonzero
{
    const std::uint32_t e = (u >> 23) & 0xffu, f = u & 0x7fffffu;
    return e == 0 ? scaled{f, -149} : scaled{f | 0x800000u, static_cast<int>(e) - 150};
}

// Sign of x * m^2 - 1 (never 0 for these inputs): +1 above, -1 below.
int compare_x_m2_with_one(scaled x, scaled m)
{
    const unsigned __int128 lhs = static_cast<unsigned __int128>(x.sig) * m.sig * m.sig;
    const int e = x.exp + 2 * m.exp; // x m^2 = lhs * 2^e
    if (lhs == 0)
        return -1;
    const int shift = -e; // 1 = 2^shift * 2^e
    if (shift < 0)
        return 1;
    if (shift >= 127)
        return -1; // lhs < 2^75
    const unsigned __int128 one = static_cast<unsigned __int128>(1) << shift;
    return lhs > one ? 1 : (lhs < one ? -1 : 0);
}

bool correctly_rounded(std::uint32_t xu, std::uint32_t ru)
{
    if ((ru & 0x7f800000u) == 0x7f800000u || ru == 0 || (ru >> 31))
        return false; // for positive finite x the result is a positive finite nonzero float
    const scaled x = of_float(xu);
    const scaled r = of_float(ru);
    // Midpoints as odd multiples of a power of two.
    const scaled hi{2 * r.sig + 1, r.exp - 1};
    const bool bottom = r.sig == 0x800000u && ((ru >> 23) & 0xffu) > 1;
    const scaled lo = bottom ? scaled{4 * r.sig - 1, r.exp - 2} : scaled{2 * r.sig - 1, r.exp - 1};
    return compare_x_m2_with_one(x, hi) > 0 && compare_x_m2_with_one(x, lo) < 0;
}

} // namespace

TEST_CASE("rsqrt_cr special values")
{
    using ptoref::math::rsqrt_cr;
    auto b = [](float f) { return std::bit_cast<std::uint32_t>(f); };
    auto f = [](std::uint32_t u) { return std::bit_cast<float>(u); };
    CHECK(b(rsqrt_cr(0.0f)) == 0x7f800000u);
    CHECK(b(rsqrt_cr(-0.0f)) == 0xff800000u);
    CHECK(b(rsqrt_cr(f(0x7f800000u))) == 0u);
    CHECK(b(rsqrt_cr(f(0xff800000u))) == 0x7fc00000u);
    CHECK(b(rsqrt_cr(-1.0f)) == 0x7fc00000u);
    CHECK(b(rsqrt_cr(f(0x80000001u))) == 0x7fc00000u);
    CHECK(b(rsqrt_cr(f(0x7fa00001u))) == 0x7fc00000u);
    CHECK(rsqrt_cr(4.0f) == 0.5f);
    CHECK(rsqrt_cr(0x1p-148f) == 0x1p74f);
}

TEST_CASE("rsqrt_cr is correctly rounded on every positive finite float", "[exhaustive]")
{
    std::vector<std::uint32_t> first;
    const std::uint64_t failures = ptoref_test::for_all_floats(
        [](std::uint32_t u) {
            if (u == 0 || u >= 0x7f800000u)
                return true; // zero, inf, NaN and negatives: the special-value test
            return correctly_rounded(u, std::bit_cast<std::uint32_t>(ptoref::math::rsqrt_cr(std::bit_cast<float>(u))));
        },
        first);
    for (std::uint32_t u : first)
        UNSCOPED_INFO("x bits 0x" << std::hex << u);
    CHECK(failures == 0);
}

TEST_CASE("the oracle rejects a result one ulp off")
{
    int rejected = 0;
    for (std::uint32_t u : {0x3f800000u, 0x40000000u, 0x00000001u, 0x7f7fffffu, 0x3f9e0419u}) {
        const std::uint32_t r = std::bit_cast<std::uint32_t>(ptoref::math::rsqrt_cr(std::bit_cast<float>(u)));
        CHECK(correctly_rounded(u, r));
        rejected += !correctly_rounded(u, r + 1) && !correctly_rounded(u, r - 1);
    }
    CHECK(rejected == 5);
}
