// Shared helpers for the op tests: a flag-independent generator, bit views of tensors, and
// rounding oracles written independently of ptoref's own conversion code.
//
// The oracles work on doubles with exact operations only (power-of-two scaling, floor, and
// subtraction of numbers of the same binade), so their bits depend on no compiler flag, and
// they share no code with core/convert.hpp: agreement with them is real evidence.
#pragma once

#include <ptoref/ptoref.hpp>
#include <ptoref/testing/random.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace ops_test {

namespace pl = ptoref::pl;
using ix = ptoref::index; // (plain `index` collides with POSIX index() from <strings.h>)

class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() { return s_.next(); }
    // A float with a random sign, 16 random significand bits and an exponent in [lo, hi].
    float value(int lo = -8, int hi = 8)
    {
        const std::uint64_t r = next();
        const int e = lo + static_cast<int>(r % static_cast<std::uint64_t>(hi - lo + 1));
        const float m = 1.0f + static_cast<float>((r >> 8) & 0xffff) * 0x1p-16f;
        const float v = std::ldexp(m, e);
        return (r >> 40) & 1 ? -v : v;
    }
    std::uint32_t bits32() { return static_cast<std::uint32_t>(next()); }
    std::uint16_t bits16() { return static_cast<std::uint16_t>(next()); }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    // An integer in [lo, hi].
    std::int32_t between(std::int32_t lo, std::int32_t hi)
    {
        return static_cast<std::int32_t>(
            lo +
            static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1)));
    }
    // A mix that reaches every class of fp32 input: raw bit patterns (all classes, mostly
    // normal), subnormals, values near 1, and small integers.
    float interesting()
    {
        const std::uint64_t r = next();
        const auto lo = static_cast<std::uint32_t>(r >> 32);
        switch (r % 8) {
        case 0:
            return std::bit_cast<float>(lo & 0x807fffffu); // subnormal or zero
        case 1:
            return std::bit_cast<float>((lo & 0x80ffffffu) | 0x3f000000u); // [0.5, 2) region
        case 2:
            return static_cast<float>(static_cast<std::int32_t>(lo % 33) - 16);
        case 3:
            return std::bit_cast<float>((lo & 0x80ffffffu) | ((lo % 4) == 0 ? 0x7f000000u : 0x00800000u)); // huge/tiny
        default:
            return std::bit_cast<float>(lo);
        }
    }

private:
    ptoref::testing::splitmix64 s_;
};

inline std::uint32_t bits(float f)
{
    return std::bit_cast<std::uint32_t>(f);
}
inline float f32(std::uint32_t u)
{
    return std::bit_cast<float>(u);
}
inline constexpr std::uint32_t qnan = 0x7fc00000u;
inline float canon(float x)
{
    return x != x ? f32(qnan) : x;
}

inline std::vector<std::uint32_t> bits_of(const ptoref::Tensor<float>& t)
{
    std::vector<std::uint32_t> out;
    for (float f : t.to_vector())
        out.push_back(bits(f));
    return out;
}
inline std::vector<std::uint16_t> bits_of(const ptoref::Tensor<ptoref::bf16>& t)
{
    std::vector<std::uint16_t> out;
    for (auto v : t.to_vector())
        out.push_back(v.bits);
    return out;
}
inline std::vector<std::uint16_t> bits_of(const ptoref::Tensor<ptoref::fp16>& t)
{
    std::vector<std::uint16_t> out;
    for (auto v : t.to_vector())
        out.push_back(v.bits);
    return out;
}
inline std::vector<std::int32_t> bits_of(const ptoref::Tensor<std::int32_t>& t)
{
    return t.to_vector();
}

// ---- independent rounding oracle ---------------------------------------------------------

// A binary floating format: precision p (with the hidden bit), normal exponent range, field
// width of the exponent, and the canonical NaN.
struct format {
    int p, emin, emax, exp_bits;
    std::uint32_t nan;
};
inline constexpr format F32{24, -126, 127, 8, 0x7fc00000u};
inline constexpr format BF16{8, -126, 127, 8, 0x7fc0u};
inline constexpr format F16{11, -14, 15, 5, 0x7e00u};

using mode = ptoref::cast_mode;

