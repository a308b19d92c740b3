// ptoref::math::sin_cr / cos_cr: correctly rounded, checked against an independent oracle —
// glibc's double sin/cos (error < 1 ulp of double) where its value decides the float rounding,
// else glibc's long double sinl/cosl (with its own argument reduction); a value neither settles
// fails the test. The [exhaustive] case covers every float, in chunks (PTOREF_SINCOS_CHUNK=i of
// 32, one ctest each, to keep each run short); the default cases sample every 4099th pattern,
// the specials, and the slow double-double path against the fast one.
#include <ptoref/math/sincos.hpp>
#include <ptoref/ops/trig.hpp>

#include <catch2/catch.hpp>

#include "exhaustive.hpp"

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using ptoref::math::cos_cr;
using ptoref::math::sin_cr;

std::uint32_t bits(float f)
{
    return std::bit_cast<std::uint32_t>(f);
}
float f32(std::uint32_t u)
{
    return std::bit_cast<float>(u);
}

// The float v rounds to, if every value within rel*|v| of v rounds to it too (else false).
template <class W>
bool settles(W v, W rel, float& out)
{
    if (v == 0) { // exact (and v - e would lose the sign of -0)
        out = static_cast<float>(v);
        return true;
    }
    const W e = (v < 0 ? -v : v) * rel;
    const float lo = static_cast<float>(v - e), hi = static_cast<float>(v + e);
    out = lo;
    return bits(lo) == bits(hi);
}

// 0: agrees; 1: disagrees; 2: the oracle cannot settle it.
int check_one(float x, bool want_cos)
{
    const float got = want_cos ? cos_cr(x) : sin_cr(x);
    if (!std::isfinite(x))
        return bits(got) == 0x7fc00000u ? 0 : 1;
    float want;
    const double d = want_cos ? std::cos(static_cast<double>(x)) : std::sin(static_cast<double>(x));
    if (!settles(d, 0x1p-50, want)) {
        const long double l = want_cos ? cosl(static_cast<long double>(x)) : sinl(static_cast<long double>(x));
        if (!settles(l, 0x1p-60L, want))
            return 2;
    }
    return bits(got) == bits(want) ? 0 : 1;
}

void sweep(std::uint64_t lo, std::uint64_t hi, std::uint64_t step)
{
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> bad{0}, unsettled{0}, first{~std::uint64_t{0}};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            const std::uint64_t a = lo + (hi - lo) * t / threads, b = lo + (hi - lo) * (t + 1) / threads;
            for (std::uint64_t u = a - a % step + (a % step ? step : 0); u < b; u += step)
                for (bool c : {false, true}) {
                    const int r = check_one(f32(static_cast<std::uint32_t>(u)), c);
                    if (r == 1) {
                        ++bad;
                        first = u;
                    } else if (r == 2) {
                        ++unsettled;
                        first = u;
                    }
                }
        });
    for (auto& th : pool)
        th.join();
    INFO("first problem at bit pattern " << std::hex << first.load());
    CHECK(bad.load() == 0);
    CHECK(unsettled.load() == 0);
}

} // namespace

TEST_CASE("sin_cr/cos_cr: specials and known values", "[sincos]")
{
    CHECK(bits(sin_cr(0.0f)) == 0u);
    CHECK(bits(sin_cr(-0.0f)) == 0x80000000u);
    CHECK(bits(cos_cr(-0.0f)) == bits(1.0f));
    for (float v : {INFINITY, -INFINITY, NAN, f32(0x7fa5a5a5u), f32(0xffc00001u)}) {
        CHECK(bits(sin_cr(v)) == 0x7fc00000u);
        CHECK(bits(cos_cr(v)) == 0x7fc00000u);
    }
    CHECK(bits(sin_cr(f32(1))) == 1u); // the smallest subnormal: sin(x) rounds to x
    CHECK(bits(sin_cr(f32(0x80000001u))) == 0x80000001u);
    // Large arguments need the full reduction (values from an independent high-precision source).
    CHECK(check_one(0x1.fffffep127f, false) == 0);
    CHECK(check_one(0x1.fffffep127f, true) == 0);
    CHECK(check_one(1e22f, false) == 0);
    CHECK(check_one(0x1.921fb6p0f, true) == 0);   // fl(pi/2): cos is tiny
    CHECK(check_one(0x1.921fb6p1f, false) == 0);  // fl(pi)
    CHECK(check_one(0x1.921fb4p-1f, false) == 0); // the reduction threshold's neighbours
    CHECK(check_one(0x1.921fb6p-1f, false) == 0);
}

TEST_CASE("sin_cr/cos_cr: every 4099th float against the oracle", "[sincos]")
{
    sweep(0, std::uint64_t{1} << 32, 4099);
}

TEST_CASE("the slow double-double series agrees with the fast one where the fast one is certain", "[sincos]")
{
    using namespace ptoref::math::detail;
    std::uint32_t s = 12345;
    for (int i = 0; i < 20000; ++i) {
        s = s * 1664525u + 1013904223u;
        const double r = (static_cast<double>(s) / 4294967296.0 - 0.5) * 1.5707963;
        for (bool c : {false, true}) {
            const double fast = c ? cos_fast(r) : sin_fast(r);
            float want;
            if (!cr_round_test(fast, sincos_eps, want))
                continue;
            CHECK(bits(cr_round_dword(sincos_slow(dword{r, 0}, c))) == bits(want));
        }
    }
}

TEST_CASE("pl::sin / pl::cos: FP32 is sin_cr/cos_cr; 16-bit types round that once more", "[sincos]")
{
    namespace pl = ptoref::pl;
    std::vector<float> v;
    for (std::uint32_t u = 0; u < 4096; ++u)
        v.push_back(f32(u * 1048573u));
    auto x = ptoref::tensor_from<float>({64, 64}, v);
    const auto s = pl::sin(x).to_vector(), c = pl::cos(x).to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) {
        CHECK(bits(s[i]) == bits(sin_cr(v[i])));
        CHECK(bits(c[i]) == bits(cos_cr(v[i])));
    }
    std::vector<ptoref::bf16> h;
    for (std::uint32_t u = 0; u < 65536; u += 7)
        h.push_back(ptoref::bf16::from_bits(static_cast<std::uint16_t>(u)));
    const auto hs = pl::sin(ptoref::tensor_from<ptoref::bf16>({static_cast<ptoref::index>(h.size())}, h)).to_vector();
    for (std::size_t i = 0; i < h.size(); ++i)
        CHECK(hs[i].bits == ptoref::convert<ptoref::bf16>(sin_cr(h[i].to_float()), ptoref::cast_mode::rint).bits);
}

TEST_CASE("sin_cr/cos_cr: every float (chunk PTOREF_SINCOS_CHUNK of 32, or all)", "[.][exhaustive]")
{
    const char* env = std::getenv("PTOREF_SINCOS_CHUNK");
    const std::uint64_t n = std::uint64_t{1} << 27;
    if (env == nullptr) {
        sweep(0, std::uint64_t{1} << 32, 1);
    } else {
        const std::uint64_t k = std::strtoull(env, nullptr, 10);
        REQUIRE(k < 32);
        sweep(k * n, (k + 1) * n, 1);
    }
}
