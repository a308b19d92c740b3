// The cast semantics (core/convert.hpp) against a slow oracle that knows nothing of the bit
// tricks: every source value is exact in a double; the oracle finds the two neighbouring values
// of the target format around it with double arithmetic (all exact: scalings by powers of two,
// floor, and differences of nearby values) and picks one by the mode's definition. Integer
// targets are checked against std::nearbyint/round/floor/ceil/trunc plus saturation.
//
// The documented policies under test: NaN -> the canonical quiet NaN (fp32 0x7FC00000, bf16
// 0x7FC0, fp16 0x7E00, int32 0); subnormals kept and rounded (no DAZ/FTZ); overflow per IEEE for
// the mode (nearest -> inf; trunc/odd -> largest finite; floor -> -inf for negatives and the
// largest finite for positives; ceil mirrored); int32 saturates; the default mode is round.
#include <ptoref/core/convert.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include "../math/exhaustive.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using ptoref::bf16;
using ptoref::cast_mode;
using ptoref::convert;
using ptoref::fp16;

namespace {

// ---- the oracle ------------------------------------------------------------------------------

struct format {
    int p;    // precision, hidden bit included
    int emin; // exponent of the smallest normal
    int emax; // exponent of the largest finite binade
};
constexpr format F32{24, -126, 127};
constexpr format BF16{8, -126, 127};
constexpr format F16{11, -14, 15};

bool nearest(cast_mode m)
{
    return m == cast_mode::none || m == cast_mode::rint || m == cast_mode::round;
}

// Rounds the exact value x (not NaN) into format f under mode m; returns the result as a double
// (a value of the format, a signed zero, or +-inf).
double oracle_round(double x, cast_mode m, format f)
{
    if (std::isinf(x) || x == 0)
        return x;
    const bool neg = std::signbit(x);
    const double ax = std::fabs(x);
    // The quantum of ax's binade, clamped at the subnormal quantum; no upper clamp (the exponent
    // range is unbounded here, overflow is decided afterwards as IEEE 754 does).
    const int e = std::max(std::ilogb(ax), f.emin);
    const double ulp = std::ldexp(1.0, e - (f.p - 1));
    const double k = std::floor(ax / ulp); // ax / ulp is exact: ulp is a power of two
    const double lo = k * ulp, hi = (k + 1) * ulp;
    double r = lo;
    if (lo != ax) {
        const double below = ax - lo, above = hi - ax; // exact
        const bool k_odd = std::fmod(k, 2.0) != 0;
        bool up = false;
        switch (m) {
        case cast_mode::none:
        case cast_mode::rint:
            up = above < below || (above == below && k_odd);
            break;
        case cast_mode::round:
            up = above <= below;
            break;
        case cast_mode::floor:
            up = neg;
            break;
        case cast_mode::ceil:
            up = !neg;
            break;
        case cast_mode::trunc:
            up = false;
            break;
        case cast_mode::odd:
            up = !k_odd; // whichever neighbour has an odd last digit
            break;
        }
        r = up ? hi : lo;
    }
    const double max_finite = std::ldexp(2.0 - std::ldexp(1.0, 1 - f.p), f.emax);
    if (r > max_finite) {
        const bool to_inf = nearest(m) || (m == cast_mode::floor && neg) || (m == cast_mode::ceil && !neg);
        r = to_inf ? std::numeric_limits<double>::infinity() : max_finite;
    }
    return neg ? -r : r;
}

// The oracle's own consistency checks: cheap, and a test failure (an exception) when violated.
void oracle_assert(bool ok, const char* what)
{
    if (!ok)
        throw std::logic_error(std::string("oracle inconsistency: ") + what);
}

// Encodings of a value of the format (exact conversions only).
std::uint32_t f32_bits(double r)
{
    const float f = static_cast<float>(r);
    oracle_assert(static_cast<double>(f) == r || std::isnan(r), "not an fp32 value");
    return std::bit_cast<std::uint32_t>(f);
}
std::uint16_t bf16_bits(double r)
{
    const std::uint32_t u = f32_bits(r);
    oracle_assert((u & 0xffffu) == 0, "not a bf16 value");
    return static_cast<std::uint16_t>(u >> 16);
}
std::uint16_t fp16_bits(double r)
{
    const std::uint16_t sign = std::signbit(r) ? 0x8000 : 0;
    const double a = std::fabs(r);
    std::uint16_t b;
    if (std::isinf(a))
        b = 0x7c00;
    else if (a < 0x1p-14)
        b = static_cast<std::uint16_t>(a * 0x1p24); // subnormal (or zero): a multiple of 2^-24
    else {
        const int e = std::ilogb(a);
        b = static_cast<std::uint16_t>(((e + 15) << 10) | static_cast<int>(std::ldexp(a, 10 - e) - 1024));
    }
    b |= sign;
    oracle_assert(std::bit_cast<std::uint32_t>(fp16::from_bits(b).to_float()) == f32_bits(r), "fp16 encoding");
    return b;
}

std::uint16_t oracle_bf16(double x, cast_mode m)
{
    return std::isnan(x) ? std::uint16_t{0x7fc0} : bf16_bits(oracle_round(x, m, BF16));
}
std::uint16_t oracle_fp16(double x, cast_mode m)
{
    return std::isnan(x) ? std::uint16_t{0x7e00} : fp16_bits(oracle_round(x, m, F16));
}
std::uint32_t oracle_f32(double x, cast_mode m)
{
    return std::isnan(x) ? 0x7fc00000u : f32_bits(oracle_round(x, m, F32));
}

// Integer targets: the C library's rounding functions, then saturation.
std::int32_t oracle_int32(double x, cast_mode m)
{
    if (std::isnan(x))
        return 0;
    double r = 0;
    switch (m) {
    case cast_mode::rint:
        r = std::nearbyint(x); // default environment: to nearest, ties to even
        break;
    case cast_mode::round:
        r = std::round(x);
        break;
    case cast_mode::floor:
        r = std::floor(x);
        break;
    case cast_mode::ceil:
        r = std::ceil(x);
        break;
    case cast_mode::none: // float -> integer: the device (and its simulator) truncate
    case cast_mode::trunc:
        r = std::trunc(x);
        break;
    case cast_mode::odd:
        r = std::floor(x) == x ? x : (std::fmod(std::floor(x), 2.0) != 0 ? std::floor(x) : std::ceil(x));
        break;
    }
    if (r <= static_cast<double>(INT32_MIN))
        return INT32_MIN;
    if (r >= static_cast<double>(INT32_MAX))
        return INT32_MAX;
    return static_cast<std::int32_t>(r);
}

// ---- sweeps ----------------------------------------------------------------------------------

std::string hex(std::uint64_t v)
{
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

// Runs check(u) for u = 0, step, 2*step, ... < 2^32 on every hardware thread; counts failures
// and describes one. An odd step makes the low bits (where rounding decides) take every value.
template <class Check>
std::uint64_t strided(std::uint32_t step, Check check, std::string& first)
{
    const std::uint64_t count = ((std::uint64_t{1} << 32) + step - 1) / step;
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> bad{0};
    std::mutex first_mutex;
    auto run = [&](unsigned t) {
        std::uint64_t local = 0;
        for (std::uint64_t k = count * t / threads; k < count * (t + 1) / threads; ++k) {
            std::string why;
            if (!check(static_cast<std::uint32_t>(k * step), why) && local++ == 0) {
                std::lock_guard<std::mutex> lock(first_mutex);
                if (first.empty())
                    first = hex(k * step) + ": " + why;
            }
        }
        bad += local;
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(run, t);
    run(0);
    for (auto& th : pool)
        th.join();
    return bad.load();
}

template <class A, class B>
bool same(A got, B want, std::string& why)
{
    if (got == static_cast<A>(want))
        return true;
    why = "got " + hex(static_cast<std::uint64_t>(got) & 0xffffffffu) + ", want " +
          hex(static_cast<std::uint64_t>(want) & 0xffffffffu);
    return false;
}

float f32(std::uint32_t u)
{
    return std::bit_cast<float>(u);
}
std::uint32_t u32(float f)
{
    return std::bit_cast<std::uint32_t>(f);
}
std::uint16_t to_bf16(std::uint32_t u, cast_mode m)
{
    return convert<bf16>(f32(u), m).bits;
}
std::uint16_t to_fp16(std::uint32_t u, cast_mode m)
{
    return convert<fp16>(f32(u), m).bits;
}

constexpr std::uint32_t stride = 251;      // 17.1 million inputs per sweep, all over the bit space
constexpr std::uint32_t int_stride = 1021; // 4.2 million (int32 sources are also sampled by length)

} // namespace

// ---- the oracle itself, on values anyone can check by hand ------------------------------------

TEST_CASE("the oracle on hand-checked values")
{
    CHECK(oracle_round(1.0 + 0x1p-8, cast_mode::rint, BF16) == 1.0);                 // tie to even
    CHECK(oracle_round(1.0 + 0x1p-8, cast_mode::round, BF16) == 1.0 + 0x1p-7);       // tie away
    CHECK(oracle_round(-(1.0 + 0x1p-8), cast_mode::round, BF16) == -(1.0 + 0x1p-7)); // away from zero
    CHECK(oracle_round(1.0 + 0x1p-9, cast_mode::odd, BF16) == 1.0 + 0x1p-7);
    CHECK(oracle_round(65520.0, cast_mode::rint, F16) == std::numeric_limits<double>::infinity());
    CHECK(oracle_round(65519.0, cast_mode::rint, F16) == 65504.0);
    CHECK(oracle_round(1e6, cast_mode::trunc, F16) == 65504.0);
    CHECK(oracle_round(-1e6, cast_mode::ceil, F16) == -65504.0);
    CHECK(oracle_round(-1e6, cast_mode::floor, F16) == -std::numeric_limits<double>::infinity());
    CHECK(oracle_round(0x1p-25, cast_mode::round, F16) == 0x1p-24);
    CHECK(oracle_round(0x1p-25, cast_mode::rint, F16) == 0.0);
    CHECK(std::signbit(oracle_round(-0x1p-140, cast_mode::rint, BF16)));
    CHECK(fp16_bits(65504.0) == 0x7bff);
    CHECK(fp16_bits(-0x1p-24) == 0x8001);
    CHECK(fp16_bits(0x1p-14) == 0x0400);
    CHECK(oracle_int32(2.5, cast_mode::rint) == 2);
    CHECK(oracle_int32(-2.5, cast_mode::round) == -3);
    CHECK(oracle_int32(2.5, cast_mode::odd) == 3);
    CHECK(oracle_int32(3.5, cast_mode::odd) == 3);
    CHECK(oracle_int32(-3e9, cast_mode::ceil) == INT32_MIN);
}

// ---- fp32 sources ------------------------------------------------------------------------------

TEST_CASE("fp32 -> bf16 equals the oracle for every mode (stride through all 2^32 patterns)")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        std::string first;
        const auto bad = strided(
            stride, [&](std::uint32_t u, std::string& why) { return same(to_bf16(u, m), oracle_bf16(f32(u), m), why); },
            first);
        INFO("mode " << ptoref::to_string(m) << ", first failure " << first);
        CHECK(bad == 0);
    }
}

