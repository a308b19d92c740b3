// A slow, obvious oracle for pl::cast between every pair of element types (test helper).
//
// Shares no code with core/convert.hpp or core/cast_chain.hpp: values are long doubles (64-bit
// significand on x86, so every INT64 and every float of every format is exact), the two
// neighbours of a value in a float format come from floor() of an exact power-of-two scaling,
// and integers round with floor() and exact comparisons. The A2A3 chains and the saturation
// rules are restated here from docs/semantics.md §3.10 (from pypto's LegalizeTileCast table and
// pto-isa's TCvt.hpp), not read from the library.
#pragma once

#include <ptoref/core/cast_mode.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cast_oracle {

static_assert(std::numeric_limits<long double>::digits >= 64, "the oracle needs an x87 long double");

using ptoref::cast_mode;
using ld = long double;

enum class D { f32, bf16, f16, i32, i8, i64, u8, u32, e4m3, e5m2 };
inline constexpr D all_d[] = {D::f32, D::bf16, D::f16, D::i32, D::i8, D::i64, D::u8, D::u32, D::e4m3, D::e5m2};

inline std::string name(D d)
{
    const char* n[] = {"FP32", "BF16", "FP16", "INT32", "INT8", "INT64", "UINT8", "UINT32", "FP8E4M3FN", "FP8E5M2"};
    return n[static_cast<int>(d)];
}

struct fmt {
    int p, emin, emax, ebits;
    bool has_inf;
    std::uint32_t nan;
    ld max; // largest finite
};
inline bool is_float(D d)
{
    return d == D::f32 || d == D::bf16 || d == D::f16 || d == D::e4m3 || d == D::e5m2;
}
inline fmt format(D d)
{
    switch (d) {
    case D::f32:
        return {24, -126, 127, 8, true, 0x7fc00000u, std::ldexp(ld(2) - std::ldexp(ld(1), -23), 127)};
    case D::bf16:
        return {8, -126, 127, 8, true, 0x7fc0u, std::ldexp(ld(2) - std::ldexp(ld(1), -7), 127)};
    case D::f16:
        return {11, -14, 15, 5, true, 0x7e00u, 65504};
    case D::e5m2:
        return {3, -14, 15, 5, true, 0x7eu, 57344};
    default:
        return {4, -6, 8, 4, false, 0x7fu, 448};
    }
}
struct irange {
    ld lo, hi;
    int bits;
};
inline irange int_range(D d)
{
    switch (d) {
    case D::i8:
        return {-128, 127, 8};
    case D::u8:
        return {0, 255, 8};
    case D::i32:
        return {-2147483648.0L, 2147483647.0L, 32};
    case D::u32:
        return {0, 4294967295.0L, 32};
    default:
        return {-9223372036854775808.0L, 9223372036854775807.0L, 64};
    }
}

// A value of some type: NaN, or an exact long double (signed zeros and infinities included).
struct val {
    bool nan = false;
    ld v = 0;
};

inline bool nearest(cast_mode m)
{
    return m == cast_mode::none || m == cast_mode::rint || m == cast_mode::round;
}

// x (not NaN) rounded into float format f under m, as a value (inf where the format overflows
// to inf; NaN for e4m3fn's "inf").
inline val round_float(ld x, cast_mode m, const fmt& f)
{
    if (std::isinf(x))
        return f.has_inf ? val{false, x} : val{true, 0};
    if (x == 0)
        return {false, x};
    const bool neg = std::signbit(x);
    const ld ax = std::fabs(x);
    const int e = std::max(std::ilogb(ax), f.emin);
    const ld ulp = std::ldexp(ld(1), e - (f.p - 1));
    const ld k = std::floor(ax / ulp);
    const ld lo = k * ulp, hi = (k + 1) * ulp;
    ld r = lo;
    if (lo != ax) {
        const ld below = ax - lo, above = hi - ax;
        const bool k_odd = std::fmod(k, ld(2)) != 0;
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
            up = !k_odd;
            break;
        }
        r = up ? hi : lo;
    }
    if (r > f.max) { // overflow, decided as IEEE 754 does for the mode
        const bool to_inf = nearest(m) || (m == cast_mode::floor && neg) || (m == cast_mode::ceil && !neg);
        if (!to_inf)
            r = f.max;
        else if (!f.has_inf)
            return {true, 0};
        else
            r = std::numeric_limits<ld>::infinity();
    }
    return {false, neg ? -r : r};
}

