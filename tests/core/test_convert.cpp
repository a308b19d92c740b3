// The cast semantics against a slow oracle that knows nothing of the bit tricks: it finds the
// two neighbouring representable values by search and applies the mode's definition.
#include <ptoref/core/convert.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <limits>
#include <vector>

using ptoref::bf16;
using ptoref::cast_mode;
using ptoref::convert;
using ptoref::fp16;

namespace {


// Representable finite non-negative values of a 16-bit format, with their bit patterns.
struct format_table {
    std::vector<std::pair<double, std::uint16_t>> pos; // ascending, +0 first
    double max_finite = 0;
    std::uint16_t inf_bits = 0;
};

template <class T>
format_table make_table()
{
    format_table t;
    for (std::uint32_t b = 0; b < 0x8000; ++b) {
        const float f = T::from_bits(static_cast<std::uint16_t>(b)).to_float();
        if (std::isinf(f))
            t.inf_bits = static_cast<std::uint16_t>(b);
        if (std::isfinite(f))
            t.pos.push_back({static_cast<double>(f), static_cast<std::uint16_t>(b)});
    }
    std::sort(t.pos.begin(), t.pos.end());
    t.max_finite = t.pos.back().first;
    return t;
}

// Applies the rounding mode to |x| between representable neighbours lo < |x| < hi.
bool choose_hi(cast_mode mode, bool neg, double ax, double lo, double hi, bool hi_odd)
{
    const double dlo = ax - lo, dhi = hi - ax;
    switch (mode) {
    case cast_mode::none:
    case cast_mode::rint:
        return dhi < dlo || (dhi == dlo && !hi_odd);
    case cast_mode::round:
        return dhi <= dlo;
    case cast_mode::floor:
        return neg;
    case cast_mode::ceil:
        return !neg;
    case cast_mode::trunc:
        return false;
    case cast_mode::odd:
        return hi_odd;
    }
    return false;
}

template <class T>
std::uint16_t oracle16(double x, cast_mode mode, const format_table& t, std::uint16_t nan_bits)
{
    if (std::isnan(x))
        return nan_bits;
    const bool neg = std::signbit(x);
    const std::uint16_t sign = neg ? 0x8000 : 0;
    const double ax = std::fabs(x);
    if (std::isinf(ax))
        return sign | t.inf_bits;
    auto it = std::lower_bound(t.pos.begin(), t.pos.end(), std::make_pair(ax, std::uint16_t{0}));
    if (it != t.pos.end() && it->first == ax)
        return sign | it->second;
    if (it == t.pos.end()) { // beyond the largest finite value: "hi" is infinity at 2^(emax+1)
        const double lo = t.max_finite;
        const double hi = std::ldexp(1.0, std::ilogb(lo) + 1);
        const bool up = choose_hi(mode, neg, ax, lo, hi, false);
        if (ax >= hi) // past the next binade entirely
            return sign | (mode == cast_mode::trunc || mode == cast_mode::odd || (mode == cast_mode::floor && !neg) ||
                                   (mode == cast_mode::ceil && neg)
                               ? t.pos.back().second
                               : t.inf_bits);
        return sign | (up ? t.inf_bits : t.pos.back().second);
    }
    const auto lo = *(it - 1), hi = *it;
    return sign | (choose_hi(mode, neg, ax, lo.first, hi.first, hi.second & 1) ? hi.second : lo.second);
}

std::int32_t oracle_int(double x, cast_mode mode)
{
    if (std::isnan(x))
        return 0;
    double r = 0;
    switch (mode) {
    case cast_mode::none:
    case cast_mode::rint:
        r = std::nearbyint(x);
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
    case cast_mode::trunc:
        r = std::trunc(x);
        break;
    case cast_mode::odd: {
        const double f = std::floor(x), c = std::ceil(x);
        r = f == c ? f : (std::fmod(f, 2.0) != 0 ? f : c);
        break;
    }
    }
    if (r < static_cast<double>(INT32_MIN))
        return INT32_MIN;
    if (r > static_cast<double>(INT32_MAX))
        return INT32_MAX;
    return static_cast<std::int32_t>(r);
}

// fp32 targets: neighbours by nextafter.
std::uint32_t oracle_f32(double x, cast_mode mode)
{
    const float f = static_cast<float>(x);
    if (static_cast<double>(f) == x)
        return std::bit_cast<std::uint32_t>(f);
    const bool neg = x < 0;
    const double ax = std::fabs(x);
    const float af = std::fabs(f);
    const float lo = static_cast<double>(af) < ax ? af : std::nextafter(af, 0.0f);
    const float hi = std::nextafter(lo, std::numeric_limits<float>::infinity());
    const bool up = choose_hi(mode, neg, ax, lo, hi, std::bit_cast<std::uint32_t>(hi) & 1u);
    const float r = up ? hi : lo;
    return std::bit_cast<std::uint32_t>(neg ? -r : r);
}

std::uint32_t mix(ptoref::testing::splitmix64& s)
{
    return static_cast<std::uint32_t>(s.next());
}

} // namespace