TEST_CASE("fp32 -> fp16 equals the oracle for every mode (stride through all 2^32 patterns)")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        std::string first;
        const auto bad = strided(
            stride, [&](std::uint32_t u, std::string& why) { return same(to_fp16(u, m), oracle_fp16(f32(u), m), why); },
            first);
        INFO("mode " << ptoref::to_string(m) << ", first failure " << first);
        CHECK(bad == 0);
    }
}

#ifdef __FLT16_MANT_DIG__
TEST_CASE("fp32 -> fp16 rint equals the compiler's _Float16 conversion; NaN becomes canonical")
{
    std::string first;
    const auto bad = strided(
        stride,
        [&](std::uint32_t u, std::string& why) {
            const float x = f32(u);
            if (std::isnan(x))
                return same(to_fp16(u, cast_mode::rint), 0x7e00, why);
            return same(to_fp16(u, cast_mode::rint), std::bit_cast<std::uint16_t>(static_cast<_Float16>(x)), why);
        },
        first);
    INFO("first failure " << first);
    CHECK(bad == 0);
}
#endif

TEST_CASE("fp32 -> int32 equals std:: rounding plus saturation for every mode")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        INFO("mode " << ptoref::to_string(m));
        std::string first;
        auto check = [&](std::uint32_t u, std::string& why) {
            return same(convert<std::int32_t>(f32(u), m), oracle_int32(f32(u), m), why);
        };
        std::uint64_t bad = strided(stride, check, first);
        // Densely where it matters: small magnitudes with halves and quarters (0.25 .. 8), and
        // the saturation edges around +-2^31.
        auto dense = [&](std::uint32_t u) {
            std::string why;
            if (!check(u, why) && bad++ == 0)
                first = hex(u) + ": " + why;
        };
        for (std::uint32_t u = 0x3e800000u; u <= 0x41000000u; u += 7) {
            dense(u);
            dense(u | 0x80000000u);
        }
        for (std::uint32_t u = 0x4effff00u; u <= 0x4f000100u; ++u) {
            dense(u);
            dense(u | 0x80000000u);
        }
        INFO("first failure " << first);
        CHECK(bad == 0);
    }
}

