// exp_cr: correctly rounded binary32 e^x (round to nearest, ties to even).
//
// Correct rounding leaves exactly one right answer, so the bits are identical on every ISA,
// compiler and flag set, and a SIMD version can be checked lane for lane against this one.
//
// Method (the CORE-MATH technique, our own code and constants):
//   x * 64/ln2 = k + r with k an integer and |r| <= 1/2; r is accurate to 2^-54 because
//   64/ln2 is split so that x * C_HI is exact for every float x.
//   e^x = 2^(k >> 6) * 2^((k & 63)/64) * 2^(r/64): a 64-entry table and a degree-5 polynomial.
//   The double result has relative error < 2^-51 (see exp_fast; 2^-51.4 observed); the rounding
//   test allows 2^-48. Where it fails (54 of the 2.2e9 inputs in [-104, 88.72]),
//   exp_accurate redoes the same steps in double-double (error < 2^-95; 2^-97 observed) and
//   rounds through round-to-odd. The float input nearest to a midpoint is 2^-52.6 (relative)
//   from it, so this settles every case; the exhaustive test checks all 2^32.
// Special values: NaN -> 0x7FC00000, +inf -> +inf, -inf -> +0, overflow -> +inf, gradual
// underflow (correctly rounded subnormals, then +0), exp(+-0) = 1.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "ptoref/math/detail_cr.hpp"

