// Double-double arithmetic and the correct-rounding decision shared by exp and log.
//
// A value is hi + lo with |lo| <= ulp(hi)/2, about 106 bits. Every step is an error-free
// transformation built on explicit std::fma, so the results do not depend on whether the
// compiler contracts a*b+c: the bits are the same under every flag set.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace ptoref::math::detail {

struct dd {
    double hi = 0;
    double lo = 0;
};

inline dd two_sum(double a, double b) noexcept
{
    const double s = a + b;
    const double bb = s - a;
    const double e = (a - (s - bb)) + (b - bb);
    return {s, e};
}

inline dd quick_two_sum(double a, double b) noexcept // requires |a| >= |b|
{
    const double s = a + b;
    return {s, b - (s - a)};
}

inline dd two_prod(double a, double b) noexcept
{
    const double p = a * b;
    return {p, std::fma(a, b, -p)};
}

inline dd dd_add(dd a, dd b) noexcept
{
    dd s = two_sum(a.hi, b.hi);
    const dd t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = quick_two_sum(s.hi, s.lo);
    s.lo += t.lo;
    return quick_two_sum(s.hi, s.lo);
}

inline dd dd_add(dd a, double b) noexcept
{
    return dd_add(a, dd{b, 0.0});
}

inline dd dd_mul(dd a, dd b) noexcept
{
    dd p = two_prod(a.hi, b.hi);
    p.lo = std::fma(a.hi, b.lo, p.lo);
    p.lo = std::fma(a.lo, b.hi, p.lo);
    return quick_two_sum(p.hi, p.lo);
}

inline dd dd_mul(dd a, double b) noexcept
{
    return dd_mul(a, dd{b, 0.0});
}

// a / d for a double d (exact remainder by fma).
inline dd dd_div(dd a, double d) noexcept
{
    const double q1 = a.hi / d;
    const double r = std::fma(-q1, d, a.hi) + a.lo;
    const double q2 = r / d;
    return quick_two_sum(q1, q2);
}

// (exact double a) / (exact double b), to about 106 bits.
inline dd dd_div(double a, double b) noexcept
{
    return dd_div(dd{a, 0.0}, b);
}

// The next float after r upwards (up) or downwards, as a double; +-2^128 past +-FLT_MAX.
inline double float_next(float r, bool up) noexcept
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(r);
    const bool neg = (u >> 31) != 0;
    const std::uint32_t mag = u & 0x7fffffffu;
    if (mag == 0)
        return up ? 0x1p-149 : -0x1p-149;
    const bool grow = up != neg; // moving away from zero
    if (grow && mag == 0x7f7fffffu)
        return neg ? -0x1p128 : 0x1p128;
    return static_cast<double>(std::bit_cast<float>(grow ? u + 1 : u - 1));
}

inline float clamp_to_finite(float r, double y) noexcept
{
    return std::isinf(r) ? std::copysign(0x1.fffffep127f, static_cast<float>(y)) : r;
}

// Rounds y (relative error at most rel_err) to float. Sets `hard` when the rounding cannot
// be decided from y: the true value may lie on either side of a midpoint between floats.
inline float round_checked(double y, double rel_err, bool& hard) noexcept
{
    const float r = clamp_to_finite(static_cast<float>(y), y);
    const double rd = static_cast<double>(r);
    if (y == rd) {
        hard = false; // half an ulp from either midpoint
    } else {
        const double mid = (rd + float_next(r, y > rd)) / 2; // exact
        hard = std::fabs(y - mid) <= rel_err * std::fabs(y);
    }
    return static_cast<float>(y);
}

// Correct rounding (nearest even) of v.hi + v.lo to float.
inline float round_dd(dd v) noexcept
{
    const float r = clamp_to_finite(static_cast<float>(v.hi), v.hi);
    const double rd = static_cast<double>(r);
    const int side = v.hi > rd ? 1 : (v.hi < rd ? -1 : (v.lo > 0 ? 1 : (v.lo < 0 ? -1 : 0)));
    if (side == 0)
        return r;
    const double other = float_next(r, side > 0);
    const double mid = (rd + other) / 2;             // exact
    const double d = (v.hi - mid) + v.lo;            // v.hi - mid is exact (Sterbenz)
    const float other_f = static_cast<float>(other); // +-2^128 becomes +-inf: the right overflow
    if (d == 0)
        return (std::bit_cast<std::uint32_t>(r) & 1u) ? other_f : r;
    const bool beyond_mid = side > 0 ? d > 0 : d < 0;
    return beyond_mid ? other_f : r;
}

inline constexpr double ln2_hi = 0x1.62e42fefa39efp-1;
inline constexpr double ln2_lo = 0x1.abc9e3b39803fp-56;
inline constexpr double ln2_lo2 = 0x1.7b57a079a1934p-111;
inline constexpr double inv_ln2 = 0x1.71547652b82fep+0;

inline constexpr float canonical_nan_f = std::bit_cast<float>(0x7fc00000u);

} // namespace ptoref::math::detail