TEST_CASE("fp32 -> fp32 is the identity except NaN, which becomes canonical")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        std::string first;
        const auto bad = strided(
            stride,
            [&](std::uint32_t u, std::string& why) {
                return same(u32(convert<float>(f32(u), m)), std::isnan(f32(u)) ? 0x7fc00000u : u, why);
            },
            first);
        INFO("mode " << ptoref::to_string(m) << ", first failure " << first);
        CHECK(bad == 0);
    }
}

// ---- int32 sources -----------------------------------------------------------------------------

TEST_CASE("int32 -> fp32, bf16 and fp16 round once, per mode")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        INFO("mode " << ptoref::to_string(m));
        std::string first;
        auto check = [&](std::uint32_t u, std::string& why) {
            const auto i = static_cast<std::int32_t>(u);
            const auto x = static_cast<double>(i);
            return same(u32(convert<float>(i, m)), oracle_f32(x, m), why) &&
                   same(convert<bf16>(i, m).bits, oracle_bf16(x, m), why) &&
                   same(convert<fp16>(i, m).bits, oracle_fp16(x, m), why);
        };
        std::uint64_t bad = strided(int_stride, check, first); // mostly large magnitudes
        // Every bit length: a fixed-seed generator shifted right by 0..31, both signs, plus
        // every integer of magnitude below 2^17 (fp16's and bf16's exact ranges and beyond).
        auto one = [&](std::uint32_t u) {
            std::string why;
            if (!check(u, why) && bad++ == 0)
                first = hex(u) + ": " + why;
        };
        ptoref::testing::splitmix64 g(0x5eed);
        for (int k = 0; k < 400000; ++k) {
            const auto v = static_cast<std::uint32_t>(g.next()) >> (k % 32);
            one(v);
            one(0u - v);
        }
        for (std::uint32_t v = 0; v < (1u << 17); ++v) {
            one(v);
            one(0u - v);
        }
        INFO("first failure " << first);
        CHECK(bad == 0);
    }
}

