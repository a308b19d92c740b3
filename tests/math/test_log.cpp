// ptoref::math::log_cr: correctly rounded on all 2^32 inputs, and edge cases by bit pattern.
#include <ptoref/math/log.hpp>

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

using ptoref::math::log_cr;

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

// The oracle is (float)std::log((double)x). glibc's log errs by less than 1 ulp of double, so
// when log x in double is farther than 2^-40 (relative) from every float midpoint, the oracle is
// the correctly rounded result. Otherwise ("suspicious") logl (64-bit significand, error of a
// few 2^-64) decides, which works as long as log x is farther than 2^-60 from the midpoint; the
// hardest float input is about 2^-57.8 away.
void check_log(std::uint32_t u, sweep_stats& s)
{
    const float x = f32(u);
    const std::uint32_t got = bits(log_cr(x));
    if (std::isnan(x) || (u > 0x80000000u)) { // NaN, or x < 0 including -inf and -subnormals
        if (got != canonical_nan)
            s.fail(u);
        return;
    }
    const double d = std::log(static_cast<double>(x)); // -inf for +-0, +inf for +inf, +0 for 1
    std::uint32_t want = bits(static_cast<float>(d));
    if (std::isfinite(d)) {
        const float lo = static_cast<float>(d - std::fabs(d) * 0x1p-40);
        const float hi = static_cast<float>(d + std::fabs(d) * 0x1p-40);
        if (lo != hi) {
            ++s.suspicious;
            bool ok;
            const std::uint32_t wide = round_wide(std::log(static_cast<long double>(x)), 0x1p-60L, ok);
            if (!ok) {
                ++s.unsettled;
                s.fail(u);
                return;
            }
            if (wide != want)
                ++s.settled;
            want = wide;
        }
    }
    if (got != want)
        s.fail(u);
}

} // namespace

TEST_CASE("log_cr is correctly rounded on all 2^32 inputs", "[exhaustive]")
{
    const auto t0 = std::chrono::steady_clock::now();
    const sweep_stats s = sweep_all_floats(check_log);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN("log_cr exhaustive: " << seconds << " s on " << std::max(1u, std::thread::hardware_concurrency())
                               << " threads; " << s.suspicious << " inputs near a float midpoint checked with logl, "
                               << s.settled << " of them where (float)log((double)x) rounded wrongly");
    for (std::uint32_t u : s.first_failures)
        UNSCOPED_INFO("wrong at 0x" << std::hex << u << std::dec << " (unsettled cases count too: " << s.unsettled
                                    << ")");
    REQUIRE(s.failures == 0);
    CHECK(s.unsettled == 0);
    CHECK(s.settled < 100);
}

TEST_CASE("log_cr special values, by bit pattern")
{
    CHECK(bits(log_cr(f32(0x3f800000u))) == 0x00000000u); // log(1) = +0 exactly
    CHECK(bits(log_cr(f32(0x00000000u))) == 0xff800000u); // log(+0) = -inf
    CHECK(bits(log_cr(f32(0x80000000u))) == 0xff800000u); // log(-0) = -inf
    CHECK(bits(log_cr(f32(0x7f800000u))) == 0x7f800000u); // log(+inf) = +inf
    // x < 0 (including -inf, -FLT_MAX, -1, the smallest negative subnormal) and every NaN give the
    // canonical quiet NaN.
    for (std::uint32_t u : {0xff800000u, 0xff7fffffu, 0xbf800000u, 0x80000001u, 0x807fffffu, 0x80800000u})
        CHECK(bits(log_cr(f32(u))) == canonical_nan);
    for (std::uint32_t nan :
         {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fc12345u, 0xffbfffffu, 0x7fffffffu, 0xffffffffu})
        CHECK(bits(log_cr(f32(nan))) == canonical_nan);
}

TEST_CASE("log_cr on subnormal, extreme and near-1 inputs, by bit pattern")
{
    // Subnormal inputs are exact in double, so they need no rescaling path.
    CHECK(bits(log_cr(f32(0x00000001u))) == 0xc2ce8ed0u); // log 2^-149
    CHECK(bits(log_cr(f32(0x00000002u))) == 0xc2cd2becu);
    CHECK(bits(log_cr(f32(0x00000003u))) == 0xc2cc5c53u);
    CHECK(bits(log_cr(f32(0x00400000u))) == 0xc2b00f34u); // 2^-127
    CHECK(bits(log_cr(f32(0x007fffffu))) == 0xc2aeac50u); // largest subnormal
    CHECK(bits(log_cr(f32(0x00800000u))) == 0xc2aeac50u); // smallest normal
    CHECK(bits(log_cr(f32(0x7f7fffffu))) == 0x42b17218u); // FLT_MAX
    // Next to 1, where log x ~ x - 1 is tiny: no cancellation may creep in.
    CHECK(bits(log_cr(f32(0x3f800001u))) == 0x33ffffffu); // log(1 + 2^-23)
    CHECK(bits(log_cr(f32(0x3f7fffffu))) == 0xb3800000u); // log(1 - 2^-24)
    CHECK(bits(log_cr(f32(0x40000000u))) == 0x3f317218u); // ln 2
    CHECK(bits(log_cr(f32(0x3f000000u))) == 0xbf317218u); // -ln 2
    CHECK(bits(log_cr(f32(0x402df854u))) == 0x3f7fffffu); // log of e rounded to float
    // Inputs whose log lies within 2^-55 of a midpoint, where (float)log((double)x) rounds wrongly;
    // 0x65d890d3 is the hardest (2^-57.8).
    CHECK(bits(log_cr(f32(0x3c413d3au))) == 0xc08e158fu);
    CHECK(bits(log_cr(f32(0x65d890d3u))) == 0x4254d1f9u);
}

TEST_CASE("log_cr array form equals the scalar form, also in place")
{
    std::vector<float> in, out(4096);
    for (std::uint32_t i = 0; i < 4096; ++i)
        in.push_back(f32(i * 1048573u)); // a walk over all bit patterns, specials included
    ptoref::math::log_cr(in.data(), out.data(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        REQUIRE(bits(out[i]) == bits(log_cr(in[i])));
    ptoref::math::log_cr(in.data(), in.data(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        REQUIRE(bits(in[i]) == bits(out[i]));
}