TEST_CASE("fp32 -> bf16 and fp16 agree with the oracle for every mode (strided sweep of all patterns)")
{
    const format_table tb = make_table<bf16>(), th = make_table<fp16>();
    for (cast_mode mode : ptoref::all_cast_modes) {
        std::uint64_t bad_b = 0, bad_h = 0;
        for (std::uint64_t b = 0; b < (1ull << 32); b += 251) { // 17 million inputs, every region
            const float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
            bad_b += convert<bf16>(x, mode).bits != oracle16<bf16>(x, mode, tb, 0x7fc0);
            bad_h += convert<fp16>(x, mode).bits != oracle16<fp16>(x, mode, th, 0x7e00);
        }
        INFO("mode " << ptoref::to_string(mode));
        CHECK(bad_b == 0);
        CHECK(bad_h == 0);
    }
}

TEST_CASE("named fp32 -> bf16 cases by bit pattern")
{
    auto b = [](std::uint32_t u, cast_mode m) { return convert<bf16>(std::bit_cast<float>(u), m).bits; };
    // 1 + 2^-8 is a tie: ties-away (the DSL default) and ties-to-even differ.
    CHECK(b(0x3f808000u, cast_mode::round) == 0x3f81);
    CHECK(b(0x3f808000u, cast_mode::rint) == 0x3f80);
    CHECK(convert<bf16>(std::bit_cast<float>(0x3f808000u)).bits == 0x3f81); // default mode
    CHECK(b(0x3f818000u, cast_mode::rint) == 0x3f82);                       // tie to even upward
    CHECK(b(0xbf808000u, cast_mode::round) == 0xbf81);
    CHECK(b(0xbf808000u, cast_mode::floor) == 0xbf81);
    CHECK(b(0xbf808000u, cast_mode::ceil) == 0xbf80);
    CHECK(b(0x3f800001u, cast_mode::odd) == 0x3f81);
    CHECK(b(0x3f810001u, cast_mode::odd) == 0x3f81);
    // The largest float under every mode.
    CHECK(b(0x7f7fffffu, cast_mode::rint) == 0x7f80);
    CHECK(b(0x7f7fffffu, cast_mode::round) == 0x7f80);
    CHECK(b(0x7f7fffffu, cast_mode::trunc) == 0x7f7f);
    CHECK(b(0x7f7fffffu, cast_mode::floor) == 0x7f7f);
    CHECK(b(0x7f7fffffu, cast_mode::ceil) == 0x7f80);
    CHECK(b(0x7f7fffffu, cast_mode::odd) == 0x7f7f);
    CHECK(b(0xff7fffffu, cast_mode::floor) == 0xff80);
    CHECK(b(0x7f7f7fffu, cast_mode::rint) == 0x7f7f); // just below the overflow threshold
    // Subnormals are kept: rounded, and up into the smallest normal.
    CHECK(b(0x00008000u, cast_mode::round) == 0x0001);
    CHECK(b(0x00008000u, cast_mode::rint) == 0x0000);
    CHECK(b(0x007fffffu, cast_mode::rint) == 0x0080);
    CHECK(b(0x80000001u, cast_mode::rint) == 0x8000); // -0 keeps its sign
    CHECK(b(0x80000000u, cast_mode::ceil) == 0x8000);
    // NaN -> canonical quiet NaN, sign and payload dropped.
    CHECK(b(0xffc12345u, cast_mode::round) == 0x7fc0);
    CHECK(b(0x7f800001u, cast_mode::trunc) == 0x7fc0);
    CHECK(b(0xff800000u, cast_mode::rint) == 0xff80);
}