TEST_CASE("int32 -> int32 is the identity")
{
    for (cast_mode m : ptoref::all_cast_modes)
        for (std::int32_t i : {0, 1, -1, 12345, -99999, INT32_MAX, INT32_MIN})
            CHECK(convert<std::int32_t>(i, m) == i);
}

// ---- 16-bit sources: all 65536 patterns ----------------------------------------------------------

TEST_CASE("bf16 and fp16 sources, all 65536 patterns, every mode, every target")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        std::uint64_t bad = 0;
        std::string first;
        for (std::uint32_t b = 0; b < 65536; ++b) {
            const auto g = bf16::from_bits(static_cast<std::uint16_t>(b));
            const auto h = fp16::from_bits(static_cast<std::uint16_t>(b));
            const double gx = g.to_float(), hx = h.to_float();
            std::string why;
            const bool ok =
                // across the 16-bit formats (on the device: two hops through fp32, one rounding)
                same(convert<fp16>(g, m).bits, oracle_fp16(gx, m), why) &&
                same(convert<bf16>(h, m).bits, oracle_bf16(hx, m), why) &&
                // to int32
                same(convert<std::int32_t>(g, m), oracle_int32(gx, m), why) &&
                same(convert<std::int32_t>(h, m), oracle_int32(hx, m), why) &&
                // widening to fp32 is exact; NaN becomes canonical
                same(u32(convert<float>(g, m)), std::isnan(gx) ? 0x7fc00000u : b << 16, why) &&
                same(u32(convert<float>(h, m)), std::isnan(hx) ? 0x7fc00000u : u32(h.to_float()), why) &&
                // to the same format: the identity, NaN canonical
                same(convert<bf16>(g, m).bits, std::isnan(gx) ? 0x7fc0u : b, why) &&
                same(convert<fp16>(h, m).bits, std::isnan(hx) ? 0x7e00u : b, why);
            if (!ok && bad++ == 0)
                first = hex(b) + ": " + why;
        }
        INFO("mode " << ptoref::to_string(m) << ", first failure " << first);
        CHECK(bad == 0);
    }
}

// ---- the fast path ----------------------------------------------------------------------------

TEST_CASE("the fast fp32 -> bf16 path equals the generic definition (strided; all 2^32 in test_convert_bf16)")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        std::string first;
        const auto bad = strided(
            stride,
            [&](std::uint32_t u, std::string& why) {
                return same(
                    ptoref::detail::f32_to_bf16_bits(u, m),
                    ptoref::detail::round_to_format(ptoref::detail::decompose(f32(u)), m, ptoref::detail::bf16_format),
                    why);
            },
            first);
        INFO("mode " << ptoref::to_string(m) << ", first failure " << first);
        CHECK(bad == 0);
    }
}

// ---- named cases, by bit pattern ---------------------------------------------------------------

TEST_CASE("the default mode is round (ties away from zero)")
{
    CHECK(convert<bf16>(f32(0x3f808000u)).bits == 0x3f81);
    CHECK(convert<bf16>(f32(0xbf808000u)).bits == 0xbf81);
    CHECK(convert<fp16>(f32(0x3f801000u)).bits == 0x3c01); // 1 + 2^-11: an fp16 tie
    CHECK(convert<std::int32_t>(2.5f) == 3);
    CHECK(convert<std::int32_t>(-0.5f) == -1);
    CHECK(convert<float>(16777217) == 16777218.0f); // 2^24 + 1: an fp32 tie
}

struct named_case {
    std::uint32_t in;
    cast_mode mode;
    std::uint32_t want;
    const char* what;
};

