#include <ptoref/core/float16.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>

using ptoref::bf16;
using ptoref::fp16;

TEST_CASE("bf16 widens exactly: the bits are the top half of the float")
{
    for (std::uint32_t b = 0; b < 65536; ++b)
        REQUIRE(std::bit_cast<std::uint32_t>(bf16::from_bits(static_cast<std::uint16_t>(b)).to_float()) == b << 16);
}

TEST_CASE("fp16 widens exactly on all 65536 patterns")
{
    for (std::uint32_t b = 0; b < 65536; ++b) {
        const float f = fp16::from_bits(static_cast<std::uint16_t>(b)).to_float();
        const std::uint32_t sign = (b >> 15) & 1, e = (b >> 10) & 31, m = b & 1023;
        if (e == 31) {
            REQUIRE(std::isinf(f) == (m == 0));
            REQUIRE(std::isnan(f) == (m != 0));
            if (m)
                REQUIRE((std::bit_cast<std::uint32_t>(f) & 0x007fffffu) == m << 13); // payload kept
        } else {
            const double v = (e == 0 ? std::ldexp(static_cast<double>(m), -24)
                                     : std::ldexp(static_cast<double>(m + 1024), static_cast<int>(e) - 25));
            REQUIRE(static_cast<double>(f) == (sign ? -v : v));
            REQUIRE(std::signbit(f) == (sign != 0));
        }
#ifdef __FLT16_MANT_DIG__
        const _Float16 h = std::bit_cast<_Float16>(static_cast<std::uint16_t>(b));
        if (!std::isnan(f))
            REQUIRE(std::bit_cast<std::uint32_t>(static_cast<float>(h)) == std::bit_cast<std::uint32_t>(f));
#endif
    }
}

TEST_CASE("16-bit equality is numeric")
{
    CHECK(bf16::from_bits(0x0000) == bf16::from_bits(0x8000));
    CHECK_FALSE(bf16::from_bits(0x7fc0) == bf16::from_bits(0x7fc0));
    CHECK(fp16::from_bits(0x3c00) == fp16::from_bits(0x3c00));
    CHECK_FALSE(fp16::from_bits(0x7e00) == fp16::from_bits(0x7e00));
    CHECK(static_cast<float>(bf16::from_bits(0x3f80)) == 1.0f);
}