TEST_CASE("the fast fp32 -> bf16 path equals the generic definition (sampled; exhaustive in test_convert_bf16)")
{
    ptoref::testing::splitmix64 s(1);
    for (int i = 0; i < 2000000; ++i) {
        const std::uint32_t u = mix(s);
        for (cast_mode m : ptoref::all_cast_modes)
            REQUIRE(ptoref::detail::f32_to_bf16_bits(u, m) ==
                    ptoref::detail::round_to_format(ptoref::detail::decompose(std::bit_cast<float>(u)), m,
                                                    ptoref::detail::bf16_format));
    }
}

TEST_CASE("fp32 -> int32 agrees with the oracle: rounding, saturation, NaN -> 0")
{
    ptoref::testing::splitmix64 s(7);
    for (cast_mode mode : ptoref::all_cast_modes) {
        for (int i = 0; i < 300000; ++i) {
            const std::uint32_t u = i < 1000 ? 0x4f000000u - 500u + static_cast<std::uint32_t>(i) : mix(s);
            const float x = std::bit_cast<float>(u);
            REQUIRE(convert<std::int32_t>(x, mode) == oracle_int(x, mode));
        }
        for (float x : {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2147483520.0f, 2147483648.0f, -2147483648.0f,
                        std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()})
            CHECK(convert<std::int32_t>(x, mode) == oracle_int(x, mode));
    }
    CHECK(convert<std::int32_t>(2.5f, cast_mode::round) == 3);
    CHECK(convert<std::int32_t>(2.5f, cast_mode::rint) == 2);
    CHECK(convert<std::int32_t>(2.5f, cast_mode::odd) == 3);
    CHECK(convert<std::int32_t>(std::numeric_limits<float>::quiet_NaN(), cast_mode::round) == 0);
    CHECK(convert<std::int32_t>(3e9f, cast_mode::trunc) == INT32_MAX);
}

TEST_CASE("int32 -> fp32 and -> bf16 round once, per mode")
{
    const format_table tb = make_table<bf16>();
    ptoref::testing::splitmix64 s(11);
    for (cast_mode mode : ptoref::all_cast_modes) {
        for (int i = 0; i < 200000; ++i) {
            const auto v = static_cast<std::int32_t>(mix(s) >> (i % 31));
            const std::int32_t w = (i & 1) ? -v : v;
            REQUIRE(std::bit_cast<std::uint32_t>(convert<float>(w, mode)) == oracle_f32(w, mode));
            REQUIRE(convert<bf16>(w, mode).bits == oracle16<bf16>(w, mode, tb, 0x7fc0));
        }
        CHECK(std::bit_cast<std::uint32_t>(convert<float>(INT32_MIN, mode)) == 0xcf000000u);
    }
    CHECK(convert<float>(16777217, cast_mode::rint) == 16777216.0f);
    CHECK(convert<float>(16777217, cast_mode::round) == 16777218.0f);
    CHECK(convert<float>(16777217, cast_mode::trunc) == 16777216.0f);
}

TEST_CASE("16-bit <-> 16-bit and 16-bit -> int32 conversions, all 65536 inputs, every mode")
{
    const format_table tb = make_table<bf16>(), th = make_table<fp16>();
    for (cast_mode mode : ptoref::all_cast_modes)
        for (std::uint32_t b = 0; b < 65536; ++b) {
            const auto h = fp16::from_bits(static_cast<std::uint16_t>(b));
            const auto g = bf16::from_bits(static_cast<std::uint16_t>(b));
            REQUIRE(convert<bf16>(h, mode).bits == oracle16<bf16>(h.to_float(), mode, tb, 0x7fc0));
            REQUIRE(convert<fp16>(g, mode).bits == oracle16<fp16>(g.to_float(), mode, th, 0x7e00));
            REQUIRE(convert<std::int32_t>(g, mode) == oracle_int(g.to_float(), mode));
            const float wide = convert<float>(g, mode);
            REQUIRE((std::isnan(g.to_float()) ? std::bit_cast<std::uint32_t>(wide) == 0x7fc00000u
                                              : std::bit_cast<std::uint32_t>(wide) == b << 16));
        }
}

#ifdef __FLT16_MANT_DIG__
TEST_CASE("fp32 -> fp16 rint equals the compiler's _Float16 conversion (non-NaN)")
{
    for (std::uint64_t b = 0; b < (1ull << 32); b += 97) {
        const float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
        if (std::isnan(x))
            continue;
        REQUIRE(convert<fp16>(x, cast_mode::rint).bits == std::bit_cast<std::uint16_t>(static_cast<_Float16>(x)));
    }
}
#endif