TEST_CASE("named fp32 -> bf16 cases by bit pattern")
{
    using enum cast_mode;
    const named_case cases[] = {
        // 1 + 2^-8 is an exact tie: ties-away (the default) and ties-to-even differ.
        {0x3f808000u, round, 0x3f81, "tie, away from zero"},
        {0x3f808000u, rint, 0x3f80, "tie, to even (down)"},
        {0x3f808000u, none, 0x3f80, "none behaves as rint"},
        {0x3f818000u, rint, 0x3f82, "tie, to even (up)"},
        {0x3f818000u, round, 0x3f82, "tie, away"},
        {0x3f808000u, odd, 0x3f81, "tie, to odd"},
        {0x3f818000u, odd, 0x3f81, "tie, to odd (down)"},
        {0x3f807fffu, round, 0x3f80, "just below a tie"},
        {0x3f808001u, rint, 0x3f81, "just above a tie"},
        // negative ties
        {0xbf808000u, round, 0xbf81, "negative tie, away"},
        {0xbf808000u, rint, 0xbf80, "negative tie, even"},
        {0xbf818000u, rint, 0xbf82, "negative tie, even (up in magnitude)"},
        {0xbf808000u, floor, 0xbf81, "floor goes away from zero for negatives"},
        {0xbf808000u, ceil, 0xbf80, "ceil goes toward zero for negatives"},
        {0xbf808000u, trunc, 0xbf80, "trunc"},
        {0x3f800001u, ceil, 0x3f81, "ceil of the smallest excess"},
        {0x3f800001u, floor, 0x3f80, "floor"},
        {0x3f800001u, odd, 0x3f81, "odd: inexact sets the last bit"},
        {0x3f810001u, odd, 0x3f81, "odd: last bit already set"},
        {0x3f800000u, odd, 0x3f80, "odd: exact values stay"},
        // the largest finite float under every mode
        {0x7f7fffffu, none, 0x7f80, "max float, none -> inf"},
        {0x7f7fffffu, rint, 0x7f80, "max float, rint -> inf"},
        {0x7f7fffffu, round, 0x7f80, "max float, round -> inf"},
        {0x7f7fffffu, floor, 0x7f7f, "max float, floor -> largest finite"},
        {0x7f7fffffu, ceil, 0x7f80, "max float, ceil -> inf"},
        {0x7f7fffffu, trunc, 0x7f7f, "max float, trunc -> largest finite"},
        {0x7f7fffffu, odd, 0x7f7f, "max float, odd -> largest finite"},
        {0xff7fffffu, none, 0xff80, "-max float, none -> -inf"},
        {0xff7fffffu, rint, 0xff80, "-max float, rint -> -inf"},
        {0xff7fffffu, round, 0xff80, "-max float, round -> -inf"},
        {0xff7fffffu, floor, 0xff80, "-max float, floor -> -inf"},
        {0xff7fffffu, ceil, 0xff7f, "-max float, ceil -> -largest finite"},
        {0xff7fffffu, trunc, 0xff7f, "-max float, trunc"},
        {0xff7fffffu, odd, 0xff7f, "-max float, odd"},
        // just below / at the bf16 overflow threshold (largest bf16 + half an ulp = 0x7f7f8000)
        {0x7f7f7fffu, rint, 0x7f7f, "below the threshold stays finite"},
        {0x7f7f7fffu, round, 0x7f7f, "below the threshold stays finite"},
        {0x7f7f7fffu, ceil, 0x7f80, "ceil overflows"},
        {0x7f7f8000u, rint, 0x7f80, "the threshold itself: tie, even is 2^128 -> inf"},
        {0x7f7f8000u, round, 0x7f80, "the threshold itself: tie away -> inf"},
        {0x7f7f8000u, trunc, 0x7f7f, "the threshold, trunc"},
        {0x7f7f0000u, ceil, 0x7f7f, "the largest bf16 is exact in every mode"},
        // subnormal fp32 inputs: kept and rounded, up to the smallest normal
        {0x00010000u, rint, 0x0001, "smallest bf16 subnormal is exact"},
        {0x00008000u, round, 0x0001, "half the smallest subnormal, away -> smallest"},
        {0x00008000u, rint, 0x0000, "half the smallest subnormal, even -> 0"},
        {0x00007fffu, round, 0x0000, "below half -> 0"},
        {0x00000001u, ceil, 0x0001, "smallest fp32 subnormal, ceil"},
        {0x00000001u, odd, 0x0001, "smallest fp32 subnormal, odd"},
        {0x00000001u, floor, 0x0000, "smallest fp32 subnormal, floor"},
        {0x00018000u, rint, 0x0002, "subnormal tie to even (up)"},
        {0x007f8000u, rint, 0x0080, "tie between the largest subnormal and the smallest normal"},
        {0x007f8000u, trunc, 0x007f, "largest subnormal"},
        {0x007fffffu, rint, 0x0080, "largest fp32 subnormal rounds up to the smallest normal"},
        {0x007fffffu, trunc, 0x007f, "largest fp32 subnormal, trunc"},
        {0x807fffffu, floor, 0x8080, "negative subnormal, floor -> -smallest normal"},
        // signed zeros
        {0x80000000u, rint, 0x8000, "-0 stays -0"},
        {0x80000000u, ceil, 0x8000, "-0 stays -0 (ceil)"},
        {0x80000000u, floor, 0x8000, "-0 stays -0 (floor)"},
        {0x80000001u, rint, 0x8000, "tiny negative rounds to -0"},
        {0x80000001u, ceil, 0x8000, "tiny negative, ceil -> -0"},
        {0x80000001u, floor, 0x8001, "tiny negative, floor -> -smallest subnormal"},
        {0x00000000u, floor, 0x0000, "+0 stays +0"},
        // infinities and NaNs
        {0x7f800000u, trunc, 0x7f80, "+inf"},
        {0xff800000u, rint, 0xff80, "-inf"},
        {0xffc12345u, round, 0x7fc0, "negative quiet NaN with payload -> canonical"},
        {0x7fc00001u, rint, 0x7fc0, "quiet NaN with low payload -> canonical"},
        {0x7f800001u, trunc, 0x7fc0, "signalling NaN whose top half looks like inf -> NaN, not inf"},
        {0x7f80ffffu, floor, 0x7fc0, "signalling NaN whose top half looks like inf -> NaN"},
        {0xff80ffffu, odd, 0x7fc0, "negative signalling NaN -> canonical"},
        {0x7fffffffu, ceil, 0x7fc0, "all-ones NaN; ceil must not carry into the sign"},
    };
    for (const auto& c : cases) {
        INFO(c.what << ": " << hex(c.in) << " mode " << ptoref::to_string(c.mode));
        CHECK(to_bf16(c.in, c.mode) == c.want);
        CHECK(ptoref::detail::f32_to_bf16_bits(c.in, c.mode) == c.want);
        CHECK(ptoref::detail::round_to_format(ptoref::detail::decompose(f32(c.in)), c.mode,
                                              ptoref::detail::bf16_format) == c.want);
    }
}

