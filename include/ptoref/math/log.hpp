// log_cr: the correctly rounded binary32 natural logarithm (round to nearest even).
//
// Same scheme as exp_cr: a double evaluation with a proven bound, a rounding test, and a
// double-double recomputation for the rare cases the bound cannot decide.
// x = 2^e * m with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.1716,
// by a degree-12 polynomial in s^2 (truncation < 2^-70). Relative error of the double path is
// below 2^-49 (division 2^-53, Horner 2^-52, the e*ln2 + log m sum at most a factor 3 of
// cancellation); the rounding test allows 2^-46.
// NaN and x < 0 give the canonical NaN 0x7FC00000; log(+-0) = -inf; log(+inf) = +inf;
// log(1) = +0. Subnormal inputs are exact in double, so they need no special path.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ptoref/math/double_double.hpp"

namespace ptoref::math {
namespace detail {

inline constexpr double atanh_series[13] = {
    0x1.0000000000000p+0, 0x1.5555555555555p-2, 0x1.999999999999ap-3, 0x1.2492492492492p-3, 0x1.c71c71c71c71cp-4,
    0x1.745d1745d1746p-4, 0x1.3b13b13b13b14p-4, 0x1.1111111111111p-4, 0x1.e1e1e1e1e1e1ep-5, 0x1.af286bca1af28p-5,
    0x1.8618618618618p-5, 0x1.642c8590b2164p-5, 0x1.47ae147ae147bp-5,
};

// Splits a positive finite double into m in [sqrt(1/2), sqrt(2)) and e with x = m 2^e.
inline void log_split(double x, double& m, int& e) noexcept
{
    m = std::frexp(x, &e); // m in [0.5, 1)
    m *= 2;
    --e;
    if (m > 0x1.6a09e667f3bcdp+0) { // sqrt(2)
        m /= 2;
        ++e;
    }
}

// log x in double-double: 2 atanh(s) with s exact to ~106 bits, 26 series terms, + e ln2.
inline dd log_dd(double m, int e) noexcept
{
    const dd s = dd_div(m - 1.0, m + 1.0); // m - 1 and m + 1 are exact
    const dd z = dd_mul(s, s);
    dd p = dd_div(dd{1.0, 0.0}, 53.0);
    for (int k = 25; k >= 0; --k)
        p = dd_add(dd_mul(p, z), dd_div(dd{1.0, 0.0}, static_cast<double>(2 * k + 1)));
    dd logm = dd_mul(dd_mul(s, p), 2.0);
    const double ed = e;
    const dd a = two_prod(ed, ln2_hi);
    const dd b = two_prod(ed, ln2_lo);
    dd eln2 = dd_add(a, b);
    eln2 = dd_add(eln2, ed * ln2_lo2);
    return dd_add(eln2, logm);
}

} // namespace detail

inline float log_cr(float x) noexcept
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
    const std::uint32_t mag = u & 0x7fffffffu;
    if (mag > 0x7f800000u)
        return detail::canonical_nan_f;
    if (mag == 0)
        return -std::bit_cast<float>(0x7f800000u);
    if ((u >> 31) != 0)
        return detail::canonical_nan_f;
    if (mag == 0x7f800000u)
        return x;
    if (u == 0x3f800000u)
        return 0.0f;
    double m;
    int e;
    detail::log_split(static_cast<double>(x), m, e);
    const double s = (m - 1.0) / (m + 1.0);
    const double z = s * s;
    double p = detail::atanh_series[12];
    for (int k = 11; k >= 0; --k)
        p = std::fma(p, z, detail::atanh_series[k]);
    const double logm = 2.0 * s * p;
    const double ed = e;
    const double y = std::fma(ed, detail::ln2_hi, std::fma(ed, detail::ln2_lo, logm));
    bool hard = false;
    const float result = detail::round_checked(y, 0x1p-46, hard);
    if (!hard)
        return result;
    return detail::round_dd(detail::log_dd(m, e));
}

inline void log_cr(const float* in, float* out, std::size_t n) noexcept
{
    for (std::size_t i = 0; i < n; ++i)
        out[i] = log_cr(in[i]);
}

} // namespace ptoref::math
