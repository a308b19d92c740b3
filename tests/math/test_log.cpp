#include <ptoref/math/log.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "exhaustive.hpp"

using ptoref::math::log_cr;
using ptoref_test::bits;
using ptoref_test::f32;

// As for exp: the double-rounding oracle's disagreements are settled by long double.
TEST_CASE("log_cr is correctly rounded on all 2^32 inputs")
{
    std::atomic<std::uint64_t> settled{0};
    std::vector<std::uint32_t> first;
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t failures = ptoref_test::correctly_rounded_sweep(
        [](float x) { return log_cr(x); }, [](auto v) { return std::log(v); }, settled, first);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("log_cr exhaustive: %.1f s, %llu oracle double-roundings settled by long double\n", seconds,
                static_cast<unsigned long long>(settled.load()));
    for (std::uint32_t u : first)
        UNSCOPED_INFO("fails at 0x" << std::hex << u);
    REQUIRE(failures == 0);
    CHECK(settled.load() < 100);
}

TEST_CASE("log_cr special values, by bit pattern")
{
    CHECK(bits(log_cr(1.0f)) == 0x00000000u); // +0 exactly
    CHECK(bits(log_cr(0.0f)) == 0xff800000u);
    CHECK(bits(log_cr(-0.0f)) == 0xff800000u);
    CHECK(bits(log_cr(f32(0x7f800000u))) == 0x7f800000u);
    CHECK(bits(log_cr(f32(0xff800000u))) == 0x7fc00000u);
    CHECK(bits(log_cr(-1.0f)) == 0x7fc00000u);
    CHECK(bits(log_cr(f32(0x80000001u))) == 0x7fc00000u); // negative subnormal
    CHECK(bits(log_cr(f32(0xffc00001u))) == 0x7fc00000u);
    CHECK(bits(log_cr(f32(0x00000001u))) == bits(static_cast<float>(std::log(0x1p-149)))); // smallest subnormal
    CHECK(bits(log_cr(f32(0x007fffffu))) == bits(static_cast<float>(std::log(static_cast<double>(f32(0x007fffffu))))));
    CHECK(bits(log_cr(f32(0x7f7fffffu))) == bits(static_cast<float>(std::log(static_cast<double>(f32(0x7f7fffffu))))));
    CHECK(bits(log_cr(2.0f)) == 0x3f317218u); // ln 2
}

TEST_CASE("log_cr array form equals the scalar form")
{
    std::vector<float> in, out(4096);
    for (std::uint32_t i = 0; i < 4096; ++i)
        in.push_back(f32(i * 0x7f3a1u));
    ptoref::math::log_cr(in.data(), out.data(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        REQUIRE(bits(out[i]) == bits(log_cr(in[i])));
}