namespace ptoref::math {
namespace detail {

// 64/ln2 = exp_c_hi + exp_c_mid + exp_c_lo2 to ~2^-110. exp_c_hi and exp_c_mid have 29 significant
// bits, so x * exp_c_hi and x * exp_c_mid are exact for a float x (24 + 29 <= 53 bits).
inline constexpr double exp_c_hi = 0x1.7154765p+6;
inline constexpr double exp_c_mid = 0x1.5c17f0cp-25;
inline constexpr double exp_c_lo2 = -0x1.105e004be5b8bp-55;
// The fast path's RN(64/ln2 - exp_c_hi), and ln2/64 as a double-double for the slow path.
inline constexpr double exp_c_lo = 0x1.5c17f0bbbe88p-25;
inline constexpr dword exp_ln2_64 = {0x1.62e42fefa39efp-7, 0x1.abc9e3b39803fp-62};

// Adding 1.5 * 2^52 rounds any |z| < 2^51 to an integer, which lands in the low mantissa bits.
inline constexpr double exp_shift = 0x1.8p52;

// Inputs outside [exp_min_x, exp_max_x] (and NaN) take the special-value branch:
// 0x1.62e42ep6 = 88.72283172607421875 is the largest float whose e^x rounds to a finite float;
// below -104, e^x < 2^-150 (half the smallest subnormal) rounds to +0.
inline constexpr float exp_min_x = -104.0f;
inline constexpr float exp_max_x = 0x1.62e42ep6f;

// Rounding-test allowance for exp_fast (proven error < 2^-51, plus margin for the test itself).
inline constexpr double exp_eps = 0x1p-48;

// 2^(r/64) = e^(r ln2/64) for |r| <= 1/2: Taylor coefficients (ln2/64)^n / n!, n = 1..5.
// Truncation error < (0.5 ln2/64)^6 / 720 < 2^-54.6.
inline constexpr double exp_poly[5] = {
    0x1.62e42fefa39efp-7, 0x1.ebfbdff82c58fp-15, 0x1.c6b08d704a0c0p-23, 0x1.3b2ab6fba4e77p-31, 0x1.5d87fe78a6731p-40,
};

// 1/n! for n = 0..9 as double-doubles (slow path, |s| <= ln2/128: truncation < 2^-96).
inline constexpr dword exp_inv_fact[10] = {
    {0x1p+0, 0x0p+0},
    {0x1p+0, 0x0p+0},
    {0x1p-1, 0x0p+0},
    {0x1.5555555555555p-3, 0x1.5555555555555p-57},
    {0x1.5555555555555p-5, 0x1.5555555555555p-59},
    {0x1.1111111111111p-7, 0x1.1111111111111p-63},
    {0x1.6c16c16c16c17p-10, -0x1.f49f49f49f49fp-65},
    {0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-73},
    {0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-76},
    {0x1.71de3a556c734p-19, -0x1.c154f8ddc6c00p-73},
};

// exp2_hi[j] = RN(2^(j/64)), j = 0..63.
// clang-format off
inline constexpr double exp2_hi[64] = {
    0x1.0000000000000p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
    0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92de0p+0,
    0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
    0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
    0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
    0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cd0p+0,
    0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
    0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
    0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
    0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
    0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e50p+0,
    0x1.9c49182a3f090p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
    0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
    0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
    0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
    0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e4540p+0, 0x1.fa7c1819e90d8p+0,
};
// clang-format on

// exp2_lo[j] = RN(2^(j/64) - exp2_hi[j]): the slow path's extra 53 bits.
// clang-format off
inline constexpr double exp2_lo[64] = {
    0x0p+0, -0x1.19083535b085dp-56, 0x1.d73e2a475b465p-55, 0x1.186be4bb284ffp-57,
    0x1.8a62e4adc610bp-54, 0x1.03a1727c57b53p-59, -0x1.6c51039449b3ap-54, -0x1.32fbf9af1369ep-54,
    -0x1.19041b9d78a76p-55, 0x1.e5b4c7b4968e4p-55, 0x1.e016e00a2643cp-54, 0x1.dc775814a8495p-55,
    0x1.9b07eb6c70573p-54, 0x1.2bd339940e9d9p-55, 0x1.612e8afad1255p-55, 0x1.0024754db41d5p-54,
    0x1.6f46ad23182e4p-55, 0x1.32721843659a6p-54, -0x1.63aeabf42eae2p-54, -0x1.5e436d661f5e3p-56,
    0x1.ada0911f09ebcp-55, -0x1.ef3691c309278p-58, 0x1.89b7a04ef80d0p-59, 0x1.3c1a3b69062f0p-56,
    0x1.d4397afec42e2p-56, -0x1.4b309d25957e3p-54, -0x1.07abe1db13cadp-55, 0x1.9bb2c011d93adp-54,
    0x1.6324c054647adp-54, 0x1.ba6f93080e65ep-54, -0x1.383c17e40b497p-54, -0x1.bb60987591c34p-54,
    -0x1.bdd3413b26456p-54, -0x1.bbe3a683c88abp-57, -0x1.16e4786887a99p-55, -0x1.0245957316dd3p-54,
    -0x1.41577ee04992fp-55, 0x1.05d02ba15797ep-56, -0x1.d4c1dd41532d8p-54, -0x1.fc6f89bd4f6bap-54,
    0x1.6e9f156864b27p-54, 0x1.5cc13a2e3976cp-55, -0x1.75fc781b57ebcp-57, -0x1.d185b7c1b85d1p-54,
    0x1.c7c46b071f2bep-56, -0x1.359495d1cd533p-54, -0x1.d2f6edb8d41e1p-54, 0x1.0fac90ef7fd31p-54,
    0x1.7a1cd345dcc81p-54, -0x1.2805e3084d708p-57, -0x1.5584f7e54ac3bp-56, 0x1.23dd07a2d9e84p-55,
    0x1.11065895048ddp-55, 0x1.2884dff483cadp-54, 0x1.503cbd1e949dbp-56, -0x1.cbc3743797a9cp-54,
    0x1.2ed02d75b3707p-55, 0x1.c2300696db532p-54, -0x1.1a5cd4f184b5cp-54, 0x1.39e8980a9cc8fp-55,
    -0x1.e9c23179c2893p-54, 0x1.dc7f486a4b6b0p-54, 0x1.9d3e12dd8a18bp-54, 0x1.74853f3a5931ep-55,
};
// clang-format on

// k = round(x * 64/ln2) and rh = x * exp_c_hi - k, both exact (x * exp_c_hi is exact, and
// |rh| <= 1/2 fits in 53 bits). Whether or not z + exp_shift is contracted changes nothing, as z
// is exact.
inline void exp_reduce(double xd, double& rh, std::int64_t& k) noexcept
{
    const double z = xd * exp_c_hi;
    const double t = z + exp_shift;
    k = std::bit_cast<std::int64_t>(t) - std::bit_cast<std::int64_t>(exp_shift);
    rh = z - (t - exp_shift);
}

// 2^(k >> 6), built from the exponent bits: k >> 6 is in [-151, 128], a normal double.
inline double exp_scale(std::int64_t k) noexcept
{
    return std::bit_cast<double>(static_cast<std::uint64_t>((k >> 6) + 1023) << 52);
}

// e^x for exp_min_x <= x <= exp_max_x, branch-free (one table lookup per lane).
// Relative error budget, each with or without FMA contraction:
//   r = rh + x*exp_c_lo: absolute error < 2^-54 (|r| < 0.50002), i.e. < 2^-60 on 2^(r/64);
//   polynomial: truncation 2^-54.6, final 1 + r*q rounding 2^-53, the rest < 2^-58;
//   exp2_hi[j]: 2^-53; the product: 2^-53; scaling by a power of 2: exact.
//   Sum < 3.5 * 2^-53 < 2^-51.
inline double exp_fast(double xd) noexcept
{
    double rh;
    std::int64_t k;
    exp_reduce(xd, rh, k);
    const double r = rh + xd * exp_c_lo;
    const double q = exp_poly[0] + r * (exp_poly[1] + r * (exp_poly[2] + r * (exp_poly[3] + r * exp_poly[4])));
    const double p = 1.0 + r * q;
    return (exp2_hi[k & 63] * exp_scale(k)) * p;
}

// The slow path: the same reduction to ~2^-99 absolute (x * exp_c_mid is exact, x * exp_c_lo2
// errs by < 2^-101), s = r ln2/64, e^s by a degree-9 Taylor polynomial in double-double, times
// 2^(j/64) in double-double. Relative error < 2^-95, far below the distance of any e^x (x a float)
// to a float midpoint, so the round-to-odd rounding of the double-double is the correct one.
inline float exp_accurate(double xd) noexcept
{
    double rh;
    std::int64_t k;
    exp_reduce(xd, rh, k);
    dword r = exact_sum(rh, xd * exp_c_mid);
    r = exact_sum(r.hi, r.lo + xd * exp_c_lo2);
    const dword s = dw_mul(r, exp_ln2_64);
    dword p = exp_inv_fact[9];
    for (int n = 8; n >= 0; --n)
        p = dw_add(dw_mul(p, s), exp_inv_fact[n]);
    const dword v = dw_mul(p, dword{exp2_hi[k & 63], exp2_lo[k & 63]});
    const double scale = exp_scale(k);
    return cr_round_dword({v.hi * scale, v.lo * scale}); // exact scaling: both stay normal
}

} // namespace detail

// Correctly rounded e^x (round to nearest even). A vector version does the same per lane: clamp
// x into range, exp_fast + cr_round_test on all lanes, blend the special values, and call
// exp_accurate for the rare lanes whose test failed.
inline float exp_cr(float x) noexcept
{
    if (!(x >= detail::exp_min_x && x <= detail::exp_max_x)) [[unlikely]] {
        if ((std::bit_cast<std::uint32_t>(x) & 0x7fffffffu) > 0x7f800000u)
            return detail::cr_canonical_nan;
        return x > 0 ? std::bit_cast<float>(0x7f800000u) : 0.0f; // overflow / underflow
    }
    const double xd = static_cast<double>(x);
    float out;
    if (detail::cr_round_test(detail::exp_fast(xd), detail::exp_eps, out)) [[likely]]
        return out;
    return detail::exp_accurate(xd);
}

// out[i] = exp_cr(in[i]); in and out may be the same array.
inline void exp_cr(const float* in, float* out, std::size_t n) noexcept
{
    for (std::size_t i = 0; i < n; ++i)
        out[i] = exp_cr(in[i]);
}

} // namespace ptoref::math