// x rounded to an integer under m (none = trunc), then wrapped or clamped into d.
inline val round_int(val x, cast_mode m, D d, bool wrap)
{
    const irange r = int_range(d);
    if (x.nan)
        return {false, 0};
    if (std::isinf(x.v))
        return {false, x.v < 0 ? r.lo : r.hi};
    if (m == cast_mode::none)
        m = cast_mode::trunc;
    const ld fl = std::floor(x.v), frac = x.v - fl;
    ld n = fl;
    if (frac != 0) {
        switch (m) {
        case cast_mode::rint:
            n = frac > 0.5L || (frac == 0.5L && std::fmod(fl, ld(2)) != 0) ? fl + 1 : fl;
            break;
        case cast_mode::round:
            n = frac > 0.5L || (frac == 0.5L && x.v > 0) ? fl + 1 : fl;
            break;
        case cast_mode::floor:
            n = fl;
            break;
        case cast_mode::ceil:
            n = fl + 1;
            break;
        case cast_mode::odd: // the odd one of the two neighbours
            n = std::fmod(fl, ld(2)) != 0 ? fl : fl + 1;
            break;
        default: // trunc
            n = x.v < 0 ? fl + 1 : fl;
            break;
        }
    }
    if (wrap) {
        const ld mod = std::ldexp(ld(1), r.bits);
        ld w = std::fmod(n, mod); // exact
        if (w < 0)
            w += mod;
        if (w > r.hi)
            w -= mod;
        return {false, w};
    }
    return {false, n < r.lo ? r.lo : (n > r.hi ? r.hi : n + 0)}; // + 0: no -0 in an integer
}

inline bool wraps(D from, D to)
{
    return (from == D::f16 && (to == D::i8 || to == D::u8)) || (from == D::i64 && to == D::i32);
}

// One hop: the exact value rounded once into `to`.
inline val hop(val x, D from, D to, cast_mode m)
{
    if (!is_float(to))
        return round_int(x, m, to, wraps(from, to));
    if (x.nan)
        return x;
    return round_float(x.v, m == cast_mode::none ? cast_mode::rint : m, format(to));
}

// The A2A3 chain's intermediate types (docs/semantics.md §3.10).
inline std::vector<D> via(D from, D to)
{
    const bool to8 = to == D::i8 || to == D::u8;
    if ((from == D::e4m3 || from == D::e5m2) && to != D::f32 && to != D::e4m3 && to != D::e5m2) {
        std::vector<D> v{D::f32};
        for (D d : via(D::f32, to))
            v.push_back(d);
        return v;
    }
    if (to8 && (from == D::f32 || from == D::i32))
        return {D::f16};
    if (to8 && (from == D::bf16 || from == D::i64))
        return {D::f32, D::f16};
    if ((from == D::i8 && to == D::u8) || (from == D::u8 && to == D::i8))
        return {D::f16};
    if ((from == D::bf16 && to == D::f16) || (from == D::f16 && to == D::bf16) ||
        (to == D::bf16 && (from == D::i32 || from == D::i64)) || (from == D::i64 && to == D::f16))
        return {D::f32};
    return {};
}

inline val cast(val x, D from, D to, cast_mode m)
{
    D cur = from;
    for (D d : via(from, to)) {
        x = hop(x, cur, d, m);
        cur = d;
    }
    return hop(x, cur, to, m);
}

// ---- bits <-> values ----------------------------------------------------------------------

inline val decode(D d, std::uint64_t b)
{
    if (!is_float(d)) {
        const irange r = int_range(d);
        const ld mod = std::ldexp(ld(1), r.bits);
        ld v = static_cast<ld>(b);
        if (r.lo < 0 && v > r.hi)
            v -= mod;
        return {false, v};
    }
    const fmt f = format(d);
    const int mbits = f.p - 1, total = 1 + f.ebits + mbits;
    const bool neg = (b >> (total - 1)) & 1;
    const std::uint64_t e = (b >> mbits) & ((1u << f.ebits) - 1), man = b & ((1u << mbits) - 1);
    const std::uint64_t eall = (1u << f.ebits) - 1;
    ld v;
    if (f.has_inf && e == eall) {
        if (man != 0)
            return {true, 0};
        v = std::numeric_limits<ld>::infinity();
    } else if (!f.has_inf && e == eall && man == (1u << mbits) - 1) {
        return {true, 0};
    } else {
        const int bias = (1 << (f.ebits - 1)) - 1;
        v = e == 0 ? std::ldexp(static_cast<ld>(man), 1 - bias - mbits)
                   : std::ldexp(static_cast<ld>(man + (1u << mbits)), static_cast<int>(e) - bias - mbits);
    }
    return {false, neg ? -v : v};
}

inline std::uint64_t encode(D d, val x)
{
    if (!is_float(d)) {
        const irange r = int_range(d);
        ld v = x.v;
        if (v < 0)
            v += std::ldexp(ld(1), r.bits);
        return static_cast<std::uint64_t>(v);
    }
    const fmt f = format(d);
    if (x.nan)
        return f.nan;
    const int mbits = f.p - 1, total = 1 + f.ebits + mbits;
    const std::uint64_t sign = std::signbit(x.v) ? (1ull << (total - 1)) : 0;
    const ld ax = std::fabs(x.v);
    const int bias = (1 << (f.ebits - 1)) - 1;
    if (std::isinf(ax))
        return sign | (((1ull << f.ebits) - 1) << mbits);
    if (ax == 0)
        return sign;
    const int e = std::ilogb(ax);
    if (e < f.emin)
        return sign | static_cast<std::uint64_t>(std::ldexp(ax, bias - 1 + mbits));
    const auto sig = static_cast<std::uint64_t>(std::ldexp(ax, mbits - e));
    return sign | (static_cast<std::uint64_t>(e + bias) << mbits) | (sig - (1ull << mbits));
}

} // namespace cast_oracle
