// Shared pieces of the correctly rounded binary32 functions (exp.hpp, log.hpp): the rounding
// test of the fast double path and the double-double ("dword") arithmetic of the slow path.
//
// Why these are safe under any compiler flags: the fast path's error bounds hold whether or not
// a*b+c is contracted into an FMA, and the rounding test only asks whether both ends of the
// error interval round to the same float. The slow path builds on error-free transforms: sums
// use additions only (nothing to contract) and products use explicit std::fma.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace ptoref::math::detail {

// Every NaN the library produces is this one (positive quiet NaN).
inline constexpr float cr_canonical_nan = std::bit_cast<float>(0x7fc00000u);

// The rounding test. y approximates v with |y - v| <= eps*|y| (eps includes a margin of at least
// 2^-52 for the two roundings below). Rounding to float is monotonic, so if both ends of
// [y - e, y + e] round to the same float, v rounds to it as well; that float goes to out.
// Branch-free: two conversions and one compare per lane when vectorised.
inline bool cr_round_test(double y, double eps, float& out) noexcept
{
    const double e = std::fabs(y) * eps;
    const float lo = static_cast<float>(y - e);
    const float hi = static_cast<float>(y + e);
    out = lo;
    return std::bit_cast<std::uint32_t>(lo) == std::bit_cast<std::uint32_t>(hi);
}

// An unevaluated sum hi + lo, normalised so that hi = RN(hi + lo): about 106 bits.
struct dword {
    double hi;
    double lo;
};

// a + b exactly, for any a, b (Knuth).
inline dword exact_sum(double a, double b) noexcept
{
    const double s = a + b;
    const double bb = s - a;
    return {s, (a - (s - bb)) + (b - bb)};
}

// a + b exactly, when |a| >= |b| or a == 0 (Dekker).
inline dword exact_sum_ordered(double a, double b) noexcept
{
    const double s = a + b;
    return {s, b - (s - a)};
}

// a * b exactly (no underflow in our ranges).
inline dword exact_prod(double a, double b) noexcept
{
    const double p = a * b;
    return {p, std::fma(a, b, -p)};
}

// The a.lo*b.lo term (< 2^-104 relative) is dropped.
inline dword dw_mul(dword a, dword b) noexcept
{
    const dword p = exact_prod(a.hi, b.hi);
    double e = std::fma(a.hi, b.lo, p.lo);
    e = std::fma(a.lo, b.hi, e);
    return exact_sum_ordered(p.hi, e);
}

inline dword dw_mul(dword a, double b) noexcept
{
    const dword p = exact_prod(a.hi, b);
    return exact_sum_ordered(p.hi, std::fma(a.lo, b, p.lo));
}

// Accurate even under cancellation: both halves are summed exactly before renormalising.
inline dword dw_add(dword a, dword b) noexcept
{
    dword s = exact_sum(a.hi, b.hi);
    const dword t = exact_sum(a.lo, b.lo);
    s = exact_sum_ordered(s.hi, s.lo + t.hi);
    return exact_sum(s.hi, s.lo + t.lo);
}

// Correct rounding of a normalised hi + lo to float: first round to odd at 53 bits (hi, moved
// one ulp towards lo when lo != 0 and hi is even), then round to nearest. Rounding to odd with
// at least two more bits than the target makes the second rounding exact in effect, also for
// subnormal float results (the double is still normal there).
inline float cr_round_dword(dword v) noexcept
{
    std::uint64_t b = std::bit_cast<std::uint64_t>(v.hi);
    if (v.lo != 0 && (b & 1) == 0)
        b = ((v.lo > 0) == (v.hi > 0)) ? b + 1 : b - 1; // towards lo, in magnitude
    return static_cast<float>(std::bit_cast<double>(b));
}

} // namespace ptoref::math::detail
