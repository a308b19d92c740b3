// bf16 and fp16 storage types: exact widening to float on every bit pattern, numeric equality.
#include <ptoref/core/float16.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

using ptoref::bf16;
using ptoref::fp16;

namespace {
std::uint32_t u32(float f)
{
    return std::bit_cast<std::uint32_t>(f);
}
float bf(std::uint16_t b)
{
    return bf16::from_bits(b).to_float();
}
float hf(std::uint16_t b)
{
    return fp16::from_bits(b).to_float();
}
constexpr float inf = std::numeric_limits<float>::infinity();
} // namespace

TEST_CASE("the storage types are two bytes, trivially copyable, zero by default")
{
    static_assert(sizeof(bf16) == 2 && sizeof(fp16) == 2);
    static_assert(std::is_trivially_copyable_v<bf16> && std::is_trivially_copyable_v<fp16>);
    static_assert(!std::is_convertible_v<bf16, float>, "widening is explicit");
    static_assert(!std::is_convertible_v<float, bf16>, "narrowing needs a rounding mode (convert)");
    CHECK(bf16{}.bits == 0);
    CHECK(fp16{}.bits == 0);
    CHECK(bf16::from_bits(0x1234).bits == 0x1234);
    CHECK(fp16::from_bits(0xabcd).bits == 0xabcd);
}

TEST_CASE("bf16 to_float on edge bit patterns")
{
    CHECK(u32(bf(0x0000)) == 0x00000000u); // +0
    CHECK(u32(bf(0x8000)) == 0x80000000u); // -0 keeps its sign
    CHECK(std::signbit(bf(0x8000)));
    CHECK(bf(0x7f80) == inf);
    CHECK(bf(0xff80) == -inf);
    CHECK(std::isnan(bf(0x7fc0)));
    CHECK(u32(bf(0x7fc0)) == 0x7fc00000u);
    CHECK(u32(bf(0x7f81)) == 0x7f810000u); // signalling NaN: payload kept, not quieted
    CHECK(std::isnan(bf(0x7f81)));
    CHECK(u32(bf(0xffff)) == 0xffff0000u);                  // negative NaN, full payload
    CHECK(bf(0x0001) == std::ldexp(1.0f, -133));            // smallest subnormal
    CHECK(bf(0x007f) == std::ldexp(127.0f, -133));          // largest subnormal
    CHECK(bf(0x0080) == std::numeric_limits<float>::min()); // smallest normal 2^-126
    CHECK(bf(0x7f7f) == std::ldexp(255.0f, 120));           // largest finite (2 - 2^-7) * 2^127
    CHECK(bf(0xff7f) == -std::ldexp(255.0f, 120));
    CHECK(bf(0x3f80) == 1.0f);
    CHECK(bf(0xc000) == -2.0f);
    CHECK(bf(0x4049) == 3.140625f);
}

TEST_CASE("bf16 widens exactly: the bits are the top half of the float, all 65536 patterns")
{
    for (std::uint32_t b = 0; b < 65536; ++b)
        REQUIRE(u32(bf(static_cast<std::uint16_t>(b))) == b << 16);
}

TEST_CASE("fp16 to_float on edge bit patterns")
{
    CHECK(u32(hf(0x0000)) == 0x00000000u);
    CHECK(u32(hf(0x8000)) == 0x80000000u); // -0
    CHECK(hf(0x7c00) == inf);
    CHECK(hf(0xfc00) == -inf);
    CHECK(u32(hf(0x7e00)) == 0x7fc00000u); // the canonical quiet NaN
    CHECK(u32(hf(0x7c01)) == 0x7f802000u); // signalling NaN: payload in the top mantissa bits
    CHECK(u32(hf(0xfe01)) == 0xffc02000u); // negative quiet NaN with payload
    CHECK(u32(hf(0x7fff)) == 0x7fffe000u);
    CHECK(hf(0x0001) == std::ldexp(1.0f, -24)); // smallest subnormal
    CHECK(hf(0x8001) == -std::ldexp(1.0f, -24));
    CHECK(hf(0x0200) == std::ldexp(1.0f, -15));    // a subnormal with one bit set high
    CHECK(hf(0x03ff) == std::ldexp(1023.0f, -24)); // largest subnormal
    CHECK(hf(0x0400) == std::ldexp(1.0f, -14));    // smallest normal
    CHECK(hf(0x7bff) == 65504.0f);                 // largest finite
    CHECK(hf(0xfbff) == -65504.0f);
    CHECK(hf(0x3c00) == 1.0f);
    CHECK(hf(0x3c01) == 1.0f + std::ldexp(1.0f, -10));
    CHECK(hf(0xc000) == -2.0f);
    CHECK(hf(0x3555) == 0.333251953125f);
}