TEST_CASE("named fp32 -> fp16 cases by bit pattern")
{
    using enum cast_mode;
    const named_case cases[] = {
        {0x3f801000u, rint, 0x3c00, "1 + 2^-11: tie to even"},
        {0x3f801000u, round, 0x3c01, "1 + 2^-11: tie away"},
        {0x3f803000u, rint, 0x3c02, "tie to even (up)"},
        {0xbf801000u, round, 0xbc01, "negative tie away"},
        {0x477fe000u, rint, 0x7bff, "65504 is the largest finite"},
        {0x477fefffu, rint, 0x7bff, "just below the overflow threshold 65520"},
        {0x477ff000u, rint, 0x7c00, "65520: tie, even is 2^16 -> inf"},
        {0x477ff000u, round, 0x7c00, "65520: tie away -> inf"},
        {0x477ff000u, trunc, 0x7bff, "65520, trunc"},
        {0x477ff000u, odd, 0x7bff, "65520, odd"},
        {0x47800000u, floor, 0x7bff, "65536, floor -> largest finite"},
        {0x47800000u, ceil, 0x7c00, "65536, ceil -> inf"},
        {0xc7800000u, floor, 0xfc00, "-65536, floor -> -inf"},
        {0xc7800000u, ceil, 0xfbff, "-65536, ceil -> -largest finite"},
        {0x7f7fffffu, trunc, 0x7bff, "max float, trunc"},
        {0x7f7fffffu, none, 0x7c00, "max float, none -> inf"},
        {0x33800000u, rint, 0x0001, "2^-24: smallest subnormal, exact"},
        {0x33000000u, rint, 0x0000, "2^-25: tie, even -> 0"},
        {0x33000000u, round, 0x0001, "2^-25: tie away -> smallest subnormal"},
        {0x33000000u, odd, 0x0001, "2^-25: odd"},
        {0xb3000000u, rint, 0x8000, "-2^-25: even -> -0"},
        {0xb3000000u, floor, 0x8001, "-2^-25: floor"},
        {0x32ffffffu, round, 0x0000, "just below 2^-25"},
        {0x00000001u, ceil, 0x0001, "smallest fp32 subnormal, ceil"},
        {0x00000001u, rint, 0x0000, "smallest fp32 subnormal, rint"},
        {0x387fffffu, rint, 0x0400, "just below 2^-14 rounds up to the smallest normal"},
        {0x387fffffu, trunc, 0x03ff, "just below 2^-14, trunc -> largest subnormal"},
        {0x80000000u, round, 0x8000, "-0"},
        {0x7f800000u, round, 0x7c00, "+inf"},
        {0xff800000u, trunc, 0xfc00, "-inf"},
        {0xffc12345u, round, 0x7e00, "NaN -> canonical"},
        {0x7f800001u, trunc, 0x7e00, "signalling NaN -> canonical"},
    };
    for (const auto& c : cases) {
        INFO(c.what << ": " << hex(c.in) << " mode " << ptoref::to_string(c.mode));
        CHECK(to_fp16(c.in, c.mode) == c.want);
    }
}

