// rsqrt_cr: correctly rounded binary32 1/sqrt(x) (round to nearest, ties to even).
//
// Why: on A2A3 the default pl.rsqrt is one `vrsqrt` instruction of unspecified accuracy; ptoref
// computes the value that approximation aims at, the correctly rounded result (docs/semantics.md,
// "where the meaning comes from", rule 3), so the bits are the same on every ISA and compiler.
//
// Method: y = 1 / sqrt((double)x), two double roundings, relative error < 2^-52. The float
// nearest y is the answer unless y lies within 2^-50 (relative) of a midpoint m between two
// floats; then the side is decided exactly: 1/sqrt(x) > m  <=>  x * m^2 < 1, an integer
// comparison (x = X 2^e with X < 2^24, m = M 2^f with M < 2^25, X M^2 < 2^74, in 128 bits).
// The midpoint itself is never the value (X M^2 with M odd is never a power of two).
// Special values: NaN and x < 0 -> 0x7FC00000, +-0 -> +-inf, +inf -> +0.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace ptoref::math {

namespace detail {

// x * m^2 < 1 for finite positive x and m (m a 25-bit midpoint), decided exactly.
inline bool times_square_below_one(float x, double m) noexcept
{
    int ex = 0, em = 0;
    const double fx = std::frexp(static_cast<double>(x), &ex); // x = fx 2^ex, fx in [0.5, 1)
    const double fm = std::frexp(m, &em);
    const auto X = static_cast<std::uint64_t>(std::ldexp(fx, 24)); // exact: x has <= 24 bits
    const auto M = static_cast<std::uint64_t>(std::ldexp(fm, 25)); // exact: m has <= 25 bits
    // x m^2 = X M^2 2^(ex - 24 + 2 (em - 25)); compare X M^2 with 2^-(that exponent).
    const int shift = -(ex - 24 + 2 * (em - 25));
    const unsigned __int128 lhs = static_cast<unsigned __int128>(X) * M * M;
    if (shift < 0)
        return false; // lhs >= 1 already and is multiplied by a power of two >= 2
    if (shift >= 127)
        return true;
    return lhs < (static_cast<unsigned __int128>(1) << shift);
}

} // namespace detail

inline float rsqrt_cr(float x) noexcept
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
    if ((u & 0x7fffffffu) == 0)
        return std::bit_cast<float>((u & 0x80000000u) | 0x7f800000u); // +-0 -> +-inf
    if (u > 0x80000000u || (u & 0x7fffffffu) > 0x7f800000u)
        return std::bit_cast<float>(0x7fc00000u); // negative or NaN
    if (u == 0x7f800000u)
        return 0.0f;
    const double y = 1.0 / std::sqrt(static_cast<double>(x));
    const float r = static_cast<float>(y); // the nearest float, unless y is near a midpoint
    // The midpoint on y's side of r, and the distance of y from it.
    const std::uint32_t ru = std::bit_cast<std::uint32_t>(r);
    const double rd = static_cast<double>(r);
    const double up = static_cast<double>(std::bit_cast<float>(ru + 1));
    const double down = static_cast<double>(std::bit_cast<float>(ru - 1));
    const double m = y >= rd ? (rd + up) / 2 : (rd + down) / 2; // exact: 25 bits
    if (std::fabs(y - m) > std::ldexp(y, -50))
        return r;
    // Exact: the value is above m iff x m^2 < 1.
    const bool above = detail::times_square_below_one(x, m);
    if (m > rd)
        return above ? std::bit_cast<float>(ru + 1) : r;
    return above ? r : std::bit_cast<float>(ru - 1);
}

} // namespace ptoref::math