// v (any double; must be exactly the value to round) rounded into format f under mode m,
// returned as a double that f represents exactly (or +-inf). Overflow: nearest modes give inf;
// trunc and odd the largest finite; floor/ceil inf on their side, largest finite on the other.
inline double round_to(double v, format f, mode m)
{
    if (std::isnan(v) || std::isinf(v) || v == 0)
        return v;
    const bool neg = std::signbit(v);
    const double a = std::fabs(v);
    const int e = std::ilogb(a);
    const int q = std::max(e, f.emin) - (f.p - 1); // the quantum's exponent
    const double n = std::ldexp(a, -q);            // exact
    const double fl = std::floor(n);
    const double frac = n - fl; // exact
    const bool odd = std::fmod(fl, 2.0) == 1.0;
    double r = fl;
    switch (m) {
    case mode::none:
    case mode::rint:
        r += (frac > 0.5 || (frac == 0.5 && odd)) ? 1 : 0;
        break;
    case mode::round:
        r += frac >= 0.5 ? 1 : 0;
        break;
    case mode::floor:
        r += (neg && frac > 0) ? 1 : 0;
        break;
    case mode::ceil:
        r += (!neg && frac > 0) ? 1 : 0;
        break;
    case mode::trunc:
        break;
    case mode::odd:
        r += (frac > 0 && !odd) ? 1 : 0;
        break;
    }
    double res = std::ldexp(r, q);
    const double max_finite = std::ldexp(std::ldexp(1.0, f.p) - 1, f.emax - (f.p - 1));
    if (res > max_finite) {
        const bool nearest = m == mode::none || m == mode::rint || m == mode::round;
        const bool to_inf = nearest || (m == mode::floor && neg) || (m == mode::ceil && !neg);
        res = to_inf ? std::numeric_limits<double>::infinity() : max_finite;
    }
    return neg ? -res : res;
}

// The bit pattern of a value that f represents exactly (NaN -> f's canonical NaN).
inline std::uint32_t encode(double r, format f)
{
    if (std::isnan(r))
        return f.nan;
    const int total = 1 + f.exp_bits + (f.p - 1);
    const std::uint32_t sign = std::signbit(r) ? (1u << (total - 1)) : 0u;
    const double a = std::fabs(r);
    const std::uint32_t exp_ones = ((1u << f.exp_bits) - 1) << (f.p - 1);
    if (std::isinf(a))
        return sign | exp_ones;
    if (a == 0)
        return sign;
    const int e = std::ilogb(a);
    if (e < f.emin)
        return sign | static_cast<std::uint32_t>(std::ldexp(a, -(f.emin - (f.p - 1))));
    const int bias = (1 << (f.exp_bits - 1)) - 1;
    const auto mant = static_cast<std::uint32_t>(std::ldexp(a, -(e - (f.p - 1)))) - (1u << (f.p - 1));
    return sign | (static_cast<std::uint32_t>(e + bias) << (f.p - 1)) | mant;
}

inline std::uint32_t round_bits(double v, format f, mode m = mode::rint)
{
    return encode(round_to(v, f, m), f);
}
inline std::uint16_t bf16_rne(double v)
{
    return static_cast<std::uint16_t>(round_bits(v, BF16));
}
inline std::uint16_t fp16_rne(double v)
{
    return static_cast<std::uint16_t>(round_bits(v, F16));
}
inline float f32_rne(double v)
{
    return f32(round_bits(v, F32));
}

// v rounded to an integer under m, saturating; NaN -> 0.
inline std::int32_t round_int32(double v, mode m)
{
    if (std::isnan(v))
        return 0;
    const bool neg = std::signbit(v);
    const double a = std::fabs(v);
    if (std::isinf(a))
        return neg ? INT32_MIN : INT32_MAX;
    const double fl = std::floor(a), frac = a - fl;
    const bool odd = std::fmod(fl, 2.0) == 1.0;
    double r = fl;
    switch (m) {
    case mode::rint:
        r += (frac > 0.5 || (frac == 0.5 && odd)) ? 1 : 0;
        break;
    case mode::round:
        r += frac >= 0.5 ? 1 : 0;
        break;
    case mode::floor:
        r += (neg && frac > 0) ? 1 : 0;
        break;
    case mode::ceil:
        r += (!neg && frac > 0) ? 1 : 0;
        break;
    case mode::none: // into an integer the device truncates
    case mode::trunc:
        break;
    case mode::odd:
        r += (frac > 0 && !odd) ? 1 : 0;
        break;
    }
    if (neg)
        return r >= 2147483648.0 ? INT32_MIN : static_cast<std::int32_t>(-r);
    return r >= 2147483647.0 ? INT32_MAX : static_cast<std::int32_t>(r);
}

inline double value_of(ptoref::bf16 x)
{
    return x.to_float();
}
inline double value_of(ptoref::fp16 x)
{
    return x.to_float();
}

// Edge values every elementwise op is exercised on.
inline std::vector<float> edge_values()
{
    return {0.0f,
            -0.0f,
            1.0f,
            -1.0f,
            0.5f,
            3.0f,
            f32(0x00000001u),
            f32(0x80000001u),
            f32(0x007fffffu),
            f32(0x00800000u),
            f32(0x7f7fffffu),
            f32(0xff7fffffu),
            f32(0x7f800000u),
            f32(0xff800000u),
            f32(0x7fc00000u),
            f32(0xffc12345u),
            f32(0x7fa5a5a5u),
            1e-30f,
            -1e30f,
            2.5f};
}

// Values whose row-major order is their flat index: makes "which element is this" visible.
template <class T = float>
ptoref::Tensor<T> iota(const ptoref::dims& shape, int start = 0)
{
    std::vector<T> v(static_cast<std::size_t>(shape.product()));
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<T>(static_cast<int>(i) + start);
    return ptoref::tensor_from<T>(shape, v);
}

} // namespace ops_test