TEST_CASE("named conversions to int32: ties, saturation, NaN, signed zero")
{
    using enum cast_mode;
    struct int_case {
        float in;
        cast_mode mode;
        std::int32_t want;
    };
    const float inf = std::numeric_limits<float>::infinity();
    const int_case cases[] = {
        {2.5f, rint, 2},
        {2.5f, round, 3},
        {2.5f, odd, 3},
        {3.5f, odd, 3},
        {3.5f, rint, 4},
        {-2.5f, rint, -2},
        {-2.5f, round, -3},
        {-2.5f, floor, -3},
        {-2.5f, ceil, -2},
        {-2.5f, trunc, -2},
        {-2.5f, odd, -3},
        {0.5f, round, 1},
        {0.5f, rint, 0},
        {-0.5f, rint, 0},
        {0.49999997f, round, 0},
        {-0.0f, floor, 0},
        {1e-45f, ceil, 1},
        {-1e-45f, floor, -1},
        {1e-45f, odd, 1},
        {1e-45f, trunc, 0},
        {2147483520.0f, rint, 2147483520}, // the largest float below 2^31 is exact
        {2147483648.0f, rint, INT32_MAX},  // 2^31 saturates
        {2147483648.0f, floor, INT32_MAX},
        {-2147483648.0f, rint, INT32_MIN}, // -2^31 is exact
        {-2147483904.0f, ceil, INT32_MIN}, // the next float below -2^31 saturates
        {3e9f, trunc, INT32_MAX},
        {-3e9f, odd, INT32_MIN},
        {inf, round, INT32_MAX},
        {-inf, round, INT32_MIN},
        {std::numeric_limits<float>::max(), ceil, INT32_MAX},
    };
    for (const auto& c : cases) {
        INFO(c.in << " mode " << ptoref::to_string(c.mode));
        CHECK(convert<std::int32_t>(c.in, c.mode) == c.want);
    }
    for (cast_mode m : ptoref::all_cast_modes) {
        INFO("mode " << ptoref::to_string(m));
        CHECK(convert<std::int32_t>(f32(0x7fc00000u), m) == 0);
        CHECK(convert<std::int32_t>(f32(0xffc12345u), m) == 0);
        CHECK(convert<std::int32_t>(f32(0x7f800001u), m) == 0);
        CHECK(convert<std::int32_t>(bf16::from_bits(0xff81), m) == 0);
        CHECK(convert<std::int32_t>(fp16::from_bits(0x7e01), m) == 0);
    }
}

TEST_CASE("named int32 -> float cases")
{
    using enum cast_mode;
    CHECK(convert<float>(16777217, rint) == 16777216.0f);
    CHECK(convert<float>(16777217, round) == 16777218.0f);
    CHECK(convert<float>(16777217, trunc) == 16777216.0f);
    CHECK(convert<float>(16777217, odd) == 16777218.0f);
    CHECK(convert<float>(-16777217, floor) == -16777218.0f);
    CHECK(convert<float>(16777219, rint) == 16777220.0f); // tie to even upward
    CHECK(convert<float>(INT32_MAX, rint) == 2147483648.0f);
    CHECK(convert<float>(INT32_MAX, trunc) == 2147483520.0f);
    for (cast_mode m : ptoref::all_cast_modes) {
        INFO("mode " << ptoref::to_string(m));
        CHECK(u32(convert<float>(INT32_MIN, m)) == 0xcf000000u); // -2^31, exact
        CHECK(convert<bf16>(INT32_MIN, m).bits == 0xcf00);
        CHECK(u32(convert<float>(0, m)) == 0u); // integer zero is +0
        CHECK(convert<fp16>(0, m).bits == 0);
    }
    CHECK(convert<bf16>(257, rint).bits == 0x4380);  // 257 = 256 + 1: tie, to even 256
    CHECK(convert<bf16>(257, round).bits == 0x4381); // away: 258
    CHECK(convert<bf16>(INT32_MAX, trunc).bits == 0x4eff);
    CHECK(convert<bf16>(INT32_MAX, rint).bits == 0x4f00);
    CHECK(convert<fp16>(65520, rint).bits == 0x7c00);
    CHECK(convert<fp16>(65519, rint).bits == 0x7bff);
    CHECK(convert<fp16>(70000, trunc).bits == 0x7bff);
    CHECK(convert<fp16>(-70000, floor).bits == 0xfc00);
    CHECK(convert<fp16>(INT32_MAX, odd).bits == 0x7bff);
    CHECK(convert<fp16>(2049, rint).bits == 0x6800); // 2048 + 1: tie, even
    CHECK(convert<fp16>(2049, round).bits == 0x6801);
}