TEST_CASE("fp16 widens exactly on all 65536 patterns (checked against the IEEE formula)")
{
    for (std::uint32_t b = 0; b < 65536; ++b) {
        INFO("bits " << b);
        const float f = hf(static_cast<std::uint16_t>(b));
        const std::uint32_t sign = (b >> 15) & 1, e = (b >> 10) & 31, m = b & 1023;
        REQUIRE(std::signbit(f) == (sign != 0));
        if (e == 31) {
            REQUIRE(std::isinf(f) == (m == 0));
            REQUIRE(std::isnan(f) == (m != 0));
            REQUIRE((u32(f) & 0x007fffffu) == m << 13); // payload kept, nothing else set
        } else {
            const double v = e == 0 ? std::ldexp(static_cast<double>(m), -24)
                                    : std::ldexp(static_cast<double>(m + 1024), static_cast<int>(e) - 25);
            REQUIRE(static_cast<double>(f) == (sign ? -v : v));
        }
    }
}

#ifdef __FLT16_MANT_DIG__
TEST_CASE("fp16 to_float equals the compiler's _Float16 -> float on all 65536 patterns")
{
    int nan_patterns = 0;
    for (std::uint32_t b = 0; b < 65536; ++b) {
        INFO("bits " << b);
        const auto h = std::bit_cast<_Float16>(static_cast<std::uint16_t>(b));
        const float want = static_cast<float>(h);
        const float got = hf(static_cast<std::uint16_t>(b));
        if (std::isnan(want)) {
            // The hardware/libgcc conversion quiets signalling NaNs; ours keeps the bits as they
            // are (a pure re-encoding). Everything but the quiet bit must agree.
            ++nan_patterns;
            REQUIRE(std::isnan(got));
            REQUIRE((u32(got) | 0x00400000u) == (u32(want) | 0x00400000u));
        } else {
            REQUIRE(u32(got) == u32(want));
        }
    }
    CHECK(nan_patterns == 2 * 1023);
}
#endif

TEST_CASE("16-bit equality is numeric: NaN != NaN, -0 == +0")
{
    CHECK(bf16::from_bits(0x0000) == bf16::from_bits(0x8000));
    CHECK(fp16::from_bits(0x0000) == fp16::from_bits(0x8000));
    CHECK(bf16::from_bits(0x3f80) == bf16::from_bits(0x3f80));
    CHECK_FALSE(bf16::from_bits(0x3f80) == bf16::from_bits(0x3f81));
    CHECK_FALSE(bf16::from_bits(0x7f80) == bf16::from_bits(0xff80));
    CHECK(bf16::from_bits(0x7f80) == bf16::from_bits(0x7f80));
    // Every NaN differs from itself, every other value equals itself, in both formats.
    int bf_nans = 0, hf_nans = 0;
    for (std::uint32_t b = 0; b < 65536; ++b) {
        const auto g = bf16::from_bits(static_cast<std::uint16_t>(b));
        const auto h = fp16::from_bits(static_cast<std::uint16_t>(b));
        const bool g_nan = std::isnan(g.to_float()), h_nan = std::isnan(h.to_float());
        bf_nans += g_nan;
        hf_nans += h_nan;
        REQUIRE((g == g) == !g_nan);
        REQUIRE((h == h) == !h_nan);
        REQUIRE((g != g) == g_nan); // operator!= is synthesised from operator==
        // Distinct patterns are equal only for the two zeros.
        const auto g2 = bf16::from_bits(static_cast<std::uint16_t>(b ^ 0x0001));
        REQUIRE_FALSE(g == g2);
        const auto zero_or_not = bf16::from_bits(static_cast<std::uint16_t>(b ^ 0x8000));
        REQUIRE((g == zero_or_not) == ((b & 0x7fff) == 0));
    }
    CHECK(bf_nans == 2 * 127); // exponent all ones, mantissa (7 bits) non-zero, both signs
    CHECK(hf_nans == 2 * 1023);
}

TEST_CASE("widening is constexpr and explicit")
{
    static_assert(bf16::from_bits(0x3f80).to_float() == 1.0f);
    static_assert(fp16::from_bits(0x3c00).to_float() == 1.0f);
    static_assert(fp16::from_bits(0x0001).to_float() == 0x1p-24f);
    static_assert(static_cast<float>(fp16::from_bits(0xc000)) == -2.0f);
    static_assert(bf16::from_bits(0x0000) == bf16::from_bits(0x8000));
    CHECK(static_cast<float>(bf16::from_bits(0x4000)) == 2.0f);
    CHECK(static_cast<float>(fp16::from_bits(0x4000)) == 2.0f);
}
