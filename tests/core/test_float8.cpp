// The FP8 storage types (core/float8.hpp): every bit pattern of both formats widens to the value
// the OCP 8-bit float definitions give (computed here with ldexp), NaN classification, and
// numeric equality.
#include <ptoref/core/float8.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>

using ptoref::fp8e4m3fn;
using ptoref::fp8e5m2;

TEST_CASE("every FP8E4M3FN pattern widens exactly; 0x7f/0xff are the only NaNs; max 448")
{
    int nans = 0;
    for (unsigned b = 0; b < 256; ++b) {
        const fp8e4m3fn x = fp8e4m3fn::from_bits(static_cast<std::uint8_t>(b));
        const int e = (b >> 3) & 0xf, m = b & 7;
        const double sign = (b & 0x80) ? -1.0 : 1.0;
        INFO("bits 0x" << std::hex << b);
        if (e == 15 && m == 7) {
            ++nans;
            CHECK(x.is_nan());
            CHECK(std::isnan(x.to_float()));
            CHECK((std::bit_cast<std::uint32_t>(x.to_float()) & 0x7fffffffu) == 0x7fc00000u);
            continue;
        }
        CHECK_FALSE(x.is_nan());
        const double want = sign * (e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10));
        CHECK(static_cast<double>(x.to_float()) == want);
        CHECK(std::signbit(x.to_float()) == ((b & 0x80) != 0));
        CHECK(static_cast<float>(x) == x.to_float());
    }
    CHECK(nans == 2);
    CHECK(fp8e4m3fn::from_bits(0x7e).to_float() == 448.0f);
    CHECK(fp8e4m3fn::from_bits(0x01).to_float() == std::ldexp(1.0f, -9));
}

TEST_CASE("every FP8E5M2 pattern widens exactly; IEEE-like inf and NaN; max 57344")
{
    int nans = 0, infs = 0;
    for (unsigned b = 0; b < 256; ++b) {
        const fp8e5m2 x = fp8e5m2::from_bits(static_cast<std::uint8_t>(b));
        const int e = (b >> 2) & 0x1f, m = b & 3;
        const double sign = (b & 0x80) ? -1.0 : 1.0;
        INFO("bits 0x" << std::hex << b);
        if (e == 31) {
            if (m == 0) {
                ++infs;
                CHECK(x.to_float() == static_cast<float>(sign * INFINITY));
                CHECK_FALSE(x.is_nan());
            } else {
                ++nans;
                CHECK(x.is_nan());
                CHECK(std::isnan(x.to_float()));
            }
            continue;
        }
        const double want = sign * (e == 0 ? std::ldexp(m, -16) : std::ldexp(4 + m, e - 17));
        CHECK(static_cast<double>(x.to_float()) == want);
        CHECK(std::signbit(x.to_float()) == ((b & 0x80) != 0));
    }
    CHECK(nans == 6);
    CHECK(infs == 2);
    CHECK(fp8e5m2::from_bits(0x7b).to_float() == 57344.0f);
}

TEST_CASE("FP8 == is numeric: NaN != NaN, -0 == +0")
{
    CHECK_FALSE(fp8e4m3fn::from_bits(0x7f) == fp8e4m3fn::from_bits(0x7f));
    CHECK(fp8e4m3fn::from_bits(0x80) == fp8e4m3fn::from_bits(0x00));
    CHECK_FALSE(fp8e5m2::from_bits(0x7e) == fp8e5m2::from_bits(0x7e));
    CHECK(fp8e5m2::from_bits(0x80) == fp8e5m2::from_bits(0x00));
    CHECK_FALSE(fp8e5m2::from_bits(0x3c) == fp8e5m2::from_bits(0x3d));
    static_assert(fp8e4m3fn::from_bits(0x38).to_float() == 1.0f, "constexpr widening");
    static_assert(fp8e5m2::from_bits(0x3c).to_float() == 1.0f, "constexpr widening");
}