TEST_CASE("named 16-bit -> 16-bit cases")
{
    using enum cast_mode;
    // bf16 -> fp16: out of range, subnormal results, NaN
    CHECK(convert<fp16>(bf16::from_bits(0x4780), rint).bits == 0x7c00);  // 65536 -> inf
    CHECK(convert<fp16>(bf16::from_bits(0x4780), trunc).bits == 0x7bff); // 65536 -> 65504
    CHECK(convert<fp16>(bf16::from_bits(0x477f), rint).bits == 0x7bf8);  // 65280, exact
    CHECK(convert<fp16>(bf16::from_bits(0x3380), rint).bits == 0x0001);  // 2^-24
    CHECK(convert<fp16>(bf16::from_bits(0x3300), rint).bits == 0x0000);  // 2^-25 tie -> 0
    CHECK(convert<fp16>(bf16::from_bits(0x3300), round).bits == 0x0001);
    CHECK(convert<fp16>(bf16::from_bits(0x0001), ceil).bits == 0x0001); // far below: directed up
    CHECK(convert<fp16>(bf16::from_bits(0x8001), rint).bits == 0x8000); // -> -0
    CHECK(convert<fp16>(bf16::from_bits(0xffc1), rint).bits == 0x7e00);
    CHECK(convert<fp16>(bf16::from_bits(0x3f81), rint).bits == 0x3c08); // exact: bf16 has fewer digits
    // fp16 -> bf16: 1 + 2^-10 does not fit 8 bits
    CHECK(convert<bf16>(fp16::from_bits(0x3c01), rint).bits == 0x3f80);
    CHECK(convert<bf16>(fp16::from_bits(0x3c01), ceil).bits == 0x3f81);
    CHECK(convert<bf16>(fp16::from_bits(0x3c04), rint).bits == 0x3f80); // 1 + 2^-8: tie, even
    CHECK(convert<bf16>(fp16::from_bits(0x3c04), round).bits == 0x3f81);
    CHECK(convert<bf16>(fp16::from_bits(0x0001), rint).bits == 0x3380); // subnormal half -> normal bf16
    CHECK(convert<bf16>(fp16::from_bits(0x7bff), rint).bits == 0x4780); // 65504 -> 65536
    CHECK(convert<bf16>(fp16::from_bits(0x7bff), trunc).bits == 0x477f);
    CHECK(convert<bf16>(fp16::from_bits(0xfc00), rint).bits == 0xff80);
    CHECK(convert<bf16>(fp16::from_bits(0x7c01), rint).bits == 0x7fc0);
    CHECK(convert<bf16>(fp16::from_bits(0x8000), floor).bits == 0x8000);
}

TEST_CASE("convert is constexpr and noexcept")
{
    static_assert(convert<bf16>(1.0f).bits == 0x3f80);
    static_assert(convert<bf16>(std::bit_cast<float>(0x3f808000u)).bits == 0x3f81);
    static_assert(convert<fp16>(65520.0f, cast_mode::trunc).bits == 0x7bff);
    static_assert(convert<std::int32_t>(-2.5f, cast_mode::rint) == -2);
    static_assert(convert<float>(bf16::from_bits(0x4049)) == 3.140625f);
    static_assert(noexcept(convert<fp16>(1.0f)));
    static_assert(std::is_same_v<decltype(convert<bf16>(1)), bf16>);
    SUCCEED("checked at compile time");
}

// mode none into INT32 truncates (semantics.md §0 point 2): every fp32 input, against std::trunc
// plus saturation (the oracle), and equal to mode trunc bit for bit.
TEST_CASE("fp32 -> int32 mode none is trunc on all 2^32 inputs", "[.][exhaustive]")
{
    std::vector<std::uint32_t> first;
    const std::uint64_t bad = ptoref_test::for_all_floats(
        [](std::uint32_t u) {
            const float x = f32(u);
            const std::int32_t got = convert<std::int32_t>(x, cast_mode::none);
            return got == oracle_int32(x, cast_mode::trunc) && got == convert<std::int32_t>(x, cast_mode::trunc);
        },
        first);
    for (std::uint32_t u : first)
        UNSCOPED_INFO("input bits " << hex(u));
    CHECK(bad == 0);
}
