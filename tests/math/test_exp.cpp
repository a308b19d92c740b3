// ptoref::math::exp_cr: correctly rounded on all 2^32 inputs, and edge cases by bit pattern.
#include <ptoref/math/exp.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

namespace {

using ptoref::math::exp_cr;

float f32(std::uint32_t u)
{
    return std::bit_cast<float>(u);
}
std::uint32_t bits(float f)
{
    return std::bit_cast<std::uint32_t>(f);
}

constexpr std::uint32_t canonical_nan = 0x7fc00000u;

// Bits of the float nearest to v (ties to even; beyond FLT_MAX + ulp/2 it is inf). ok is false
// when v lies within rel_tol*|v| of a midpoint between floats (or of the overflow threshold):
// a value known only to that accuracy cannot decide the rounding there.
std::uint32_t round_wide(long double v, long double rel_tol, bool& ok)
{
    const std::uint32_t sign = v < 0 ? 0x80000000u : 0u;
    const long double a = std::fabs(v);
    const long double tol = a * rel_tol;
    const long double overflow = 0x1.ffffffp127L;
    if (a >= overflow - tol) {
        ok = a - overflow > tol;
        return sign | 0x7f800000u;
    }
    const float f = static_cast<float>(a); // one rounding from 64 bits: the float nearest to a
    const long double fl = f;
    ok = true;
    if (a != fl) {
        const float next = std::nextafter(f, a > fl ? std::numeric_limits<float>::infinity() : 0.0f);
        const long double nl = std::isinf(next) ? 0x1p128L : static_cast<long double>(next);
        const long double mid = (fl + nl) / 2; // exact: 25 bits
        ok = std::fabs(a - mid) > tol;
    }
    return sign | bits(f);
}

struct sweep_stats {
    std::uint64_t suspicious = 0; // the double oracle lies within 2^-40 of a midpoint
    std::uint64_t settled = 0;    // ... and its double rounding was wrong: long double settled it
    std::uint64_t unsettled = 0;  // long double too close to a midpoint as well (must be 0)
    std::uint64_t failures = 0;
    std::vector<std::uint32_t> first_failures;
    void fail(std::uint32_t u)
    {
        if (failures++ < 8)
            first_failures.push_back(u);
    }
};

// Runs check(u, stats) for every 32-bit pattern on hardware_concurrency threads, handing out
// chunks of 2^20 patterns in turn so that cheap (special) and costly ranges are shared evenly.
template <class Check>
sweep_stats sweep_all_floats(Check check)
{
    const unsigned n = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> next{0};
    std::vector<sweep_stats> per(n);
    auto run = [&](unsigned t) {
        constexpr std::uint64_t chunk = std::uint64_t{1} << 20;
        for (std::uint64_t c; (c = next.fetch_add(chunk)) < (std::uint64_t{1} << 32);)
            for (std::uint64_t u = c; u < c + chunk; ++u)
                check(static_cast<std::uint32_t>(u), per[t]);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < n; ++t)
        pool.emplace_back(run, t);
    run(0);
    for (auto& th : pool)
        th.join();
    sweep_stats all;
    for (const auto& s : per) {
        all.suspicious += s.suspicious;
        all.settled += s.settled;
        all.unsettled += s.unsettled;
        all.failures += s.failures;
        all.first_failures.insert(all.first_failures.end(), s.first_failures.begin(), s.first_failures.end());
    }
    return all;
}

// The oracle is (float)std::exp((double)x). glibc's exp errs by less than 1 ulp of double, so
// when e^x in double is farther than 2^-40 (relative) from every float midpoint, the oracle is
// the correctly rounded result. Otherwise ("suspicious") expl (64-bit significand, error of a
// few 2^-64) decides, which works as long as e^x is farther than 2^-60 from the midpoint; the
// hardest float input is about 2^-52.6 away.
void check_exp(std::uint32_t u, sweep_stats& s)
{
    const float x = f32(u);
    const std::uint32_t got = bits(exp_cr(x));
    if (std::isnan(x)) {
        if (got != canonical_nan)
            s.fail(u);
        return;
    }
    // Far outside the finite range the answer follows from monotonicity (the test case checks
    // e^-104 < 2^-150 and e^89 > FLT_MAX + ulp/2); this skips glibc's slow errno paths.
    if (x < -104.0f || x > 89.0f) {
        if (got != (x < 0 ? 0u : 0x7f800000u))
            s.fail(u);
        return;
    }
    const double d = std::exp(static_cast<double>(x));
    std::uint32_t want;
    if (d >= 0x1p128) {
        want = 0x7f800000u;
    } else {
        const float lo = static_cast<float>(d - d * 0x1p-40);
        const float hi = static_cast<float>(d + d * 0x1p-40);
        want = bits(lo);
        if (lo != hi) {
            ++s.suspicious;
            bool ok;
            const std::uint32_t wide = round_wide(std::exp(static_cast<long double>(x)), 0x1p-60L, ok);
            if (!ok) {
                ++s.unsettled;
                s.fail(u);
                return;
            }
            if (wide != bits(static_cast<float>(d)))
                ++s.settled;
            want = wide;
        }
    }
    if (got != want)
        s.fail(u);
}

} // namespace

