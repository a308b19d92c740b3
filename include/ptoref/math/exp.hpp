// exp_cr: the correctly rounded binary32 exponential (round to nearest even).
//
// Correct rounding is what makes exp identical on every ISA, compiler and flag set: there is
// exactly one right answer. The method is CORE-MATH's idea in our own code: evaluate e^x in
// double with a proven error bound; if that value is too close to a midpoint between two floats
// for the bound to decide, recompute in double-double (about 106 bits) and decide exactly.
// Fast path: x = m ln2 + r with |r| <= 0.36 (ln2 in three parts, explicit fma), e^r by a
// degree-14 Taylor polynomial in Horner form (all fma), scaled by 2^m. Its relative error is
// below 2^-50 (reduction 2^-54, Horner 2^-51, truncation 2^-57); the rounding test allows 2^-48.
// Proven against the correctly rounded reference on all 2^32 inputs (tests/math/test_exp.cpp).
// NaN gives the canonical quiet NaN 0x7FC00000; subnormal results are kept (no flush to zero).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ptoref/math/double_double.hpp"

namespace ptoref::math {
namespace detail {

inline constexpr double exp_taylor[15] = {
    0x1.0000000000000p+0,  0x1.0000000000000p+0,  0x1.0000000000000p-1,  0x1.5555555555555p-3,  0x1.5555555555555p-5,
    0x1.1111111111111p-7,  0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19,
    0x1.27e4fb7789f5cp-22, 0x1.ae64567f544e4p-26, 0x1.1eed8eff8d898p-29, 0x1.6124613a86d09p-33, 0x1.93974a8c07c9dp-37,
};

// Largest float whose exp rounds to a finite float, smallest whose exp rounds above zero.
inline constexpr std::uint32_t exp_overflow_bits = 0x42b17217u;  // 88.72283172607421875
inline constexpr std::uint32_t exp_underflow_bits = 0xc2cff1b4u; // -103.9720764160156250

// e^x for |x| <= 104, in double-double: x = m ln2 + r exactly to ~2^-110, then
// e^r = 1 + r(1 + r/2(1 + r/3(...))) with 26 terms.
inline dd exp_dd(double x, double m) noexcept
{
    const dd p1 = two_prod(m, ln2_hi);
    dd r = two_sum(x, -p1.hi);
    r = dd_add(r, -p1.lo);
    const dd p2 = two_prod(m, ln2_lo);
    r = dd_add(r, dd{-p2.hi, -p2.lo});
    r = dd_add(r, -m * ln2_lo2);
    dd p{1.0, 0.0};
    for (int k = 26; k >= 1; --k)
        p = dd_add(dd_div(dd_mul(r, p), static_cast<double>(k)), 1.0);
    const int e = static_cast<int>(m);
    return {std::ldexp(p.hi, e), std::ldexp(p.lo, e)};
}

} // namespace detail

inline float exp_cr(float x) noexcept
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
    const std::uint32_t mag = u & 0x7fffffffu;
    if (mag > 0x7f800000u)
        return detail::canonical_nan_f;
    if ((u >> 31) == 0 && u > detail::exp_overflow_bits)
        return std::bit_cast<float>(0x7f800000u); // includes +inf
    if ((u >> 31) != 0 && u > detail::exp_underflow_bits)
        return 0.0f; // includes -inf
    if (mag == 0)
        return 1.0f;
    const double xd = x;
    const double m = std::nearbyint(xd * detail::inv_ln2);
    double r = std::fma(-m, detail::ln2_hi, xd);
    r = std::fma(-m, detail::ln2_lo, r);
    double p = detail::exp_taylor[14];
    for (int k = 13; k >= 0; --k)
        p = std::fma(p, r, detail::exp_taylor[k]);
    const double y = std::ldexp(p, static_cast<int>(m));
    bool hard = false;
    const float result = detail::round_checked(y, 0x1p-48, hard);
    if (!hard)
        return result;
    return detail::round_dd(detail::exp_dd(xd, m));
}

inline void exp_cr(const float* in, float* out, std::size_t n) noexcept
{
    for (std::size_t i = 0; i < n; ++i)
        out[i] = exp_cr(in[i]);
}

} // namespace ptoref::math
