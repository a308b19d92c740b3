// Correctly rounded binary32 sin and cos (round to nearest even), for every float input.
//
// Method:
// 1. Argument reduction is exact enough for any float: for |x| > pi/4, x * 2/pi is formed as
//    an integer product of x's 24-bit significand with a 128-bit window of the bits of 2/pi
//    (those that can affect the result modulo 4), giving the quadrant k and the fraction f in
//    [-1/2, 1/2] with an absolute error below 2^-100 (floats come no closer than about 2^-30
//    to a multiple of pi/2, so f keeps ~70 correct bits). r = f * pi/2. For |x| <= pi/4, r = x.
// 2. Fast path: sin(r) or cos(r) by their Taylor series in double (relative error < 2^-49
//    including r's), and the rounding test of detail_cr.hpp.
// 3. Slow path (a few inputs per million): the same series in double-double arithmetic from
//    106 bits of f (error ~2^-100), then correct rounding of that double-double.
// Every float is checked against an independent oracle (glibc's sin/cos, then sinl/cosl) by
// tests/math/test_sincos.cpp (all 2^32 inputs under PTOREF_EXHAUSTIVE_TESTS).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "ptoref/math/detail_cr.hpp"

namespace ptoref::math {
namespace detail {

__extension__ typedef unsigned __int128 u128;

// The first 320 bits of 2/pi after the binary point (2/pi = 0.a2f9836e...).
inline constexpr std::uint64_t two_over_pi_bits[5] = {
    0xa2f9836e4e441529ull, 0xfc2757d1f534ddc0ull, 0xdb6295993c439041ull, 0xfe5163abdebbc561ull, 0xb7246e3a424dd2e0ull};

// 64 bits of 2/pi starting at bit i (1-based: bit 1 is the first after the point); i <= 256.
inline std::uint64_t two_over_pi_window64(int i) noexcept
{
    const int w = (i - 1) / 64, s = (i - 1) % 64;
    if (s == 0)
        return two_over_pi_bits[w];
    return (two_over_pi_bits[w] << s) | (two_over_pi_bits[w + 1] >> (64 - s));
}

// pi/2 = pio2_hi + pio2_mid to about 107 bits.
inline constexpr double pio2_hi = 0x1.921fb54442d18p+0;
inline constexpr double pio2_mid = 0x1.1a62633145c07p-54;

// |x| = (k + f) * pi/2 with k an integer and f in [-1/2, 1/2]: k mod 4, and f = sign *
// (hi + mid) with hi, mid doubles holding the leading 106 bits of |f| (relative error < 2^-100).
struct reduced {
    int quadrant = 0;
    double hi = 0, mid = 0;
};

inline int clz128(u128 v) noexcept
{
    const auto h = static_cast<std::uint64_t>(v >> 64);
    return h != 0 ? std::countl_zero(h) : 64 + std::countl_zero(static_cast<std::uint64_t>(v));
}

// 2^k for a normal double exponent k.
inline double pow2(int k) noexcept
{
    return std::bit_cast<double>(static_cast<std::uint64_t>(1023 + k) << 52);
}

// For ax >= pi/4 (so ax is normal and the product below has its binary point in range).
inline reduced reduce_pio2(float ax) noexcept
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(ax);
    const std::uint64_t m = (u & 0x7fffffu) | 0x800000u;
    const int e = static_cast<int>(u >> 23) - 127 - 23; // ax = m * 2^e, e in [-24, 104]
    // Bits i of 2/pi with i <= e - 2 contribute multiples of 4 to m * 2^e * 2/pi: skip them;
    // the bits after the 128-bit window contribute less than 2^-102.
    const int i0 = e - 1 > 1 ? e - 1 : 1;
    const u128 whi = two_over_pi_window64(i0), wlo = two_over_pi_window64(i0 + 64);
    // Q = m * W in q2 (bits 128..151) : qlo (bits 0..127); x * 2/pi ~ Q / 2^shift.
    const u128 plo = wlo * m, phi = whi * m;
    const u128 qlo = (phi << 64) + plo; // wraps mod 2^128 as intended; the carry goes to q2
    const std::uint64_t carry = qlo < plo ? 1u : 0u;
    const std::uint64_t q2 = static_cast<std::uint64_t>(phi >> 64) + carry;
    const int s = i0 + 127 - e - 128; // shift - 128, in [-2, 24]
    u128 frac;                        // the fraction times 2^128
    std::uint64_t ipart;              // low bits of the integer part
    if (s > 0) {
        frac = (qlo >> s) | (static_cast<u128>(q2) << (128 - s));
        ipart = q2 >> s;
    } else if (s == 0) {
        frac = qlo;
        ipart = q2;
    } else {
        const int t = -s;
        frac = qlo << t;
        ipart = (q2 << t) | static_cast<std::uint64_t>(qlo >> (128 - t));
    }
    reduced out;
    int k = static_cast<int>(ipart & 3u);
    bool neg = false;
    if (frac >> 127) { // fraction >= 1/2: round k up, f = fraction - 1
        k = (k + 1) & 3;
        frac = u128{0} - frac;
        neg = true;
    }
    out.quadrant = k;
    // |f| * 2^128 = frac (non-zero: no float is a multiple of pi/2). Leading 106 bits, exactly.
    const int lz = clz128(frac);
    const u128 n = frac << lz; // top bit at 127
    const auto top = static_cast<std::uint64_t>(n >> 75);
    const auto next = static_cast<std::uint64_t>(n >> 22) & ((std::uint64_t{1} << 53) - 1);
    out.hi = static_cast<double>(top) * pow2(75 - lz - 128); // exact: 53-bit integers, normal scales
    out.mid = static_cast<double>(next) * pow2(22 - lz - 128);
    if (neg)
        out.hi = -out.hi, out.mid = -out.mid;
    return out;
}

// Taylor coefficients (-1)^n / (2n+1)! (sin) and (-1)^n / (2n)! (cos), each within a few ulps
// (the terms after the first two are tiny, so their coefficients' errors hardly count).
inline constexpr int fast_terms = 11;
struct taylor_table {
    double sin[fast_terms];
    double cos[fast_terms];
};
inline constexpr taylor_table taylor = [] {
    taylor_table t{};
    double s = 1, c = 1;
    for (int n = 0; n < fast_terms; ++n) {
        if (n > 0) {
            s = s / (2.0 * n) / (2.0 * n + 1);
            c = c / (2.0 * n - 1) / (2.0 * n);
        }
        t.sin[n] = n % 2 ? -s : s;
        t.cos[n] = n % 2 ? -c : c;
    }
    return t;
}();

// The fast path: sin(r) or cos(r) for |r| <= pi/4 (+ a little), relative error < 2^-50.
inline double sin_fast(double r) noexcept
{
    const double z = r * r;
    double p = taylor.sin[fast_terms - 1];
    for (int n = fast_terms - 2; n >= 1; --n)
        p = p * z + taylor.sin[n];
    return r + r * (z * p);
}
inline double cos_fast(double r) noexcept
{
    const double z = r * r;
    double p = taylor.cos[fast_terms - 1];
    for (int n = fast_terms - 2; n >= 1; --n)
        p = p * z + taylor.cos[n];
    return 1.0 + z * p;
}

// dword / k for a small positive integer k (about 106 bits).
inline dword dw_div_int(dword a, double k) noexcept
{
    const double q = a.hi / k;
    const double rem = std::fma(-q, k, a.hi); // exact
    return exact_sum_ordered(q, (rem + a.lo) / k);
}

// The slow path: double-double Taylor series, error ~2^-100 for |r| <= pi/4.
inline constexpr int slow_terms = 16;
inline dword sincos_slow(dword r, bool want_cos) noexcept
{
    dword c[slow_terms];
    dword v{1, 0};
    for (int n = 0; n < slow_terms; ++n) {
        if (n > 0) {
            const int a = want_cos ? 2 * n - 1 : 2 * n, b = want_cos ? 2 * n : 2 * n + 1;
            v = dw_div_int(dw_div_int(v, a), b);
        }
        c[n] = n % 2 ? dword{-v.hi, -v.lo} : v;
    }
    const dword z = dw_mul(r, r);
    dword p = c[slow_terms - 1];
    for (int n = slow_terms - 2; n >= 0; --n)
        p = dw_add(dw_mul(p, z), c[n]);
    return want_cos ? p : dw_mul(p, r);
}

inline constexpr double sincos_eps = 0x1p-47;

// One implementation for both: sin(x) if !want_cos, else cos(x).
inline float sincos_cr(float x, bool want_cos) noexcept
{
    if (!std::isfinite(x))
        return cr_canonical_nan;
    if (x == 0) // sin(+-0) = +-0 exactly (the series would give +0 for -0)
        return want_cos ? 1.0f : x;
    const float ax = std::fabs(x);
    int k = 0;
    dword r{x, 0};             // |x| <= pi/4: no reduction (sin is odd, so x keeps its sign)
    if (ax > 0x1.921fb4p-1f) { // the largest float below pi/4
        const reduced rd = reduce_pio2(ax);
        k = rd.quadrant;
        const dword f = exact_sum(rd.hi, rd.mid);
        r = dw_mul(f, dword{pio2_hi, pio2_mid});
        if (!want_cos && std::signbit(x)) // sin(-|x|) = -sin(|x|): fold the sign into r and k
            r = dword{-r.hi, -r.lo}, k = (4 - k) & 3;
    }
    // sin: k = 0: sin r, 1: cos r, 2: -sin r, 3: -cos r. cos: k = 0: cos r, 1: -sin r, 2: -cos r, 3: sin r.
    const int q = want_cos ? (k + 1) & 3 : k; // cos(x) = sin(x + pi/2)
    const bool use_cos = q % 2 == 1;
    const bool negate = q >= 2;
    const double y = use_cos ? cos_fast(r.hi) : sin_fast(r.hi);
    float out;
    if (cr_round_test(negate ? -y : y, sincos_eps, out))
        return out;
    dword v = sincos_slow(r, use_cos);
    if (negate)
        v = dword{-v.hi, -v.lo};
    return cr_round_dword(v);
}

} // namespace detail

// Correctly rounded sin/cos for every float; NaN and +-inf give the canonical NaN; sin keeps
// the sign of zero.
inline float sin_cr(float x) noexcept
{
    return detail::sincos_cr(x, false);
}
inline float cos_cr(float x) noexcept
{
    return detail::sincos_cr(x, true);
}

} // namespace ptoref::math