TEST_CASE("exp_cr is correctly rounded on all 2^32 inputs", "[exhaustive]")
{
    REQUIRE(std::exp(-104.0L) < 0x1p-150L);     // below -104 everything rounds to +0
    REQUIRE(std::exp(89.0L) > 0x1.ffffffp127L); // above 89 everything overflows
    const auto t0 = std::chrono::steady_clock::now();
    const sweep_stats s = sweep_all_floats(check_exp);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN("exp_cr exhaustive: " << seconds << " s on " << std::max(1u, std::thread::hardware_concurrency())
                               << " threads; " << s.suspicious << " inputs near a float midpoint checked with expl, "
                               << s.settled << " of them where (float)exp((double)x) rounded wrongly");
    for (std::uint32_t u : s.first_failures)
        UNSCOPED_INFO("wrong at 0x" << std::hex << u << std::dec << " (unsettled cases count too: " << s.unsettled
                                    << ")");
    REQUIRE(s.failures == 0);
    CHECK(s.unsettled == 0);
    CHECK(s.settled < 100);
}

TEST_CASE("exp_cr special values, by bit pattern")
{
    CHECK(bits(exp_cr(f32(0x00000000u))) == 0x3f800000u); // exp(+0) = 1 exactly
    CHECK(bits(exp_cr(f32(0x80000000u))) == 0x3f800000u); // exp(-0) = 1
    CHECK(bits(exp_cr(f32(0x7f800000u))) == 0x7f800000u); // +inf
    CHECK(bits(exp_cr(f32(0xff800000u))) == 0x00000000u); // -inf -> +0
    // Every NaN, whatever its sign, payload or signalling bit, gives the canonical quiet NaN.
    for (std::uint32_t nan :
         {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fc12345u, 0xffbfffffu, 0x7fffffffu, 0xffffffffu})
        CHECK(bits(exp_cr(f32(nan))) == canonical_nan);
}

TEST_CASE("exp_cr overflow and underflow thresholds, by bit pattern")
{
    // 88.72283172607421875 is the largest input with a finite result; the next float overflows.
    CHECK(bits(exp_cr(f32(0x42b17217u))) == 0x7f7fff84u);
    CHECK(bits(exp_cr(f32(0x42b17218u))) == 0x7f800000u);
    CHECK(bits(exp_cr(f32(0x7f7fffffu))) == 0x7f800000u); // FLT_MAX
    // Normal / subnormal boundary (2^-126 = 0x00800000).
    CHECK(bits(exp_cr(f32(0xc2aeac4eu))) == 0x00800066u);
    CHECK(bits(exp_cr(f32(0xc2aeac4fu))) == 0x00800026u); // smallest normal result
    CHECK(bits(exp_cr(f32(0xc2aeac50u))) == 0x007fffe6u); // largest subnormal result
    CHECK(bits(exp_cr(f32(0xc2c80000u))) == 0x0000001bu); // exp(-100) = 27 * 2^-149
    // Gradual underflow to the smallest subnormals, rounding at the midpoints 1.5 and 2.5 * 2^-149.
    CHECK(bits(exp_cr(f32(0xc2ccb9abu))) == 0x00000003u);
    CHECK(bits(exp_cr(f32(0xc2ccb9acu))) == 0x00000002u);
    CHECK(bits(exp_cr(f32(0xc2cdbf36u))) == 0x00000002u);
    CHECK(bits(exp_cr(f32(0xc2cdbf37u))) == 0x00000001u);
    CHECK(bits(exp_cr(f32(0xc2cff1b4u))) == 0x00000001u); // last input above 2^-150
    CHECK(bits(exp_cr(f32(0xc2cff1b5u))) == 0x00000000u); // e^x < 2^-150 rounds to +0
    CHECK(bits(exp_cr(f32(0xc2d00000u))) == 0x00000000u); // -104
    CHECK(bits(exp_cr(f32(0xff7fffffu))) == 0x00000000u); // -FLT_MAX
}

TEST_CASE("exp_cr near zero and on a few ordinary inputs, by bit pattern")
{
    // Subnormal and tiny inputs: e^x = 1 + x + x^2/2 rounds to 1 for |x| <= 2^-25.
    for (std::uint32_t u :
         {0x00000001u, 0x80000001u, 0x007fffffu, 0x807fffffu, 0x00800000u, 0x80800000u, 0x33000000u, 0xb3000000u})
        CHECK(bits(exp_cr(f32(u))) == 0x3f800000u);
    CHECK(bits(exp_cr(f32(0x33800000u))) == 0x3f800001u); // 2^-24: 1 + 2^-24 + 2^-49 is past the midpoint
    CHECK(bits(exp_cr(f32(0xb3800000u))) == 0x3f7fffffu); // -2^-24: 1 - 2^-24 + 2^-49 -> 1 - 2^-24
    CHECK(bits(exp_cr(f32(0x3f800000u))) == 0x402df854u); // e
    CHECK(bits(exp_cr(f32(0x3f000000u))) == 0x3fd3094cu); // e^0.5
    CHECK(bits(exp_cr(f32(0x41200000u))) == 0x46ac14eeu); // e^10
    // The hardest input (e^x is 2^-52.6 relative from a midpoint): needs the double-double path.
    CHECK(bits(exp_cr(f32(0xc16912cdu))) == 0x34fd331bu);
}

TEST_CASE("exp_cr array form equals the scalar form, also in place")
{
    std::vector<float> in, out(4096);
    for (std::uint32_t i = 0; i < 4096; ++i)
        in.push_back(f32(i * 1048573u)); // a walk over all bit patterns, specials included
    ptoref::math::exp_cr(in.data(), out.data(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        REQUIRE(bits(out[i]) == bits(exp_cr(in[i])));
    ptoref::math::exp_cr(in.data(), in.data(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        REQUIRE(bits(in[i]) == bits(out[i]));
}
